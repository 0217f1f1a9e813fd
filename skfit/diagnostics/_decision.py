"""The decision of diagnose: from curve statistics to a status, its evidence, and what to advise.

Reads the curves in the order of the practice: does the model train (or
did it diverge), is there a validation curve to read, does it beat the
baseline, can it overfit, did it stop at the right point. Advice is named
here (a kind and its numbers) and written in :mod:`._advice`.
"""

import dataclasses
import math

import numpy as np

from ._curves import (
    BLOW_UP,
    DIVERGED,
    blow_up_epochs,
    divergence,
    finite,
    greater_is_better,
    noise,
    percent,
    relative_decrease,
    relative_noise,
    relative_rise,
    smooth,
    training_failure,
    trend,
)

NOISY = 0.05  # relative epoch-to-epoch noise of a validation curve worth a warning
EXACT = 1e-3  # a validation loss this many times a constant prediction's is (almost) exact


@dataclasses.dataclass
class Verdict:
    """A status, the evidence for it, and the advice to give as ``(kind, numbers)``."""

    status: str
    evidence: list
    advice: list
    best_epoch: int | None = None
    overfit_epoch: int | None = None
    gap: dict = dataclasses.field(default_factory=dict)
    still_falling: bool = False
    exact_fit: bool = False


@dataclasses.dataclass(frozen=True)
class Settings:
    """The thresholds of :func:`~skfit.diagnostics.diagnose`."""

    baseline_score: float | None
    score: str | None
    baseline_margin: object
    smoothing: int
    min_relative_decrease: float
    overfit_margin: float
    plateau_tolerance: float
    confidence: float


def decide(curves, settings, *, constant_loss=None, restored=None):
    """Return the :class:`Verdict` on ``curves`` (metric -> float array, equal lengths).

    ``constant_loss`` is ``(loss, meaning)`` of a constant prediction, or
    None; ``restored`` the 1-based epoch whose weights early stopping
    restored, or None.

    Raises
    ------
    ValueError
        When the model trains but there is nothing more to read: a single
        epoch, or no validation curve with a finite value.
    """
    loss = curves["loss"]
    n_epochs = len(loss)
    tentative = [f"only {n_epochs} epochs: the verdict is tentative"] if n_epochs < 6 else []
    failure = divergence(curves, constant_loss, settings.smoothing)
    diverged = failure is not None
    if not diverged:
        failure = training_failure(loss, settings.min_relative_decrease)
        diverged = failure is not None and not np.isfinite(loss).all()
    if failure is not None:
        evidence = [failure, *tentative, *_spike_evidence(loss)]
        return Verdict("not_training", evidence,
                       [("not_training", {"diverged": diverged, "loss": _level(loss)})])
    if n_epochs < 2:
        raise ValueError(
            f"diagnose needs at least 2 epochs of history to tell whether the model trains; "
            f"got {n_epochs}."
        )
    _check_validation_curve(curves)
    return _read_validation(curves, settings, restored, tentative, constant_loss)


def _check_validation_curve(curves):
    if "val_loss" not in curves:
        raise ValueError(
            "The model trains, but the history has no 'val_loss': the remaining checks "
            f"need a validation curve (fit with validation_fraction > 0). Keys: {sorted(curves)}."
        )
    if not np.isfinite(curves["val_loss"]).any():
        raise ValueError(
            "The model trains, but its 'val_loss' holds no finite value (NaN in every "
            "epoch): there is no validation curve to read. Check that the validation rows "
            "exist and have non-zero weights (sample_weight, class_weight)."
        )


