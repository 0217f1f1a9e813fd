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
from sklearn.base import clone

from ..diagnostics._curves import training_failure
from ..diagnostics._history import check_history
from ..utils.fixes import _safe_indexing

__all__ = ["FoldFit", "fit_fold", "mean_curve"]


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
        return np.nanmean(np.where(np.isfinite(padded), padded, np.nan), axis=0)
