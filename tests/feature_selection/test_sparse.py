"""Sparse input to mutual_info_scores and MutualInfoSelector."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import mutual_info_score
from sklearn.pipeline import make_pipeline

from skfit.feature_selection import MutualInfoSelector, mutual_info_scores
from skfit.feature_selection import _codes

pytestmark = [
    pytest.mark.filterwarnings("ignore:Features .* are constant:UserWarning"),
    # Continuous columns declared discrete, and a few rows of many classes,
    # are cases tested here on purpose.
    pytest.mark.filterwarnings("ignore:Features .* are declared discrete:UserWarning"),
    pytest.mark.filterwarnings("ignore:y has .* most of them seen once:UserWarning"),
    # DIA is a legal, if odd, format for these columns.
    pytest.mark.filterwarnings(
        "ignore:Constructing a DIA matrix:scipy.sparse.SparseEfficiencyWarning"
    ),
]

FORMATS = {
    "csr_matrix": sparse.csr_matrix,
    "csc_matrix": sparse.csc_matrix,
    "csr_array": sparse.csr_array,
    "csc_array": sparse.csc_array,
    "coo_matrix": sparse.coo_matrix,
    "coo_array": sparse.coo_array,
    "lil_matrix": sparse.lil_matrix,
    "dok_matrix": sparse.dok_matrix,
    "bsr_matrix": sparse.bsr_matrix,
    "dia_matrix": sparse.dia_matrix,
}


def _column(kind, n_samples, rng):
    """One sparse-looking column of a given kind."""
    mostly_zero = rng.random(n_samples) < rng.uniform(0.3, 0.99)
    if kind == "binary":
        return (~mostly_zero).astype(float)
    if kind == "counts":
        return np.where(mostly_zero, 0, rng.poisson(rng.uniform(0.5, 6), n_samples))
    if kind == "continuous":
        return np.where(mostly_zero, 0.0, rng.normal(size=n_samples))
    if kind == "negative":
        return np.where(mostly_zero, 0.0, -rng.exponential(size=n_samples))
    if kind == "dense":
        return rng.normal(size=n_samples)
    if kind == "constant":
        return np.full(n_samples, 3.0)
    return np.zeros(n_samples)


KINDS = ["binary", "counts", "continuous", "negative", "dense", "constant", "zeros"]


@st.composite
def sparse_problems(draw):
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    n_samples = draw(st.integers(2, 300))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=8))
    X = np.column_stack([_column(kind, n_samples, rng) for kind in kinds])
    n_classes = draw(st.integers(2, 4))
    y = rng.integers(0, n_classes, n_samples)
    y[:2] = [0, 1]  # at least two classes
    return X, y, kinds, rng


@settings(max_examples=60, deadline=None)
@given(
    sparse_problems(),
    st.sampled_from(sorted(FORMATS)),
    st.sampled_from([np.float64, np.float32, np.int64]),
    st.sampled_from(["auto", 2, 5]),
    st.sampled_from(["auto", True, False, "mask"]),
    st.booleans(),
)
def test_sparse_scores_equal_dense_scores(
    problem, fmt, dtype, n_bins, discrete_features, regression
):
    X, y, kinds, rng = problem
    if dtype is np.int64:
        X = np.round(X * 3)
    X = X.astype(dtype)
    if discrete_features == "mask":
        discrete_features = rng.random(X.shape[1]) < 0.5
    if regression:
        y = y + rng.normal(size=y.size)
    params = dict(n_bins=n_bins, discrete_features=discrete_features)
    expected = mutual_info_scores(X, y, **params)
    X_sparse = FORMATS[fmt](X)
    np.testing.assert_allclose(mutual_info_scores(X_sparse, y, **params), expected, atol=1e-12)


def _with_stored_zeros_and_duplicates(X, rng):
    """COO of X whose entries are split in two (duplicates) plus explicit zeros."""
    rows, columns = np.nonzero(X)
    values = X[rows, columns]
    part = np.round(values * rng.random(values.size), 3)
    zero_rows, zero_columns = np.nonzero(X == 0)
    coo = sparse.coo_matrix(
        (
            np.concatenate([part, values - part, np.zeros(zero_rows.size)]),
            (
                np.concatenate([rows, rows, zero_rows]),
                np.concatenate([columns, columns, zero_columns]),
            ),
        ),
        shape=X.shape,
    )
    return coo


@settings(max_examples=30, deadline=None)
@given(sparse_problems(), st.sampled_from(["csr", "csc"]))
def test_explicit_zeros_duplicates_and_64_bit_indices(problem, fmt):
    X, y, _, rng = problem
    expected = mutual_info_scores(X, y)
    X_sparse = _with_stored_zeros_and_duplicates(X, rng).asformat(fmt)
    X_sparse.indices = X_sparse.indices.astype(np.int64)
    X_sparse.indptr = X_sparse.indptr.astype(np.int64)
    data, indices = X_sparse.data.copy(), X_sparse.indices.copy()
    np.testing.assert_allclose(mutual_info_scores(X_sparse, y), expected, atol=1e-12)
    # The user's non-canonical matrix is left as it was.
    np.testing.assert_array_equal(X_sparse.data, data)
    np.testing.assert_array_equal(X_sparse.indices, indices)


def _reference_cuts(boundaries, n_samples, n_bins):
    """The greedy equal-count cuts of one column, one cut at a time."""
    if boundaries.size < n_bins:
        return boundaries
    cuts, position = [], 0
    for remaining in range(n_bins, 1, -1):
        ideal = position + (n_samples - position) / remaining
        k = np.searchsorted(boundaries, ideal)
        candidates = boundaries[max(k - 1, 0) : k + 1]
        candidates = candidates[candidates > position]
        if candidates.size == 0:
            break
        position = candidates[np.argmin(np.abs(candidates - ideal))]
        cuts.append(position)
    return np.asarray(cuts)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(1, 50), min_size=1, max_size=40), min_size=1, max_size=6
    ),
    st.integers(2, 16),
)
def test_vectorized_cuts_equal_the_greedy_column_by_column(columns_counts, n_bins):
    column = np.repeat(np.arange(len(columns_counts)), [len(c) for c in columns_counts])
    counts = np.concatenate([np.asarray(c) for c in columns_counts])
    codes = _codes._equal_count_codes(column, counts, n_bins)
    for j, own_counts in enumerate(columns_counts):
        boundaries = np.cumsum(own_counts)[:-1]
        cuts = _reference_cuts(boundaries, sum(own_counts), n_bins)
        expected = np.searchsorted(cuts, np.concatenate([[0], boundaries]), side="right")
        np.testing.assert_array_equal(codes[column == j], expected)


def _bag_of_words(n_samples=4000, n_words=300, density=0.02, random_state=0):
    """Binary documents x words; words 0-9 appear more often in class 1."""
    rng = np.random.default_rng(random_state)
    y = rng.integers(0, 2, n_samples)
    rate = np.full((n_samples, n_words), density)
    rate[:, :10] *= np.where(y[:, None] == 1, 3.0, 1.0)
    X = sparse.csr_matrix((rng.random((n_samples, n_words)) < rate).astype(np.int64))
    return X, y


def test_binary_columns_are_scored_exactly():
    X, y = _bag_of_words()
    scores = mutual_info_scores(X, y)
    dense = X.toarray()
    exact = [mutual_info_score(dense[:, j], y) for j in range(X.shape[1])]
    np.testing.assert_allclose(scores, exact, atol=1e-12)


def test_selector_finds_the_informative_words():
    X, y = _bag_of_words()
    selector = MutualInfoSelector(random_state=0).fit(X, y)
    np.testing.assert_array_equal(selector.get_support(indices=True), np.arange(10))
    dense = MutualInfoSelector(random_state=0).fit(X.toarray(), y)
    np.testing.assert_allclose(selector.threshold_, dense.threshold_)


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("csr_matrix", sparse.csr_matrix),
        ("csc_matrix", sparse.csc_matrix),
        ("csr_array", sparse.csr_array),
        ("csc_array", sparse.csc_array),
        ("coo_matrix", sparse.csr_matrix),
        ("lil_matrix", sparse.csr_matrix),
    ],
)
def test_transform_keeps_csr_and_csc(fmt, expected):
    X, y = _bag_of_words(n_samples=500, n_words=40)
    X = FORMATS[fmt](X)
    selector = MutualInfoSelector(k=5).fit(X, y)
    out = selector.transform(X)
    assert type(out) is expected
    np.testing.assert_array_equal(
        out.toarray(), X.toarray()[:, selector.get_support()]
    )
    back = selector.inverse_transform(out)
    assert sparse.issparse(back) and back.shape == X.shape


def test_empty_selection_stays_sparse():
    X, y = _bag_of_words(n_samples=300, n_words=20)
    selector = MutualInfoSelector(k=0).fit(X, y)
    with pytest.warns(UserWarning, match="No features were selected"):
        out = selector.transform(X)
    assert sparse.issparse(out) and out.shape == (300, 0)


def test_never_densifies():
    # 50000 x 50000: a dense float64 copy would take 20 GB.
    n = 50_000
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    rows = rng.integers(0, n, 4 * n)
    columns = rng.integers(0, n, 4 * n)
    X = sparse.csr_matrix((np.ones(rows.size), (rows, columns)), shape=(n, n))
    X.sum_duplicates()
    X.data[:] = 1.0
    tracemalloc.start()
    try:
        selector = MutualInfoSelector(random_state=0).fit(X, y)
        out = selector.transform(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sparse.issparse(out)
    own_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    # The matrix's own size a few times over, plus the per-feature arrays
    # (the null scores, n_permutations x n_features, and their statistics).
    assert peak < 4 * own_bytes + 4 * selector.null_scores_.nbytes + 10e6


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_in_sparse_input_are_rejected(bad):
    X, y = _bag_of_words(n_samples=200, n_words=10)
    X_bad = X.astype(float)
    X_bad.data[3] = bad
    message = "NaN" if np.isnan(bad) else "infinity"
    with pytest.raises(ValueError, match=message):
        MutualInfoSelector().fit(X_bad, y)
    with pytest.raises(ValueError, match=message):
        mutual_info_scores(X_bad.tocsc(), y)
    selector = MutualInfoSelector(k=2).fit(X, y)
    with pytest.raises(ValueError, match=message):
        selector.transform(X_bad)


def test_knn_on_sparse_equals_dense():
    rng = np.random.default_rng(0)
    X = np.column_stack([_column(kind, 400, rng) for kind in KINDS])
    y = rng.integers(0, 3, 400)
    dense = mutual_info_scores(X, y, method="knn", random_state=0)
    for fmt in ("csr_matrix", "csc_array"):
        ours = mutual_info_scores(FORMATS[fmt](X), y, method="knn", random_state=0)
        np.testing.assert_allclose(ours, dense)


def test_count_vectorizer_pipeline():
    rng = np.random.default_rng(0)
    filler = [f"w{i}" for i in range(200)]
    docs, y = [], rng.integers(0, 2, 600)
    for label in y:
        words = list(rng.choice(filler, 30))
        words += ["great", "superb"] if label else ["awful", "boring"]
        docs.append(" ".join(words))
    pipe = make_pipeline(
        CountVectorizer(binary=True),
        MutualInfoSelector(random_state=0),
        LogisticRegression(),
    ).fit(docs, y)
    kept = pipe[:-1].get_feature_names_out()
    assert set(kept) == {"great", "superb", "awful", "boring"}
    assert pipe.score(docs, y) == 1.0
