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
