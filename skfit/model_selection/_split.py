"""Splitters for the chapter's evaluation protocols.

skfit adds what scikit-learn lacks: :class:`DeduplicatedKFold`, a K-fold that
never validates on a copy of a training row (and keeps class proportions in
every fold when the target holds classes), and :func:`train_val_test_split`,
the holdout protocol in one call, with the same guarantee for its three
parts. For the other protocols scikit-learn's own
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
from scipy import sparse
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.utils import check_array, check_consistent_length, check_random_state, indexable
from sklearn.utils.multiclass import type_of_target

from ..utils.fixes import (
    GroupsConsumerMixin,
    Interval,
    _BaseKFold,
    _num_samples,
    _safe_indexing,
    validate_params,
)
from ._duplicates import duplicate_groups
from ._partition import contiguous_parts, merge_groups, stratified_parts


class DeduplicatedKFold(GroupsConsumerMixin, _BaseKFold):
    """K-fold that never validates on a row identical to a training row.

    Rows that are identical (see :func:`duplicate_groups`) form a group, and
    each group lies wholly in the training or wholly in the validation part of
    every split. When ``groups`` are passed to :meth:`split`, a duplicate group
    and a user group that share a row are merged (connected components), so
    both constraints hold at once: no user group and no set of identical rows
    is ever split across training and validation.

    When ``y`` holds class labels, the folds also keep the class proportions
    of the whole data (``stratify="auto"``), as
    :class:`~sklearn.model_selection.StratifiedGroupKFold` does: a fold that
    happens to hold few rows of a class would make every score on it noisier,
    and a baseline that predicts the training majority would score below
    chance. Otherwise the groups are taken in order of first appearance (or
    in a random order with ``shuffle=True``) and cut into ``n_splits``
    contiguous runs with as equal a number of rows as the group sizes allow.
    No fold is ever empty. Without duplicates and without ``groups`` the
    folds are exactly those of ``StratifiedKFold(n_splits, shuffle=shuffle,
    random_state=random_state)`` when stratified, and of ``KFold`` with the
    same arguments otherwise.

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

    stratify : "auto" or bool, default="auto"
        Keep each class's share of the rows in every fold. ``"auto"``: when
        ``y`` is given to :meth:`split` and is categorical (binary or
        multiclass, as :func:`~sklearn.utils.multiclass.type_of_target` reads
        it) with at least ``n_splits`` rows in its largest class; a
        continuous ``y`` (regression) is not stratified. ``True`` requires
        class labels with at least ``n_splits`` rows in the largest class;
        ``False`` never stratifies. Stratification is as close
        as the groups allow: a group is never split to balance classes.

    See Also
    --------
    duplicate_groups : The groups of identical rows used here.
    audit_cv : Counts duplicate, temporal and class leaks of any splitter.
    sklearn.model_selection.StratifiedGroupKFold : Stratified K-fold over
        user-given groups only.

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
    DeduplicatedKFold(decimals=None, n_splits=2, random_state=None, shuffle=False,
             stratify='auto')
    >>> for train, test in cv.split(X):
    ...     print(train, test)
    [3 4 5] [0 1 2]
    [0 1 2] [3 4 5]

    With class labels, each fold gets its share of each class, and the two
    copies of row 0 still stay together:

    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> for train, test in cv.split(X, y):
    ...     print(test, y[test])
    [0 2 3] [0 0 1]
    [1 4 5] [0 1 1]
    """

    def __init__(
        self, n_splits=5, *, shuffle=False, random_state=None, decimals=None, stratify="auto"
    ):
        super().__init__(n_splits, shuffle=shuffle, random_state=random_state)
        if not (isinstance(stratify, (bool, np.bool_)) or stratify == "auto"):
            raise ValueError(
                f"stratify must be 'auto', True or False; got {stratify!r}."
            )
        self.decimals = decimals
        self.stratify = stratify

    def split(self, X, y=None, groups=None):
        """Generate indices to split data into training and validation set.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data whose identical rows are kept together.

        y : array-like of shape (n_samples,), default=None
            Class labels to stratify on (see ``stratify``); a continuous
            target is not stratified under ``stratify="auto"``.

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
            labels = merge_groups(labels, groups)
        n_samples, n_groups = len(labels), labels.max() + 1
        if self.n_splits > n_groups:
            raise ValueError(
                f"Cannot have n_splits={self.n_splits} greater than the number of "
                f"distinct groups: {n_groups} (n_samples={n_samples}; identical "
                "rows, and rows sharing a group, form one group)."
            )
        classes = self._classes(y)
        rng = check_random_state(self.random_state) if self.shuffle else None
        fold_sizes = np.full(self.n_splits, n_samples // self.n_splits)
        fold_sizes[: n_samples % self.n_splits] += 1
        if classes is None:
            order = rng.permutation(n_groups) if rng is not None else np.arange(n_groups)
            fold = contiguous_parts(labels, fold_sizes, order)
        elif n_groups == n_samples:  # one row per group: scikit-learn's own
            stratified = StratifiedKFold(
                self.n_splits, shuffle=self.shuffle, random_state=self.random_state
            )
            yield from (test for _, test in stratified.split(labels, classes))
            return
        else:
            fold = stratified_parts(labels, classes, fold_sizes, rng)
        for k in range(self.n_splits):
            yield np.flatnonzero(fold == k)

    def _classes(self, y):
        """Class codes of ``y`` when the folds are to be stratified, else None."""
        if self.stratify is False or (y is None and self.stratify == "auto"):
            return None
        if y is None:
            raise ValueError(
                "DeduplicatedKFold(stratify=True) needs the class labels y in "
                "split(X, y); got y=None."
            )
        y = check_array(y, input_name="y", ensure_2d=False, dtype=None)
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass"):
            if self.stratify is True:
                raise ValueError(
                    "DeduplicatedKFold(stratify=True) needs binary or multiclass "
                    f"labels y; got a {kind!r} target. Use stratify='auto' or "
                    "False for regression."
                )
            return None
        classes = np.unique(y, return_inverse=True)[1].ravel()
        largest = np.bincount(classes).max()
        if largest >= self.n_splits:
            return classes
        if self.stratify is True:
            raise ValueError(
                f"DeduplicatedKFold(stratify=True) with n_splits={self.n_splits} "
                f"needs a class with at least {self.n_splits} rows; the largest "
                f"has {largest}. Use fewer splits, or stratify='auto' to split "
                "without stratifying."
            )
        return None


def _holdout_groups(first, deduplicate, decimals, groups):
    """Group labels that must not straddle the parts of a holdout, or None.

    Copies among the rows of ``first`` (its values, if one-dimensional)
    form groups when ``deduplicate``; user ``groups`` are merged with them.
    None when every row is a group of its own.
    """
    n_samples = _num_samples(first)
    labels = np.arange(n_samples)
    if deduplicate:
        rows = first
        if not (sparse.issparse(first) or hasattr(first, "columns")):
            rows = np.asarray(first, dtype=None if hasattr(first, "dtype") else object)
            if rows.ndim == 1:
                rows = rows.reshape(-1, 1)
        labels = duplicate_groups(rows, decimals=decimals)
    if groups is not None:
        labels = merge_groups(labels, groups)
    return None if labels.max() + 1 == n_samples else labels


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
        "deduplicate": ["boolean"],
        "decimals": [Interval(Integral, None, None, closed="neither"), None],
        "groups": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def train_val_test_split(
    *arrays,
    val_size=0.2,
    test_size=0.2,
    shuffle=True,
    stratify=None,
    random_state=None,
    deduplicate=True,
    decimals=None,
    groups=None,
):
    """Split arrays into disjoint training, validation and test parts.

    The holdout protocol in one call: fit on the training part, tune on the
    validation part only, and touch the test part once, at the end. Copies of
    a row never straddle two parts (``deduplicate=True``): a test row whose
    copy was trained on measures memory, not generalization.

    Parameters
    ----------
    *arrays : sequence of indexables with the same first dimension
        Lists, numpy arrays, scipy sparse matrices or pandas DataFrames. The
        first is the one whose identical rows are kept together: the
        features ``X`` (a list of texts counts as one column).

    val_size, test_size : float or int, default=0.2
        A float in (0, 1) is a fraction of all rows (rounded up); an int is a
        number of rows. The training part gets the remaining rows, and must
        get at least one. When copies or groups are kept together, each part
        gets as near its size as whole groups allow.

    shuffle : bool, default=True
        Whether to shuffle before splitting. With ``shuffle=False`` the parts
        are consecutive (training rows first, test rows last): the right
        holdout for rows sorted by time. A group of copies then goes to the
        part of its first row's position.

    stratify : array-like of shape (n_samples,), default=None
        Class labels to keep in the same proportions in all three parts
        (exactly without copies, as closely as whole groups allow with them).
        Requires ``shuffle=True``.

    random_state : int, RandomState instance or None, default=None
        Controls the shuffling; pass an int for the same parts on every call.

    deduplicate : bool, default=True
        Keep every set of identical rows of the first array (see
        :func:`duplicate_groups`) in one part. ``False`` splits the rows
        independently, as ``train_test_split`` does: a row and its copy can
        then land in training and in validation or test, and the scores on
        those parts are too optimistic by as much as the model memorized
        them (a 1-nearest-neighbour classifier scores 100% on every such
        row). Turn it off only when identical rows are truly independent
        observations (e.g. few discrete features, where equal rows are
        expected by chance) and you want exact part sizes.

    decimals : int, default=None
        With ``deduplicate``, round floating-point values to this many
        decimals before deciding that two rows are identical.

    groups : array-like of shape (n_samples,), default=None
        Group labels (patients, sessions, ...) whose rows must also stay in
        one part; merged with the copies.

    Returns
    -------
    splitting : list of length 3 * len(arrays)
        For each array, its training, validation and test parts, in that
        order: ``X_train, X_val, X_test, y_train, y_val, y_test``.

    Raises
    ------
    ValueError
        When the sizes leave a part empty, or when fewer than three groups
        of rows remain to fill three parts.

    See Also
    --------
    sklearn.model_selection.train_test_split : The two-way split.
    DeduplicatedKFold : The same guarantee for K-fold cross-validation.

    Examples
    --------
    >>> import numpy as np
    >>> from skfit.model_selection import train_val_test_split
    >>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
    >>> X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
    ...     X, y, val_size=0.2, test_size=0.3, shuffle=False)
    >>> y_train, y_val, y_test
    (array([0, 1, 2, 3, 4]), array([5, 6]), array([7, 8, 9]))

    Copies stay together: row 9 repeats row 0, so both land in one part.

    >>> X[9] = X[0]
    >>> parts = train_val_test_split(X, y, random_state=0)
    >>> [np.sort(part).tolist() for part in parts[3:]]
    [[1, 2, 4, 6, 7, 8], [3], [0, 5, 9]]
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
    if stratify is not None and not shuffle:
        raise ValueError(
            "stratify needs shuffle=True: with shuffle=False the parts are "
            "consecutive rows, whatever their classes."
        )
    if groups is not None:
        check_consistent_length(arrays[0], groups)
    labels = _holdout_groups(arrays[0], deduplicate, decimals, groups)
    rng = check_random_state(random_state)
    if labels is None:
        train, val, test = _row_parts(n_samples, n_val, n_test, shuffle, stratify, rng)
    else:
        part = _group_parts(labels, (n_train, n_val, n_test), shuffle, stratify, rng)
        train, val, test = (np.flatnonzero(part == k) for k in range(3))
        if shuffle:
            train, val, test = rng.permutation(train), rng.permutation(val), rng.permutation(test)
    return [_safe_indexing(a, part) for a in arrays for part in (train, val, test)]


def _row_parts(n_samples, n_val, n_test, shuffle, stratify, rng):
    """Row indices of the three parts, each row on its own."""
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
    return train, val, test


def _group_parts(labels, part_sizes, shuffle, stratify, rng):
    """Part (0 train, 1 validation, 2 test) of each row, groups kept whole."""
    n_groups = labels.max() + 1
    if n_groups < 3:
        raise ValueError(
            f"Cannot split {len(labels)} rows into training, validation and test "
            f"parts: they form only {n_groups} distinct groups (identical rows, "
            "and rows sharing a group, form one group). Pass deduplicate=False "
            "to split copies apart, at the risk of a leaky holdout."
        )
    if stratify is None:
        order = rng.permutation(n_groups) if shuffle else np.arange(n_groups)
        return contiguous_parts(labels, part_sizes, order)
    stratify = check_array(stratify, input_name="stratify", ensure_2d=False, dtype=None)
    check_consistent_length(labels, stratify)
    classes = np.unique(stratify, return_inverse=True)[1].ravel()
    return stratified_parts(labels, classes, part_sizes, rng)


def _part_rows(size, n_samples):
    return int(size) if isinstance(size, Integral) else ceil(size * n_samples)
