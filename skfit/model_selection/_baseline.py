"""Common-sense baselines and significance tests on identical folds."""

import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import check_cv, cross_validate
from sklearn.utils import check_random_state, indexable
from sklearn.utils.multiclass import type_of_target

from ..utils._estimators import estimator_kind, final_estimator
from ..utils._progress import FitProgress
from ..utils.fixes import (
    HasMethods,
    Interval,
    StrOptions,
    _safe_indexing,
    scorer_response_methods,
    scorer_score_func,
    validate_params,
)
from ..utils.validation import check_target
from ._baseline_report import BaselineReport

__all__ = ["compare_to_baseline"]

_BASELINE_STRATEGIES = {
    "classification": ("most_frequent", "prior", "stratified", "uniform"),
    "regression": ("mean", "median"),
}
_DEFAULT_SCORING = {"classification": "accuracy", "regression": "r2"}
_METRIC_MODULE_TASK = {
    "sklearn.metrics._classification": "classification",
    "sklearn.metrics._ranking": "classification",
    "sklearn.metrics._regression": "regression",
}
_METRIC_HINT = {
    "classification": "'accuracy', 'balanced_accuracy', 'f1_macro' or 'roc_auc'",
    "multiclass": "'accuracy', 'balanced_accuracy', 'f1_macro' or 'roc_auc_ovr'",
    "regression": "'r2', 'neg_mean_absolute_error' or 'neg_root_mean_squared_error'",
}


