"""The NumPy training loop: the compiled loop's training, without TensorFlow."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone

from skfit import KerasClassifier, KerasMLPClassifier, KerasMLPRegressor
from skfit.keras import _engine
from skfit.keras._mlp_session import MLPSession
from skfit.keras._numpy_loop import NUMPY_MAX_WEIGHTS, NumpyMLPSession

from ..test_common import dense_classifier

# Without shuffling and dropout (NumPy draws its own), both loops take the same steps:
# their curves differ by float32 rounding only.
SAME_STEPS = dict(hidden_layer_sizes=(16,), shuffle=False, epochs=4, random_state=0)


def _both(estimator, X, y):
    return [clone(estimator).set_params(engine=engine).fit(X, y) for engine in ("numpy", "compiled")]


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="sgd", learning_rate_init=0.05, momentum=0),
        dict(optimizer="sgd", optimizer_params={"momentum": 0.9, "nesterov": True}),
        dict(optimizer="rmsprop", optimizer_params={"momentum": 0.5, "centered": True}),
        dict(optimizer="adam", optimizer_params={"amsgrad": True, "beta_1": 0.8}),
        dict(l1=1e-3, l2=1e-2, activation="tanh"),
        dict(activation="gelu", batch_size=7),
        dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.2, momentum=0),
        dict(solver="sgd", learning_rate="adaptive", learning_rate_init=0.5, momentum=0, tol=0.5,
             n_iter_no_change=1),
        dict(solver="sgd", learning_rate="adaptive", learning_rate_init=5e-6, momentum=0, tol=10.0,
             n_iter_no_change=1, epochs=10),  # the rate's floor, compared in float32 by both
        dict(early_stopping=True, patience=2, learning_rate=0.05, epochs=30),
        dict(class_weight="balanced", validation_fraction=0.0),
    ],
)  # fmt: skip
def test_numpy_loop_takes_the_compiled_loops_steps(small_digits, params):
    X, y = small_digits
    numpy, compiled = _both(KerasMLPClassifier(**{**SAME_STEPS, **params}), X[:300], y[:300])
    assert isinstance(_session_of(numpy), NumpyMLPSession)
    assert numpy.n_epochs_ == compiled.n_epochs_ and numpy.best_epoch_ == compiled.best_epoch_
    for name, values in compiled.history_.items():
        np.testing.assert_allclose(numpy.history_[name], values, rtol=2e-4, atol=1e-6)
    np.testing.assert_allclose(numpy.predict_proba(X), compiled.predict_proba(X), atol=1e-4)


@pytest.mark.parametrize("multilabel", [False, True])
def test_numpy_loop_takes_the_compiled_loops_steps_for_other_targets(small_digits, multilabel):
    X, y = small_digits
    X, y = X[:300], y[:300]
    if multilabel:
        targets = np.column_stack([y % 2, y > 4, y == 0]).astype(int)
        estimator = KerasMLPClassifier(**SAME_STEPS)
    else:
        targets = np.column_stack([X[:, :5].sum(axis=1), X[:, 5:9].mean(axis=1)])
        estimator = KerasMLPRegressor(**SAME_STEPS)
    numpy, compiled = _both(estimator, X, targets)
    for name, values in compiled.history_.items():
        np.testing.assert_allclose(numpy.history_[name], values, rtol=2e-4, atol=1e-6)
    np.testing.assert_allclose(numpy.predict(X), compiled.predict(X), atol=1e-3)


def test_numpy_loop_learns_and_the_seed_decides_its_draws(digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(32,), dropout=0.2, learning_rate=1e-2, epochs=15, engine="numpy")
    first = KerasMLPClassifier(random_state=0, **params).fit(X[:1200], y[:1200])
    again = KerasMLPClassifier(random_state=0, **params).fit(X[:1200], y[:1200])
    other = KerasMLPClassifier(random_state=1, **params).fit(X[:1200], y[:1200])
    np.testing.assert_array_equal(first.predict_proba(X), again.predict_proba(X))
    assert not np.array_equal(first.predict_proba(X), other.predict_proba(X))
    assert first.score(X[1200:], y[1200:]) > 0.9


def _session_of(fitted):
    return fitted._session(fitted._architecture_, fitted._optimizer, fitted._objective,
                           has_validation=fitted.validation_fraction > 0)  # fmt: skip


def test_auto_engine_trains_small_networks_in_numpy_and_large_ones_compiled(small_digits):
    X, y = small_digits
    small = KerasMLPClassifier((16,), epochs=1, random_state=0).fit(X, y)
    assert small._architecture_.n_weights <= NUMPY_MAX_WEIGHTS
    assert isinstance(_session_of(small), NumpyMLPSession)
    width = NUMPY_MAX_WEIGHTS // (X.shape[1] + 11) + 1
    large = KerasMLPClassifier((width,), epochs=1, random_state=0).fit(X[:100], y[:100])
    assert large._architecture_.n_weights > NUMPY_MAX_WEIGHTS
    assert isinstance(_session_of(large), MLPSession)
    # what NumPy cannot train goes to TensorFlow under "auto"
    clipped = KerasMLPClassifier((16,), epochs=1, optimizer_params={"clipnorm": 1.0},
                                 random_state=0).fit(X, y)  # fmt: skip
    assert clipped._optimizer_kind[0] == "keras"


def test_a_numpy_fit_calls_no_tensorflow_loop(small_digits, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the compiled loop ran")

    monkeypatch.setattr(_engine, "_train_compiled", refuse)
    X, y = small_digits
    KerasMLPClassifier((16,), epochs=2, verbose=1, random_state=0).fit(X, y)


@pytest.mark.parametrize(
    "estimator, message",
    [
        (KerasMLPClassifier(optimizer="adamw", engine="numpy"), "AdamW optimizer"),
        (KerasMLPClassifier(optimizer_params={"clipnorm": 1.0}, engine="numpy"), "optimizer with these options"),
        (KerasClassifier(dense_classifier, engine="numpy"), "skfit's MLPs"),
    ],
)  # fmt: skip
def test_engine_numpy_refuses_what_it_cannot_train_before_training(small_digits, estimator,
                                                                    message, monkeypatch):  # fmt: skip
    X, y = small_digits
    before = dict(estimator.__dict__)
    with pytest.raises(ValueError, match=rf"engine='numpy'[\s\S]*{message}"):
        estimator.fit(X, y)
    assert estimator.__dict__ == before


def test_a_numpy_fit_that_diverges_warns_once_and_quietly(small_digits):
    X, y = small_digits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = KerasMLPClassifier((16,), optimizer="sgd", learning_rate=1e8, epochs=5, engine="numpy",
                                 random_state=0).fit(X * 1e6, y)  # fmt: skip
    messages = [str(w.message) for w in caught]  # NumPy's overflow warnings are not among them
    assert len(messages) == 1 and "training diverged" in messages[0], messages
    assert clf._stop == "non_finite"


def test_a_fit_continues_in_the_other_engine(small_digits):
    X, y = small_digits
    params = dict(hidden_layer_sizes=(16,), shuffle=False, random_state=0)
    long = KerasMLPClassifier(epochs=6, engine="compiled", **params).fit(X, y)
    warm = KerasMLPClassifier(epochs=3, warm_start=True, engine="numpy", **params).fit(X, y)
    warm.set_params(engine="compiled").fit(X, y)
    np.testing.assert_allclose(warm.history_["val_loss"], long.history_["val_loss"], rtol=1e-4)


@pytest.mark.parametrize("engine", ["numpy", "compiled", "keras"])
@pytest.mark.parametrize("before, after", [
    (dict(optimizer="sgd", optimizer_params={"momentum": 0.9}), dict(optimizer="adam")),
    (dict(optimizer="adam"), dict(optimizer="adam", optimizer_params={"amsgrad": True})),
    (dict(optimizer="rmsprop"), dict(optimizer="adam")),
])  # fmt: skip
def test_a_warm_start_under_another_update_rule_starts_a_fresh_optimizer(small_digits, engine, before,
                                                                         after):  # fmt: skip
    X, y = small_digits
    clf = KerasMLPClassifier((8,), epochs=2, batch_size=100, validation_fraction=0, warm_start=True,
                             engine=engine, random_state=0, **before).fit(X, y)  # fmt: skip
    clf.set_params(**{"optimizer_params": None, **after}).fit(X, y)
    steps, *slots = clf._optimizer_values
    assert steps == 2 * 6  # counted from the continuation's first step, not the first fit's
    fresh = KerasMLPClassifier((8,), epochs=2, batch_size=100, validation_fraction=0,
                               engine=engine, random_state=0, **after).fit(X, y)
    assert len(slots) == len(fresh._optimizer_values) - 1


@pytest.mark.parametrize("make", [
    lambda: KerasMLPClassifier((8,), engine="keras"),
    lambda: KerasClassifier(dense_classifier, optimizer="adam"),
])  # fmt: skip
def test_a_warm_start_under_the_same_keras_optimizer_continues_its_state(small_digits, make):
    X, y = small_digits
    clf = make().set_params(epochs=2, batch_size=100, validation_fraction=0, warm_start=True,
                            random_state=0)
    clf.fit(X, y).fit(X, y)
    assert clf._optimizer_values[0] == 2 * 2 * 6  # the second fit counted on from the first
