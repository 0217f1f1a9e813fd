"""Every public entry point sees through Pipelines: a network gives the same result
inside a Pipeline (behind a step that changes nothing) as on its own."""

import numpy as np
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skfit import (
    KerasMLPClassifier,
    KerasMLPRegressor,
    LossCurveDisplay,
    capacity_sweep,
    compare_to_baseline,
    diagnose,
    learning_rate_sweep,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X[:300]), y[:300]


def network(**params):
    return KerasMLPClassifier(**{"hidden_layer_sizes": (16,), "epochs": 6, "batch_size": 32,
                                 "early_stopping": True, "patience": 2, "random_state": 0,
                                 **params})


def pipeline(**params):
    return make_pipeline(FunctionTransformer(), network(**params))


def test_diagnose_and_loss_curves(digits):
    alone, piped = network().fit(*digits), pipeline().fit(*digits)
    assert diagnose(piped).to_dict() == diagnose(alone).to_dict()
    assert diagnose(piped, baseline_score=0.1).advice == diagnose(alone, baseline_score=0.1).advice
    a, b = LossCurveDisplay.from_estimator(alone), LossCurveDisplay.from_estimator(piped)
    assert a.best_epochs == b.best_epochs
    assert a.ax_.get_title() == b.ax_.get_title() == "KerasMLPClassifier"
    for key, line in a.lines_.items():
        np.testing.assert_array_equal(line.get_ydata(), b.lines_[key].get_ydata())


def test_the_issue_example_gets_the_same_advice():
    """A scaled pipeline's network was advised "more epochs"/"more units or layers",
    the network alone "patience=5 -> 10"/"hidden_layer_sizes=(96,) -> (192,)"."""
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), KerasMLPClassifier(
        (96,), epochs=60, early_stopping=True, patience=5, random_state=0)).fit(X, y)
    assert diagnose(pipe).advice == diagnose(pipe[-1]).advice
    assert any("(96,) ->" in line for line in diagnose(pipe).advice)


@pytest.mark.parametrize("sweep, values", [(capacity_sweep, [(4,), (16,)]),
                                           (learning_rate_sweep, [1e-3, 1.0])])
def test_sweeps(digits, sweep, values):
    alone = sweep(network(), *digits, values=values, cv=2)
    piped = sweep(pipeline(), *digits, values=values, cv=2)  # the network's parameter name
    assert piped.to_dict() == alone.to_dict()
    full_name = "kerasmlpclassifier__" + alone.param_name
    prefixed = sweep(pipeline(), *digits, param_name=full_name, values=values, cv=2)
    assert prefixed.histories == alone.histories


def test_compare_to_baseline(digits):
    alone = compare_to_baseline(network(), *digits, cv=2, n_permutations=1, random_state=0)
    piped = compare_to_baseline(pipeline(), *digits, cv=2, n_permutations=1, random_state=0)
    assert piped.to_dict() == alone.to_dict()
    assert piped.model_name == "KerasMLPClassifier"


def test_a_target_transformer_is_seen_through_too():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = 1000 * (X @ [1.0, -2.0, 0.5]) + 5000
    model = TransformedTargetRegressor(
        regressor=make_pipeline(FunctionTransformer(), KerasMLPRegressor(epochs=5,
                                                                         random_state=0)),
        transformer=StandardScaler())
    result = capacity_sweep(model, X, y, values=[(4,)], cv=2)
    assert result.param_name == "hidden_layer_sizes" and len(result.histories[0]) == 2
    diagnosis = diagnose(model.fit(X, y))
    assert diagnosis.model_name == "KerasMLPRegressor"
    assert compare_to_baseline(model, X, y, cv=2).model_name == "KerasMLPRegressor"
