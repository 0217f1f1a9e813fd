"""Mutual-information feature scores and a selector that estimates its own noise floor."""

import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
from scipy import sparse, stats
from sklearn.base import BaseEstimator
from sklearn.feature_selection import SelectorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, check_X_y

from ..utils.fixes import Interval, StrOptions, _fit_context, validate_data, validate_params
from ._estimators import make_scoring, resolve_discrete_features
from ..utils.validation import check_target
from ._validation import check_features, warn_features

# float32 input (e.g. MNIST) is scored as is, without a float64 copy.
_FLOAT_DTYPES = (np.float64, np.float32)
# Sparse formats kept as they are (any other is converted to CSR).
_SPARSE_FORMATS = ("csr", "csc")


def _check_X_y(X, y, validate):
    """Check the features and the target, then validate them with ``validate``.

    ``validate`` is :func:`~sklearn.utils.check_X_y` or an estimator's
    ``validate_data``; numeric sparse input keeps its dtype (see
    :func:`_x_dtype`). Checking a sum of huge finite values may overflow
    inside scikit-learn; those overflows are not the user's concern.
    """
    check_features(X)
    if y is not None:
        y = check_target(y)
    with np.errstate(over="ignore", invalid="ignore"):
        return validate(X, y, accept_sparse=_SPARSE_FORMATS, dtype=_x_dtype(X))


def _x_dtype(X):
    """Dtype to validate ``X`` with: a numeric sparse matrix keeps its own.

    Bag-of-words counts arrive as sparse int64; the codes only need their
    order, so a float copy of the whole matrix would only cost memory.
    """
    if sparse.issparse(X) and X.dtype.kind in "biuf":
        return None
    return _FLOAT_DTYPES

_SCORING_CONSTRAINTS = {
    "method": [StrOptions({"binned", "knn"})],
    "n_bins": [StrOptions({"auto"}), Interval(Integral, 2, None, closed="left")],
    "discrete_features": [StrOptions({"auto"}), "boolean", "array-like"],
    "discrete_target": [StrOptions({"auto"}), "boolean"],
    "n_neighbors": [Interval(Integral, 1, None, closed="left")],
}


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        **_SCORING_CONSTRAINTS,
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def mutual_info_scores(
    X,
    y,
    *,
    method="binned",
    n_bins="auto",
    discrete_features="auto",
    discrete_target="auto",
    n_neighbors=3,
    random_state=None,
):
    """Estimate the mutual information between each feature and the target.

    Mutual information measures how much knowing a feature tells about the
    target, for any kind of dependence (not only linear); the chapter's
    way to score a feature's usefulness before keeping it.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Numeric features, without missing values. A sparse matrix (CSR,
        CSC, any other ``scipy.sparse`` matrix or array) is scored from its
        nonzero entries, never densified with ``method="binned"``.
    y : array-like of shape (n_samples,)
        Class labels or a continuous target. Missing labels (None, NaN,
        ``pd.NA``) and labels mixing numbers and strings raise an error
        naming the first such row.
    method : {"binned", "knn"}, default="binned"
        ``"binned"``: plug-in estimate on quantile bins, computed for all
        features at once (fast; biased upward by about
        ``(n_codes - 1) * (n_classes - 1) / (2 * n_samples)`` on pure
        noise). ``"knn"``: scikit-learn's k-nearest-neighbour estimator
        (:func:`~sklearn.feature_selection.mutual_info_classif` or
        :func:`~sklearn.feature_selection.mutual_info_regression`).
    n_bins : int or "auto", default="auto"
        Number of near-equal-count bins for a continuous feature (and, with
        ``method="binned"``, for a continuous target). ``"auto"``: about ten
        samples per cell of the feature-by-target table, between 2 and 16
        bins (16 from 160 samples per class, or from 2560 samples for a
        continuous target). A column holding at most ``n_bins`` distinct
        values counts as discrete under ``discrete_features="auto"``.
    discrete_features : "auto", bool or array-like, default="auto"
        Which features are discrete, i.e. scored exactly by their own
        values: ``"auto"`` (those with at most ``n_bins`` distinct values),
        ``True``/``False`` for all, a boolean mask or column indices. A
        feature declared discrete whose values are mostly distinct warns: it
        would score about the entropy of ``y`` whatever its relevance.
    discrete_target : "auto" or bool, default="auto"
        Whether ``y`` holds class labels (classification) or a continuous
        quantity (regression). ``"auto"``: strings, booleans and categories
        are labels; a float ``y`` is discrete when its values are whole
        numbers and at most 16 distinct ones; an integer ``y`` is discrete
        unless it has more than 16 distinct values and most of them are
        distinct (prices, counts). ``True`` on non-integer floats raises a
        ValueError, as :func:`~sklearn.feature_selection.mutual_info_classif`
        does (each value would be a class of its own and every feature would
        score its own entropy); ``True`` on labels most of which occur once
        warns for the same reason; ``False`` on text labels raises.
    n_neighbors : int, default=3
        Neighbours of the ``"knn"`` estimator; unused by ``"binned"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the small noise the ``"knn"`` estimator adds to continuous
        features; ``"binned"`` is deterministic.

    Returns
    -------
    scores : ndarray of shape (n_features,)
        Mutual information of each feature with ``y``, in nats.

    See Also
    --------
    MutualInfoSelector : Keeps the features scoring clearly above noise.

    Examples
    --------
    >>> import numpy as np
    >>> from skfit.feature_selection import mutual_info_scores
    >>> rng = np.random.RandomState(0)
    >>> y = rng.randint(0, 2, size=500)
    >>> X = np.column_stack([y + rng.normal(scale=0.5, size=500),
    ...                      rng.normal(size=500)])
    >>> scores = mutual_info_scores(X, y)
    >>> bool(scores[0] > 0.2 > scores[1])
    True
    """
    X, y = _check_X_y(X, y, check_X_y)
    scoring = _scoring(
        X,
        y,
        method=method,
        n_bins=n_bins,
        discrete_features=discrete_features,
        discrete_target=discrete_target,
        n_neighbors=n_neighbors,
        random_state=random_state,
        feature_names=None,
    )
    return scoring.score(scoring.target)


