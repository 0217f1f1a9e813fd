"""Tests for load_imdb (on small fake Keras caches) and make_reviews."""

import json
import os
import pickle
from fractions import Fraction

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from skfit.datasets import load_imdb, load_mnist, make_reviews
from skfit.datasets import _keras_cache
from skfit.utils.fixes import InvalidParameterError

WORDS = {"the": 1, "film": 2, "was": 3, "great": 4, "awful": 5, "plot": 6}


def _ragged(reviews):
    array = np.empty(len(reviews), dtype=object)
    array[:] = [list(review) for review in reviews]
    return array


def _write_fake_imdb(folder, word_index=True):
    """A Keras-format imdb.npz of 6 + 4 reviews (word ranks) and its word index."""
    os.makedirs(folder, exist_ok=True)
    x_train = _ragged([[1, 2, 3, 4], [1, 2, 3, 5], [6, 3, 4], [6, 5], [2, 4, 4], [7, 1]])
    x_test = _ragged([[2, 3, 4], [2, 5], [1, 6, 3, 5], [4]])
    np.savez(
        folder / "imdb.npz",
        x_train=x_train,
        y_train=np.array([1, 0, 1, 0, 1, 0]),
        x_test=x_test,
        y_test=np.array([1, 0, 0, 1]),
    )
    if word_index:
        (folder / "imdb_word_index.json").write_text(json.dumps(WORDS))
    return x_train, x_test


def _keras_order(n_train, n_test):
    """The rows keras.datasets.imdb.load_data takes, in its order (seed 113)."""
    rng = np.random.RandomState(113)
    train, test = np.arange(n_train), np.arange(n_test)
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def _decode(review):
    by_rank = {rank: word for word, rank in WORDS.items()}
    return " ".join(by_rank.get(rank, f"w{rank}") for rank in review)