@validate_params(
    {
        "estimator": [HasMethods(["fit"])],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "n_permutations": [Interval(Integral, 0, None, closed="left")],
        "groups": ["array-like", None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=False,
)
def compare_to_baseline(
    estimator,
    X,
    y,
    *,
    cv=None,
    scoring=None,
    n_permutations=0,
    groups=None,
    random_state=None,
    n_jobs=None,
    verbose=0,
):
    """Compare an estimator with common-sense baselines on identical folds.

    The folds are drawn once and reused for the estimator, for every
    baseline (``DummyClassifier`` with strategies most_frequent, prior,
    stratified and uniform, or ``DummyRegressor`` with mean and median, by
    the type of ``y``) and for every refit on shuffled labels, so that all
    scores are paired split by split.

    Parameters
    ----------
    estimator : estimator object
        Any scikit-learn compatible estimator or Pipeline, including Keras
        wrappers whose tags are wrong (such as scikeras 0.13's
        ``KerasClassifier``): classification is then recognised from its
        class and from the target type.
    X : array-like or sparse matrix of shape (n_samples, n_features)
        Input data.
    y : array-like of shape (n_samples,)
        Target: class labels (binary or multiclass) or a continuous target.
    cv : int, cross-validation generator or iterable, default=None
        As in :func:`sklearn.model_selection.cross_validate`: None means 5
        folds, stratified for classification (even when the estimator's tags
        do not say it is a classifier).
    scoring : str or callable, default=None
        A scikit-learn scorer (higher is better). None means ``"accuracy"``
        for classification and ``"r2"`` for regression. A metric that does
        not fit the task raises a ValueError before anything is fit.
    n_permutations : int, default=0
        Number of refits on shuffled targets (a permutation test of whether
        the model learns anything beyond chance). Each costs one full
        cross-validation.
    groups : array-like of shape (n_samples,), default=None
        Group labels, passed to the splitter (e.g. ``GroupKFold``); with
        permutations, targets are shuffled within groups.
    random_state : int, RandomState instance or None, default=None
        Seeds the random baselines (stratified, uniform) and the
        permutations. The splitter and the estimator keep their own.
    n_jobs : int, default=None
        Number of the model's fits run in parallel by joblib; None means 1.
    verbose : int, default=0
        0 shows nothing; 1 a progress bar of the model's fits (done / total,
        elapsed, remaining; the Dummy baselines are not counted) on stderr
        when it is a terminal, one line per fit elsewhere; 2 also names each
        fit.

    Returns
    -------
    report : BaselineReport
        Per-split scores, the best baseline, the margin over it, its
        one-sided Nadeau-Bengio p-value, and the shuffled-label scores with
        their permutation p-value.

    Warns
    -----
    UserWarning
        When ``cv`` gives a single split: no significance test is possible,
        and ``p_value`` is NaN.

    See Also
    --------
    BaselineReport : The result, with its plot.
    diagnose : Read one fit off its loss curves.

    Notes
    -----
    The p-value tests whether the model beats the best baseline: one-sided,
    with the variance of the per-split differences inflated by
    ``1 / J + n_test / n_train`` to account for overlapping training sets
    (Nadeau and Bengio, 2003; ``J`` splits, ``J - 1`` degrees of freedom).
    See :class:`BaselineReport` for its assumptions.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skfit.model_selection import compare_to_baseline
    >>> X, y = load_digits(return_X_y=True)
    >>> report = compare_to_baseline(GaussianNB(), X, y, cv=5, random_state=0)
    >>> report.beats_baseline
    True
    >>> round(report.margin, 2)
    0.7
    >>> report.p_value < 1e-4
    True
    """
    setup = prepare_paired(estimator, X, y, cv=cv, scoring=scoring, groups=groups,
                           rng=check_random_state(random_state), stacklevel=4)
    X, y, groups, folds, rng = setup.X, setup.y, setup.groups, setup.folds, setup.rng
    if n_permutations and groups is not None:
        _check_permutable(y, groups)
    model_scorer = _FiniteScorer(setup.scorer, setup.model_name)

    y_values = np.asarray(y)
    targets = [y] + [_shuffled_target(y_values, groups, rng, setup.check_scorable)
                     for _ in range(n_permutations)]
    with FitProgress(verbose, len(folds) * len(targets), "compare_to_baseline") as progress:
        model_scores, *permutation_scores = (
            _split_scores(estimator, X, target, folds, model_scorer, n_jobs, progress,
                          "shuffled labels, " if number else "")
            for number, target in enumerate(targets)
        )
    permutation_scores = np.array(permutation_scores).reshape(n_permutations, len(folds))
    return setup.report(model_scores, permutation_scores)


@dataclass(frozen=True)
class PairedSetup:
    """What :func:`compare_to_baseline` and the fit-then-regularize search prepare alike,
    before any fit: the target and task, the scorer, the folds drawn once, and the Dummy
    baselines scored on them, so that every later score is paired with theirs.

    Made by :func:`prepare_paired`, which checks everything that can be checked
    first (a clear error before any fit).

    Attributes
    ----------
    X, y, groups : indexable
    model_name : str
        Class name of the model (a Pipeline's last step).
    task : {"classification", "regression"}
    scorer : callable
    scoring : str
        The metric's name.
    folds : list of (train, test)
    baseline_scores : dict of str to ndarray of shape (n_splits,)
        Test scores of each Dummy strategy on each split.
    rng : RandomState
        The random state the Dummy seed was drawn from (for what comes next).
    """

    X: object
    y: object
    groups: object
    model_name: str
    task: str
    scorer: object
    scoring: str
    folds: list
    baselines: dict
    baseline_scores: dict
    rng: object

    @property
    def train_sizes(self):
        return np.array([len(train) for train, _ in self.folds])

    @property
    def test_sizes(self):
        return np.array([len(test) for _, test in self.folds])

    def check_scorable(self, target):
        """What was checked of ``y``, for another target on the same folds (a shuffle)."""
        if self.task == "classification":
            _check_training_classes(target, self.folds)
        _check_scorer_applies(self.scorer, self.scoring, self.baselines, self.X, target,
                              self.folds, self.task)

    def report(self, model_scores, permutation_scores=None):
        """The :class:`BaselineReport` of the model's split scores against the baselines'."""
        if permutation_scores is None:
            permutation_scores = np.empty((0, len(self.folds)))
        return BaselineReport(
            model_name=self.model_name, scoring=self.scoring,
            model_scores=np.asarray(model_scores, dtype=float),
            baseline_scores=self.baseline_scores, permutation_scores=permutation_scores,
            train_sizes=self.train_sizes, test_sizes=self.test_sizes,
        )


def prepare_paired(estimator, X, y, *, cv, scoring, groups, rng, stacklevel=3):
    """Check the input and draw the folds; score the Dummy baselines on them.

    Raises a clear error, before any fit of the model, for a target no
    model can learn, a metric that does not fit the task or the target, a
    training part with a single class, or a model without the method the
    metric calls. ``rng`` (a RandomState) seeds the random baselines.

    Returns
    -------
    setup : PairedSetup
    """
    X, y, groups = indexable(X, check_target(y), groups)
    learner = final_estimator(estimator)  # a Pipeline's model names the report
    task, reason = _infer_task(estimator, learner, y)
    scorer, scoring_name = _resolve_scorer(estimator, scoring, task, reason)
    folds = list(check_cv(cv, y, classifier=task == "classification").split(X, y, groups))
    if len(folds) < 2:
        warnings.warn(
            f"cv={cv!r} gives a single train/test split: there is no spread across "
            "splits to test, so p_value is NaN. Use K-fold (e.g. cv=5) or a repeated "
            "splitter for a significance test.",
            UserWarning,
            stacklevel=stacklevel,
        )
    baselines = dict(_baselines(task, rng.randint(np.iinfo(np.int32).max)))
    if task == "classification":
        _check_training_classes(y, folds)
    first, *others = baselines
    scores = {first: _check_scorer_applies(scorer, scoring_name, baselines, X, y, folds, task)}
    _check_response_method(scorer, scoring_name, estimator, learner)
    scores.update({strategy: _split_scores(baselines[strategy], X, y, folds, scorer)
                   for strategy in others})
    return PairedSetup(X=X, y=y, groups=groups, model_name=type(learner).__name__, task=task,
                       scorer=scorer, scoring=scoring_name, folds=folds, baselines=baselines,
                       baseline_scores=scores, rng=rng)


def _infer_task(estimator, learner, y):
    """Return ("classification" or "regression", reason), or raise for bad input."""
    target_type = type_of_target(y, input_name="y")
    values = np.unique(np.asarray(y)).tolist()
    if len(values) < 2:
        raise ValueError(
            f"y holds a single value ({values[0]!r}) in all {len(np.asarray(y))} rows: there "
            "is nothing to predict, and no model can beat a constant."
        )
    if target_type not in ("binary", "multiclass", "continuous"):
        raise ValueError(
            "y must be a single target: binary or multiclass labels, or a continuous "
            f"target; got a {target_type!r} target."
        )
    kind = estimator_kind(estimator)
    name = type(learner).__name__
    if kind == "classifier":
        if target_type == "continuous":
            raise ValueError(
                f"y is a continuous (regression) target, but {name} is a classifier, "
                "which needs class labels. Use a regressor, or bin y into classes."
            )
        return "classification", f"{name} is a classifier"
    if kind == "regressor":
        try:
            np.asarray(y, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name} is a regressor, but y holds non-numeric labels; "
                "use a classifier."
            ) from None
        return "regression", f"{name} is a regressor"
    if target_type == "continuous":
        return "regression", "the target y is continuous"
    return "classification", f"the target y is {target_type}"


def _resolve_scorer(estimator, scoring, task, reason):
    """Return (scorer, name); raise when the metric does not fit the task."""
    if scoring is None:
        scoring = _DEFAULT_SCORING[task]
    scorer = check_scoring(estimator, scoring=scoring)
    metric = scorer_score_func(scorer)
    metric_task = _METRIC_MODULE_TASK.get(getattr(metric, "__module__", None))
    name = scoring if isinstance(scoring, str) else repr(scoring)
    if metric_task is not None and metric_task != task:
        raise ValueError(
            f"scoring={scoring!r} is a {metric_task} metric, but this is a {task} task "
            f"({reason}). Use a {task} metric such as {_METRIC_HINT[task]}."
        )
    return scorer, name


def _check_training_classes(y, folds):
    """Every training part must hold two classes, or no classifier can fit it."""
    for number, (train, _) in enumerate(folds, start=1):
        classes = np.unique(np.asarray(_safe_indexing(y, train))).tolist()
        if len(classes) < 2:
            raise ValueError(
                f"The training part of split {number} ({len(train)} rows) holds only the "
                f"class {classes[0]!r}: a classifier needs two or more. Use fewer folds, a "
                "stratified splitter, or more rows of the other classes."
            )


def _check_scorer_applies(scorer, name, baselines, X, y, folds, task):
    """Score a constant baseline on every split and return its scores: a metric that
    cannot apply to this target (roc_auc on three classes, f1 with the binary average
    on a multiclass target, log loss on a split whose training part lacks a class its
    test part holds) fails here, before the model is fit."""
    dummy = next(iter(baselines.values()))
    scores = np.empty(len(folds))
    for number, (train, test) in enumerate(folds, start=1):
        fitted = clone(dummy).fit(_safe_indexing(X, train), _safe_indexing(y, train))
        try:
            scores[number - 1] = scorer(fitted, _safe_indexing(X, test), _safe_indexing(y, test))
        except (ValueError, TypeError) as exc:
            raise ValueError(_unscorable_message(name, y, task, number, train, test, exc)) from None
    return scores


def _unscorable_message(name, y, task, number, train, test, exc):
    unseen = sorted(set(np.unique(np.asarray(_safe_indexing(y, test))).tolist())
                    - set(np.unique(np.asarray(_safe_indexing(y, train))).tolist()), key=str)
    if task == "classification" and unseen:
        return (
            f"scoring={name!r} cannot score split {number}: its test part holds classes "
            f"{unseen} that its training part lacks, so no model trained there gives them a "
            "probability. Use a stratified splitter, fewer folds, or more rows of those "
            "classes."
        )
    target_type = type_of_target(y, input_name="y")
    hint = _METRIC_HINT["multiclass" if target_type == "multiclass" else task]
    return (
        f"scoring={name!r} cannot score this {target_type} target ({exc}). Use a metric "
        f"that applies to it, such as {hint}."
    )


def _check_response_method(scorer, name, estimator, learner):
    """The model must have one of the methods the scorer calls."""
    methods = scorer_response_methods(scorer)
    if methods and not any(hasattr(estimator, method) for method in methods):
        raise ValueError(
            f"scoring={name!r} needs {' or '.join(methods)}, which "
            f"{type(learner).__name__} does not have; choose a metric that uses predict, "
            "such as 'accuracy' or 'r2'."
        )


def _group_codes(groups):
    """Integer codes of group labels of any type; missing labels share one code."""
    return pd.factorize(np.asarray(groups, dtype=object).ravel(), use_na_sentinel=False)[0]


def _check_permutable(y, groups):
    """Shuffling within groups must be able to change y, or the permutation test is void."""
    y, groups = np.asarray(y), _group_codes(groups)
    for group in np.unique(groups):
        if len(np.unique(y[groups == group])) > 1:
            return
    raise ValueError(
        "With groups, the labels are shuffled within each group, but y is constant "
        "within every group: shuffling cannot change it, and the permutation test would "
        "compare the model with itself. Pass n_permutations=0, or groups of several rows "
        "with different targets."
    )


def _split_scores(estimator, X, y, folds, scorer, n_jobs=None, progress=None, what=""):
    """Test scores of ``estimator`` on each of ``folds``, fitted in parallel; each
    finished fit is told to ``progress``."""
    scores = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(cross_validate)(estimator, X, y, cv=[fold], scoring=scorer,
                                error_score="raise")
        for fold in folds
    )
    result = np.empty(len(folds))
    for number, score in enumerate(scores):
        result[number] = score["test_score"][0]
        if progress is not None:
            progress.fit_done(f"{what}split {number + 1}/{len(folds)}")
    return result


