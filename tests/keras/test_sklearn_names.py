"""scikit-learn's MLP names on skfit's MLPs: parameters, schedules, L-BFGS, fitted attributes."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import MinMaxScaler

from skfit import KerasMLPClassifier, KerasMLPRegressor
from skfit.keras import _engine


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return MinMaxScaler().fit_transform(X), y


# -- the parameters --------------------------------------------------------------------
def test_every_parameter_of_sklearns_mlp_is_a_parameter_of_skfits():
    """A script written for MLPClassifier passes its keywords unchanged."""
    ours = set(KerasMLPClassifier().get_params())
    assert set(MLPClassifier().get_params()) <= ours


def test_sklearn_names_mean_what_they_mean_in_sklearn(iris):
    X, y = iris
    sklearn_style = KerasMLPClassifier((16,), max_iter=7, learning_rate_init=0.02,
                                       solver="sgd", momentum=0.5, nesterovs_momentum=False,
                                       random_state=0).fit(X, y)
    skfit_style = KerasMLPClassifier((16,), epochs=7, learning_rate=0.02, optimizer="sgd",
                                     optimizer_params={"momentum": 0.5, "nesterov": False},
                                     random_state=0).fit(X, y)
    assert sklearn_style.n_iter_ == 7
    np.testing.assert_allclose(sklearn_style.loss_curve_, skfit_style.loss_curve_, rtol=1e-6)


def test_solver_sgd_takes_sklearns_momentum_defaults(iris):
    X, y = iris
    sklearn_sgd = KerasMLPClassifier((16,), max_iter=5, solver="sgd", random_state=0).fit(X, y)
    nesterov = KerasMLPClassifier((16,), epochs=5, optimizer="sgd", random_state=0,
                                  optimizer_params={"momentum": 0.9, "nesterov": True}).fit(X, y)
    np.testing.assert_allclose(sklearn_sgd.loss_curve_, nesterov.loss_curve_, rtol=1e-6)


def test_alpha_is_the_same_penalty_as_sklearns(iris):
    """scikit-learn adds alpha / 2 * sum(w**2) / batch rows: skfit's l2 = alpha / (2 * batch)."""
    X, y = iris
    alpha = KerasMLPClassifier((8,), max_iter=3, batch_size=16, alpha=0.32, random_state=0)
    l2 = KerasMLPClassifier((8,), epochs=3, batch_size=16, l2=0.01, random_state=0)
    np.testing.assert_allclose(alpha.fit(X, y).loss_curve_, l2.fit(X, y).loss_curve_, rtol=1e-6)


@pytest.mark.parametrize("params, match", [
    (dict(max_iter=10, epochs=20), "max_iter=10 .*and epochs=20 .*same setting"),
    (dict(alpha=1e-3, l2=1e-2), "alpha=0.001 .*and l2=0.01"),
    (dict(learning_rate_init=0.1, learning_rate=0.2), "learning_rate_init=0.1 .*learning_rate=0.2"),
    (dict(solver="adam", optimizer="sgd"), "solver='adam' .*optimizer='sgd'"),
    (dict(momentum=0.9), "momentum=0.9 is an option of scikit-learn's solver='sgd'"),
    (dict(solver="sgd", beta_1=0.8), "beta_1=0.8 is an option of scikit-learn's solver='adam'"),
    (dict(solver="lbfgs", dropout=0.2), "L-BFGS here: dropout=0.2 makes the loss random"),
])
def test_conflicting_or_misplaced_names_fail_before_training(iris, no_training, params, match):
    X, y = iris
    clf = KerasMLPClassifier(**params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "classes_")


def test_a_name_at_its_skfit_twins_value_is_no_conflict(iris):
    X, y = iris
    clf = KerasMLPClassifier((8,), max_iter=4, epochs=4, learning_rate=0.01,
                             learning_rate_init=0.01, random_state=0).fit(X, y)
    assert clf.n_iter_ == 4


def test_sklearn_activation_names(iris):
    X, y = iris
    logistic = KerasMLPClassifier((8,), activation="logistic", max_iter=3, random_state=0)
    sigmoid = KerasMLPClassifier((8,), activation="sigmoid", epochs=3, random_state=0)
    np.testing.assert_allclose(logistic.fit(X, y).loss_curve_, sigmoid.fit(X, y).loss_curve_)
    identity = KerasMLPRegressor((8,), activation="identity", max_iter=2, random_state=0)
    assert identity.fit(X[:, :3], X[:, 3]).out_activation_ == "identity"


