"""
Training on data larger than memory: partial_fit on a dask cluster
===================================================================

When the rows do not fit in one machine's memory, they can stay in a chunked
``dask.array`` and the network can learn from one block at a time.
``dask_ml.wrappers.Incremental`` does exactly that with any scikit-learn
estimator that has ``partial_fit``: each block goes to a worker, which runs
one epoch of :meth:`~skfit.KerasMLPClassifier.partial_fit` on it and passes
the network (its weights and optimizer state) on to the next block.

Here a ``LocalCluster`` of two worker processes stands in for a real cluster,
and 60 copies of the digits with small random shifts of their pixel values
stand in for a large table (75,000 rows in 24 blocks). After each pass
over the blocks we score the network on held-out digits: the curve is the
usual learning curve, built without ever holding all rows in one array.
Worker processes import this script, hence the ``__main__`` guard.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import dask.array as da  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from dask_ml.wrappers import Incremental  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skfit import KerasMLPClassifier  # noqa: E402
from skfit.utils import limit_tensorflow_threads  # noqa: E402

SEED = 0
OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))
N_COPIES, N_BLOCKS, N_PASSES = 60, 24, 5


def big_digits(X, y, n_copies, block_rows):
    """A chunked dask array of ``n_copies`` jittered copies of (X, y), built lazily."""
    rng = np.random.default_rng(SEED)
    seeds = rng.integers(0, 2**31, n_copies)

    def copy(seed):
        jitter = np.random.default_rng(seed).normal(scale=0.05, size=X.shape)
        return np.clip(X + jitter, 0, 1).astype(np.float32)

    blocks = [da.from_delayed(_delayed(copy)(s), shape=X.shape, dtype=np.float32) for s in seeds]
    X_big = da.concatenate(blocks).rechunk((block_rows, X.shape[1]))
    y_big = da.from_array(np.tile(y, n_copies), chunks=block_rows)
    return X_big, y_big


def _delayed(function):
    from dask import delayed

    return delayed(function)


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.3, stratify=y, random_state=SEED
    )
    n_rows = N_COPIES * len(X_train)
    X_big, y_big = big_digits(X_train, y_train, N_COPIES, block_rows=-(-n_rows // N_BLOCKS))
    print(f"training rows: {n_rows} in {X_big.numblocks[0]} blocks "
          f"({X_big.nbytes / 2**20:.0f} MB, never in one array)")  # fmt: skip

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:  # fmt: skip
        client.register_worker_callbacks(limit_tensorflow_threads)
        model = Incremental(
            KerasMLPClassifier((64,), learning_rate=1e-3, random_state=SEED),
            shuffle_blocks=True, random_state=SEED,
        )  # fmt: skip
        accuracies = []
        for n_pass in range(1, N_PASSES + 1):
            model.partial_fit(X_big, y_big, classes=np.arange(10))
            accuracies.append(model.estimator_.score(X_test, y_test))
            print(f"pass {n_pass}: {model.estimator_.n_epochs_} partial_fit epochs, "
                  f"held-out accuracy {accuracies[-1]:.3f}")  # fmt: skip

    # %%
    # Each pass is one epoch per block; the curve flattens as the network
    # converges, as the validation curve of an ordinary fit would.
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(range(1, N_PASSES + 1), accuracies, marker="o")
    ax.set(xlabel="passes over the blocks", ylabel="held-out accuracy",
           title="KerasMLPClassifier.partial_fit through dask_ml's Incremental")  # fmt: skip
    ax.set_xticks(range(1, N_PASSES + 1))
    fig.tight_layout()
    fig.savefig(OUT / "plot_incremental_dask.png")


if __name__ == "__main__":
    main()
