import doctest
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse

from skfit.model_selection import _duplicates, duplicate_groups
from skfit.utils.fixes import InvalidParameterError


def reference_groups(rows):
    """First-appearance labels from Python tuples, NaN equal to NaN."""
    seen = {}
    labels = []
    for row in rows:
        key = tuple("nan" if isinstance(v, float) and math.isnan(v) else v for v in row)
        labels.append(seen.setdefault(key, len(seen)))
    return np.array(labels)


small_floats = st.sampled_from([0.0, -0.0, 1.5, -2.0, 3.0, np.nan, np.inf])


@st.composite
def matrices_with_duplicates(draw):
    """Small float matrices from few values, plus copies of some rows."""
    n_rows = draw(st.integers(1, 40))
    n_cols = draw(st.integers(1, 4))
    X = draw(hnp.arrays(np.float64, (n_rows, n_cols), elements=small_floats))
    copies = draw(st.lists(st.integers(0, n_rows - 1), max_size=10))
    positions = draw(st.permutations(range(n_rows + len(copies))))
    return np.vstack([X, X[copies]])[list(positions)]


@settings(max_examples=60, deadline=None)
@given(matrices_with_duplicates())
def test_dense_and_sparse_match_reference(X):
    expected = reference_groups(X.tolist())
    np.testing.assert_array_equal(duplicate_groups(X), expected)
    np.testing.assert_array_equal(duplicate_groups(sparse.csr_matrix(X)), expected)
    np.testing.assert_array_equal(duplicate_groups(pd.DataFrame(X)), expected)


def test_labels_follow_first_appearance():
    X = np.array([[5, 1], [2, 2], [5, 1], [7, 0], [2, 2]])
    np.testing.assert_array_equal(duplicate_groups(X), [0, 1, 0, 2, 1])
    assert duplicate_groups(X).dtype == np.int64


def test_nan_equals_nan_and_negative_zero_equals_zero():
    nan_payload = np.frombuffer(np.uint64(0x7FF8000000000001).tobytes(), np.float64)[0]
    X = np.array([[np.nan, 0.0], [nan_payload, -0.0], [np.nan, 1.0]])
    np.testing.assert_array_equal(duplicate_groups(X), [0, 0, 1])


def test_decimals_rounds_floats_before_comparing():
    X = np.array([[0.101, 7], [0.099, 7], [0.12, 7]])
    np.testing.assert_array_equal(duplicate_groups(X), [0, 1, 2])
    np.testing.assert_array_equal(duplicate_groups(X, decimals=2), [0, 0, 1])
    np.testing.assert_array_equal(duplicate_groups(X, decimals=1), [0, 0, 0])
    frame = pd.DataFrame({"x": X[:, 0], "name": ["a", "a", "a"]})
    np.testing.assert_array_equal(duplicate_groups(frame, decimals=2), [0, 0, 1])
    S = sparse.csr_matrix(X)
    np.testing.assert_array_equal(duplicate_groups(S, decimals=2), [0, 0, 1])


def test_dataframe_with_mixed_dtypes():
    frame = pd.DataFrame(
        {
            "text": ["a", "b", "a", None, np.nan, "a"],
            "category": pd.Categorical(["u", "v", "u", "v", "v", "w"]),
            "number": [1.0, np.nan, 1.0, 2.0, 2.0, 1.0],
            "count": pd.array([1, 2, 1, pd.NA, pd.NA, 1], dtype="Int64"),
            "when": pd.to_datetime(
                ["2024-01-01", None, "2024-01-01", "2024-01-02", "2024-01-02", None]
            ),
        }
    )
    # None and NaN in the text column are both missing, hence equal.
    np.testing.assert_array_equal(duplicate_groups(frame), [0, 1, 0, 2, 2, 3])


def test_object_columns_compare_values_not_strings():
    X = np.array([[1, "x"], ["1", "x"], [1, "x"]], dtype=object)
    np.testing.assert_array_equal(duplicate_groups(X), [0, 1, 0])


def test_sparse_formats_explicit_zeros_and_repeated_entries():
    dense = np.array([[0.0, 2.0, 0.0], [0.0, 2.0, 0.0], [1.0, 0.0, 0.0], [0, 0, 0]])
    # Row 1 written as 1.5 + 0.5 in column 1 plus an explicit zero in column 2;
    # row 3 holds only an explicit zero.
    coo = sparse.coo_matrix(
        ([2.0, 1.5, 0.5, 0.0, 1.0, 0.0], ([0, 1, 1, 1, 2, 3], [1, 1, 1, 2, 0, 2])),
        shape=(4, 3),
    )
    expected = duplicate_groups(dense)
    np.testing.assert_array_equal(expected, [0, 0, 1, 2])
    for matrix in (coo, coo.tocsr(), coo.tocsc(), sparse.csr_array(coo)):
        np.testing.assert_array_equal(duplicate_groups(matrix), expected)
    integer = sparse.csr_matrix(dense.astype(np.int32))
    np.testing.assert_array_equal(duplicate_groups(integer), expected)


def test_sparse_repeated_entries_are_added_before_rounding():
    # Row 0 holds 0.04 + 0.04 = 0.08 -> 0.1 in column 0, like row 1.
    S = sparse.coo_matrix(([0.04, 0.04, 0.1], ([0, 0, 1], [0, 0, 0])), shape=(3, 2))
    np.testing.assert_array_equal(duplicate_groups(S, decimals=1), [0, 0, 1])
    # Rounded to zero, an entry equals an implicit zero (row 2).
    S = sparse.csr_matrix(np.array([[0.04, 1.0], [0.0, 1.0], [0.0, 0.0]]))
    np.testing.assert_array_equal(duplicate_groups(S, decimals=1), [0, 0, 1])


def test_input_is_not_modified():
    X = np.array([[-0.0, np.nan], [0.0, np.nan]])
    X_before = X.copy()
    duplicate_groups(X, decimals=1)
    np.testing.assert_array_equal(np.signbit(X), np.signbit(X_before))
    S = sparse.csr_matrix(
        (np.array([1.0, 0.0, 2.0]), np.array([2, 0, 1]), np.array([0, 2, 3])),
        shape=(2, 3),
    )
    data, indices = S.data.copy(), S.indices.copy()
    duplicate_groups(S, decimals=0)
    np.testing.assert_array_equal(S.data, data)
    np.testing.assert_array_equal(S.indices, indices)


def test_hash_collisions_never_merge_different_rows(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, size=(200, 3)).astype(float)
    expected = reference_groups(X.tolist())
    # Every row hashes to the same value: only the verification keeps them apart.
    monkeypatch.setattr(_duplicates, "_mix", lambda h: h * np.uint64(0))
    np.testing.assert_array_equal(duplicate_groups(X), expected)
    np.testing.assert_array_equal(duplicate_groups(sparse.csr_matrix(X)), expected)
    np.testing.assert_array_equal(duplicate_groups(pd.DataFrame(X)), expected)


def test_bad_input_is_rejected_with_clear_errors():
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        duplicate_groups(np.arange(5))
    with pytest.raises(ValueError, match=r"shape \(0, 2\)"):
        duplicate_groups(pd.DataFrame({"a": [], "b": []}))
    with pytest.raises(InvalidParameterError, match="decimals"):
        duplicate_groups([[1.0]], decimals=1.5)
    with pytest.raises(ValueError, match="Complex data not supported"):
        duplicate_groups(sparse.csr_matrix(np.array([[1j, 0]])))


def test_docstring_examples():
    assert doctest.testmod(_duplicates, raise_on_error=False).failed == 0
