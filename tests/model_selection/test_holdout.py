"""train_val_test_split keeps copies (and groups) in one part; property-based tests."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from skfit.model_selection import duplicate_groups, train_val_test_split
from skfit.utils.fixes import InvalidParameterError

from .test_split import data_with_copies, reference_components


def _parts_of(y_parts):
    """Map each row index (the values of an index array) to its part."""
    return {int(i): k for k, part in enumerate(y_parts) for i in np.asarray(part)}


def _expected_sizes(n_samples, val_size, test_size):
    def rows(size):
        return size if isinstance(size, int) else int(np.ceil(size * n_samples))

    n_val, n_test = rows(val_size), rows(test_size)
    return np.array([n_samples - n_val - n_test, n_val, n_test])


SIZES = st.sampled_from([0.2, 0.1, 0.3, 2, 5])


@settings(max_examples=80, deadline=None)
@given(
    data_with_copies(), SIZES, SIZES, st.booleans(), st.booleans(), st.integers(0, 1000)
)
def test_no_copy_and_no_group_straddles_the_parts(
    data, val_size, test_size, shuffle, stratified, seed
):
    X, groups = data
    n_samples = len(X)
    index = np.arange(n_samples)
    classes = (X[:, 0] % 2).astype(int)  # a label shared by all copies of a row
    expected = _expected_sizes(n_samples, val_size, test_size)
    components = reference_components(X, groups)
    n_components = len(np.unique(components))
    kwargs = dict(val_size=val_size, test_size=test_size, random_state=seed, groups=groups)
    kwargs.update(shuffle=shuffle or stratified, stratify=classes if stratified else None)
    if expected[0] < 1:
        with pytest.raises(ValueError, match="leave no training rows"):
            train_val_test_split(X, index, **kwargs)
        return
    if n_components < 3 and n_components < n_samples:
        with pytest.raises(ValueError, match=f"only {n_components} distinct groups"):
            train_val_test_split(X, index, **kwargs)
        return
    parts = train_val_test_split(X, index, classes, **kwargs)
    index_parts = parts[3:6]
    part = _parts_of(index_parts)
    # A partition of the rows into three non-empty parts ...
    assert sorted(part) == list(range(n_samples))
    assert all(len(p) > 0 for p in index_parts)
    # ... in which no copy and no group straddles two parts ...
    for component in np.unique(components):
        assert len({part[i] for i in np.flatnonzero(components == component)}) == 1
    # ... every array cut alike ...
    for X_part, index_part in zip(parts[:3], index_parts):
        np.testing.assert_array_equal(X_part, X[index_part])
    # ... and sizes as near the targets as whole groups allow.
    sizes = np.array([len(p) for p in index_parts])
    if not stratified:
        # Shuffled, whole groups move one at a time; in order (shuffle=False),
        # keeping every part non-empty may push both cuts by a group each.
        largest = np.bincount(components).max() * (1 if shuffle else 2)
        assert np.abs(sizes - expected).max() <= largest


@settings(max_examples=40, deadline=None)
@given(st.integers(6, 80), SIZES, SIZES, st.booleans(), st.integers(0, 1000))
def test_without_copies_it_is_two_train_test_splits(
    n_samples, val_size, test_size, stratified, seed
):
    """No copies, or deduplicate=False: the parts of the original implementation."""
    X = np.arange(2.0 * n_samples).reshape(n_samples, 2)
    y = np.arange(n_samples) % 2
    expected_sizes = _expected_sizes(n_samples, val_size, test_size)
    assume(expected_sizes[0] >= 2 and expected_sizes[1:].min() >= 2)
    stratify = y if stratified else None

    def reference(X):
        rng = np.random.RandomState(seed)
        index = np.arange(n_samples)
        rest, test = train_test_split(
            index, test_size=expected_sizes[2], stratify=stratify, random_state=rng
        )
        train, val = train_test_split(
            rest,
            test_size=expected_sizes[1],
            stratify=None if stratify is None else stratify[rest],
            random_state=rng,
        )
        return [X[train], X[val], X[test]]

    kwargs = dict(val_size=val_size, test_size=test_size, stratify=stratify)
    ours = train_val_test_split(X, random_state=np.random.RandomState(seed), **kwargs)
    for part, ref in zip(ours, reference(X)):
        np.testing.assert_array_equal(part, ref)
    X_copies = X.copy()
    X_copies[1] = X_copies[0]
    kept_apart = train_val_test_split(
        X_copies, deduplicate=False, random_state=np.random.RandomState(seed), **kwargs
    )
    for part, ref in zip(kept_apart, reference(X_copies)):
        np.testing.assert_array_equal(part, ref)


def test_copies_of_iris_stay_together_and_classes_stay_balanced():
    X, y = load_iris(return_X_y=True)
    X = np.vstack([X, X[::3]])  # 50 copies on top of iris's own duplicate
    y = np.concatenate([y, y[::3]])
    index = np.arange(len(y))
    parts = train_val_test_split(X, y, index, stratify=y, random_state=0)
    groups = duplicate_groups(X)
    part_of_row = _parts_of(parts[6:])
    for group in np.unique(groups):
        assert len({part_of_row[i] for i in np.flatnonzero(groups == group)}) == 1
    for y_part in parts[3:6]:
        np.testing.assert_allclose(np.bincount(y_part) / len(y_part), [1 / 3] * 3, atol=0.03)
    sizes = [len(p) for p in parts[3:6]]
    assert abs(sizes[0] - 120) <= 3 and abs(sizes[1] - 40) <= 3 and abs(sizes[2] - 40) <= 3


def test_a_leaky_holdout_is_what_deduplicate_prevents():
    """Random labels on rows that each appear twice: nothing is learnable."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = rng.integers(0, 2, 300)
    X, y = np.vstack([X, X]), np.concatenate([y, y])

    def test_accuracy(deduplicate):
        X_train, _, X_test, y_train, _, y_test = train_val_test_split(
            X, y, random_state=0, deduplicate=deduplicate
        )
        model = KNeighborsClassifier(n_neighbors=1).fit(X_train, y_train)
        return model.score(X_test, y_test)

    assert test_accuracy(False) > 0.75  # most test rows were trained on
    assert 0.4 < test_accuracy(True) < 0.6  # chance, as it should be


