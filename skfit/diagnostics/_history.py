"""One normal form for training histories, whatever produced them."""

from collections.abc import Mapping

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils._estimators import final_estimator

__all__ = ["check_history"]

_ACCEPTED = (
    "a fitted skfit or scikeras estimator (with history_), a Keras History "
    "object, or a dict mapping metric names to per-epoch values"
)


def check_history(history, *, required=("loss",)):
    """Return a training history as a new dict of float arrays.

    Parameters
    ----------
    history : estimator, keras.callbacks.History or dict of str to list
        A fitted estimator exposing ``history_`` (skfit's Keras estimators,
        scikeras), the ``History`` object returned by ``keras.Model.fit``
        (its ``.history``), or a mapping from metric name (``"loss"``,
        ``"val_loss"``, ``"val_accuracy"``, ...) to one value per epoch.
    required : tuple of str, default=("loss",)
        Keys the history must contain.

    Returns
    -------
    history : dict of str to ndarray of shape (n_epochs,)
        Float copies (the source is never modified), all of one length.

    Raises
    ------
    TypeError
        If ``history`` is none of the accepted kinds, or a value is not a
        sequence of numbers.
    sklearn.exceptions.NotFittedError
        If ``history`` is an estimator that has not been fitted.
    ValueError
        If a required key is missing, the history is empty, or the metrics
        have different lengths.
    """
    mapping = _as_mapping(history)
    curves = {}
    for key, values in mapping.items():
        if not isinstance(key, str):
            raise TypeError(f"history keys must be metric names (str); got {key!r}.")
        try:
            curve = np.array(values, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"history[{key!r}] must be a sequence of numbers, one per epoch; "
                f"got {type(values).__name__}."
            ) from exc
        if curve.ndim != 1:
            raise TypeError(
                f"history[{key!r}] must be one-dimensional (one value per epoch); "
                f"got shape {curve.shape}."
            )
        curves[key] = curve
    missing = [key for key in required if key not in curves]
    if missing:
        raise ValueError(
            f"history must contain {missing}; it has {sorted(curves)}. "
            "Validation curves need a validation set (validation_fraction > 0)."
        )
    lengths = {key: len(curve) for key, curve in curves.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"history metrics must all have one value per epoch; lengths: {lengths}.")
    if not curves or not next(iter(lengths.values())):
        raise ValueError("history is empty: it holds no epoch.")
    return curves


def _as_mapping(history):
    # estimator.history_ -> (scikeras: History) -> History.history; a Keras
    # model after fit holds its History in .history.
    source = final_estimator(history)
    for attribute in ("history_", "history", "history"):
        if isinstance(source, Mapping):
            return source
        source = getattr(source, attribute, source)
    if isinstance(source, Mapping):
        return source
    if hasattr(history, "fit"):
        check_is_fitted(history)
        raise TypeError(f"{type(history).__name__} has no history_; expected {_ACCEPTED}.")
    raise TypeError(f"Expected {_ACCEPTED}; got {type(history).__name__}.")
