"""The result of diagnose: the verdict, its evidence, the advice, and the curves read."""

import dataclasses

import numpy as np
import pandas as pd

from ..utils._results import Result, axes_or_new
from ._curves import greater_is_better

__all__ = ["Diagnosis", "DiagnosisDisplay", "STATUSES"]

STATUSES = ("not_training", "not_generalizing", "underfitting", "overfitting", "good_fit")


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Diagnosis(Result):
    """What the loss curves say about a fit, returned by :func:`diagnose`.

    It speaks skfit's results protocol: a one-line ``repr``, ``summary()``
    (also what ``print`` shows), ``to_dict()``, ``to_frame()`` (the curves,
    one row per epoch) and ``plot()``.

    Parameters
    ----------
    status : {"not_training", "not_generalizing", "underfitting", \
"overfitting", "good_fit"}
        The verdict:

        - ``"not_training"``: the training loss does not fall, climbs back,
          or diverged (non-finite, or far above a constant prediction's);
        - ``"not_generalizing"``: it trains, but the validation metric is
          no better than the baseline, or the validation loss never moves;
        - ``"underfitting"``: the validation loss is still falling, or
          flat without ever turning up;
        - ``"overfitting"``: the validation loss rises significantly after
          its minimum;
        - ``"good_fit"``: it turned up a little, or early stopping kept
          the best epoch.
    best_epoch : int or None
        1-based epoch of the lowest (smoothed) validation loss; None without
        a validation curve.
    overfit_epoch : int or None
        1-based epoch at which the fitted rise of the validation loss passes
        ``overfit_margin`` above its minimum; None unless the curves show
        overfitting.
    gap : dict
        Smoothed validation loss minus training loss at the best epoch
        (``"best"``) and at the last epoch (``"end"``); empty without a
        validation curve.
    evidence : list of str
        The measurements behind the verdict, with their numbers.
    advice : list of str
        Concrete next steps, the most important first.
    n_epochs : int
        Number of epochs in the history.
    history : dict of str to ndarray, default=None
        The curves that were read (metric -> one value per epoch).
    baseline : dict or None, default=None
        ``{"score": key, "value": baseline_score}`` when a baseline was
        given to :func:`diagnose`.
    model_name : str or None, default=None
        Class name of the diagnosed model (the final step's, for a Pipeline).
    still_falling : bool, default=False
        Whether the smoothed validation loss was still falling over the last
        quarter of the epochs (by more than the plateau tolerance) without
        having turned up: more epochs would lower it further.
    exact_fit : bool, default=False
        Whether the verdict is a good fit because the validation loss ends
        at most 0.001 times a constant prediction's (the validation rows
        are predicted almost exactly), whether or not it turned up.

    Attributes
    ----------
    STATUSES : tuple of str
        Every status a diagnosis can carry.

    See Also
    --------
    diagnose : Compute the diagnosis.
    DiagnosisDisplay : The plot of the curves read.

    Examples
    --------
    >>> from skfit.diagnostics import diagnose
    >>> history = {"loss": [1.0, 0.5, 0.3, 0.2, 0.15, 0.1],
    ...            "val_loss": [1.0, 0.6, 0.45, 0.4, 0.38, 0.37]}
    >>> diagnosis = diagnose(history, smoothing=1)
    >>> diagnosis
    Diagnosis(status='underfitting', best_epoch=6, overfit_epoch=None, gap=(best=0.27, end=0.27), \
n_epochs=6)
    >>> diagnosis.to_frame().shape
    (6, 2)
    """

    status: str
    best_epoch: int | None
    overfit_epoch: int | None
    gap: dict
    evidence: list
    advice: list
    n_epochs: int
    history: dict = None
    baseline: dict | None = None
    model_name: str | None = None
    still_falling: bool = False
    exact_fit: bool = False

    STATUSES = STATUSES
    _summary_table = False  # to_frame() holds every epoch: too long to print with the verdict

    def to_frame(self):
        """The curves that were read, one row per epoch.

        Returns
        -------
        frame : pandas.DataFrame
            Index ``epoch`` (1-based); one column per history key.
        """
        history = self.history or {}
        return pd.DataFrame(
            {key: np.asarray(values, dtype=float) for key, values in history.items()},
            index=pd.RangeIndex(1, self.n_epochs + 1, name="epoch"),
        )

    def plot(self, ax=None):
        """Plot the curves read, the best and overfit epochs and the baseline.

        Parameters
        ----------
        ax : matplotlib Axes or sequence of two Axes, default=None
            Where to draw: one Axes gets the loss curves; two get the loss
            curves and the validation score against the baseline (when
            the baseline was given for a score such as ``val_accuracy``).
            None: a new figure with the panels needed.

        Returns
        -------
        display : DiagnosisDisplay
            The drawn display (``figure_``, ``ax_``, ``axes_``).
        """
        return DiagnosisDisplay(
            self.history or {}, status=self.status, best_epoch=self.best_epoch,
            overfit_epoch=self.overfit_epoch, baseline=self.baseline,
            name=self.model_name or "model",
        ).plot(ax=ax)

    def _repr_fields(self):
        return {"status": self.status, "best_epoch": self.best_epoch,
                "overfit_epoch": self.overfit_epoch, "gap": self.gap,
                "n_epochs": self.n_epochs}

    def _summary_lines(self):
        return [
            repr(self), "Evidence:", *(f"  - {line}" for line in self.evidence),
            "Advice:", *(f"  - {line}" for line in self.advice),
        ]

    def _content(self):
        return {
            "status": self.status,
            "best_epoch": self.best_epoch,
            "overfit_epoch": self.overfit_epoch,
            "n_epochs": self.n_epochs,
            "gap": self.gap,
            "evidence": self.evidence,
            "advice": self.advice,
            "baseline": self.baseline,
            "model_name": self.model_name,
            "still_falling": self.still_falling,
            "exact_fit": self.exact_fit,
            "history": self.history or {},
        }


