import json
import math
import re
import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone, is_classifier
from sklearn.datasets import load_diabetes, load_digits
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GroupKFold, KFold, ShuffleSplit, TimeSeriesSplit
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skfit.model_selection import BaselineDisplay, BaselineReport, compare_to_baseline
from skfit.model_selection._baseline import _permutation
from skfit.model_selection._stats import corrected_resampled_ttest, permutation_p_value


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def imbalanced_random_features(n_samples=300, seed=0):
    """The chapter's 90/10 binary target, with features that carry no signal."""
    rng = np.random.RandomState(seed)
    y = np.r_[np.zeros(n_samples * 9 // 10, dtype=int), np.ones(n_samples // 10, dtype=int)]
    return rng.normal(size=(n_samples, 5)), rng.permutation(y)


class WrongTagsClassifier(BaseEstimator, ClassifierMixin):
    """A classifier whose tags hide that it is one, like scikeras 0.13's wrappers."""

    def fit(self, X, y):
        self.model_ = GaussianNB().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


class FitForbidden(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise AssertionError("bad input must be rejected before any fit")

    def predict(self, X):
        raise AssertionError("never fitted")


# --- the chapter's cases, plain scikit-learn -------------------------------------------


def test_majority_baseline_scores_09_and_random_features_do_not_beat_it():
    X, y = imbalanced_random_features()
    report = compare_to_baseline(LogisticRegression(), X, y, cv=5, random_state=0)
    np.testing.assert_allclose(report.baseline_scores["most_frequent"], 0.9)
    assert report.margin <= 0.01
    assert report.p_value > 0.05
    assert not report.beats_baseline


def test_digits_model_beats_chance_by_a_wide_margin(digits):
    X, y = digits
    report = compare_to_baseline(GaussianNB(), X, y, cv=5, n_permutations=9, random_state=0)
    assert report.baseline_scores["most_frequent"].mean() == pytest.approx(0.1, abs=0.01)
    assert report.margin > 0.6
    assert report.p_value < 1e-4
    assert report.beats_baseline
    assert report.permutation_scores.shape == (9, 5)
    assert report.permutation_scores.mean() == pytest.approx(0.1, abs=0.05)
    assert report.permutation_p_value == pytest.approx(1 / 10)


def test_shuffled_labels_do_not_beat_the_baseline(digits):
    X, y = digits
    y_shuffled = np.random.RandomState(0).permutation(y)
    report = compare_to_baseline(GaussianNB(), X, y_shuffled, cv=5, random_state=0)
    assert abs(report.margin) < 0.05
    assert report.p_value > 0.05
    assert not report.beats_baseline


def test_regression_uses_dummy_regressors_and_r2():
    X, y = load_diabetes(return_X_y=True)
    report = compare_to_baseline(Ridge(alpha=0.1), X, y, cv=5)
    assert report.scoring == "r2"
    assert set(report.baseline_scores) == {"mean", "median"}
    assert report.baseline_scores["mean"].mean() < 0.0
    assert report.beats_baseline


# --- identical folds -------------------------------------------------------------------


def test_every_run_uses_the_same_folds():
    # A splitter that reshuffles on every call: only folds drawn once and reused make a
    # most_frequent "model" score exactly like the most_frequent baseline, split by split.
    X, y = imbalanced_random_features(n_samples=200)
    cv = ShuffleSplit(n_splits=6, test_size=0.3)
    report = compare_to_baseline(DummyClassifier(), X, y, cv=cv, n_permutations=2)
    np.testing.assert_array_equal(report.model_scores, report.baseline_scores["most_frequent"])
    assert report.margin == 0.0
    assert report.p_value == pytest.approx(0.5)


@pytest.mark.parametrize("pipeline", [False, True])
def test_stratified_folds_when_tags_hide_a_classifier(digits, pipeline):
    # Digits sorted by class: unstratified folds would test on classes never trained on.
    X, y = digits
    order = np.argsort(y, kind="stable")
    model = WrongTagsClassifier()
    if pipeline:
        model = make_pipeline(StandardScaler(), model)
    assert not is_classifier(model)
    report = compare_to_baseline(model, X[order], y[order], cv=3, random_state=0)
    assert report.model_scores.min() > 0.7
    np.testing.assert_allclose(report.baseline_scores["most_frequent"], 0.1, atol=0.01)
    assert report.beats_baseline


def test_group_and_time_series_splitters():
    X, y = imbalanced_random_features(n_samples=120)
    groups = np.repeat(np.arange(12), 10)
    grouped = compare_to_baseline(GaussianNB(), X, y, cv=GroupKFold(4), groups=groups)
    np.testing.assert_array_equal(grouped.test_sizes, [30, 30, 30, 30])
    with pytest.warns(UserWarning, match="groups parameter is ignored by TimeSeriesSplit"):
        timed = compare_to_baseline(
            GaussianNB(), X, y, cv=TimeSeriesSplit(3), groups=groups, n_permutations=2
        )
    np.testing.assert_array_equal(timed.train_sizes, [30, 60, 90])


def test_permutations_stay_within_groups():
    groups = np.repeat([0, 1, 2], [4, 5, 6])
    indices = _permutation(groups, 15, np.random.RandomState(0))
    assert sorted(indices) == list(range(15))
    np.testing.assert_array_equal(groups[indices], groups)
    assert not np.array_equal(indices, np.arange(15))


def test_same_random_state_same_report(digits):
    X, y = digits[0][:300], digits[1][:300]
    first, second = (
        compare_to_baseline(GaussianNB(), X, y, cv=3, n_permutations=2, random_state=7)
        for _ in range(2)
    )
    for name in first.baseline_scores:
        np.testing.assert_array_equal(first.baseline_scores[name], second.baseline_scores[name])
    np.testing.assert_array_equal(first.permutation_scores, second.permutation_scores)


def test_pandas_input_with_string_labels_is_not_mutated():
    X, y = imbalanced_random_features(n_samples=100)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    y = pd.Series(np.where(y == 1, "rare", "common"))
    X_before, y_before = X.copy(), y.copy()
    report = compare_to_baseline(
        make_pipeline(StandardScaler(), LogisticRegression()), X, y,
        cv=2, scoring="balanced_accuracy", n_permutations=1, random_state=0,
    )
    assert report.scoring == "balanced_accuracy"
    np.testing.assert_allclose(report.baseline_scores["most_frequent"], 0.5)
    pd.testing.assert_frame_equal(X, X_before)
    pd.testing.assert_series_equal(y, y_before)


# --- bad input -------------------------------------------------------------------------


def test_single_split_warns_and_p_value_is_nan():
    X, y = imbalanced_random_features(n_samples=100)
    with pytest.warns(UserWarning, match="single train/test split.*p_value is NaN") as record:
        report = compare_to_baseline(
            GaussianNB(), X, y, cv=ShuffleSplit(n_splits=1, random_state=0)
        )
    assert record[0].filename == __file__  # points at the caller
    assert report.n_splits == 1
    assert math.isnan(report.p_value)
    assert math.isfinite(report.margin)
    assert not report.beats_baseline


@pytest.mark.parametrize(
    "estimator, target, scoring, match",
    [
        (Ridge(), "continuous", "accuracy", "scoring='accuracy' is a classification metric"),
        (FitForbidden(), "binary", "r2", "scoring='r2' is a regression metric.*'accuracy'"),
        (FitForbidden(), "binary", "neg_mean_squared_error", "regression metric"),
        (Ridge(), "continuous", "roc_auc", "classification metric.*'r2'"),
        (Ridge(), "continuous", make_scorer(accuracy_score), "accuracy_score.*classification"),
        (FitForbidden(), "continuous", None, "continuous .* FitForbidden is a classifier"),
        (make_pipeline(StandardScaler(), FitForbidden()), "continuous", None, "classifier"),
        (Ridge(), "strings", None, "Ridge is a regressor, but y holds non-numeric labels"),
        (FitForbidden(), "multilabel", None, "single target.*'multilabel-indicator'"),
    ],
)
def test_bad_input_is_rejected_before_any_fit(estimator, target, scoring, match):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = {
        "continuous": rng.normal(size=40),
        "binary": np.tile([0, 1], 20),
        "strings": np.tile(["a", "b"], 20),
        "multilabel": rng.randint(2, size=(40, 2)),
    }[target]
    with pytest.raises(ValueError, match=match):
        compare_to_baseline(estimator, X, y, scoring=scoring)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_permutations": -1}, "'n_permutations' parameter"),
        ({"scoring": "accuracyy"}, "'scoring' parameter"),
        ({"cv": "five"}, "'cv' parameter"),
    ],
)
def test_invalid_parameters(params, match):
    X, y = imbalanced_random_features(n_samples=50)
    with pytest.raises(ValueError, match=match):
        compare_to_baseline(FitForbidden(), X, y, **params)


# --- the statistics ----------------------------------------------------------------------


def test_corrected_ttest_without_overlap_is_the_one_sample_ttest():
    differences = np.array([0.02, 0.05, -0.01, 0.03, 0.04])
    t_statistic, p_value = corrected_resampled_ttest(differences, n_train=100, n_test=0)
    expected = stats.ttest_1samp(differences, 0.0, alternative="greater")
    assert t_statistic == pytest.approx(expected.statistic)
    assert p_value == pytest.approx(expected.pvalue)


def test_corrected_ttest_inflates_the_variance_for_overlapping_training_sets():
    differences = np.array([0.02, 0.05, -0.01, 0.03, 0.04])
    naive_t, naive_p = corrected_resampled_ttest(differences, n_train=100, n_test=0)
    t_statistic, p_value = corrected_resampled_ttest(differences, n_train=80, n_test=20)
    # (1/5 + 20/80) / (1/5) = 2.25 times the variance: t shrinks by a factor 1.5.
    assert t_statistic == pytest.approx(naive_t / 1.5)
    assert p_value > naive_p


@pytest.mark.parametrize(
    "differences, expected_p",
    [([0.1, 0.1, 0.1], 0.0), ([0.0, 0.0, 0.0], 0.5), ([-0.1, -0.1], 1.0), ([0.3], math.nan)],
)
def test_corrected_ttest_degenerate_cases(differences, expected_p):
    _, p_value = corrected_resampled_ttest(differences, n_train=80, n_test=20)
    assert p_value == pytest.approx(expected_p, nan_ok=True)


def test_permutation_p_value():
    assert permutation_p_value(0.9, [0.1] * 9) == pytest.approx(0.1)
    assert permutation_p_value(0.5, [0.5, 0.4]) == pytest.approx(2 / 3)
    assert math.isnan(permutation_p_value(0.5, []))


# --- the report --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits_report(digits):
    X, y = digits[0][:400], digits[1][:400]
    return compare_to_baseline(GaussianNB(), X, y, cv=4, n_permutations=3, random_state=0)


def test_to_frame(digits_report):
    frame = digits_report.to_frame()
    assert list(frame.columns) == [
        "model", "most_frequent", "prior", "stratified", "uniform", "shuffled_labels",
    ]
    assert frame.index.name == "split" and len(frame) == 4
    assert frame.mean()["model"] == pytest.approx(digits_report.model_scores.mean())
    assert frame["shuffled_labels"].mean() == pytest.approx(
        digits_report.permutation_scores.mean()
    )


def test_repr_is_one_line_and_summary_readable(digits_report):
    assert repr(digits_report) == (
        f"BaselineReport(model='GaussianNB', scoring='accuracy', n_splits=4, "
        f"margin={digits_report.margin:.4g}, p_value={digits_report.p_value:.4g}, "
        "beats_baseline=True)"
    )
    text = digits_report.summary()
    assert str(digits_report) == text
    assert text.splitlines()[0] == digits_report.verdict
    assert digits_report.verdict.startswith(
        "The model (GaussianNB) beats the best common-sense baseline (most_frequent): "
    )
    for expected in ("model: GaussianNB", "baseline: uniform", "shuffled labels (3 runs)",
                     "Margin over the best baseline (most_frequent)", "Nadeau-Bengio",
                     "permutation p-value 0.25", "beats the baseline at alpha 0.05: yes"):
        assert expected in text


def test_beats_baseline_follows_alpha(digits_report):
    assert digits_report.beats_baseline
    strict = BaselineReport(**{**vars(digits_report), "alpha": digits_report.p_value / 2})
    assert not strict.beats_baseline


def test_plot(digits_report):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    display = digits_report.plot()
    assert isinstance(display, BaselineDisplay)
    ax = display.ax_
    assert display.figure_ is ax.figure
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["model: GaussianNB", "baseline: most_frequent", "baseline: prior",
                      "baseline: stratified", "baseline: uniform", "shuffled labels: mean of 3 runs"]
    np.testing.assert_allclose(display.lines_["model"].get_ydata(), digits_report.model_scores)
    assert "margin" in ax.get_title() and ax.get_ylabel() == "accuracy"
    _, given = plt.subplots()
    assert digits_report.plot(ax=given).ax_ is given
    plt.close("all")


def test_report_estimator_is_not_fitted_in_place(digits):
    X, y = digits[0][:200], digits[1][:200]
    model = GaussianNB()
    before = clone(model).get_params()
    compare_to_baseline(model, X, y, cv=3)
    assert model.get_params() == before
    assert not hasattr(model, "classes_")


# --- Keras ---------------------------------------------------------------------------------


def build_scikeras_mlp(meta):
    import keras

    return keras.Sequential([
        keras.Input((meta["n_features_in_"],)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(meta["n_classes_"], activation="softmax"),
    ])


def test_scikeras_classifier_gets_stratified_folds_and_beats_chance(digits):
    # scikeras 0.13's tags say it is no classifier; its own random_state would leave
    # TensorFlow op determinism switched on for later fits, so seed Keras globally instead.
    wrappers = pytest.importorskip("scikeras.wrappers")
    import keras

    keras.utils.set_random_seed(0)
    classifier = wrappers.KerasClassifier(
        model=build_scikeras_mlp, loss="sparse_categorical_crossentropy", optimizer="adam",
        epochs=10, batch_size=64, verbose=0,
    )
    model = make_pipeline(StandardScaler(), classifier)
    assert not is_classifier(model)
    X, y = digits
    order = np.argsort(y, kind="stable")  # sorted by class: needs stratified folds
    report = compare_to_baseline(model, X[order], y[order], cv=3, n_permutations=1,
                                 random_state=0)
    assert report.model_scores.min() > 0.7
    assert report.p_value < 0.01
    assert report.beats_baseline
    assert report.permutation_scores.max() < 0.3


@pytest.fixture(scope="module")
def digits_scaled(digits):
    X, y = digits
    return X / 16.0, y


def small_mlp(**params):
    from skfit import KerasMLPClassifier

    return KerasMLPClassifier(hidden_layer_sizes=(32,), learning_rate=1e-2, epochs=10,
                              random_state=0, **params)


def test_keras_mlp_beats_chance_on_digits_with_a_tiny_p_value(digits_scaled):
    X, y = digits_scaled
    report = compare_to_baseline(small_mlp(), X, y, cv=3, n_permutations=4, random_state=0)
    assert report.model_scores.min() > 0.8
    assert report.margin > 0.7
    assert report.p_value < 1e-3
    assert report.beats_baseline
    assert report.permutation_scores.max() < 0.2  # shuffled labels: chance level
    assert report.permutation_p_value == pytest.approx(1 / 5)  # the smallest possible


def test_keras_mlp_on_shuffled_labels_does_not_beat_chance(digits_scaled):
    X, y = digits_scaled
    y_shuffled = np.random.RandomState(0).permutation(y)
    report = compare_to_baseline(small_mlp(), X, y_shuffled, cv=3, random_state=0)
    assert abs(report.margin) < 0.05
    assert not report.beats_baseline


def test_keras_mlp_on_random_features_does_not_beat_the_majority():
    X, y = imbalanced_random_features()
    report = compare_to_baseline(small_mlp(), X, y, cv=3, random_state=0)
    np.testing.assert_allclose(report.baseline_scores["most_frequent"], 0.9)
    assert report.margin <= 0.01
    assert not report.beats_baseline


def test_importing_does_not_import_tensorflow():
    code = ("import sys, skfit.model_selection as m; m.compare_to_baseline; m.BaselineReport; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_deduplicated_folds_expose_a_memorizer_that_leaky_folds_reward():
    # Noise labels on rows that each appear three times: a 1-nearest-neighbour model
    # "beats" the baseline only when copies of a test row sit in the training set.
    from sklearn.neighbors import KNeighborsClassifier

    from skfit.model_selection import DeduplicatedKFold

    rng = np.random.RandomState(0)
    X, y = np.repeat(rng.normal(size=(60, 4)), 3, axis=0), np.repeat(np.tile([0, 1], 30), 3)
    memorizer = KNeighborsClassifier(n_neighbors=1)
    leaky = compare_to_baseline(memorizer, X, y, cv=KFold(5, shuffle=True, random_state=0))
    honest = compare_to_baseline(
        memorizer, X, y, cv=DeduplicatedKFold(5, shuffle=True, random_state=0)
    )
    assert leaky.beats_baseline and leaky.model_scores.mean() > 0.9
    assert not honest.beats_baseline


# --- odd targets and metrics: a clear error before any fit, or a sound report (issue 16) ---

OUR_MESSAGES = r"^(y |scoring=|The training part|With groups)"
DEPENDENCY_MESSAGES = ("not supported between", "boolean value of NA", "Unknown label type",
                       "Input contains", "Input y contains")


class CountingClassifier(GaussianNB):
    """GaussianNB that counts its fits (clones share the counter)."""

    fits = []

    def fit(self, X, y, sample_weight=None):
        CountingClassifier.fits.append(len(y))
        return super().fit(X, y, sample_weight)


label_values = st.one_of(st.sampled_from(["a", "b", "c"]), st.integers(0, 2), st.none(),
                         st.just(np.nan), st.just(pd.NA), st.booleans(), st.just(1.5))


clean_labels = st.sampled_from([st.sampled_from(["a", "b", "c"]), st.integers(0, 2),
                                st.booleans(), st.sampled_from([0.0, 1.0])])


@st.composite
def odd_targets(draw):
    """Labels of one type (most should work) or of mixed types with missing values."""
    elements = draw(st.one_of(clean_labels, st.just(label_values)))
    values = draw(st.lists(elements, min_size=12, max_size=30))
    container = draw(st.sampled_from(["list", "object", "series", "string", "category"]))
    if container == "list":
        return values
    if container == "object":
        return np.array(values, dtype=object)
    if container == "series":
        return pd.Series(values, dtype=object)
    if container == "string":
        return pd.Series([None if v is None or v is pd.NA or v != v else str(v)
                          for v in values], dtype="string")
    return pd.Series(pd.Categorical([v if isinstance(v, str) else None for v in values]))


@settings(max_examples=60, deadline=None)
@given(odd_targets(), st.sampled_from([None, None, None, "accuracy", "roc_auc", "f1",
                                       "neg_log_loss", "balanced_accuracy"]))
def test_odd_targets_get_a_clear_error_before_any_fit_or_a_sound_report(y, scoring):
    X = np.random.RandomState(0).normal(size=(len(y), 3))
    CountingClassifier.fits.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. a class too small for stratified folds
        try:
            report = compare_to_baseline(CountingClassifier(), X, y, cv=2, scoring=scoring,
                                         n_permutations=1, random_state=0)
        except ValueError as error:
            assert re.match(OUR_MESSAGES, str(error)), error
            assert not any(text in str(error) for text in DEPENDENCY_MESSAGES), error
            assert CountingClassifier.fits == [], (error, CountingClassifier.fits)
            return
    assert np.isfinite(report.model_scores).all() and math.isfinite(report.margin)
    assert json.loads(json.dumps(report.to_dict(), allow_nan=False)) == report.to_dict()


@pytest.mark.parametrize("y, match", [
    (["a", "b"] * 19 + ["a", None], "1 missing values .* position 39"),
    (pd.Series(["a", "b"] * 19 + ["a", pd.NA], dtype="string"), "missing values"),
    (np.array([1, "a"] * 20, dtype=object), "mixes strings with other values"),
    (np.array([[1], {"a": 1}] * 20, dtype=object), "neither a number nor a string"),
    (np.r_[np.tile([0.0, 1.0], 19), 0.0, np.inf], "infinite values"),
    (np.zeros(40), "single value"),
])
def test_labels_no_model_can_learn_from(y, match):
    X = np.random.RandomState(0).normal(size=(40, 3))
    with pytest.raises(ValueError, match=match):
        compare_to_baseline(FitForbidden(), X, y, cv=2)


@pytest.mark.parametrize("scoring, target, match", [
    ("roc_auc", "three", r"roc_auc' cannot score this multiclass target.*'roc_auc_ovr'"),
    ("f1", "three", "f1' cannot score this multiclass target"),
    ("precision", "strings", "precision' cannot score this binary target"),
    ("neg_mean_squared_log_error", "negative", "cannot score this continuous target"),
])
def test_a_metric_that_cannot_apply_fails_before_any_fit(scoring, target, match):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = {"three": np.tile([0, 1, 2], 20), "strings": np.tile(["no", "yes"], 30),
         "negative": rng.normal(size=60)}[target]
    estimator = Ridge() if target == "negative" else FitForbidden()
    if target == "negative":
        estimator = make_pipeline(StandardScaler(), _FitForbiddenRegressor())
    with pytest.raises(ValueError, match=match):
        compare_to_baseline(estimator, X, y, cv=3, scoring=scoring)


class _FitForbiddenRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        raise AssertionError("bad input must be rejected before any fit")


def test_a_metric_needing_probabilities_of_a_model_without_them():
    from sklearn.svm import SVC

    X, y = imbalanced_random_features(n_samples=60)
    with pytest.raises(ValueError, match="needs predict_proba, which SVC does not have"):
        compare_to_baseline(SVC(), X, y, cv=2, scoring="neg_log_loss")


def test_a_training_part_with_one_class_fails_before_any_fit():
    X = np.zeros((20, 2))
    y = np.r_[np.zeros(10), np.ones(10)]
    with pytest.raises(ValueError, match="training part of split 1 .* holds only the class 1"):
        compare_to_baseline(FitForbidden(), X, y, cv=KFold(2))


def test_shuffling_within_groups_that_cannot_change_y_is_refused():
    groups = np.arange(20) // 2  # pairs of rows with one label each
    X, y = np.zeros((20, 2)), np.repeat([0, 0, 1, 1, 0, 0, 1, 1, 0, 1], 2)
    with pytest.raises(ValueError, match="y is constant within every group"):
        compare_to_baseline(FitForbidden(), X, y, cv=GroupKFold(2), groups=groups,
                            n_permutations=3)


def test_group_labels_with_missing_values_are_one_group():
    groups = np.array(["a", None, "a", np.nan, "b", None], dtype=object)
    indices = _permutation(groups, 6, np.random.RandomState(0))
    assert sorted(indices) == list(range(6))
    assert set(indices[[1, 3, 5]]) == {1, 3, 5} and set(indices[[0, 2]]) == {0, 2}


class NaNPredictor(ClassifierMixin, BaseEstimator):
    """A diverged network, as scikeras leaves it: NaN probabilities, argmax class 0."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), np.nan)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class NaNRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.full(len(X), np.nan)


@pytest.mark.parametrize("model, target", [(NaNPredictor(), "binary"),
                                           (NaNRegressor(), "continuous")])
def test_nan_predictions_are_a_clear_error_not_a_score(model, target):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = np.tile([0, 1], 20) if target == "binary" else rng.normal(size=40)
    with pytest.raises(ValueError, match="returned NaN or infinite values: its training "
                                         "diverged") as error:
        compare_to_baseline(make_pipeline(StandardScaler(), model), X, y, cv=2)
    assert "Input contains NaN" not in str(error.value)


def test_a_model_that_refuses_to_predict_passes_its_own_error_on():
    class Refuses(NaNRegressor):
        def predict(self, X):
            raise RuntimeError("the network's weights are not finite: lower the learning rate")

    X, y = np.random.RandomState(0).normal(size=(40, 3)), np.arange(40.0)
    with pytest.raises(RuntimeError, match="weights are not finite"):
        compare_to_baseline(Refuses(), X, y, cv=2)


@pytest.mark.parametrize("scoring", ["roc_auc", "neg_log_loss"])
def test_shuffles_that_no_split_could_score_are_drawn_again(scoring):
    # Two rows of "b" in twelve, on two stratified folds: most shuffles put both in one
    # test part, leaving its training part without "b" (found by hypothesis).
    y = np.array(["a"] * 5 + ["b"] + ["a"] * 3 + ["b"] + ["a"] * 2)
    X = np.random.RandomState(0).normal(size=(len(y), 3))
    report = compare_to_baseline(GaussianNB(), X, y, cv=2, scoring=scoring,
                                 n_permutations=5, random_state=0)
    assert report.permutation_scores.shape == (5, 2)
    assert np.isfinite(report.permutation_scores).all()

