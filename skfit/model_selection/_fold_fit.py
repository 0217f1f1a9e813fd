"""Fit one configuration on one split, keep its history and its test score.

The unit of work of the tools that compare configurations on shared folds
(:func:`~skfit.model_selection.capacity_sweep`,
:func:`~skfit.model_selection.learning_rate_sweep`,
:class:`~skfit.model_selection.FitThenRegularizeSearchCV`): each runs many of
these, in parallel with joblib, and reads the curves they return.
"""

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone

from ..diagnostics._curves import finite, training_failure
from ..diagnostics._history import check_history
from ..utils.fixes import _safe_indexing

__all__ = ["FoldFit", "fit_fold", "fit_on_folds", "mean_curve"]


@dataclass(frozen=True)
class FoldFit:
    """What one fit on one split gives: its history, test score and times (seconds)."""

    history: dict
    score: float
    fit_time: float
    score_time: float


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
    start = time.perf_counter()
    if not np.isfinite(history["loss"]).all():  # diverged: its weights predict nothing
        score = math.nan
    else:
        try:
            score = float(scorer(estimator, _safe_indexing(X, test), _safe_indexing(y, test)))
        except Exception:
            if training_failure(np.asarray(history["loss"], float)) is None:
                raise
            score = math.nan
    return FoldFit(history, score, fit_time, time.perf_counter() - start)


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


def mean_curve(curves):
    """Mean over folds, epoch by epoch; folds that stopped early drop out.

    Non-finite values are left out of the mean; an epoch without any finite
    value is NaN.
    """
    padded = np.full((len(curves), max(map(len, curves))), np.nan)
    for row, curve in zip(padded, curves):
        row[: len(curve)] = curve
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN epoch gives NaN
        return np.nanmean(finite(padded), axis=0)
