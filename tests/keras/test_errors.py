"""Bad input fails fast, with an error that names the problem, before any training."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from skfit import KerasMLPClassifier, KerasMLPRegressor
from skfit.keras import _engine


X = np.random.RandomState(0).rand(40, 3)
y = np.arange(40) % 2


@pytest.mark.parametrize(
    "params, match",
    [
        ({"epochs": 0}, "'epochs' parameter.*range \\[1, 2147483647\\]. Got 0"),
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
