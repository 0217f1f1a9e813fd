"""capacity_sweep and learning_rate_sweep: shared folds, every history kept, the rules."""

import math

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import GroupKFold, KFold, train_test_split

from skfit.model_selection import SweepResult, capacity_sweep, learning_rate_sweep
from skfit.utils.fixes import InvalidParameterError


class EpochSGD(ClassifierMixin, BaseEstimator):
    """Logistic regression by SGD, one pass per epoch, with a ``history_``.

    ``checksum`` records the sum of the training rows it was given, so that
    tests can tell which fold it saw.
    """

    def __init__(self, alpha=1e-4, eta0=0.01, epochs=8, random_state=0):
        self.alpha = alpha
        self.eta0 = eta0
        self.epochs = epochs
        self.random_state = random_state

    def fit(self, X, y):
        X_fit, X_val, y_fit, y_val = train_test_split(
            X, y, test_size=0.25, stratify=y, random_state=self.random_state
        )
        self.classes_ = np.unique(y)
        self.sgd_ = SGDClassifier(loss="log_loss", alpha=self.alpha, learning_rate="constant",
                                  eta0=self.eta0, random_state=self.random_state)
        self.history_ = {"loss": [], "val_loss": [], "checksum": []}
        for _ in range(self.epochs):
            self.sgd_.partial_fit(X_fit, y_fit, classes=self.classes_)
            for key, X_part, y_part in [("loss", X_fit, y_fit), ("val_loss", X_val, y_val)]:
                proba = self.sgd_.predict_proba(X_part)
                self.history_[key].append(log_loss(y_part, proba, labels=self.classes_))
            self.history_["checksum"].append(float(np.sum(X)))
        return self

    def predict(self, X):
        return self.sgd_.predict(X)

    def predict_proba(self, X):
        return self.sgd_.predict_proba(X)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def mlp(**params):
    from skfit import KerasMLPClassifier

    return KerasMLPClassifier(**{"batch_size": 32, "random_state": 0, **params})


def test_capacity_sweep_on_digits(digits):
    values = [(), (16,), (96,)]
    model = mlp(learning_rate=3e-3, epochs=40, early_stopping=True, patience=5)
    result = capacity_sweep(model, *digits, values=values, cv=3)
    assert isinstance(result, SweepResult)
    assert result.values == values and result.param_name == "hidden_layer_sizes"
    assert result.test_scores.shape == (3, 3)
    assert np.all((result.test_scores > 0.8) & (result.test_scores <= 1))
    assert [len(row) for row in result.histories] == [3, 3, 3]
    lengths = {len(h["val_loss"]) for row in result.histories for h in row}
    assert len(lengths) > 1 and max(lengths) <= 40  # early stopping: unequal lengths, all kept

    # the rule: smallest value within one standard error of the best mean
    losses = np.array([[min(h["val_loss"]) for h in row] for row in result.histories])
    np.testing.assert_allclose(result.min_val_loss, losses)
    means = losses.mean(axis=1)
    best = np.argmin(means)
    ceiling = means[best] + losses[best].std(ddof=1) / math.sqrt(3)
    assert result.recommended == values[np.flatnonzero(means <= ceiling)[0]]
    assert result.recommended != ()  # the linear model is clearly worse

    frame = result.to_frame()
    assert list(frame.index) == ["()", "(16,)", "(96,)"]
    assert frame.index.name == "hidden_layer_sizes"
    np.testing.assert_allclose(frame["mean_min_val_loss"], means)
    assert frame["recommended"].sum() == 1
    assert frame.loc[str(result.recommended), "recommended"]
    assert list(frame["folds_training"]) == [3, 3, 3]

    display = result.plot()
    assert set(display.lines_) == {(str(v), "val_loss") for v in values}
    assert max(len(line.get_ydata()) for line in display.lines_.values()) == max(lengths)
    assert f"recommended {result.recommended}" in display.ax_.get_title()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_learning_rate_sweep_keeps_the_largest_rate_that_trains(digits):
    result = learning_rate_sweep(mlp(hidden_layer_sizes=(96,), batch_size=128, epochs=20), *digits,
                                 values=[1e-3, 1e-2, 1.0], cv=3)
    assert result.recommended == 1e-2
    assert result.trains.tolist() == [[True] * 3, [True] * 3, [False] * 3]
    assert result.statuses[2] == ["not_training"] * 3
    assert result.test_scores[2].mean() < 0.5 < result.test_scores[1].mean()
    frame = result.to_frame()
    assert frame.loc["1.0", "status"] == "not_training"
    assert list(frame["recommended"]) == [False, True, False]
    assert repr(result) == ("SweepResult(param_name='learning_rate', values=[0.001, 0.01, 1.0], "
                            "n_folds=3, recommended=0.01)")
    text = result.summary()
    assert text.startswith("learning_rate sweep, 3 values x 3 folds: recommended "
                           "learning_rate=0.01 (the largest value that trains stably")
    assert frame.to_string() in text
    display = result.plot()
    assert display.ax_.get_yscale() == "log"
    assert set(display.lines_) == {("0.001", "loss"), ("0.01", "loss"), ("1.0", "loss")}
    import matplotlib.pyplot as plt

    plt.close("all")


def test_no_stable_learning_rate(digits):
    result = learning_rate_sweep(mlp(hidden_layer_sizes=(96,), batch_size=128, epochs=12), *digits,
                                 values=[1.0], cv=2)
    assert result.recommended is None
    assert "no value qualifies" in result.summary()


