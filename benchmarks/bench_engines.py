"""The NumPy loop against the compiled TensorFlow loop, by network size.

Run: python benchmarks/bench_engines.py [--repeats 3] [--one-thread]

skfit's MLPs train in NumPy (``engine="numpy"``) or in one compiled
TensorFlow graph call (``engine="compiled"``); ``engine="auto"`` picks NumPy
for networks of at most ``NUMPY_MAX_WEIGHTS`` weights. Each row fits
KerasMLPClassifier (Adam, batch 128, no validation split) on generated float32
data with both engines, in this process, once to trace (TensorFlow) and then
``--repeats`` times, and prints the best seconds per epoch of each, their ratio
(NumPy / compiled) and the network's number of weights: the rule's threshold
is where the ratio crosses 1. TensorFlow's thread pools are its own unless
``--one-thread`` (the user's ``limit_tensorflow_threads(1)``); NumPy's BLAS
runs as installed.
"""

import argparse
import time

import numpy as np

CASES = [  # rows, features, hidden layers
    (5000, 20, (64,)),
    (5000, 64, (100,)),
    (5000, 64, (256,)),
    (5000, 64, (512,)),
    (5000, 64, (256, 256)),
    (5000, 200, (128,)),
    (5000, 200, (256,)),
    (5000, 784, (64,)),
    (5000, 784, (128,)),
    (5000, 784, (256,)),
]
EPOCHS = 4


def seconds_per_epoch(estimator, X, y, repeats):
    estimator.fit(X, y)  # a trace (compiled), and the data's first pass
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        estimator.fit(X, y)
        times.append((time.perf_counter() - start) / EPOCHS)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one-thread", action="store_true")
    args = parser.parse_args()
    if args.one_thread:
        from skfit.utils import limit_tensorflow_threads

        limit_tensorflow_threads(1)
    import skfit.keras  # noqa: F401  (TensorFlow's import is no engine's cost)
    from skfit import KerasMLPClassifier
    from skfit.keras._numpy_loop import NUMPY_MAX_WEIGHTS

    print(f"NUMPY_MAX_WEIGHTS = {NUMPY_MAX_WEIGHTS}; seconds per epoch, best of {args.repeats}")
    print(f"{'rows x features, hidden':32s} {'weights':>8s} {'numpy':>8s} {'compiled':>9s} {'ratio':>6s}")
    for n, d, hidden in CASES:
        rng = np.random.default_rng(0)
        X = rng.random((n, d), dtype=np.float32)
        y = rng.integers(0, 10, n)
        times = {}
        for engine in ("numpy", "compiled"):
            estimator = KerasMLPClassifier(hidden, batch_size=128, epochs=EPOCHS, validation_fraction=0.0,
                                           engine=engine, random_state=0)  # fmt: skip
            times[engine] = seconds_per_epoch(estimator, X, y, args.repeats)
        widths = [d, *hidden, 10]
        weights = sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:]))
        print(f"{f'{n} x {d}, {hidden}':32s} {weights:8d} {times['numpy']:8.4f} {times['compiled']:9.4f} "
              f"{times['numpy'] / times['compiled']:6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
