"""scikit-learn's MLP gallery examples, run with scikit-learn's MLPs and with skfit's.

Run: python benchmarks/bench_sklearn_examples.py [--quick]

Each example of scikit-learn's gallery that uses ``MLPClassifier`` or
``MLPRegressor`` (tests/sklearn_examples.py: varying alpha with L-BFGS, the
training curves of the stochastic solvers, the first layer's weights, an RBM
+ classifier pipeline, the classifier comparison, partial dependence) runs
whole, once with scikit-learn's classes and once with skfit's under the same
names, in one process, in alternating order over ``--repeats`` runs. The
table gives each one's seconds (the best of the repeats), the ratio skfit /
scikit-learn, and the mean of the scores the example prints for each.
The target: each within 2x of scikit-learn's time, and scoring within noise.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.neural_network import MLPClassifier, MLPRegressor

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skfit import KerasMLPClassifier, KerasMLPRegressor  # noqa: E402
from tests.sklearn_examples import EXAMPLES  # noqa: E402

CLASSES = {"scikit-learn": (MLPClassifier, MLPRegressor),
           "skfit": (KerasMLPClassifier, KerasMLPRegressor)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the test suite's versions")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    KerasMLPClassifier(epochs=1).fit(np.eye(4), [0, 1, 0, 1])  # TensorFlow's first use
    rows = []
    for name, run in EXAMPLES.items():
        seconds = {library: [] for library in CLASSES}
        scores = {}
        for repeat in range(args.repeats):
            order = list(CLASSES) if repeat % 2 == 0 else list(CLASSES)[::-1]
            for library in order:
                start = time.perf_counter()
                result = run(*CLASSES[library], quick=args.quick)
                seconds[library].append(time.perf_counter() - start)
                scores[library] = result
        first = list(scores["scikit-learn"])[0]
        row = {"example": name}
        for library in CLASSES:
            row[f"{library} s"] = min(seconds[library])
        row["ratio"] = row["skfit s"] / row["scikit-learn s"]
        for library in CLASSES:
            values = scores[library]
            keys = [k for k in values if "range" not in k] or [first]
            row[f"{library} score"] = float(np.mean([values[k] for k in keys]))
        row["score difference"] = row["skfit score"] - row["scikit-learn score"]
        rows.append(row)
        print(f"{name}: {row['skfit s']:.2f} s vs {row['scikit-learn s']:.2f} s "
              f"({row['ratio']:.2f}x); scores {row['skfit score']:.3f} vs "
              f"{row['scikit-learn score']:.3f}", flush=True)
    pd.set_option("display.width", 200)
    print()
    print(pd.DataFrame(rows).set_index("example").to_string(float_format="{:.3f}".format))


if __name__ == "__main__":
    main()
