"""warm_start and partial_fit: training continues, on either engine, without retracing."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from skfit import KerasClassifier, KerasMLPClassifier, KerasMLPRegressor

from ..test_common import dense_classifier
from .test_engine import _count_traces


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_partial_fit_calls_learn_exactly_like_epochs_of_fit(small_digits, engine):
    X, y = small_digits
    params = dict(hidden_layer_sizes=(16,), validation_fraction=0, engine=engine, random_state=0)
    fitted = KerasMLPClassifier(epochs=4, **params).fit(X, y)
    incremental = KerasMLPClassifier(**params)
    for _ in range(4):
        incremental.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_allclose(incremental.history_["loss"], fitted.history_["loss"], rtol=1e-6)
    np.testing.assert_allclose(incremental.predict_proba(X), fitted.predict_proba(X), atol=1e-6)
    assert incremental.n_epochs_ == 4


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_warm_start_continues_exactly_like_one_longer_fit(small_digits, engine):
    X, y = small_digits
    params = dict(hidden_layer_sizes=(16,), engine=engine, random_state=0)
    long = KerasMLPClassifier(epochs=6, **params).fit(X, y)
    warm = KerasMLPClassifier(epochs=3, warm_start=True, **params).fit(X, y).fit(X, y)
    assert warm.n_epochs_ == 6 and len(warm.history_["val_loss"]) == 6
    np.testing.assert_allclose(warm.history_["val_loss"], long.history_["val_loss"], rtol=1e-5)
    np.testing.assert_allclose(warm.predict_proba(X), long.predict_proba(X), atol=1e-5)
    cold = KerasMLPClassifier(epochs=3, **params).fit(X, y).fit(X, y)
    assert cold.n_epochs_ == 3  # without warm_start, a refit starts over


def test_warm_start_with_early_stopping_remembers_the_best_epoch(small_digits):
    X, y = small_digits
    clf = KerasMLPClassifier((64,), epochs=40, early_stopping=True, patience=3, warm_start=True,
                             learning_rate=1e-2, random_state=0).fit(X, y)  # fmt: skip
    best = clf.best_epoch_
    best_loss = clf.history_["val_loss"][best - 1]
    clf.set_params(epochs=5).fit(X, y)
    assert clf.n_epochs_ > best
    assert min(clf.history_["val_loss"]) <= best_loss
    assert clf.history_["val_loss"][clf.best_epoch_ - 1] == min(clf.history_["val_loss"])


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
@pytest.mark.parametrize("chunks", [(3,) * 10, (1,) * 30])
def test_chunks_of_early_stopped_training_equal_one_fit(small_digits, chunks, engine):
    """A fit that runs out of epochs is continued from its last epoch, its best epoch and
    patience carried over: fits of a few epochs each, with early stopping, equal one fit of
    their sum (same curves, same stop, same restored weights)."""
    X, y = small_digits
    params = dict(hidden_layer_sizes=(32,), early_stopping=True, patience=4, learning_rate=3e-2,
                  optimizer="adam", engine=engine, random_state=0)
    whole = KerasMLPClassifier(epochs=sum(chunks), **params).fit(X, y)
    assert whole.n_epochs_ < sum(chunks) and whole.best_epoch_ < whole.n_epochs_  # it stopped
    chunked = KerasMLPClassifier(warm_start=True, **params)
    for epochs in chunks:
        done = getattr(chunked, "n_epochs_", 0)
        if chunked.set_params(epochs=epochs).fit(X, y).n_epochs_ < done + epochs:
            break  # early stopping ended it
    assert chunked.n_epochs_ == whole.n_epochs_ and chunked.best_epoch_ == whole.best_epoch_
    np.testing.assert_allclose(chunked.history_["val_loss"], whole.history_["val_loss"],
                               rtol=1e-5)
    np.testing.assert_allclose(chunked.predict_proba(X), whole.predict_proba(X), atol=1e-5)


def test_no_retrace_across_partial_fit_calls(small_digits, monkeypatch):
    traces = _count_traces(monkeypatch)
    X, y = small_digits
    clf = KerasMLPClassifier((19,), activation="swish", engine="compiled", random_state=0)  # its own session
    for start in range(0, 600, 100):
        clf.partial_fit(X[start : start + 100], y[start : start + 100], classes=np.arange(10))
    assert len(traces) == 1 and clf.n_epochs_ == 6


def test_partial_fit_on_chunks_learns(digits):
    X, y = digits
    clf = KerasMLPClassifier((32,), learning_rate=1e-2, random_state=0)
    for epoch in range(5):
        for start in range(0, 1500, 300):
            clf.partial_fit(X[start : start + 300], y[start : start + 300], classes=np.arange(10))
    assert clf.score(X[1500:], y[1500:]) > 0.85


def test_partial_fit_regressor_and_sparse_chunks():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    y = X @ [1.0, -2.0, 0.5, 0.0, 3.0] * 100 + 1000
    reg = KerasMLPRegressor((16,), learning_rate=1e-2, random_state=0)
    for _ in range(30):
        for chunk in np.array_split(np.arange(400), 4):
            reg.partial_fit(sp.csr_matrix(X[chunk]), y[chunk])
    assert reg.score(X, y) > 0.9


def test_partial_fit_needs_classes_first_and_refuses_unknown_ones(small_digits, no_training):
    X, y = small_digits
    clf = KerasMLPClassifier()
    with pytest.raises(ValueError, match="first call to KerasMLPClassifier.partial_fit needs classes="):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match=r"labels \[9\] that are not among the classes"):
        clf.partial_fit(X, y, classes=np.arange(9))
    assert not hasattr(clf, "classes_")


def test_partial_fit_refuses_a_new_class_or_width_and_stays_as_it_was(small_digits):
    X, y = small_digits
    clf = KerasMLPClassifier((8,), random_state=0).partial_fit(X, y, classes=np.arange(10))
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match=r"labels \[10\] that are not among"):
        clf.partial_fit(X, np.where(y == 0, 10, y))
    with pytest.raises(ValueError, match="X has 63 features"):
        clf.partial_fit(X[:, 1:], y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.n_epochs_ == 1


def test_warm_start_refuses_changed_classes_features_or_network(small_digits):
    X, y = small_digits
    clf = KerasMLPClassifier((8,), epochs=1, warm_start=True, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="same classes as in the previous fit"):
        clf.fit(X[y < 9], y[y < 9])
    with pytest.raises(ValueError, match="X has 63 features"):
        clf.fit(X[:, 1:], y)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes \(8,\) -> \(16,\)"):
        clf.set_params(hidden_layer_sizes=(16,)).fit(X, y)
    assert clf.n_epochs_ == 1


def test_wrapper_warm_start_and_keras_path_continue(small_digits):
    X, y = small_digits
    clf = KerasClassifier(dense_classifier, epochs=2, warm_start=True, random_state=0)
    clf.fit(X, y).fit(X, y)
    assert clf.n_epochs_ == 4
    keras_path = KerasMLPClassifier((8,), epochs=2, warm_start=True, engine="keras", random_state=0)
    keras_path.fit(X, y)
    first = keras_path.history_["loss"][-1]
    keras_path.fit(X, y)
    assert keras_path.n_epochs_ == 4 and keras_path.history_["loss"][-1] < first


def test_clone_of_a_warm_started_estimator_starts_fresh(small_digits):
    X, y = small_digits
    clf = KerasMLPClassifier((8,), epochs=1, warm_start=True, random_state=0).fit(X, y)
    assert clone(clf).fit(X, y).n_epochs_ == 1
