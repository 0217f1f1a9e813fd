"""Assign groups of rows to parts (folds, or train/validation/test) of given sizes.

A group (identical rows, rows sharing a user group, or both merged) always
lands in one part, so no copy of a row and no user group ever straddles two
parts. Two ways to choose the parts:

- :func:`contiguous_parts`: groups in a given order are cut into consecutive
  runs with as nearly the target numbers of rows as the group sizes allow;
  with one row per group this is exactly ``KFold``'s cut.
- :func:`stratified_parts`: groups go one at a time to the part that keeps
  the class proportions of all parts closest to those of the whole data, as
  :class:`~sklearn.model_selection.StratifiedGroupKFold` does, with parts of
  unequal target sizes; the single rows then fill each class's remaining
  room at once.
"""

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.utils import check_array


def merge_groups(labels, groups):
    """Connected components of rows linked by a shared label or group.

    Parameters
    ----------
    labels : ndarray of int of shape (n_samples,)
        Group labels ``0..n-1`` (e.g. from :func:`duplicate_groups`).
    groups : array-like of shape (n_samples,)
        User groups; missing values form one group of their own.

    Returns
    -------
    merged : ndarray of int of shape (n_samples,)
        Labels ``0..`` in order of first appearance.
    """
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


def contiguous_parts(labels, part_sizes, order):
    """Part of each row: the groups, in ``order``, cut into consecutive runs.

    A group goes to the part whose row range (cumulative ``part_sizes``)
    holds the group's middle row; the cut points are then nudged so that
    every part keeps at least one group. Needs at least as many groups as
    parts.

    Parameters
    ----------
    labels : ndarray of int of shape (n_samples,)
        Group labels ``0..n_groups-1``.
    part_sizes : sequence of int
        Target rows per part, summing to ``n_samples``.
    order : ndarray of int of shape (n_groups,)
        The order in which the groups are laid out.

    Returns
    -------
    part : ndarray of int of shape (n_samples,)
    """
    sizes = np.bincount(labels)
    n_groups, n_parts = len(sizes), len(part_sizes)
    middles = np.cumsum(sizes[order]) - sizes[order] / 2
    cuts = np.searchsorted(middles, np.cumsum(part_sizes)[:-1])
    for k in range(n_parts - 1):  # at least one group before each cut ...
        cuts[k] = max(cuts[k], (cuts[k - 1] if k else 0) + 1)
    for k in reversed(range(n_parts - 1)):  # ... and after it
        cuts[k] = min(cuts[k], (cuts[k + 1] if k < n_parts - 2 else n_groups) - 1)
    part_of_group = np.empty(n_groups, dtype=np.int64)
    part_of_group[order] = np.repeat(
        np.arange(n_parts), np.diff(np.concatenate([[0], cuts, [n_groups]]))
    )
    return part_of_group[labels]


def stratified_parts(labels, classes, part_sizes, rng):
    """Part of each row: groups assigned to keep class proportions in every part.

    Groups of several rows are placed first, one at a time: in a random
    order (``rng``), then the most class-skewed and largest first (the order
    of scikit-learn's ``StratifiedGroupKFold``), each to the part where, once
    it is added, the spread over the parts of each class's load (its rows in
    the part over the rows that part should hold of it) is smallest, on a
    tie to the part least filled. The single rows, most of the data, then
    fill each class's remaining room at once (:func:`_level_fill`). A part
    left without any group finally takes the smallest group of the part
    holding the most groups. Needs at least as many groups as parts.

    Parameters
    ----------
    labels : ndarray of int of shape (n_samples,)
        Group labels ``0..n_groups-1``.
    classes : ndarray of int of shape (n_samples,)
        Class codes ``0..n_classes-1``.
    part_sizes : sequence of int
        Target rows per part.
    rng : RandomState or None
        Orders the groups (and the single rows of a class); None keeps
        their order of appearance.

    Returns
    -------
    part : ndarray of int of shape (n_samples,)
    """
    n_groups, n_classes = labels.max() + 1, classes.max() + 1
    group_counts = np.bincount(
        labels * n_classes + classes, minlength=n_groups * n_classes
    ).reshape(n_groups, n_classes)
    sizes = group_counts.sum(axis=1)
    target = np.asarray(part_sizes, dtype=float)
    share = group_counts.sum(axis=0) / len(labels)
    # Rows part p should hold of class c; a load of 1 everywhere is perfect.
    expected = target[:, np.newaxis] * share[np.newaxis, :]
    order = rng.permutation(n_groups) if rng is not None else np.arange(n_groups)
    order = order[np.argsort(-np.std(group_counts[order], axis=1), kind="stable")]
    counts = np.zeros((len(target), n_classes))
    part_of_group = np.empty(n_groups, dtype=np.int64)
    for group in order[sizes[order] > 1]:
        best = _best_part(counts, group_counts[group], expected)
        counts[best] += group_counts[group]
        part_of_group[group] = best
    single = order[sizes[order] == 1]
    single_class = group_counts[single].argmax(axis=1)
    for c in range(n_classes):
        members = single[single_class == c]
        fill = counts.sum(axis=1) / target
        room = _level_fill(counts[:, c], expected[:, c], members.size, fill)
        part_of_group[members] = np.repeat(np.arange(len(target)), room)
        counts[:, c] += room
    _fill_empty_parts(part_of_group, sizes, len(target))
    return part_of_group[labels]


def _best_part(counts, added_counts, expected):
    """The part whose class loads spread least once ``added_counts`` joins it."""
    n_parts = len(expected)
    load = counts / expected
    added = (counts + added_counts) / expected
    # Per class, the loads' sum and sum of squares with row p replaced.
    total = load.sum(axis=0) - load + added
    total_squares = (load**2).sum(axis=0) - load**2 + added**2
    variance = np.maximum(total_squares / n_parts - (total / n_parts) ** 2, 0)
    spread = np.sqrt(variance).mean(axis=1)
    fill = counts.sum(axis=1) / expected.sum(axis=1)
    return np.lexsort((fill, np.round(spread, 12)))[0]


def _level_fill(current, expected, n_rows, fill):
    """Rows to add to each part so that ``(current + added) / expected`` is most level.

    Water filling: the level ``L`` at which ``sum(max(0, L * expected -
    current))`` equals ``n_rows``, rounded to whole rows by largest remainder;
    equal remainders go to the parts least filled (``fill``) first.
    """
    if n_rows == 0:
        return np.zeros(len(current), dtype=np.int64)
    start = current / expected  # the level at which a part starts to fill
    by_start = np.argsort(start, kind="stable")
    for k in range(1, len(by_start) + 1):
        filling = by_start[:k]
        level = (n_rows + current[filling].sum()) / expected[filling].sum()
        if k == len(by_start) or level <= start[by_start[k]]:
            break
    ideal = np.maximum(level * expected - current, 0)
    rows = np.floor(ideal).astype(np.int64)
    rows[np.lexsort((fill, np.round(rows - ideal, 12)))[: n_rows - rows.sum()]] += 1
    return rows


def _fill_empty_parts(part_of_group, group_sizes, n_parts):
    """Move the smallest group of the most populous part into each empty part."""
    for empty in range(n_parts):
        if np.any(part_of_group == empty):
            continue
        donor = np.argmax(np.bincount(part_of_group, minlength=n_parts))
        members = np.flatnonzero(part_of_group == donor)
        part_of_group[members[np.argmin(group_sizes[members])]] = empty