def test_load_imdb_reads_the_keras_cache_as_texts(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    x_train, x_test = _write_fake_imdb(tmp_path / "datasets")
    (texts_train, y_train), (texts_test, y_test) = load_imdb()
    train_order, test_order = _keras_order(6, 4)
    assert texts_train == [_decode(x_train[i]) for i in train_order]
    assert texts_test == [_decode(x_test[i]) for i in test_order]
    np.testing.assert_array_equal(y_train, np.array([1, 0, 1, 0, 1, 0])[train_order])
    np.testing.assert_array_equal(y_test, np.array([1, 0, 0, 1])[test_order])
    assert y_train.dtype == np.int64
    assert "w7 the" in texts_train  # a rank beyond the word index keeps its rank
    # The chapter's multi-hot input, in scikit-learn form.
    X = CountVectorizer(binary=True).fit_transform(texts_train)
    assert X.shape[0] == 6 and X.max() == 1


def test_num_words_keeps_the_most_frequent_words(tmp_path):
    _write_fake_imdb(tmp_path)
    (texts_train, _), (texts_test, _) = load_imdb(tmp_path / "imdb.npz", num_words=3)
    vocabulary = set(" ".join(texts_train + texts_test).split())
    assert vocabulary == {"the", "film", "was"}


def test_without_the_word_index_words_are_ranks(tmp_path):
    _write_fake_imdb(tmp_path, word_index=False)
    with pytest.warns(UserWarning, match="word index is not cached"):
        (texts_train, _), _ = load_imdb(str(tmp_path / "imdb.npz"))
    assert all(word.startswith("w") for word in " ".join(texts_train).split())
    assert CountVectorizer(binary=True).fit_transform(texts_train).shape[0] == 6


def test_missing_cache_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as error:
        load_imdb()
    message = str(error.value)
    assert str(tmp_path / "datasets" / "imdb.npz") in message
    assert "keras.datasets.imdb.load_data()" in message
    assert "get_word_index()" in message and "never downloads" in message


def test_default_cache_is_under_the_home_folder(monkeypatch):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    path = _keras_cache.keras_cache_path("imdb.npz")
    assert path == os.path.join(os.path.expanduser("~"), ".keras", "datasets", "imdb.npz")


def test_a_file_that_is_not_imdb_is_refused(tmp_path):
    np.savez(tmp_path / "other.npz", x_train=np.zeros(3))
    with pytest.raises(ValueError, match=r"lacks the arrays \['x_test', 'y_test', 'y_train'\]"):
        load_imdb(tmp_path / "other.npz")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ValueError, match="is not Keras's imdb.npz"):
        load_imdb(tmp_path / "text.npz")
    _write_fake_imdb(tmp_path)
    (tmp_path / "imdb_word_index.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="is not Keras's imdb_word_index.json"):
        load_imdb(tmp_path / "imdb.npz")


def test_objects_other_than_arrays_are_never_unpickled(tmp_path):
    evil = np.empty(2, dtype=object)
    evil[:] = [Fraction(1, 3), [1, 2]]  # unpickling it would import fractions.Fraction
    np.savez(tmp_path / "imdb.npz", x_train=evil, y_train=np.zeros(2),
             x_test=evil, y_test=np.zeros(2))  # fmt: skip
    with pytest.raises(ValueError, match="refusing to load fractions.Fraction"):
        load_imdb(tmp_path / "imdb.npz")


def test_the_reader_agrees_with_keras_own(tmp_path):
    from keras.src.datasets import npz_utils

    _write_fake_imdb(tmp_path)
    names = ["x_train", "y_train", "x_test", "y_test"]
    ours = _keras_cache.load_npz(str(tmp_path / "imdb.npz"), names, "imdb", objects=True)
    theirs = npz_utils.load_npz(str(tmp_path / "imdb.npz"))
    for name in names:
        assert [np.asarray(r).tolist() for r in ours[name]] == [
            np.asarray(r).tolist() for r in theirs[name]
        ]
    assert pickle.dumps(ours["x_train"]) == pickle.dumps(theirs["x_train"])


def test_bad_parameters_are_named():
    with pytest.raises(InvalidParameterError, match="'num_words' parameter"):
        load_imdb(num_words=0)
    with pytest.raises(InvalidParameterError, match="'n_samples' parameter"):
        make_reviews(n_samples=1)


def test_load_mnist_refuses_objects(tmp_path):
    objects = np.empty((1, 28, 28), dtype=object)
    np.savez(tmp_path / "mnist.npz", x_train=objects, y_train=np.zeros(1),
             x_test=objects, y_test=np.zeros(1))  # fmt: skip
    with pytest.raises(ValueError, match="holds Python objects where numbers were expected"):
        load_mnist(tmp_path / "mnist.npz")


# --- make_reviews --------------------------------------------------------------


@pytest.fixture(scope="module")
def reviews():
    return make_reviews(n_samples=1500, random_state=0)


def test_reviews_are_reproducible_and_balanced(reviews):
    texts, y = reviews
    again, y_again = make_reviews(n_samples=1500, random_state=0)
    assert texts == again and np.array_equal(y, y_again)
    assert texts != make_reviews(n_samples=1500, random_state=1)[0]
    assert y.sum() == 750 and set(y) == {0, 1}


def test_reviews_look_like_reviews(reviews):
    texts, _ = reviews
    lengths = np.array([len(text.split()) for text in texts])
    assert 140 < np.median(lengths) < 200 and lengths.min() >= 10
    counts = CountVectorizer().fit(texts)
    frequency = np.asarray(counts.transform(texts).sum(axis=0)).ravel()
    ranked = np.sort(frequency)[::-1]
    # Zipf's law: the 10th most frequent word about 10 times rarer than the first.
    assert 5 < ranked[0] / ranked[9] < 20
    # A long tail of rare words: most of the vocabulary is seen in few reviews.
    assert np.mean(frequency <= 3) > 0.4


def test_reviews_are_learnable_but_not_trivially(reviews):
    texts, y = reviews
    model = make_pipeline(CountVectorizer(binary=True), LogisticRegression(max_iter=1000))
    accuracy = cross_val_score(model, texts, y, cv=3).mean()
    baseline = cross_val_score(DummyClassifier(), texts, y, cv=3).mean()
    assert baseline == pytest.approx(0.5, abs=0.01)
    assert 0.75 < accuracy < 0.95
