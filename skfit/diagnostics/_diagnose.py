"""Read the fit off its loss curves: a verdict, the evidence behind it, the next step."""

import dataclasses
import math
from numbers import Integral, Real

import numpy as np
from scipy.stats import theilslopes

from ..utils.fixes import Interval, StrOptions, validate_params
from ._history import check_history

__all__ = ["diagnose", "Diagnosis"]

NOISY = 0.05  # relative epoch-to-epoch noise of a validation curve worth a warning
_UNREADABLE = (
    "The validation curve is too noisy to tell underfitting from overfitting: lower the "
    "learning rate, use a bigger batch or a larger validation set (validation_fraction), "
    "then diagnose again."
)
BLOW_UP = 10.0  # a training loss this many times the next epoch's is a blow-up
_LOWER_IS_BETTER = ("loss", "error", "mse", "mae", "mape", "msle", "rmse", "crossentropy")


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Diagnosis:
    """What the loss curves say about a fit, returned by :func:`diagnose`.

    Parameters
    ----------
    status : {"not_training", "not_generalizing", "underfitting", \
"overfitting", "good_fit"}
        The verdict.
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
        Concrete next steps.
    n_epochs : int
        Number of epochs in the history.
    """

    status: str
    best_epoch: int | None
    overfit_epoch: int | None
    gap: dict
    evidence: list
    advice: list
    n_epochs: int

    def summary(self):
        """Return the verdict, evidence and advice as readable text."""
        lines = [repr(self), "Evidence:"]
        lines += [f"  - {line}" for line in self.evidence]
        lines.append("Advice:")
        lines += [f"  - {line}" for line in self.advice]
        return "\n".join(lines)

    def __str__(self):
        return self.summary()

    def __repr__(self):
        gap = ", ".join(f"{key}={value:.3g}" for key, value in self.gap.items())
        return (
            f"Diagnosis(status={self.status!r}, best_epoch={self.best_epoch}, "
            f"overfit_epoch={self.overfit_epoch}, gap=({gap}), n_epochs={self.n_epochs})"
        )


def smooth(curve, window):
    """Centered moving median.

    A median, unlike a mean, ignores the one-epoch spikes of noisy curves.
    The window shrinks symmetrically near the first epoch, where curves fall
    fastest (a one-sided window there would lend the first epoch the low
    values of later ones), and is cut at the last epoch.
    """
    half = window // 2
    return np.array([
        np.median(curve[max(0, i - half) : i + min(half, i) + 1]) for i in range(len(curve))
    ])


