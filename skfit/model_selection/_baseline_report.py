"""The result of compare_to_baseline: paired per-split scores, the test, the plot."""

import dataclasses
import math

import numpy as np
import pandas as pd

from ..utils._docstrings import PARAMETERS
from ..utils._results import Result, axes_or_new
from ._stats import corrected_resampled_ttest, permutation_p_value

__all__ = ["BaselineReport", "BaselineDisplay"]


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class BaselineReport(Result):
    """Scores of a model, its common-sense baselines and shuffled labels.

    Returned by :func:`compare_to_baseline`; every score comes from the
    same train/test splits, so the per-split scores are paired. It speaks
    skfit's results protocol: a one-line ``repr``, ``summary()`` (also what
    ``print`` shows), ``to_dict()``, ``to_frame()`` and ``plot()``.

    Parameters
    ----------
    model_name : str
        Name of the evaluated estimator's class (the last step's, for a
        Pipeline).
    scoring : str
        The metric (higher is better).
    model_scores : ndarray of shape (n_splits,)
        Test score of the model on each split.
    baseline_scores : dict of str to ndarray of shape (n_splits,)
        Test scores of each ``DummyClassifier``/``DummyRegressor`` strategy.
    permutation_scores : ndarray of shape (n_permutations, n_splits)
        Test scores of the model refit on permuted targets.
    train_sizes : ndarray of shape (n_splits,)
        Number of training samples of each split.
    test_sizes : ndarray of shape (n_splits,)
        Number of test samples of each split.
    alpha : float, default=0.05
        Significance level used by ``beats_baseline``.

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
        ``margin > 0`` and ``p_value < alpha``: the verdict that opens the
        summary, "beats" or "does NOT beat" the best baseline.

    See Also
    --------
    compare_to_baseline : Compute the report.
    BaselineDisplay : The plot of the per-split scores.

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

    Examples
    --------
    >>> import numpy as np
    >>> from skfit.model_selection import BaselineReport
    >>> report = BaselineReport(
    ...     model_name="MyModel", scoring="accuracy",
    ...     model_scores=np.array([0.82, 0.85, 0.8]),
    ...     baseline_scores={"most_frequent": np.array([0.5, 0.52, 0.49])},
    ...     permutation_scores=np.empty((0, 3)),
    ...     train_sizes=np.array([200, 200, 200]), test_sizes=np.array([100, 100, 100]))
    >>> report.best_baseline, round(report.margin, 3), report.beats_baseline
    ('most_frequent', 0.32, True)
    """

    model_name: str
    scoring: str
    model_scores: np.ndarray
    baseline_scores: dict
    permutation_scores: np.ndarray
    train_sizes: np.ndarray
    test_sizes: np.ndarray
    alpha: float = 0.05

    _summary_table = False  # the summary holds the means; to_frame() the per-split scores

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

    def score_summary(self):
        """Mean and standard deviation (over splits) of every row of scores.

        Returns
        -------
        frame : pandas.DataFrame
            Rows "model: <name>", "baseline: <strategy>" and, with
            permutations, "shuffled labels (<n> runs)" (each run's score on
            each split); columns ``mean`` and ``std`` (NaN with one split).
        """
        rows = {f"model: {self.model_name}": self.model_scores}
        rows.update({f"baseline: {name}": s for name, s in self.baseline_scores.items()})
        if len(self.permutation_scores):
            rows[f"shuffled labels ({_runs(len(self.permutation_scores))})"] = (
                self.permutation_scores.ravel()
            )
        return pd.DataFrame(
            {"mean": [s.mean() for s in rows.values()],
             "std": [s.std(ddof=1) if s.size > 1 else math.nan for s in rows.values()]},
            index=pd.Index(list(rows), name=self.scoring),
        )

    @PARAMETERS
    def plot(self, ax=None):
        """Plot per-split scores of the model, the baselines and shuffled labels.

        Parameters
        ----------
        %(ax)s

        Returns
        -------
        display : BaselineDisplay
            The drawn display (``figure_``, ``ax_``, ``lines_``).
        """
        return BaselineDisplay(
            self.model_scores, self.baseline_scores, self.permutation_scores,
            model_name=self.model_name, scoring=self.scoring,
            title=f"{self.scoring} per split: margin {self.margin:+.3f} over the best "
                  f"baseline ({self.best_baseline}), p = {_p(self.p_value)}",
        ).plot(ax=ax)

    @property
    def verdict(self):
        """The finding in one sentence: does the model beat the best baseline.

        Returns
        -------
        text : str
        """
        beats = "beats" if self.beats_baseline else "does NOT beat"
        best = self.baseline_scores[self.best_baseline].mean()
        return (
            f"The model ({self.model_name}) {beats} the best common-sense baseline "
            f"({self.best_baseline}): {self.scoring} {self.model_scores.mean():.3f} vs "
            f"{best:.3f}, margin {self.margin:+.3f}, one-sided p = {_p(self.p_value)} over "
            f"{self.n_splits} splits."
        )

    @property
    def test_text(self):
        """The significance tests, with their numbers, in one sentence.

        Returns
        -------
        text : str
        """
        text = (
            f"Margin over the best baseline ({self.best_baseline}): {self.margin:+.4f}; "
            f"Nadeau-Bengio corrected resampled t-test, one-sided: t = "
            f"{_number(self.t_statistic, '.3f')}, p = {_p(self.p_value, '.3g')}; beats the "
            f"baseline at alpha {self.alpha}: {'yes' if self.beats_baseline else 'no'}."
        )
        return text

    @property
    def chance_text(self):
        """What the model scores on shuffled labels, in one sentence; None without permutations.

        Returns
        -------
        text : str or None
        """
        if not len(self.permutation_scores):
            return None
        return (
            f"On shuffled labels the same model scores {self.permutation_scores.mean():.3f} "
            f"({_runs(len(self.permutation_scores))}): what chance looks like here; "
            f"permutation p-value {self.permutation_p_value:.3g} (at least 1/(runs + 1))."
        )

    def _summary_lines(self):
        table = self.score_summary()
        width = max(map(len, table.index))
        lines = [self.verdict, f"  {'':{width}}    mean     std"]
        for name, (mean, std) in table.iterrows():
            std = "      -" if math.isnan(std) else f"{std:7.3f}"
            lines.append(f"  {name:{width}}  {mean:7.3f} {std}")
        chance = [f"  {self.chance_text}"] if self.chance_text else []
        return [*lines, f"  {self.test_text}", *chance]

    def _repr_fields(self):
        return {"model": self.model_name, "scoring": self.scoring, "n_splits": self.n_splits,
                "margin": self.margin, "p_value": self.p_value,
                "beats_baseline": self.beats_baseline}

    def _content(self):
        frame = self.to_frame()
        return {
            "model_name": self.model_name,
            "scoring": self.scoring,
            "n_splits": self.n_splits,
            "model": self.model_scores,
            "baselines": self.baseline_scores,
            "shuffled_labels": self.permutation_scores,
            "n_permutations": len(self.permutation_scores),
            "train_sizes": self.train_sizes,
            "test_sizes": self.test_sizes,
            "summary": {
                column: {"mean": frame[column].mean(),
                         "std": frame[column].std(ddof=1) if len(frame) > 1 else None}
                for column in frame.columns
            },
            "best_baseline": self.best_baseline,
            "margin": self.margin,
            "t_statistic": self.t_statistic,
            "p_value": self.p_value,
            "permutation_p_value": self.permutation_p_value,
            "alpha": self.alpha,
            "beats_baseline": self.beats_baseline,
            "verdict": self.verdict,
            "test": self.test_text,
            "chance": self.chance_text,
        }


