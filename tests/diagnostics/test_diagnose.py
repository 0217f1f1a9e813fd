"""diagnose: synthetic curves (noisy ones too), every history source, the chapter's cases."""

import copy

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from skfit.diagnostics import Diagnosis, diagnose
from skfit.utils.fixes import InvalidParameterError

EPOCHS = np.arange(1, 41)
TRAIN = 1.5 * np.exp(-EPOCHS / 3) + 0.02
# Validation curves: a U that turns up after epoch 12, one still falling, one
# flat from epoch 10 on (a model that cannot overfit), one that turns up a little.
OVERFIT = 0.1 + 1.5 * np.exp(-EPOCHS / 3) + 0.006 * np.maximum(0, EPOCHS - 10) ** 1.2
FALLING = 0.3 + np.exp(-EPOCHS / 15)
PLATEAU = 0.26 + np.exp(-EPOCHS / 2)
TURNS_UP = (0.1 + 1.5 * np.exp(-EPOCHS / 3) + 0.0003 * np.maximum(0, EPOCHS - 12) ** 1.2)[:30]


def noisy(curve, noise, seed):
    """The curve times log-normal noise of relative standard deviation ``noise``."""
    return curve * np.exp(np.random.default_rng(seed).normal(0, noise, len(curve)))


def history(val_loss, loss=TRAIN, **extra):
    return {"loss": list(loss[: len(val_loss)]), "val_loss": list(val_loss), **extra}


# -- synthetic curves ----------------------------------------------------------
def test_overfitting_curve():
    diagnosis = diagnose(history(OVERFIT))
    assert diagnosis.status == "overfitting"
    assert diagnosis.best_epoch in (11, 12)
    assert diagnosis.best_epoch < diagnosis.overfit_epoch < 40
    assert diagnosis.gap["end"] > diagnosis.gap["best"] > 0
    assert any("Theil-Sen" in line for line in diagnosis.evidence)
    assert diagnosis.advice[0] == f"Stop at epoch {diagnosis.best_epoch}: early_stopping=True, " \
                                  f"or epochs={diagnosis.best_epoch}."
    assert any("l2=" in line for line in diagnosis.advice)
    assert any("dropout" in line for line in diagnosis.advice)


def test_overfit_epoch_follows_the_margin():
    strict, loose = (diagnose(history(OVERFIT), overfit_margin=m) for m in (0.05, 0.5))
    assert strict.overfit_epoch < loose.overfit_epoch


def test_falling_curve_is_underfitting_and_asks_for_more_epochs():
    diagnosis = diagnose(history(FALLING))
    assert diagnosis.status == "underfitting"
    assert diagnosis.best_epoch == 40 and diagnosis.overfit_epoch is None
    assert any("still falling" in line for line in diagnosis.evidence)
    assert diagnosis.advice[0].startswith("Train longer")


def test_plateau_is_underfitting_and_asks_for_capacity():
    diagnosis = diagnose(history(PLATEAU + 0.002 * np.sin(EPOCHS)))
    assert diagnosis.status == "underfitting"
    assert any("never clearly turned up" in line for line in diagnosis.evidence)
    assert diagnosis.advice[0].startswith("Increase capacity")


def test_small_turn_is_good_fit():
    diagnosis = diagnose(history(TURNS_UP))
    assert diagnosis.status == "good_fit"
    assert diagnosis.best_epoch == 20 and diagnosis.overfit_epoch is None
    assert "retrain on training plus validation data for 20 epochs" in diagnosis.advice[0]


@pytest.mark.parametrize("noise", [0.02, 0.05, 0.1])
def test_verdicts_survive_noise(noise):
    """20 noisy copies of each shape: the U always overfits, the falling curve
    always underfits, the plateau is called overfitting at most once."""
    seeds = range(20)
    overfit = [diagnose(history(noisy(OVERFIT, noise, s), noisy(TRAIN, noise, s))) for s in seeds]
    assert all(d.status == "overfitting" for d in overfit)
    assert all(abs(d.best_epoch - 12) <= 3 for d in overfit)
    falling = [diagnose(history(noisy(FALLING, noise, s))).status for s in seeds]
    assert set(falling) == {"underfitting"}
    plateau = [diagnose(history(noisy(PLATEAU, noise, s))).status for s in seeds]
    assert plateau.count("overfitting") <= 1
    assert plateau.count("underfitting") >= 18


