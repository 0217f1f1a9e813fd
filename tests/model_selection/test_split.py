import doctest

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    cross_val_score,
    cross_validate,
)
from sklearn.neighbors import KNeighborsClassifier

from skfit.model_selection import (
    DeduplicatedKFold,
    _split,
    duplicate_groups,
    train_val_test_split,
)
from skfit.utils.fixes import InvalidParameterError


@st.composite
def data_with_copies(draw):
    """Distinct rows, each repeated 1 to 3 times, in random order, and groups."""
    n_distinct = draw(st.integers(4, 40))
    repeats = draw(
        st.lists(st.integers(1, 3), min_size=n_distinct, max_size=n_distinct)
    )
    rows = np.repeat(np.arange(n_distinct), repeats)
    order = np.array(draw(st.permutations(range(len(rows)))), dtype=int)
    X = np.column_stack([rows[order], rows[order] % 3]).astype(float)
    group_size = draw(st.integers(1, 6))
    groups = draw(st.none() | st.just(np.arange(len(rows)) // group_size))
    return X, groups


def reference_components(X, groups):
    """Rows linked by being identical or sharing a group, by plain union-find."""
    parent = list(range(len(X)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for keys in ([tuple(row) for row in X.tolist()], groups):
        first = {}
        for i, key in enumerate([] if keys is None else keys):
            parent[find(i)] = find(first.setdefault(key, i))
    return np.array([find(i) for i in range(len(X))])


def assert_partition(splits, n_samples):
    tested = np.concatenate([test for _, test in splits])
    np.testing.assert_array_equal(np.sort(tested), np.arange(n_samples))
    for train, test in splits:
        assert len(test) > 0
        np.testing.assert_array_equal(np.union1d(train, test), np.arange(n_samples))
        assert np.intersect1d(train, test).size == 0


@settings(max_examples=50, deadline=None)
@given(data_with_copies(), st.integers(2, 4), st.booleans(), st.integers(0, 1000))
def test_no_duplicate_and_no_group_ever_straddles_a_split(
    data, n_splits, shuffle, seed
):
    X, groups = data
    random_state = seed if shuffle else None
    cv = DeduplicatedKFold(n_splits, shuffle=shuffle, random_state=random_state)
    components = reference_components(X, groups)
    n_components = len(np.unique(components))
    if n_components < n_splits:
        with pytest.raises(ValueError, match=f"distinct groups: {n_components} "):
            list(cv.split(X, groups=groups))
        return
    splits = list(cv.split(X, groups=groups))
    assert len(splits) == cv.get_n_splits() == n_splits
    assert_partition(splits, len(X))
    for train, test in splits:
        assert np.intersect1d(components[train], components[test]).size == 0


@settings(max_examples=40, deadline=None)
@given(data_with_copies(), st.integers(2, 4), st.integers(0, 1000))
def test_shuffled_folds_are_balanced_and_reproducible(data, n_splits, seed):
    X, _ = data
    assume(len(X) >= 4 * n_splits)  # folds of 3 rows cannot balance groups of 3
    cv = DeduplicatedKFold(n_splits, shuffle=True, random_state=seed)
    sizes = [len(test) for _, test in cv.split(X)]
    kfold_sizes = [len(test) for _, test in KFold(n_splits).split(X)]
    largest_group = np.bincount(duplicate_groups(X)).max()
    assert np.abs(np.subtract(sizes, kfold_sizes)).max() <= largest_group
    again = [test for _, test in cv.split(X)]
    for (_, test), test_again in zip(cv.split(X), again):
        np.testing.assert_array_equal(test, test_again)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 60), st.integers(2, 5), st.booleans(), st.integers(0, 1000))
def test_without_duplicates_it_is_kfold(n_samples, n_splits, shuffle, seed):
    assume(n_splits <= n_samples)
    X = np.arange(n_samples, dtype=float).reshape(-1, 1)
    random_state = seed if shuffle else None
    ours = DeduplicatedKFold(n_splits, shuffle=shuffle, random_state=random_state)
    theirs = KFold(n_splits, shuffle=shuffle, random_state=random_state)
    for (train, test), (train_ref, test_ref) in zip(ours.split(X), theirs.split(X)):
        np.testing.assert_array_equal(train, train_ref)
        np.testing.assert_array_equal(test, test_ref)


def test_repr_params_and_n_splits_like_sklearn():
    cv = DeduplicatedKFold(3, shuffle=True, random_state=0, decimals=2)
    assert repr(cv) == (
        "DeduplicatedKFold(decimals=2, n_splits=3, random_state=0, shuffle=True,\n"
        "         stratify='auto')"
    )
    assert cv.get_n_splits() == 3
    assert repr(DeduplicatedKFold(stratify=False)) == (
        "DeduplicatedKFold(decimals=None, n_splits=5, random_state=None, shuffle=False,\n"
        "         stratify=False)"
    )


def test_different_seeds_give_different_folds():
    X = np.arange(100.0).reshape(-1, 1)

    def folds(seed):
        cv = DeduplicatedKFold(5, shuffle=True, random_state=seed)
        return [test for _, test in cv.split(X)]

    assert any(not np.array_equal(a, b) for a, b in zip(folds(0), folds(1)))


def test_groups_and_duplicates_merge_transitively():
    # Rows 0-1 identical, rows 1-2 share a user group, rows 2-3 identical:
    # all four must land in one fold.
    X = np.array([[0], [0], [1], [1], [2], [3], [4], [5]])
    groups = np.array(["a", "b", "b", "c", "d", "e", "f", "g"])
    for _, test in DeduplicatedKFold(4).split(X, groups=groups):
        assert set(test) >= {0, 1, 2, 3} or not set(test) & {0, 1, 2, 3}


def test_one_huge_group_still_leaves_no_fold_empty():
    X = np.vstack([np.zeros((70, 2)), np.arange(60.0).reshape(30, 2)])
    cv = DeduplicatedKFold(5, shuffle=True, random_state=0)
    splits = list(cv.split(X))
    assert_partition(splits, len(X))
    assert max(len(test) for _, test in splits) == 70


def test_decimals_controls_what_counts_as_identical():
    X = np.array([[0.101], [0.5], [0.099], [0.7]])
    exact = [set(test) for _, test in DeduplicatedKFold(2).split(X)]
    rounded = [set(test) for _, test in DeduplicatedKFold(2, decimals=2).split(X)]
    assert exact == [{0, 1}, {2, 3}]
    assert rounded == [{0, 2}, {1, 3}]


def test_sparse_and_dataframe_input():
    X = np.array([[0, 1], [0, 1], [2, 0], [3, 0], [4, 0], [2, 0]])
    expected = [test for _, test in DeduplicatedKFold(2).split(X)]
    for data in (sparse.csr_matrix(X), pd.DataFrame(X, columns=["a", "b"])):
        for (_, test), test_ref in zip(DeduplicatedKFold(2).split(data), expected):
            np.testing.assert_array_equal(test, test_ref)


@pytest.fixture(scope="module")
def noisy_copies():
    """Random labels on rows that each appear twice: nothing is learnable."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = rng.integers(0, 2, size=120)
    order = rng.permutation(240)
    groups = np.concatenate([np.arange(120) // 3] * 2)  # both copies of a row share one
    return np.vstack([X, X])[order], np.concatenate([y, y])[order], groups[order]


def test_cross_val_score_with_duplicates_is_at_chance(noisy_copies):
    X, y, _ = noisy_copies
    model = KNeighborsClassifier(n_neighbors=1)
    leaky = cross_val_score(model, X, y, cv=KFold(5, shuffle=True, random_state=0))
    dedup = DeduplicatedKFold(5, shuffle=True, random_state=0)
    honest = cross_val_score(model, X, y, cv=dedup)
    assert leaky.mean() > 0.8  # most validation rows have their copy in training
    assert 0.3 < honest.mean() < 0.7


def test_cross_validate_and_grid_search_route_groups(noisy_copies):
    X, y, groups = noisy_copies
    cv = DeduplicatedKFold(3, shuffle=True, random_state=0)
    result = cross_validate(
        LogisticRegression(), X, y, groups=groups, cv=cv, return_indices=True
    )
    for train, test in zip(result["indices"]["train"], result["indices"]["test"]):
        assert np.intersect1d(groups[train], groups[test]).size == 0
    search = GridSearchCV(
        KNeighborsClassifier(), {"n_neighbors": [1, 5]}, cv=cv
    ).fit(X, y, groups=groups)
    assert search.n_splits_ == 3
    assert search.cv_results_["mean_test_score"].max() < 0.75


def test_groups_reach_the_splitter_through_metadata_routing(noisy_copies):
    X, y, groups = noisy_copies
    with sklearn.config_context(enable_metadata_routing=True):
        result = cross_validate(
            LogisticRegression(),
            X,
            y,
            cv=DeduplicatedKFold(3),
            params={"groups": groups},
            return_indices=True,
        )
    for train, test in zip(result["indices"]["train"], result["indices"]["test"]):
        assert np.intersect1d(groups[train], groups[test]).size == 0


def test_bad_splitter_input_names_the_numbers():
    X = np.array([[0], [0], [1], [1], [2]])
    too_many = r"n_splits=4 .* distinct groups: 3 \(n_samples=5"
    with pytest.raises(ValueError, match=too_many):
        list(DeduplicatedKFold(4).split(X))
    with pytest.raises(ValueError, match="n_splits=6 .* samples: n_samples=5"):
        list(DeduplicatedKFold(6).split(X))
    with pytest.raises(ValueError, match="inconsistent numbers of samples: \\[5, 4\\]"):
        list(DeduplicatedKFold(2).split(X, groups=[0, 1, 2, 3]))
    with pytest.raises(ValueError, match="random_state has no effect"):
        DeduplicatedKFold(2, random_state=0)
    with pytest.raises(ValueError, match="n_splits=1"):
        DeduplicatedKFold(1)


def test_train_val_test_split_parts_are_disjoint_and_ordered():
    X = np.arange(200).reshape(100, 2)
    y = np.arange(100)
    parts = train_val_test_split(X, y, val_size=0.15, test_size=0.25, random_state=0)
    X_train, X_val, X_test, y_train, y_val, y_test = parts
    assert (len(y_train), len(y_val), len(y_test)) == (60, 15, 25)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_val, y_test])), y)
    for X_part, y_part in [(X_train, y_train), (X_val, y_val), (X_test, y_test)]:
        np.testing.assert_array_equal(X_part[:, 0], 2 * y_part)
    again = train_val_test_split(X, y, val_size=0.15, test_size=0.25, random_state=0)
    for part, part_again in zip(parts, again):
        np.testing.assert_array_equal(part, part_again)


def test_train_val_test_split_unshuffled_keeps_time_order_and_int_sizes():
    y = np.arange(10)
    y_train, y_val, y_test = train_val_test_split(
        y, val_size=2, test_size=3, shuffle=False
    )
    np.testing.assert_array_equal(y_train, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(y_val, [5, 6])
    np.testing.assert_array_equal(y_test, [7, 8, 9])


def test_train_val_test_split_stratifies_and_keeps_pandas():
    y = pd.Series(np.repeat([0, 1, 2], [50, 30, 20]), name="label")
    X = pd.DataFrame({"a": np.arange(100), "b": np.arange(100) % 7})
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        X, y, stratify=y, random_state=np.random.RandomState(3)
    )
    assert list(X_val.columns) == ["a", "b"] and y_test.name == "label"
    for part in (y_train, y_val, y_test):
        np.testing.assert_allclose(
            part.value_counts(normalize=True).sort_index(), [0.5, 0.3, 0.2], atol=0.03
        )
    np.testing.assert_array_equal(X_test.index, y_test.index)


def test_train_val_test_split_sizes_that_empty_a_part_are_errors():
    y = np.arange(10)
    empty = "n_samples=10 gives n_val=5, n_test=5, n_train=0"
    with pytest.raises(ValueError, match=empty):
        train_val_test_split(y, val_size=0.5, test_size=0.5)
    with pytest.raises(ValueError, match="n_val=4, n_test=7, n_train=-1"):
        train_val_test_split(y, val_size=4, test_size=7)
    with pytest.raises(InvalidParameterError, match="val_size"):
        train_val_test_split(y, val_size=0)
    with pytest.raises(InvalidParameterError, match="test_size"):
        train_val_test_split(y, test_size=1.0)
    with pytest.raises(ValueError, match="At least one array"):
        train_val_test_split()
    with pytest.raises(ValueError, match="shuffle=False"):
        train_val_test_split(y, stratify=y % 2, shuffle=False)


def test_docstring_examples():
    assert doctest.testmod(_split, raise_on_error=False).failed == 0


def test_lopsided_classification_data_still_splits():
    X, y = make_classification(n_samples=60, weights=[0.9], random_state=0)
    X = np.vstack([X, X[:20]])
    y = np.concatenate([y, y[:20]])
    cv = DeduplicatedKFold(4, shuffle=True, random_state=0)
    scores = cross_val_score(LogisticRegression(), X, y, cv=cv)
    assert scores.shape == (4,)


def test_missing_group_labels_form_their_own_group():
    from skfit.model_selection._partition import merge_groups as _merge_groups

    merged = _merge_groups(np.arange(6), np.array([None, "a", "b", "c", "d", "e"], dtype=object))
    assert len(np.unique(merged)) == 6
    merged = _merge_groups(np.arange(4), np.array([None, "a", None, "b"], dtype=object))
    assert merged[0] == merged[2] and len(np.unique(merged)) == 3


# --- stratification -------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The least populated class in y:UserWarning")
@settings(max_examples=50, deadline=None)
@given(data_with_copies(), st.integers(2, 4), st.booleans(), st.integers(0, 1000))
def test_stratified_folds_never_split_copies_or_groups(data, n_splits, shuffle, seed):
    X, groups = data
    y = np.random.default_rng(seed).integers(0, 3, len(X))  # copies may disagree
    cv = DeduplicatedKFold(
        n_splits, shuffle=shuffle, random_state=seed if shuffle else None, stratify=True
    )
    components = reference_components(X, groups)
    if len(np.unique(components)) < n_splits:
        with pytest.raises(ValueError, match="distinct groups"):
            list(cv.split(X, y, groups))
        return
    if np.bincount(y).max() < n_splits:
        with pytest.raises(ValueError, match="needs a class with at least"):
            list(cv.split(X, y, groups))
        return
    splits = list(cv.split(X, y, groups))
    assert_partition(splits, len(X))
    for train, test in splits:
        assert np.intersect1d(components[train], components[test]).size == 0


def test_iris_majority_baseline_scores_chance_on_stratified_folds():
    from sklearn.datasets import load_iris
    from sklearn.dummy import DummyClassifier

    X, y = load_iris(return_X_y=True)  # balanced; rows 101 and 142 are identical
    assert np.bincount(duplicate_groups(X)).max() == 2
    unstratified = DeduplicatedKFold(5, shuffle=True, random_state=0, stratify=False)
    stratified = DeduplicatedKFold(5, shuffle=True, random_state=0)
    baseline = DummyClassifier(strategy="most_frequent")
    # Class-blind folds: the training majority is the fold's minority.
    assert cross_val_score(baseline, X, y, cv=unstratified).mean() == pytest.approx(0.24)
    scores = cross_val_score(baseline, X, y, cv=stratified)
    np.testing.assert_allclose(scores, 1 / 3)
    for train, test in stratified.split(X, y):
        np.testing.assert_array_equal(np.bincount(y[test]), [10, 10, 10])
        assert not ({101, 142} & set(train) and {101, 142} & set(test))


def test_class_proportions_per_fold_with_many_copies():
    X, y = make_classification(
        n_samples=600, n_classes=3, n_informative=4, weights=[0.6, 0.3, 0.1], random_state=0
    )
    rng = np.random.default_rng(0)
    copies = rng.choice(600, 120)  # 120 copies, some rows copied twice or more
    X, y = np.vstack([X, X[copies]]), np.concatenate([y, y[copies]])
    groups = duplicate_groups(X)
    cv = DeduplicatedKFold(5, shuffle=True, random_state=0)
    expected = np.bincount(y) / 5
    for train, test in cv.split(X, y):
        assert np.intersect1d(groups[train], groups[test]).size == 0
        assert np.abs(np.bincount(y[test], minlength=3) - expected).max() <= 2
        assert abs(len(test) - len(y) / 5) <= 3


@settings(max_examples=25, deadline=None)
@given(st.integers(10, 80), st.integers(2, 5), st.booleans(), st.integers(0, 1000))
def test_without_duplicates_stratified_is_stratified_kfold(n_samples, n_splits, shuffle, seed):
    from sklearn.model_selection import StratifiedKFold

    y = np.random.default_rng(seed).integers(0, 3, n_samples)
    assume(np.bincount(y).min() >= n_splits)
    X = np.arange(n_samples, dtype=float).reshape(-1, 1)
    random_state = seed if shuffle else None
    ours = DeduplicatedKFold(n_splits, shuffle=shuffle, random_state=random_state)
    theirs = StratifiedKFold(n_splits, shuffle=shuffle, random_state=random_state)
    for (train, test), (train_ref, test_ref) in zip(ours.split(X, y), theirs.split(X, y)):
        np.testing.assert_array_equal(train, train_ref)
        np.testing.assert_array_equal(test, test_ref)


def test_regression_targets_and_tiny_classes_are_not_stratified():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(40, 2))] * 2)
    cv = DeduplicatedKFold(4, shuffle=True, random_state=0)
    plain = [test for _, test in DeduplicatedKFold(4, shuffle=True, random_state=0,
                                                   stratify=False).split(X)]  # fmt: skip
    for y in (rng.normal(size=80), np.arange(80)):  # continuous; 80 classes of 1-2 rows
        for (_, test), test_ref in zip(cv.split(X, y), plain):
            np.testing.assert_array_equal(test, test_ref)


def test_bad_stratify_settings_are_named():
    X = np.arange(20.0).reshape(-1, 1)
    with pytest.raises(ValueError, match="stratify must be 'auto', True or False"):
        DeduplicatedKFold(2, stratify="yes")
    with pytest.raises(ValueError, match="needs the class labels y"):
        list(DeduplicatedKFold(2, stratify=True).split(X))
    with pytest.raises(ValueError, match="got a 'continuous' target"):
        list(DeduplicatedKFold(2, stratify=True).split(X, np.linspace(0, 1, 20)))
