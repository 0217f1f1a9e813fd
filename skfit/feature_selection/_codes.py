"""Integer codes of feature columns, the input of the binned estimator.

Column ``j`` gets codes ``0..n_codes[j]-1``. A discrete column (declared so,
or under ``"auto"`` one with at most ``n_bins`` distinct values) is coded by
its own values, in increasing order; any other is cut into at most ``n_bins``
bins of near-equal counts (see :func:`_equal_count_codes`). Codes are a function of
the sorted distinct values of a column and their counts only, so a dense
column and the same column stored sparsely get the same codes.

A sparse matrix is coded without densifying anything: only the stored
nonzero entries get a code each, and each column records the code of its
implicit zeros (:class:`SparseCodes`).
"""

from typing import NamedTuple

import numpy as np


def column_codes(X, discrete, n_bins):
    """Integer codes for each column of a dense array.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Finite numbers.
    discrete : ndarray of bool of shape (n_features,) or None
        Columns declared discrete; None for ``"auto"``.
    n_bins : int
        Most bins of a continuous column.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_features), Fortran order
        One byte per entry for up to 256 codes. One column is sorted at a
        time, so memory stays at ``codes`` even on wide tables.
    n_codes, n_distinct : ndarray of shape (n_features,)
        Codes and distinct values of each column.
    """
    n_features = X.shape[1]
    n_codes = np.empty(n_features, dtype=np.intp)
    n_distinct = np.empty(n_features, dtype=np.intp)
    columns = []
    for j in range(n_features):
        values = np.sort(X[:, j])
        new = np.concatenate(([True], values[1:] != values[:-1]))
        uniques = values[new]
        n_distinct[j] = uniques.size
        if discrete is not None and discrete[j]:
            value_codes = np.arange(uniques.size)
        else:
            counts = np.diff(np.append(np.flatnonzero(new), values.size))
            value_codes = _equal_count_codes(np.zeros(uniques.size, np.intp), counts, n_bins)
        column = value_codes[np.searchsorted(uniques, X[:, j])]
        n_codes[j] = value_codes[-1] + 1
        columns.append(column.astype(np.min_scalar_type(n_codes[j] - 1)))
    dtype = np.min_scalar_type(int(n_codes.max()) - 1)
    codes = np.empty(X.shape, dtype=dtype, order="F")
    for j, column in enumerate(columns):
        codes[:, j] = column
    return codes, n_codes, n_distinct


class SparseCodes(NamedTuple):
    """Codes of a sparse matrix's nonzero entries, in storage order.

    Nonzero entry ``i`` lies at ``(rows[i], columns[i])`` and has code
    ``codes[i]``; every other row of column ``j`` holds a zero, whose code
    is ``zero_code[j]``.
    """

    rows: np.ndarray
    columns: np.ndarray
    codes: np.ndarray
    zero_code: np.ndarray


def sparse_column_codes(X, discrete, n_bins):
    """Integer codes for each column of a sparse matrix, from its nonzeros.

    As :func:`column_codes`, for ``X`` a sparse matrix or array of any
    format (not modified); ``codes`` is a :class:`SparseCodes` holding the
    codes of the nonzero entries and of each column's zeros, and
    ``n_distinct`` counts zero as a value where a column has zeros.

    Notes
    -----
    No copy of the matrix is made (a CSR or CSC matrix in canonical form is
    read as it is); per nonzero entry, one row or column index and one code
    are kept. A column with at most ``n_bins`` distinct values (or declared
    discrete) is coded by rank; the others are cut into equal-count bins
    from their distinct values and counts, the implicit zeros being one
    value with one count, never from a dense column. All columns are coded
    together, without a loop over columns.
    """
    if X.format not in ("csr", "csc"):
        X = X.tocsr()
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    n_samples, n_features = X.shape
    # The index arrays of a CSR (CSC) matrix give each entry's column (row);
    # only the other index is spelt out, one small integer per entry.
    n_major = n_samples if X.format == "csr" else n_features
    major_dtype = np.int32 if n_major < 2**31 else np.int64
    major = np.repeat(np.arange(n_major, dtype=major_dtype), np.diff(X.indptr))
    rows, column = (major, X.indices) if X.format == "csr" else (X.indices, major)
    values = X.data
    if not values.all():  # explicit zeros are zeros like the implicit ones
        nonzero = values != 0
        rows, column, values = rows[nonzero], column[nonzero], values[nonzero]
    n_zeros = n_samples - np.bincount(column, minlength=n_features)
    pair_of_entry, pair_column, pair_value, pair_counts = _distinct_pairs(
        column, values, n_features
    )
    del values
    n_stored = np.bincount(pair_column, minlength=n_features)
    first_pair = np.concatenate(([0], np.cumsum(n_stored)[:-1]))
    n_negative = np.bincount(pair_column[pair_value < 0], minlength=n_features)
    has_zero = n_zeros > 0
    n_distinct = n_stored + has_zero

    # Rank of each value among its column's distinct values, zero included.
    pair_code = np.arange(pair_column.size) - first_pair[pair_column]
    pair_code += (pair_value > 0) & has_zero[pair_column]
    zero_code = np.where(has_zero, n_negative, 0)  # any code where no zeros
    n_codes = n_distinct.copy()
    binned = n_distinct > n_bins
    if discrete is not None:
        binned &= ~discrete
    if binned.any():
        _bin_sparse_columns(
            binned, (pair_column, pair_counts), n_zeros, n_negative, n_bins,
            out=(pair_code, zero_code, n_codes),
        )  # fmt: skip
    dtype = np.min_scalar_type(max(int(n_codes.max(initial=1)) - 1, 0))
    codes = pair_code.astype(dtype)[pair_of_entry]
    return SparseCodes(rows, column, codes, zero_code), n_codes, n_distinct


