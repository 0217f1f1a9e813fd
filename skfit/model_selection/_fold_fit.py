"""Fit one configuration on one split, keep its history and its test score.

The unit of work of the tools that compare configurations on shared folds
(:func:`~skfit.model_selection.capacity_sweep`,
:func:`~skfit.model_selection.learning_rate_sweep`,
:class:`~skfit.model_selection.FitThenRegularizeSearchCV`): each runs many of
these, in parallel with joblib, and reads the curves they return.
"""

import math
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone

from ..diagnostics._curves import finite, training_failure
from ..diagnostics._history import check_history
from ..utils.fixes import _safe_indexing

__all__ = ["FoldFit", "FoldRun", "can_continue", "fit_fold", "fit_on_folds", "mean_curve",
           "run_fold"]


@dataclass(frozen=True)
class FoldFit:
    """What one fit on one split gives: its history, test score and times (seconds)."""

    history: dict
    score: float
    fit_time: float
    score_time: float


@dataclass
class FoldRun:
    """One configuration's training on one split, which later rounds may continue.

    Attributes
    ----------
    model : estimator object
        The fitted clone (with the restored best weights when it early-stopped).
    history : dict
        Its history so far (metric -> list, one value per epoch).
    score : float
        Its test score now (NaN when training diverged).
    fit_time, score_time : float
        Seconds spent training (every round) and scoring (the last one).
    n_epochs : int
        Epochs run so far.
    finished : bool
        Whether training ended for good: early stopping stopped it, it
        diverged, or it cannot be continued.
    """

    model: object
    history: dict
    score: float
    fit_time: float
    score_time: float
    n_epochs: int
    finished: bool


def can_continue(estimator):
    """Whether a fitted ``estimator`` can train on with ``warm_start``: one of skfit's Keras
    estimators, or a Pipeline ending in one (its other steps are refit-free transforms)."""
    from sklearn.pipeline import Pipeline

    while isinstance(estimator, Pipeline):
        estimator = estimator.steps[-1][1]
    skfit_keras = sys.modules.get("skfit.keras._base")
    return skfit_keras is not None and isinstance(estimator, skfit_keras.BaseKerasEstimator)


def run_fold(run, estimator, X, y, train, test, params, scorer, epochs, epochs_name):
    """Train ``epochs`` more epochs on one split, from ``run`` (None: a fresh clone of
    ``estimator`` with ``params``), and score the result on the test part.

    A continued run trains on with ``warm_start`` (early stopping's best epoch
    and wait carried over), so that rounds of a few epochs each give the fit
    one longer run would; it takes ``params`` again first, so that a fit taken
    up with more room also gets that room's patience. ``epochs_name`` is the
    parameter that sets the epochs (with a Pipeline's prefix).

    Returns
    -------
    run : FoldRun
    """
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    start = time.perf_counter()
    if run is None:
        model = clone(estimator).set_params(**{**params, epochs_name: epochs})
        model.fit(X_train, y_train)
        before, fit_time = 0, 0.0
    else:
        model, before, fit_time = run.model, run.n_epochs, run.fit_time
        model.set_params(**{name: value for name, value in params.items() if name != epochs_name})
        _train_on(model, X_train, y_train, epochs)
    fit_time += time.perf_counter() - start
    history = {key: values.tolist() for key, values in check_history(model).items()}
    n_epochs = len(history["loss"])
    score, score_time = _score(model, history, X, y, test, scorer)
    finished = (n_epochs < before + epochs or not math.isfinite(score)
                or not can_continue(model))
    return FoldRun(model, history, score, fit_time, score_time, n_epochs, finished)


def _train_on(model, X, y, epochs):
    """Continue training a fitted ``model`` (see :func:`can_continue`) for ``epochs``."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        if len(model.steps) > 1:
            X = model[:-1].transform(X)
        _train_on(model.steps[-1][1], X, y, epochs)
        return
    model.set_params(warm_start=True, epochs=epochs).fit(X, y)


def _score(model, history, X, y, test, scorer):
    """``(score, seconds)`` of a fitted model on the test part: NaN when it diverged (its
    weights predict nothing) or, when its training failed, when it refuses to predict."""
    start = time.perf_counter()
    if not np.isfinite(history["loss"]).all():
        score = math.nan
    else:
        try:
            score = float(scorer(model, _safe_indexing(X, test), _safe_indexing(y, test)))
        except Exception:
            if training_failure(np.asarray(history["loss"], float)) is None:
                raise
            score = math.nan
    return score, time.perf_counter() - start


def fit_fold(estimator, X, y, train, test, params, scorer):
    """Fit a clone of ``estimator`` with ``params`` on ``train``, score it on ``test``.

    A fit whose training loss is no longer finite (it diverged) scores NaN:
    its weights predict nothing. A network whose training failed may also
    refuse to predict; tools that compare configurations expect some to
    fail (that is what they look for), so only those may, with a NaN score.

    Returns
    -------
    fold_fit : FoldFit
        ``history`` holds plain lists (metric -> one value per epoch).
    """
    start = time.perf_counter()
    estimator = clone(estimator).set_params(**params)
    estimator.fit(_safe_indexing(X, train), _safe_indexing(y, train))
    fit_time = time.perf_counter() - start
    history = {key: values.tolist() for key, values in check_history(estimator).items()}
    score, score_time = _score(estimator, history, X, y, test, scorer)
    return FoldFit(history, score, fit_time, score_time)


def fit_on_folds(estimator, X, y, folds, param_sets, scorer, n_jobs, on_fit):
    """:func:`fit_fold` for every one of ``param_sets`` on every one of ``folds``.

    The fits run in parallel with joblib (``n_jobs``); ``on_fit(i, k, fold_fit)``
    is called as each ends, in order (parameter set ``i``, fold ``k``), so that
    progress shows while they run.

    Returns
    -------
    fits : list of list of FoldFit
        One list per parameter set, one FoldFit per fold.
    """
    jobs = [(i, k) for i in range(len(param_sets)) for k in range(len(folds))]
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(fit_fold)(estimator, X, y, *folds[k], param_sets[i], scorer) for i, k in jobs
    )
    fits = [[] for _ in param_sets]
    for (i, k), fold_fit in zip(jobs, results):
        fits[i].append(fold_fit)
        on_fit(i, k, fold_fit)
    return fits


def mean_curve(curves, hold_last=False):
    """Mean over folds, epoch by epoch; folds that stopped early drop out, or, with
    ``hold_last``, count with their last value (so that the mean does not jump where one
    stops: early stopping ended it there, it would not have come down).

    Non-finite values are left out of the mean; an epoch without any finite
    value is NaN.
    """
    padded = np.full((len(curves), max(map(len, curves))), np.nan)
    for row, curve in zip(padded, curves):
        row[: len(curve)] = curve
        if hold_last and len(curve):
            row[len(curve):] = curve[-1]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN epoch gives NaN
        return np.nanmean(finite(padded), axis=0)