def _read_validation(curves, settings, restored, evidence, constant_loss):
    n_epochs = len(curves["loss"])
    raw_val = finite(curves["val_loss"])
    evidence = list(evidence) + _missing_epochs_evidence(raw_val)
    train = smooth(curves["loss"], settings.smoothing)
    val = smooth(raw_val, settings.smoothing)
    best = int(np.nanargmin(val))
    last = _last_finite(val)
    gap = {"best": float(val[best] - train[best]), "end": float(val[last] - train[last])}
    if np.nanmax(raw_val) == np.nanmin(raw_val) and np.count_nonzero(~np.isnan(raw_val)) >= 3:
        evidence.append(
            f"the validation loss is {raw_val[best]:.4g} in every epoch while the training "
            "loss falls: the predictions on the validation rows never change"
        )
        return Verdict("not_generalizing", evidence, [("not_generalizing", {})],
                       best_epoch=best + 1, gap=gap)
    evidence.append(
        f"validation loss (moving median of {settings.smoothing}) is lowest at epoch "
        f"{best + 1} ({val[best]:.4g}) and ends at {val[last]:.4g} "
        f"({percent(relative_rise(float(val[best]), float(val[last])))}) after {n_epochs} "
        "epochs"
    )
    evidence.append(
        f"validation minus training loss: {gap['best']:.4g} at the best epoch, "
        f"{gap['end']:.4g} at the last"
    )
    noisy = relative_noise(raw_val, val)
    if noisy > NOISY:
        evidence.append(f"validation loss is noisy: about {noisy:.0%} from epoch to epoch")

    if settings.baseline_score is not None:
        beats, line = _baseline_check(curves, best, settings)
        evidence.append(line)
        if beats is False:
            return Verdict("not_generalizing", evidence, [("not_generalizing", {})],
                           best_epoch=best + 1, gap=gap)

    exact = _exact_fit(val, last, constant_loss)
    if exact is not None:
        blown = _blown_up_evidence(curves["loss"], constant_loss)
        advice = [("blown_up", {})] if blown else [("good_fit", {"epoch": best + 1})]
        return Verdict("good_fit", evidence + [exact, *blown], advice, best_epoch=best + 1,
                       gap=gap, exact_fit=True)
    curve = _ValidationCurve(raw_val, val, best, settings.confidence)
    status, overfit_epoch, lines, advice = curve.read(
        settings.overfit_margin, settings.plateau_tolerance, restored
    )
    if noisy > NOISY and ("unreadable", {}) not in advice:
        advice.append(("noisy", {}))
    return Verdict(status, evidence + lines, advice, best_epoch=best + 1,
                   overfit_epoch=overfit_epoch, gap=gap, still_falling=curve.falling)


def _exact_fit(val, last, constant_loss):
    """Why the smoothed validation loss ``val`` shows (almost) exact predictions to the last
    epoch, or None: at most ``EXACT`` times a constant prediction's loss, where neither
    capacity nor epochs have anything left to gain (whether it still falls or not)."""
    if constant_loss is None or not val[last] <= EXACT * constant_loss[0]:
        return None
    level, meaning = constant_loss
    return (f"the validation loss ends at {val[last]:.4g}, at most {EXACT:g} times the loss of "
            f"a constant prediction ({level:.4g}, {meaning}): the model predicts the "
            "validation rows (almost) exactly, with nothing left to gain")


def _blown_up_evidence(loss, constant_loss):
    """A line on training-loss epochs ``DIVERGED`` times a constant prediction's, if any."""
    values = finite(loss)
    peak = int(np.nanargmax(values))
    ratio = values[peak] / constant_loss[0]
    if not ratio > DIVERGED:
        return []
    return [f"the training loss reached {values[peak]:.4g} at epoch {peak + 1}, {ratio:.3g} "
            "times a constant prediction's: the steps are far too large"]


def _missing_epochs_evidence(raw_val):
    missing = np.flatnonzero(np.isnan(raw_val))
    if not missing.size:
        return []
    return [f"validation loss is not finite in {missing.size} of {len(raw_val)} epochs (the "
            f"first: epoch {missing[0] + 1}); those epochs are left out"]


def _last_finite(curve):
    return int(np.flatnonzero(~np.isnan(curve))[-1])


def _level(loss):
    """A typical value of the loss (median of its finite epochs), or NaN."""
    values = finite(loss)
    return float(np.nanmedian(values)) if not np.isnan(values).all() else math.nan


