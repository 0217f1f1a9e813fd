"""Held-out score in the same wall-clock time: FitThenRegularizeSearchCV against the tuners users know.

Run: pip install -e ".[bench]"   (Optuna and Keras Tuner)
     python benchmarks/bench_search.py [--tables main|heldout|dev] [--seeds 0 1 2]
                                       [--methods ...] [--only NAME ...] [--equal-fits]

For each table and seed, the table is split once into a training part (75%,
stratified for classification) and a test part. Every method tunes a
``Pipeline(StandardScaler, KerasMLP*)`` (Keras Tuner: a Keras network on
standardized inputs) on the training part, and its final model is scored once
on the test part (accuracy or R^2):

- ``defaults``: the estimator as constructed, fitted once;
- ``fit-then-regularize``: ``FitThenRegularizeSearchCV`` with its default
  budget (3-fold), starting from those defaults. Its wall time, T, is the
  budget every other method gets for the same table and seed;
- ``random``: random search over one broad space of the same parameters
  (below), 3-fold, drawing candidates until T is spent, then a refit of the
  best (what ``RandomizedSearchCV`` does, with a clock instead of n_iter; a
  candidate whose fits would run past T is dropped);
- ``halving``: ``HalvingRandomSearchCV`` (factor 3, training rows as the
  resource), 3-fold, with the most candidates whose fits stay within the
  number of fits the random search ran in T;
- ``optuna``: Optuna's TPE sampler with a median pruner over the same space,
  3-fold: a trial is pruned after any fold whose running mean score is below
  the median of earlier trials at that fold; ``study.optimize(timeout=T)``
  (a trial whose fits would run past T is pruned), then a refit of the best;
- ``keras-tuner``: Keras Tuner's ``Hyperband`` (max 243 epochs, factor 3)
  over the same space as a Keras model (Dense layers, dropout, L1/L2,
  RMSprop or Adam, batch size), validated on a shuffled 25% of the training
  part, stopped at T; its best configuration is retrained on the whole
  training part for its epochs.

The fits of random search and Optuna run in four parts (warm start: the
parts make one fit) so that the clock is read while they run. The broad
space: hidden_layer_sizes (16 to 512 units, 1 to 3 layers),
learning_rate (log-uniform 1e-4 to 1e-1), batch_size (16 to 256), epochs (10
to 500), early_stopping, dropout, l2 and l1. Every network gets
``random_state=seed``.

Tables (``--tables``): ``main`` (the judged set: sklearn's digits, wine,
breast cancer, iris and diabetes; a noisy 3-class table (5% flipped labels);
make_friedman1; a 8000-row 4-class table), ``heldout`` (a second, generated
set, other seeds, shapes, noise and classes, reported beside it) and
``dev`` (the tables the search's rules were tuned on; not a measure).

The score table gives each method's mean held-out score over the seeds and,
for the search, its difference to the best tuner (random, halving, Optuna,
Keras Tuner: the defaults are shown but are not a tuner) and the standard
error of the mean held-out score (for accuracy sqrt(p(1 - p) / n_test) per
seed; for R^2 the spread of 200 bootstrap resamples of the test part; over
seeds, the root mean square over sqrt(n_seeds)).

``--equal-fits`` measures the other targets instead: the search with its
default budget, which at 3 folds is 61 fits, against
``RandomizedSearchCV(n_iter=20)`` (61 fits with the refit), in wall seconds.
"""

import argparse
import math
import time
import warnings

import numpy as np
import pandas as pd
from scipy.stats import loguniform, randint
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_circles,
    make_classification,
    make_friedman1,
    make_friedman2,
    make_friedman3,
    make_moons,
    make_regression,
)
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.metrics import check_scoring, r2_score
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    KFold,
    ParameterSampler,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skfit import FitThenRegularizeSearchCV, KerasMLPClassifier, KerasMLPRegressor

CV = 3
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
METHODS = ("defaults", "fit-then-regularize", "random", "halving", "optuna", "keras-tuner")


