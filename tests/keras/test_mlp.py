import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, check_cv
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skfit import KerasMLPClassifier, KerasMLPRegressor, build_mlp
from skfit.keras._mlp import ACTIVATIONS
from skfit.utils.fixes import op_determinism_enabled


def test_tags_make_cross_validation_stratified():
    clf = KerasMLPClassifier()
    assert is_classifier(clf) and not is_regressor(clf)
    assert is_regressor(KerasMLPRegressor())
    y = np.repeat([0, 1], 10)
    assert isinstance(check_cv(5, y, classifier=is_classifier(clf)), StratifiedKFold)


def test_multiclass_string_labels_and_probabilities(small_digits):
    X, y = small_digits
    labels = np.array([f"digit-{d}" for d in y])
    clf = KerasMLPClassifier(epochs=15, learning_rate=1e-2, random_state=0).fit(X, labels)
    assert list(clf.classes_) == sorted(set(labels))
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, labels) > 0.85


def test_binary_classification(small_digits):
    X, y = small_digits
    y_binary = np.where(y < 5, "low", "high")
    clf = KerasMLPClassifier(epochs=10, learning_rate=1e-2, random_state=0).fit(X, y_binary)
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.score(X, y_binary) > 0.85


@pytest.mark.parametrize("n_targets", [1, 3])
def test_regression_single_and_multi_output(n_targets):
    X, y = make_regression(n_samples=300, n_features=8, n_targets=n_targets, random_state=0)
    y = y / np.std(y)
    reg = KerasMLPRegressor(epochs=40, batch_size=32, learning_rate=1e-2, random_state=0)
    reg.fit(X, y)
    assert reg.predict(X).shape == y.shape
    assert reg.score(X, y) > 0.8
    assert reg.n_outputs_ == n_targets


def test_history_and_epoch_attributes(small_digits):
    X, y = small_digits
    clf = KerasMLPClassifier(epochs=7, random_state=0).fit(X, y)
    assert set(clf.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 7 for values in clf.history_.values())
    assert clf.n_epochs_ == 7
    assert clf.best_epoch_ == int(np.argmin(clf.history_["val_loss"])) + 1
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]
    no_val = KerasMLPClassifier(epochs=3, validation_fraction=0.0, random_state=0).fit(X, y)
    assert set(no_val.history_) == {"loss", "accuracy"}


def test_validation_split_is_shuffled_and_stratified():
    y = np.repeat(np.arange(5), 40)  # sorted by class, as the chapter warns
    clf = KerasMLPClassifier(validation_fraction=0.2)
    clf.classes_, clf._multilabel = np.unique(y), False
    train, val = clf._validation_split(y, seed=0)
    assert len(val) == 40 and len(np.intersect1d(train, val)) == 0
    np.testing.assert_array_equal(np.bincount(y[val]), [8] * 5)


def test_same_seed_same_predictions_different_seed_differs(small_digits):
    X, y = small_digits
    params = dict(epochs=3, dropout=0.2, random_state=3)
    first = KerasMLPClassifier(**params).fit(X, y).predict_proba(X)
    again = KerasMLPClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    other = KerasMLPClassifier(**{**params, "random_state": 4}).fit(X, y).predict_proba(X)
    assert not np.allclose(first, other)


def test_unseeded_fit_after_seeded_fit(small_digits):
    """scikeras leaves op determinism on after a seeded fit; skfit must not."""
    X, y = small_digits
    KerasMLPClassifier(epochs=1, random_state=0).fit(X, y)
    assert not op_determinism_enabled()
    a = KerasMLPClassifier(epochs=2, dropout=0.3).fit(X, y).predict_proba(X)
    b = KerasMLPClassifier(epochs=2, dropout=0.3).fit(X, y).predict_proba(X)
    assert not np.allclose(a, b)
    # and no global numpy seed was touched
    state = np.random.get_state()[1].copy()
    KerasMLPClassifier(epochs=1, random_state=0).fit(X, y)
    np.testing.assert_array_equal(state, np.random.get_state()[1])