class MutualInfoSelector(SelectorMixin, BaseEstimator):
    """Select features by mutual information with the target, above the noise floor.

    Each feature is scored by its mutual information (MI) with ``y``
    (classification or regression, detected from ``y``). An MI estimate is
    positive even for pure noise, by an amount that depends on the
    feature's number of bins or distinct values, so a fixed cut-off cannot
    tell weak features from noise. With ``threshold="auto"`` the selector
    finds the noise floor from the data: it scores ``n_permutations``
    shuffled copies of ``y`` with the same estimator, fits a distribution to
    each feature's null scores (a Gamma with the feature's own mean and a
    dispersion pooled over the features with as many codes; for k-NN
    estimates of continuous features, a normal censored at zero), and keeps
    a feature when its score exceeds the ``1 - alpha / n_features``
    quantile of its null. A pure-noise feature is then kept with
    probability about ``alpha / n_features``, so all noise is dropped with
    probability about ``1 - alpha`` however many noise columns there are,
    while a weak feature survives once it stands clear of that floor.

    Sparse input (CSR, CSC, any ``scipy.sparse`` matrix or array, e.g. the
    output of ``CountVectorizer(binary=True)``) is scored from its nonzero
    entries and never densified: the zeros of a column are the rows it does
    not store. Binary and count columns (at most ``n_bins`` distinct values,
    zero included) get their exact plug-in mutual information; other columns
    are binned as dense ones are, with the zeros as one value. ``transform``
    keeps CSR and CSC input in its format.

    Parameters
    ----------
    k : int, "all" or None, default=None
        Keep the ``k`` highest-scoring features instead (``threshold`` is
        then ignored); ``"all"`` keeps every feature. A ``k`` above the
        number of features warns and keeps all, as
        :class:`~sklearn.feature_selection.SelectKBest` does.
    threshold : "auto" or float, default="auto"
        With ``k=None``, keep the features whose score is strictly above the
        threshold: ``"auto"`` for the per-feature noise floor described
        above, or a fixed MI value in nats.
    method : {"binned", "knn"}, default="binned"
        Estimator, see :func:`mutual_info_scores`. With ``"knn"`` and
        ``threshold="auto"`` the k-NN estimate runs ``n_permutations + 1``
        times, which is slow on large tables.
    n_bins : int or "auto", default="auto"
        Bins per continuous feature; see :func:`mutual_info_scores`.
    discrete_features : "auto", bool or array-like, default="auto"
        See :func:`mutual_info_scores`.
    discrete_target : "auto" or bool, default="auto"
        Classification (``True``) or regression (``False``); see
        :func:`mutual_info_scores`.
    n_neighbors : int, default=3
        Neighbours of the ``"knn"`` estimator.
    n_permutations : int, default=20
        Shuffled copies of ``y`` scored to estimate the noise floor
        (``threshold="auto"`` only).
    alpha : float in (0, 1), default=0.01
        Probability, for ``threshold="auto"``, that any pure-noise feature
        is kept (family-wise; each feature is tested at ``alpha /
        n_features``). Raise it to keep more weak features at the risk of
        some noise.
    min_features : int >= 0, default=1
        With a threshold, keep at least this many of the highest-scoring
        features even when fewer clear it (on shuffled labels none does), so
        that the next step of a Pipeline always gets an input. 0 allows an
        empty selection (scikit-learn then warns).
    random_state : int, RandomState instance or None, default=None
        Seeds the permutations (and the ``"knn"`` estimator's noise); an
        int makes the selection reproducible.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features,)
        Mutual information of each feature with ``y``, in nats.
    threshold_ : ndarray of shape (n_features,), float or None
        The score a feature must exceed to be kept: one noise floor per
        feature for ``threshold="auto"``, the given float for a fixed
        threshold, and None when selecting by ``k``.
    null_scores_ : ndarray of shape (n_permutations, n_features) or None
        Scores of each feature against each shuffled ``y``
        (``threshold="auto"`` only; None otherwise).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    mutual_info_scores : The scores on their own.
    sklearn.feature_selection.SelectKBest : Selection by a known ``k``.

    Examples
    --------
    >>> import numpy as np
    >>> from skfit.feature_selection import MutualInfoSelector
    >>> rng = np.random.RandomState(0)
    >>> y = rng.randint(0, 3, size=600)
    >>> signal = y[:, None] + rng.normal(scale=0.8, size=(600, 3))
    >>> noise = rng.uniform(size=(600, 5))
    >>> selector = MutualInfoSelector(random_state=0).fit(np.hstack([signal, noise]), y)
    >>> selector.get_support().nonzero()[0]
    array([0, 1, 2])

    Sparse in, sparse out: 20 binary "words", the first two frequent in
    class 2 only.

    >>> from scipy import sparse
    >>> rate = np.where((y[:, None] == 2) & (np.arange(20) < 2), 0.3, 0.05)
    >>> words = sparse.csr_matrix(rng.uniform(size=(600, 20)) < rate)
    >>> selector = MutualInfoSelector(random_state=0).fit(words, y)
    >>> kept = selector.transform(words)
    >>> kept.format, kept.shape
    ('csr', (600, 2))
    """

    _parameter_constraints = {
        "k": [None, StrOptions({"all"}), Interval(Integral, 0, None, closed="left")],
        "threshold": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        **_SCORING_CONSTRAINTS,
        "n_permutations": [Interval(Integral, 2, None, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "min_features": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        k=None,
        threshold="auto",
        *,
        method="binned",
        n_bins="auto",
        discrete_features="auto",
        discrete_target="auto",
        n_neighbors=3,
        n_permutations=20,
        alpha=0.01,
        min_features=1,
        random_state=None,
    ):
        self.k = k
        self.threshold = threshold
        self.method = method
        self.n_bins = n_bins
        self.discrete_features = discrete_features
        self.discrete_target = discrete_target
        self.n_neighbors = n_neighbors
        self.n_permutations = n_permutations
        self.alpha = alpha
        self.min_features = min_features
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Score the features and set the threshold.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Numeric features, without missing values. A sparse matrix is
            scored from its nonzero entries, never densified with
            ``method="binned"``.
        y : array-like of shape (n_samples,)
            Class labels or a continuous target.

        Returns
        -------
        self : MutualInfoSelector
            The fitted selector.
        """
        X, y = _check_X_y(X, y, partial(validate_data, self))
        rng = check_random_state(self.random_state)
        scoring = _scoring(
            X,
            y,
            method=self.method,
            n_bins=self.n_bins,
            discrete_features=self.discrete_features,
            discrete_target=self.discrete_target,
            n_neighbors=self.n_neighbors,
            random_state=rng.randint(np.iinfo(np.int32).max),
            feature_names=getattr(self, "feature_names_in_", None),
        )
        self.scores_ = scoring.score(scoring.target)
        self.threshold_ = None
        self.null_scores_ = None
        if self.k is not None:
            if self.k != "all" and self.k > X.shape[1]:
                warnings.warn(
                    f"k={self.k} is greater than n_features={X.shape[1]}. "
                    "All the features will be returned.",
                    UserWarning,
                )
        elif self.threshold == "auto":
            self.null_scores_ = np.empty((self.n_permutations, X.shape[1]))
            for null_scores in self.null_scores_:
                null_scores[:] = scoring.score(rng.permutation(scoring.target))
            self.threshold_ = noise_floor(
                self.null_scores_, scoring.groups, scoring.clipped, self.alpha
            )
        else:
            self.threshold_ = float(self.threshold)
        return self

    def transform(self, X):
        """Reduce ``X`` to the selected features.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features in the same columns as during fit. CSR and CSC input
            keeps its format (matrix or array), other sparse formats come out
            as CSR; nothing is densified.

        Returns
        -------
        X_selected : {ndarray, sparse matrix, DataFrame} of shape \
                (n_samples, n_selected_features)
            The selected columns of ``X``.
        """
        check_is_fitted(self)
        if not sparse.issparse(X):
            return super().transform(X)
        X = validate_data(
            self, X, dtype=None, accept_sparse=_SPARSE_FORMATS, reset=False
        )
        mask = self.get_support()
        if not mask.any():
            warnings.warn(
                "No features were selected: either the data is too noisy or "
                "the selection test too strict.",
                UserWarning,
            )
        return X[:, np.flatnonzero(mask)]

    def _get_support_mask(self):
        check_is_fitted(self)
        if self.k is None:
            mask = self.scores_ > self.threshold_
            return mask | self._top(min(self.min_features, mask.size))
        if self.k == "all" or self.k >= self.scores_.size:
            return np.ones(self.scores_.shape, dtype=bool)
        return self._top(self.k)

    def _top(self, n):
        """Mask of the ``n`` highest-scoring features (ties by position)."""
        mask = np.zeros(self.scores_.shape, dtype=bool)
        mask[np.argsort(-self.scores_, kind="stable")[:n]] = True
        return mask

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.required = True
        return tags


def noise_floor(null_scores, groups, clipped, alpha):
    """Per-feature score that pure noise exceeds with probability ``alpha / n_features``.

    Parameters
    ----------
    null_scores : ndarray of shape (n_permutations, n_features)
        Each feature's scores against shuffled copies of the target.
    groups : ndarray of shape (n_features,)
        Features with equal ``groups`` (number of codes) share one
        dispersion estimate.
    clipped : ndarray of bool, shape (n_features,)
        Features whose estimate is clipped at zero (k-NN on continuous
        features).
    alpha : float
        Family-wise probability of keeping any pure-noise feature.

    Returns
    -------
    floor : ndarray of shape (n_features,)
        The upper ``alpha / n_features`` quantile of each feature's null
        distribution, modelled as a Gamma for plug-in estimates (nearly a
        scaled chi-square) and as a normal censored at zero, pooled over
        the features, for clipped k-NN estimates.
    """
    level = alpha / null_scores.shape[1]
    floor = np.empty(null_scores.shape[1])
    floor[~clipped] = _gamma_floor(null_scores[:, ~clipped], groups[~clipped], level)
    floor[clipped] = _censored_normal_floor(null_scores[:, clipped].ravel(), level)
    return floor


def _gamma_floor(null_scores, groups, level):
    """Gamma quantile per feature: its own null mean, its group's pooled scale.

    Under the chi-square approximation the variance-to-mean ratio (the
    Gamma scale) is ``1 / n_samples`` for every feature, so pooling it over
    features with the same number of codes steadies it; the mean, which
    carries each feature's bias, stays per feature. Where the null never
    varies, the floor is its mean.
    """
    mean = null_scores.mean(axis=0)
    variance = null_scores.var(axis=0, ddof=1)
    floor = mean.copy()
    for group in np.unique(groups):
        members = (groups == group) & (mean > 0)
        scale = variance[members].sum() / max(mean[members].sum(), np.finfo(float).tiny)
        if scale > 0:
            floor[members] = stats.gamma.isf(level, mean[members] / scale, scale=scale)
    return floor


def _censored_normal_floor(null_scores, level):
    """Upper ``level`` quantile of a normal fitted to scores clipped at zero.

    The normal's mean and spread come from two quantiles of the unclipped
    part of the pooled null scores; all-zero null scores give a floor of 0.
    """
    positive = null_scores > 0
    if positive.sum() < 2:
        return 0.0
    at_zero = 1.0 - positive.mean()
    probabilities = at_zero + (1.0 - at_zero) * np.array([1 / 3, 2 / 3])
    low, high = np.quantile(null_scores, probabilities)
    z_low, z_high = stats.norm.ppf(probabilities)
    spread = (high - low) / (z_high - z_low)
    return max(0.0, low + spread * (stats.norm.isf(level) - z_low))


def _scoring(X, y, *, feature_names, **params):
    """:func:`make_scoring`, warning by name about features it cannot score well."""
    scoring = make_scoring(X, y, **params)
    constant = np.flatnonzero(scoring.n_distinct == 1)
    if constant.size:
        warn_features(
            constant,
            feature_names,
            "are constant: their mutual information with y is 0 and no "
            "threshold keeps them.",
        )
    declared = resolve_discrete_features(params["discrete_features"], X.shape[1])
    if declared is not None:
        n_samples = X.shape[0]
        unique = declared & (2 * scoring.n_distinct > n_samples) & (scoring.n_distinct > 2)
        if unique.any():
            warn_features(
                np.flatnonzero(unique),
                feature_names,
                "are declared discrete but most of their values are distinct "
                f"(in {n_samples} rows): coded by their own values, they score "
                "about the entropy of y whatever their relevance. Declare them "
                "continuous (discrete_features='auto' or False) to bin them.",
            )
    return scoring
