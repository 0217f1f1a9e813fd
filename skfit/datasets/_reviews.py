"""A generated corpus of movie reviews labelled by sentiment, available offline.

The stand-in for IMDB when Keras's cached copy is absent (see
:func:`~skfit.datasets.load_imdb`). How a review is written:

1. Its label is positive or negative (half each) and its *clarity* is drawn
   uniformly in [0, 1]: a clear review is mostly opinion, an unclear one
   mostly plot summary, as in real reviews.
2. Its length in words is log-normal around 170 (IMDB's median is 174),
   between 10 and 1,000.
3. Each word is an opinion word with probability ``0.01 + 0.09 * clarity``,
   otherwise a neutral word. An opinion word has the review's polarity with
   probability ``0.6 + 0.35 * clarity`` and the other polarity otherwise
   ("not bad", "the only good thing..."); a few of the wrong-polarity words
   are preceded by "not".
4. Neutral words follow Zipf's law (frequency proportional to
   ``1 / rank ** 1.1``) over a vocabulary of ``n_words`` words: about 200
   common English words (function words, movie words) first, then generated
   pseudo-words ("balor", "kimesu", ...) for the long tail of rare names and
   words. Opinion words follow Zipf's law within their polarity.

The result has what makes the chapter's IMDB experiment: thousands of
features of which few carry the label, most of them rare enough to create
spurious correlations on a small training set, reviews whose sentiment is
ambiguous, and a linear model that reaches about 0.86 accuracy (5-fold
cross-validation of a logistic regression on 5,000 reviews; a bag-of-words
model reaches about 0.88 on IMDB).
"""

from functools import lru_cache
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ..utils.fixes import Interval, validate_params

POSITIVE = (
    "great good best excellent love loved wonderful beautiful well enjoyed "
    "amazing perfect brilliant fun favorite superb fantastic recommend "
    "enjoyable touching masterpiece moving delightful highly strong charming "
    "powerful clever memorable refreshing stunning hilarious gem outstanding "
    "solid heartwarming beautifully wonderfully terrific compelling unforgettable "
    "engaging captivating"
).split()
NEGATIVE = (
    "bad worst waste awful boring terrible poor stupid dull horrible worse "
    "mess annoying lame ridiculous pointless weak badly disappointing "
    "predictable cheap unfunny laughable pathetic fails failed mediocre "
    "forgettable tedious nonsense clumsy bland dreadful lousy painful "
    "unwatchable incoherent wasted embarrassing insult garbage amateurish "
    "redeeming"
).split()
COMMON = (
    "the a and of to is in it this that i was as with for movie but film on "
    "not you are his have he be one all at by an they who so from like her "
    "just about out if has some there what more when very she up time even "
    "my can which only really see story their had were me we would much "
    "other people do also how first most its been make could any into get "
    "characters after films character then two seen watch because plot "
    "acting made think way too movies life scene many know did while where "
    "scenes end show little something over years still better watching real "
    "does here ever actors why director back thing man though makes these "
    "go say through actually another old cast work doesn't nothing going "
    "new part few both look lot same find fact world point us before role "
    "every series long quite day things want horror performance comedy "
    "script again young seems pretty action music"
).split()
_SYLLABLES = (
    "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo "
    "mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi "
    "vo vu za ze zi zo zu"
).split()
_ENDINGS = ["", "n", "r", "s", "l", "x"]


def _vocabulary(n_words):
    """The ``n_words`` neutral words: common words, then pseudo-words."""
    return np.array(_words(n_words), dtype=object)


@lru_cache(maxsize=4)
def _words(n_words):
    """The pseudo-words (two to four syllables and an ending) come from a
    fixed seed, so the vocabulary depends on ``n_words`` only."""
    words = list(COMMON[:n_words])
    seen = set(words) | set(POSITIVE) | set(NEGATIVE)
    rng = np.random.RandomState(0)
    while len(words) < n_words:
        syllables = rng.choice(_SYLLABLES, size=rng.randint(2, 5))
        word = "".join(syllables) + _ENDINGS[rng.randint(len(_ENDINGS))]
        if word not in seen:
            seen.add(word)
            words.append(word)
    return tuple(words)


def _zipf(n, exponent):
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


@validate_params(
    {
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "n_words": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_reviews(n_samples=2000, *, n_words=20000, random_state=None):
    """Generate movie reviews labelled positive (1) or negative (0).

    An offline stand-in for the IMDB reviews of the chapter's experiment,
    made by a documented generative process (see
    ``skfit.datasets._reviews``): half the reviews positive, lengths
    around 170 words, opinion words more or less frequent and more or less
    consistent with the label depending on each review's clarity, and a
    Zipf-distributed vocabulary whose long tail is rare words. The texts feed
    ``CountVectorizer(binary=True)``, the chapter's multi-hot encoding.

    Parameters
    ----------
    n_samples : int, default=2000
        Number of reviews (at least 2).
    n_words : int, default=20000
        Size of the neutral vocabulary (common words, then generated
        pseudo-words); the 104 opinion words come on top.
    random_state : int, RandomState instance or None, default=None
        Seeds the labels and the texts; an int gives the same corpus on
        every call.

    Returns
    -------
    texts : list of str of length n_samples
        The reviews, lower-case words separated by spaces.
    y : ndarray of shape (n_samples,), dtype=int64
        1 for a positive review, 0 for a negative one.

    See Also
    --------
    load_imdb : The real reviews, from Keras's cache.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from skfit.datasets import make_reviews
    >>> texts, y = make_reviews(n_samples=100, random_state=0)
    >>> len(texts), int(y.sum())
    (100, 50)
    >>> texts[0][:40]
    'bad senebun the bezuvil a the the vuzex '
    >>> X = CountVectorizer(binary=True).fit_transform(texts)
    >>> X.format, X.max()
    ('csr', np.int64(1))
    """
    rng = check_random_state(random_state)
    y = rng.permutation(np.arange(n_samples) % 2)
    clarity = rng.uniform(size=n_samples)
    lengths = np.clip(np.round(rng.lognormal(np.log(170), 0.6, n_samples)), 10, 1000)
    lengths = lengths.astype(np.int64)
    review = np.repeat(np.arange(n_samples), lengths)
    words = _vocabulary(n_words)[rng.choice(n_words, size=review.size, p=_zipf(n_words, 1.1))]
    is_opinion = rng.uniform(size=review.size) < 0.01 + 0.09 * clarity[review]
    review = review[is_opinion]
    agrees = rng.uniform(size=review.size) < 0.6 + 0.35 * clarity[review]
    polarity = np.where(agrees, y[review], 1 - y[review])
    chosen = np.empty(review.size, dtype=object)
    for p, opinion in enumerate((NEGATIVE, POSITIVE)):
        own = polarity == p
        chosen[own] = np.array(opinion, dtype=object)[
            rng.choice(len(opinion), size=own.sum(), p=_zipf(len(opinion), 1.0))
        ]
    negated = ~agrees & (rng.uniform(size=review.size) < 0.3)
    chosen[negated] = [f"not {word}" for word in chosen[negated]]
    words[is_opinion] = chosen
    texts = [" ".join(words[end - n : end]) for end, n in zip(np.cumsum(lengths), lengths)]
    return texts, y.astype(np.int64)
