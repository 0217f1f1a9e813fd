"""Loss curves per epoch, scikit-learn Display style, the best epoch marked."""

from collections.abc import Mapping

import numpy as np

from ..utils._docstrings import PARAMETERS
from ..utils._estimators import final_estimator
from ..utils._results import axes_or_new
from ._curves import greater_is_better
from ._history import check_history

__all__ = ["LossCurveDisplay"]

_LABELS = {"loss": "training loss", "val_loss": "validation loss"}
_STYLES = {"loss": "--", "val_loss": "-"}


@PARAMETERS
class LossCurveDisplay:
    """Training and validation loss per epoch, with the best epoch marked.

    Use :meth:`from_estimator` for the training vs validation loss of one
    model, or :meth:`from_histories` for the validation loss of several
    variants on one axis. Create the display with either; the constructor
    only stores data.

    Parameters
    ----------
    histories : dict of str to dict
        Variant name -> history (metric name -> one value per epoch).
    metrics : tuple of str, default=("val_loss",)
        History keys drawn for every variant.
    best_epochs : dict of str to int, default=None
        1-based epoch to mark for each variant; by default the epoch of the
        lowest ``"val_loss"`` (without it, the best value of the first
        metric: the highest for scores such as ``"val_accuracy"``).

    Attributes
    ----------
    lines_ : dict of (str, str) to matplotlib Line2D
        The curve of each ``(name, metric)``.
    best_markers_ : dict of str to matplotlib Line2D
        The best-epoch marker of each variant.
    %(ax_)s
    %(figure_)s

    See Also
    --------
    diagnose : Read the verdict off the same curves.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skfit.diagnostics import LossCurveDisplay
    >>> small = {"loss": [1.0, 0.6, 0.5, 0.45], "val_loss": [1.1, 0.7, 0.6, 0.58]}
    >>> large = {"loss": [0.8, 0.3, 0.1, 0.05], "val_loss": [0.9, 0.5, 0.6, 0.7]}
    >>> display = LossCurveDisplay.from_histories({"small": small, "large": large})
    >>> display.best_epochs
    {'small': 4, 'large': 2}
    """

    def __init__(self, histories, *, metrics=("val_loss",), best_epochs=None):
        self.histories = histories
        self.metrics = metrics
        self.best_epochs = best_epochs

    @PARAMETERS
    def plot(self, ax=None, **kwargs):
        """Draw the curves.

        Parameters
        ----------
        %(ax)s
        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot`` for every curve.

        Returns
        -------
        display : LossCurveDisplay
            ``self``, with ``ax_``, ``figure_``, ``lines_`` and
            ``best_markers_`` set.
        """
        ax = axes_or_new(ax)
        several = len(self.histories) > 1
        marked = _marked_metric(self.metrics)
        self.lines_, self.best_markers_ = {}, {}
        for color, (name, history) in enumerate(self.histories.items()):
            epochs = np.arange(1, len(next(iter(history.values()))) + 1)
            best = (self.best_epochs or {}).get(name) or _best_epoch(history, self.metrics)
            for metric in self.metrics:
                label = f"{name}: " * several + _LABELS.get(metric, metric)
                label += f" (best epoch {best})" if metric == marked else ""
                (self.lines_[name, metric],) = ax.plot(
                    epochs, history[metric], _STYLES.get(metric, ":"), color=f"C{color}",
                    label=label, **kwargs,
                )
            (self.best_markers_[name],) = ax.plot(
                best, history[marked][best - 1], "o", color=f"C{color}", markersize=7,
                label="_nolegend_",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss" if set(self.metrics) <= set(_LABELS) else ", ".join(self.metrics))
        ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @PARAMETERS
    @classmethod
    def from_estimator(cls, estimator, *, name=None, ax=None, **kwargs):
        """Plot the training and validation loss of one fitted model.

        Parameters
        ----------
        estimator : estimator, keras.callbacks.History or dict
            A fitted skfit or scikeras estimator (its ``history_``); a
            Keras ``History`` or a history dict work too.
        name : str, default=None
            Name in the title; the estimator's class name by default.
        %(ax)s
        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot``.

        Returns
        -------
        display : LossCurveDisplay
            The marked epoch is the estimator's ``best_epoch_`` when it has
            one (the weights early stopping keeps).
        """
        history = check_history(estimator)
        learner = final_estimator(estimator)  # a Pipeline's network
        name = name or type(learner).__name__
        metrics = ("loss", "val_loss") if "val_loss" in history else ("loss",)
        best = getattr(learner, "best_epoch_", None)
        best = int(best) if best is not None else _best_epoch(history, metrics)
        display = cls({name: history}, metrics=metrics, best_epochs={name: best})
        display.plot(ax=ax, **kwargs)
        display.ax_.set_title(name)
        return display

    @PARAMETERS
    @classmethod
    def from_histories(cls, histories, *, metrics=("val_loss",), ax=None, **kwargs):
        """Plot one metric (by default the validation loss) of several variants.

        Parameters
        ----------
        histories : dict of str to history
            Variant name -> fitted estimator, Keras ``History`` or history
            dict (``{"small": small_model, "L2": l2_model}``).
        metrics : tuple of str, default=("val_loss",)
            History keys drawn for every variant; ``("loss",)`` compares
            training curves, for example of several learning rates.
        %(ax)s
        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot``.

        Returns
        -------
        display : LossCurveDisplay
        """
        if not isinstance(histories, Mapping) or not histories:
            raise TypeError(
                "histories must be a non-empty dict mapping a name to a history, e.g. "
                f"{{'small': history}}; got {type(histories).__name__}."
            )
        if isinstance(metrics, str):
            metrics = (metrics,)
        checked = {}
        for name, history in histories.items():
            if isinstance(history, (list, tuple, np.ndarray)):
                raise TypeError(
                    "histories must map a name to a whole history; got a sequence under "
                    f"{name!r}. To plot one history h, pass {{'model': h}}."
                )
            checked[str(name)] = check_history(history, required=tuple(metrics))
        best_epochs = {name: _best_epoch(history, metrics) for name, history in checked.items()}
        display = cls(checked, metrics=tuple(metrics), best_epochs=best_epochs)
        return display.plot(ax=ax, **kwargs)


def _marked_metric(metrics):
    return "val_loss" if "val_loss" in metrics else metrics[0]


def _best_epoch(history, metrics):
    """1-based epoch of the best value of the marked metric (NaN ignored).

    The lowest value, or the highest for a score such as ``val_accuracy``.
    """
    key = _marked_metric(metrics)
    curve = np.asarray(history[key], dtype=float)
    if not np.isfinite(curve).any():
        return 1
    return int(np.nanargmax(curve) if greater_is_better(key) else np.nanargmin(curve)) + 1
