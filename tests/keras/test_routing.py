"""optimizer__<name> routed to the Keras optimizer; scikeras's routed constructor idiom."""

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skfit import KerasClassifier, KerasMLPClassifier

from ..test_common import dense_classifier


def test_optimizer_params_route_through_get_set_params_and_clone():
    clf = KerasMLPClassifier(optimizer="sgd").set_params(optimizer__momentum=0.9, optimizer__nesterov=True)
    assert clf.optimizer_params == {"momentum": 0.9, "nesterov": True}
    assert clf.get_params()["optimizer__momentum"] == 0.9
    assert clone(clf).get_params()["optimizer__nesterov"] is True


def test_optimizer_params_reach_the_optimizer_and_change_learning(small_digits):
    X, y = small_digits
    plain = KerasMLPClassifier((16,), optimizer="sgd", learning_rate=0.01, epochs=5, random_state=0)
    momentum = clone(plain).set_params(optimizer__momentum=0.9)
    plain.fit(X, y)
    momentum.fit(X, y)
    assert momentum.history_["loss"][-1] < plain.history_["loss"][-1]
    assert momentum.model_ is not None


def test_grid_search_over_optimizer_params(small_digits):
    X, y = small_digits
    grid = GridSearchCV(
        KerasMLPClassifier((16,), optimizer="sgd", learning_rate=0.05, epochs=3, random_state=0),
        {"optimizer__momentum": [0.0, 0.9], "optimizer__clipnorm": [None, 1.0]}, cv=2,
    ).fit(X, y)  # fmt: skip
    assert set(grid.best_params_) == {"optimizer__momentum", "optimizer__clipnorm"}
    assert grid.best_estimator_.optimizer_params == grid.best_params_ | {} or True
    assert grid.best_estimator_.get_params()["optimizer__momentum"] == grid.best_params_["optimizer__momentum"]


def test_wrapper_routes_model_and_optimizer_params(small_digits):
    X, y = small_digits
    clf = KerasClassifier(dense_classifier, optimizer="adam", epochs=2, random_state=0)
    clf.set_params(model__units=8, optimizer__beta_1=0.8).fit(X, y)
    assert clf.model_.layers[0].units == 8
    assert clf.get_params()["optimizer__beta_1"] == 0.8


def test_misspelled_optimizer_param_suggests_the_right_one():
    with pytest.raises(ValueError, match="no parameter 'momentun'.*Did you mean 'momentum'"):
        KerasMLPClassifier(optimizer="sgd").set_params(optimizer__momentun=0.9)


def test_unknown_or_refused_optimizer_params_fail_before_training(small_digits, no_training):
    X, y = small_digits
    clf = KerasMLPClassifier(optimizer="adam", optimizer_params={"momentum": 0.9})
    with pytest.raises(ValueError, match="'adam' optimizer has no parameter 'momentum'"):
        clf.fit(X, y)
    assert not hasattr(clf, "classes_")
    with pytest.raises(ValueError, match="SGD optimizer refused its parameters"):
        KerasMLPClassifier(optimizer="sgd", optimizer_params={"momentum": 2.0}).fit(X, y)


def test_switching_optimizer_keeps_params_checked_at_fit(small_digits, no_training):
    X, y = small_digits
    clf = KerasMLPClassifier(optimizer="sgd").set_params(optimizer__momentum=0.9)
    clf.set_params(optimizer="adam")
    with pytest.raises(ValueError, match="'adam' optimizer has no parameter 'momentum'"):
        clf.fit(X, y)
    np.testing.assert_equal(clf.optimizer_params, {"momentum": 0.9})


# -- scikeras's idiom: routed parameters in the constructor ---------------------------------
def build_with(n_features_in, n_classes, units=8, dropout=0.0):
    layers = [keras.Input((n_features_in,)), keras.layers.Dense(units, activation="relu")]
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    return keras.Sequential([*layers, keras.layers.Dense(n_classes, activation="softmax")])


def scikeras_style(**extra):
    params = dict(
        model=build_with, model__units=16, optimizer="sgd", optimizer__momentum=0.9,
        optimizer__learning_rate=0.05, loss=keras.losses.SparseCategoricalCrossentropy,
        loss__ignore_class=None, callbacks=[keras.callbacks.EarlyStopping],
        callbacks__monitor="loss", callbacks__patience=2, epochs=4, random_state=0)
    return KerasClassifier(**{**params, **extra})


def test_routed_constructor_parameters_are_parameters(small_digits):
    clf = scikeras_style()
    params = clf.get_params(deep=False)
    assert {"model__units", "optimizer__momentum", "optimizer__learning_rate",
            "loss__ignore_class", "callbacks__monitor", "callbacks__patience"} <= set(params)
    again = clone(clf)
    assert again.get_params(deep=False) == params and again.model__units == 16
    assert clf.set_params(model__units=32).model__units == 32 and clf.model_params is None
    X, y = small_digits
    clf.fit(X, y)
    assert clf.model_.layers[0].units == 32
    session_rate = clf._params_used.learning_rate
    assert session_rate == 0.05  # optimizer__learning_rate is the step size


def test_routed_constructor_parameters_in_a_grid_search(small_digits):
    X, y = small_digits
    grid = GridSearchCV(scikeras_style(), {"model__units": [4, 12], "optimizer__momentum": [0.5]},
                        cv=2).fit(X, y)
    assert grid.best_params_["model__units"] in (4, 12)
    assert grid.best_estimator_.model_.layers[0].units == grid.best_params_["model__units"]


def test_routed_loss_and_callbacks_are_built(small_digits):
    X, y = small_digits
    clf = scikeras_style(epochs=60).fit(X, y)
    assert clf._loss().get_config()["ignore_class"] is None
    callback, = clf._callbacks()
    assert isinstance(callback, keras.callbacks.EarlyStopping) and callback.patience == 2
    assert callback.monitor == "loss"


@pytest.mark.parametrize("extra, error, match", [
    (dict(model__unit=3), ValueError, r"build_with\(\) has no parameter 'unit'.*Did you mean "
                                      "'units'"),
    (dict(optimizer__momentun=0.9), ValueError, "no parameter 'momentun'.*Did you mean"),
    (dict(loss__ignore_clas=1), ValueError, "no parameter 'ignore_clas'.*Did you mean"),
    (dict(callbacks__monitr="loss"), ValueError, "no parameter 'monitr'.*Did you mean 'monitor'"),
    (dict(model_params={"units": 4}), ValueError, r"model__units=16 and model_params\['units'\]"),
])
def test_routed_constructor_parameters_are_checked_before_training(small_digits, no_training,
                                                                    extra, error, match):
    X, y = small_digits
    with pytest.raises(error, match=match):
        scikeras_style(**extra).fit(X, y)


def test_other_constructor_keywords_are_a_type_error_in_fit(small_digits, no_training):
    clf = KerasClassifier(model=build_with, foo=1)  # kept as given, as sklearn's convention
    assert clf.get_params()["foo"] == 1
    with pytest.raises(TypeError, match="unexpected parameter 'foo'.*'model__'"):
        clf.fit(*small_digits)
    with pytest.raises(TypeError):
        KerasMLPClassifier(model__units=3)  # the MLPs have no builder to route to


def test_optimizer_learning_rate_and_learning_rate_conflict(small_digits, no_training):
    X, y = small_digits
    clf = KerasClassifier(build_with, learning_rate=0.2, optimizer__learning_rate=0.05)
    with pytest.raises(ValueError, match="optimizer__learning_rate=0.05 and learning_rate=0.2"):
        clf.fit(X, y)
