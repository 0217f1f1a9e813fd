"""Statistics of per-epoch curves: smoothing, noise, trend, and whether training ran.

Pure functions of arrays (one value per epoch, NaN where an epoch has no
finite value); :mod:`._decision` reads a verdict from them.
"""

import math

import numpy as np
from scipy.stats import theilslopes

BLOW_UP = 10.0  # a training loss this many times the next epoch's is a blow-up
DIVERGED = 10.0  # a lowest loss this many times a constant prediction's has diverged
MAX_TREND_POINTS = 400  # Theil-Sen is quadratic: longer tails are binned to this many points
_LOWER_IS_BETTER = ("loss", "error", "mse", "mae", "mape", "msle", "rmse", "crossentropy")


def greater_is_better(key):
    """Whether a history key names a score (higher is better) rather than a loss."""
    name = key.removeprefix("val_").lower()
    return not any(token in name for token in _LOWER_IS_BETTER)


def finite(curve):
    """A float copy of ``curve`` with every non-finite value replaced by NaN."""
    curve = np.asarray(curve, dtype=float)
    return np.where(np.isfinite(curve), curve, np.nan)


def smooth(curve, window):
    """Centered moving median, ignoring NaN epochs.

    A median, unlike a mean, ignores the one-epoch spikes of noisy curves.
    The window shrinks symmetrically near the first epoch, where curves fall
    fastest (a one-sided window there would lend the first epoch the low
    values of later ones), and is cut at the last epoch. An epoch whose
    whole window is NaN stays NaN.
    """
    curve = finite(curve)
    half = window // 2
    smoothed = np.full(len(curve), np.nan)
    for i in range(len(curve)):
        part = curve[max(0, i - half) : i + min(half, i) + 1]
        part = part[~np.isnan(part)]
        if part.size:
            smoothed[i] = np.median(part)
    return smoothed


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
    gave the starting level (unstable). A loss that is zero from the start
    has nothing left to decrease, and counts as training. A single finite
    epoch cannot show a failure.

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
    loss = np.asarray(loss, dtype=float)
    not_finite = np.flatnonzero(~np.isfinite(loss))
    if not_finite.size:
        return (f"training loss is {loss[not_finite[0]]} at epoch {not_finite[0] + 1}: "
                "diverged")
    if len(loss) < 2:
        return None
    first = blow_up_epochs(loss)
    k = max(1, (len(loss) - first) // 3)
    if first:
        start, window = float(np.min(loss[first : first + k])), k
        level = f"lowest of epochs {first + 1}-{first + k}, after the blow-up"
    else:
        start, window, level = float(loss[0]), 1, "epoch 1"
    end = float(np.median(loss[-k:]))
    if start == end == 0.0:
        return None  # a perfect fit from the first epoch on
    decrease = relative_decrease(start, end)
    if decrease < min_relative_decrease:
        return (
            f"training loss went from {start:.4g} ({level}) to {end:.4g} (median of the last "
            f"{k} epochs), a {percent(-decrease)} change; training needs a decrease of at least "
            f"{min_relative_decrease:.0%}"
        )
    if len(loss) <= first + window:
        return None
    top = float(np.max(loss[first : first + window]))
    later = first + window + int(np.argmax(loss[first + window :]))
    if relative_rise(top, float(loss[later])) > min_relative_decrease:
        return (
            f"training loss climbed back to {loss[later]:.4g} at epoch {later + 1}, above "
            f"{top:.4g}, its highest in epochs {first + 1}-{first + window}: unstable"
        )
    return None


def blow_up_epochs(loss):
    """Number of leading epochs whose loss is ``BLOW_UP`` times the next epoch's.

    Healthy training does not lose 90% of its loss from one epoch to the
    next; a step far too large throws the loss up to hundreds, after which
    it falls back at once.
    """
    first = 0
    while first < len(loss) - 2 and loss[first] > BLOW_UP * max(loss[first + 1], 0.0):
        first += 1
    return first


def divergence(curves, constant_loss, smoothing=5):
    """Say how a curve shows diverged training, or return None.

    Diverged: ``"loss"`` ends with non-finite epochs, or ``"val_loss"`` does
    after finite ones (the network's outputs overflowed); a validation curve
    without any finite value carries no signal and is not read as one; or, when ``constant_loss`` (the loss
    of a constant prediction) is known, the lowest value of either curve's
    moving median stays above ``DIVERGED`` times it: a blown-up network's
    loss jumps by thousands from epoch to epoch, and one epoch that lands
    low by chance is not training (the first epoch, alone in its window,
    is left out of that minimum for the same reason). The training loss turning non-finite
    earlier is reported by :func:`training_failure`.

    Parameters
    ----------
    curves : dict of str to ndarray
        The history, with ``"loss"`` and maybe ``"val_loss"``.
    constant_loss : tuple of (float, str) or None
        The loss of a constant prediction and what it is, for the message.
    smoothing : int, default=5
        The moving median's window, in epochs.

    Returns
    -------
    reason : str or None
    """
    names = {"loss": "training loss", "val_loss": "validation loss"}
    for key in ("loss", "val_loss"):
        curve = curves.get(key)
        if curve is None or np.isfinite(curve[-1]):
            continue
        if not np.isfinite(curve).any():
            if key == "val_loss":
                continue  # never a finite value: no validation signal, not a divergence
            first = 0
        else:  # the first epoch of the non-finite run the curve ends with
            first = len(curve) - int(np.argmax(np.isfinite(curve[::-1])))
        return f"{names[key]} is {curve[first]} at epoch {first + 1}: diverged"
    if constant_loss is None:
        return None
    level, meaning = constant_loss
    for key in ("loss", "val_loss"):
        values = _settled(smooth(curves.get(key, [np.nan]), smoothing), smoothing)
        if np.isnan(values).all() or level <= 0:
            continue
        lowest = float(np.nanmin(values))
        if lowest > DIVERGED * level:
            median = f" (moving median of {smoothing})" if smoothing > 1 else ""
            return (
                f"the {names[key]}{median} never fell below {lowest:.4g}, {lowest / level:.3g} times "
                f"the loss of a constant prediction ({level:.4g}, {meaning}): the steps are "
                "far too large, training diverged"
            )
    return None


def _settled(smoothed, smoothing):
    """The moving median without its first epoch, whose window holds that epoch alone (see
    :func:`smooth`), unless nothing else is finite: one lucky first epoch is not a level."""
    rest = smoothed[1:]
    if smoothing > 1 and rest.size and not np.isnan(rest).all():
        return rest
    return smoothed


def relative_decrease(start, end):
    """``(start - end) / |start|``; 0 when equal, +-inf from a start of 0."""
    if start == end:
        return 0.0
    return (start - end) / abs(start) if start else math.copysign(math.inf, start - end)


def relative_rise(low, value):
    """``(value - low) / |low|``; 0 when equal, +-inf from a low of 0."""
    return -relative_decrease(low, value)


def percent(change, spec="+.1%"):
    """A relative change as text; a change from zero has no percentage."""
    return format(change, spec) if math.isfinite(change) else "from zero"


def noise(raw, scale=1.0):
    """Robust standard deviation of a curve's epoch-to-epoch noise, over ``scale``.

    Second differences cancel any locally linear trend; for white noise of
    standard deviation s they have standard deviation sqrt(6) s. NaN epochs
    drop the differences they take part in.
    """
    raw = finite(raw)
    if len(raw) < 3:
        return 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        second = np.abs(raw[:-2] - 2 * raw[1:-1] + raw[2:]) / scale
        second = second[np.isfinite(second)]
        value = 1.4826 * np.median(second) / math.sqrt(6) if second.size else 0.0
    return float(value) if math.isfinite(value) else 0.0


def relative_noise(raw, smoothed):
    """Noise of a curve relative to its smoothed level.

    Epochs whose level is (nearly) zero are measured against a billionth of
    the curve's largest level, so that a curve at zero is not infinitely noisy.
    """
    if len(raw) < 3:
        return 0.0
    size = np.nanmax(np.abs(smoothed))
    level = np.abs(smoothed[1:-1])
    level = np.where(np.isnan(level), size, level)
    return noise(raw, np.maximum(level, max(1e-9 * size, np.finfo(float).tiny)))


def trend(tail, confidence):
    """Theil-Sen slope of ``tail`` (per epoch) and its ``confidence`` interval.

    NaN epochs are left out; a tail longer than ``MAX_TREND_POINTS`` is
    first reduced to that many bin medians (Theil-Sen compares every pair
    of points). Fewer than 3 points give ``(0, 0, 0)``.
    """
    tail = finite(tail)
    epochs = np.arange(len(tail), dtype=float)
    keep = ~np.isnan(tail)
    tail, epochs = tail[keep], epochs[keep]
    if len(tail) > MAX_TREND_POINTS:
        bins = np.array_split(np.arange(len(tail)), MAX_TREND_POINTS)
        tail = np.array([np.median(tail[b]) for b in bins])
        epochs = np.array([np.median(epochs[b]) for b in bins])
    if len(tail) < 3:
        return 0.0, 0.0, 0.0
    slope, _, low, high = theilslopes(tail, epochs, alpha=confidence)
    return float(slope), float(low), float(high)
