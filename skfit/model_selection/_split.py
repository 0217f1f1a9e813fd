"""Splitters for the chapter's evaluation protocols.

skfit adds what scikit-learn lacks: :class:`DeduplicatedKFold`, a K-fold that
never validates on a copy of a training row, and :func:`train_val_test_split`,
the holdout protocol in one call. For the other protocols scikit-learn's own
splitters are the right tool; the one-call recipes are:

Iterated K-fold with shuffling (P repetitions of K-fold, reshuffled each time,
P * K fits; for small data where the estimate must be precise). Use
``RepeatedStratifiedKFold`` for classification, ``RepeatedKFold`` for
regression, and report the mean and spread of the P * K scores:

>>> from sklearn.datasets import make_classification
>>> from sklearn.linear_model import LogisticRegression
>>> from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
>>> X, y = make_classification(n_samples=100, random_state=0)
>>> cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=10, random_state=0)
>>> scores = cross_val_score(LogisticRegression(), X, y, cv=cv)
>>> scores.shape
(50,)

The arrow of time (rows sorted by time; the model must never train on rows
that come after the ones it is tested on). Use ``TimeSeriesSplit``: each split
trains on a prefix and tests on the rows that follow, with ``gap`` rows left
out in between so that rows close in time do not straddle the boundary; never
shuffle. :func:`audit_cv` confirms that no split trains on the future:

>>> import numpy as np
>>> from sklearn.model_selection import TimeSeriesSplit
>>> from skfit.model_selection import audit_cv
>>> t = np.arange(20)
>>> cv = TimeSeriesSplit(n_splits=3, gap=2)
>>> [(train.max(), test.min()) for train, test in cv.split(t)]
[(np.int64(2), np.int64(5)), (np.int64(7), np.int64(10)), (np.int64(12), np.int64(15))]
>>> audit_cv(cv, t.reshape(-1, 1), time=t).ok
True
"""

from math import ceil
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.model_selection import train_test_split
from sklearn.utils import check_array, check_random_state, indexable

from ..utils.fixes import (
    GroupsConsumerMixin,
    Interval,
    _BaseKFold,
    _num_samples,
    _safe_indexing,
    validate_params,
)
from ._duplicates import duplicate_groups


class DeduplicatedKFold(GroupsConsumerMixin, _BaseKFold):
    """K-fold that never validates on a row identical to a training row.

    Rows that are identical (see :func:`duplicate_groups`) form a group, and
    each group lies wholly in the training or wholly in the validation part of
    every split. When ``groups`` are passed to :meth:`split`, a duplicate group
    and a user group that share a row are merged (connected components), so
    both constraints hold at once: no user group and no set of identical rows
    is ever split across training and validation.

    The groups are taken in order of first appearance (or in a random order
    with ``shuffle=True``) and cut into ``n_splits`` contiguous runs with as
    equal a number of rows as the group sizes allow; no fold is ever empty.
    Without duplicates and without ``groups`` the folds are exactly those of
    ``KFold(n_splits, shuffle=shuffle, random_state=random_state)``.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds. Must be at least 2 and at most the number of distinct
        groups.

    shuffle : bool, default=False
        Whether to shuffle the groups before cutting them into folds. Rows of
        one group always stay together.

    random_state : int, RandomState instance or None, default=None
        Controls the order of the groups when ``shuffle=True``; pass an int
        for the same folds on every call. Must be None when ``shuffle=False``.

    decimals : int, default=None
        Round floating-point values to this many decimals before deciding that
        two rows are identical; ``None`` compares exact values.

    See Also
    --------
    duplicate_groups : The groups of identical rows used here.
    audit_cv : Counts duplicate, temporal and class leaks of any splitter.
    sklearn.model_selection.GroupKFold : K-fold over user-given groups only.

    Notes
    -----
    Merging can chain: rows 0 and 1 identical, row 1 in the group of row 2,
    row 2 identical to row 3, ... all form one group. When groups and copies
    interleave this way the merged groups are few and large, and a
    ``ValueError`` says how many remain if they are fewer than ``n_splits``.

    For iterated K-fold with shuffling and for time-ordered data, use
    scikit-learn's ``RepeatedStratifiedKFold`` and ``TimeSeriesSplit``; the
    recipes are in the docstring of ``skfit.model_selection._split``.

    Examples
    --------
    >>> import numpy as np
    >>> from skfit.model_selection import DeduplicatedKFold
    >>> X = np.array([[0], [1], [0], [2], [3], [4]])
    >>> cv = DeduplicatedKFold(n_splits=2)
    >>> cv
    DeduplicatedKFold(decimals=None, n_splits=2, random_state=None, shuffle=False)
    >>> for train, test in cv.split(X):
    ...     print(train, test)
    [3 4 5] [0 1 2]
    [0 1 2] [3 4 5]
    """

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None, decimals=None):
        super().__init__(n_splits, shuffle=shuffle, random_state=random_state)
        self.decimals = decimals

    def split(self, X, y=None, groups=None):
        """Generate indices to split data into training and validation set.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data whose identical rows are kept together.

        y : array-like of shape (n_samples,), default=None
            Ignored; exists for API compatibility.

        groups : array-like of shape (n_samples,), default=None
            Optional group labels that must also stay together.

        Yields
        ------
        train : ndarray
            The training set indices for that split.

        test : ndarray
            The validation set indices for that split.
        """
        yield from super().split(X, y, groups)

    def _iter_test_indices(self, X, y=None, groups=None):
        labels = duplicate_groups(X, decimals=self.decimals)
        if groups is not None:
            labels = _merge_groups(labels, groups)
        rng = check_random_state(self.random_state) if self.shuffle else None
        fold = _contiguous_folds(labels, self.n_splits, rng)
        for k in range(self.n_splits):
            yield np.flatnonzero(fold == k)