# -- tables --------------------------------------------------------------------------------
def _noise_columns(X, n, seed):
    rng = np.random.RandomState(seed)
    return np.hstack([X, rng.normal(size=(len(X), n))])


def tables(which):
    """name -> (X, y, task)."""
    c, r = "classification", "regression"
    if which == "main":
        return {
            "digits": (*load_digits(return_X_y=True), c),
            "wine": (*load_wine(return_X_y=True), c),
            "breast_cancer": (*load_breast_cancer(return_X_y=True), c),
            "iris": (*load_iris(return_X_y=True), c),
            "diabetes": (*load_diabetes(return_X_y=True), r),
            "noisy_3class": (*make_classification(
                n_samples=1000, n_features=20, n_informative=6, n_redundant=4, n_classes=3,
                flip_y=0.05, random_state=0), c),
            "make_friedman1": (*make_friedman1(n_samples=1000, n_features=10, noise=1.0,
                                               random_state=0), r),
            "large_4class": (*make_classification(
                n_samples=8000, n_features=30, n_informative=10, n_redundant=5, n_classes=4,
                flip_y=0.02, random_state=0), c),
        }
    if which == "heldout":
        X_m, y_m = make_moons(n_samples=1500, noise=0.3, random_state=15)
        return {
            "binary_imbalanced": (*make_classification(
                n_samples=600, n_features=15, n_informative=5, n_classes=2, weights=[0.7, 0.3],
                flip_y=0.1, random_state=11), c),
            "six_class": (*make_classification(
                n_samples=2500, n_features=40, n_informative=12, n_classes=6, flip_y=0.03,
                class_sep=0.9, random_state=12), c),
            "linear_regression": (*make_regression(
                n_samples=800, n_features=25, n_informative=8, noise=20.0, random_state=13), r),
            "friedman2": (*make_friedman2(n_samples=1200, noise=30.0, random_state=14), r),
            "moons_noise": (_noise_columns(X_m, 8, 15), y_m, c),
        }
    X_ci, y_ci = make_circles(n_samples=1000, noise=0.15, factor=0.5, random_state=106)
    return {  # dev: the tables the rules were tried on
        "dev_3class": (*make_classification(
            n_samples=700, n_features=30, n_informative=6, n_classes=3, flip_y=0.05,
            random_state=101), c),
        "dev_5class": (*make_classification(
            n_samples=1500, n_features=40, n_informative=10, n_classes=5, flip_y=0.1,
            class_sep=0.8, random_state=102), c),
        "dev_friedman1": (*make_friedman1(n_samples=600, noise=2.0, random_state=104), r),
        "dev_friedman3": (*make_friedman3(n_samples=1000, noise=0.1, random_state=105), r),
        "dev_circles": (_noise_columns(X_ci, 6, 106), y_ci, c),
    }


# -- methods -------------------------------------------------------------------------------
def make_model(task, seed):
    network = KerasMLPClassifier if task == "classification" else KerasMLPRegressor
    return Pipeline([("scale", StandardScaler()), ("mlp", network(random_state=seed))])


def folds_of(task, seed):
    if task == "classification":
        return StratifiedKFold(CV, shuffle=True, random_state=seed)
    return KFold(CV, shuffle=True, random_state=seed)


def mlp_space():
    return {f"mlp__{key}": value for key, value in SPACE.items()}


def run_defaults(task, X, y, seed, seconds):
    return make_model(task, seed).fit(X, y), {"fits": 1}


def run_search(task, X, y, seed, seconds, max_fits=None):
    extra = {} if max_fits is None else {"max_fits": max_fits}
    search = FitThenRegularizeSearchCV(make_model(task, seed), cv=folds_of(task, seed),
                                       random_state=seed, **extra)
    search.fit(X, y)
    return search, {"fits": search.n_fits_, "configurations": len(search.path_.candidates)}


class OutOfTime(Exception):
    """The method's wall-clock budget ran out in the middle of a fit."""