def test_smoothing_ignores_one_epoch_spikes():
    spiky = FALLING.copy()
    spiky[[9, 19, 29]] *= 3
    assert diagnose(history(spiky)).status == "underfitting"
    assert diagnose(history(spiky)).best_epoch == 40


def test_visible_but_insignificant_rise_asks_for_a_readable_curve():
    # a plateau at 0.15 with 40% noise (a fixed draw): the last epochs happen to be high
    val = [0.796, 0.491, 0.482, 0.298, 0.187, 0.231, 0.304, 0.246, 0.122, 0.094,
           0.12, 0.155, 0.06, 0.138, 0.091, 0.112, 0.121, 0.132, 0.177, 0.228]
    diagnosis = diagnose({"loss": np.linspace(1, 0.1, 20), "val_loss": val})
    assert diagnosis.status == "underfitting"
    assert "not significant against the noise" in diagnosis.evidence[-1]
    assert diagnosis.advice == [
        "The validation curve is too noisy to tell underfitting from overfitting: lower the "
        "learning rate, use a bigger batch or a larger validation set (validation_fraction), "
        "then diagnose again."
    ]


def test_noisy_curve_gets_a_warning_and_advice():
    diagnosis = diagnose(history(noisy(OVERFIT, 0.1, 0)))
    assert any("noisy" in line for line in diagnosis.evidence)
    assert "bigger batch" in diagnosis.advice[-1]


# -- not training ------------------------------------------------------------
def test_flat_training_loss_is_not_training():
    loss = noisy(np.full(20, 2.3), 0.01, 0)
    diagnosis = diagnose({"loss": loss, "val_loss": loss + 0.1})
    assert diagnosis.status == "not_training"
    assert diagnosis.best_epoch is None and diagnosis.gap == {}
    assert "training needs a decrease of at least 10%" in diagnosis.evidence[0]
    assert diagnosis.advice[0].startswith("Lower the learning rate")


def test_first_epoch_blow_up_is_not_a_decrease():
    """RMSprop with a learning rate of 1.0: a huge first epoch, then stuck."""
    loss = np.r_[1030.0, noisy(np.full(19, 2.2), 0.05, 1)]
    diagnosis = diagnose({"loss": loss})
    assert diagnosis.status == "not_training"
    assert any("blew up to 1030 in epoch 1" in line for line in diagnosis.evidence)


def test_diverged_and_unstable_training():
    diverged = diagnose({"loss": [2.0, 1.0, np.nan, np.nan]})
    assert diverged.status == "not_training"
    assert "at epoch 3: diverged" in diverged.evidence[0]
    unstable = np.r_[np.linspace(2, 0.5, 10), 3.0, np.linspace(0.5, 0.2, 9)]
    diagnosis = diagnose({"loss": unstable})
    assert diagnosis.status == "not_training"
    assert "climbed back to 3 at epoch 11" in diagnosis.evidence[0]


# -- baseline --------------------------------------------------------------
def test_chance_accuracy_is_not_generalizing():
    chance = noisy(np.full(40, 0.1), 0.05, 0)
    diagnosis = diagnose(history(OVERFIT, val_accuracy=chance), baseline_score=0.1)
    assert diagnosis.status == "not_generalizing"
    assert diagnosis.best_epoch is not None
    assert any("vs baseline 0.1: no better" in line for line in diagnosis.evidence)
    good = diagnose(history(OVERFIT, val_accuracy=np.full(40, 0.95)), baseline_score=0.1)
    assert good.status == "overfitting"
    assert any("better by more than" in line for line in good.evidence)