def _runs(n):
    return f"{n} run" + "s" * (n != 1)


def _number(value, spec):
    return "n/a" if not math.isfinite(value) else format(value, spec)


def _p(value, spec=".2g"):
    return _number(value, spec)


@PARAMETERS
class BaselineDisplay:
    """Per-split scores of a model, its baselines and the model on shuffled labels.

    Create it with :meth:`BaselineReport.plot`; the constructor only stores
    data, and :meth:`plot` draws.

    Parameters
    ----------
    model_scores : ndarray of shape (n_splits,)
        Score of the model on each split.
    baseline_scores : dict of str to ndarray of shape (n_splits,)
        Scores of each baseline strategy.
    permutation_scores : ndarray of shape (n_permutations, n_splits)
        Scores of the model refit on shuffled labels (may have no rows).
    model_name : str
        Label of the model's curve.
    scoring : str
        The metric, on the y axis.
    title : str, default=""
        Title of the axes.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The curve of the model (``"model"``), of each baseline strategy and,
        with permutations, of their mean (``"shuffled_labels"``).
    %(ax_)s
    %(figure_)s

    See Also
    --------
    compare_to_baseline : Compute the scores.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skfit.model_selection import compare_to_baseline
    >>> X, y = load_iris(return_X_y=True)
    >>> display = compare_to_baseline(GaussianNB(), X, y, cv=3).plot()
    >>> list(display.lines_)
    ['model', 'most_frequent', 'prior', 'stratified', 'uniform']
    """

    def __init__(self, model_scores, baseline_scores, permutation_scores, *, model_name,
                 scoring, title=""):
        self.model_scores = model_scores
        self.baseline_scores = baseline_scores
        self.permutation_scores = permutation_scores
        self.model_name = model_name
        self.scoring = scoring
        self.title = title

    @PARAMETERS
    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        %(ax)s

        Returns
        -------
        display : BaselineDisplay
            ``self``, with ``ax_``, ``figure_`` and ``lines_`` set.
        """
        ax = axes_or_new(ax)
        splits = np.arange(1, len(self.model_scores) + 1)
        self.lines_ = {}
        (self.lines_["model"],) = ax.plot(splits, self.model_scores, "o-", lw=2, color="C0",
                                          zorder=3, label=f"model: {self.model_name}")
        for color, (strategy, scores) in enumerate(self.baseline_scores.items(), start=1):
            (self.lines_[strategy],) = ax.plot(splits, scores, "s--", lw=1, color=f"C{color}",
                                               label=f"baseline: {strategy}")
        permuted = np.asarray(self.permutation_scores)
        if len(permuted):
            if len(permuted) > 1:
                ax.fill_between(splits, permuted.min(axis=0), permuted.max(axis=0),
                                color="0.5", alpha=0.3, label="shuffled labels: range")
            (self.lines_["shuffled_labels"],) = ax.plot(
                splits, permuted.mean(axis=0), "^:", color="0.3",
                label=f"shuffled labels: mean of {_runs(len(permuted))}",
            )
        ax.set_xticks(splits)
        ax.set_xlabel("split")
        ax.set_ylabel(self.scoring)
        ax.set_title(self.title)
        ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self
