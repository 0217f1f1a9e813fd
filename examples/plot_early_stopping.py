"""
Early stopping: keep the weights of the best epoch
==================================================

A 96-unit MLP on digits overfits: its validation loss reaches a minimum after
a few epochs and rises afterwards. Early stopping watches the validation loss,
stops ``patience`` epochs after its last improvement, and restores the
weights of the best epoch (``best_epoch_``). This example fits the model for
80 epochs with and without early stopping, with four seeds, diagnoses every
fit, and scores each once on a test set that none has seen.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skfit import KerasMLPClassifier, diagnose  # noqa: E402
from skfit.diagnostics import LossCurveDisplay  # noqa: E402

SEEDS = (0, 1, 2, 3)
OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16.0, y, test_size=0.25, stratify=y, random_state=0
)


def mlp(seed, **params):
    return KerasMLPClassifier(hidden_layer_sizes=(96,), learning_rate=3e-3, batch_size=16,
                              epochs=80, validation_fraction=0.2, random_state=seed, **params)


# %%
# Four seeds, each with and without early stopping (``patience=5``); the test
# set is used once per fit. The table gives, per fit, the epochs run, the
# epoch whose weights the model keeps, the diagnosis, and the test accuracy
# and log-loss; then the means over seeds.
fits = {
    seed: {
        "80 epochs": mlp(seed).fit(X_train, y_train),
        "early stopping": mlp(seed, early_stopping=True, patience=5).fit(X_train, y_train),
    }
    for seed in SEEDS
}
rows = []
for seed, pair in fits.items():
    for name, fit in pair.items():
        rows.append({
            "seed": seed, "fit": name, "epochs run": fit.n_epochs_,
            "weights of epoch": fit.best_epoch_ if fit.early_stopping else fit.n_epochs_,
            "diagnosis": diagnose(fit).status,
            "test accuracy": fit.score(X_test, y_test),
            "test log-loss": log_loss(y_test, fit.predict_proba(X_test)),
        })
table = pd.DataFrame(rows).set_index(["seed", "fit"])
print(table.to_string(float_format="{:.3f}".format), end="\n\n")
print(table.groupby(level="fit")[["test accuracy", "test log-loss"]].mean().round(3), end="\n\n")

# %%
# Early stopping runs a fraction of the epochs and keeps the best epoch's
# weights. The test accuracy barely moves, but the test log-loss, which
# punishes the over-confident predictions of an overfitted network, is lower.
#
# What diagnose says about seed 0: the early-stopped fit is read as a good
# fit (the weights kept are those of the best epoch), with the number of
# epochs to retrain on all the data.
for name, fit in fits[0].items():
    print(f"seed 0, {name}:")
    print(diagnose(fit), end="\n\n")

# %%
# The figure: training and validation loss of seed 0, without and with early
# stopping; the dot marks the epoch whose weights the model keeps. (Run as a
# script, the example also saves it as a PNG in the folder named by the
# ``SKFIT_EXAMPLES_OUT`` environment variable, by default the current one.)
fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), constrained_layout=True, sharey=True)
for ax, (name, fit) in zip(axes, fits[0].items()):
    LossCurveDisplay.from_estimator(fit, name=name, ax=ax)
    ax.set_title(f"seed 0, {name}: {diagnose(fit).status}")
axes[0].set_ylim(0, 0.6)
path = OUT / "plot_early_stopping.png"
fig.savefig(path, dpi=90)
print(f"saved {path}")