def fit_by(model, X, y, deadline, chunks=4):
    """Fit ``model`` (a Pipeline ending in a skfit MLP) in ``chunks`` parts of its epochs
    (warm start: the parts make one fit), raising OutOfTime when ``deadline`` passes first,
    so that no method runs past its budget by more than a part of one fit."""
    model = clone(model)
    epochs = model.get_params()["mlp__epochs"]
    part, done = max(1, math.ceil(epochs / chunks)), 0
    model.set_params(mlp__warm_start=True)
    while done < epochs:
        if time.perf_counter() > deadline:
            raise OutOfTime
        asked = min(part, epochs - done)
        model.set_params(mlp__epochs=asked).fit(X, y)
        if model[-1].n_epochs_ < done + asked:  # early stopping ended it
            break
        done += asked
    return model


def _cv_scores(model, X, y, folds, scorer, deadline=math.inf):
    scores = []
    for train, test in folds:
        try:
            fitted = fit_by(model, X[train], y[train], deadline)
            scores.append(scorer(fitted, X[test], y[test]))
        except OutOfTime:
            raise
        except Exception:
            scores.append(math.nan)
    return np.array(scores)


def run_random(task, X, y, seed, seconds):
    model, scorer = make_model(task, seed), check_scoring(make_model(task, seed), None)
    folds = list(folds_of(task, seed).split(X, y))
    deadline, best, n = time.perf_counter() + seconds, (-math.inf, None), 0
    for params in ParameterSampler(mlp_space(), n_iter=10**6, random_state=seed):
        try:
            scores = _cv_scores(clone(model).set_params(**params), X, y, folds, scorer, deadline)
        except OutOfTime:
            break
        n += 1
        if np.isfinite(scores).all() and scores.mean() > best[0]:
            best = (scores.mean(), params)
    final = clone(model).set_params(**(best[1] or {})).fit(X, y)
    return final, {"fits": n * CV + 1, "configurations": n}


