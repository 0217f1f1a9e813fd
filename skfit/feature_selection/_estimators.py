"""Estimators of the mutual information between each feature and a target.

Two estimators share one interface, a *scorer*: a callable that maps a target
(the real one, or a permuted copy of it) to one score per feature, in nats.

- ``"binned"``: every column becomes integer codes (a column with at most
  ``n_bins`` distinct values, or one declared discrete, by its own values;
  any other by ``n_bins`` near-equal-count bins; see :mod:`._codes`), and the
  plug-in mutual information of all columns is computed at once from one
  ``np.bincount`` of combined (feature, code, class) cell indices. A sparse
  matrix is counted from its nonzeros only, the zeros of each column being
  the rows it does not store.
- ``"knn"``: scikit-learn's k-nearest-neighbour estimator
  (:func:`~sklearn.feature_selection.mutual_info_classif` and
  :func:`~sklearn.feature_selection.mutual_info_regression`).

Both are biased upward on pure noise, and the bias depends on each feature's
number of codes, which is why the selector estimates a noise floor by scoring
permuted targets with the same scorer.
"""

from typing import Callable, NamedTuple

import numpy as np
from scipy import sparse
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

from ._codes import column_codes, sparse_column_codes
from ._validation import check_discrete_target

# Entries of the (n_samples, n_columns) cell-index array built per bincount
# call; bounds memory on wide tables such as MNIST with appended channels.
_CHUNK_ENTRIES = 2**22
# Nonzero entries per bincount call on sparse input.
_SPARSE_CHUNK_ENTRIES = 2**20


# Most bins per continuous column, and most distinct values of a float target
# read as class labels.
MAX_BINS = 16


class Scoring(NamedTuple):
    """What the selector needs to score a target and its permuted copies.

    ``score(target)`` returns one score per feature; ``target`` is the
    encoded target to score (and to permute); ``groups`` gives each feature's
    number of codes (0 for a continuous feature under k-NN), the key by which
    features share a noise distribution; ``clipped`` marks the features whose
    estimate is clipped at zero (continuous features under k-NN);
    ``n_distinct`` counts each feature's distinct values.
    """

    score: Callable
    target: np.ndarray
    groups: np.ndarray
    clipped: np.ndarray
    n_distinct: np.ndarray


def make_scoring(
    X,
    y,
    *,
    method,
    n_bins,
    discrete_features,
    discrete_target,
    n_neighbors,
    random_state,
):
    """Encode ``X`` and ``y`` once and return the :class:`Scoring` for ``method``.

    ``X`` is a finite 2-D numeric array, dense or sparse, ``y`` a 1-D array; ``n_bins`` an int
    or ``"auto"`` (see :func:`auto_n_bins`); ``discrete_target`` a bool or
    ``"auto"`` (see :func:`is_discrete_target`).
    """
    if discrete_target == "auto":
        discrete_target = is_discrete_target(y)
    check_discrete_target(y, discrete_target)
    if discrete_target:
        target, n_classes = encode_classes(y)
        if n_bins == "auto":
            n_bins = auto_n_bins(y.shape[0], n_classes)
    else:
        if n_bins == "auto":
            n_bins = auto_n_bins(y.shape[0], None)
        target, n_classes = encode_continuous(y, n_bins)
    discrete = resolve_discrete_features(discrete_features, X.shape[1])
    if sparse.issparse(X):
        codes, n_codes, n_distinct = sparse_column_codes(X, discrete, n_bins)
        binned_scorer = SparseBinnedScorer
    else:
        codes, n_codes, n_distinct = column_codes(X, discrete, n_bins)
        binned_scorer = DenseBinnedScorer
    if method == "binned":
        scorer = binned_scorer(codes, n_codes, n_classes)
        return Scoring(scorer, target, n_codes, np.zeros(n_codes.shape, bool), n_distinct)
    knn_discrete = (n_distinct <= n_bins) if discrete is None else discrete
    score = knn_scorer(X, knn_discrete, discrete_target, n_neighbors, random_state)
    groups = np.where(knn_discrete, n_distinct, 0)
    knn_target = target if discrete_target else _max_abs_scaled(y, None)
    return Scoring(score, knn_target, groups, ~knn_discrete, n_distinct)


def auto_n_bins(n_samples, n_classes):
    """Bins per continuous column: about 10 samples per cell, 2 to 16 bins.

    The feature-by-target table has ``n_bins * n_classes`` cells for class
    labels, ``n_bins ** 2`` for a continuous target binned alike. Fewer,
    fuller cells lower the estimate's noise on small data, where 16 bins
    would bury moderate dependencies under the bias.
    """
    if n_classes is None:
        fitting = int(np.sqrt(n_samples / 10))
    else:
        fitting = n_samples // (10 * n_classes)
    return int(np.clip(fitting, 2, MAX_BINS))


