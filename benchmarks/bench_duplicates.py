"""Time duplicate_groups against pandas and numpy on the same data, one run each.

    python benchmarks/bench_duplicates.py              # 1,000,000 x 50
    python benchmarks/bench_duplicates.py --rows 100000

Timings are wall-clock seconds of a single call; the ratio column divides
by the first skfit row of each table. Three data sets: a float matrix with 10%
of its rows copied (the issue's 1,000,000 x 50 case), a DataFrame of mixed
dtypes (strings, categories, floats with NaN, ints), and a sparse matrix. Each
reference is checked to agree with duplicate_groups (same partition of the
rows, or the same rows flagged as duplicated).
"""

import argparse
import time

import numpy as np
import pandas as pd
from scipy import sparse

from skfit.model_selection import duplicate_groups


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def same_partition(labels, reference):
    return np.array_equal(pd.factorize(labels)[0], pd.factorize(reference)[0])


def with_copies(n_rows, rng, make):
    """``make(n)`` rows, of which 10% are then overwritten by copies of others."""
    X = make(n_rows)
    target = rng.choice(n_rows, size=n_rows // 10, replace=False)
    source = rng.integers(0, n_rows, size=n_rows // 10)
    if isinstance(X, pd.DataFrame):
        X.iloc[target] = X.iloc[source].to_numpy()
        return X
    X[target] = X[source]
    return X


def float_case(n_rows, n_cols, rng):
    X = with_copies(n_rows, rng, lambda n: rng.normal(size=(n, n_cols)))
    frame = pd.DataFrame(X)
    seconds, labels = timed(lambda: duplicate_groups(X))
    rows = [("skfit duplicate_groups(ndarray)", seconds, "labels", True)]
    # The first call of a process pays for fresh memory pages; later ones reuse them.
    seconds, again = timed(lambda: duplicate_groups(X))
    rows.append(
        ("  the same, second call", seconds, "labels", np.array_equal(again, labels))
    )
    seconds, frame_labels = timed(lambda: duplicate_groups(frame))
    rows.append(
        ("skfit duplicate_groups(DataFrame)", seconds, "labels",
         same_partition(frame_labels, labels))
    )
    seconds, flags = timed(lambda: frame.duplicated(keep=False).to_numpy())
    counts = np.bincount(labels)
    rows.append(
        ("pandas DataFrame.duplicated(keep=False)", seconds, "bool only",
         np.array_equal(flags, counts[labels] > 1))
    )
    seconds, ngroup = timed(lambda: frame.groupby(list(frame.columns)).ngroup())
    rows.append(
        ("pandas groupby(all columns).ngroup()", seconds, "labels",
         same_partition(labels, ngroup.to_numpy()))
    )
    seconds, (_, inverse) = timed(lambda: np.unique(X, axis=0, return_inverse=True))
    rows.append(
        ("numpy unique(axis=0, return_inverse)", seconds, "labels",
         same_partition(labels, inverse.ravel()))
    )
    return rows


def mixed_case(n_rows, rng):
    def make(n):
        return pd.DataFrame(
            {
                "city": rng.choice(["Oslo", "Lima", "Pune", "Kiev", None], size=n),
                "plan": pd.Categorical(rng.choice(["free", "pro", "team"], size=n)),
                "spend": np.where(
                    rng.random(n) < 0.1, np.nan, rng.normal(size=n).round(2)
                ),
                "visits": rng.integers(0, 1000, size=n),
                "score": rng.normal(size=n),
            }
        )

    frame = with_copies(n_rows, rng, make)
    seconds, labels = timed(lambda: duplicate_groups(frame))
    rows = [("skfit duplicate_groups(DataFrame)", seconds, "labels", True)]
    seconds, flags = timed(lambda: frame.duplicated(keep=False).to_numpy())
    counts = np.bincount(labels)
    rows.append(
        ("pandas DataFrame.duplicated(keep=False)", seconds, "bool only",
         np.array_equal(flags, counts[labels] > 1))
    )
    seconds, ngroup = timed(
        lambda: frame.groupby(list(frame.columns), dropna=False, observed=True).ngroup()
    )
    rows.append(
        ("pandas groupby(dropna=False).ngroup()", seconds, "labels",
         same_partition(labels, ngroup.to_numpy()))
    )
    return rows


def python_dict_rows(X):
    """The plain-Python way: one dict entry per distinct (indices, values) row."""
    seen, labels = {}, []
    for a, b in zip(X.indptr[:-1], X.indptr[1:]):
        key = (X.indices[a:b].tobytes(), X.data[a:b].tobytes())
        labels.append(seen.setdefault(key, len(seen)))
    return np.array(labels)


def sparse_case(n_rows, n_cols, rng):
    X = sparse.random(n_rows, n_cols, density=0.01, format="csr", random_state=rng)
    X.data = np.round(X.data, 1)
    X.eliminate_zeros()  # rounding made some zeros; the dict way needs none
    copies = sparse.vstack([X, X[rng.integers(0, n_rows, size=n_rows // 10)]]).tocsr()
    copies.sort_indices()
    seconds, labels = timed(lambda: duplicate_groups(copies))
    rows = [("skfit duplicate_groups(csr)", seconds, "labels", True)]
    seconds, reference = timed(lambda: python_dict_rows(copies))
    rows.append(
        ("python dict of row bytes", seconds, "labels",
         same_partition(labels, reference))
    )
    return rows


def print_table(title, rows):
    print(f"\n{title}")
    print(f"{'method':<42}{'seconds':>9}{'vs skfit':>10}  {'output':<10} agrees")
    reference = rows[0][1]
    for name, seconds, output, agrees in rows:
        ratio = seconds / reference
        print(f"{name:<42}{seconds:>9.2f}{ratio:>9.1f}x  {output:<10} {agrees}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, pandas {pd.__version__}")
    print_table(
        f"float64 ndarray {args.rows:,} x {args.cols}, 10% of rows copied",
        float_case(args.rows, args.cols, rng),
    )
    print_table(
        f"mixed-dtype DataFrame {args.rows:,} x 5 (str with None, category, "
        "float with NaN, int, float), 10% copied",
        mixed_case(args.rows, rng),
    )
    print_table(
        f"sparse CSR {args.rows + args.rows // 10:,} x 1,000, density 0.01, "
        "10% extra copied rows",
        sparse_case(args.rows, 1000, rng),
    )


if __name__ == "__main__":
    main()