def halving_candidates(n_train, n_splits, n_classes, max_fits):
    """The most candidates whose halving fits (refit included) stay within ``max_fits``,
    with sklearn's rules for ``min_resources="exhaust"``."""
    best = 1
    for n_candidates in range(1, max_fits):
        smallest = n_splits * 2 * max(1, n_classes)
        required = 1 + math.floor(math.log(n_candidates, FACTOR))
        min_resources = max(smallest, n_train // FACTOR ** (required - 1))
        possible = 1 + math.floor(math.log(max(1, n_train // min_resources), FACTOR))
        remaining, fits = n_candidates, 1
        for _ in range(min(possible, required)):
            fits += remaining * n_splits
            remaining = math.ceil(remaining / FACTOR)
        if fits <= max_fits:
            best = n_candidates
    return best


def run_halving(task, X, y, seed, seconds, fits):
    n_classes = len(np.unique(y)) if task == "classification" else 0
    n_candidates = halving_candidates(len(y), CV, n_classes, max(fits, 2 * CV + 1))
    search = HalvingRandomSearchCV(make_model(task, seed), mlp_space(), n_candidates=n_candidates,
                                   factor=FACTOR, cv=folds_of(task, seed), random_state=seed,
                                   error_score=np.nan)
    search.fit(X, y)
    return search, {"fits": sum(search.n_candidates_) * CV + 1,
                    "configurations": n_candidates}


def run_optuna(task, X, y, seed, seconds):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    model, scorer = make_model(task, seed), check_scoring(make_model(task, seed), None)
    folds = list(folds_of(task, seed).split(X, y))
    sizes = [str(s) for s in SPACE["hidden_layer_sizes"]]

    def params_of(trial):
        return {
            "mlp__hidden_layer_sizes": eval(trial.suggest_categorical("hidden_layer_sizes", sizes)),
            "mlp__learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True),
            "mlp__batch_size": trial.suggest_categorical("batch_size", SPACE["batch_size"]),
            "mlp__epochs": trial.suggest_int("epochs", 10, 500),
            "mlp__early_stopping": trial.suggest_categorical("early_stopping", [False, True]),
            "mlp__dropout": trial.suggest_categorical("dropout", [0.0, 0.1, 0.2, 0.3, 0.5]),
            "mlp__l2": trial.suggest_categorical("l2", [0.0, 1e-5, 1e-4, 1e-3, 1e-2]),
            "mlp__l1": trial.suggest_categorical("l1", [0.0, 1e-5, 1e-4, 1e-3]),
        }

    deadline = time.perf_counter() + seconds

    def objective(trial):
        candidate = clone(model).set_params(**params_of(trial))
        scores = []
        for k, (train, test) in enumerate(folds):
            try:
                fitted = fit_by(candidate, X[train], y[train], deadline)
                scores.append(scorer(fitted, X[test], y[test]))
            except OutOfTime:
                study.stop()
                raise optuna.TrialPruned()
            except Exception:
                raise optuna.TrialPruned()
            trial.report(float(np.mean(scores)), k)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return float(np.mean(scores))

    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=5))
    study.optimize(objective, timeout=seconds, catch=(Exception,))
    completed = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    params = params_of(study.best_trial) if completed else {}
    final = clone(model).set_params(**params).fit(X, y)
    fits = sum(len(t.intermediate_values) for t in study.trials) + 1
    return final, {"fits": fits, "configurations": len(study.trials)}


class _KerasTunerModel:
    """A Keras Tuner result as a fitted model: standardizes X (and y), predicts, scores."""

    def __init__(self, model, scaler, task, y_scale):
        self.model, self.scaler, self.task, self.y_scale = model, scaler, task, y_scale

    def predict(self, X):
        outputs = self.model.predict(self.scaler.transform(X).astype("float32"), verbose=0)
        if self.task == "classification":
            return self.classes[np.argmax(outputs, axis=1)]
        return outputs.ravel() * self.y_scale[1] + self.y_scale[0]

    def score(self, X, y):
        predictions = self.predict(X)
        if self.task == "classification":
            return float(np.mean(predictions == y))
        return r2_score(y, predictions)


def run_keras_tuner(task, X, y, seed, seconds):
    import keras
    import keras_tuner
    import tempfile

    keras.utils.set_random_seed(seed)
    scaler = StandardScaler().fit(X)
    Xs = scaler.transform(X).astype("float32")
    classes = np.unique(y) if task == "classification" else None
    if task == "classification":
        target, y_scale, n_out = np.searchsorted(classes, y), None, len(classes)
    else:
        y_scale = (float(np.mean(y)), float(np.std(y)) or 1.0)
        target, n_out = ((y - y_scale[0]) / y_scale[1]).astype("float32"), 1
    order = np.random.RandomState(seed).permutation(len(y))
    Xs, target = Xs[order], target[order]
    sizes = [str(s) for s in SPACE["hidden_layer_sizes"]]
    deadline = time.perf_counter() + seconds

    class HyperModel(keras_tuner.HyperModel):
        def build(self, hp):
            l1 = hp.Choice("l1", [0.0, 1e-5, 1e-4, 1e-3])
            l2 = hp.Choice("l2", [0.0, 1e-5, 1e-4, 1e-3, 1e-2])
            dropout = hp.Choice("dropout", [0.0, 0.1, 0.2, 0.3, 0.5])
            regularizer = keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None
            layers = [keras.Input((Xs.shape[1],))]
            for units in eval(hp.Choice("hidden_layer_sizes", sizes)):
                layers.append(keras.layers.Dense(units, activation="relu",
                                                 kernel_regularizer=regularizer))
                if dropout:
                    layers.append(keras.layers.Dropout(dropout))
            classify = task == "classification"
            layers.append(keras.layers.Dense(n_out, activation="softmax" if classify else None))
            model = keras.Sequential(layers)
            rate = hp.Float("learning_rate", 1e-4, 1e-1, sampling="log")
            optimizer = {"rmsprop": keras.optimizers.RMSprop,
                         "adam": keras.optimizers.Adam}[hp.Choice("optimizer", ["rmsprop", "adam"])]
            model.compile(optimizer=optimizer(rate),
                          loss="sparse_categorical_crossentropy" if classify else "mse",
                          metrics=["accuracy"] if classify else [])
            return model

        def fit(self, hp, model, *args, **kwargs):
            return model.fit(*args, batch_size=hp.Choice("batch_size", SPACE["batch_size"]),
                             **kwargs)

    class Deadline(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if time.perf_counter() > deadline:
                self.model.stop_training = True

    class Stop(Exception):
        pass

    class TimedHyperband(keras_tuner.Hyperband):
        def pre_create_trial(self):
            if time.perf_counter() > deadline:
                raise Stop

    with tempfile.TemporaryDirectory() as directory:
        tuner = TimedHyperband(HyperModel(), objective="val_loss", max_epochs=243,
                               factor=FACTOR, seed=seed, directory=directory,
                               project_name="bench", overwrite=True)
        try:
            tuner.search(Xs, target, validation_split=0.25, verbose=0, callbacks=[Deadline()])
        except Stop:
            pass
        trials = [t for t in tuner.oracle.trials.values() if t.score is not None]
        best = tuner.get_best_hyperparameters(1)[0]
        epochs = int(best.values.get("tuner/epochs", 10))
        model = HyperModel().build(best)
        model.fit(Xs, target, epochs=epochs, batch_size=best.get("batch_size"), verbose=0)
    result = _KerasTunerModel(model, scaler, task, y_scale)
    result.classes = classes
    return result, {"fits": len(trials) + 1, "configurations": len(trials)}


def run_method(method, task, X, y, seed, seconds, fits):
    runners = {"defaults": run_defaults, "fit-then-regularize": run_search,
               "random": run_random, "optuna": run_optuna, "keras-tuner": run_keras_tuner}
    if method == "halving":
        return run_halving(task, X, y, seed, seconds, fits)
    return runners[method](task, X, y, seed, seconds)


# -- scoring -------------------------------------------------------------------------------
def noise(task, y_test, predictions, score, rng):
    if task == "classification":
        return math.sqrt(max(score * (1 - score), 1e-12) / len(y_test))
    rows = [rng.randint(0, len(y_test), len(y_test)) for _ in range(200)]
    return float(np.std([r2_score(y_test[r], predictions[r]) for r in rows]))


def split(X, y, task, seed):
    stratify = y if task == "classification" else None
    return train_test_split(X, y, test_size=0.25, stratify=stratify, random_state=seed)


def score_table(rows, methods):
    frame = pd.DataFrame(rows)
    means = frame.groupby(["table", "method"], sort=False)["test_score"].mean().unstack()
    means = means[[m for m in methods if m in means.columns]]
    noise_sq = frame.assign(v=frame["noise"] ** 2).groupby(["table", "method"], sort=False)["v"]
    n_seeds = frame.groupby(["table", "method"], sort=False)["seed"].nunique()
    se = (np.sqrt(noise_sq.mean()) / np.sqrt(n_seeds)).unstack()
    table = means.copy()
    # the target compares with the tuners; the defaults (no search) are shown beside them
    others = [m for m in means.columns if m not in ("fit-then-regularize", "defaults")]
    if "fit-then-regularize" in means.columns and others:
        best_other = means[others].max(axis=1)
        table["best tuner"] = means[others].idxmax(axis=1)
        table["ftr - best tuner"] = means["fit-then-regularize"] - best_other
        table["1 se"] = se["fit-then-regularize"]
        table["at least as high"] = table["ftr - best tuner"] >= 0
        table["within 1 se"] = table["ftr - best tuner"] >= -table["1 se"]
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="main", choices=["main", "heldout", "dev"])
    parser.add_argument("--only", nargs="+", default=None, help="table names to run")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--csv", default=None, help="also write every run's row here")
    parser.add_argument("--equal-fits", action="store_true",
                        help="wall time at max_fits=61 against RandomizedSearchCV(n_iter=20)")
    args = parser.parse_args()
    data = tables(args.tables)
    if args.only:
        data = {name: data[name] for name in args.only}
    warnings.simplefilter("ignore")
    if args.equal_fits:
        return equal_fits(data, args.seeds)
    rows = []
    for name, (X, y, task) in data.items():
        for seed in args.seeds:
            X_train, X_test, y_train, y_test = split(X, y, task, seed)
            seconds, fits = None, None
            for method in ["fit-then-regularize", *[m for m in args.methods
                                                    if m != "fit-then-regularize"]]:
                if method not in args.methods and method != "fit-then-regularize":
                    continue
                start = time.perf_counter()
                fitted, info = run_method(method, task, X_train, y_train, seed, seconds, fits)
                elapsed = time.perf_counter() - start
                if method == "fit-then-regularize":
                    seconds = elapsed
                if method == "random":
                    fits = info["fits"]
                elif fits is None and method == "halving":
                    fits = 61
                predictions = fitted.predict(X_test)
                score = fitted.score(X_test, y_test)
                rows.append({"table": name, "seed": seed, "method": method, "test_score": score,
                             "seconds": elapsed, "noise": noise(task, y_test, predictions, score,
                                                                np.random.RandomState(seed)),
                             **info})
                print(f"{name} seed {seed} {method}: test {score:.4f}, {info.get('fits')} fits, "
                      f"{info.get('configurations', 1)} configurations, {elapsed:.1f} s",
                      flush=True)
    frame = pd.DataFrame(rows)
    if args.csv:
        frame.to_csv(args.csv, index=False)
    methods = [m for m in METHODS if m in set(frame["method"])]
    pd.set_option("display.width", 250)
    print(f"\nHeld-out score (accuracy or R^2), mean over seeds {args.seeds}; every method "
          f"given the search's wall time (tables: {args.tables})")
    table = score_table(rows, methods)
    print(table.to_string(float_format="{:.4f}".format))
    if "at least as high" in table:
        print(f"\nfit-then-regularize at least as high as the best tuner on "
              f"{int(table['at least as high'].sum())} of {len(table)} tables, within one "
              f"standard error on {int(table['within 1 se'].sum())} of {len(table)}")
    print("\nWall seconds, mean over seeds")
    print(frame.groupby(["table", "method"], sort=False)["seconds"].mean().unstack()[methods]
          .to_string(float_format="{:.1f}".format))
    print("\nConfigurations tried, mean over seeds")
    print(frame.groupby(["table", "method"], sort=False)["configurations"].mean().unstack()
          [methods].to_string(float_format="{:.0f}".format))


def equal_fits(data, seeds):
    rows = []
    for name, (X, y, task) in data.items():
        for seed in seeds:
            X_train, X_test, y_train, y_test = split(X, y, task, seed)
            runs = {  # 3-fold: the default budget is 20 * 3 + 1 = 61 fits, random's too
                "search, default budget (61 fits)": lambda: run_search(task, X_train, y_train,
                                                                       seed, None),
                "RandomizedSearchCV(n_iter=20)": lambda: (RandomizedSearchCV(
                    make_model(task, seed), mlp_space(), n_iter=20, cv=folds_of(task, seed),
                    random_state=seed, error_score=np.nan).fit(X_train, y_train), {"fits": 61}),
            }
            for method, run in runs.items():
                start = time.perf_counter()
                fitted, info = run()
                elapsed = time.perf_counter() - start
                rows.append({"table": name, "seed": seed, "method": method, "seconds": elapsed,
                             "fits": info["fits"],
                             "test_score": fitted.score(X_test, y_test)})
                print(f"{name} seed {seed} {method}: {elapsed:.1f} s, {info['fits']} fits, "
                      f"test {rows[-1]['test_score']:.4f}", flush=True)
    frame = pd.DataFrame(rows)
    seconds = frame.groupby(["table", "method"], sort=False)["seconds"].mean().unstack()
    seconds["search / random"] = (seconds["search, default budget (61 fits)"]
                                  / seconds["RandomizedSearchCV(n_iter=20)"])
    pd.set_option("display.width", 250)
    print(f"\nWall seconds, mean over seeds {seeds}")
    print(seconds.to_string(float_format="{:.2f}".format))


if __name__ == "__main__":
    main()
