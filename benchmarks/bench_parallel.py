"""Serial vs joblib's loky (n_jobs=2) vs dask (2 worker processes): one grid search.

Run: python benchmarks/bench_parallel.py [--epochs 200]

An 8-candidate x 3-fold GridSearchCV of Pipeline(MutualInfoSelector ->
KerasMLPClassifier) on digits (24 fits and the refit), run twice in each
mode, in one process run. 200 epochs by default, so that training rather
than starting processes dominates (at 20 epochs the whole search takes
under a second serially). The modes:

- serial (``n_jobs=None``), in this process;
- loky, ``n_jobs=2``, TensorFlow's pools sized by
  ``limit_tensorflow_threads`` when each worker starts;
- loky, ``n_jobs=2``, TensorFlow's default pools (every core, per worker);
- dask, a ``LocalCluster`` of 2 worker processes x 1 thread, the pools sized
  by ``limit_tensorflow_threads`` (cluster start-up timed apart).

The first search of a mode pays for starting its workers (loky), importing
TensorFlow in them and tracing each architecture in each process; the
second reuses all that. Prints wall times, speedups over serial, and whether
every mode's per-fold scores equal the serial ones.
"""

import argparse
import os
import time

import joblib
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from skfit import KerasMLPClassifier, MutualInfoSelector
from skfit.utils._parallel import limit_tensorflow_threads, register_dask_backend

GRID = {
    "select__k": [16, 32],
    "clf__hidden_layer_sizes": [(32,), (128,)],
    "clf__learning_rate": [1e-3, 1e-2],
}


def make_search(epochs, n_jobs=None):
    pipeline = Pipeline(
        [
            ("select", MutualInfoSelector(random_state=0)),
            ("clf", KerasMLPClassifier(epochs=epochs, random_state=0)),
        ]
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    return GridSearchCV(pipeline, GRID, cv=cv, n_jobs=n_jobs)


def timed_searches(search, X, y, config):
    """Wall time of two consecutive fits of ``search`` under ``config``, and the search."""
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        with joblib.parallel_config(**config):
            search.fit(X, y)
        seconds.append(time.perf_counter() - start)
    return seconds, search


def same_scores(search, reference):
    return all(
        np.array_equal(search.cv_results_[key], values)
        for key, values in reference.cv_results_.items()
        if key.endswith("test_score")
    )


def main(epochs):
    X, y = load_digits(return_X_y=True)
    X = X[:, (X > 0).mean(axis=0) > 0.02] / 16.0  # pixels lit in > 2% of images
    rows = {}
    rows["serial"] = timed_searches(make_search(epochs), X, y, {})
    one_per_worker = {"backend": "loky", "initializer": limit_tensorflow_threads}
    rows["loky n_jobs=2, TF pools limited"] = timed_searches(
        make_search(epochs, n_jobs=2), X, y, one_per_worker
    )
    rows["loky n_jobs=2, TF default pools"] = timed_searches(
        make_search(epochs, n_jobs=2), X, y, {"backend": "loky"}
    )
    register_dask_backend()
    start = time.perf_counter()
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster) as client:
        client.register_worker_callbacks(limit_tensorflow_threads)
        cluster_start = time.perf_counter() - start
        rows["dask 2 workers, TF pools limited"] = timed_searches(
            make_search(epochs, n_jobs=-1), X, y, {"backend": "dask", "scatter": [X, y]}
        )

    print(
        f"{len(os.sched_getaffinity(0))} cores, load average at the end "
        f"{os.getloadavg()[0]:.2f}; joblib {joblib.__version__}; 8 candidates x 3 folds, "
        f"{epochs} epochs, digits {X.shape}"
    )
    (serial_first, serial_second), reference = rows["serial"]
    print(f"{'mode':<34}{'1st search':>11}{'speedup':>9}{'2nd search':>12}{'speedup':>9}"
          "  same scores")  # fmt: skip
    for name, ((first, second), search) in rows.items():
        print(
            f"{name:<34}{first:>10.1f}s{serial_first / first:>8.2f}x"
            f"{second:>11.1f}s{serial_second / second:>8.2f}x  {same_scores(search, reference)}"
        )
    print(f"(dask LocalCluster start-up, not included above: {cluster_start:.1f}s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    main(parser.parse_args().epochs)
