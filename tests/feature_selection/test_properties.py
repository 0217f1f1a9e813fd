"""Property-based tests: any input gives a clear error before scoring, or a sound result."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from skfit.feature_selection import MutualInfoSelector, mutual_info_scores

# Fragments of messages that come from numpy, pandas or scikit-learn internals
# rather than from a check that tells the user what to do.
RAW_MESSAGES = [
    "not supported between",
    "ambiguous",
    "Unknown label type",
    "could not convert",
    "unhashable",
    "out of bounds",
    "object of type",
    "has no attribute",
    "unsupported operand",
    "invalid literal",
]


def assert_clear(error):
    message = str(error)
    assert isinstance(error, (ValueError, TypeError)), repr(error)
    assert not any(raw in message for raw in RAW_MESSAGES), message
    words = ("X", "y", "feature", "sample", "parameter", "k=", "discrete", "sparse")
    assert any(word in message for word in words), message


# --- features --------------------------------------------------------------------

FINITE = st.floats(-1e6, 1e6, allow_nan=False, width=64)
EXTREME = st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, 1e-300, 3.4e38])


@st.composite
def feature_matrices(draw, n_samples):
    n_features = draw(st.integers(1, 5))
    # Valid kinds are drawn more often than the ones that must be refused.
    kind = draw(
        st.sampled_from(
            ["float", "float", "float32", "int", "int", "bool", "extreme", "extreme"]
            + ["nan", "inf", "text", "object"]
        )
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    shape = (n_samples, n_features)
    if kind in ("float", "nan", "inf"):
        X = rng.normal(size=shape) * draw(st.sampled_from([1e-300, 1.0, 1e300]))
        if kind != "float":
            X[rng.integers(n_samples), rng.integers(n_features)] = (
                np.nan if kind == "nan" else np.inf
            )
    elif kind == "float32":
        X = rng.normal(size=shape).astype(np.float32)
    elif kind == "int":
        X = rng.integers(-3, 4, size=shape)
    elif kind == "bool":
        X = rng.random(shape) < 0.3
    elif kind == "extreme":
        values = draw(st.lists(EXTREME, min_size=1, max_size=4))
        X = rng.choice(values, size=shape)
    elif kind == "text":
        X = rng.normal(size=shape).astype(object)
        X[rng.integers(n_samples), rng.integers(n_features)] = "high"
    else:
        X = rng.integers(0, 3, size=shape).astype(object)
    container = draw(st.sampled_from(["array", "list", "frame", "csr", "csc", "coo"]))
    if container == "list":
        return X.tolist()
    if container == "frame":
        frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(n_features)])
        if kind == "int" and draw(st.booleans()):
            frame["f0"] = frame["f0"].astype("Int64")
            frame.loc[0, "f0"] = pd.NA
        return frame
    if container != "array" and X.dtype != object:
        return getattr(sparse, f"{container}_matrix")(X)
    return X


# --- targets ---------------------------------------------------------------------


@st.composite
def targets(draw, n_samples):
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    kind = draw(
        st.sampled_from(
            [
                "int", "int", "whole floats", "continuous", "continuous", "huge",
                "strings", "strings", "bool",
                "constant", "None in strings", "pd.NA strings", "categorical NaN",
                "mixed", "lists", "mostly unique ints", "column", "too short",
                "nan floats", "nullable ints",
            ]
        )
    )  # fmt: skip
    classes = rng.integers(0, draw(st.integers(2, 4)), n_samples)
    if kind == "int":
        return classes
    if kind == "whole floats":
        return classes.astype(float)
    if kind == "continuous":
        return rng.normal(size=n_samples)
    if kind == "huge":
        return np.where(classes % 2 == 0, 1e308, -1e308)
    if kind == "strings":
        return np.array(["cat", "dog", "eel", "fox"])[classes]
    if kind == "bool":
        return classes % 2 == 0
    if kind == "constant":
        return np.full(n_samples, 7)
    if kind == "None in strings":
        labels = np.array(["cat", "dog", "eel", "fox"], dtype=object)[classes]
        labels[0] = None
        return labels
    if kind == "pd.NA strings":
        labels = pd.Series(np.array(["cat", "dog", "eel", "fox"])[classes], dtype="string")
        labels.iloc[-1] = pd.NA
        return labels
    if kind == "categorical NaN":
        return pd.Categorical(np.where(classes == 0, None, classes.astype(str)))
    if kind == "mixed":
        labels = classes.astype(object)
        labels[0] = "other"
        return labels
    if kind == "lists":
        labels = np.empty(n_samples, dtype=object)
        labels[:] = [[c] for c in classes]
        return labels
    if kind == "mostly unique ints":
        return rng.permutation(n_samples) * 3
    if kind == "column":
        return classes.reshape(-1, 1)
    if kind == "too short":
        return classes[:-1]
    if kind == "nan floats":
        labels = classes.astype(float)
        labels[0] = np.nan
        return labels
    return pd.Series(classes, dtype="Int64")


PARAMS = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["binned", "binned", "knn"]),
        "n_bins": st.sampled_from(["auto", 2, 5]),
        "discrete_target": st.sampled_from(["auto", True, False]),
        "discrete_features": st.sampled_from(["auto", True, False]),
    }
)


def _entropy_bound(y):
    """log of the number of distinct targets: an upper bound of any MI with y."""
    return np.log(max(2, np.unique(np.asarray(y).ravel().astype(str)).size))


def _rows(data, order):
    if hasattr(data, "iloc"):
        return data.iloc[order]
    if isinstance(data, list):
        return [data[i] for i in order]
    if sparse.issparse(data):
        return data.tocsr()[order]
    return np.asarray(data)[order]


@settings(max_examples=250, deadline=None)
@given(st.data(), PARAMS, st.sampled_from([None, 1, 3, 10, "all"]))
def test_selector_clear_error_or_sound_result(data, params, k):
    n_samples = data.draw(st.integers(1, 60))
    X = data.draw(feature_matrices(n_samples))
    y = data.draw(targets(n_samples))
    selector = MutualInfoSelector(k=k, n_permutations=5, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warnings are allowed; errors must be clear
        try:
            selector.fit(X, y)
        except Exception as error:  # noqa: BLE001 (the property is about any error)
            assert_clear(error)
            return
        X_out = selector.transform(X)
    n_features = selector.n_features_in_
    scores = selector.scores_
    assert scores.shape == (n_features,)
    assert np.all(np.isfinite(scores)) and np.all(scores >= 0)
    if params["method"] == "binned":
        assert np.all(scores <= _entropy_bound(y) + 1e-9)
        # Scores depend on the rows, not on their order.
        order = np.random.default_rng(0).permutation(n_samples)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            shuffled = mutual_info_scores(_rows(X, order), _rows(y, order), **params)
        np.testing.assert_allclose(shuffled, scores, atol=1e-12)
    support = selector.get_support()
    assert support.dtype == bool and support.shape == (n_features,)
    assert X_out.shape == (n_samples, support.sum())
    assert sparse.issparse(X_out) == sparse.issparse(X)
    if selector.threshold_ is not None:
        assert np.all(np.isfinite(selector.threshold_))


@settings(max_examples=100, deadline=None)
@given(st.data(), PARAMS)
def test_scores_clear_error_or_sound_result(data, params):
    n_samples = data.draw(st.integers(1, 60))
    X = data.draw(feature_matrices(n_samples))
    y = data.draw(targets(n_samples))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            scores = mutual_info_scores(X, y, random_state=0, **params)
        except Exception as error:  # noqa: BLE001
            assert_clear(error)
            return
    assert np.all(np.isfinite(scores)) and np.all(scores >= 0)


# --- the specific cases of issue 16, kind 4 and 5 ---------------------------------


@pytest.mark.parametrize(
    "y, message",
    [
        (np.array(["a", None, "b", "a"], dtype=object), "missing values.*position 1"),
        (pd.Series(["a", "b", pd.NA, "a"], dtype="string"), "missing values.*position 2"),
        (pd.Categorical(["a", "b", None, "a"]), "missing values.*position 2"),
        (pd.Series([1, pd.NA, 0, 1], dtype="Int64"), "missing values.*position 1"),
        (np.array([1, "a", 2, "b"], dtype=object), "mixes strings with other values"),
    ],
)
def test_bad_labels_are_named_before_any_work(y, message):
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises((ValueError, TypeError), match=message):
        MutualInfoSelector().fit(X, y)
    with pytest.raises((ValueError, TypeError), match=message):
        mutual_info_scores(X, y)


def test_labels_are_not_mutated_and_numbers_in_objects_are_numbers():
    y = np.array([0, 1, 1, 0] * 25, dtype=object)
    X = np.column_stack([np.array(y, dtype=float), np.arange(100.0) % 3])
    before = y.copy()
    scores = mutual_info_scores(X, y)
    np.testing.assert_allclose(scores, mutual_info_scores(X, y.astype(int)))
    assert y.dtype == object and np.array_equal(y, before)


def test_continuous_target_declared_discrete_is_refused():
    rng = np.random.default_rng(0)
    y = rng.normal(size=300)
    X = np.column_stack([y + rng.normal(scale=0.3, size=300), rng.normal(size=300)])
    with pytest.raises(ValueError, match="discrete_target=True, but y is continuous"):
        MutualInfoSelector(discrete_target=True).fit(X, y)
    # Left to "auto", the same target is read as continuous and the right
    # feature is kept.
    kept = MutualInfoSelector(random_state=0).fit(X, y).get_support()
    np.testing.assert_array_equal(kept, [True, False])


def test_text_target_declared_continuous_is_refused():
    X = np.arange(20.0).reshape(10, 2)
    with pytest.raises(ValueError, match="discrete_target=False needs a numeric y"):
        MutualInfoSelector(discrete_target=False).fit(X, np.array(["a", "b"] * 5))


def test_mostly_unique_integer_target_is_a_quantity():
    rng = np.random.default_rng(0)
    price = rng.integers(10_000, 500_000, 400)  # integers, nearly all distinct
    X = np.column_stack([price + rng.normal(scale=20_000, size=400), rng.normal(size=400)])
    selector = MutualInfoSelector(random_state=0).fit(X, price)
    np.testing.assert_array_equal(selector.get_support(), [True, False])
    with pytest.warns(UserWarning, match="most of them seen once"):
        MutualInfoSelector(discrete_target=True).fit(X, price)


def test_text_features_are_named():
    X = np.array([[1.0, 2.0], [3.0, "high"], [5.0, 6.0]], dtype=object)
    with pytest.raises(TypeError, match=r"column 1 holds text \(row 1: 'high'\)"):
        MutualInfoSelector().fit(X, [0, 1, 0])


def test_many_constant_features_are_listed_briefly():
    X = np.column_stack([np.zeros((50, 30)), np.arange(50.0)])
    with pytest.warns(UserWarning, match=r"and 20 more \(30 in all\) are constant"):
        MutualInfoSelector().fit(X, np.arange(50) % 2)


def test_column_vector_target_warns_as_in_scikit_learn():
    from sklearn.exceptions import DataConversionWarning

    X = np.arange(40.0).reshape(20, 2)
    y = np.array([0, 1] * 10, dtype=object).reshape(-1, 1)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        selector = MutualInfoSelector(k=1).fit(X, y)
    assert selector.scores_.shape == (2,)
    bools = np.array([np.True_, np.False_] * 10, dtype=object)
    np.testing.assert_allclose(
        mutual_info_scores(X, bools), mutual_info_scores(X, bools.astype(bool))
    )
