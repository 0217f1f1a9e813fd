"""Estimators of the mutual information between each feature and a target.

Two estimators share one interface, a *scorer*: a callable that maps a target
(the real one, or a permuted copy of it) to one score per feature, in nats.

- ``"binned"``: every column becomes integer codes (a column with at most
  ``n_bins`` distinct values, or one declared discrete, by its own values;
  any other by ``n_bins`` near-equal-count bins), and the plug-in mutual information
  of all columns is computed at once from one ``np.bincount`` of combined
  (feature, code, class) cell indices.
- ``"knn"``: scikit-learn's k-nearest-neighbour estimator
  (:func:`~sklearn.feature_selection.mutual_info_classif` and
  :func:`~sklearn.feature_selection.mutual_info_regression`).

Both are biased upward on pure noise, and the bias depends on each feature's
number of codes, which is why the selector estimates a noise floor by scoring
permuted targets with the same scorer.
"""

from typing import Callable, NamedTuple

import numpy as np
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

# Entries of the (n_samples, n_columns) cell-index array built per bincount
# call; bounds memory on wide tables such as MNIST with appended channels.
_CHUNK_ENTRIES = 2**22


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

    ``X`` is a finite 2-D float array, ``y`` a 1-D array; ``n_bins`` an int
    or ``"auto"`` (see :func:`auto_n_bins`); ``discrete_target`` a bool or
    ``"auto"`` (see :func:`is_discrete_target`).
    """
    if discrete_target == "auto":
        discrete_target = is_discrete_target(y)
    if discrete_target:
        target, n_classes = encode_classes(y)
        if n_bins == "auto":
            n_bins = auto_n_bins(y.shape[0], n_classes)
    else:
        if n_bins == "auto":
            n_bins = auto_n_bins(y.shape[0], None)
        target, n_classes = encode_continuous(y, n_bins)
    discrete = resolve_discrete_features(discrete_features, X.shape[1])
    codes, n_codes, n_distinct = column_codes(X, discrete, n_bins)
    if method == "binned":
        scorer = BinnedScorer(codes, n_codes, n_classes)
        return Scoring(scorer, target, n_codes, np.zeros(n_codes.shape, bool), n_distinct)
    knn_discrete = (n_distinct <= n_bins) if discrete is None else discrete
    score = knn_scorer(X, knn_discrete, discrete_target, n_neighbors, random_state)
    groups = np.where(knn_discrete, n_distinct, 0)
    knn_target = target if discrete_target else y.astype(np.float64)
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
    codes, n_codes, _ = column_codes(y.astype(np.float64)[:, np.newaxis], [False], n_bins)
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

    A non-float target (integers, booleans, strings, categories) is discrete;
    a float target is discrete only when its values are integers and at most
    16 distinct ones (labels stored as floats).
    """
    if not np.issubdtype(y.dtype, np.floating):
        return True
    return bool(np.all(y == np.round(y))) and np.unique(y).size <= MAX_BINS


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


def column_codes(X, discrete, n_bins):
    """Integer codes for each column: ``(codes, n_codes, n_distinct)``.

    Column ``j`` gets codes ``0..n_codes[j]-1``. A discrete column (per the
    mask ``discrete``, or when None, one with at most ``n_bins`` distinct
    values) is coded by its own values; another is cut into at most
    ``n_bins`` bins of near-equal counts (see :func:`_cuts`). One column is
    sorted at a time, so memory stays at ``codes`` (one byte per entry for
    up to 256 codes) even on wide tables.
    """
    n_samples, n_features = X.shape
    n_codes = np.empty(n_features, dtype=np.intp)
    n_distinct = np.empty(n_features, dtype=np.intp)
    columns = []
    for j in range(n_features):
        values = np.sort(X[:, j])
        boundaries = np.flatnonzero(values[1:] != values[:-1]) + 1
        n_distinct[j] = boundaries.size + 1
        is_discrete = n_distinct[j] <= n_bins if discrete is None else discrete[j]
        if not is_discrete:
            boundaries = _cuts(boundaries, n_samples, n_bins)
        column = np.searchsorted(values[boundaries], X[:, j], side="right")
        columns.append(column.astype(np.min_scalar_type(boundaries.size)))
        n_codes[j] = boundaries.size + 1
    dtype = np.min_scalar_type(int(n_codes.max()) - 1)
    codes = np.empty(X.shape, dtype=dtype, order="F")
    for j, column in enumerate(columns):
        codes[:, j] = column
    return codes, n_codes, n_distinct