def encode_classes(y):
    """Codes ``0..n_classes-1`` of class labels, and ``n_classes``."""
    classes, codes = np.unique(y, return_inverse=True)
    _check_two_values(classes.size, y)
    return codes, classes.size


def encode_continuous(y, n_bins):
    """Codes of a continuous target cut into ``n_bins`` near-equal-count bins."""
    column = y.astype(np.float64)[:, np.newaxis]
    codes, n_codes, _ = column_codes(column, np.array([False]), n_bins)
    _check_two_values(n_codes[0], y)
    return codes[:, 0], int(n_codes[0])


def _check_two_values(n_values, y):
    if n_values < 2:
        raise ValueError(
            "y must take at least two values: a target with one class, or a "
            "constant one, shares no information with any feature; got only "
            f"{y[0]!r}."
        )


def is_discrete_target(y):
    """Whether ``y`` looks like class labels rather than a continuous quantity.

    Strings, booleans and categories are labels. Numbers are labels when
    they are integers and most of them repeat: a float target at most 16
    distinct values (labels stored as floats), an integer target as long as
    it has at most 16 distinct values or fewer than one per two rows (an
    integer target whose values are mostly distinct, such as prices or
    counts, is a quantity).
    """
    if y.dtype.kind not in "iuf":
        return True
    n_distinct = np.unique(y).size
    if y.dtype.kind == "f":
        return bool(np.all(y == np.round(y))) and n_distinct <= MAX_BINS
    return n_distinct <= MAX_BINS or 2 * n_distinct <= y.size


def resolve_discrete_features(discrete_features, n_features):
    """Boolean mask of the columns declared discrete, or None for ``"auto"``.

    A bool applies to every column; an array is a boolean mask or a list of
    column indices.
    """
    if isinstance(discrete_features, str):
        return None
    if isinstance(discrete_features, (bool, np.bool_)):
        return np.full(n_features, bool(discrete_features))
    given = np.asarray(discrete_features)
    if given.dtype == bool:
        if given.shape != (n_features,):
            raise ValueError(
                "discrete_features as a boolean mask must have one entry per "
                f"feature ({n_features}); got shape {given.shape}."
            )
        return given
    if given.ndim != 1 or not np.issubdtype(given.dtype, np.integer):
        raise ValueError(
            "discrete_features must be 'auto', a bool, a boolean mask or a list "
            f"of integer column indices; got {discrete_features!r}."
        )
    if given.size and (given.min() < -n_features or given.max() >= n_features):
        raise ValueError(
            f"discrete_features indices must lie in [0, {n_features}); "
            f"got {given.tolist()}."
        )
    mask = np.zeros(n_features, dtype=bool)
    mask[given] = True
    return mask


class BinnedScorer:
    """Plug-in mutual information of integer-coded columns with a coded target.

    The counts of every (feature, code, class) cell lie in one flat array,
    feature after feature; subclasses fill it from their codes.

    Parameters
    ----------
    n_codes : ndarray of shape (n_features,)
        Number of codes of each column.
    n_classes : int
        Number of target codes; targets passed to ``__call__`` lie in
        ``0..n_classes-1``.
    """

    def __init__(self, n_codes, n_classes):
        self.n_classes = n_classes
        cells_per_feature = n_codes * n_classes
        self.cell_offsets = np.concatenate(([0], np.cumsum(cells_per_feature)[:-1]))
        self.code_offsets = self.cell_offsets // n_classes
        self.n_cells = int(cells_per_feature.sum())

    def __call__(self, target_codes):
        """Mutual information (nats) of every column with ``target_codes``."""
        counts = self._counts(target_codes.astype(np.intp))
        return self._mutual_information(counts, target_codes.shape[0])

    def _mutual_information(self, counts, n_samples):
        # MI = [sum n_xy log n_xy - sum n_x log n_x - sum n_y log n_y] / n + log n
        joint = np.add.reduceat(_xlogx(counts), self.cell_offsets)
        by_code = counts.reshape(-1, self.n_classes)
        code_offsets = self.code_offsets
        feature_margin = np.add.reduceat(_xlogx(by_code.sum(axis=1)), code_offsets)
        # Class counts: the rows of any one feature, summed over its codes.
        first_feature = by_code[: code_offsets[1]] if code_offsets.size > 1 else by_code
        target_margin = _xlogx(first_feature.sum(axis=0)).sum()
        mi = (joint - feature_margin - target_margin) / n_samples + np.log(n_samples)
        return np.maximum(mi, 0.0)


