"""Checks of the target and the features that mutual information needs.

Each check raises a clear error (what is wrong, where, what to do) before any
scoring, where numpy or pandas would otherwise fail deep inside with a message
about comparing ``None`` to ``str`` or the truth value of ``pd.NA``.
"""

import warnings
from numbers import Number

import numpy as np
import pandas as pd
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


def check_target(y):
    """Return ``y`` as a numpy array whose labels numpy can sort.

    Missing labels (None, NaN, ``pd.NA``, NaT), labels mixing numbers and
    strings, and rows holding something other than one label (a list, a
    dict) raise a ValueError or TypeError naming the first bad row. An object
    array of numbers becomes a numeric array. A single column is checked and
    returned as a column; arrays of more columns are returned as they are,
    for the caller's shape check to refuse.

    Parameters
    ----------
    y : array-like
        The target as the user gave it; not modified.

    Returns
    -------
    y : ndarray
    """
    array = np.asarray(y)
    if array.ndim == 2 and array.shape[1] == 1:
        # Checked as a column; returned as one, for scikit-learn to warn about.
        return check_target(array[:, 0]).reshape(-1, 1)
    if array.ndim != 1:
        return array
    missing = _missing(array)
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise ValueError(
            f"y has {int(missing.sum())} missing value(s) (None, NaN or pd.NA), "
            f"the first at row {first}: every row needs a class label or a "
            "value. Drop those rows, or fill them in."
        )
    if array.dtype != object:
        return array
    is_number = np.array(
        [isinstance(v, (Number, np.number, np.bool_)) for v in array], dtype=bool
    )
    is_string = np.array([isinstance(v, (str, bytes)) for v in array], dtype=bool)
    other = ~(is_number | is_string)
    if other.any():
        first = int(np.flatnonzero(other)[0])
        raise TypeError(
            "y must hold one class label (a number or a string) or one value "
            f"per row; row {first} holds a {type(array[first]).__name__}: "
            f"{array[first]!r}."
        )
    if is_number.any() and is_string.any():
        number, string = np.flatnonzero(is_number)[0], np.flatnonzero(is_string)[0]
        raise TypeError(
            f"y mixes numbers and strings (row {number}: {array[number]!r}, row "
            f"{string}: {array[string]!r}); class labels must be all numbers or "
            "all strings. Convert them first, e.g. with y.astype(str)."
        )
    if is_number.all():
        return np.array(array.tolist())
    return array


def _missing(array):
    if array.dtype == object:
        return np.asarray(pd.isna(array), dtype=bool)
    if array.dtype.kind in "fc":
        return np.isnan(array)
    if array.dtype.kind in "mM":
        return np.isnat(array)
    return np.zeros(array.shape, dtype=bool)


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
