"""Mutual information: skfit's binned estimator and noise floor vs sklearn's k-NN.

One run prints one table. Three data sets:

- digits + noise: sklearn's digits (pixels scaled to [0, 1]) with 64 uniform
  noise columns (``load_digits_channels``); informative = the pixels lit in
  at least 1% of the images (54 of 64; the others are blank or nearly so).
- mixed 20000 x 400: 200 informative features of four kinds (class-shifted
  normal, class-dependent spread, 5-category, zero-inflated), strengths spread
  over a factor 5, then 200 noise columns (uniform, Poisson, zero-inflated).
- weak 2000 x 80: the same generator with weak strengths, 40 + 40.

Columns: time of sklearn's ``mutual_info_classif`` and of skfit's
``mutual_info_scores`` (default binned estimator), their ratio, the time of
``MutualInfoSelector().fit`` (scores + 20 permutations for the noise floor),
the Spearman correlation of the two estimators' scores on the non-noise
features, and for the ``threshold="auto"`` rule with each estimator: noise
columns kept and informative ones kept. sklearn's estimator runs under the
same rule through ``MutualInfoSelector(method="knn")`` (with 5 permutations
on the large set to bound the run time; its censored-normal floor pools the
continuous features, so 5 permutations give it about 1,700 null scores).
skfit timings are the best of 3 runs; sklearn's a single run.

A second table: sparse input, a bag-of-words-like binary CSR (default
100000 documents x 20000 words, 0.1% density, 2 classes; words 0-49 three
times as frequent in class 1, the others noise), as ``CountVectorizer(binary=True)``
gives it. Columns: nonzeros and the CSR's own bytes; the time of sklearn's
``mutual_info_classif(X, y, discrete_features=True)`` (a single run on the
first 1000 columns, scaled to all: it densifies one column at a time, so its
time is linear in the columns), of ``mutual_info_scores`` and of
``MutualInfoSelector().fit`` (best of 3); the peak of the memory allocated
during the selector's fit (``tracemalloc``, a separate run), against the
CSR's bytes and against a dense float64 copy; informative and noise words
kept.

Run: ``python benchmarks/bench_mutual_info.py`` (about 5 minutes on 2 cores);
``--only sparse --sparse-shape 2000 500`` for a quick check.
"""

import argparse
import os
import time
import tracemalloc
import warnings

import numpy as np
import sklearn
from scipy import sparse, stats
from sklearn.feature_selection import mutual_info_classif

from skfit.datasets import load_digits_channels
from skfit.feature_selection import MutualInfoSelector, mutual_info_scores


def make_mixed(n_samples, n_informative, n_noise, strength, *, n_classes=4, random_state=0):
    """Informative features of four kinds, then noise columns of three kinds."""
    rng = np.random.default_rng(random_state)
    y = rng.integers(0, n_classes, n_samples)
    strengths = strength * np.exp(rng.uniform(np.log(0.2), 0.0, n_informative))
    columns = [_informative(j % 4, s, y, n_classes, rng) for j, s in enumerate(strengths)]
    columns += [_noise(j % 3, n_samples, rng) for j in range(n_noise)]
    return np.column_stack(columns), y


def _informative(kind, strength, y, n_classes, rng):
    n_samples = y.size
    shift = rng.normal(size=n_classes)[y]
    if kind == 0:
        return strength * shift + rng.normal(size=n_samples)
    if kind == 1:
        return rng.normal(size=n_samples) * np.exp(strength * shift)
    if kind == 2:
        logits = 2 * strength * rng.normal(size=(n_classes, 5))[y]
        probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        draws = rng.random((n_samples, 1))
        return (probabilities.cumsum(axis=1) < draws).sum(axis=1).astype(float)
    zero = rng.random(n_samples) < 1 / (1 + np.exp(-2 * strength * shift))
    return np.where(zero, 0.0, rng.exponential(size=n_samples))


def _noise(kind, n_samples, rng):
    if kind == 0:
        return rng.uniform(size=n_samples)
    if kind == 1:
        return rng.poisson(2, n_samples).astype(float)
    return np.where(rng.random(n_samples) < 0.5, 0.0, rng.exponential(size=n_samples))


