"""
Cannot overfit? Add capacity until returns diminish
===================================================

A model that cannot overfit lacks capacity: its validation loss plateaus and
never turns up. The chapter's example is a logistic regression on MNIST
against a model with 96-unit hidden layers that fits fast and starts
overfitting after a few epochs. On digits, ``hidden_layer_sizes=()`` is that
logistic regression. :func:`skfit.capacity_sweep` fits every size on the same
folds and recommends the smallest whose mean lowest validation loss is within
one standard error of the best: where returns diminish.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from skfit import KerasMLPClassifier, capacity_sweep, diagnose  # noqa: E402
from skfit.diagnostics import LossCurveDisplay  # noqa: E402

SEED = 0
OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))
X, y = load_digits(return_X_y=True)
X = X / 16.0
# Small batches and a 20% validation set: overfitting shows within 80 epochs.
model = KerasMLPClassifier(learning_rate=3e-3, batch_size=16, epochs=80,
                           validation_fraction=0.2, random_state=SEED)

# %%
# The sweep
# ---------
# Five sizes, from no hidden layer to 256 units, three folds each. Each row
# gives the mean lowest validation loss and its standard error, the mean best
# epoch, the test score and the most common verdict. Small models reach their
# lowest validation loss late, or never turn up (underfitting); the larger
# the model, the sooner it reaches its minimum and starts to overfit. The recommendation is
# the smallest size within one standard error of the best; when the largest
# size is still the best, returns have not yet diminished in the range swept.
sizes = [(), (8,), (32,), (96,), (256,)]
result = capacity_sweep(model, X, y, values=sizes, cv=3)
print(result, end="\n\n")

# %%
# Two fits, read by diagnose
# --------------------------
# One fit each of the logistic regression and of the 96-unit model. The
# first is still falling after 80 epochs (``underfitting``: train longer, add
# capacity); the second overfits, and the diagnosis says from which epoch.
fits = {size: clone(model).set_params(hidden_layer_sizes=size).fit(X, y) for size in [(), (96,)]}
for size, fit in fits.items():
    print(f"hidden_layer_sizes={size}")
    print(diagnose(fit), end="\n\n")

# %%
# The figure: the sweep's mean validation-loss curves (left), and training
# vs validation loss of the two single fits. (Run as a script, the example
# also saves it as a PNG in the folder named by the ``SKFIT_EXAMPLES_OUT``
# environment variable, by default the current one.)
fig, axes = plt.subplots(1, 3, figsize=(18, 4.8), constrained_layout=True)
result.plot(ax=axes[0])
for ax, (size, fit) in zip(axes[1:], fits.items()):
    LossCurveDisplay.from_estimator(fit, name=f"hidden_layer_sizes={size}", ax=ax)
    ax.set_title(f"{ax.get_title()}: {diagnose(fit).status}")
path = OUT / "plot_capacity.png"
fig.savefig(path, dpi=90)
print(f"saved {path}")
