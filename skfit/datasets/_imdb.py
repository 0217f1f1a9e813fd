"""The IMDB movie reviews of the chapter, as texts, from Keras's local cache."""

import json
import os
import warnings
from numbers import Integral

import numpy as np

from ..utils.fixes import Interval, validate_params
from ._keras_cache import keras_cache_path, load_npz, missing_file_error

# keras.datasets.imdb.load_data shuffles each part with this seed; the same
# order here gives the same reviews in the same rows as the book's code.
_KERAS_SEED = 113


@validate_params(
    {
        "path": [None, str, os.PathLike],
        "num_words": [None, Interval(Integral, 1, None, closed="left")],
        "word_index_path": [None, str, os.PathLike],
    },
    prefer_skip_nested_validation=True,
)
def load_imdb(path=None, *, num_words=None, word_index_path=None):
    """Load the IMDB reviews from Keras's local cache, as texts; never downloads.

    The 25,000 training and 25,000 test reviews of
    ``keras.datasets.imdb.load_data``, labelled positive (1) or negative
    (0), in the same order (Keras shuffles each part with seed 113). Each
    review is returned as a text, its words separated by spaces, so that it
    feeds scikit-learn's text tools: ``CountVectorizer(binary=True)`` gives
    the chapter's multi-hot encoding as a sparse matrix, and
    ``num_words=10000`` keeps the chapter's vocabulary.

    Parameters
    ----------
    path : str, path-like or None, default=None
        A copy of ``imdb.npz`` (ragged arrays ``x_train``, ``x_test`` of word
        ranks, labels ``y_train``, ``y_test``). None looks where
        ``keras.datasets.imdb.load_data()`` caches it:
        ``$KERAS_HOME/datasets/imdb.npz``, by default
        ``~/.keras/datasets/imdb.npz``.
    num_words : int or None, default=None
        Keep only the ``num_words`` most frequent words (ranks 1 to
        ``num_words``); rarer words are left out of the texts. None keeps
        all. Keras's ``num_words`` counts three reserved indices, so its
        10000 keeps the 9,997 most frequent words.
    word_index_path : str, path-like or None, default=None
        A copy of ``imdb_word_index.json`` (word -> rank), which turns ranks
        into words. None looks for it next to ``imdb.npz``. When it is
        absent the words are written by rank (``"w1 w14 w22"``, ``w1`` the
        most frequent word, "the"), with a warning: the texts still feed
        ``CountVectorizer``, only the feature names are lost.

    Returns
    -------
    (texts_train, y_train), (texts_test, y_test) : tuple of tuples
        Lists of 25,000 review texts each and their labels (int64 arrays).

    Raises
    ------
    FileNotFoundError
        When ``imdb.npz`` is absent, with how to download it once.
    ValueError
        When the file is not Keras's ``imdb.npz``.

    See Also
    --------
    make_reviews : A generated corpus of reviews, available offline.
    load_mnist : MNIST from the same cache.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from skfit.datasets import load_imdb
    >>> (texts_train, y_train), (texts_test, y_test) = load_imdb(
    ...     num_words=10000)  # doctest: +SKIP
    >>> texts_train[0][:48]  # doctest: +SKIP
    'this film was just brilliant casting location sc'
    >>> vectorizer = CountVectorizer(binary=True)
    >>> X_train = vectorizer.fit_transform(texts_train)  # doctest: +SKIP
    >>> X_train.shape  # doctest: +SKIP
    (25000, 9952)
    """
    path = os.fspath(path) if path is not None else keras_cache_path("imdb.npz")
    if not os.path.isfile(path):
        raise missing_file_error(
            "IMDB", path, "keras.datasets.imdb.load_data(); keras.datasets.imdb.get_word_index()"
        )
    arrays = load_npz(
        path, ["x_train", "y_train", "x_test", "y_test"], "Keras's imdb.npz", objects=True
    )
    if word_index_path is None:
        word_index_path = os.path.join(os.path.dirname(path), "imdb_word_index.json")
    words = _words_by_rank(os.fspath(word_index_path), arrays)
    rng = np.random.RandomState(_KERAS_SEED)
    parts = []
    for x, y in (("x_train", "y_train"), ("x_test", "y_test")):
        order = np.arange(len(arrays[x]))
        rng.shuffle(order)
        texts = [_text(arrays[x][i], words, num_words) for i in order]
        parts.append((texts, np.asarray(arrays[y], dtype=np.int64)[order]))
    return tuple(parts)


def _words_by_rank(word_index_path, arrays):
    """Array whose entry ``r`` is the word of rank ``r`` (``"w<r>"`` if unknown)."""
    largest = max(
        (max(review, default=0) for x in ("x_train", "x_test") for review in arrays[x]),
        default=0,
    )
    words = np.array([f"w{rank}" for rank in range(largest + 1)], dtype=object)
    if not os.path.isfile(word_index_path):
        warnings.warn(
            f"The IMDB word index is not cached at {word_index_path!r}: words "
            "are written by rank (w1 is the most frequent). Cache it once with "
            'python -c "import keras; keras.datasets.imdb.get_word_index()".',
            UserWarning,
        )
        return words
    with open(word_index_path, encoding="utf-8") as file:
        try:
            index = json.load(file)
        except json.JSONDecodeError as error:
            index = error
    if not isinstance(index, dict):
        raise ValueError(
            f"{word_index_path!r} is not Keras's imdb_word_index.json (a JSON "
            f"object of word -> rank): {index!r:.80}."
        )
    for word, rank in index.items():
        if isinstance(rank, int) and 0 < rank <= largest:
            words[rank] = word
    return words


def _text(ranks, words, num_words):
    ranks = np.asarray(ranks, dtype=np.int64)
    if num_words is not None:
        ranks = ranks[ranks <= num_words]
    return " ".join(words[ranks])
