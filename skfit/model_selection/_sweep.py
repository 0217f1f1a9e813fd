"""Sweep capacity or learning rate on fixed folds, keep every curve, recommend a value."""

import dataclasses
import difflib
import functools
import math
import warnings
from collections import Counter
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils import indexable

from ..diagnostics._curves import training_failure
from ..diagnostics._diagnose import diagnose
from ..diagnostics._diagnosis import STATUSES as DIAGNOSIS_STATUSES
from ..utils._docstrings import PARAMETERS
from ..utils._estimators import estimator_kind, final_estimator, final_param_name
from ..utils._progress import FitProgress
from ..utils._results import Result
from ..utils.fixes import HasMethods, StrOptions, validate_params
from ._fold_fit import fit_on_folds, mean_curve

__all__ = ["capacity_sweep", "learning_rate_sweep", "SweepResult"]

_RULES = {
    "capacity": "the smallest value whose mean lowest validation loss is within one "
                "standard error of the best",
    "learning_rate": "the largest value that trains stably on every fold",
}


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class SweepResult(Result):
    """Every curve of a sweep, and the value it recommends.

    Returned by :func:`capacity_sweep` and :func:`learning_rate_sweep`. It
    speaks skfit's results protocol: a one-line ``repr``, ``summary()``
    (also what ``print`` shows), ``to_dict()``, ``to_frame()`` and
    ``plot()``.

    Each fit gets a status (``statuses``, and the most common one per
    value in ``to_frame()["status"]``), one of:

    - the :func:`~skfit.diagnostics.diagnose` verdicts ``"not_training"``,
      ``"not_generalizing"``, ``"underfitting"``, ``"overfitting"`` and
      ``"good_fit"``;
    - ``"no_validation"``: the fit trains, but its history has no usable
      validation curve (no ``val_loss``, or no finite value in it), so
      nothing more can be read;
    - ``"too_short"``: a single epoch, finite: too short to tell whether
      the model trains.

    Parameters
    ----------
    kind : {"capacity", "learning_rate"}
        Which sweep, hence which recommendation rule.
    param_name : str
        The swept parameter.
    values : list
        The swept values, in the order given.
    histories : list of list of dict
        ``histories[i][k]``: the ``history_`` (metric -> per-epoch list) of
        value ``i`` fitted on fold ``k``.
    test_scores : ndarray of shape (n_values, n_folds)
        Score of each fitted estimator on its fold's test part.
    recommended : object
        The recommended value; None when no value qualifies.

    Attributes
    ----------
    STATUSES : tuple of str
        Every status a fit can get.
    rule : str
        How the recommended value was chosen.
    min_val_loss : ndarray of shape (n_values, n_folds)
        Lowest validation loss of each fit (NaN without a validation curve).
    trains : ndarray of shape (n_values, n_folds) of bool
        Whether each fit's training loss decreased and stayed finite.
    statuses : list of list of str
        The status of each fit.

    See Also
    --------
    capacity_sweep : Sweep the model size.
    learning_rate_sweep : Sweep the learning rate.

    Examples
    --------
    >>> from skfit.model_selection import SweepResult
    >>> import numpy as np
    >>> curves = {"loss": [1.0, 0.6, 0.4, 0.3], "val_loss": [1.0, 0.7, 0.5, 0.45]}
    >>> result = SweepResult("capacity", "hidden_layer_sizes", [(8,)], [[curves]],
    ...                      np.array([[0.9]]), (8,))
    >>> result
    SweepResult(param_name='hidden_layer_sizes', values=[(8,)], n_folds=1, recommended=(8,))
    """

    kind: str
    param_name: str
    values: list
    histories: list
    test_scores: np.ndarray
    recommended: object

    STATUSES = (*DIAGNOSIS_STATUSES, "no_validation", "too_short")

    @property
    def rule(self):
        return _RULES[self.kind]

    @functools.cached_property
    def min_val_loss(self):
        return np.array([[_min_val_loss(h) for h in row] for row in self.histories])

    @functools.cached_property
    def trains(self):
        return np.array(
            [[training_failure(np.asarray(h["loss"], float)) is None for h in row]
             for row in self.histories]
        )

    @functools.cached_property
    def statuses(self):
        return [[_status(h) for h in row] for row in self.histories]

    def to_frame(self):
        """One row per swept value, averaged over folds.

        Returns
        -------
        frame : pandas.DataFrame
            Index: the values (as text). Columns: ``mean_min_val_loss``,
            ``sem_min_val_loss``, ``mean_best_epoch``, ``mean_test_score``,
            ``std_test_score``, ``folds_training`` (folds whose training loss
            fell), ``status`` (most common status) and ``recommended``.
        """
        losses = self.min_val_loss
        best_epochs = np.array([[_best_epoch(h) for h in row] for row in self.histories],
                               dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN
            frame = pd.DataFrame(
                {
                    "mean_min_val_loss": np.nanmean(losses, axis=1),
                    "sem_min_val_loss": [_sem(row) for row in losses],
                    "mean_best_epoch": np.nanmean(best_epochs, axis=1),
                    "mean_test_score": self.test_scores.mean(axis=1),
                    "std_test_score": self.test_scores.std(axis=1),
                    "folds_training": self.trains.sum(axis=1),
                    "status": [Counter(row).most_common(1)[0][0] for row in self.statuses],
                    "recommended": [_same(value, self.recommended) for value in self.values],
                },
                index=pd.Index([str(value) for value in self.values], name=self.param_name),
            )
        return frame

    @PARAMETERS
    def plot(self, ax=None):
        """Plot the mean curve (over folds) of every value on one axis.

        Capacity sweeps show the validation loss, learning-rate sweeps the
        training loss, on a log scale; each curve's best epoch is marked.

        Parameters
        ----------
        %(ax)s

        Returns
        -------
        display : skfit.diagnostics.LossCurveDisplay
            The drawn display (``figure_``, ``ax_``, ``lines_``), on a log
            scale when every loss is positive.
        """
        from ..diagnostics._display import LossCurveDisplay

        metric = "val_loss" if self.kind == "capacity" else "loss"
        curves = {
            str(value): {metric: mean_curve([h[metric] for h in row])}
            for value, row in zip(self.values, self.histories)
        }
        display = LossCurveDisplay.from_histories(curves, metrics=(metric,), ax=ax)
        if all((np.asarray(c[metric])[np.isfinite(c[metric])] > 0).all() for c in curves.values()):
            display.ax_.set_yscale("log")
        display.ax_.set_title(
            f"{self.param_name} sweep, mean of {self.test_scores.shape[1]} folds: "
            f"recommended {self.recommended}"
        )
        return display

    def _repr_fields(self):
        return {"param_name": self.param_name, "values": self.values,
                "n_folds": self.test_scores.shape[1], "recommended": self.recommended}

    def _summary_lines(self):
        verdict = (f"recommended {self.param_name}={self.recommended!r}"
                   if self.recommended is not None else "no value qualifies")
        return [
            f"{self.param_name} sweep, {len(self.values)} values x "
            f"{self.test_scores.shape[1]} folds: {verdict} ({self.rule})",
        ]

    def _content(self):
        frame = self.to_frame()
        return {
            "kind": self.kind,
            "param_name": self.param_name,
            "values": self.values,
            "recommended": self.recommended,
            "rule": self.rule,
            "test_scores": self.test_scores,
            "min_val_loss": self.min_val_loss,
            "trains": self.trains,
            "statuses": self.statuses,
            "per_value": {column: frame[column].tolist() for column in frame.columns},
            "histories": self.histories,
        }


def _min_val_loss(history):
    values = np.asarray(history.get("val_loss", [math.nan]), dtype=float)
    finite = values[np.isfinite(values)]
    return float(finite.min()) if finite.size else math.nan


def _best_epoch(history):
    values = np.asarray(history.get("val_loss", history["loss"]), dtype=float)
    values = np.where(np.isfinite(values), values, np.inf)
    return int(np.argmin(values)) + 1 if np.isfinite(values).any() else math.nan


def _status(history):
    """The fit's diagnosis; "too_short" or "no_validation" where diagnose cannot read on."""
    loss = np.asarray(history["loss"], float)
    if training_failure(loss) is not None:
        return "not_training"
    if len(loss) < 2:
        return "too_short"
    if not np.isfinite(np.asarray(history.get("val_loss", [math.nan]), float)).any():
        return "no_validation"
    return diagnose(history).status


def _sem(values):
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    return float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else 0.0


def _same(value, other):
    return other is not None and str(value) == str(other)


def _recommend_capacity(values, min_val_loss):
    losses = np.where(np.isnan(min_val_loss), np.inf, min_val_loss)
    means = losses.mean(axis=1)
    best = int(np.argmin(means))
    if not np.isfinite(means[best]):
        return None
    ceiling = means[best] + _sem(losses[best])
    return values[int(np.flatnonzero(means <= ceiling)[0])]


def _recommend_learning_rate(values, trains):
    stable = [value for value, row in zip(values, trains) if row.all()]
    return max(stable) if stable else None


def _sweep(kind, estimator, X, y, param_name, values, cv, groups, scoring, n_jobs, verbose):
    learner = final_estimator(estimator)
    target = final_param_name(estimator, param_name)  # a Pipeline's network's parameter
    params = estimator.get_params()
    if target not in params:
        close = difflib.get_close_matches(param_name, learner.get_params(), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"param_name={param_name!r} is not a parameter of {type(learner).__name__}.{hint}"
        )
    values = list(values)
    if not values:
        raise ValueError("values must hold at least one value to sweep; got none.")
    X, y, groups = indexable(X, y, groups)
    classifier = estimator_kind(estimator) == "classifier"  # also scikeras, whose tags are wrong
    folds = list(check_cv(cv, y, classifier=classifier).split(X, y, groups))
    scorer = check_scoring(estimator, scoring)
    with FitProgress(verbose, len(values) * len(folds), f"{kind}_sweep") as progress:
        fits = fit_on_folds(
            estimator, X, y, folds, [{target: value} for value in values], scorer, n_jobs,
            lambda i, k, _: progress.fit_done(
                f"{param_name}={values[i]!r}, split {k + 1}/{len(folds)}"),
        )
    histories = [[fold.history for fold in value_fits] for value_fits in fits]
    scores = np.array([[fold.score for fold in value_fits] for value_fits in fits], dtype=float)
    result = SweepResult(kind, param_name, values, histories, scores, None)
    if kind == "capacity" and not any("val_loss" in h for row in histories for h in row):
        raise ValueError(
            "capacity_sweep compares validation losses, but the fitted histories have no "
            f"'val_loss': give {type(learner).__name__} a validation set "
            "(validation_fraction > 0)."
        )
    if kind == "capacity":
        recommended = _recommend_capacity(values, result.min_val_loss)
    else:
        recommended = _recommend_learning_rate(values, result.trains)
    return dataclasses.replace(result, recommended=recommended)


_COMMON_CONSTRAINTS = {
    "estimator": [HasMethods(["fit", "get_params"])],
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like"],
    "param_name": [str],
    "values": ["array-like"],
    "cv": ["cv_object"],
    "groups": ["array-like", None],
    "scoring": [StrOptions(set(get_scorer_names())), callable, None],
    "n_jobs": [Integral, None],
    "verbose": ["verbose"],
}


_SWEEP_DOC = PARAMETERS.extend(
    estimator="""estimator : estimator object
        The model, or a Pipeline (or ``TransformedTargetRegressor``) ending
        in it: its fit must set ``history_``, the per-epoch curves (skfit's
        Keras estimators, scikeras).""",
    X="""X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.""",
    y="""y : array-like of shape (n_samples,)
        Target.""",
    scoring="""scoring : str or callable, default=None
        Test-fold score; None uses the estimator's ``score``.""",
)


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=False)
@_SWEEP_DOC
def capacity_sweep(
    estimator,
    X,
    y,
    *,
    param_name="hidden_layer_sizes",
    values,
    cv=None,
    groups=None,
    scoring=None,
    n_jobs=None,
    verbose=0,
):
    """Fit each model size on the same folds and find where returns diminish.

    Start small and grow the model until the validation loss stops
    improving: every value is cloned, set and fitted on every fold (the
    folds are drawn once), and each fit's ``history_`` is kept. The
    recommended value is the smallest whose mean lowest validation loss
    (over folds) is within one standard error of the best value's.

    Parameters
    ----------
    %(estimator)s
        The history needs a ``"val_loss"`` curve (``validation_fraction > 0``).
    %(X)s
    %(y)s
    param_name : str, default="hidden_layer_sizes"
        The capacity parameter; for a Pipeline, the final step's name for
        it works too (without the step prefix).
    values : list
        Values of ``param_name``, from the smallest to the largest model.
    %(cv)s
    %(groups)s
    %(scoring)s
    %(n_jobs)s
    %(verbose)s

    Returns
    -------
    result : SweepResult
        ``histories``, ``test_scores``, ``recommended``; ``to_frame()`` and
        ``plot()``.

    See Also
    --------
    learning_rate_sweep : The same protocol for the learning rate.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfit import KerasMLPClassifier
    >>> from skfit.model_selection import capacity_sweep
    >>> X, y = load_digits(return_X_y=True)
    >>> model = KerasMLPClassifier(epochs=10, random_state=0)
    >>> result = capacity_sweep(model, X / 16, y, values=[(), (16,), (64,)], cv=3)
    >>> result.to_frame().shape
    (3, 8)
    """
    return _sweep(
        "capacity", estimator, X, y, param_name, values, cv, groups, scoring, n_jobs, verbose
    )


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=False)
@_SWEEP_DOC
def learning_rate_sweep(
    estimator,
    X,
    y,
    *,
    values,
    param_name="learning_rate",
    cv=None,
    groups=None,
    scoring=None,
    n_jobs=None,
    verbose=0,
):
    """Fit each learning rate on the same folds and keep the largest that trains.

    A learning rate that is too high stalls or blows up the training loss;
    one that is too low wastes epochs. Every value is cloned, set and
    fitted on every fold (the folds are drawn once), each ``history_`` is
    kept, and the recommended value is the largest whose training loss
    falls and stays finite on every fold (the ``"not_training"`` check of
    :func:`~skfit.diagnostics.diagnose`).

    Parameters
    ----------
    %(estimator)s
    %(X)s
    %(y)s
    values : list of float
        Learning rates to try, each > 0.
    param_name : str, default="learning_rate"
        The learning-rate parameter (``"optimizer__learning_rate"`` for
        scikeras); for a Pipeline, the final step's name for it works too.
    %(cv)s
    %(groups)s
    %(scoring)s
    %(n_jobs)s
    %(verbose)s

    Returns
    -------
    result : SweepResult
        ``recommended`` is None when no value trains on every fold.

    See Also
    --------
    capacity_sweep : The same protocol for model size.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfit import KerasMLPClassifier
    >>> from skfit.model_selection import learning_rate_sweep
    >>> X, y = load_digits(return_X_y=True)
    >>> model = KerasMLPClassifier(hidden_layer_sizes=(96,), epochs=20, random_state=0)
    >>> result = learning_rate_sweep(model, X / 16, y, values=[1e-2, 1.0], cv=3)
    >>> result.recommended
    0.01
    """
    bad = [value for value in values if not isinstance(value, Real) or not value > 0]
    if bad:
        raise ValueError(f"values must be learning rates > 0; got {bad}.")
    return _sweep(
        "learning_rate", estimator, X, y, param_name, values, cv, groups, scoring, n_jobs,
        verbose,
    )

