"""The path a fit-then-regularize search took: each configuration, its curves, the reasons."""

import dataclasses
import functools
import math

import numpy as np
import pandas as pd

from ..utils._docstrings import PARAMETERS
from ..utils._results import Result, axes_or_new
from ._baseline_report import BaselineReport
from ._search_knobs import KNOBS

__all__ = ["Candidate", "SearchPath", "STEPS"]

#: The steps of the procedure, by number.
STEPS = {
    1: "Get training started",
    2: "Beat the baseline",
    3: "Reach overfitting",
    4: "Regularize",
    5: "Choose and refit",
}


@dataclasses.dataclass(frozen=True, eq=False)
class Candidate:
    """One configuration the search cross-validated.

    Attributes
    ----------
    index : int
        Its number (``#index``), in the order of evaluation.
    step : int
        The step (1-4) that proposed it.
    move : str
        What changed from its parent (``"epochs 20 -> 80"``).
    reason : str
        Why: what the parent's curves or scores said.
    parent : int or None
        The configuration it was derived from.
    config : dict
        Knob -> value (``hidden_layer_sizes``, ``learning_rate``...).
    params : dict
        The ``set_params`` arguments of the estimator given to the search.
    fold_scores, fit_times, score_times : ndarray of shape (n_splits,)
    history : dict of str to ndarray
        Every curve, averaged over folds epoch by epoch (a fold stopped
        early drops out).
    diagnosis : Diagnosis or None
        :func:`~skfit.diagnostics.diagnose` of those mean curves (of a
        diverged fold's curves when one diverged).
    diverged : bool
        Whether training diverged on some split (a non-finite loss, or one
        far above a constant prediction's).
    stopped : str or None
        Why its fits were stopped before they used their room (clearly
        behind another configuration on the same splits, or the time budget
        spent); None when they ran to their end.
    knob : str or None
        The regularizer a step-4 move changed.
    weights : int
        Number of weights of its network.
    room : int
        The epochs its fits were allowed (``config["epochs"]`` is the most
        any of them used).
    progress : tuple of (int, float)
        Its mean score at the end of each round of epochs, as ``(epochs,
        score)``.
    repeat_scores : ndarray of shape (n_splits,) or None
        Its scores on a second draw of the splits (finalists only).
    """

    index: int
    step: int
    move: str
    reason: str
    parent: int | None
    config: dict
    params: dict
    fold_scores: np.ndarray
    fit_times: np.ndarray
    score_times: np.ndarray
    history: dict
    diagnosis: object
    diverged: bool = False
    stopped: str | None = None
    knob: str | None = None
    weights: int = 0
    room: int = 0
    progress: tuple = ()
    repeat_scores: np.ndarray | None = None

    @property
    def mean_score(self):
        scores = self.fold_scores
        return float(scores.mean()) if np.isfinite(scores).all() else math.nan

    @property
    def std_score(self):
        scores = self.fold_scores
        return float(scores.std()) if np.isfinite(scores).all() else math.nan

    @property
    def status(self):
        return self.diagnosis.status if self.diagnosis is not None else "unreadable"

    @property
    def n_epochs(self):
        return len(self.history["loss"])

    @property
    def best_epoch(self):
        return self.diagnosis.best_epoch if self.diagnosis is not None else None

    @property
    def label(self):
        return f"#{self.index}"

    def describe(self, scoring):
        """One line: the move and its reason, the score, the diagnosis."""
        score = (f"{scoring} {self.mean_score:.4f} +/- {self.std_score:.4f}"
                 if math.isfinite(self.mean_score) else f"{scoring}: no score (training failed)")
        epochs = (f", lowest validation loss at epoch {self.best_epoch} of {self.n_epochs}"
                  if self.best_epoch is not None else f", {self.n_epochs} epochs")
        reason = f" ({self.reason})" if self.reason else ""
        stopped = f" [{self.stopped}]" if self.stopped else ""
        return f"{self.label} {self.move}{reason} -> {score}; {self.status}{epochs}{stopped}"

    def to_dict(self):
        """Every field as JSON-safe values (the diagnosis without its copy of the curves)."""
        diagnosis = self.diagnosis.to_dict() if self.diagnosis is not None else None
        if diagnosis is not None:
            diagnosis.pop("history")
        return {
            "index": self.index, "step": self.step, "move": self.move, "reason": self.reason,
            "parent": self.parent, "config": self.config, "params": self.params,
            "fold_scores": self.fold_scores, "mean_score": self.mean_score,
            "std_score": self.std_score, "fit_times": self.fit_times,
            "score_times": self.score_times, "status": self.status,
            "best_epoch": self.best_epoch, "n_epochs": self.n_epochs,
            "diverged": self.diverged, "stopped": self.stopped, "weights": self.weights,
            "room": self.room,
            "history": self.history, "diagnosis": diagnosis,
        }


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class SearchPath(Result):
    """The path of a :class:`FitThenRegularizeSearchCV`: every configuration and why.

    Held by a fitted search as ``path_``. It speaks skfit's results
    protocol: a one-line ``repr``, ``summary()`` (also what ``print``
    shows: the chapter's procedure told step by step), ``to_dict()``,
    ``to_frame()`` (one row per configuration) and ``plot()`` (the
    validation curves of every configuration on one axis).

    Parameters
    ----------
    model_name : str
        Class name of the network's estimator.
    scoring : str
        The cross-validated score (higher is better).
    n_samples : int
        Rows the search was fitted on (the refit's).
    max_fits : int
        The budget of fits.
    n_fits : int
        Fits run: every configuration on every split, and the refit.
    candidates : list of Candidate
        The configurations, in the order they were evaluated.
    lines : dict of int to list of str
        What each step found and decided, by step number (1-5).
    baselines : dict of str to ndarray of shape (n_splits,)
        Scores of the Dummy baselines on the same splits.
    train_sizes, test_sizes : ndarray of shape (n_splits,)
        Rows of each split.
    best_index : int
        The chosen configuration: the best mean cross-validated score.
    stop_reason : str
        Why the search stopped.

    Attributes
    ----------
    STEPS : dict of int to str
        The titles of the five steps.
    n_splits : int
        Number of splits.
    start : Candidate
        The first configuration: the estimator's own settings.
    best : Candidate
        The chosen configuration.
    baseline : BaselineReport
        The chosen configuration's scores against the baselines, with the
        corrected t-test.
    verdict : str
        The chosen configuration, what changed from the start, and its
        score against the start's and the best baseline's, in one sentence.
    beats_baseline : bool
        Whether the chosen configuration beats the best baseline: its
        margin is positive and significant (``baseline.beats_baseline``).

    See Also
    --------
    FitThenRegularizeSearchCV : The search.
    BaselineReport : The comparison with the baselines.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfit import KerasMLPClassifier
    >>> from skfit.model_selection import FitThenRegularizeSearchCV
    >>> X, y = load_digits(return_X_y=True)
    >>> model = KerasMLPClassifier(hidden_layer_sizes=(16,), learning_rate=1e-2, epochs=10)
    >>> search = FitThenRegularizeSearchCV(model, cv=3, max_fits=10, random_state=0)
    >>> path = search.fit(X[:500] / 16, y[:500]).path_
    >>> path.n_fits, path.beats_baseline
    (10, True)
    >>> path.to_frame().columns[:4].tolist()
    ['step', 'move', 'status', 'best_epoch']
    """

    model_name: str
    scoring: str
    n_samples: int
    max_fits: int
    n_fits: int
    candidates: list
    lines: dict
    baselines: dict
    train_sizes: np.ndarray
    test_sizes: np.ndarray
    best_index: int
    stop_reason: str

    STEPS = STEPS
    _summary_table = True

    @property
    def n_splits(self):
        return len(self.train_sizes)

    @property
    def start(self):
        return self.candidates[0]

    @property
    def best(self):
        return self.candidates[self.best_index]

    @functools.cached_property
    def baseline(self):
        return BaselineReport(
            model_name=self.model_name, scoring=self.scoring,
            model_scores=np.asarray(self.best.fold_scores, dtype=float),
            baseline_scores=self.baselines,
            permutation_scores=np.empty((0, len(self.train_sizes))),
            train_sizes=self.train_sizes, test_sizes=self.test_sizes,
        )

    @property
    def beats_baseline(self):
        return self.baseline.beats_baseline

    def to_frame(self):
        """One row per configuration, in the order of evaluation.

        Returns
        -------
        frame : pandas.DataFrame
            Index ``candidate`` (its number); columns ``step``, ``move``,
            ``status``, ``best_epoch``, ``n_epochs``, ``mean_score``,
            ``std_score``, ``chosen``, then one per knob (its value).
        """
        rows = []
        for candidate in self.candidates:
            row = {"step": candidate.step, "move": candidate.move, "status": candidate.status,
                   "best_epoch": candidate.best_epoch, "n_epochs": candidate.n_epochs,
                   "mean_score": candidate.mean_score, "std_score": candidate.std_score,
                   "chosen": candidate.index == self.best_index}
            row.update({knob: _text(candidate.config[knob]) for knob in KNOBS
                        if knob in candidate.config})
            rows.append(row)
        frame = pd.DataFrame(rows, index=pd.RangeIndex(len(rows), name="candidate"))
        return frame.astype({"best_epoch": "Int64"})

    def configurations(self):
        """The starting and the chosen configuration side by side.

        Returns
        -------
        frame : pandas.DataFrame
            One row per knob; columns ``start`` and ``chosen`` (values as
            text), and ``changed``.
        """
        start, best = self.start.config, self.best.config
        knobs = [knob for knob in KNOBS if knob in start or knob in best]
        return pd.DataFrame(
            {"start": [_text(start.get(knob)) for knob in knobs],
             "chosen": [_text(best.get(knob)) for knob in knobs],
             "changed": [start.get(knob) != best.get(knob) for knob in knobs]},
            index=pd.Index(knobs, name="knob"),
        )

    @PARAMETERS
    def plot(self, ax=None):
        """Plot the validation loss of every configuration on one axis.

        Each curve is the mean over the splits, as in the chapter's figures
        of model variants (smaller, larger, L2, dropout); the chosen one is
        drawn thick, in black. Configurations whose training failed are left
        out.

        Parameters
        ----------
        %(ax)s

        Returns
        -------
        display : skfit.diagnostics.LossCurveDisplay
            The drawn display (``figure_``, ``ax_``, ``lines_``).
        """
        import matplotlib

        from ..diagnostics._display import LossCurveDisplay

        shown = [c for c in self.candidates
                 if c.status != "not_training" and np.isfinite(c.history.get(
                     "val_loss", [math.nan])).any()]
        curves = {_plot_label(c, self.best_index): {"val_loss": c.history["val_loss"]}
                  for c in shown}
        ax = axes_or_new(ax)
        if not curves:
            ax.set_title("No configuration trained: no validation curve to show")
            return LossCurveDisplay({}, metrics=("val_loss",)).plot(ax=ax)
        display = LossCurveDisplay.from_histories(curves, ax=ax)
        best_label = _plot_label(self.best, self.best_index)
        colors = matplotlib.colormaps["tab20"]
        for i, label in enumerate(curves):  # 20 colours; the chosen curve thick and black
            line, marker = display.lines_[label, "val_loss"], display.best_markers_[label]
            chosen = label == best_label
            color = "black" if chosen else colors(i % 20)
            line.set_color(color)
            marker.set_color(color)
            line.set_label(f"{label} (best epoch {display.best_epochs[label]})")
            line.set_linewidth(2.5 if chosen else 1.2)
            line.set_zorder(3 if chosen else 2)
        display.ax_.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1),
                           borderaxespad=0)
        values = np.concatenate([np.asarray(c["val_loss"], float) for c in curves.values()])
        values = values[np.isfinite(values)]
        if values.size and (values > 0).all():
            display.ax_.set_yscale("log")
        lengths = [len(c["val_loss"]) for c in curves.values()]
        if max(lengths) > 10 * min(lengths):
            display.ax_.set_xscale("log")
        left_out = len(self.candidates) - len(shown)
        display.ax_.set_title(
            f"Validation loss of each configuration, mean of {self.n_splits} splits"
            + (f" ({left_out} that did not train left out)" if left_out else "")
        )
        return display

    def _repr_fields(self):
        return {"model": self.model_name, "scoring": self.scoring,
                "n_candidates": len(self.candidates), "n_fits": self.n_fits,
                "best_index": self.best_index, "best_score": self.best.mean_score,
                "beats_baseline": self.beats_baseline}

    @property
    def verdict(self):
        best, start, baseline = self.best, self.start, self.baseline
        return (
            f"Chosen: #{best.index} ({_changes(start.config, best.config)}): {self.scoring} "
            f"{_score(best.mean_score)}, against {_score(start.mean_score)} for the starting "
            f"configuration and {baseline.baseline_scores[baseline.best_baseline].mean():.4f} "
            f"for the best baseline ({baseline.best_baseline})."
        )

    def _summary_lines(self):
        lines = [
            f"Fit, then regularize: {self.model_name}, {self.scoring} on {self.n_splits} "
            f"splits; {len(self.candidates)} configurations, {self.n_fits} of {self.max_fits} "
            f"fits. {self.stop_reason}",
            self.verdict,
        ]
        for number, title in STEPS.items():
            lines.append(f"{number}. {title}")
            lines += [f"   {line}" for line in self.lines.get(number) or ["(not reached)"]]
        return lines

    def _content(self):
        baseline = self.baseline
        return {
            "model_name": self.model_name,
            "scoring": self.scoring,
            "n_splits": self.n_splits,
            "n_samples": self.n_samples,
            "max_fits": self.max_fits,
            "n_fits": self.n_fits,
            "stop_reason": self.stop_reason,
            "verdict": self.verdict,
            "best_index": self.best_index,
            "best_score": self.best.mean_score,
            "start_score": self.start.mean_score,
            "beats_baseline": self.beats_baseline,
            "baseline": baseline,
            "steps": {str(number): {"title": title, "lines": self.lines.get(number, [])}
                      for number, title in STEPS.items()},
            "configurations": {
                "start": self.start.config, "chosen": self.best.config,
                "changed": [knob for knob, changed in self.configurations()["changed"].items()
                            if changed],
            },
            "candidates": [candidate.to_dict() for candidate in self.candidates],
        }


def _score(value):
    return f"{value:.4f}" if math.isfinite(value) else "no score (training failed)"


def _text(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value) if value is not None else "-"


def _changes(start, config):
    changed = [f"{knob}={_text(config[knob])}" for knob in KNOBS
               if knob in config and config[knob] != start.get(knob)]
    return ", ".join(changed) or "the starting configuration"


def _plot_label(candidate, best_index):
    return f"{candidate.label} {candidate.move}" + (" (chosen)" if candidate.index == best_index
                                                    else "")
