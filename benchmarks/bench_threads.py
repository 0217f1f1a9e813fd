"""One TensorFlow thread against TensorFlow's own pools, by network size.

Run: python benchmarks/bench_threads.py [--repeats 5]

TensorFlow sizes its intra-op and inter-op pools to every core; on small
products, handing work to several threads can cost more than it gains. Each
row trains skfit's KerasMLPClassifier on its compiled engine (Adam, batch 128, no validation split)
on generated float32 data, in a child process of its own: once with
TensorFlow's pools as it sizes them, once with ``TF_NUM_INTRAOP_THREADS=1``
and ``TF_NUM_INTEROP_THREADS=1`` set for that child only (what
:func:`skfit.utils.limit_tensorflow_threads` ``(1)`` does), so that nothing
changes in this process. It prints seconds per epoch (the best of
``--repeats`` fits after one that traces, divided by the epochs) and the
ratio one thread / default.
"""

import argparse
import json
import os
import subprocess
import sys

CASES = [  # rows, features, hidden units, epochs
    (1440, 64, 64, 20),
    (20000, 100, 64, 5),
    (20000, 100, 256, 5),
    (60000, 784, 128, 2),
    (60000, 784, 512, 2),
]

CHILD = """
import json, sys, time
import numpy as np
import skfit.keras
from skfit import KerasMLPClassifier
n, d, h, epochs, repeats = map(int, sys.argv[1:6])
rng = np.random.default_rng(0)
X = rng.random((n, d), dtype=np.float32)
y = rng.integers(0, 10, n)
est = KerasMLPClassifier((h,), optimizer="adam", batch_size=128, epochs=epochs,
                         validation_fraction=0.0, engine="compiled", random_state=0)
est.fit(X, y)  # the trace and TensorFlow's first use
times = []
for _ in range(repeats):
    start = time.perf_counter()
    est.fit(X, y)
    times.append((time.perf_counter() - start) / epochs)
print(json.dumps(min(times)))
"""


def epoch_seconds(case, repeats, one_thread):
    env = dict(os.environ)
    if one_thread:
        env.update(TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
    run = subprocess.run([sys.executable, "-c", CHILD, *map(str, case), str(repeats)],
                         capture_output=True, text=True, check=True, env=env)  # fmt: skip
    return json.loads(run.stdout.strip().splitlines()[-1])


def main(repeats):
    print(f"{'rows x features, hidden':28s} {'default s/epoch':>15s} {'1 thread':>9s} {'ratio':>6s}")
    for case in CASES:
        default, single = (epoch_seconds(case, repeats, one) for one in (False, True))
        label = f"{case[0]} x {case[1]}, ({case[2]},)"
        print(f"{label:28s} {default:15.4f} {single:9.4f} {single / default:6.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fits timed per row (best taken)")
    main(parser.parse_args().repeats)
