"""RSS before and after many consecutive fits (issue 2's memory figure).

Run: python benchmarks/bench_memory.py [n_fits]

Prints, for skfit's KerasMLPClassifier, skfit's KerasClassifier around a
user builder function, and scikeras's KerasClassifier on the same builder
(when scikeras is installed), the resident memory after a warm-up fit and
after ``n_fits`` more fits, and the growth per fit.
"""

import gc
import resource
import sys

import numpy as np
from sklearn.datasets import load_digits

from skfit import KerasClassifier, KerasMLPClassifier


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def build(n_features_in, n_classes, units=32):
    import keras

    return keras.Sequential(
        [
            keras.Input((n_features_in,)),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(n_classes, activation="softmax"),
        ]
    )


def scikeras_build(meta, units=32):
    return build(meta["n_features_in_"], meta["n_classes_"], units)


def measure(make, X, y, n_fits):
    make(0).fit(X, y)
    gc.collect()
    before = rss_mb()
    for i in range(n_fits):
        make(i + 1).fit(X, y)
    gc.collect()
    after = rss_mb()
    return before, after


def main(n_fits=100):
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    candidates = {
        "skfit KerasMLPClassifier": lambda s: KerasMLPClassifier((32,), epochs=2, random_state=s),
        "skfit KerasClassifier(builder)": lambda s: KerasClassifier(build, epochs=2, random_state=s),
    }
    try:
        from scikeras.wrappers import KerasClassifier as ScikerasClassifier

        candidates["scikeras KerasClassifier"] = lambda s: ScikerasClassifier(
            scikeras_build, loss="sparse_categorical_crossentropy", epochs=2, verbose=0
        )
    except ImportError:
        pass
    print(f"{'estimator':34s} {'RSS before':>11s} {'after ' + str(n_fits):>11s} {'MB/fit':>7s}")
    for name, make in candidates.items():
        before, after = measure(make, X, y, n_fits)
        print(f"{name:34s} {before:9.1f}MB {after:9.1f}MB {(after - before) / n_fits:7.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
