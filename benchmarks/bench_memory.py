"""Memory: RSS over many consecutive fits, and the peak of one fit on big data.

Run: python benchmarks/bench_memory.py [n_fits] [--rows 60000]  (n_fits 0: the second table only)

First table: for skfit's KerasMLPClassifier, skfit's KerasClassifier around a
user builder function, and scikeras's KerasClassifier on the same builder
(when scikeras is installed), the resident memory after a warm-up fit and
after ``n_fits`` more fits, and the growth per fit.

Second table: one fit on an MNIST-sized float32 array (``--rows`` x 784,
ten classes; one hidden layer of 512, batch 128, one epoch, 10% held out
for validation), in a fresh process per estimator, with X as NumPy
allocates it and, for skfit, with X on a 64-byte boundary (which TensorFlow
can use without a copy): the peak RSS growth
during a first and a second fit (sampled every 2 ms), against ``X.nbytes``;
the first also pays TensorFlow's one-time set-up in that process. The target
(issue 13): skfit holds at most one extra copy of X, i.e. a growth of at
most about ``1 x X.nbytes`` plus the model and TensorFlow's own working
memory.
"""

import argparse
import gc
import json
import subprocess
import sys

import numpy as np
from sklearn.datasets import load_digits

from _rss import PeakRSS, rss_bytes

from skfit import KerasClassifier, KerasMLPClassifier


def rss_mb():
    return rss_bytes() / 2**20


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


def many_fits(n_fits):
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


def big_data(n_rows, aligned=False, seed=0):
    """MNIST-shaped float32 X and ten classes; ``aligned``: X's buffer starts on a
    64-byte boundary (TensorFlow can then use it without a copy)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n_rows, 784), dtype=np.float32)
    if aligned:
        buffer = np.empty(X.size + 16, dtype=np.float32)
        start = (-buffer.ctypes.data % 64) // 4
        view = buffer[start:start + X.size].reshape(X.shape)
        view[...] = X
        X = view
    y = rng.integers(0, 10, n_rows)
    return X, y


def big_estimator(name):
    if name == "sklearn MLPClassifier":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier((512,), batch_size=128, max_iter=1, early_stopping=True,
                             validation_fraction=0.1, n_iter_no_change=10**6, random_state=0)
    return KerasMLPClassifier((512,), batch_size=128, epochs=1, validation_fraction=0.1,
                              random_state=0)


def measure_big(name, n_rows, aligned):
    """In this process: the peak RSS growth of one fit of ``name`` on big data."""
    import warnings

    from threadpoolctl import threadpool_limits

    import skfit.keras  # noqa: F401  (TensorFlow loads before the measurement)

    warnings.simplefilter("ignore")
    X, y = big_data(n_rows, aligned)
    result = {"nbytes": X.nbytes, "aligned": X.ctypes.data % 64 == 0}
    for run in ("first", "second"):
        estimator = big_estimator(name)
        gc.collect()
        before = rss_bytes()
        with threadpool_limits(1, user_api="blas"), PeakRSS() as peak:
            estimator.fit(X, y)
        result[run] = peak.peak - before
        del estimator
    return result


def one_big_fit(n_rows):
    print(f"\nOne fit on {n_rows} x 784 float32 (X.nbytes = {n_rows * 784 * 4 / 2**20:.0f} MB), "
          "a fresh process each")
    print(f"{'peak RSS growth':48s} {'first fit':>10s} {'/ X.nbytes':>11s} {'second fit':>11s} "
          f"{'/ X.nbytes':>11s}")
    rows = [("skfit KerasMLPClassifier", False), ("skfit KerasMLPClassifier", True),
            ("sklearn MLPClassifier", False)]
    for name, aligned in rows:
        run = subprocess.run([sys.executable, __file__, "--measure-big", name, "--rows",
                              str(n_rows)] + ["--aligned"] * aligned,
                             capture_output=True, text=True, check=True)
        result = json.loads(run.stdout.strip().splitlines()[-1])
        label = f"{name}, X {'' if result['aligned'] else 'not '}64-B aligned"
        print(f"{label:48s} " + " ".join(
            f"{result[fit] / 2**20:7.0f} MB {result[fit] / result['nbytes']:10.2f}x"
            for fit in ("first", "second")))
    print("(the first fit also pays TensorFlow's one-time set-up in that process)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_fits", type=int, nargs="?", default=100)
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--measure-big", help=argparse.SUPPRESS)
    parser.add_argument("--aligned", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_big:
        print(json.dumps(measure_big(args.measure_big, args.rows, args.aligned)))
        return
    if args.n_fits:
        many_fits(args.n_fits)
    one_big_fit(args.rows)


if __name__ == "__main__":
    main()