@dataclasses.dataclass
class _ValidationCurve:
    """The validation loss from its (smoothed) minimum on, and its trend there."""

    raw: np.ndarray
    smoothed: np.ndarray
    best: int
    confidence: float
    falling: bool = False  # set by read(): still falling at the last epoch

    def read(self, overfit_margin, plateau_tolerance, restored):
        """Return status, overfit epoch (1-based), evidence and advice items."""
        n_epochs, best = len(self.raw), self.best
        low = abs(float(self.smoothed[best])) or math.inf
        slope, slope_low, slope_high = trend(self.raw[best:], self.confidence)
        rise = slope * (n_epochs - 1 - best) / low
        lines = [
            f"after epoch {best + 1} the validation loss trend is {slope / low:+.2%} of its "
            f"minimum per epoch (Theil-Sen, {self.confidence:.0%} interval "
            f"{slope_low / low:+.2%} to {slope_high / low:+.2%}), {rise:+.1%} by the end"
        ] if n_epochs - best >= 3 else []
        turned_up = slope_low > 0
        overfit = None
        if turned_up and rise > overfit_margin:
            overfit = min(n_epochs, best + math.ceil(overfit_margin * low / slope) + 1)
            lines.append(f"the rise passes {overfit_margin:.0%} at epoch {overfit}")
        smoothed = self.smoothed[~np.isnan(self.smoothed)]
        tail = min(len(smoothed), max(2, len(smoothed) // 4))  # one finite value: no trend
        recent = relative_decrease(float(smoothed[-tail]), float(smoothed[-1]))
        falling = self.falling = not turned_up and recent > plateau_tolerance
        if falling:
            lines.append(f"still falling: {percent(-recent)} over the last {tail} epochs")

        if restored is not None and (overfit is None or restored <= overfit):
            if falling:
                return "underfitting", None, lines, [("cut_short", {"restored": restored})]
            lines.append(
                f"early stopping restored the weights of epoch {restored}; "
                f"{n_epochs - restored} more epochs did not improve on it"
            )
            return "good_fit", overfit, lines, [("good_fit", {"epoch": restored})]
        if overfit is not None:
            return "overfitting", overfit, lines, [("overfitting", {"best_epoch": best + 1})]
        if turned_up:
            lines.append(f"it turned up, by less than the {overfit_margin:.0%} of overfitting")
            return "good_fit", None, lines, [("good_fit", {"epoch": best + 1})]
        if falling:
            return "underfitting", None, lines, [("underfitting", {"falling": True})]
        visible = relative_rise(float(self.smoothed[best]), float(smoothed[-1]))
        if visible > overfit_margin:
            lines.append(
                f"the smoothed curve ends {percent(visible, '+.0%')} above its minimum, but the "
                "rise is not "
                "significant against the noise"
            )
            return "underfitting", None, lines, [("unreadable", {})]
        lines.append("no significant rise: it never clearly turned up")
        return "underfitting", None, lines, [("underfitting", {"falling": False})]


def _baseline_check(curves, best, settings):
    """Return (beats: bool or None when unreadable, evidence line)."""
    key = settings.score or ("val_accuracy" if "val_accuracy" in curves else "val_loss")
    if key not in curves:
        raise ValueError(f"score={key!r} is not in the history; its keys are {sorted(curves)}.")
    values = smooth(curves[key], settings.smoothing)
    if np.isnan(values).all():
        return None, (f"{key} holds no finite value: the comparison with the baseline "
                      f"{settings.baseline_score:.4g} is skipped")
    value = float(values[best]) if not np.isnan(values[best]) else float(np.nanmedian(values))
    sign = 1 if greater_is_better(key) else -1
    margin = (2 * noise(curves[key]) if settings.baseline_margin == "auto"
              else settings.baseline_margin)
    beats = bool(sign * (value - settings.baseline_score) > margin)
    return beats, (
        f"{key} at the best epoch is {value:.4g} vs baseline {settings.baseline_score:.4g}: "
        + ("better" if beats else "no better") + f" by more than the margin {margin:.3g}"
    )


def _spike_evidence(loss):
    first = blow_up_epochs(loss)
    if not first:
        return []
    return [
        f"training loss blew up to {loss[0]:.4g} in epoch 1, more than {BLOW_UP:g} times "
        f"its value {loss[first]:.4g} at epoch {first + 1}: the steps are too large"
    ]
