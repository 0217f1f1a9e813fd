"""optimizer__<name> routed to the Keras optimizer, as scikeras users expect."""

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
    with pytest.raises(ValueError, match="optimizer__learning_rate is not routed"):
        KerasMLPClassifier().set_params(optimizer__learning_rate=0.1)
    with pytest.raises(ValueError, match="SGD optimizer refused its parameters"):
        KerasMLPClassifier(optimizer="sgd", optimizer_params={"momentum": 2.0}).fit(X, y)


def test_switching_optimizer_keeps_params_checked_at_fit(small_digits, no_training):
    X, y = small_digits
    clf = KerasMLPClassifier(optimizer="sgd").set_params(optimizer__momentum=0.9)
    clf.set_params(optimizer="adam")
    with pytest.raises(ValueError, match="'adam' optimizer has no parameter 'momentum'"):
        clf.fit(X, y)
    np.testing.assert_equal(clf.optimizer_params, {"momentum": 0.9})
