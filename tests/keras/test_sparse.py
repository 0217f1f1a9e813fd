"""Sparse X end to end: same learning as dense, no whole-matrix densification."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skfit import KerasClassifier, KerasMLPClassifier, KerasMLPRegressor, KerasRegressor

from ..test_common import dense_classifier, dense_regressor

SPARSE_FORMATS = [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array, sp.csc_array]


def _sparse_digits(digits):
    X, y = digits
    X = np.where(X > 0.5, X, 0.0)[:500]  # about half the pixels zero
    return X, y[:500]


@pytest.mark.parametrize("to_sparse", SPARSE_FORMATS)
def test_mlp_classifier_learns_the_same_from_sparse_and_dense(digits, to_sparse):
    X, y = _sparse_digits(digits)
    params = dict(hidden_layer_sizes=(16,), epochs=3, random_state=0)
    dense = KerasMLPClassifier(**params).fit(X, y)
    sparse = KerasMLPClassifier(**params).fit(to_sparse(X), y)
    np.testing.assert_allclose(sparse.history_["loss"], dense.history_["loss"], rtol=1e-5)
    np.testing.assert_allclose(sparse.predict_proba(to_sparse(X)), dense.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(sparse.predict(X), dense.predict(X))
    assert sparse.score(to_sparse(X), y) == pytest.approx(dense.score(X, y))


@pytest.mark.parametrize(
    "estimator",
    [
        KerasMLPRegressor((8,), epochs=3, random_state=0),
        KerasClassifier(dense_classifier, epochs=3, random_state=0),
        KerasRegressor(dense_regressor, epochs=3, random_state=0),
    ],
    ids=["mlp-regressor", "keras-classifier", "keras-regressor"],
)
def test_every_estimator_takes_sparse_x(digits, estimator):
    X, y = _sparse_digits(digits)
    dense = estimator.fit(X, y)
    expected = dense.predict(X)
    sparse = type(estimator)(**estimator.get_params(deep=False)).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.predict(sp.csr_matrix(X)), expected, rtol=1e-4, atol=1e-4)


def test_keras_fit_path_takes_sparse_x(digits):
    X, y = _sparse_digits(digits)
    clf = KerasMLPClassifier((8,), epochs=2, engine="keras", random_state=0)
    clf.fit(sp.csr_matrix(X), y)
    assert len(clf.history_["val_loss"]) == 2 and np.isfinite(clf.history_["val_loss"]).all()


def test_non_canonical_csr_is_not_mutated_and_sums_duplicates():
    # the same entry stored twice (duplicates sum), columns unsorted
    data, indices, indptr = np.array([1.0, 2.0, 3.0]), np.array([2, 0, 2]), np.array([0, 3])
    X = sp.csr_matrix((data, indices, indptr), shape=(1, 3))
    X = sp.vstack([X] * 20 + [sp.csr_matrix(np.eye(3)[:1])] * 20).tocsr()
    X_before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    y = np.arange(40) % 2
    clf = KerasMLPClassifier((4,), epochs=2, random_state=0).fit(X, y)
    for before, after in zip(X_before, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(before, after)
    dense = KerasMLPClassifier((4,), epochs=2, random_state=0).fit(X.toarray(), y)
    np.testing.assert_allclose(clf.predict_proba(X), dense.predict_proba(X.toarray()), atol=1e-5)


def test_one_hot_column_transformer_pipeline():
    rng = np.random.default_rng(0)
    colour = rng.choice(["red", "green", "blue"], 200)
    size = rng.normal(size=200)
    y = (colour == "red") ^ (size > 0)
    import pandas as pd

    frame = pd.DataFrame({"colour": colour, "size": size})
    pipe = make_pipeline(
        ColumnTransformer([("cat", OneHotEncoder(), ["colour"]), ("num", StandardScaler(), ["size"])],
                          sparse_threshold=1.0),
        KerasMLPClassifier((16,), epochs=40, learning_rate=1e-2, random_state=0),
    )  # fmt: skip
    assert sp.issparse(pipe[0].fit_transform(frame))
    assert pipe.fit(frame, y).score(frame, y) > 0.9


def test_bag_of_words_pipeline():
    texts = ["good great fine", "bad awful poor", "great good", "poor bad"] * 25
    y = np.array([1, 0, 1, 0] * 25)
    pipe = make_pipeline(
        CountVectorizer(binary=True),
        KerasMLPClassifier((8,), epochs=30, learning_rate=1e-2, random_state=0),
    )
    assert pipe.fit(texts, y).score(texts, y) == 1.0


def test_sparse_nan_or_inf_is_refused_before_training(no_training):
    for bad in (np.nan, np.inf):
        X = sp.random(40, 5, density=0.3, format="csr", random_state=0)
        X.data[0] = bad
        with pytest.raises(ValueError, match="NaN|infinity"):
            KerasMLPClassifier().fit(X, np.arange(40) % 2)


def test_sparse_beyond_float32_is_refused(no_training):
    X = sp.random(40, 5, density=0.3, format="csr", random_state=0) * 1e300
    with pytest.raises(ValueError, match="beyond float32's range"):
        KerasMLPClassifier().fit(X, np.arange(40) % 2)
