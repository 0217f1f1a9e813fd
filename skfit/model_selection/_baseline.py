"""Common-sense baselines and significance tests on identical folds."""

import dataclasses
import math
import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import check_cv, cross_validate
from sklearn.utils import check_random_state, indexable
from sklearn.utils.multiclass import type_of_target

from ..utils._estimators import estimator_kind
from ..utils.fixes import HasMethods, Interval, StrOptions, scorer_score_func, validate_params
from ._stats import corrected_resampled_ttest, permutation_p_value

__all__ = ["compare_to_baseline", "BaselineReport"]

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
    "regression": "'r2', 'neg_mean_absolute_error' or 'neg_root_mean_squared_error'",
}


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class BaselineReport:
    """Scores of a model, its common-sense baselines and shuffled labels.

    Returned by :func:`compare_to_baseline`; every score comes from the
    same train/test splits, so the per-split scores are paired.

    Parameters
    ----------
    model_name : str
        Name of the evaluated estimator's class.
    scoring : str
        The metric (higher is better).
    model_scores : ndarray of shape (n_splits,)
        Test score of the model on each split.
    baseline_scores : dict of str to ndarray of shape (n_splits,)
        Test scores of each ``DummyClassifier``/``DummyRegressor`` strategy.
    permutation_scores : ndarray of shape (n_permutations, n_splits)
        Test scores of the model refit on permuted targets.
    train_sizes, test_sizes : ndarray of shape (n_splits,)
        Number of training and test samples of each split.
    alpha : float, default=0.05
        Significance level used by :attr:`beats_baseline`.

    Attributes
    ----------
    n_splits : int
        Number of train/test splits.
    best_baseline : str
        Strategy of the baseline with the highest mean score.
    margin : float
        Mean model score minus mean score of the best baseline.
    t_statistic : float
        Nadeau-Bengio corrected resampled t statistic of the per-split
        differences between the model and the best baseline.
    p_value : float
        One-sided p-value of that test (the null hypothesis: the model is no
        better than the best baseline). NaN with a single split.
    permutation_p_value : float
        ``(#{permutations whose mean score >= the model's} + 1) /
        (n_permutations + 1)``; NaN without permutations.
    beats_baseline : bool
        ``margin > 0`` and ``p_value < alpha``.

    Notes
    -----
    Assumptions of the corrected t-test: the per-split differences are
    roughly normal and exchangeable (same-size splits drawn from the same
    distribution), and their correlation, caused by overlapping training
    sets, is about ``n_test / n_train`` (Nadeau and Bengio, 2003). It is a
    heuristic for K-fold and repeated K-fold (Bouckaert and Frank, 2004),
    and only a rough guide for time-ordered splits whose training sets grow.
    The best baseline is picked on the same data; beating the strongest of
    the baselines is the claim that is tested.
    """

    model_name: str
    scoring: str
    model_scores: np.ndarray
    baseline_scores: dict
    permutation_scores: np.ndarray
    train_sizes: np.ndarray
    test_sizes: np.ndarray
    alpha: float = 0.05

    @property
    def n_splits(self):
        return len(self.model_scores)

    @property
    def best_baseline(self):
        return max(self.baseline_scores, key=lambda name: self.baseline_scores[name].mean())

    @property
    def margin(self):
        return float(self.model_scores.mean() - self.baseline_scores[self.best_baseline].mean())

    def _ttest(self):
        differences = self.model_scores - self.baseline_scores[self.best_baseline]
        return corrected_resampled_ttest(
            differences, self.train_sizes.mean(), self.test_sizes.mean()
        )

    @property
    def t_statistic(self):
        return self._ttest()[0]

    @property
    def p_value(self):
        return self._ttest()[1]

    @property
    def permutation_p_value(self):
        return permutation_p_value(self.model_scores.mean(), self.permutation_scores.mean(axis=1))

    @property
    def beats_baseline(self):
        return bool(self.margin > 0 and self.p_value < self.alpha)

    def to_frame(self):
        """Per-split scores as a DataFrame.

        Returns
        -------
        frame : pandas.DataFrame
            One row per split (index ``split``); columns ``model``, one per
            baseline strategy and, with permutations, ``shuffled_labels``
            (the mean over permutations). ``frame.mean()`` gives the summary.
        """
        columns = {"model": self.model_scores, **self.baseline_scores}
        if len(self.permutation_scores):
            columns["shuffled_labels"] = self.permutation_scores.mean(axis=0)
        return pd.DataFrame(columns, index=pd.RangeIndex(self.n_splits, name="split"))

    def plot(self, ax=None):
        """Plot per-split scores of the model, the baselines and shuffled labels.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.

        Returns
        -------
        ax : matplotlib Axes
        """
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots()
        splits = np.arange(1, self.n_splits + 1)
        ax.plot(splits, self.model_scores, "o-", lw=2, color="C0", zorder=3,
                label=self.model_name)
        for color, (strategy, scores) in enumerate(self.baseline_scores.items(), start=1):
            ax.plot(splits, scores, "s--", lw=1, color=f"C{color}",
                    label=f"baseline: {strategy}")
        permuted = self.permutation_scores
        if len(permuted):
            ax.fill_between(splits, permuted.min(axis=0), permuted.max(axis=0), color="0.5",
                            alpha=0.3, label="shuffled labels: range")
            ax.plot(splits, permuted.mean(axis=0), "^:", color="0.3",
                    label=f"shuffled labels: mean of {len(permuted)}")
        ax.set_xticks(splits)
        ax.set_xlabel("split")
        ax.set_ylabel(self.scoring)
        ax.set_title(f"margin {self.margin:+.3f} over {self.best_baseline}, "
                     f"p = {self.p_value:.2g}")
        ax.legend(fontsize="small")
        return ax

    def __repr__(self):
        rows = {"model": self.model_scores, **self.baseline_scores}
        if len(self.permutation_scores):
            rows["shuffled labels"] = self.permutation_scores.ravel()
        width = max(map(len, rows))
        lines = [
            f"BaselineReport({self.model_name}, scoring={self.scoring!r}, {self.n_splits} splits)",
            f"  {'':{width}}   mean    std",
        ]
        for name, scores in rows.items():
            std = scores.std(ddof=1) if scores.size > 1 else math.nan
            lines.append(f"  {name:{width}}  {scores.mean():6.3f}  {std:5.3f}")
        lines += [
            f"  margin over best baseline ({self.best_baseline}): {self.margin:+.3f}",
            f"  p-value (Nadeau-Bengio corrected t-test, one-sided): {self.p_value:.3g}",
        ]
        if len(self.permutation_scores):
            lines.append(
                f"  permutation p-value ({len(self.permutation_scores)} permutations): "
                f"{self.permutation_p_value:.3g}"
            )
        lines.append(f"  beats baseline at alpha={self.alpha}: {self.beats_baseline}")
        return "\n".join(lines)


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
        Number of jobs of each :func:`~sklearn.model_selection.cross_validate`.

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
    X, y, groups = indexable(X, y, groups)
    task, reason = _infer_task(estimator, y)
    scorer, scoring_name = _resolve_scorer(estimator, scoring, task, reason)
    splitter = check_cv(cv, y, classifier=task == "classification")
    folds = list(splitter.split(X, y, groups))
    if len(folds) < 2:
        warnings.warn(
            f"cv={cv!r} gives a single train/test split: there is no spread across "
            "splits to test, so p_value is NaN. Use K-fold (e.g. cv=5) or a repeated "
            "splitter for a significance test.",
            UserWarning,
            stacklevel=3,  # the caller of the validate_params wrapper
        )
    rng = check_random_state(random_state)

    def scores(est, target):
        result = cross_validate(
            est, X, target, cv=folds, scoring=scorer, n_jobs=n_jobs, error_score="raise"
        )
        return result["test_score"]

    dummy_seed = rng.randint(np.iinfo(np.int32).max)
    baseline_scores = {
        strategy: scores(dummy, y) for strategy, dummy in _baselines(task, dummy_seed)
    }
    model_scores = scores(estimator, y)
    y_values = np.asarray(y)
    permutation_scores = np.array(
        [scores(estimator, y_values[_permutation(groups, len(y_values), rng)])
         for _ in range(n_permutations)]
    ).reshape(n_permutations, len(folds))
    return BaselineReport(
        model_name=type(estimator).__name__,
        scoring=scoring_name,
        model_scores=model_scores,
        baseline_scores=baseline_scores,
        permutation_scores=permutation_scores,
        train_sizes=np.array([len(train) for train, _ in folds]),
        test_sizes=np.array([len(test) for _, test in folds]),
    )


def _infer_task(estimator, y):
    """Return ("classification" or "regression", reason), or raise for bad input."""
    target_type = type_of_target(y, input_name="y")
    if target_type not in ("binary", "multiclass", "continuous"):
        raise ValueError(
            "y must be a single target: binary or multiclass labels, or a continuous "
            f"target; got a {target_type!r} target."
        )
    kind = estimator_kind(estimator)
    name = type(estimator).__name__
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


def _baselines(task, seed):
    """Yield (strategy, unfitted dummy estimator) for the task."""
    for strategy in _BASELINE_STRATEGIES[task]:
        if task == "classification":
            yield strategy, DummyClassifier(strategy=strategy, random_state=seed)
        else:
            yield strategy, DummyRegressor(strategy=strategy)


def _permutation(groups, n_samples, rng):
    """Indices of a random permutation, within each group when groups are given."""
    if groups is None:
        return rng.permutation(n_samples)
    groups = np.asarray(groups)
    indices = np.arange(n_samples)
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        indices[members] = rng.permutation(members)
    return indices