def test_first_array_of_texts_sparse_or_frame():
    texts = ["good film", "bad film", "good film", "dull", "fine", "long", "short", "ok"]
    index = np.arange(len(texts))
    parts = train_val_test_split(texts, index, val_size=2, test_size=2, random_state=0)
    part = _parts_of(parts[3:])
    assert part[0] == part[2]  # the two copies of "good film"
    assert isinstance(parts[0], list)
    X = sparse.csr_matrix(np.array([[1, 0], [0, 1], [1, 0], [2, 2], [3, 0], [0, 3]]))
    parts = train_val_test_split(X, np.arange(6), val_size=1, test_size=1, random_state=0)
    part = _parts_of(parts[3:])
    assert part[0] == part[2] and sparse.issparse(parts[0])
    frame = pd.DataFrame({"a": ["x", "y", "x", "z", "w"], "b": [1, 2, 1, 3, 4]})
    parts = train_val_test_split(frame, val_size=1, test_size=1, random_state=0)
    together = [p.index.tolist() for p in parts if {0, 2} & set(p.index)]
    assert len(together) == 1 and set(together[0]) >= {0, 2}


def test_clear_errors():
    X = np.array([[0.0], [0.0], [1.0], [1.0]])
    with pytest.raises(ValueError, match="only 2 distinct groups.*deduplicate=False"):
        train_val_test_split(X, val_size=1, test_size=1)
    assert len(train_val_test_split(X, val_size=1, test_size=1, deduplicate=False)[0]) == 2
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        train_val_test_split(np.arange(6.0), groups=[0, 1, 2])
    with pytest.raises(InvalidParameterError, match="'deduplicate' parameter"):
        train_val_test_split(np.arange(6.0), deduplicate="yes")
    with pytest.raises(ValueError, match="stratify needs shuffle=True"):
        train_val_test_split(np.arange(6.0), stratify=np.arange(6) % 2, shuffle=False)


def test_unshuffled_copies_go_where_they_first_appear():
    # Time order: row 7 repeats row 1, so it trains with it.
    X = np.arange(10.0).reshape(-1, 1)
    X[7] = X[1]
    y_train, y_val, y_test = train_val_test_split(
        np.arange(10), val_size=2, test_size=2, shuffle=False, groups=None
    )
    np.testing.assert_array_equal(y_train, np.arange(6))
    parts = train_val_test_split(X, np.arange(10), val_size=2, test_size=2, shuffle=False)
    np.testing.assert_array_equal(parts[3], [0, 1, 2, 3, 4, 7])
    np.testing.assert_array_equal(parts[4], [5, 6])
    np.testing.assert_array_equal(parts[5], [8, 9])