def _merge_groups(labels, groups):
    """Connected components of rows linked by a shared label or group."""
    groups = check_array(groups, input_name="groups", ensure_2d=False, dtype=None)
    # Missing labels form one group of their own, never code -1 (which would
    # index the last node and tie those rows to an unrelated group).
    group_codes = pd.factorize(groups, use_na_sentinel=False)[0]
    n_labels = labels.max() + 1
    n_nodes = n_labels + group_codes.max() + 1
    edges = sparse.coo_matrix(
        (np.ones(len(labels)), (labels, n_labels + group_codes)),
        shape=(n_nodes, n_nodes),
    )
    component = connected_components(edges, directed=False)[1]
    return pd.factorize(component[labels])[0]


def _contiguous_folds(labels, n_splits, rng):
    """Fold index of each row: groups cut into balanced contiguous runs.

    Groups are ordered (randomly when ``rng`` is given), and a group goes to
    the fold whose ``KFold`` row range holds the group's middle row; the cut
    points are then nudged so that every fold keeps at least one group.
    """
    sizes = np.bincount(labels)
    n_groups, n_samples = len(sizes), len(labels)
    if n_splits > n_groups:
        raise ValueError(
            f"Cannot have n_splits={n_splits} greater than the number of "
            f"distinct groups: {n_groups} (n_samples={n_samples}; identical "
            "rows, and rows sharing a group, form one group)."
        )
    order = rng.permutation(n_groups) if rng is not None else np.arange(n_groups)
    middles = np.cumsum(sizes[order]) - sizes[order] / 2
    fold_sizes = np.full(n_splits, n_samples // n_splits)
    fold_sizes[: n_samples % n_splits] += 1
    cuts = np.searchsorted(middles, np.cumsum(fold_sizes)[:-1])
    for k in range(n_splits - 1):  # at least one group before each cut ...
        cuts[k] = max(cuts[k], (cuts[k - 1] if k else 0) + 1)
    for k in reversed(range(n_splits - 1)):  # ... and after it
        cuts[k] = min(cuts[k], (cuts[k + 1] if k < n_splits - 2 else n_groups) - 1)
    fold_of_group = np.empty(n_groups, dtype=np.int64)
    fold_of_group[order] = np.repeat(
        np.arange(n_splits), np.diff(np.concatenate([[0], cuts, [n_groups]]))
    )
    return fold_of_group[labels]


_PART_SIZE = [
    Interval(Real, 0, 1, closed="neither"),
    Interval(Integral, 1, None, closed="left"),
]


@validate_params(
    {
        "val_size": _PART_SIZE,
        "test_size": _PART_SIZE,
        "shuffle": ["boolean"],
        "stratify": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def train_val_test_split(
    *arrays, val_size=0.2, test_size=0.2, shuffle=True, stratify=None, random_state=None
):
    """Split arrays into disjoint training, validation and test parts.

    The holdout protocol in one call: fit on the training part, tune on the
    validation part only, and touch the test part once, at the end.

    Parameters
    ----------
    *arrays : sequence of indexables with the same first dimension
        Lists, numpy arrays, scipy sparse matrices or pandas DataFrames.

    val_size, test_size : float or int, default=0.2
        A float in (0, 1) is a fraction of all rows (rounded up); an int is a
        number of rows. The training part gets the remaining rows, and must
        get at least one.

    shuffle : bool, default=True
        Whether to shuffle before splitting. With ``shuffle=False`` the parts
        are consecutive (training rows first, test rows last): the right
        holdout for rows sorted by time.

    stratify : array-like of shape (n_samples,), default=None
        Class labels to keep in the same proportions in all three parts.
        Requires ``shuffle=True``.

    random_state : int, RandomState instance or None, default=None
        Controls the shuffling; pass an int for the same parts on every call.

    Returns
    -------
    splitting : list of length 3 * len(arrays)
        For each array, its training, validation and test parts, in that
        order: ``X_train, X_val, X_test, y_train, y_val, y_test``.

    See Also
    --------
    sklearn.model_selection.train_test_split : The two-way split.

    Examples
    --------
    >>> import numpy as np
    >>> from skfit.model_selection import train_val_test_split
    >>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
    >>> X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
    ...     X, y, val_size=0.2, test_size=0.3, shuffle=False)
    >>> y_train, y_val, y_test
    (array([0, 1, 2, 3, 4]), array([5, 6]), array([7, 8, 9]))
    """
    if not arrays:
        raise ValueError("At least one array required as input.")
    arrays = indexable(*arrays)
    n_samples = _num_samples(arrays[0])
    n_val, n_test = _part_rows(val_size, n_samples), _part_rows(test_size, n_samples)
    n_train = n_samples - n_val - n_test
    if n_train < 1:
        raise ValueError(
            f"val_size={val_size} and test_size={test_size} leave no training "
            f"rows: n_samples={n_samples} gives n_val={n_val}, n_test={n_test}, "
            f"n_train={n_train}."
        )
    rng = check_random_state(random_state)
    rest, test = train_test_split(
        np.arange(n_samples),
        test_size=n_test,
        shuffle=shuffle,
        stratify=stratify,
        random_state=rng,
    )
    train, val = train_test_split(
        rest,
        test_size=n_val,
        shuffle=shuffle,
        stratify=None if stratify is None else _safe_indexing(stratify, rest),
        random_state=rng,
    )
    return [_safe_indexing(a, part) for a in arrays for part in (train, val, test)]


def _part_rows(size, n_samples):
    return int(size) if isinstance(size, Integral) else ceil(size * n_samples)
