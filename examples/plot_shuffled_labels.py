"""
Deep nets can fit anything: shuffled labels
===========================================

Train the same MLP on the digits with their true labels and with the labels
shuffled. On shuffled labels the training loss still falls, because the
network memorizes the training set, while the validation accuracy stays at
chance (0.1). Only the validation curve tells the two apart, and only a
baseline says that 0.1 is worthless: :func:`skfit.diagnose` with
``baseline_score=0.1`` calls the shuffled fit ``"not_generalizing"``.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from skfit import KerasMLPClassifier, diagnose  # noqa: E402
from skfit.diagnostics import LossCurveDisplay  # noqa: E402

SEED = 0
CHANCE = 0.1
OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))
X, y = load_digits(return_X_y=True)
X = X / 16.0
y_shuffled = np.random.RandomState(SEED).permutation(y)


def mlp():
    return KerasMLPClassifier(hidden_layer_sizes=(256,), learning_rate=3e-3, batch_size=16,
                              epochs=60, validation_fraction=0.2, random_state=SEED)


# %%
# Two fits of one network
# -----------------------
# A wide network (256 units, small batches, 60 epochs) is fitted on the true
# labels and on the same labels shuffled, which keeps the class frequencies
# but breaks any link between an image and its label. :func:`skfit.diagnose`
# reads each fit, with chance accuracy (0.1) as the baseline.
fits = {"true labels": mlp().fit(X, y), "shuffled labels": mlp().fit(X, y_shuffled)}
for name, fit in fits.items():
    history = fit.history_
    print(
        f"{name}: training loss {history['loss'][0]:.3f} -> {history['loss'][-1]:.3f}, "
        f"training accuracy {history['accuracy'][-1]:.3f}, "
        f"best validation accuracy {max(history['val_accuracy']):.3f}"
    )
    print(diagnose(fit, baseline_score=CHANCE), end="\n\n")

# %%
# On true labels the network learns, then overfits (its validation loss turns
# up after a few epochs). On shuffled labels the training loss still falls a
# long way, and the training accuracy climbs far above chance: the network
# memorizes the training rows. Its validation accuracy never leaves chance,
# and the diagnosis is ``not_generalizing``, with advice about the inputs,
# not the network.
#
# The figure: training loss (left) falls in both cases; validation accuracy
# (right) tells them apart.
fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), constrained_layout=True)
LossCurveDisplay.from_histories(fits, metrics=("loss",), ax=axes[0])
axes[0].set_title("training loss falls in both cases")
LossCurveDisplay.from_histories(fits, metrics=("val_accuracy",), ax=axes[1])
axes[1].axhline(CHANCE, color="0.5", ls="--", label=f"chance ({CHANCE})")
axes[1].legend(fontsize="small")
axes[1].set_title("validation accuracy: shuffled labels stay at chance")
path = OUT / "plot_shuffled_labels.png"
fig.savefig(path, dpi=90)
print(f"saved {path}")