# -- schedules, tolerance, shuffling ----------------------------------------------------
def test_invscaling_divides_the_rate_by_samples_seen(iris, monkeypatch):
    X, y = iris
    rates = []
    clf = KerasMLPClassifier((8,), solver="sgd", learning_rate="invscaling", power_t=0.5,
                             learning_rate_init=0.2, momentum=0, max_iter=3, engine="compiled",
                             random_state=0)  # fmt: skip
    clf.fit(X, y)
    session = clf._session(clf._architecture_, clf._optimizer, clf._objective,
                           has_validation=True)
    rates.append(float(session.learning_rate_variable.numpy()))
    # after 3 epochs of 135 training rows: 0.2 / (405 + 1) ** 0.5
    assert rates[0] == pytest.approx(0.2 / (3 * 135 + 1) ** 0.5, rel=1e-5)
    constant = clone(clf).set_params(learning_rate="constant").fit(X, y)
    assert constant.loss_curve_[-1] < clf.loss_curve_[-1]  # the decayed rate learns slower


def test_adaptive_divides_on_plateaus_and_stops_at_the_floor(iris):
    X, y = iris
    clf = KerasMLPClassifier((8,), solver="sgd", learning_rate="adaptive", learning_rate_init=0.1,
                             n_iter_no_change=2, tol=100.0, max_iter=200, random_state=0)
    clf.fit(X, y)  # no epoch improves by 100: every 2 epochs a fifth, until below 1e-6
    n_divisions = int(np.ceil(np.log(0.1 / 1e-6) / np.log(5)))
    assert clf.n_iter_ == 1 + 2 * (n_divisions + 1)  # epoch 1 improves on nothing


def test_tol_is_the_least_improvement_that_counts(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(8,), early_stopping=True, patience=3, max_iter=200,
                  learning_rate=0.01, random_state=0)
    strict = KerasMLPClassifier(tol=0.5, **params).fit(X, y)
    assert strict.n_iter_ == 3 + 1 <= KerasMLPClassifier(**params).fit(X, y).n_iter_


def test_max_iter_is_a_cap_as_in_sklearn(iris):
    """Given scikit-learn's max_iter, training stops once the training loss has not improved
    by tol (1e-4) for n_iter_no_change (10) epochs, keeping the last weights; skfit's
    epochs run to the end."""
    X, y = iris
    capped = KerasMLPClassifier((16,), max_iter=2000, solver="adam", learning_rate_init=0.05,
                                random_state=0).fit(X, y)
    assert capped.n_iter_ < 2000
    losses = np.array(capped.loss_curve_)
    best = losses.argmin()
    assert len(losses) - 1 - best >= 10 or (losses[-11] - losses[-10:].min()) < 1e-4
    assert capped.best_loss_ == losses.min()
    every = KerasMLPClassifier((16,), epochs=300, optimizer="adam", learning_rate=0.05,
                               random_state=0).fit(X, y)
    assert every.n_iter_ == 300


def test_shuffle_false_trains_on_the_rows_in_order(iris):
    X, y = iris
    order = np.random.RandomState(0).permutation(len(y))
    params = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=8, shuffle=False,
                  validation_fraction=0, random_state=0)
    a = KerasMLPClassifier(**params).fit(X, y)
    b = KerasMLPClassifier(**params).fit(X[order], y[order])
    assert not np.allclose(a.loss_curve_, b.loss_curve_)  # the order matters without shuffling
    c = KerasMLPClassifier(**params).fit(X, y)
    np.testing.assert_allclose(a.loss_curve_, c.loss_curve_)


# -- L-BFGS ------------------------------------------------------------------------------
def test_lbfgs_reaches_sklearns_loss(iris):
    X, y = iris
    params = dict(solver="lbfgs", alpha=0.1, max_iter=300, hidden_layer_sizes=[10, 10],
                  random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = MLPClassifier(**params).fit(X, y)
    ours = KerasMLPClassifier(validation_fraction=0, **params).fit(X, y)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), abs=0.03)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=0.25)
    assert ours.n_iter_ == len(ours.loss_curve_) <= 300


