"""KerasClassifier / KerasRegressor around user Keras models."""

import pickle

import keras
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skfit import KerasClassifier, KerasRegressor


def softmax_model(n_features_in, n_classes, units=16, dropout=0.0):
    layers = [keras.Input((n_features_in,)), keras.layers.Dense(units, activation="relu")]
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    return keras.Sequential(layers)


def sigmoid_model(n_features_in):
    return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(1, activation="sigmoid")])


def linear_model(n_features_in, n_outputs):
    return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(n_outputs)])


def test_builder_gets_data_shape_and_own_parameters(small_digits):
    X, y = small_digits
    clf = KerasClassifier(softmax_model, model_params={"units": 8}, epochs=10, batch_size=32,
                          learning_rate=1e-2, random_state=0)  # fmt: skip
    assert is_classifier(clf)
    clf.fit(X, y)
    assert clf.model_.layers[0].units == 8
    assert clf.model_.layers[-1].units == 10
    assert clf.score(X, y) > 0.8


def test_model_parameters_route_through_grid_search(small_digits):
    X, y = small_digits
    model_params = {"units": 4}
    pipe = make_pipeline(
        StandardScaler(), KerasClassifier(softmax_model, model_params=model_params, epochs=2, random_state=0)
    )
    grid = {"kerasclassifier__model__units": [4, 12], "kerasclassifier__model__dropout": [0.0, 0.3]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    best = search.best_estimator_[-1]
    assert best.model_params == {k.split("__")[-1]: v for k, v in search.best_params_.items()}
    assert best.model_.layers[0].units == best.model_params["units"]
    assert model_params == {"units": 4}  # the user's dict is never modified
    assert pipe.get_params()["kerasclassifier__model__units"] == 4


def test_misspelled_model_parameter_suggests_the_right_one():
    clf = KerasClassifier(softmax_model)
    with pytest.raises(ValueError, match="no parameter 'unit'.*Did you mean 'units'"):
        clf.set_params(model__unit=3)


def test_model_instance_is_cloned_not_trained(small_digits):
    X, y = small_digits
    user_model = softmax_model(64, 10)
    weights = [w.copy() for w in user_model.get_weights()]
    clf = KerasClassifier(user_model, epochs=2, random_state=0).fit(X, y)
    for before, after in zip(weights, user_model.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert clf.model_ is not user_model
    assert clone(clf).model is user_model  # clone shares, never deep-copies, the Keras model


def test_seeded_builds_give_identical_predictions(small_digits):
    X, y = small_digits
    make = lambda: KerasClassifier(softmax_model, model_params={"dropout": 0.2}, epochs=2, random_state=7)  # noqa: E731
    np.testing.assert_array_equal(make().fit(X, y).predict_proba(X), make().fit(X, y).predict_proba(X))


def test_binary_sigmoid_model(small_digits):
    X, y = small_digits
    y_binary = np.where(y < 5, "low", "high")
    clf = KerasClassifier(sigmoid_model, epochs=10, learning_rate=1e-2, random_state=0).fit(X, y_binary)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, y_binary) > 0.8


def test_regressor_and_user_loss():
    X, y = make_regression(n_samples=200, n_features=5, n_targets=2, random_state=0)
    y = y / y.std()
    reg = KerasRegressor(linear_model, loss="mae", epochs=30, batch_size=16,
                         learning_rate=1e-2, random_state=0).fit(X, y)  # fmt: skip
    assert reg.predict(X).shape == (200, 2)
    assert reg.score(X, y) > 0.8


def test_pickle_roundtrip(small_digits):
    X, y = small_digits
    clf = KerasClassifier(softmax_model, epochs=1, random_state=0).fit(X, y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "model, match",
    [
        (None, "needs a Keras model"),
        (sigmoid_model, "outputs 1 values per sample but y has 10 classes"),
        (lambda n_features_in: "not a model", "must be a keras.Model.*returned str"),
        (lambda: keras.Sequential([keras.Input((3,)), keras.layers.Dense(10)]), "cannot take X with 64 features"),
    ],
)
def test_bad_models_fail_clearly(small_digits, model, match):
    X, y = small_digits
    with pytest.raises((ValueError, TypeError), match=match):
        KerasClassifier(model, epochs=1).fit(X, y)


def test_memory_stays_flat_with_a_builder(small_digits):
    from .test_engine import _rss_mb

    X, y = small_digits
    for seed in range(5):
        KerasClassifier(softmax_model, epochs=1, random_state=seed).fit(X, y)
    before = _rss_mb()
    for seed in range(50):
        KerasClassifier(softmax_model, epochs=1, random_state=seed).fit(X, y)
    assert _rss_mb() - before < 15


def test_set_params_applies_model_before_its_routed_parameters():
    reg = KerasRegressor().set_params(model=linear_model_with_units, model__units=3)
    assert reg.model_params == {"units": 3}
    reg.set_params(model_params={"units": 5}, model__units=7)
    assert reg.model_params == {"units": 7}


def linear_model_with_units(n_features_in, n_outputs, units=4):
    return keras.Sequential(
        [keras.Input((n_features_in,)), keras.layers.Dense(units), keras.layers.Dense(n_outputs)]
    )


def test_loss_objects_do_not_retrace_on_clone(small_digits):
    from .test_engine import _session_of

    X, y = small_digits
    reg = KerasRegressor(linear_model, loss=keras.losses.Huber(), epochs=1, random_state=0)
    session = _session_of(clone(reg).fit(X, y))
    for _ in range(3):
        assert _session_of(clone(reg).fit(X, y)) is session  # one session: one trace


def test_loss_that_does_not_fit_the_target_is_a_clear_error(small_digits):
    X, y = small_digits
    with pytest.raises(ValueError, match="cannot score this estimator's targets.*integer class"):
        KerasClassifier(softmax_model, loss="categorical_crossentropy", epochs=1).fit(X, y)


def test_keras_path_is_reproducible(small_digits):
    X, y = small_digits
    make = lambda: KerasClassifier(softmax_model, engine="keras", batch_size=8, epochs=2, random_state=1)  # noqa: E731
    np.testing.assert_array_equal(make().fit(X, y).predict_proba(X), make().fit(X, y).predict_proba(X))
