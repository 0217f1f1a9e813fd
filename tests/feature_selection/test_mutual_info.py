"""Tests for mutual_info_scores and MutualInfoSelector."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.datasets import load_diabetes, load_digits
from sklearn.feature_selection import mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import mutual_info_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline

from skfit.datasets import add_channels, load_digits_channels
from skfit.feature_selection import MutualInfoSelector, mutual_info_scores
from skfit.feature_selection import _estimators
from skfit.utils.fixes import InvalidParameterError

# Digits has constant pixels; the warning about them is tested on its own.
pytestmark = pytest.mark.filterwarnings("ignore:Features .* are constant:UserWarning")


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def _weak_and_noise(n_samples=2000, random_state=0):
    """Three weak features of different kinds, then 30 noise columns of three kinds."""
    rng = np.random.default_rng(random_state)
    y = rng.integers(0, 3, n_samples)
    weak = np.column_stack(
        [
            0.35 * y + rng.normal(size=n_samples),  # weak shift
            rng.normal(size=n_samples) * (1 + 0.3 * y),  # class-dependent spread
            (rng.random(n_samples) < 0.3 + 0.1 * y).astype(float),  # binary
        ]
    )
    noise = np.column_stack(
        [rng.uniform(size=(n_samples, 10)), rng.poisson(2, size=(n_samples, 10))]
        + [np.where(rng.random((n_samples, 10)) < 0.6, 0.0, rng.exponential(size=(n_samples, 10)))]
    )
    return np.hstack([weak, noise]), y


# --- mutual_info_scores --------------------------------------------------------


def test_discrete_features_scored_exactly(digits):
    X, y = digits
    scores = mutual_info_scores(X, y, discrete_features=True)
    exact = [mutual_info_score(X[:, j], y) for j in range(X.shape[1])]
    np.testing.assert_allclose(scores, exact, atol=1e-12)


def test_continuous_feature_uses_equal_count_bins():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 1600)
    x = y + rng.normal(size=1600)
    equal_count_codes = stats.rankdata(x, method="ordinal").astype(int) - 1
    equal_count_codes = equal_count_codes * 16 // 1600
    expected = mutual_info_score(equal_count_codes, y)
    np.testing.assert_allclose(mutual_info_scores(x[:, None], y), [expected])
    # Bins depend only on ranks: a monotone transform changes nothing.
    np.testing.assert_allclose(mutual_info_scores(np.exp(x)[:, None], y), [expected])


def test_heavily_tied_feature_keeps_its_informative_tail():
    # 90% zeros; in the other rows the value encodes the class. Plain quantile
    # edges would put everything in one bin (score 0).
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 4000)
    tail = rng.random(4000) < 0.1
    x = np.where(tail, y + rng.uniform(0.1, 0.9, 4000), 0.0)
    score = mutual_info_scores(x[:, None], y)[0]
    indicator_only = mutual_info_score(tail, y)
    tail_information = 0.1 * np.log(4)  # 10% of rows reveal the class fully
    assert score > indicator_only + 0.8 * tail_information


def test_binned_ranking_agrees_with_sklearn_on_digits(digits):
    X, y = digits
    ours = mutual_info_scores(X, y)
    theirs = mutual_info_classif(X, y, random_state=0)
    assert stats.spearmanr(ours, theirs).statistic >= 0.9


def test_knn_method_is_sklearns_estimator(digits):
    X, y = digits
    X = X[:500, :20]
    y = y[:500]
    ours = mutual_info_scores(X, y, method="knn", discrete_features=False, random_state=0)
    np.testing.assert_allclose(ours, mutual_info_classif(X, y, random_state=0))


def test_regression_target_detected_and_overridable():
    rng = np.random.default_rng(0)
    y = rng.normal(size=1000)
    X = np.column_stack([y + rng.normal(scale=0.5, size=1000), rng.normal(size=1000)])
    scores = mutual_info_scores(X, y)
    # True MI of the first feature: -log(1 - 0.8) / 2 = 0.80 nats; the second
    # scores only the bias of the 10 x 10 table ("auto" bins for n = 1000),
    # about 9 * 9 / 2000 = 0.04.
    assert scores[0] > 0.6 and scores[1] < 0.1
    # As classes, 1000 distinct values each seen once would score H(x bins)
    # for both features: refused, as sklearn's mutual_info_classif refuses.
    with pytest.raises(ValueError, match="discrete_target=True, but y is continuous"):
        mutual_info_scores(X, y, discrete_target=True)
    # Whole-number floats declared as classes are classes.
    as_classes = mutual_info_scores(X, np.round(y), discrete_target=True)
    assert as_classes[0] > 0.4 and as_classes[1] < 0.1


@pytest.mark.parametrize(
    "n_samples, n_classes, expected", [(1797, 10, 16), (300, 3, 10), (40, 4, 2), (442, None, 6)]
)
def test_auto_bins_aim_at_ten_samples_per_cell(n_samples, n_classes, expected):
    assert _estimators.auto_n_bins(n_samples, n_classes) == expected


def test_float_labels_are_classes(digits):
    X, y = digits
    np.testing.assert_allclose(mutual_info_scores(X, y.astype(float)), mutual_info_scores(X, y))


def test_chunked_counts_equal_one_pass(digits, monkeypatch):
    X, y = digits
    whole = mutual_info_scores(X, y)
    monkeypatch.setattr(_estimators, "_CHUNK_ENTRIES", 5000)
    np.testing.assert_allclose(mutual_info_scores(X, y), whole)


@pytest.mark.filterwarnings("ignore:Clustering metrics expects discrete")
@pytest.mark.parametrize(
    "discrete_features", [[0, 2], np.array([True, False, True, False])]
)
def test_discrete_features_indices_or_mask(discrete_features):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = rng.integers(0, 2, 300)
    # A continuous column declared discrete has 300 values, each seen once:
    # it scores H(y), whatever its relevance, and the selector says so.
    with pytest.warns(UserWarning, match=r"Features \[0, 2\] are declared discrete"):
        scores = mutual_info_scores(X, y, discrete_features=discrete_features)
    np.testing.assert_allclose(scores[[0, 2]], [mutual_info_score(X[:, 0], y)] * 2)
    assert scores[1] < 0.1


@pytest.mark.parametrize(
    "discrete_features, message",
    [([True, False], "one entry per feature"), ([0, 7], r"in \[0, 3\)"), ([0.5], "integer")],
)
def test_bad_discrete_features(discrete_features, message):
    X = np.random.default_rng(0).normal(size=(50, 3))
    with pytest.raises(ValueError, match=message):
        mutual_info_scores(X, np.arange(50) % 2, discrete_features=discrete_features)


def test_bad_parameter_names_the_parameter():
    with pytest.raises(InvalidParameterError, match="'method' parameter"):
        mutual_info_scores(np.ones((4, 2)), [0, 1, 0, 1], method="kde")


# --- noise floor ---------------------------------------------------------------


def test_auto_drops_digit_noise_channels_and_keeps_pixels():
    data = load_digits_channels("noise", random_state=0)
    selector = MutualInfoSelector(random_state=0).fit(data.data, data.target)
    kept = selector.get_support()
    assert not kept[data.added].any()
    # A pixel lit in under 1% of the images (18 of 1797) carries next to nothing.
    informative = (data.data[:, ~data.added] > 0).mean(axis=0) >= 0.01
    assert kept[~data.added][informative].mean() >= 0.9


def test_auto_keeps_weak_features_and_drops_mixed_noise():
    X, y = _weak_and_noise()
    selector = MutualInfoSelector(random_state=0).fit(X, y)
    np.testing.assert_array_equal(selector.get_support(indices=True), [0, 1, 2])


def test_floor_is_per_feature_and_grows_with_cardinality():
    rng = np.random.default_rng(0)
    n, n_classes = 3000, 5
    y = rng.integers(0, n_classes, n)
    X = np.column_stack([rng.integers(0, 2, n), rng.integers(0, 6, n), rng.normal(size=n)])
    selector = MutualInfoSelector(random_state=0).fit(X, y)
    floor = selector.threshold_
    assert floor.shape == (3,)
    assert floor[0] < floor[1] < floor[2]
    # Each floor lies above the bias of pure noise, (codes-1)(classes-1)/(2n).
    bias = (np.array([2, 6, 16]) - 1) * (n_classes - 1) / (2 * n)
    assert np.all(floor > bias)
    assert selector.null_scores_.shape == (20, 3)


def test_pure_noise_keeps_nothing():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.normal(size=(1000, 20)), rng.integers(0, 3, size=(1000, 20))])
    y = rng.integers(0, 4, 1000)
    selector = MutualInfoSelector(min_features=0, random_state=0).fit(X, y)
    assert selector.get_support().sum() == 0


def test_regression_selection_drops_noise_channels():
    X, y = load_diabetes(return_X_y=True)
    X_noisy = add_channels(X, kind="noise", random_state=0)
    kept = MutualInfoSelector(random_state=0).fit(X_noisy, y).get_support()
    assert not kept[10:].any()
    assert kept[:10].sum() >= 6


def test_knn_with_auto_threshold():
    X, y = _weak_and_noise(n_samples=600)
    X = np.column_stack([X[:, :10], y + np.random.default_rng(0).normal(size=600)])
    kept = MutualInfoSelector(method="knn", n_permutations=5, random_state=0).fit(X, y)
    assert kept.get_support()[-1]
    assert not kept.get_support()[3:10].any()


def test_random_state_makes_selection_reproducible():
    X, y = _weak_and_noise(n_samples=500)
    first = MutualInfoSelector(random_state=3).fit(X, y)
    again = MutualInfoSelector(random_state=3).fit(X, y)
    other = MutualInfoSelector(random_state=4).fit(X, y)
    np.testing.assert_array_equal(first.null_scores_, again.null_scores_)
    np.testing.assert_array_equal(first.threshold_, again.threshold_)
    assert not np.array_equal(first.null_scores_, other.null_scores_)


# --- k, fixed threshold and the sklearn API -----------------------------------


def test_k_keeps_top_scores(digits):
    X, y = digits
    selector = MutualInfoSelector(k=10).fit(X, y)
    top = np.sort(np.argsort(-selector.scores_, kind="stable")[:10])
    np.testing.assert_array_equal(selector.get_support(indices=True), top)
    assert selector.threshold_ is None and selector.null_scores_ is None
    assert MutualInfoSelector(k="all").fit(X, y).get_support().all()
    assert not MutualInfoSelector(k=0).fit(X, y).get_support().any()


def test_k_above_n_features_warns_and_keeps_all(digits):
    X, y = digits
    with pytest.warns(UserWarning, match="k=100 is greater than n_features=64"):
        selector = MutualInfoSelector(k=100).fit(X, y)
    assert selector.get_support().all()


def test_fixed_threshold(digits):
    X, y = digits
    selector = MutualInfoSelector(threshold=0.3).fit(X, y)
    assert selector.threshold_ == 0.3
    np.testing.assert_array_equal(selector.get_support(), selector.scores_ > 0.3)


def test_pandas_names_and_set_output():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    signal, noise = y + rng.normal(scale=0.3, size=400), rng.normal(size=400)
    X = pd.DataFrame({"signal": signal, "noise": noise})
    selector = MutualInfoSelector(random_state=0).set_output(transform="pandas")
    out = selector.fit_transform(X, y)
    assert list(out.columns) == ["signal"]
    assert list(selector.get_feature_names_out()) == ["signal"]


def test_tunable_in_pipeline_grid_search(digits):
    X, y = digits
    pipe = Pipeline(
        [("select", MutualInfoSelector(random_state=0)), ("clf", LogisticRegression(max_iter=200))]
    )
    grid = GridSearchCV(
        pipe, {"select__k": [2, 30], "select__threshold": ["auto"]}, cv=3
    ).fit(X[:600] / 16, y[:600])
    assert grid.best_params_["select__k"] == 30


def test_input_not_mutated(digits):
    X, y = digits
    X_before, y_before = X.copy(), y.copy()
    MutualInfoSelector(random_state=0).fit(X, y)
    mutual_info_scores(X, y, method="knn", random_state=0)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


# --- bad input ---------------------------------------------------------------


def test_nan_is_rejected(digits):
    X, y = digits
    X = X.copy()
    X[3, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MutualInfoSelector().fit(X, y)


@pytest.mark.parametrize("y", [np.zeros(50), np.full(50, "cat"), np.full(50, 2.5)])
def test_single_valued_target_is_rejected(y):
    X = np.random.default_rng(0).normal(size=(50, 3))
    with pytest.raises(ValueError, match="at least two values"):
        MutualInfoSelector().fit(X, y)


def test_constant_columns_warn_by_name():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"flat": np.ones(100), "x": rng.normal(size=100)})
    with pytest.warns(UserWarning, match=r"\['flat'\] are constant"):
        selector = MutualInfoSelector(threshold=0.0).fit(X, np.arange(100) % 2)
    assert selector.scores_[0] == 0.0
    assert not selector.get_support()[0]


def test_non_numeric_columns_are_named():
    X = pd.DataFrame({"city": ["a", "b"] * 10, "x": np.arange(20.0)})
    with pytest.raises(TypeError, match=r"\['city'\] are not numeric"):
        MutualInfoSelector().fit(X, np.arange(20) % 2)
    with pytest.raises(TypeError, match="OrdinalEncoder"):
        mutual_info_scores(X, np.arange(20) % 2)


# --- the chapter's experiment ------------------------------------------------


def test_selector_recovers_accuracy_lost_to_noise_channels():
    from skfit import KerasMLPClassifier

    def accuracy(kind, select):
        X, y = load_digits_channels(kind, random_state=0, return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.5, stratify=y, random_state=0
        )
        model = KerasMLPClassifier(epochs=20, validation_fraction=0.0, random_state=0)
        if select:
            model = make_pipeline(MutualInfoSelector(random_state=0), model)
        return model.fit(X_train, y_train).score(X_test, y_test)

    noise, zeros = accuracy("noise", False), accuracy("zeros", False)
    selected = accuracy("noise", True)
    assert zeros - noise > 0.03  # the noise costs accuracy...
    assert selected - noise > 0.6 * (zeros - noise)  # ...and selection wins most back


def test_min_features_keeps_the_best_when_nothing_clears_the_floor():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(300, 6))
    y = rng.randint(0, 2, size=300)  # no feature carries information
    selector = MutualInfoSelector(random_state=0).fit(X, y)
    assert not np.any(selector.scores_ > selector.threshold_)
    np.testing.assert_array_equal(selector.get_support(indices=True), [np.argmax(selector.scores_)])
    empty = MutualInfoSelector(min_features=0, random_state=0).fit(X, y)
    assert not empty.get_support().any()
    three = MutualInfoSelector(min_features=3, random_state=0).fit(X, y)
    assert three.get_support().sum() == 3