def test_lbfgs_gradient_is_the_losss_gradient(iris):
    """The hand-written backward pass of L-BFGS equals finite differences."""
    from skfit.keras._lbfgs import _Network
    from skfit.keras._mlp import MLPArchitecture

    X, y = iris
    rng = np.random.RandomState(0)
    for activation in ("relu", "tanh", "gelu", "selu", "swish", "softplus", "elu"):
        architecture = MLPArchitecture(4, 3, (5,), activation, "softmax", 0.0, 1e-3, 1e-2, 0)
        network = _Network(architecture, "softmax", [(4, 5), (5,), (5, 3), (3,)])
        flat = rng.normal(size=4 * 5 + 5 + 5 * 3 + 3) * 0.5
        weight = rng.uniform(0.5, 2, len(y))
        _, gradient = network.loss_and_gradient(flat, X, y, weight)
        for i in rng.choice(len(flat), 6, replace=False):
            step = np.zeros_like(flat)
            step[i] = 1e-6
            numeric = (network.loss_and_gradient(flat + step, X, y, weight)[0]
                       - network.loss_and_gradient(flat - step, X, y, weight)[0]) / 2e-6
            assert gradient[i] == pytest.approx(numeric, rel=1e-4, abs=1e-7), activation


def test_lbfgs_regressor_and_early_stopping():
    X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    reg = KerasMLPRegressor((16,), solver="lbfgs", max_iter=200, random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.95
    X, y = make_regression(n_samples=120, n_features=20, n_informative=3, noise=30.0,
                           random_state=0)  # a large network fits the noise: it overfits
    params = dict(hidden_layer_sizes=(128,), tol=1e-12, early_stopping=True, random_state=0)
    stopped = KerasMLPRegressor(optimizer="lbfgs", epochs=400, patience=5, **params).fit(X, y)
    assert stopped.n_iter_ == stopped.best_epoch_ + 5 < 400
    ignored = KerasMLPRegressor(solver="lbfgs", max_iter=400, **params).fit(X, y)  # sklearn's
    assert ignored.n_iter_ > stopped.n_iter_


# -- fitted attributes -------------------------------------------------------------------
def test_sklearns_fitted_attributes(iris):
    X, y = iris
    clf = KerasMLPClassifier((12, 6), max_iter=5, random_state=0).fit(X, y)
    assert clf.loss_curve_ == clf.history_["loss"] and clf.loss_ == clf.history_["loss"][-1]
    assert clf.validation_scores_ == clf.history_["val_accuracy"]
    assert clf.best_validation_score_ == max(clf.history_["val_accuracy"])
    assert clf.best_loss_ == min(clf.history_["loss"])
    assert clf.n_iter_ == clf.n_epochs_ == 5 and clf.t_ == 5 * 135
    assert [c.shape for c in clf.coefs_] == [(4, 12), (12, 6), (6, 3)]
    assert [b.shape for b in clf.intercepts_] == [(12,), (6,), (3,)]
    assert clf.n_layers_ == 4 and clf.out_activation_ == "softmax"
    hidden = np.maximum(X @ clf.coefs_[0] + clf.intercepts_[0], 0)  # relu
    hidden = np.maximum(hidden @ clf.coefs_[1] + clf.intercepts_[1], 0)
    logits = hidden @ clf.coefs_[2] + clf.intercepts_[2]
    np.testing.assert_array_equal(np.argmax(logits, axis=1), np.searchsorted(clf.classes_,
                                                                              clf.predict(X)))
    stopped = clone(clf).set_params(early_stopping=True).fit(X, y)
    assert stopped.best_loss_ is None
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.t_ == 10 * 135 and len(clf.loss_curve_) == 10
    assert not hasattr(KerasMLPClassifier(), "coefs_")


def test_regressor_validation_scores_are_r2(iris):
    from sklearn.metrics import r2_score

    X, y = iris
    X, target = X[:, :3], X[:, 3] * 10 + 3  # any scale: the network learns it standardized
    reg = KerasMLPRegressor((16,), max_iter=30, random_state=0).fit(X, target)
    assert reg.out_activation_ == "identity"
    _, val = reg._validation_split(target, reg._seeds[0])
    assert len(reg.validation_scores_) == 30
    assert reg.validation_scores_[-1] == pytest.approx(r2_score(target[val], reg.predict(X[val])),
                                                       abs=1e-4)
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert KerasMLPRegressor(max_iter=2, validation_fraction=0).fit(
        X, target).validation_scores_ is None