def _best_time(function, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def _row(name, X, y, informative, noise, knn_permutations):
    start = time.perf_counter()
    theirs = mutual_info_classif(X, y, random_state=0)
    sklearn_time = time.perf_counter() - start
    ours_time, ours = _best_time(lambda: mutual_info_scores(X, y))
    fit_time, selector = _best_time(lambda: MutualInfoSelector(random_state=0).fit(X, y))
    knn = MutualInfoSelector(method="knn", n_permutations=knn_permutations, random_state=0)
    knn_kept = knn.fit(X, y).get_support()
    kept = selector.get_support()
    non_noise = ~noise
    spearman = stats.spearmanr(ours[non_noise], theirs[non_noise]).statistic
    return [
        name,
        f"{sklearn_time:.2f} s",
        f"{ours_time:.3f} s",
        f"{sklearn_time / ours_time:.0f}x",
        f"{fit_time:.3f} s",
        f"{sklearn_time / fit_time:.0f}x",
        f"{spearman:.3f}",
        f"{kept[noise].sum()} / {noise.sum()}",
        f"{kept[informative].sum()} / {informative.sum()}",
        f"{knn_kept[noise].sum()} / {noise.sum()}",
        f"{knn_kept[informative].sum()} / {informative.sum()}",
    ]


def make_bag_of_words(n_documents, n_words, density, n_informative, lift=3, random_state=0):
    """Binary documents x words CSR; the first words are ``lift`` times as frequent in class 1."""
    rng = np.random.default_rng(random_state)
    y = rng.integers(0, 2, n_documents)
    n_draws = int(n_documents * n_words * density)
    rows = rng.integers(0, n_documents, n_draws)
    words = rng.integers(0, n_words, n_draws)
    # Class-1 documents get (lift - 1) times as many draws of the informative words.
    extra = rng.random(n_draws) < (lift - 1) * n_informative / n_words
    keep = ~extra | (y[rows] == 1)
    words[extra] = rng.integers(0, n_informative, extra.sum())
    X = sparse.csr_matrix(
        (np.ones(keep.sum(), dtype=np.int64), (rows[keep], words[keep])),
        shape=(n_documents, n_words),
    )
    X.sum_duplicates()
    X.data[:] = 1
    return X, y


_SKLEARN_COLUMNS = 1000


def _sparse_row(n_documents, n_words, density=0.001, n_informative=50):
    X, y = make_bag_of_words(n_documents, n_words, density, n_informative)
    own_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    # sklearn's time grows linearly with the columns (one at a time): timed on
    # the first _SKLEARN_COLUMNS and scaled to all of them.
    subset = X[:, : min(n_words, _SKLEARN_COLUMNS)]
    start = time.perf_counter()
    mutual_info_classif(subset, y, discrete_features=True, random_state=0)
    sklearn_time = (time.perf_counter() - start) * n_words / subset.shape[1]
    ours_time, _ = _best_time(lambda: mutual_info_scores(X, y))
    fit_time, selector = _best_time(lambda: MutualInfoSelector(random_state=0).fit(X, y))
    tracemalloc.start()
    MutualInfoSelector(random_state=0).fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    kept = selector.get_support()
    informative = np.arange(n_words) < n_informative
    return [
        f"bag of words {n_documents} x {n_words}",
        f"{X.nnz}",
        f"{own_bytes / 1e6:.1f} MB",
        f"{sklearn_time:.2f} s",
        f"{ours_time:.3f} s",
        f"{sklearn_time / ours_time:.0f}x",
        f"{fit_time:.3f} s",
        f"{peak / 1e6:.1f} MB",
        f"{peak / own_bytes:.2f}x",
        f"{n_documents * n_words * 8 / 1e9:.1f} GB",
        f"{kept[informative].sum()} / {informative.sum()}",
        f"{kept[~informative].sum()} / {(~informative).sum()}",
    ]


def _print_table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["all", "dense", "sparse"], default="all")
    parser.add_argument(
        "--sparse-shape", nargs=2, type=int, default=(100_000, 20_000),
        metavar=("N_DOCUMENTS", "N_WORDS"),
    )  # fmt: skip
    args = parser.parse_args()
    warnings.simplefilter("ignore", UserWarning)  # digits' blank pixels are constant
    print(
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
        f"{os.cpu_count()} CPUs\n"
    )
    if args.only in ("all", "dense"):
        _dense_table()
    if args.only in ("all", "sparse"):
        header = [
            "data", "nonzeros", "CSR bytes", "sklearn MI", "skfit MI", "speed-up",
            "skfit select", "peak memory (fit)", "peak / CSR", "dense copy",
            "informative kept", "noise kept",
        ]  # fmt: skip
        _print_table(header, [_sparse_row(*args.sparse_shape)])


def _dense_table():
    rows = []
    digits = load_digits_channels("noise", random_state=0)
    lit = (digits.data[:, ~digits.added] > 0).mean(axis=0) >= 0.01
    rows.append(
        _row("digits + 64 noise", digits.data, digits.target,
             np.concatenate([lit, np.zeros(64, bool)]), digits.added, 20)
    )  # fmt: skip
    for name, shape, strength, knn_permutations in [
        ("mixed 20000 x 400", (20000, 200, 200), 1.0, 5),
        ("weak 2000 x 80", (2000, 40, 40), 0.4, 20),
    ]:
        X, y = make_mixed(*shape, strength)
        noise = np.arange(X.shape[1]) >= shape[1]
        rows.append(_row(name, X, y, ~noise, noise, knn_permutations))
    header = [
        "data", "sklearn MI", "skfit MI", "speed-up", "skfit select", "speed-up",
        "Spearman", "noise kept", "informative kept", "noise kept (k-NN)",
        "informative kept (k-NN)",
    ]  # fmt: skip
    _print_table(header, rows)


if __name__ == "__main__":
    main()
