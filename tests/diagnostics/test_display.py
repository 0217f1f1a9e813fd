"""LossCurveDisplay: sklearn Display conventions, best epochs marked, lazy matplotlib."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skfit.diagnostics import LossCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SMALL = {"loss": [1.0, 0.6, 0.5, 0.45, 0.43], "val_loss": [1.1, 0.7, 0.6, 0.58, 0.57]}
LARGE = {"loss": [0.8, 0.3, 0.1, 0.05, 0.02], "val_loss": [0.9, 0.5, 0.6, 0.7, 0.8]}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_from_histories_draws_validation_loss_of_each_variant():
    display = LossCurveDisplay.from_histories({"small": SMALL, "large": LARGE})
    assert display.best_epochs == {"small": 5, "large": 2}
    assert set(display.lines_) == {("small", "val_loss"), ("large", "val_loss")}
    line = display.lines_["large", "val_loss"]
    np.testing.assert_array_equal(line.get_ydata(), LARGE["val_loss"])
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4, 5])
    marker = display.best_markers_["large"]
    assert (marker.get_xdata()[0], marker.get_ydata()[0]) == (2, 0.5)
    assert display.ax_.figure is display.figure_
    labels = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert labels == ["small: validation loss (best epoch 5)",
                      "large: validation loss (best epoch 2)"]
    assert display.ax_.get_xlabel() == "epoch" and display.ax_.get_ylabel() == "loss"
    assert display.lines_["small", "val_loss"].get_color() != \
        display.lines_["large", "val_loss"].get_color()


def test_from_histories_other_metric_and_given_axes():
    _, ax = plt.subplots()
    display = LossCurveDisplay.from_histories({"a": SMALL, "b": LARGE}, metrics="loss", ax=ax)
    assert display.ax_ is ax
    assert set(display.lines_) == {("a", "loss"), ("b", "loss")}
    assert display.best_epochs == {"a": 5, "b": 5}  # the lowest training loss


def test_scores_mark_their_highest_epoch():
    scores = {"val_accuracy": [0.5, 0.9, 0.8]}
    display = LossCurveDisplay.from_histories({"m": scores}, metrics=("val_accuracy",))
    assert display.best_epochs == {"m": 2}
    assert display.ax_.get_ylabel() == "val_accuracy"


def test_from_estimator_marks_best_epoch_of_early_stopping():
    from skfit import KerasMLPClassifier

    X, y = load_digits(return_X_y=True)
    model = KerasMLPClassifier(hidden_layer_sizes=(32,), learning_rate=1e-2, epochs=40,
                               early_stopping=True, patience=3, random_state=0).fit(X / 16, y)
    display = LossCurveDisplay.from_estimator(model)
    assert set(display.lines_) == {("KerasMLPClassifier", "loss"),
                                   ("KerasMLPClassifier", "val_loss")}
    assert display.best_epochs == {"KerasMLPClassifier": model.best_epoch_}
    marker = display.best_markers_["KerasMLPClassifier"]
    assert marker.get_xdata()[0] == model.best_epoch_
    best_val_loss = model.history_["val_loss"][model.best_epoch_ - 1]
    assert marker.get_ydata()[0] == pytest.approx(best_val_loss)
    assert display.ax_.get_title() == "KerasMLPClassifier"
    labels = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert labels == ["training loss", f"validation loss (best epoch {model.best_epoch_})"]
    assert display.lines_["KerasMLPClassifier", "loss"].get_linestyle() == "--"


def test_from_estimator_accepts_a_history_without_validation():
    display = LossCurveDisplay.from_estimator({"loss": [3.0, 2.0, 2.5]}, name="no validation")
    assert set(display.lines_) == {("no validation", "loss")}
    assert display.best_epochs == {"no validation": 2}
    assert display.ax_.get_title() == "no validation"


def test_constructor_then_plot_returns_self():
    display = LossCurveDisplay({"m": SMALL}, metrics=("loss", "val_loss"))
    assert not hasattr(display, "ax_")
    assert display.plot(linewidth=3) is display
    assert display.lines_["m", "loss"].get_linewidth() == 3
    assert display.best_markers_["m"].get_xdata()[0] == 5


@pytest.mark.parametrize(
    "histories, error, match",
    [
        (SMALL, TypeError, "got a sequence under 'loss'"),
        ([SMALL], TypeError, "non-empty dict"),
        ({}, TypeError, "non-empty dict"),
        ({"m": {"loss": [1.0, 0.5]}}, ValueError, r"must contain \['val_loss'\]"),
    ],
)
def test_bad_histories(histories, error, match):
    with pytest.raises(error, match=match):
        LossCurveDisplay.from_histories(histories)


def test_importing_diagnostics_loads_neither_matplotlib_nor_tensorflow():
    code = (
        "import sys\n"
        "from skfit.diagnostics import LossCurveDisplay, diagnose\n"
        "from skfit.model_selection import capacity_sweep, learning_rate_sweep\n"
        "diagnose({'loss': [2.0, 1.0, 0.5], 'val_loss': [2.0, 1.0, 0.8]})\n"
        "print('matplotlib' in sys.modules, 'tensorflow' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False"]


def test_from_estimator_marks_the_best_epoch_of_a_pipelines_network():
    from sklearn.datasets import load_digits
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skfit import KerasMLPClassifier

    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), KerasMLPClassifier(epochs=4, random_state=0))
    pipe.fit(X[:300], y[:300])
    display = LossCurveDisplay.from_estimator(pipe)
    assert display.ax_.get_title() == "KerasMLPClassifier"
    assert display.best_epochs["KerasMLPClassifier"] == pipe[-1].best_epoch_