class _FiniteScorer:
    """A scorer that first checks that the model's predictions are finite.

    A network whose training diverged predicts NaN (or, through argmax, the
    first class for every row); its score would be a number that means
    nothing, or a metric's "Input contains NaN".
    """

    def __init__(self, scorer, model_name):
        self.scorer = scorer
        self.model_name = model_name

    def __call__(self, estimator, X, y):
        for method in ("predict_proba", "decision_function", "predict"):
            if hasattr(estimator, method):
                predictions = np.asarray(getattr(estimator, method)(X))
                if predictions.dtype.kind in "fc" and not np.isfinite(predictions).all():
                    raise ValueError(
                        f"{self.model_name}'s {method} returned NaN or infinite values: its "
                        "training diverged (the loss overflowed). Lower the learning rate, "
                        "scale the inputs (StandardScaler) and, for regression, the target; "
                        "diagnose() of a fitted model shows the loss curve."
                    )
                break
        return self.scorer(estimator, X, y)

    def __repr__(self):
        return repr(self.scorer)


def _baselines(task, seed):
    """Yield (strategy, unfitted dummy estimator) for the task."""
    for strategy in _BASELINE_STRATEGIES[task]:
        if task == "classification":
            yield strategy, DummyClassifier(strategy=strategy, random_state=seed)
        else:
            yield strategy, DummyRegressor(strategy=strategy)


_MAX_SHUFFLES = 100


def _shuffled_target(y, groups, rng, check_scorable):
    """``y`` shuffled (within groups) so that every split can be fitted and scored, as
    the real ``y`` was checked to be: a shuffle that leaves a training part with one
    class, or a test part with a class its training part lacks (for a probability
    metric), is drawn again, up to ``_MAX_SHUFFLES`` times."""
    for _ in range(_MAX_SHUFFLES):
        shuffled = y[_permutation(groups, len(y), rng)]
        try:
            check_scorable(shuffled)
        except ValueError as error:
            problem = error
            continue
        return shuffled
    raise ValueError(
        f"{problem} This held for each of {_MAX_SHUFFLES} shuffles of y drawn for the "
        "permutation test: use fewer folds, or n_permutations=0."
    )


def _permutation(groups, n_samples, rng):
    """Indices of a random permutation, within each group when groups are given.

    Rows without a group label (None, NaN) form one group of their own.
    """
    if groups is None:
        return rng.permutation(n_samples)
    groups = _group_codes(groups)
    indices = np.arange(n_samples)
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        indices[members] = rng.permutation(members)
    return indices