def training_failure(loss, min_relative_decrease=0.1):
    """Say why a training-loss curve shows no (stable) training, or return None.

    The starting level is the first epoch's loss, unless the curve opens
    with blow-up epochs (loss above ten times the next epoch's, the mark of
    steps far too large): then the lowest loss of the first third of the
    epochs after them, so that settling down from a blow-up does not count
    as training.
    Three failures: the loss becomes NaN or infinite (diverged); its median
    over the last third of the epochs is less than ``min_relative_decrease``
    below the starting level (no decrease); or it later climbs back more
    than ``min_relative_decrease`` above the highest loss of the epochs that
    gave the starting level (unstable).

    Parameters
    ----------
    loss : ndarray of shape (n_epochs,)
        Training loss per epoch.
    min_relative_decrease : float, default=0.1
        Smallest relative decrease that counts as training.

    Returns
    -------
    reason : str or None
        The evidence of failure; None when the model trains.
    """
    not_finite = np.flatnonzero(~np.isfinite(loss))
    if not_finite.size:
        return f"training loss is {loss[not_finite[0]]} at epoch {not_finite[0] + 1}: diverged"
    first = _blow_up_epochs(loss)
    k = max(1, (len(loss) - first) // 3)
    if first:
        start, window = float(np.min(loss[first : first + k])), k
        level = f"lowest of epochs {first + 1}-{first + k}, after the blow-up"
    else:
        start, window, level = float(loss[0]), 1, "epoch 1"
    end = float(np.median(loss[-k:]))
    decrease = _relative_decrease(start, end)
    if decrease < min_relative_decrease:
        return (
            f"training loss went from {start:.4g} ({level}) to {end:.4g} (median of the last "
            f"{k} epochs), a {-decrease:+.1%} change; training needs a decrease of at least "
            f"{min_relative_decrease:.0%}"
        )
    if len(loss) <= first + window:
        return None
    top = float(np.max(loss[first : first + window]))
    later = first + window + int(np.argmax(loss[first + window :]))
    if _relative_rise(top, float(loss[later])) > min_relative_decrease:
        return (
            f"training loss climbed back to {loss[later]:.4g} at epoch {later + 1}, above "
            f"{top:.4g}, its highest in epochs {first + 1}-{first + window}: unstable"
        )
    return None


def _blow_up_epochs(loss):
    """Number of leading epochs whose loss is ``BLOW_UP`` times the next epoch's.

    Healthy training does not lose 90% of its loss from one epoch to the
    next; a step far too large throws the loss up to hundreds, after which
    it falls back at once.
    """
    first = 0
    while first < len(loss) - 2 and loss[first] > BLOW_UP * max(loss[first + 1], 0.0):
        first += 1
    return first


def _relative_decrease(start, end):
    if start == end:
        return 0.0
    return (start - end) / abs(start) if start else math.inf


def _relative_rise(low, value):
    if value == low:
        return 0.0
    return (value - low) / abs(low) if low else math.inf


def _noise(raw, scale=1.0):
    """Robust standard deviation of a curve's epoch-to-epoch noise, over ``scale``.

    Second differences cancel any locally linear trend; for white noise of
    standard deviation s they have standard deviation sqrt(6) s.
    """
    if len(raw) < 3:
        return 0.0
    second = np.abs(raw[:-2] - 2 * raw[1:-1] + raw[2:]) / scale
    return float(1.4826 * np.median(second) / math.sqrt(6))


def _relative_noise(raw, smoothed):
    """Noise of a curve relative to its smoothed level."""
    return _noise(raw, np.maximum(np.abs(smoothed[1:-1]), np.finfo(float).tiny))


def greater_is_better(key):
    """Whether a history key names a score (higher is better) rather than a loss."""
    name = key.removeprefix("val_").lower()
    return not any(token in name for token in _LOWER_IS_BETTER)


@validate_params(
    {
        "estimator_or_history": "no_validation",
        "baseline_score": [Real, None],
        "score": [str, None],
        "baseline_margin": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "smoothing": [Interval(Integral, 1, None, closed="left")],
        "min_relative_decrease": [Interval(Real, 0, 1, closed="neither")],
        "overfit_margin": [Interval(Real, 0, None, closed="neither")],
        "plateau_tolerance": [Interval(Real, 0, None, closed="left")],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def diagnose(
    estimator_or_history,
    *,
    baseline_score=None,
    score=None,
    baseline_margin="auto",
    smoothing=5,
    min_relative_decrease=0.1,
    overfit_margin=0.1,
    plateau_tolerance=0.02,
    confidence=0.99,
):
    """Diagnose a fit from its training and validation curves.

    The checks follow the order of the practice: does the model train,
    does it beat the baseline, can it overfit, and did it stop at the right
    point. The best epoch is the minimum of the validation loss smoothed by
    a centered moving median, and a rise after it must be statistically
    significant, so that noisy epochs do not decide the verdict.

    - ``"not_training"``: the training loss does not decrease meaningfully,
      climbs back up (see ``min_relative_decrease``) or became NaN/inf.
    - ``"not_generalizing"``: the validation metric at the best epoch is no
      better than ``baseline_score`` (checked only when it is given).
    - ``"overfitting"``: after its minimum the validation loss rises
      significantly (the ``confidence`` interval of its Theil-Sen slope lies
      above zero), by more than ``overfit_margin`` by the last epoch.
    - ``"underfitting"``: no significant rise after the minimum: the
      validation loss is still falling at the last epoch, or flat without
      ever turning up.
    - ``"good_fit"``: a significant rise, but smaller than
      ``overfit_margin``; or the estimator's early stopping restored the
      weights of its best epoch, no later than the overfitting began, and
      the curve was no longer falling.

    Parameters
    ----------
    estimator_or_history : estimator, keras.callbacks.History or dict
        A fitted skfit or scikeras estimator (its ``history_``), a Keras
        ``History``, or a dict mapping ``"loss"``, ``"val_loss"`` and other
        metrics to one value per epoch.
    baseline_score : float, default=None
        Score of a common-sense baseline on the validation data (for
        example chance accuracy, or the mean of
        ``compare_to_baseline(...).baseline_scores``), in the units of
        ``score``. None skips the check.
    score : str, default=None
        History key of the validation metric compared with
        ``baseline_score``; ``"val_accuracy"`` when present, else
        ``"val_loss"``. Keys naming a loss or an error are lower-is-better.
    baseline_margin : float or "auto", default="auto"
        How much better than ``baseline_score`` the model must be. "auto":
        twice the epoch-to-epoch noise of the metric (a robust estimate
        from its second differences).
    smoothing : int, default=5
        Window, in epochs, of the moving median applied to the curves; 1
        disables smoothing.
    min_relative_decrease : float, default=0.1
        Relative decrease of the training loss, from its first epoch (or,
        after leading blow-up epochs, the lowest of the next third) to the
        median of the last third of the epochs, below which the model is
        not training; a later climb this far above the start is unstable.
    overfit_margin : float, default=0.1
        Rise of the validation loss from its minimum to the last epoch (the
        fitted trend, relative to the minimum) that counts as overfitting.
    plateau_tolerance : float, default=0.02
        Relative decrease of the smoothed validation loss over the last
        quarter of the epochs above which it is still falling.
    confidence : float, default=0.99
        Confidence level of the interval of the Theil-Sen slope of the
        validation loss after its minimum; the rise is significant when the
        whole interval lies above zero. On simulated flat curves with noise
        up to 10% per epoch, 0.99 calls about 1% of them overfitting.

    Returns
    -------
    diagnosis : Diagnosis
        ``status``, ``best_epoch``, ``overfit_epoch``, ``gap``, ``evidence``
        and ``advice``; ``print(diagnosis)`` shows them all.

    Raises
    ------
    ValueError
        If the model trains but the history has no ``"val_loss"`` (the later
        checks need a validation curve), or it has fewer than 2 epochs.

    Examples
    --------
    >>> from skfit.diagnostics import diagnose
    >>> history = {
    ...     "loss":     [1.0, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03],
    ...     "val_loss": [1.1, 0.7, 0.5, 0.45, 0.44, 0.47, 0.52, 0.58, 0.65, 0.72],
    ... }
    >>> diagnosis = diagnose(history, smoothing=1)
    >>> diagnosis.status, diagnosis.best_epoch, diagnosis.overfit_epoch
    ('overfitting', 5, 6)
    >>> diagnosis.advice[0]
    'Stop at epoch 5: early_stopping=True, or epochs=5.'
    """
    curves = check_history(estimator_or_history)
    n_epochs = len(curves["loss"])
    if n_epochs < 2:
        raise ValueError(f"diagnose needs at least 2 epochs of history; got {n_epochs}.")
    params = _params(estimator_or_history)
    evidence = [f"only {n_epochs} epochs: the verdict is tentative"] if n_epochs < 6 else []

    failure = training_failure(curves["loss"], min_relative_decrease)
    if failure is not None:
        evidence.insert(0, failure)
        evidence += _spike_evidence(curves["loss"])
        return Diagnosis("not_training", None, None, {}, evidence, _not_training_advice(params),
                         n_epochs)
    if "val_loss" not in curves:
        raise ValueError(
            "The model trains, but the history has no 'val_loss': the remaining checks "
            f"need a validation curve (fit with validation_fraction > 0). Keys: {sorted(curves)}."
        )

    train = smooth(curves["loss"], smoothing)
    val = smooth(curves["val_loss"], smoothing)
    best = int(np.argmin(val))
    gap = {"best": float(val[best] - train[best]), "end": float(val[-1] - train[-1])}
    evidence.append(
        f"validation loss (moving median of {smoothing}) is lowest at epoch {best + 1} "
        f"({val[best]:.4g}) and ends at {val[-1]:.4g} "
        f"({_relative_rise(float(val[best]), float(val[-1])):+.1%}) after {n_epochs} epochs"
    )
    evidence.append(
        f"validation minus training loss: {gap['best']:.4g} at the best epoch, "
        f"{gap['end']:.4g} at the last"
    )
    noise = _relative_noise(curves["val_loss"], val)
    if noise > NOISY:
        evidence.append(f"validation loss is noisy: about {noise:.0%} from epoch to epoch")

    if baseline_score is not None:
        beats, line = _baseline_check(curves, best, baseline_score, score, baseline_margin,
                                      smoothing)
        evidence.append(line)
        if not beats:
            return Diagnosis("not_generalizing", best + 1, None, gap, evidence,
                             _not_generalizing_advice(), n_epochs)

    curve = _ValidationCurve(curves["val_loss"], val, best, confidence)
    restored = _restored_epoch(estimator_or_history, n_epochs)
    status, overfit_epoch, lines, advice = curve.read(
        overfit_margin, plateau_tolerance, restored, params
    )
    if noise > NOISY and _UNREADABLE not in advice:
        advice.append(
            "Lower the learning rate or use a bigger batch to calm the validation curve."
        )
    return Diagnosis(status, best + 1, overfit_epoch, gap, evidence + lines, advice, n_epochs)


@dataclasses.dataclass
class _ValidationCurve:
    """The validation loss from its (smoothed) minimum on, and its trend there."""

    raw: np.ndarray
    smoothed: np.ndarray
    best: int
    confidence: float

    def read(self, overfit_margin, plateau_tolerance, restored, params):
        """Return status, overfit epoch (1-based), evidence and advice."""
        n_epochs, best = len(self.raw), self.best
        low = abs(float(self.smoothed[best])) or math.inf
        slope, slope_low, slope_high = self._trend()
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
        tail = max(2, n_epochs // 4)
        recent = _relative_decrease(float(self.smoothed[-tail]), float(self.smoothed[-1]))
        falling = not turned_up and recent > plateau_tolerance
        if falling:
            lines.append(f"still falling: {-recent:+.1%} over the last {tail} epochs")

        if restored is not None and (overfit is None or restored <= overfit):
            if falling:
                return "underfitting", None, lines, _cut_short_advice(restored, params)
            lines.append(
                f"early stopping restored the weights of epoch {restored}; "
                f"{n_epochs - restored} more epochs did not improve on it"
            )
            return "good_fit", overfit, lines, _good_fit_advice(restored)
        if overfit is not None:
            return "overfitting", overfit, lines, _overfitting_advice(best + 1, params)
        if turned_up:
            lines.append(f"it turned up, by less than the {overfit_margin:.0%} of overfitting")
            return "good_fit", None, lines, _good_fit_advice(best + 1)
        if falling:
            return "underfitting", None, lines, _underfitting_advice(True, params)
        visible = _relative_rise(float(self.smoothed[best]), float(self.smoothed[-1]))
        if visible > overfit_margin:
            lines.append(
                f"the smoothed curve ends {visible:+.0%} above its minimum, but the rise is not "
                "significant against the noise"
            )
            return "underfitting", None, lines, [_UNREADABLE]
        lines.append("no significant rise: it never clearly turned up")
        return "underfitting", None, lines, _underfitting_advice(False, params)

    def _trend(self):
        tail = self.raw[self.best :]
        if len(tail) < 3:
            return 0.0, 0.0, 0.0
        slope, _, slope_low, slope_high = theilslopes(tail, alpha=self.confidence)
        return float(slope), float(slope_low), float(slope_high)


def _baseline_check(curves, best, baseline_score, score, baseline_margin, smoothing):
    key = score or ("val_accuracy" if "val_accuracy" in curves else "val_loss")
    if key not in curves:
        raise ValueError(f"score={key!r} is not in the history; its keys are {sorted(curves)}.")
    value = float(smooth(curves[key], smoothing)[best])
    sign = 1 if greater_is_better(key) else -1
    margin = 2 * _noise(curves[key]) if baseline_margin == "auto" else baseline_margin
    beats = sign * (value - baseline_score) > margin
    return beats, (
        f"{key} at the best epoch is {value:.4g} vs baseline {baseline_score:.4g}: "
        + ("better" if beats else "no better") + f" by more than the margin {margin:.3g}"
    )


def _spike_evidence(loss):
    first = _blow_up_epochs(loss)
    if not first:
        return []
    return [
        f"training loss blew up to {loss[0]:.4g} in epoch 1, more than {BLOW_UP:g} times "
        f"its value {loss[first]:.4g} at epoch {first + 1}: the steps are too large"
    ]


def _params(source):
    get_params = getattr(source, "get_params", None)
    return get_params() if callable(get_params) else {}


def _restored_epoch(source, n_epochs):
    best = getattr(source, "best_epoch_", None)
    if getattr(source, "early_stopping", False) and best is not None and best < n_epochs:
        return int(best)
    return None


def _scaled_sizes(sizes, factor):
    if sizes is None:
        return None
    sizes = tuple(sizes) if isinstance(sizes, (list, tuple)) else (sizes,)
    if factor > 1:
        return tuple(int(size * factor) for size in sizes) or (64,)
    return tuple(max(1, int(size * factor)) for size in sizes)


def _not_training_advice(params):
    rate, batch = params.get("learning_rate"), params.get("batch_size")
    lower = (f"learning_rate={rate:g} -> try {rate / 10:g} and {rate / 100:g}"
             if isinstance(rate, Real) else "try 10 and 100 times smaller")
    bigger = (f"batch_size={batch} -> {4 * batch}" if isinstance(batch, Integral)
              else "for example 4 times larger")
    return [
        f"Lower the learning rate: {lower} (learning_rate_sweep).",
        f"Use a bigger batch for less noisy gradients: {bigger}.",
        "Check that the inputs are scaled (StandardScaler) and the targets match the loss.",
    ]


def _not_generalizing_advice():
    return [
        "The inputs may not hold the information needed: check the data and labels, "
        "engineer better features, drop noise features (MutualInfoSelector).",
        "The model's architecture prior may not suit the data: try another model family.",
        "Confirm on identical folds, against shuffled labels: compare_to_baseline(..., "
        "n_permutations=...).",
    ]


def _underfitting_advice(falling, params):
    epochs, sizes = params.get("epochs"), params.get("hidden_layer_sizes")
    advice = []
    if falling:
        longer = (f"epochs={epochs} -> {2 * epochs}" if isinstance(epochs, Integral)
                  else "more epochs")
        advice.append(f"Train longer, validation loss is still falling: {longer}.")
    bigger = _scaled_sizes(sizes, 2)
    advice.append(
        "Increase capacity until validation loss turns up: "
        + (f"hidden_layer_sizes={tuple(sizes)} -> {bigger}" if bigger else "more units or layers")
        + " (capacity_sweep)."
    )
    regularized = {key: params[key] for key in ("l1", "l2", "dropout") if params.get(key)}
    if regularized:
        current = ", ".join(f"{key}={value:g}" for key, value in regularized.items())
        advice.append(f"Reduce regularization: {current}.")
    return advice


def _cut_short_advice(restored, params):
    patience = params.get("patience")
    more = (f"patience={patience} -> {2 * patience}" if isinstance(patience, Integral)
            else "a larger patience")
    return [
        f"Early stopping cut training at epoch {restored} while the validation loss was "
        f"still falling: {more}.",
        *_underfitting_advice(True, params)[1:],
    ]


def _overfitting_advice(best_epoch, params):
    sizes, l2, dropout = (params.get(key) for key in ("hidden_layer_sizes", "l2", "dropout"))
    smaller = _scaled_sizes(sizes, 0.5)
    return [
        f"Stop at epoch {best_epoch}: early_stopping=True, or epochs={best_epoch}.",
        "Add weight regularization: "
        + (f"l2={l2:g} -> {10 * l2:g}." if l2 else "l2=1e-3 (L2, weight decay)."),
        "Add dropout: "
        + (f"dropout={dropout:g} -> {min(0.5, dropout + 0.2):g}." if dropout
           else "dropout=0.2 to 0.5."),
        "Use a smaller model: "
        + (f"hidden_layer_sizes={tuple(sizes)} -> {smaller}" if smaller else "fewer units")
        + " (capacity_sweep).",
        "Get more, or cleaner, training data.",
    ]


def _good_fit_advice(best_epoch):
    return [
        f"Keep this configuration; retrain on training plus validation data for "
        f"{best_epoch} epochs and evaluate once on the test set.",
        "To go further: better features or more data, or a larger model with L2 or dropout.",
    ]