def _cuts(boundaries, n_samples, n_bins):
    """Choose at most ``n_bins - 1`` of the ``boundaries`` for equal-count bins.

    ``boundaries`` are the positions, in the sorted column, where a new
    distinct value starts. Cuts are placed greedily, each at the boundary
    nearest to an equal share of the samples not yet binned, so a value
    repeated in most rows gets a bin of its own and the remaining rows are
    still split into the remaining bins (plain quantile edges would merge
    them all).
    """
    if boundaries.size < n_bins:
        return boundaries
    cuts = []
    position = 0
    for remaining in range(n_bins, 1, -1):
        ideal = position + (n_samples - position) / remaining
        k = np.searchsorted(boundaries, ideal)
        candidates = boundaries[max(k - 1, 0) : k + 1]
        candidates = candidates[candidates > position]
        if candidates.size == 0:
            break
        position = candidates[np.argmin(np.abs(candidates - ideal))]
        cuts.append(position)
    return np.asarray(cuts, dtype=np.intp)


class BinnedScorer:
    """Plug-in mutual information of integer-coded columns with a coded target.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, n_features)
        Column codes from :func:`column_codes`.
    n_codes : ndarray of shape (n_features,)
        Number of codes of each column.
    n_classes : int
        Number of target codes; targets passed to ``__call__`` lie in
        ``0..n_classes-1``.
    """

    def __init__(self, codes, n_codes, n_classes):
        self.codes = codes
        self.n_classes = n_classes
        cells_per_feature = n_codes * n_classes
        self.cell_offsets = np.concatenate(([0], np.cumsum(cells_per_feature)[:-1]))
        self.n_cells = int(cells_per_feature.sum())
        chunk = max(1, _CHUNK_ENTRIES // max(1, codes.shape[0]))
        self.chunks = [
            slice(start, start + chunk) for start in range(0, codes.shape[1], chunk)
        ]

    def __call__(self, target_codes):
        """Mutual information (nats) of every column with ``target_codes``."""
        counts = np.zeros(self.n_cells, dtype=np.intp)
        target = target_codes.astype(np.intp)[:, np.newaxis]
        for columns in self.chunks:
            cells = self.codes[:, columns].astype(np.intp)
            cells *= self.n_classes
            cells += self.cell_offsets[columns]
            cells += target
            counts += np.bincount(cells.ravel(order="K"), minlength=self.n_cells)
        return self._mutual_information(counts, target_codes.shape[0])

    def _mutual_information(self, counts, n_samples):
        # MI = [sum n_xy log n_xy - sum n_x log n_x - sum n_y log n_y] / n + log n
        joint = np.add.reduceat(_xlogx(counts), self.cell_offsets)
        by_code = counts.reshape(-1, self.n_classes)
        code_offsets = self.cell_offsets // self.n_classes
        feature_margin = np.add.reduceat(_xlogx(by_code.sum(axis=1)), code_offsets)
        # Class counts: the rows of any one feature, summed over its codes.
        first_feature = by_code[: code_offsets[1]] if code_offsets.size > 1 else by_code
        target_margin = _xlogx(first_feature.sum(axis=0)).sum()
        mi = (joint - feature_margin - target_margin) / n_samples + np.log(n_samples)
        return np.maximum(mi, 0.0)


def _xlogx(counts):
    counts = counts.astype(np.float64)
    return counts * np.log(np.where(counts > 0, counts, 1.0))


def knn_scorer(X, discrete, discrete_target, n_neighbors, random_state):
    """A scorer delegating to scikit-learn's k-NN mutual information."""
    estimate = mutual_info_classif if discrete_target else mutual_info_regression

    def score(target):
        return estimate(
            X,
            target,
            discrete_features=discrete,
            n_neighbors=n_neighbors,
            random_state=random_state,
        )

    return score
