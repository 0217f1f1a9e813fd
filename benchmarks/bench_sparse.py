"""Sparse bag-of-words input: epoch time and peak memory, sklearn's MLP vs skfit.

Run: python benchmarks/bench_sparse.py [--rows 100000] [--features 20000] [--density 0.001]

One table from one run. The data are a binary CSR matrix like a bag of words
(100000 x 20000 at 0.1% density: about 20 words per row; a dense float64
copy would be 16 GB, float32 8 GB), with 2 classes that depend on 200 of the
"words". Both estimators train the same network (one hidden layer of 64 ReLU
units, Adam, lr 1e-3, batch 128, no internal validation split) on the same
matrix:

- seconds per epoch, from the difference between a 1-epoch and a 3-epoch
  fit (so neither one-off set-up nor skfit's trace counts), and the time of
  the first 1-epoch fit;
- peak RSS growth during a fit, sampled every 2 ms from /proc in a separate
  process per estimator, after the data are built: the first fit (which for
  skfit includes TensorFlow's graph and kernels) and a second one; against
  the CSR matrix's own bytes plus the model's (weights and optimizer state).

BLAS runs single-threaded for sklearn, as in bench_fit.py.
"""

import argparse
import json
import subprocess
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
from _rss import PeakRSS, rss_bytes

HIDDEN, BATCH, LR = 64, 128, 1e-3


def make_data(n_rows, n_features, density, seed=0):
    rng = np.random.default_rng(seed)
    nnz_per_row = max(1, int(round(n_features * density)))
    indices = rng.integers(0, n_features, size=(n_rows, nnz_per_row))
    indices.sort(axis=1)
    indptr = np.arange(0, n_rows * nnz_per_row + 1, nnz_per_row)
    X = sp.csr_matrix((np.ones(indices.size), indices.ravel(), indptr), shape=(n_rows, n_features))
    X.sum_duplicates()
    X.data[:] = 1.0
    informative = rng.normal(size=n_features) * (np.arange(n_features) < 200)
    score = X @ informative
    y = (score + rng.normal(scale=0.5, size=n_rows) > np.median(score)).astype(int)
    return X, y


def csr_bytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes


def model_bytes(n_features, n_slots):
    n_params = n_features * HIDDEN + HIDDEN + HIDDEN * 2 + 2
    return n_params * 4 * (1 + n_slots)


def estimator(name, epochs):
    if name == "sklearn":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier((HIDDEN,), batch_size=BATCH, learning_rate_init=LR, max_iter=epochs,
                             shuffle=True, random_state=0, tol=0, n_iter_no_change=10**6)  # fmt: skip
    from skfit import KerasMLPClassifier

    return KerasMLPClassifier((HIDDEN,), optimizer="adam", learning_rate=LR, batch_size=BATCH,
                              epochs=epochs, validation_fraction=0, random_state=0)  # fmt: skip


def measure(name, n_rows, n_features, density):
    """In this process: times and peak RSS growth of ``name``'s fits."""
    from threadpoolctl import threadpool_limits

    if name == "skfit":
        import skfit.keras  # noqa: F401  (TensorFlow loads before the measurements)
    X, y = make_data(n_rows, n_features, density)
    warnings.simplefilter("ignore")
    result = {}
    with threadpool_limits(1, user_api="blas"):
        for run in ("first", "second"):
            before = rss_bytes()
            with PeakRSS() as peak:
                start = time.perf_counter()
                estimator(name, 1).fit(X, y)
                result[f"{run}_fit_s"] = time.perf_counter() - start
            result[f"{run}_growth"] = peak.peak - before
        start = time.perf_counter()
        model = estimator(name, 3).fit(X, y)
        result["epoch_s"] = (time.perf_counter() - start - result["second_fit_s"]) / 2
    result["train_accuracy"] = float(model.score(X, y))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=20_000)
    parser.add_argument("--density", type=float, default=0.001)
    parser.add_argument("--measure", choices=["sklearn", "skfit"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    shape = (args.rows, args.features, args.density)
    if args.measure:
        print(json.dumps(measure(args.measure, *shape)))
        return
    X, _ = make_data(*shape)
    print(f"CSR {args.rows} x {args.features}, density {args.density}: {X.nnz} stored values, "
          f"{csr_bytes(X) / 2**20:.1f} MB (a dense float32 copy: "
          f"{args.rows * args.features * 4 / 2**30:.1f} GB)")  # fmt: skip
    results = {}
    for name in ("sklearn", "skfit"):
        run = subprocess.run(
            [sys.executable, __file__, "--measure", name, "--rows", str(args.rows),
             "--features", str(args.features), "--density", str(args.density)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        results[name] = json.loads(run.stdout.strip().splitlines()[-1])
    budget = 3 * csr_bytes(X) + model_bytes(args.features, n_slots=2)
    print(f"{'':8s} {'s/epoch':>8s} {'ratio':>6s} {'1st fit':>8s} {'RSS growth 1st fit':>19s} "
          f"{'2nd fit':>9s} {'train acc':>9s}")  # fmt: skip
    for name, r in results.items():
        print(f"{name:8s} {r['epoch_s']:8.2f} {r['epoch_s'] / results['sklearn']['epoch_s']:5.2f}x "
              f"{r['first_fit_s']:7.2f}s {r['first_growth'] / 2**20:16.0f} MB "
              f"{r['second_growth'] / 2**20:6.0f} MB {r['train_accuracy']:9.3f}")  # fmt: skip
    print(f"memory budget (3 x CSR bytes + model with Adam's 2 slots): {budget / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
