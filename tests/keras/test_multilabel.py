"""Multilabel y (a 0/1 indicator matrix), as scikit-learn's MLPClassifier takes it."""

import keras
import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier

from skfit import KerasClassifier, KerasMLPClassifier


@pytest.fixture(scope="module")
def multilabel():
    X, Y = make_multilabel_classification(n_samples=400, n_features=20, n_classes=5, random_state=0)
    return X / X.max(), Y


def test_mlp_predicts_an_indicator_matrix_and_label_probabilities(multilabel):
    X, Y = multilabel
    clf = KerasMLPClassifier((32,), epochs=60, learning_rate=1e-2, random_state=0).fit(X, Y)
    np.testing.assert_array_equal(clf.classes_, np.arange(5))
    proba = clf.predict_proba(X)
    assert proba.shape == (400, 5) and np.all((proba >= 0) & (proba <= 1))
    predicted = clf.predict(X)
    assert predicted.shape == (400, 5) and set(np.unique(predicted)) <= {0, 1}
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))
    assert set(clf.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    # score is sklearn's subset accuracy, as for MLPClassifier
    assert clf.score(X, Y) == np.mean(np.all(predicted == Y, axis=1))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cross_validation_matches_sklearns_mlp(multilabel):
    X, Y = multilabel
    f1 = make_scorer(f1_score, average="samples", zero_division=0)
    ours = cross_val_score(
        KerasMLPClassifier((64,), epochs=100, learning_rate=3e-3, random_state=0), X, Y, cv=3,
        scoring=f1,
    )  # fmt: skip
    sklearns = cross_val_score(MLPClassifier(random_state=0, max_iter=500), X, Y, cv=3, scoring=f1)
    assert ours.mean() > sklearns.mean() - 0.05


def test_user_model_with_sigmoid_outputs(multilabel):
    X, Y = multilabel

    def build(n_features_in, n_outputs):
        return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(16, activation="relu"),
                                 keras.layers.Dense(n_outputs, activation="sigmoid")])  # fmt: skip

    clf = KerasClassifier(build, epochs=40, learning_rate=1e-2, random_state=0).fit(X, Y)
    assert clf.predict(X).shape == Y.shape
    assert f1_score(Y, clf.predict(X), average="samples", zero_division=0) > 0.6


def test_bad_multilabel_targets_are_clear_errors(multilabel, no_training):
    X, Y = multilabel
    with pytest.raises(ValueError, match="at least 2 classes"), pytest.warns(DataConversionWarning):
        KerasMLPClassifier().fit(X, np.ones((len(X), 1)))
    with pytest.raises(ValueError, match="multiclass-multioutput.*MultiOutputClassifier"):
        KerasMLPClassifier().fit(X, np.column_stack([np.arange(400) % 3, np.arange(400) % 4]))
    with pytest.raises(ValueError, match="class_weight.*not supported for a multilabel y"):
        KerasMLPClassifier(class_weight="balanced").fit(X, Y)


def test_user_model_of_the_wrong_width_is_refused(multilabel, no_training):
    X, Y = multilabel

    def wrong(n_features_in):
        return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(3, activation="sigmoid")])

    with pytest.raises(ValueError, match="y has 5 labels: its last layer needs 5 sigmoid units"):
        KerasClassifier(wrong).fit(X, Y)
