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
# The sweep: five sizes, three folds each.
sizes = [(), (8,), (32,), (96,), (256,)]
result = capacity_sweep(model, X, y, values=sizes, cv=3)
print(result, end="\n\n")

# %%
# One fit each of the logistic regression and the 96-unit model, read by diagnose.
fits = {size: clone(model).set_params(hidden_layer_sizes=size).fit(X, y) for size in [(), (96,)]}
for size, fit in fits.items():
    print(f"hidden_layer_sizes={size}")
    print(diagnose(fit), end="\n\n")

# %%
fig, axes = plt.subplots(1, 3, figsize=(18, 4.8), constrained_layout=True)
result.plot(ax=axes[0])
for ax, (size, fit) in zip(axes[1:], fits.items()):
    LossCurveDisplay.from_estimator(fit, name=f"hidden_layer_sizes={size}", ax=ax)
    ax.set_title(f"{ax.get_title()}: {diagnose(fit).status}")
path = OUT / "plot_capacity.png"
fig.savefig(path, dpi=90)
print(f"saved {path}")