def test_loss_scores_are_lower_is_better():
    stuck = history(2.35 + 0.01 * np.sin(EPOCHS))
    stuck["loss"] = list(np.linspace(2.3, 1.0, 40))
    assert diagnose(stuck, baseline_score=2.30).status == "not_generalizing"
    assert diagnose(stuck, baseline_score=2.50).status != "not_generalizing"
    margin = diagnose(stuck, baseline_score=2.50, baseline_margin=0.5)
    assert margin.status == "not_generalizing"
    mse = history(OVERFIT, val_mean_squared_error=np.full(40, 3.0))
    assert diagnose(mse, baseline_score=2.0, score="val_mean_squared_error").status == \
        "not_generalizing"


def test_unknown_score_key():
    with pytest.raises(ValueError, match="score='val_auc' is not in the history"):
        diagnose(history(OVERFIT), baseline_score=0.5, score="val_auc")


# -- sources, errors, output ------------------------------------------------
def test_keras_history_object_and_no_mutation():
    keras = pytest.importorskip("keras")
    callback = keras.callbacks.History()
    callback.history = history(OVERFIT)
    snapshot = copy.deepcopy(callback.history)
    assert diagnose(callback).status == "overfitting"
    assert callback.history == snapshot


def test_scikeras_estimator():
    scikeras = pytest.importorskip("scikeras.wrappers")
    keras = pytest.importorskip("keras")

    def build():
        model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, "softmax")])
        model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    X, y = load_digits(return_X_y=True)
    clf = scikeras.KerasClassifier(build, epochs=6, validation_split=0.2, verbose=0,
                                   random_state=0)
    diagnosis = diagnose(clf.fit(X / 16, y), baseline_score=0.1)
    assert diagnosis.n_epochs == 6
    assert diagnosis.status == "underfitting"  # six epochs: still falling
    assert "epochs=6 -> 12" in diagnosis.advice[0]


@pytest.mark.parametrize(
    "source, error, match",
    [
        ([0.5, 0.4], TypeError, "Expected a fitted skfit or scikeras estimator"),
        (LogisticRegression(), NotFittedError, "not fitted"),
        ({"loss": ["a", "b"]}, TypeError, r"history\['loss'\] must be a sequence of numbers"),
        ({"loss": [[1.0], [2.0]]}, TypeError, "one-dimensional"),
        ({"val_loss": [1.0, 2.0]}, ValueError, r"must contain \['loss'\]"),
        ({"loss": [1.0, 0.5], "val_loss": [1.0]}, ValueError, "lengths"),
        ({"loss": []}, ValueError, "no epoch"),
        ({"loss": [1.0]}, ValueError, "at least 2 epochs"),
        ({"loss": list(TRAIN)}, ValueError, "no 'val_loss'"),
    ],
)
def test_bad_sources(source, error, match):
    with pytest.raises(error, match=match):
        diagnose(source)


def test_fitted_estimator_without_history():
    X, y = load_digits(return_X_y=True)
    with pytest.raises(TypeError, match="LogisticRegression has no history_"):
        diagnose(LogisticRegression(max_iter=50).fit(X[:200] / 16, y[:200]))


@pytest.mark.parametrize(
    "params", [{"smoothing": 0}, {"overfit_margin": 0}, {"confidence": 1.0},
               {"baseline_margin": "big"}, {"min_relative_decrease": 1.5}]
)
def test_invalid_parameters(params):
    with pytest.raises(InvalidParameterError, match=next(iter(params))):
        diagnose(history(OVERFIT), **params)


def test_repr_and_summary():
    diagnosis = diagnose(history(OVERFIT))
    assert isinstance(diagnosis, Diagnosis)
    assert repr(diagnosis).startswith("Diagnosis(status='overfitting', best_epoch=1")
    text = str(diagnosis)
    assert text.splitlines()[0] == repr(diagnosis)
    assert "Evidence:" in text and "Advice:" in text
    assert all(f"  - {line}" in text for line in diagnosis.evidence + diagnosis.advice)


