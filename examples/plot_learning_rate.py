"""
Training does not get started: the learning rate
================================================

The first step of the chapter's workflow is a model that trains at all. With
RMSprop and a learning rate of 1.0 the training loss of a digits MLP blows up
in the first epoch and then stalls near chance; with 1e-2 it falls steadily.
:func:`skfit.learning_rate_sweep` fits every rate on the same folds, keeps
every history, and recommends the largest rate that trains stably on every
fold; :func:`skfit.diagnose` says why the others fail.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from skfit import KerasMLPClassifier, diagnose, learning_rate_sweep  # noqa: E402
from skfit.diagnostics import LossCurveDisplay  # noqa: E402

SEED = 0
OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))
X, y = load_digits(return_X_y=True)
X = X / 16.0
model = KerasMLPClassifier(hidden_layer_sizes=(96,), batch_size=128, epochs=20, random_state=SEED)

# %%
# The sweep
# ---------
# Five learning rates, three folds each; RMSprop is the default optimizer.
# ``print`` gives the recommendation and its rule, then one row per rate:
# the mean lowest validation loss, the mean best epoch, the test score, on how
# many folds the training loss fell, and the most common verdict.
result = learning_rate_sweep(model, X, y, values=[1e-3, 1e-2, 1e-1, 0.3, 1.0], cv=3)
print(result, end="\n\n")

# %%
# The two largest rates do not train on any fold. The recommendation is the
# largest rate that trains on every fold; it is not always the rate with the
# lowest validation loss, which the table shows too.
#
# The book's two rates
# --------------------
# One fit at each of the book's two rates, read by :func:`skfit.diagnose`.
# At 1.0 the training loss blows up in the first epoch, then stalls: the
# diagnosis is ``not_training``, and the first advice is a lower rate.
fits = {lr: clone(model).set_params(learning_rate=lr).fit(X, y) for lr in (1.0, 1e-2)}
for lr, fit in fits.items():
    print(f"learning_rate={lr:g}: final training accuracy {fit.history_['accuracy'][-1]:.2f}")
    print(diagnose(fit), end="\n\n")

# %%
# The figure: the sweep's mean training-loss curves on a log scale (left), and
# the training accuracy of the two single fits (right). (Run as a script, the
# example also saves it as a PNG in the folder named by the
# ``SKFIT_EXAMPLES_OUT`` environment variable, by default the current one.)
fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), constrained_layout=True)
result.plot(ax=axes[0])
LossCurveDisplay.from_histories(
    {f"learning_rate={lr:g}": fit for lr, fit in fits.items()}, metrics=("accuracy",),
    ax=axes[1],
)
axes[1].set_title("training accuracy: 1.0 stalls near chance, 1e-2 trains")
path = OUT / "plot_learning_rate.png"
fig.savefig(path, dpi=90)
print(f"saved {path}")