def test_pickle_and_joblib_roundtrip_predict_identically(small_digits, tmp_path):
    X, y = small_digits
    clf = KerasMLPClassifier(epochs=2, random_state=0).fit(X, y)
    expected = clf.predict_proba(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), expected)
    joblib.dump(clf, tmp_path / "clf.joblib")
    loaded = joblib.load(tmp_path / "clf.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    assert loaded.history_ == clf.history_


def test_numpy_predict_matches_keras_model(small_digits):
    X, y = small_digits
    for activation in sorted(ACTIVATIONS):
        clf = KerasMLPClassifier((16, 8), activation=activation, epochs=1, random_state=0)
        clf.fit(X, y)
        keras_proba = clf.model_.predict_on_batch(X.astype(np.float32))
        np.testing.assert_allclose(clf.predict_proba(X), keras_proba, atol=2e-5, err_msg=activation)
        # float32 X: computed in float32 (every activation), X left as it was
        X32 = X.astype(np.float32)
        proba32 = clf.predict_proba(X32)
        assert proba32.dtype == np.float32, activation
        np.testing.assert_array_equal(X32, X.astype(np.float32))
        np.testing.assert_allclose(proba32, keras_proba, atol=2e-5, err_msg=activation)


def test_large_inputs_are_predicted_in_blocks_that_agree_with_the_keras_model(small_digits):
    import scipy.sparse as sp

    from skfit.keras._mlp import _ROWS_PER_BLOCK

    X, y = small_digits
    clf = KerasMLPClassifier((16,), epochs=1, random_state=0).fit(X, y)
    reg = KerasMLPRegressor((16,), epochs=1, random_state=0).fit(X, y.astype(float))
    rows = np.random.default_rng(0).integers(0, len(X), size=2 * _ROWS_PER_BLOCK + 7)
    big = X[rows]  # three blocks, the last of 7 rows
    keras_proba = clf.model_.predict_on_batch(big.astype(np.float32))
    for given in (big, big.astype(np.float32), sp.csr_matrix(big), sp.coo_matrix(big)):
        proba = clf.predict_proba(given)
        assert proba.shape == (len(rows), len(clf.classes_))
        np.testing.assert_allclose(proba, keras_proba, atol=2e-5)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    pieces = np.concatenate([reg.predict(big[i : i + 1000]) for i in range(0, len(big), 1000)])
    np.testing.assert_allclose(reg.predict(big), pieces, rtol=1e-12)


def test_build_mlp_layers():
    model = build_mlp(4, 2, (3,), output_activation="sigmoid")
    assert [layer.units for layer in model.layers] == [3, 2]
    assert model.layers[-1].activation.__name__ == "sigmoid"


def test_model_reflects_capacity_and_regularization(small_digits):
    X, y = small_digits
    logistic = KerasMLPClassifier(hidden_layer_sizes=(), epochs=1, random_state=0).fit(X, y)
    assert [type(layer).__name__ for layer in logistic.model_.layers] == ["Dense"]
    clf = KerasMLPClassifier((8, 4), dropout=0.5, l2=1e-3, epochs=1, random_state=0).fit(X, y)
    names = [type(layer).__name__ for layer in clf.model_.layers]
    assert names == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert clf.model_.layers[0].kernel_regularizer.l2 == pytest.approx(1e-3)
    assert clf.model_.layers[1].rate == 0.5


def test_l2_penalty_enters_the_training_loss(small_digits):
    X, y = small_digits
    plain = KerasMLPClassifier(epochs=1, random_state=0).fit(X, y)
    penalized = KerasMLPClassifier(epochs=1, l2=0.1, random_state=0).fit(X, y)
    assert penalized.history_["loss"][0] > plain.history_["loss"][0] + 0.1


def test_early_stopping_restores_best_epoch_weights(small_digits):
    X, y = small_digits
    params = dict(hidden_layer_sizes=(128,), learning_rate=3e-2, batch_size=32, random_state=0)
    stopped = KerasMLPClassifier(epochs=60, early_stopping=True, patience=3, **params).fit(X, y)
    assert stopped.n_epochs_ < 60
    assert stopped.n_epochs_ == stopped.best_epoch_ + 3
    # Training is deterministic per epoch, so a run of best_epoch_ epochs
    # ends on exactly the weights early stopping restored.
    short = KerasMLPClassifier(epochs=stopped.best_epoch_, **params).fit(X, y)
    np.testing.assert_allclose(stopped.predict_proba(X), short.predict_proba(X), atol=1e-6)


def test_grid_search_over_pipeline_parameters(small_digits):
    X, y = small_digits
    pipe = Pipeline([("scale", StandardScaler()), ("clf", KerasMLPClassifier(epochs=3))])
    grid = {
        "clf__hidden_layer_sizes": [(8,), (16, 8)],
        "clf__dropout": [0.0, 0.2],
        "clf__learning_rate": [1e-2],
        "clf__random_state": [0],
    }
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.named_steps["clf"].hidden_layer_sizes in [(8,), (16, 8)]
    assert search.score(X, y) > 0.5


def test_clone_keeps_parameters_unchanged():
    sizes = [32, 16]
    clf = KerasMLPClassifier(hidden_layer_sizes=sizes, class_weight={0: 2.0})
    cloned = clone(clf)
    assert cloned.get_params() == clf.get_params()
    assert clf.hidden_layer_sizes is sizes


def test_pandas_input_keeps_feature_names(small_digits):
    X, y = small_digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    clf = KerasMLPClassifier(epochs=1, random_state=0).fit(frame, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    assert clf.predict(frame).shape == (len(frame),)


def test_sample_weight_and_class_weight_are_honoured(small_digits):
    X, y = small_digits
    params = dict(epochs=10, learning_rate=1e-2, validation_fraction=0.0, random_state=0)
    base = KerasMLPClassifier(**params).fit(X, y)
    weights = np.where(y == 3, 0.0, 1.0)
    unweighted_3 = np.mean(base.predict(X[y == 3]) == 3)
    zeroed = KerasMLPClassifier(**params).fit(X, y, sample_weight=weights)
    assert np.mean(zeroed.predict(X[y == 3]) == 3) < unweighted_3 - 0.5
    favoured = KerasMLPClassifier(class_weight={3: 50.0}, **params).fit(X, y)
    assert np.sum(favoured.predict(X) == 3) > np.sum(base.predict(X) == 3)


def test_fit_does_not_mutate_inputs(small_digits):
    X, y = small_digits
    X_copy, y_copy = X.copy(), y.copy()
    weights = np.ones(len(y))
    class_weight = {0: 2.0}
    KerasMLPClassifier(epochs=1, class_weight=class_weight, random_state=0).fit(
        X, y, sample_weight=weights
    )
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(weights, 1.0)
    assert class_weight == {0: 2.0}


def test_diverging_training_warns(small_digits):
    X, y = small_digits
    with pytest.warns(RuntimeWarning, match="learning_rate"):
        KerasMLPRegressor(epochs=5, learning_rate=1e6, optimizer="sgd", random_state=0).fit(
            X, y * 1e6
        )


def test_verbose_prints_epochs(small_digits, capsys):
    X, y = small_digits
    KerasMLPClassifier(epochs=2, verbose=1, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "val_loss" in out