class DenseBinnedScorer(BinnedScorer):
    """:class:`BinnedScorer` of dense codes, from :func:`column_codes`.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, n_features)
        Column codes.
    n_codes : ndarray of shape (n_features,)
        Number of codes of each column.
    n_classes : int
        Number of target codes.
    """

    def __init__(self, codes, n_codes, n_classes):
        super().__init__(n_codes, n_classes)
        self.codes = codes
        chunk = max(1, _CHUNK_ENTRIES // max(1, codes.shape[0]))
        self.chunks = [
            slice(start, start + chunk) for start in range(0, codes.shape[1], chunk)
        ]

    def _counts(self, target):
        counts = np.zeros(self.n_cells, dtype=np.intp)
        target = target[:, np.newaxis]
        for columns in self.chunks:
            cells = self.codes[:, columns].astype(np.intp)
            cells *= self.n_classes
            cells += self.cell_offsets[columns]
            cells += target
            counts += np.bincount(cells.ravel(order="K"), minlength=self.n_cells)
        return counts


class SparseBinnedScorer(BinnedScorer):
    """:class:`BinnedScorer` of sparse codes, from :func:`sparse_column_codes`.

    Only the nonzero entries are counted, one ``np.bincount`` of their cells;
    the zeros of a column in class ``c`` are then the rows of class ``c``
    that the column does not store, added to the cell of its zero code. The
    work and memory are proportional to the number of nonzeros. Parameters
    as :class:`DenseBinnedScorer`, with ``codes`` a ``SparseCodes``.
    """

    def __init__(self, codes, n_codes, n_classes):
        super().__init__(n_codes, n_classes)
        cell_dtype = np.int32 if self.n_cells < 2**31 else np.intp
        self.entry_cells = self.cell_offsets.astype(cell_dtype)[codes.columns]
        self.entry_cells += codes.codes.astype(cell_dtype) * cell_dtype(n_classes)
        self.rows = codes.rows
        self.zero_cells = (
            self.cell_offsets[:, np.newaxis]
            + codes.zero_code[:, np.newaxis] * n_classes
            + np.arange(n_classes)
        )

    def _counts(self, target):
        counts = np.zeros(self.n_cells, dtype=np.intp)
        for start in range(0, self.rows.size, _SPARSE_CHUNK_ENTRIES):
            chunk = slice(start, start + _SPARSE_CHUNK_ENTRIES)
            cells = target[self.rows[chunk]]
            cells += self.entry_cells[chunk]
            counts += np.bincount(cells, minlength=self.n_cells)
        stored = np.add.reduceat(
            counts.reshape(-1, self.n_classes), self.code_offsets, axis=0
        )
        counts[self.zero_cells] += np.bincount(target, minlength=self.n_classes) - stored
        return counts


def _xlogx(counts):
    counts = counts.astype(np.float64)
    return counts * np.log(np.where(counts > 0, counts, 1.0))


def knn_scorer(X, discrete, discrete_target, n_neighbors, random_state):
    """A scorer delegating to scikit-learn's k-NN mutual information.

    Continuous columns are divided by their largest absolute value first
    (mutual information does not change): scikit-learn scales them by their
    standard deviation, which overflows for values near 1e308 and underflows
    for values near 1e-308, and would turn a finite column into NaN or into
    its added noise. A sparse ``X`` is passed in blocks of columns densified
    one at a time (at most ``_CHUNK_ENTRIES`` entries each), since
    scikit-learn's k-NN estimator refuses continuous sparse columns.
    """
    if X.shape[0] <= n_neighbors:
        raise ValueError(
            f"method='knn' with n_neighbors={n_neighbors} needs more than "
            f"{n_neighbors} samples; X has {X.shape[0]}. Lower n_neighbors, or "
            "use method='binned'."
        )
    estimate = mutual_info_classif if discrete_target else mutual_info_regression
    dense = None if sparse.issparse(X) else _max_abs_scaled(X, ~discrete)

    def blocks():
        if dense is not None:
            yield dense, discrete
            return
        columns = X.tocsc()
        width = max(1, _CHUNK_ENTRIES // max(1, X.shape[0]))
        for start in range(0, X.shape[1], width):
            block = slice(start, start + width)
            yield _max_abs_scaled(columns[:, block].toarray(), ~discrete[block]), discrete[block]

    def score(target):
        return np.concatenate(
            [
                estimate(
                    block,
                    target,
                    discrete_features=block_discrete,
                    n_neighbors=n_neighbors,
                    random_state=random_state,
                )
                for block, block_discrete in blocks()
            ]
        )

    return score


def _max_abs_scaled(X, columns):
    """A float64 copy of ``X`` whose ``columns`` are divided by their largest |value|."""
    X = np.array(X, dtype=np.float64)
    if X.ndim == 1:
        largest = np.max(np.abs(X), initial=0.0)
        return X / largest if largest > 0 else X
    largest = np.max(np.abs(X[:, columns]), axis=0, initial=0.0)
    X[:, columns] /= np.where(largest > 0, largest, 1.0)
    return X
