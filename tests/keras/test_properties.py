"""Property-based: any data a user can pass gets a clear error before training, or a sound fit.

A *clear error* is a ValueError or TypeError raised by skfit itself or by
scikit-learn's input validation (whose messages name the argument), before
the engine starts. A *sound fit* predicts finite values of the right shape,
labels among ``classes_``, probabilities in [0, 1] summing to 1.
"""

import traceback
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skfit import KerasMLPClassifier, KerasMLPRegressor
from skfit.exceptions import NonFiniteWeightsError
from skfit.keras import _engine

# Where a clear error may come from: skfit, or sklearn's validation helpers.
_CLEAR_SOURCES = ("/skfit/", "sklearn/utils/validation.py", "sklearn/utils/_param_validation.py",
                  "sklearn/utils/multiclass.py", "sklearn/utils/_array_api.py",
                  "sklearn/utils/_set_output.py")  # fmt: skip

FAST = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def _raised_clearly(error):
    frames = traceback.extract_tb(error.__traceback__)
    origin = frames[-1].filename
    assert isinstance(error, (ValueError, TypeError)), f"{type(error).__name__}: {error}"
    assert any(source in origin for source in _CLEAR_SOURCES), f"raised in {origin}: {error}"
    assert len(str(error)) > 20, f"too terse: {error!r}"


class _EngineWatch:
    """Records whether training started (the fit passed validation; either loop starts in
    ``_engine.train``), and whether the fit warned that training diverged."""

    def __init__(self, monkeypatch):
        self.started = False
        self.warned_diverged = False
        train = _engine.train

        def watched(*args, **kwargs):
            self.started = True
            return train(*args, **kwargs)

        monkeypatch.setattr(_engine, "train", watched)


def _fit_or_clear_error(estimator, X, y, watch, **fit_params):
    watch.started = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitted = estimator.fit(X, y, **fit_params)
            watch.warned_diverged = any("training diverged" in str(w.message) for w in caught)
            return fitted
        except (ValueError, TypeError) as error:
            assert not watch.started, f"error after training started: {error}"
            _raised_clearly(error)
            return None


dtypes = st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.int8, np.uint8, bool])
extremes = st.sampled_from([0.0, 1.0, -1.0, 1e-30, 1e30, 1e38, 1e300, np.nan, np.inf, -np.inf])


@st.composite
def feature_matrices(draw):
    n_rows = draw(st.integers(0, 30))
    n_cols = draw(st.sampled_from([0, 1, 3]))
    dtype = draw(dtypes)
    X = draw(hnp.arrays(np.float64, (n_rows, n_cols), elements=st.floats(-5, 5, allow_nan=False)))
    if n_rows and n_cols and draw(st.booleans()):
        X[draw(st.integers(0, n_rows - 1)), draw(st.integers(0, n_cols - 1))] = draw(extremes)
    with np.errstate(all="ignore"):
        X = X.astype(dtype) if np.isfinite(X).all() or dtype in (np.float64, np.float32) else X
    kind = draw(st.sampled_from(["array", "frame", "csr", "list"]))
    if kind == "frame":
        return pd.DataFrame(X, columns=[f"c{i}" for i in range(X.shape[1])])
    if kind == "csr" and X.dtype not in (bool, np.float16):
        return sp.csr_matrix(X)
    if kind == "list":
        return X.tolist()
    return X


label_values = st.one_of(
    st.sampled_from([0, 1, 2]),
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from([True, False]),
    st.sampled_from([0.5, 1.5]),
    st.sampled_from([None, np.nan, pd.NA]),
)


@st.composite
def labels(draw, n):
    if draw(st.booleans()):  # one consistent type, the common case
        pool = draw(st.sampled_from([[0, 1, 2], ["a", "b"], [True, False], [-1.0, 3.5]]))
        values = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
    else:
        values = draw(st.lists(label_values, min_size=n, max_size=n))
    kind = draw(st.sampled_from(["list", "array", "series", "string-series"]))
    if kind == "array":
        return np.array(values, dtype=object if any(v is None or v is pd.NA for v in values) else None)
    if kind == "series":
        return pd.Series(values)
    if kind == "string-series":
        return pd.Series([v if v is None or v is pd.NA else str(v) for v in values], dtype="string")
    return values


def _predict_or_refuse(estimator, X, watch, method="predict"):
    """Predictions, or None when the network refuses clearly: its weights diverged (the fit
    warned so), or extreme inputs would make its outputs overflow."""
    try:
        return getattr(estimator, method)(X)
    except NonFiniteWeightsError as error:
        assert watch.warned_diverged, "predict refuses, but the fit did not warn"
        _raised_clearly(error)
        return None
    except ValueError as error:
        assert "non-finite outputs" in str(error)
        _raised_clearly(error)
        return None


@pytest.fixture
def watch(monkeypatch):
    return _EngineWatch(monkeypatch)


def _n_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


@FAST
@given(data=st.data())
def test_classifier_clear_error_or_sound_fit(watch, data):
    X = data.draw(feature_matrices())
    y = data.draw(labels(_n_rows(X)))
    params = data.draw(st.fixed_dictionaries({}, optional={
        "validation_fraction": st.sampled_from([0.0, 0.5, 0.9, 0.99]),
        "batch_size": st.sampled_from([1, 3, 10**9]),
        "class_weight": st.sampled_from(["balanced", {0: 2.0}, {"a": -1.0}]),
        "early_stopping": st.booleans(),
        "engine": st.sampled_from(["numpy", "compiled"]),  # "auto" trains these in NumPy
    }))  # fmt: skip
    clf = _fit_or_clear_error(KerasMLPClassifier((4,), epochs=2, random_state=0, **params), X, y, watch)
    if clf is None:
        return
    proba = _predict_or_refuse(clf, X, watch, "predict_proba")
    if proba is None:
        return
    assert proba.shape == (_n_rows(X), len(clf.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(np.asarray(clf.predict(X)).tolist()) <= set(clf.classes_.tolist())


@FAST
@given(data=st.data())
def test_regressor_clear_error_or_sound_fit(watch, data):
    X = data.draw(feature_matrices())
    n = _n_rows(X)
    scale = data.draw(st.sampled_from([1.0, 1e-20, 1e20, 1e300]))
    y = data.draw(hnp.arrays(np.float64, n, elements=st.floats(-3, 3))) * scale
    if n and data.draw(st.booleans()):
        y[data.draw(st.integers(0, n - 1))] = data.draw(extremes)
    engine = data.draw(st.sampled_from(["numpy", "compiled"]))
    reg = _fit_or_clear_error(KerasMLPRegressor((4,), epochs=2, engine=engine, random_state=0), X, y,
                              watch)  # fmt: skip
    if reg is None:
        return
    predicted = _predict_or_refuse(reg, X, watch)
    if predicted is not None:
        assert predicted.shape == (n,) and np.isfinite(predicted).all()


@FAST
@given(sample_weight=hnp.arrays(np.float64, 20, elements=st.sampled_from([0.0, 1.0, 2.5, -1.0, np.nan, np.inf, 1e300])))
def test_sample_weights_clear_error_or_sound_fit(watch, sample_weight):
    X = np.random.RandomState(0).rand(20, 3)
    y = np.arange(20) % 2
    clf = _fit_or_clear_error(KerasMLPClassifier((4,), epochs=2, random_state=0), X, y, watch,
                              sample_weight=sample_weight)  # fmt: skip
    if clf is not None:
        assert np.isfinite(clf.predict_proba(X)).all()
