"""Held-out score and fits: FitThenRegularizeSearchCV vs random search vs halving vs defaults.

Run: python benchmarks/bench_search.py [--quick] [--max-fits N] [--cv K] [--seeds S ...]

One table from one run. Each dataset (sklearn's digits, wine, breast cancer,
iris and diabetes; generated make_classification and make_friedman1) is split
once into a training part (75%, stratified for classification) and a test
part. Every method tunes a ``Pipeline(StandardScaler, KerasMLP*)`` on the
training part with the same K-fold cross-validation, and its refit model is
scored once on the test part (accuracy or R^2):

- ``defaults``: the estimator as constructed, fitted once (1 fit);
- ``fit-then-regularize``: ``FitThenRegularizeSearchCV(max_fits=N)``,
  starting from those defaults;
- ``random``: ``RandomizedSearchCV`` with ``n_iter = (N - 1) // K``
  candidates, so at most N fits with the refit;
- ``halving``: ``HalvingRandomSearchCV`` (factor 3, the training rows as the
  resource) with the most candidates whose fits, refit included, stay
  within N.

Random and halving draw from one broad space of the same parameters the
search turns: hidden_layer_sizes (16 to 512 units, 1 to 3 layers),
learning_rate (log-uniform 1e-4 to 1e-1), batch_size (16 to 256), epochs
(10 to 500), early_stopping, dropout, l2 and l1. Every method's networks
get ``random_state=seed``.

The "fits" column counts the fits each method ran (every split of every
candidate, and the refit). The "noise" column is the standard error of the
test score: for accuracy, sqrt(p(1 - p) / n_test); for R^2, the standard
deviation of the R^2 of 200 bootstrap resamples of the test part; the larger
of the search's and the best other method's. Within noise means within about two of them. With several
``--seeds`` every dataset is split and searched once per seed, and the
table shows the means over seeds.

This is not a timing benchmark (the seconds are printed for orientation
only); it runs on any machine.
"""

import argparse
import math
import time
import warnings

import numpy as np
import pandas as pd
from scipy.stats import loguniform, randint
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
    make_friedman1,
)
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.metrics import r2_score
from sklearn.model_selection import HalvingRandomSearchCV, RandomizedSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skfit import FitThenRegularizeSearchCV, KerasMLPClassifier, KerasMLPRegressor

FACTOR = 3
SPACE = {
    "hidden_layer_sizes": [(16,), (32,), (64,), (128,), (256,), (512,), (32, 32), (64, 64),
                           (128, 128), (256, 256), (64, 64, 64), (128, 128, 128)],
    "learning_rate": loguniform(1e-4, 1e-1),
    "batch_size": [16, 32, 64, 128, 256],
    "epochs": randint(10, 501),
    "early_stopping": [False, True],
    "dropout": [0.0, 0.0, 0.1, 0.2, 0.3, 0.5],
    "l2": [0.0, 0.0, 1e-5, 1e-4, 1e-3, 1e-2],
    "l1": [0.0, 0.0, 0.0, 1e-5, 1e-4, 1e-3],
}


def datasets(quick):
    """name -> (X, y, task)."""
    X_c, y_c = make_classification(n_samples=1000, n_features=20, n_informative=6,
                                   n_redundant=4, n_classes=3, flip_y=0.05, random_state=0)
    X_f, y_f = make_friedman1(n_samples=1000, n_features=10, noise=1.0, random_state=0)
    data = {
        "digits": (*load_digits(return_X_y=True), "classification"),
        "wine": (*load_wine(return_X_y=True), "classification"),
        "breast_cancer": (*load_breast_cancer(return_X_y=True), "classification"),
        "iris": (*load_iris(return_X_y=True), "classification"),
        "diabetes": (*load_diabetes(return_X_y=True), "regression"),
        "make_classification": (X_c, y_c, "classification"),
        "make_friedman1": (X_f, y_f, "regression"),
    }
    if quick:
        data = {name: data[name] for name in ("wine", "iris", "diabetes")}
    return data


def make_model(task, seed):
    network = KerasMLPClassifier if task == "classification" else KerasMLPRegressor
    return Pipeline([("scale", StandardScaler()), ("mlp", network(random_state=seed))])


