"""Find identical rows: the redundancy that leaks a training row into validation.

Every column is first turned into exact 64-bit keys (equal keys if and only if
equal values), the keys of a row are hashed into one 64-bit row hash, and the
rows are grouped by that hash in one pass. The grouping is then verified
against the keys themselves, so a hash collision can never merge two different
rows; in that (astronomically rare) case an exact slower path decides.
"""

from numbers import Integral

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.utils import check_array

from ..utils.fixes import Interval, validate_params

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "decimals": [Interval(Integral, None, None, closed="neither"), None],
    },
    prefer_skip_nested_validation=True,
)
def duplicate_groups(X, *, decimals=None):
    """Label identical rows with a shared integer.

    Two rows get the same label if and only if they are equal in every column,
    after rounding floating-point values to ``decimals`` when given. Missing
    values (NaN, None, ``pd.NA``, NaT) are equal to each other, and ``-0.0``
    equals ``0.0``. In a sparse matrix, explicit zeros equal implicit ones.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data. A pandas DataFrame may mix numeric, string, categorical and
        datetime columns; each column is compared with itself only.

    decimals : int, default=None
        Round floating-point values to this many decimals before comparing
        (negative values round to tens, hundreds, ...). ``None`` compares exact
        values.

    Returns
    -------
    groups : ndarray of shape (n_samples,), dtype=int64
        Group labels ``0 .. n_groups - 1`` numbered in order of first
        appearance: row 0 has label 0, the next row that differs from it has
        label 1, and so on. Rows without a duplicate have a label of their own.

    See Also
    --------
    DeduplicatedKFold : K-fold that keeps each group of identical rows on one
        side of every split.
    audit_cv : Counts validation rows that duplicate a training row.

    Examples
    --------
    >>> import numpy as np
    >>> from skfit.model_selection import duplicate_groups
    >>> X = np.array([[1.0, 2.0], [3.0, np.nan], [1.0, 2.0], [3.0, np.nan]])
    >>> duplicate_groups(X)
    array([0, 1, 0, 1])
    >>> duplicate_groups([[0.101], [0.099], [0.5]], decimals=2)
    array([0, 0, 1])
    """
    if isinstance(X, pd.DataFrame):
        if min(X.shape) == 0:
            raise ValueError(
                "X must have at least one row and one column; got a DataFrame "
                f"of shape {X.shape}."
            )
        columns = [_column_key(X.iloc[:, j], decimals) for j in range(X.shape[1])]
        return _group_dense_keys(columns)
    X = check_array(
        X,
        accept_sparse="csr",
        dtype=None,
        ensure_all_finite=False,
        input_name="X",
    )
    if sparse.issparse(X):
        return _group_sparse(X, decimals)
    columns = [_column_key(X[:, j], decimals) for j in range(X.shape[1])]
    return _group_dense_keys(columns)


def _column_key(column, decimals):
    """Exact uint64 keys of one column: equal keys iff equal values."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biu":
        return np.asarray(column).astype(np.int64).view(np.uint64)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return _float_key(np.asarray(column, dtype=np.float64), decimals)
    if decimals is not None and pd.api.types.is_float_dtype(dtype):
        column = pd.Series(column).round(decimals)
    codes, _ = pd.factorize(column)  # every missing value -> -1
    return codes.astype(np.int64).view(np.uint64)


def _float_key(values, decimals):
    """Bit patterns of floats with one NaN and one zero."""
    if decimals is not None:
        values = np.round(values, decimals)
    values = values + 0.0  # -0.0 + 0.0 == +0.0; also copies the user's data
    values[np.isnan(values)] = np.nan
    return values.view(np.uint64)


def _mix(h):
    """SplitMix64 finalizer, in place on a uint64 array; returns it."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def _hash_rows(columns):
    """One uint64 hash per row from the column keys, order-dependent."""
    h = np.zeros(len(columns[0]), dtype=np.uint64)
    for key in columns:
        h *= _GOLDEN
        h += _mix(key.copy())
    return _mix(h)


def _group_dense_keys(columns):
    labels, representative = _factorize(_hash_rows(columns))
    if all(np.array_equal(key[representative][labels], key) for key in columns):
        return labels
    return _exact_dense(columns)  # a hash collision merged different rows


def _factorize(values):
    """Labels in order of first appearance and the first row of each label."""
    labels = pd.factorize(values)[0].astype(np.int64)
    # Labels appear in increasing order, so a label is new where it exceeds
    # every label before it.
    seen_max = np.maximum.accumulate(labels)
    first = np.flatnonzero(np.concatenate([[True], labels[1:] > seen_max[:-1]]))
    return labels, first


def _exact_dense(columns):
    _, labels = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
    return _factorize(labels.ravel())[0]


def _group_sparse(X, decimals):
    """Group the rows of a CSR matrix by their (column, value) entries."""
    X = X.astype(np.int64 if X.dtype.kind in "biu" else np.float64)  # a copy
    X.sum_duplicates()  # adds up repeated entries and sorts the indices
    if decimals is not None and X.dtype.kind == "f":
        X.data = np.round(X.data, decimals)
    X.eliminate_zeros()
    if X.dtype.kind == "f":
        data = _float_key(X.data, None)
    else:
        data = X.data.view(np.uint64)
    indices = X.indices.astype(np.uint64)
    nnz = np.diff(X.indptr)
    entry = _mix(_mix(indices + _GOLDEN) ^ data)
    cumulative = np.concatenate([[np.uint64(0)], np.cumsum(entry, dtype=np.uint64)])
    row_hash = cumulative[X.indptr[1:]] - cumulative[X.indptr[:-1]]
    row_hash = _mix(row_hash ^ _mix(nnz.astype(np.uint64)))
    labels, representative = _factorize(row_hash)
    if _same_sparse_rows(X.indptr, indices, data, representative[labels]):
        return labels
    return _exact_sparse(X.indptr, indices, data)


def _same_sparse_rows(indptr, indices, data, other):
    """Whether row ``i`` equals row ``other[i]`` for every ``i``."""
    nnz = np.diff(indptr)
    if not np.array_equal(nnz[other], nnz):
        return False
    row = np.repeat(np.arange(len(nnz)), nnz)
    position = indptr[other[row]] + (np.arange(len(row)) - indptr[row])
    return np.array_equal(indices[position], indices) and np.array_equal(
        data[position], data
    )


def _exact_sparse(indptr, indices, data):
    seen = {}
    labels = np.empty(len(indptr) - 1, dtype=np.int64)
    for i, (start, stop) in enumerate(zip(indptr[:-1], indptr[1:])):
        key = (indices[start:stop].tobytes(), data[start:stop].tobytes())
        labels[i] = seen.setdefault(key, len(seen))
    return labels