def _distinct_pairs(column, values, n_features):
    """The distinct ``(column, value)`` pairs of nonzero entries, sorted.

    Returns the pair of each entry and, for each pair, its column, its value
    and its number of entries. With few distinct values overall (binary or
    count data) the pairs are counted in a table of ``n_features`` rows by
    one ``np.bincount``, without sorting the entries; otherwise the entries
    are sorted by column, then value.
    """
    levels = np.unique(values)
    n_keys = n_features * max(levels.size, 1)
    if n_keys <= max(values.size, n_features):
        key = np.searchsorted(levels, values).astype(np.int64)
        key += column * np.int64(levels.size)
        table = np.bincount(key, minlength=n_keys)
        present = np.flatnonzero(table)
        pair_index = np.zeros(n_keys, dtype=np.int64)
        pair_index[present] = np.arange(present.size)
        pair_column, pair_level = np.divmod(present, max(levels.size, 1))
        return pair_index[key], pair_column, levels[pair_level], table[present]
    del levels
    order = np.lexsort((values, column))
    sorted_values, sorted_column = values[order], column[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (sorted_values[1:] != sorted_values[:-1]) | (
        sorted_column[1:] != sorted_column[:-1]
    )
    pair_of_entry = np.empty(order.size, dtype=np.int64)
    pair_of_entry[order] = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    pair_counts = np.diff(np.append(starts, order.size))
    return pair_of_entry, sorted_column[starts], sorted_values[starts], pair_counts


def _bin_sparse_columns(binned, pairs, n_zeros, n_negative, n_bins, *, out):
    """Equal-count codes of the columns marked ``binned``.

    ``pairs`` are the ``(column, count)`` arrays of the distinct nonzero
    values, sorted by column then value; each binned column's distinct
    values are its pairs plus, when it has zeros, the value 0 counted
    ``n_zeros`` times, after its ``n_negative`` negative values. All binned
    columns are cut at once by :func:`_equal_count_codes`, and the codes of
    their pairs, the codes of their zeros and their numbers of codes are
    written into ``out = (pair_code, zero_code, n_codes)``.
    """
    pair_column, pair_counts = pairs
    pair_code, zero_code, n_codes = out
    own = binned[pair_column]
    column, counts = pair_column[own], pair_counts[own]
    with_zeros = np.flatnonzero(binned & (n_zeros > 0))
    at = np.searchsorted(column, with_zeros) + n_negative[with_zeros]
    column = np.insert(column, at, with_zeros)
    counts = np.insert(counts, at, n_zeros[with_zeros])
    codes = _equal_count_codes(column, counts, n_bins)
    del counts
    is_zero = np.zeros(codes.size, dtype=bool)
    is_zero[at + np.arange(at.size)] = True
    pair_code[own] = codes[~is_zero]
    zero_code[with_zeros] = codes[is_zero]
    last = np.append(np.flatnonzero(column[1:] != column[:-1]), column.size - 1)
    n_codes[column[last]] = codes[last] + 1


def _equal_count_codes(column, counts, n_bins):
    """Codes of sorted distinct values, column by column.

    Parameters
    ----------
    column : ndarray of int of shape (n_values,)
        The column of each distinct value; values are sorted by column, then
        by value.
    counts : ndarray of int of shape (n_values,)
        Rows holding each value.
    n_bins : int
        Most codes per column.

    Returns
    -------
    codes : ndarray of shape (n_values,)
        Codes ``0..`` within each column. A column with at most ``n_bins``
        distinct values gets one code per value. Another is cut into at most
        ``n_bins`` bins of near-equal counts, greedily: each cut goes to the
        value start nearest to an equal share of the rows not yet binned, so
        a value repeated in most rows (the zeros of a sparse column) gets a
        bin of its own and the remaining rows are still split into the
        remaining bins (plain quantile edges would merge them all). All
        columns are cut together, one vectorized step per bin.
    """
    n_values = column.size
    first = np.ones(n_values, dtype=bool)
    np.not_equal(column[1:], column[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    sizes = np.diff(np.append(starts, n_values))
    block = np.repeat(np.arange(starts.size), sizes)
    total = np.add.reduceat(counts, starts)  # rows of each column
    stride = int(total.max()) + 1
    # Sorted keys: the rows of its column before each value, plus an offset
    # that lays the columns end to end.
    key = np.cumsum(counts, dtype=np.int64)
    key -= counts
    key -= np.repeat(key[starts] - np.arange(starts.size) * stride, sizes)
    is_cut = ~first
    active = sizes > n_bins
    is_cut[np.repeat(active, sizes)] = False
    cut_at = np.zeros(starts.size, dtype=np.int64)
    for remaining in range(n_bins, 1, -1):
        columns = np.flatnonzero(active)
        if columns.size == 0:
            break
        done = cut_at[columns]
        ideal = done + (total[columns] - done) / remaining
        k = np.searchsorted(key, ideal + columns * stride)
        best = np.full(columns.size, -1)
        best_distance = np.full(columns.size, np.inf)
        for candidate in (k - 1, k):  # on a tie the lower value wins
            candidate = np.clip(candidate, 0, n_values - 1)
            position = key[candidate] - columns * stride
            valid = (block[candidate] == columns) & (position > done)
            distance = np.where(valid, np.abs(position - ideal), np.inf)
            better = distance < best_distance
            best[better] = candidate[better]
            best_distance[better] = distance[better]
        found = best >= 0
        active[columns[~found]] = False
        cut_at[columns[found]] = key[best[found]] - columns[found] * stride
        is_cut[best[found]] = True
    del key, block
    codes = np.cumsum(is_cut, dtype=np.intp)
    codes -= np.repeat(codes[starts], sizes)
    return codes
