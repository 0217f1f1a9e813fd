"""Input checks shared by skfit's estimators."""


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


def check_label_values(y, owner):
    """Raise a ValueError when class labels are missing or mix types.

    sklearn's label handling fails deep inside ``np.unique`` on such labels
    ("'<' not supported between 'NoneType' and 'str'", "boolean value of NA
    is ambiguous"); this says what is wrong and what to do first.

    Parameters
    ----------
    y : ndarray
        Class labels (any shape), as validated by sklearn.
    owner : str
        Who needs the labels, for the message (e.g. "KerasMLPClassifier").
    """
    import numpy as np

    y = np.asarray(y)
    if y.dtype.kind == "f":
        missing = np.isnan(y)
    elif y.dtype.kind == "O":
        missing = np.frompyfunc(_is_missing, 1, 1)(y).astype(bool)
    else:
        return
    if missing.any():
        rows = np.flatnonzero(missing.reshape(len(y), -1).any(axis=1))
        raise ValueError(
            f"{owner}: y has missing labels (None, NaN or pd.NA) in {len(rows)} of "
            f"{len(y)} rows (first: row {rows[0]}). Drop those rows or give them a label."
        )
    if y.dtype.kind == "O":
        kinds = {_label_kind(v) for v in y.ravel()}
        if len(kinds) > 1:
            examples = {}
            for v in y.ravel():
                examples.setdefault(_label_kind(v), v)
            shown = " and ".join(repr(v) for v in examples.values())
            raise ValueError(
                f"{owner}: y mixes label types ({', '.join(sorted(kinds))}: e.g. {shown}). "
                "Convert the labels to one type first (e.g. y.astype(str))."
            )


def _is_missing(value):
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not isinstance(value, (str, bytes)) else False
    except (TypeError, ValueError):  # array-like values: not a scalar label
        return False


def _label_kind(value):
    import numbers

    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "bool"
    if isinstance(value, numbers.Number):
        return "number"
    if isinstance(value, (str, bytes)):
        return "string"
    return type(value).__name__
