"""Bad input fails fast, with an error that names the problem, before any training."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from skfit import KerasMLPClassifier, KerasMLPRegressor


X = np.random.RandomState(0).rand(40, 3)
y = np.arange(40) % 2


@pytest.mark.parametrize(
    "params, match",
    [
        ({"epochs": 0}, "'epochs' parameter.*range \\[1, 2147483647\\] or a str among \\{'auto'\\}. Got 0"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"dropout": 1.0}, "'dropout' parameter.*range \\[0.0, 1.0\\).*Got 1.0"),
        ({"dropout": -0.1}, "'dropout' parameter"),
        ({"optimizer": "adamm"}, "'optimizer' parameter.*'adam'"),
        ({"activation": "rleu"}, "'activation' parameter.*'relu'"),
        ({"learning_rate": 0}, "'learning_rate' parameter"),
        ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
        ({"hidden_layer_sizes": (8, 0)}, "hidden_layer_sizes must be.*\\(8, 0\\)"),
        ({"class_weight": "even"}, "'class_weight' parameter"),
    ],
)
def test_bad_parameters(no_training, params, match):
    with pytest.raises(ValueError, match=match):
        KerasMLPClassifier(**params).fit(X, y)


@pytest.mark.parametrize(
    "X_bad, y_bad, match",
    [
        (np.where(X > 0.9, np.nan, X), y, "NaN"),
        (np.where(X > 0.9, np.inf, X), y, "infinity"),
        (X, np.zeros(40), "at least 2 classes.*got 1 class"),
        (np.empty((0, 3)), np.empty(0), "0 sample"),
        (X, y[:-1], "inconsistent numbers of samples"),
        (np.array([["a", "b", "c"]] * 40, dtype=object), y, "could not convert|numeric"),
    ],
)
def test_bad_data(no_training, X_bad, y_bad, match):
    with pytest.raises(ValueError, match=match):
        KerasMLPClassifier().fit(X_bad, y_bad)


def test_continuous_target_for_classifier(no_training):
    with pytest.raises(ValueError, match="Unknown label type"):
        KerasMLPClassifier().fit(X, np.linspace(0, 1, 40))


def test_regressor_needs_numeric_target(no_training):
    with pytest.raises(ValueError):
        KerasMLPRegressor().fit(X, np.array(["a", "b"] * 20))


def test_predict_before_fit_and_wrong_width():
    with pytest.raises(NotFittedError):
        KerasMLPClassifier().predict(X)
    clf = KerasMLPClassifier(epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features.*expecting 3"):
        clf.predict(np.ones((2, 4)))


def test_compiled_engine_refuses_callbacks(no_training):
    import keras

    with pytest.raises(ValueError, match="engine='compiled' cannot run Keras callbacks"):
        KerasMLPClassifier(engine="compiled", callbacks=[keras.callbacks.History()]).fit(X, y)


def _run_quietly(code):
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def test_import_and_fit_print_nothing():
    code = (
        "import numpy as np\n"
        "from skfit import KerasMLPClassifier\n"
        "X = np.random.rand(60, 4); y = np.arange(60) % 3\n"
        "for s in range(3): KerasMLPClassifier(epochs=2, random_state=s).fit(X[s:], y[s:]).predict(X)\n"
    )
    assert _run_quietly(code) == ""


def test_importing_skfit_does_not_import_tensorflow():
    code = (
        "import sys, skfit, skfit.model_selection, skfit.feature_selection\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n"
        "skfit.KerasMLPClassifier\n"
        "assert 'tensorflow' in sys.modules\n"
    )
    assert _run_quietly(code) == ""


def test_failed_fit_leaves_the_estimator_as_it_was():
    clf = KerasMLPClassifier(epochs=1, random_state=0)
    with pytest.raises(ValueError):
        clf.fit(X, np.zeros(40))
    with pytest.raises(NotFittedError):
        clf.predict(X)
    clf.fit(X, y)
    expected = clf.predict_proba(X)
    with pytest.raises(ValueError):
        clf.fit(X, np.arange(40) % 3 + np.where(np.arange(40) > 38, np.nan, 0))
    np.testing.assert_array_equal(clf.predict_proba(X), expected)
    np.testing.assert_array_equal(clf.classes_, [0, 1])


def test_huge_batch_size_is_capped_at_the_training_rows():
    clf = KerasMLPClassifier(epochs=2, batch_size=2**40, validation_fraction=0, random_state=0)
    clf.fit(X, y)
    assert all(np.isfinite(clf.history_["loss"])) and clf.history_["loss"][0] > 0


def test_values_beyond_float32_are_refused(no_training):
    with pytest.raises(ValueError, match="beyond float32's range"):
        KerasMLPClassifier().fit(X * 1e300, y)


def test_text_columns_are_named(no_training):
    frame = pd.DataFrame({"a": X[:, 0], "colour": ["red", "blue"] * 20})
    with pytest.raises(TypeError, match=r"columns \['colour'\] are not numeric"):
        KerasMLPClassifier().fit(frame, y)


def test_best_epoch_is_one_based_even_when_training_diverges():
    with pytest.warns(RuntimeWarning):
        reg = KerasMLPRegressor(epochs=3, optimizer="sgd", learning_rate=1e30, random_state=0)
        reg.fit(X, y * 1e10)
    assert reg.best_epoch_ == 1


def test_optimizer_instance_learning_rate_is_replaced_with_a_warning():
    import keras

    with pytest.warns(UserWarning, match="replaced by learning_rate=0.001"):
        KerasMLPClassifier(optimizer=keras.optimizers.Adam(0.1), epochs=1).fit(X, y)


# -- no silent wrong answers (issue 16) ---------------------------------------------
@pytest.fixture(scope="module")
def standardized_digits():
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X[:400]), y[:400]


def test_a_diverged_network_stops_says_so_and_refuses_to_predict(standardized_digits, capsys):
    from skfit.exceptions import NonFiniteWeightsError

    X, y = standardized_digits
    clf = KerasMLPClassifier(optimizer="sgd", learning_rate=1e6, epochs=20, verbose=1, random_state=0)
    with pytest.warns(RuntimeWarning, match="training diverged.*at epoch"):
        clf.fit(X, y)
    assert clf.n_epochs_ < 20 and not np.isfinite(clf.history_["loss"][-1])
    assert "training diverged" in capsys.readouterr().out
    for method in (clf.predict, clf.predict_proba, lambda X: clf.score(X, y)):
        with pytest.raises(NonFiniteWeightsError, match="weights are not finite.*lower learning_rate"):
            method(X)


def test_a_diverged_regressor_refuses_to_predict(standardized_digits):
    from skfit.exceptions import NonFiniteWeightsError

    X, y = standardized_digits
    reg = KerasMLPRegressor(optimizer="sgd", learning_rate=1e8, epochs=5, random_state=0)
    with pytest.warns(RuntimeWarning, match="training diverged"):
        reg.fit(X, y)
    with pytest.raises(NonFiniteWeightsError):
        reg.predict(X)


def test_weights_that_overflow_while_the_loss_is_finite_are_a_divergence_too():
    """An extreme input (found by hypothesis in CI: -2**63 in an int64 column) overflows the
    weights in the last epoch's updates while every recorded loss is finite: the fit warns,
    as for a loss that became non-finite, and predict refuses."""
    from skfit.exceptions import NonFiniteWeightsError

    X = np.array([[np.iinfo(np.int64).min], [0]])
    reg = KerasMLPRegressor((4,), epochs=2, random_state=0)
    with pytest.warns(RuntimeWarning, match="training diverged: its weights became non-finite"):
        reg.fit(X, np.zeros(2))
    assert np.isfinite(reg.history_["loss"]).all()
    with pytest.raises(NonFiniteWeightsError):
        reg.predict(X)


def test_early_stopping_keeps_the_best_finite_epoch_when_training_later_diverges(standardized_digits):
    X, y = standardized_digits
    clf = KerasMLPClassifier(optimizer="sgd", learning_rate=0.5, epochs=60, early_stopping=True,
                             patience=100, random_state=0)  # fmt: skip
    with pytest.warns(RuntimeWarning, match="kept the weights of its best epoch"):
        clf.fit(X * 30, y)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_logits_user_model_is_refused_before_training(no_training):
    import keras

    from skfit import KerasClassifier

    def logits(n_features_in, n_classes):
        return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(n_classes)])

    with pytest.raises(ValueError, match="does not output probabilities.*softmax activation"):
        KerasClassifier(logits, random_state=0).fit(X * 10, np.arange(40) % 3)


def test_outputs_that_stop_being_probabilities_are_refused_at_predict(small_digits):
    import keras

    from skfit import KerasClassifier

    def relu_out(n_features_in, n_classes):
        return keras.Sequential([keras.Input((n_features_in,)),
                                 keras.layers.Dense(n_classes, activation="relu", bias_initializer="ones")])  # fmt: skip

    X_, y_ = small_digits
    clf = KerasClassifier(relu_out, loss="mse", epochs=1, random_state=0)
    with pytest.raises(ValueError, match="does not output probabilities"):
        clf.fit(X_, y_)


@pytest.mark.parametrize("scale", [1e-12, 1e12, 1e39])
def test_mlp_regressor_learns_targets_of_any_scale(scale):
    rng = np.random.default_rng(0)
    X_ = rng.normal(size=(300, 4))
    target = (X_ @ [1.0, 2.0, -1.0, 0.5] + 3.0) * scale
    reg = KerasMLPRegressor((16,), epochs=60, random_state=0).fit(X_, target)
    assert reg.score(X_, target) > 0.9
    assert np.isfinite(reg.history_["loss"]).all()


def test_user_regressor_refuses_targets_beyond_float32(no_training):
    import keras

    from skfit import KerasRegressor

    def linear(n_features_in, n_outputs):
        return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(n_outputs)])

    with pytest.raises(ValueError, match="y holds values beyond float32's range"):
        KerasRegressor(linear).fit(X, y * 1e39 + 1e39)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"validation_fraction": 0.999}, "holds out 40 of the 40 samples, leaving none"),
        ({"class_weight": {0: -1, 1: 1}}, "class_weight values must be finite numbers >= 0"),
        ({"class_weight": {0: np.nan, 1: 1}}, "class_weight values must be finite"),
        ({"class_weight": {0: 1, 7: 1}}, r"class_weight has weights for \[7\]"),
    ],
)
def test_parameters_that_make_no_sense_for_the_data(no_training, params, match):
    with pytest.raises(ValueError, match=match):
        KerasMLPClassifier(**params).fit(X, y)


def test_a_validation_fraction_that_leaves_fewer_training_rows_than_classes(no_training):
    labels = np.arange(40) % 10  # ten classes of four rows
    with pytest.raises(ValueError, match="leaves 4 of the 40 rows to train on, fewer than the 10 "
                                         "classes"):
        KerasMLPClassifier(validation_fraction=0.9).fit(X, labels)


@pytest.mark.parametrize("validation_fraction", [0.1, 0.5])
def test_every_class_keeps_a_training_row(monkeypatch, validation_fraction):
    """A class of one row, or more classes than stratification allows, never ends up in the
    validation part alone: the network learns every class."""
    from skfit.keras import _engine

    parts = []
    train = _engine.train

    def spying(session, data, *args, **kwargs):
        parts.append((data.y[data.train], len(data.train) + len(data.val),
                      set(data.train) & set(data.val)))
        return train(session, data, *args, **kwargs)

    monkeypatch.setattr(_engine, "train", spying)
    labels = np.array([0] * 30 + [1] * 9 + [2])  # class 2: a single row
    for seed in range(6):
        KerasMLPClassifier(epochs=1, validation_fraction=validation_fraction,
                           random_state=seed).fit(X, labels)
    for trained, n_rows, overlap in parts:
        assert set(trained) == {0, 1, 2} and n_rows == 40 and not overlap


def test_sample_weight_of_zero_everywhere(no_training):
    with pytest.raises(ValueError, match="at least one non-zero"):
        KerasMLPClassifier().fit(X, y, sample_weight=np.zeros(40))


@pytest.mark.parametrize(
    "labels, match",
    [
        (["a", None] * 20, "missing values"),
        (pd.Series(["a", pd.NA] * 20, dtype="string"), "missing values"),
        (pd.Series(["a", "b"] * 19 + [pd.NA, "a"], dtype="string"), "missing values.*position 38"),
        ([1, "a"] * 20, "mixes strings with other values"),
        (np.array([1.0, np.nan] * 20), "missing values"),
        (pd.Categorical(["x", None] * 20), "missing values"),
    ],
)
def test_bad_labels_are_clear_errors(no_training, labels, match):
    with pytest.raises(ValueError, match=match):
        KerasMLPClassifier().fit(X, labels)


def test_string_and_boolean_labels_work():
    clf = KerasMLPClassifier(epochs=1, random_state=0)
    assert set(clf.fit(X, pd.Series(["a", "b"] * 20, dtype="string")).predict(X)) <= {"a", "b"}
    assert set(clf.fit(X, np.array([True, False] * 20)).predict(X)) <= {True, False}