def halving_candidates(n_train, n_splits, n_classes, max_fits):
    """The most candidates whose halving fits (refit included) stay within ``max_fits``,
    with sklearn's rules for ``min_resources="exhaust"``; and that number of fits."""
    best = None
    for n_candidates in range(1, max_fits):
        smallest = n_splits * 2 * max(1, n_classes)
        required = 1 + math.floor(math.log(n_candidates, FACTOR))
        min_resources = max(smallest, n_train // FACTOR ** (required - 1))
        possible = 1 + math.floor(math.log(n_train // min_resources, FACTOR))
        remaining, fits = n_candidates, 1
        for _ in range(min(possible, required)):
            fits += remaining * n_splits
            remaining = math.ceil(remaining / FACTOR)
        if fits <= max_fits:
            best = (n_candidates, fits)
    return best


def run_method(name, task, model, X, y, *, cv, max_fits, seed, n_classes):
    params = {f"mlp__{key}": value for key, value in SPACE.items()}
    scoring = "accuracy" if task == "classification" else "r2"
    if name == "defaults":
        return model.fit(X, y), 1
    if name == "fit-then-regularize":
        search = FitThenRegularizeSearchCV(model, cv=cv, scoring=scoring, max_fits=max_fits,
                                           random_state=seed)
        search.fit(X, y)
        return search, search.n_fits_
    if name == "random":
        n_iter = (max_fits - 1) // cv
        search = RandomizedSearchCV(model, params, n_iter=n_iter, cv=cv, scoring=scoring,
                                    random_state=seed, error_score=np.nan)
        search.fit(X, y)
        return search, n_iter * cv + 1
    n_candidates, _ = halving_candidates(len(y), cv,
                                         n_classes if task == "classification" else 0, max_fits)
    search = HalvingRandomSearchCV(model, params, n_candidates=n_candidates, factor=FACTOR,
                                   cv=cv, scoring=scoring, random_state=seed,
                                   error_score=np.nan)
    search.fit(X, y)
    return search, sum(search.n_candidates_) * cv + 1


def noise(task, y_test, predictions, score, rng):
    if task == "classification":
        return math.sqrt(max(score * (1 - score), 1e-12) / len(y_test))
    rows = [rng.randint(0, len(y_test), len(y_test)) for _ in range(200)]
    return float(np.std([r2_score(y_test[r], predictions[r]) for r in rows]))


METHODS = ("defaults", "fit-then-regularize", "random", "halving")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="three small datasets, max_fits 16, 3 folds: a smoke test")
    parser.add_argument("--max-fits", type=int, default=61)
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--datasets", nargs="+", default=None)
    args = parser.parse_args()
    max_fits = 16 if args.quick else args.max_fits
    data = datasets(args.quick)
    if args.datasets:
        data = {name: data[name] for name in args.datasets}
    rows = []
    for name, (X, y, task) in data.items():
        for seed in args.seeds:
            stratify = y if task == "classification" else None
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=0.25, stratify=stratify, random_state=seed)
            n_classes = len(np.unique(y)) if task == "classification" else 0
            for method in METHODS:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fitted, fits = run_method(method, task, make_model(task, seed), X_train,
                                              y_train, cv=args.cv, max_fits=max_fits,
                                              seed=seed, n_classes=n_classes)
                predictions = fitted.predict(X_test)
                score = fitted.score(X_test, y_test)
                rows.append({
                    "dataset": name, "seed": seed, "method": method, "test_score": score,
                    "fits": fits, "seconds": time.perf_counter() - start,
                    "noise": noise(task, y_test, predictions, score,
                                   np.random.RandomState(seed)),
                })
                print(f"{name} seed {seed} {method}: test {score:.4f}, {fits} fits, "
                      f"{rows[-1]['seconds']:.0f} s", flush=True)
    frame = pd.DataFrame(rows).groupby(["dataset", "method"], sort=False).mean(numeric_only=True)
    table = frame["test_score"].unstack("method")[list(METHODS)]
    fits = frame["fits"].unstack("method")[list(METHODS)]
    seconds = frame["seconds"].unstack("method")[list(METHODS)]
    summary = table.copy()
    summary.columns = [f"{m}" for m in METHODS]
    others = table[["defaults", "random", "halving"]].max(axis=1)
    noises = frame["noise"].unstack("method")
    best_other = table[["defaults", "random", "halving"]].idxmax(axis=1)
    best_noise = pd.Series([max(noises.loc[d, "fit-then-regularize"], noises.loc[d, m])
                            for d, m in best_other.items()], index=table.index)
    summary["ftr - best other"] = table["fit-then-regularize"] - others
    summary["noise (1 se)"] = best_noise
    summary["within 2 se"] = summary["ftr - best other"] >= -2 * best_noise
    print()
    print(f"Held-out test score (accuracy or R^2), max_fits={max_fits}, cv={args.cv}, "
          f"seeds {args.seeds}")
    print(summary.to_string(float_format="{:.4f}".format))
    print()
    print("Fits run (refit included)")
    print(fits.to_string(float_format="{:.0f}".format))
    print()
    print("Seconds (orientation only)")
    print(seconds.to_string(float_format="{:.0f}".format))


if __name__ == "__main__":
    main()
