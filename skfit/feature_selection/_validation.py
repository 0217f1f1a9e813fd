"""Checks of the target and the features that mutual information needs.

Each check raises a clear error (what is wrong, where, what to do) before any
scoring, where numpy or pandas would otherwise fail deep inside with a message
about comparing ``None`` to ``str`` or the truth value of ``pd.NA``.
"""

import warnings

import numpy as np
from scipy import sparse

from ..utils.validation import check_numeric_columns


def check_features(X):
    """Raise a TypeError naming the first column of ``X`` that holds text.

    A DataFrame is checked by its column dtypes (see
    :func:`~skfit.utils.validation.check_numeric_columns`); an array or list
    by its entries when numpy stores it as text or objects. Sparse matrices
    are numeric by construction and are left to the caller's validation.

    Parameters
    ----------
    X : object
        The features as the user gave them; not modified.
    """
    check_numeric_columns(X, "Mutual information")
    if sparse.issparse(X) or hasattr(X, "columns"):
        return
    array = np.asarray(X) if isinstance(X, (list, tuple, np.ndarray)) else None
    if array is None or array.dtype.kind not in "OUS" or array.ndim != 2:
        return
    is_text = np.vectorize(lambda v: isinstance(v, (str, bytes)), otypes=[bool])(array)
    if is_text.any():
        row, column = (int(i[0]) for i in np.nonzero(is_text))
        raise TypeError(
            "Mutual information needs numeric features; column "
            f"{column} holds text (row {row}: {array[row, column]!r}). Encode "
            "it first (e.g. with OrdinalEncoder or OneHotEncoder)."
        )


def check_discrete_target(y, discrete_target):
    """Refuse a target that cannot be what ``discrete_target`` says it is.

    ``discrete_target=True`` on a continuous target (floats that are not
    whole numbers) raises, as
    :func:`~sklearn.feature_selection.mutual_info_classif` does: each value
    would be a class of its own, and every feature would score its own
    entropy. ``discrete_target=False`` on labels that are not numbers raises.
    Class labels most of which occur once warn, for the same reason.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The target, checked by :func:`check_target`.
    discrete_target : bool
        The resolved setting (not ``"auto"``).
    """
    if discrete_target:
        fractional = y.dtype.kind == "f" and np.mod(y, 1) != 0
        if np.any(fractional):
            raise ValueError(
                "discrete_target=True, but y is continuous (non-integer values "
                f"such as {y[np.argmax(fractional)]!r}; {np.unique(y).size} distinct "
                f"in {y.size} rows): as class labels each value would be a class "
                "of its own, and every feature would score its own entropy, not "
                "its relevance. Use discrete_target='auto' or False for a "
                "continuous target, or cut y into classes first (float class "
                "labels must be whole numbers, as scikit-learn's classifiers "
                "require)."
            )
        n_classes = np.unique(y).size
        if n_classes > 2 and 2 * n_classes > y.size:
            warnings.warn(
                f"y has {n_classes} classes in {y.size} rows, most of them seen "
                "once: mutual information with such labels measures each "
                "feature's own entropy, not its relevance. If y is a quantity, "
                "pass discrete_target=False.",
                UserWarning,
            )
    elif not (y.dtype.kind in "biuf"):
        raise ValueError(
            "discrete_target=False needs a numeric y (a continuous quantity); "
            f"got values of dtype {y.dtype} such as {y[0]!r}. Use "
            "discrete_target=True or 'auto' for class labels."
        )


def warn_features(indices, feature_names, message):
    """Warn ``Features [names] <message>``, listing at most ten of them."""
    names = indices if feature_names is None else feature_names[indices]
    listed = str(names[:10].tolist())
    if names.size > 10:
        listed += f" and {names.size - 10} more ({names.size} in all)"
    warnings.warn(f"Features {listed} {message}", UserWarning)
