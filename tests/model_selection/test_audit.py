import doctest
import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits
from sklearn.model_selection import (
    KFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    TimeSeriesSplit,
)

from skfit.model_selection import (
    AuditResult,
    DeduplicatedKFold,
    _audit,
    audit_cv,
    audit_split,
)
from skfit.utils.fixes import InvalidParameterError


@st.composite
def data_with_injected_copies(draw):
    """Random rows plus at least 40 copies of some of them, shuffled."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_rows = draw(st.integers(40, 120))
    n_copies = draw(st.integers(40, 80))
    X = rng.normal(size=(n_rows, 3))
    X = np.vstack([X, X[rng.integers(0, n_rows, size=n_copies)]])
    return X[rng.permutation(len(X))]


def count_duplicate_leaks(X, train, test):
    """Validation rows equal to some training row, by brute force."""
    train_rows = {tuple(row) for row in X[train].tolist()}
    return sum(tuple(row) in train_rows for row in X[test].tolist())


@settings(max_examples=25, deadline=None)
@given(data_with_injected_copies(), st.integers(2, 5), st.integers(0, 1000))
def test_deduplicated_kfold_never_leaks_and_shuffled_kfold_does(X, n_splits, seed):
    honest = audit_cv(DeduplicatedKFold(n_splits, shuffle=True, random_state=seed), X)
    assert honest.ok
    assert [split.n_duplicates for split in honest.splits] == [0] * n_splits

    kfold = KFold(n_splits, shuffle=True, random_state=seed)
    leaky = audit_cv(kfold, X)
    expected = [count_duplicate_leaks(X, tr, te) for tr, te in kfold.split(X)]
    assert [split.n_duplicates for split in leaky.splits] == expected
    assert not leaky.ok  # 40+ copies: all landing beside their original is ~impossible
    assert leaky.n_duplicate_rows == honest.n_duplicate_rows > 0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(1, 1000), min_size=12, max_size=80),
    st.integers(2, 5),
    st.integers(0, 10),
    st.integers(0, 1000),
)
def test_time_series_split_passes_the_temporal_audit_and_shuffled_kfold_fails(
    steps, n_splits, gap, seed
):
    time = np.cumsum(steps)  # strictly increasing
    X = np.random.default_rng(seed).normal(size=(len(time), 2))
    n_test = len(time) // (n_splits + 1)
    assume(len(time) - gap - n_test * n_splits > 0)  # TimeSeriesSplit's own rule
    forward = audit_cv(TimeSeriesSplit(n_splits, gap=gap), X, time=time)
    assert forward.ok
    assert all(split.n_temporal == 0 for split in forward.splits)
    shuffled = audit_cv(KFold(n_splits, shuffle=True, random_state=seed), X, time=time)
    assert not shuffled.ok
    for split, (train, test) in zip(
        shuffled.splits, KFold(n_splits, shuffle=True, random_state=seed).split(X)
    ):
        assert split.n_temporal == int((time[test] < time[train].max()).sum())


@pytest.fixture(scope="module")
def sorted_digits():
    X, y = load_digits(return_X_y=True)
    order = np.argsort(y, kind="stable")
    return X[order], y[order]


def test_class_sorted_data_split_without_shuffling_is_flagged(sorted_digits):
    X, y = sorted_digits
    result = audit_cv(KFold(5), X, y)
    assert not result.ok
    assert all(split.class_sorted_unshuffled for split in result.splits)
    assert result.splits[-1].unseen_classes == (8, 9)
    assert "class-sorted    LEAK in 5 of 5 splits" in result.summary()

    for cv in (KFold(5, shuffle=True, random_state=0), StratifiedKFold(5)):
        fixed = audit_cv(cv, X, y)
        assert not any(split.class_sorted_unshuffled for split in fixed.splits)
        assert all(split.unseen_classes == () for split in fixed.splits)


def test_int_cv_means_stratified_kfold_for_class_labels(sorted_digits):
    X, y = sorted_digits
    stratified = audit_cv(StratifiedKFold(5), X, y).to_frame()
    assert audit_cv(5, X, y).to_frame().equals(stratified)
    assert audit_cv(5, X).to_frame().equals(audit_cv(KFold(5), X).to_frame())


def test_iterables_of_pairs_and_masks_are_accepted():
    X = np.array([[0], [1], [2], [0], [3], [4]])
    pairs = [([0, 1, 2], [3, 4, 5]), (np.array([3, 4, 5]), np.array([0, 1, 2]))]
    result = audit_cv(pairs, X)
    assert [split.n_duplicates for split in result.splits] == [1, 1]
    from_generator = audit_cv((pair for pair in pairs), X)
    assert from_generator.to_frame().equals(result.to_frame())
    mask = np.array([True, True, True, False, False, False])
    assert audit_split(X, mask, ~mask).splits[0] == result.splits[0]


def test_overlap_is_counted_apart_from_duplicates():
    X = np.array([[0], [1], [2], [0], [5]])
    split = audit_split(X, [0, 1, 2], [2, 3, 4]).splits[0]
    assert (split.n_overlap, split.n_duplicates) == (1, 1)
    assert not split.ok


def test_regression_targets_skip_the_class_checks():
    X = np.arange(20.0).reshape(10, 2)
    y = np.linspace(0, 1, 10)
    result = audit_cv(KFold(2), X, y)
    assert result.splits[0].unseen_classes is None
    assert result.splits[0].class_sorted_unshuffled is None
    assert result.ok
    assert "unseen classes  not checked (pass class labels y=)" in result.summary()
    assert "time order      not checked (pass time=)" in result.summary()


def test_time_as_a_dataframe_column_of_datetimes():
    frame = pd.DataFrame(
        {
            "when": pd.date_range("2024-01-01", periods=12, freq="D"),
            "value": np.arange(12.0),
        }
    )
    result = audit_cv(TimeSeriesSplit(3), frame, time="when")
    assert result.ok and result.splits[0].n_temporal == 0
    leaky = audit_split(frame, np.arange(6, 12), np.arange(6), time="when")
    assert leaky.splits[0].n_temporal == 6


def test_result_is_structured_and_printable(sorted_digits):
    X, y = sorted_digits
    cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=0)
    result = audit_cv(cv, X, y, time=np.arange(len(y)))
    assert isinstance(result, AuditResult)
    frame = result.to_frame()
    assert list(frame.columns) == [
        "n_train",
        "n_test",
        "n_overlap",
        "n_duplicates",
        "n_temporal",
        "unseen_classes",
        "class_sorted_unshuffled",
        "ok",
    ]
    assert frame.index.name == "split" and len(frame) == 6
    assert (frame["n_train"] + frame["n_test"] == len(y)).all()
    assert frame["n_temporal"].gt(0).all() and not frame["ok"].any()
    text = result.summary()
    assert text.startswith(f"Leak audit of 6 split(s) of {len(y)} rows: LEAKS FOUND")
    assert "time order      LEAK in 6 of 6 splits" in text
    assert "duplicates      ok" in text
    assert str(result) == text
    assert repr(result) == ("AuditResult(n_splits=6, n_samples=1797, ok=False, "
                            "leaks=['time order'])")
    assert result.findings == [line.strip() for line in text.splitlines()[2:7]]
    assert f"X holds {result.n_duplicate_rows} rows identical" in text


def test_unseen_classes_are_listed_in_the_summary():
    X = np.arange(6.0).reshape(-1, 1)
    y = np.array(["cat", "cat", "dog", "dog", "emu", "emu"])
    result = audit_split(X, [0, 1, 2, 3], [4, 5], y=y)
    assert result.splits[0].unseen_classes == ("emu",)
    assert "classes in validation absent from training: ['emu']" in result.summary()


def test_bad_input_names_the_numbers():
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match=r"X has 10 rows, time has shape \(9,\)"):
        audit_cv(KFold(2), X, time=np.arange(9))
    with pytest.raises(ValueError, match="time has 1 missing values"):
        audit_split(X, [0], [1], time=np.r_[np.nan, np.arange(9.0)])
    with pytest.raises(ValueError, match="time='when' names no column of X"):
        audit_split(X, [0], [1], time="when")
    out_of_range = r"index 10, outside the 10 rows of X \(valid: 0 to 9\)"
    with pytest.raises(ValueError, match=out_of_range):
        audit_split(X, [0, 10], [1])
    with pytest.raises(ValueError, match="index -1"):
        audit_split(X, [0], [-1])
    bad_mask = r"mask must have shape \(10,\), like X; got shape \(3,\)"
    with pytest.raises(ValueError, match=bad_mask):
        audit_split(X, np.array([True, False, True]), [1])
    with pytest.raises(ValueError, match="test holds no rows"):
        audit_split(X, [0, 1], [])
    with pytest.raises(TypeError, match="train must be a 1-D array of row indices"):
        audit_split(X, [0.5, 1.5], [2])
    with pytest.raises(InvalidParameterError, match="cv"):
        audit_cv("five", X)


def test_docstring_examples():
    assert doctest.testmod(_audit, raise_on_error=False).failed == 0


# -- odd labels and times: a clear error, or a sound audit (issue 16) -------------
odd_values = st.one_of(st.sampled_from(["a", "b"]), st.integers(0, 2), st.none(),
                       st.just(np.nan), st.just(pd.NA), st.booleans(), st.just(2.5))


@st.composite
def odd_columns(draw, n):
    elements = draw(st.one_of(st.sampled_from([st.sampled_from(["a", "b"]), st.integers(0, 2),
                                               st.floats(0, 10)]), st.just(odd_values)))
    values = draw(st.lists(elements, min_size=n, max_size=n))
    container = draw(st.sampled_from(["list", "object", "series", "string"]))
    if container == "list":
        return values
    if container == "object":
        return np.array(values, dtype=object)
    if container == "series":
        return pd.Series(values, dtype=object)
    return pd.Series([None if v is None or v is pd.NA or v != v else str(v) for v in values],
                     dtype="string")


@settings(max_examples=60, deadline=None)
@given(st.data(), st.integers(12, 30))
def test_odd_labels_and_times_give_a_clear_error_or_a_sound_audit(data, n):
    X = np.random.RandomState(0).normal(size=(n, 2))
    y = data.draw(odd_columns(n) | st.none(), label="y")
    time = data.draw(odd_columns(n) | st.none(), label="time")
    try:
        result = audit_cv(KFold(3), X, y, time=time)
    except ValueError as error:
        assert re.match(r"^(y |time )", str(error)), error
        return
    assert isinstance(result.ok, bool) and len(result.splits) == 3
    json.dumps(result.to_dict(), allow_nan=False)