class DiagnosisDisplay:
    """The curves a diagnosis read: losses with the best and overfit epochs, the baseline.

    Create it with :meth:`Diagnosis.plot`; the constructor only stores data,
    and :meth:`plot` draws.

    Parameters
    ----------
    history : dict of str to array-like
        The curves (metric -> one value per epoch).
    status : str
        The verdict, in the title.
    best_epoch : int or None
        1-based epoch to mark; by default the lowest validation loss's.
    overfit_epoch : int or None
        1-based epoch where overfitting begins, marked by a vertical line.
    baseline : dict or None
        ``{"score": key, "value": float}``: drawn as a horizontal line on
        the panel of ``key``.
    name : str
        Name of the model, in the legend and the title.

    Attributes
    ----------
    loss_display_ : LossCurveDisplay
        The loss panel.
    score_lines_ : dict of str to matplotlib Line2D
        The training and validation score curves of the second panel
        (empty without one).
    ax_ : matplotlib Axes
        The loss panel's Axes.
    axes_ : list of matplotlib Axes
        Every panel.
    figure_ : matplotlib Figure
        The figure.

    See Also
    --------
    Diagnosis.plot : Create this display from a diagnosis.
    LossCurveDisplay : The loss curves of several fits on one axis.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skfit.diagnostics import diagnose
    >>> history = {"loss": [1.0, 0.6, 0.4, 0.3], "val_loss": [1.1, 0.7, 0.6, 0.65],
    ...            "accuracy": [0.5, 0.7, 0.8, 0.9], "val_accuracy": [0.5, 0.6, 0.7, 0.7]}
    >>> display = diagnose(history, baseline_score=0.3).plot()
    >>> len(display.axes_), display.ax_.get_title()
    (2, 'model: underfitting')
    """

    def __init__(self, history, *, status, best_epoch=None, overfit_epoch=None,
                 baseline=None, name="model"):
        self.history = history
        self.status = status
        self.best_epoch = best_epoch
        self.overfit_epoch = overfit_epoch
        self.baseline = baseline
        self.name = name

    def plot(self, ax=None):
        """Draw the panels.

        Parameters
        ----------
        ax : matplotlib Axes or sequence of two Axes, default=None
            See :meth:`Diagnosis.plot`.

        Returns
        -------
        display : DiagnosisDisplay
            ``self``, with ``ax_``, ``axes_``, ``figure_``,
            ``loss_display_`` and ``score_lines_`` set.
        """
        from matplotlib.ticker import MaxNLocator

        from ._display import LossCurveDisplay

        score = self._score_panel()
        axes = list(np.atleast_1d(axes_or_new(ax, ncols=2 if score else 1)))
        metrics = tuple(m for m in ("loss", "val_loss") if m in self.history)
        self.loss_display_ = LossCurveDisplay(
            {self.name: self.history}, metrics=metrics,
            best_epochs={self.name: self.best_epoch} if self.best_epoch else None,
        ).plot(ax=axes[0])
        loss_ax = axes[0]
        if self.overfit_epoch:
            loss_ax.axvline(self.overfit_epoch, color="0.4", lw=1, ls=":",
                            label=f"overfitting from epoch {self.overfit_epoch}")
        if self.baseline and not greater_is_better(self.baseline["score"]) \
                and self.baseline["score"] in metrics:
            loss_ax.axhline(self.baseline["value"], color="0.4", lw=1, ls="-.",
                            label="baseline")
        loss_ax.legend(fontsize="small")
        loss_ax.set_title(f"{self.name}: {self.status}")
        self.score_lines_ = {}
        if score and len(axes) > 1:
            self._plot_score(axes[1], score)
        for panel in axes:
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.ax_, self.axes_, self.figure_ = loss_ax, axes, loss_ax.figure
        return self

    def _score_panel(self):
        """The validation score drawn against the baseline on a panel of its own, or None."""
        if not self.baseline:
            return None
        key = self.baseline["score"]
        if key in self.history and greater_is_better(key):
            return key
        return None

    def _plot_score(self, ax, key):
        epochs = np.arange(1, len(self.history[key]) + 1)
        train_key = key.removeprefix("val_")
        name = train_key.replace("_", " ")
        if train_key in self.history:
            (self.score_lines_[train_key],) = ax.plot(
                epochs, self.history[train_key], "--", color="C0", label=f"training {name}"
            )
        (self.score_lines_[key],) = ax.plot(epochs, self.history[key], "-", color="C0",
                                            label=f"validation {name}")
        ax.axhline(self.baseline["value"], color="0.4", lw=1, ls="-.", label="baseline")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.set_title(f"{name} vs the baseline")
        ax.legend(fontsize="small")
