"""
A grid search on a dask cluster
===============================

When a grid search outgrows one machine, scikit-learn moves joblib's
parallelism onto a cluster, and skfit's Keras estimators go along like any
scikit-learn estimator::

    with joblib.parallel_config(backend="dask"):
        GridSearchCV(pipeline, grid, n_jobs=-1).fit(X, y)

against a ``dask.distributed.Client``. Two skfit helpers make it behave:

- :func:`~skfit.utils.limit_tensorflow_threads`, run on every worker
  as it starts, sizes TensorFlow's thread pools to the worker's share of the
  cores (by default TensorFlow takes every core in every worker);
- :func:`~skfit.utils.register_dask_backend` makes a task that dask
  gives up on (it killed its workers) fail the search instead of hanging it.

A ``LocalCluster`` of two worker processes stands in for a real cluster here
(``Client("tcp://scheduler:8786")``). The search runs a MutualInfoSelector
and a KerasMLPClassifier; with the same ``random_state`` its scores are
exactly those of the same search run serially. Worker processes are
started fresh (spawned) and import this script, hence the ``__main__``
guard at the end.
"""

# %%
# The pieces: a dask cluster, joblib, and the same search as always. Running
# it needs ``dask[distributed]`` (``pip install ".[dask]"``).
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import joblib  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from skfit import KerasMLPClassifier, MutualInfoSelector  # noqa: E402
from skfit.utils import limit_tensorflow_threads, register_dask_backend  # noqa: E402

SEED = 0
OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))


def make_search(n_jobs=None):
    """4 candidates x 3 folds: how many informative pixels, how wide a layer."""
    pipeline = Pipeline(
        [
            ("select", MutualInfoSelector(random_state=SEED)),
            ("clf", KerasMLPClassifier(epochs=10, learning_rate=1e-2, random_state=SEED)),
        ]
    )
    grid = {"select__k": [16, 32], "clf__hidden_layer_sizes": [(16,), (64,)]}
    cv = StratifiedKFold(3, shuffle=True, random_state=SEED)
    return GridSearchCV(pipeline, grid, cv=cv, n_jobs=n_jobs)


# %%
# The search on the cluster
# -------------------------
# ``make_search`` above is an ordinary ``GridSearchCV`` of 4 candidates x 3
# folds. On the cluster, it runs inside ``joblib.parallel_config(backend=
# "dask")``; ``scatter=[X, y]`` sends the data to every worker once, so that
# a worker that dies does not take the only copy with it. Each worker sizes
# TensorFlow's pools when it starts; the check at the end reads them back.
def search_on_cluster(X, y):
    register_dask_backend()
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster) as client:
        client.register_worker_callbacks(limit_tensorflow_threads)
        with joblib.parallel_config(backend="dask", scatter=[X, y]):
            search = make_search(n_jobs=-1).fit(X, y)
        pools = client.run(_tensorflow_pool_sizes)
    return search, pools


def _tensorflow_pool_sizes():
    return os.environ["TF_NUM_INTRAOP_THREADS"], os.environ["TF_NUM_INTEROP_THREADS"]


# %%
# Serial against the cluster
# --------------------------
# ``main`` runs the search on the cluster, then the same search serially in
# this process, prints the cluster's results and compares every per-fold
# score of the two runs. The data: digits without the pixels that are lit in
# under 2% of the images.
def main():
    X, y = load_digits(return_X_y=True)
    # Pixels lit in under 2% of the images are constant in some folds.
    X = X[:, (X > 0).mean(axis=0) > 0.02] / 16.0
    dask_search, pools = search_on_cluster(X, y)
    serial_search = make_search().fit(X, y)

    columns = ["param_select__k", "param_clf__hidden_layer_sizes", "mean_test_score",
               "std_test_score", "rank_test_score"]  # fmt: skip
    results = pd.DataFrame(dask_search.cv_results_)[columns]
    print(results.round(4).to_string(index=False), end="\n\n")
    identical = all(
        np.array_equal(dask_search.cv_results_[key], serial_search.cv_results_[key])
        for key in serial_search.cv_results_
        if key.endswith("test_score")
    )
    print(f"TensorFlow pools (intra-op, inter-op) per worker: {sorted(pools.values())}")
    print(f"best on the cluster: {dask_search.best_params_}, {dask_search.best_score_:.4f}")
    print(f"best serially:       {serial_search.best_params_}, {serial_search.best_score_:.4f}")
    print(f"per-fold scores identical to the serial run: {identical}")

    labels = [f"k={k}\n{h}" for k, h in zip(results.iloc[:, 0], results.iloc[:, 1])]
    positions = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
    for offset, search, name in ((-0.2, dask_search, "dask, 2 workers"),
                                 (0.2, serial_search, "serial")):  # fmt: skip
        ax.bar(positions + offset, search.cv_results_["mean_test_score"], width=0.4,
               yerr=search.cv_results_["std_test_score"], capsize=4, label=name)  # fmt: skip
    ax.set_xticks(positions, labels)
    ax.set_ylim(0.8, 1.0)
    ax.set_ylabel("mean accuracy over 3 folds")
    ax.set_title("MutualInfoSelector + KerasMLPClassifier on digits: same scores")
    ax.legend(loc="lower right")
    path = OUT / "plot_dask_grid_search.png"
    fig.savefig(path, dpi=90)
    print(f"saved {path}")


# %%
# Run it. With the same ``random_state``, every fit on a worker computes
# exactly what it computes serially, so the per-fold scores are identical and
# the search picks the same candidate. The figure shows the mean accuracy of
# each candidate in both runs. (Run as a script, the example also saves it as
# a PNG in the folder named by the ``SKFIT_EXAMPLES_OUT`` environment
# variable, by default the current one.)
if __name__ == "__main__":
    main()
