"""Input checks shared by skfit's estimators and tools."""

from numbers import Number

import numpy as np


def check_numeric_columns(X, purpose):
    """Raise a TypeError naming the non-numeric columns of a DataFrame.

    Parameters
    ----------
    X : object
        Checked only when it is a DataFrame (has ``dtypes`` and ``columns``).
    purpose : str
        What needs numbers, for the message (e.g. "Mutual information").
    """
    if not (hasattr(X, "dtypes") and hasattr(X, "columns")):
        return
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    bad = [
        str(name)
        for name, dtype in X.dtypes.items()
        if not (is_numeric_dtype(dtype) or is_bool_dtype(dtype))
    ]
    if bad:
        raise TypeError(
            f"{purpose} needs numeric features; columns {bad} are not numeric. "
            "Encode them first (e.g. with OrdinalEncoder or OneHotEncoder)."
        )


def check_target(y, *, input_name="y"):
    """Return ``y`` as a NumPy array, or raise for a target no estimator can learn from.

    Checks what scikit-learn reports only with an obscure message, or not
    at all: missing values (None, NaN, ``pd.NA``, ``NaT``), infinite values,
    labels that mix numbers and strings, bytes labels, and rows holding
    something other than one label or value (a list, a dict). An object
    array of numbers (as pandas gives after mixing Python ints) becomes a
    numeric array; a column vector stays a column (scikit-learn warns about
    it where it is used). ``y`` itself is never modified.

    Parameters
    ----------
    y : array-like
        Target values or class labels (any shape).
    input_name : str, default="y"
        Name of the argument, for the messages.

    Returns
    -------
    y : ndarray
        The target, numeric where its values are all numbers.

    Raises
    ------
    ValueError
        Naming the problem, how many values have it, the first row, and
        what to do.
    """
    import pandas as pd

    is_list = isinstance(y, (list, tuple))  # numpy would turn [1, "a"] into ["1", "a"]
    array = np.asarray(y, dtype=object if is_list else None)
    values = array.ravel()
    if values.dtype.kind in "fc":
        _refuse_rows(pd.isna(values), input_name, "missing values (NaN)",
                     "every row needs a target: drop those rows, or give them a value")
        _refuse_rows(np.isinf(values), input_name, "infinite values",
                     "replace them, or drop those rows")
        return array
    if values.dtype.kind in "mM":
        _refuse_rows(np.isnat(values), input_name, "missing values (NaT)",
                     "every row needs a target: drop those rows, or give them a value")
        return array
    if values.dtype.kind != "O":
        return array
    _refuse_rows(pd.isna(values), input_name, "missing values (None, NaN or pd.NA)",
                 "every row needs a target: drop those rows, or give them a label")
    is_text = np.fromiter((isinstance(v, str) for v in values), bool, len(values))
    is_bytes = np.fromiter((isinstance(v, bytes) for v in values), bool, len(values))
    is_number = np.fromiter((isinstance(v, (Number, np.number, np.bool_)) for v in values),
                            bool, len(values))  # fmt: skip
    _refuse_rows(is_bytes, input_name, "bytes labels", "decode them to str first")
    _refuse_rows(~(is_text | is_number), input_name, "values that are neither a number nor "
                 "a string", "each row needs one label or value")  # fmt: skip
    if is_text.any() and not is_text.all():
        number, text = values[~is_text][0], values[is_text][0]
        raise ValueError(
            f"{input_name} mixes strings with other values (for example {text!r} and "
            f"{number!r}): labels must be all strings or all numbers. Convert them to one "
            f"type, e.g. {input_name}.astype(str)."
        )
    if is_text.all():
        return array
    numeric = np.array(values.tolist()).reshape(array.shape)  # numbers: a numeric array
    if numeric.dtype.kind in "fc":
        _refuse_rows(np.isinf(numeric.ravel()), input_name, "infinite values",
                     "replace them, or drop those rows")
    return numeric


def _refuse_rows(mask, input_name, what, remedy):
    if mask.any():
        first = int(np.flatnonzero(mask)[0])
        raise ValueError(
            f"{input_name} holds {int(mask.sum())} {what}, the first at position {first}: "
            f"{remedy}."
        )