# -- the chapter's cases, on digits with skfit's MLP --------------------------
@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def mlp(**params):
    from skfit import KerasMLPClassifier

    # small batches and a 20% validation set make the curves readable in 80 epochs
    defaults = dict(learning_rate=3e-3, batch_size=16, epochs=80, validation_fraction=0.2)
    return KerasMLPClassifier(**{**defaults, **params})


@pytest.mark.parametrize("seed", [0, 1])
def test_rmsprop_learning_rate_1_is_not_training(digits, seed):
    high, low = (
        diagnose(mlp(hidden_layer_sizes=(96,), learning_rate=lr, batch_size=128, epochs=20,
                     random_state=seed).fit(*digits))
        for lr in (1.0, 1e-2)
    )
    assert high.status == "not_training"
    assert "learning_rate=1 -> try 0.1 and 0.01" in high.advice[0]
    assert low.status != "not_training"


@pytest.mark.parametrize("seed", [0, 1])
def test_logistic_regression_underfits_where_96_units_overfit(digits, seed):
    linear = diagnose(mlp(hidden_layer_sizes=(), random_state=seed).fit(*digits))
    assert linear.status == "underfitting"
    assert linear.best_epoch > 70
    hidden = diagnose(mlp(hidden_layer_sizes=(96,), random_state=seed).fit(*digits))
    assert hidden.status == "overfitting"
    assert hidden.best_epoch < hidden.overfit_epoch < 80
    assert "hidden_layer_sizes=(96,) -> (48,)" in " ".join(hidden.advice)


def test_early_stopping_restores_best_epoch_weights(digits):
    for seed in (0, 1):
        params = dict(hidden_layer_sizes=(96,), random_state=seed)
        stopped = mlp(early_stopping=True, patience=5, **params).fit(*digits)
        assert stopped.n_epochs_ == stopped.best_epoch_ + 5 < 80
        exact = mlp(**{**params, "epochs": stopped.best_epoch_}).fit(*digits)
        np.testing.assert_allclose(stopped.predict_proba(digits[0]),
                                   exact.predict_proba(digits[0]), atol=1e-6)
        diagnosis = diagnose(stopped)
        assert diagnosis.status == "good_fit"
        assert any(f"restored the weights of epoch {stopped.best_epoch_}" in line
                   for line in diagnosis.evidence)


def _rise(estimator):
    """How far the validation loss ends above its minimum (last 5 epochs' median)."""
    val = np.asarray(estimator.history_["val_loss"])
    return np.median(val[-5:]) / val.min() - 1


def test_l2_and_dropout_delay_or_soften_overfitting(digits):
    """Over three seeds, a 96-unit model overfits; L2 and dropout make the
    rise of its validation loss smaller and its best epoch later."""
    runs = {name: [] for name in ("reference", "l2", "dropout")}
    variants = [("reference", {}), ("l2", {"l2": 1e-3}), ("dropout", {"dropout": 0.5})]
    for seed in range(3):
        for name, extra in variants:
            model = mlp(hidden_layer_sizes=(96,), epochs=60, random_state=seed, **extra)
            model.fit(*digits)
            runs[name].append((_rise(model), diagnose(model)))
    rise = {name: np.mean([r for r, _ in results]) for name, results in runs.items()}
    best = {name: np.mean([d.best_epoch for _, d in results]) for name, results in runs.items()}
    assert all(d.status == "overfitting" for _, d in runs["reference"])
    assert rise["l2"] < rise["reference"] / 2
    assert rise["dropout"] < rise["reference"]
    assert best["l2"] > best["reference"] and best["dropout"] > best["reference"]


def test_shuffled_labels_are_not_generalizing(digits):
    X, y = digits
    shuffled = np.random.RandomState(0).permutation(y)
    model = mlp(hidden_layer_sizes=(256,), epochs=40, random_state=0).fit(X, shuffled)
    assert model.history_["accuracy"][-1] > 0.3  # it memorizes the training labels
    diagnosis = diagnose(model, baseline_score=0.1)
    assert diagnosis.status == "not_generalizing"
    assert diagnosis.advice[0].startswith("The inputs may not hold the information")