def test_every_value_sees_the_same_folds(digits):
    """A shuffling splitter without a seed would give new folds on each split()."""
    X, y = digits
    result = capacity_sweep(EpochSGD(), X, y, param_name="alpha", values=[1e-1, 1e-3, 1e-5],
                            cv=KFold(4, shuffle=True))
    checksums = np.array([[h["checksum"][0] for h in row] for row in result.histories])
    assert len(set(checksums[0])) == 4  # four different folds...
    assert (checksums == checksums[0]).all()  # ...the same for every value


def test_n_jobs_gives_the_same_result(digits):
    X, y = digits
    kwargs = dict(param_name="alpha", values=[1e-1, 1e-4], cv=3)
    serial = capacity_sweep(EpochSGD(), X, y, **kwargs)
    parallel = capacity_sweep(EpochSGD(), X, y, n_jobs=2, **kwargs)
    assert serial.histories == parallel.histories
    np.testing.assert_array_equal(serial.test_scores, parallel.test_scores)
    assert serial.recommended == parallel.recommended


def test_groups_and_scoring_reach_the_folds(digits):
    X, y = digits
    groups = np.arange(len(y)) % 5
    result = capacity_sweep(EpochSGD(epochs=3), X, y, param_name="alpha", values=[1e-3],
                            cv=GroupKFold(5), groups=groups, scoring="neg_log_loss")
    assert result.test_scores.shape == (1, 5)
    assert (result.test_scores < 0).all()


def test_scikeras_classifier_gets_stratified_folds(digits):
    """scikeras 0.13's tags hide that it is a classifier; with labels sorted,
    plain K-fold would test on classes never seen in training."""
    scikeras = pytest.importorskip("scikeras.wrappers")
    keras = pytest.importorskip("keras")

    def build(units):
        model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(units, "relu"),
                                  keras.layers.Dense(10, "softmax")])
        model.compile("rmsprop", "sparse_categorical_crossentropy")
        return model

    X, y = digits
    order = np.argsort(y, kind="stable")
    clf = scikeras.KerasClassifier(build, model__units=8, epochs=3, validation_split=0.2,
                                   verbose=0, random_state=0)
    result = capacity_sweep(clf, X[order], y[order], param_name="model__units", values=[16],
                            cv=2)
    # Plain K-fold would score 0 (its test folds hold classes never trained on);
    # stratified folds score about 0.45, not 0.9, because scikeras's validation_split
    # takes the last, unshuffled rows, here the two highest classes.
    assert (result.test_scores > 0.3).all()
    assert len(result.histories[0][0]["val_loss"]) == 3


def test_capacity_sweep_needs_validation_curves(digits):
    with pytest.raises(ValueError, match="validation_fraction > 0"):
        capacity_sweep(mlp(epochs=3, validation_fraction=0.0), *digits, values=[(8,)], cv=2)


@pytest.mark.parametrize(
    "sweep, kwargs, error, match",
    [
        (capacity_sweep, {"param_name": "hidden_layers", "values": [(8,)]}, ValueError,
         "Did you mean 'hidden_layer_sizes'"),
        (capacity_sweep, {"values": []}, ValueError, "at least one value"),
        (learning_rate_sweep, {"values": [0.1, 0.0]}, ValueError, r"> 0; got \[0.0\]"),
        (learning_rate_sweep, {"values": ["fast"]}, ValueError, "'fast'"),
        (capacity_sweep, {"values": [(8,)], "cv": "five"}, InvalidParameterError, "cv"),
    ],
)
def test_bad_arguments(digits, sweep, kwargs, error, match):
    with pytest.raises(error, match=match):
        sweep(mlp(epochs=2), *digits, **kwargs)


def test_estimator_must_fit():
    with pytest.raises(InvalidParameterError, match="estimator"):
        capacity_sweep(object(), [[0.0]], [0], values=[1])


def test_sweeps_and_diagnose_see_through_a_pipeline():
    from sklearn.datasets import load_digits
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skfit import KerasMLPClassifier, diagnose

    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), KerasMLPClassifier(epochs=3, random_state=0))
    result = capacity_sweep(
        pipe, X[:400], y[:400], param_name="kerasmlpclassifier__hidden_layer_sizes",
        values=[(4,), (16,)], cv=2,
    )  # fmt: skip
    assert len(result.histories[0][0]["val_loss"]) == 3
    assert diagnose(pipe.fit(X[:400], y[:400])).status in {
        "underfitting", "overfitting", "good_fit", "not_training"
    }  # fmt: skip


class Diverging(EpochSGD):
    """Diverges (NaN loss) when eta0 is large, and then refuses to predict,
    as skfit's networks do when their weights are not finite."""

    def fit(self, X, y):
        super().fit(X, y)
        if self.eta0 > 1:
            self.history_["loss"][-1] = float("nan")
        return self

    def predict(self, X):
        if self.eta0 > 1:
            raise ValueError("the network's weights are not finite")
        return super().predict(X)


def test_a_value_whose_fit_diverges_is_not_training_not_a_crash(digits):
    X, y = digits
    result = learning_rate_sweep(Diverging(epochs=4), X, y, param_name="eta0",
                                 values=[0.01, 100.0], cv=2)
    assert result.recommended == 0.01
    assert result.statuses[1] == ["not_training"] * 2
    assert np.isnan(result.test_scores[1]).all() and np.isfinite(result.test_scores[0]).all()
    assert "nan" not in result.summary().lower()
