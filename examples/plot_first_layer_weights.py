"""
The first layer's weights, as scikit-learn draws them
=====================================================

scikit-learn's gallery looks at what an ``MLPClassifier`` learned by drawing
the columns of its first weight matrix, ``coefs_[0]``, as images: each hidden
unit's weights over the pixels. skfit's MLPs keep the same attribute, in the
same layout (``coefs_[i]`` of shape (units in, units out)), so the script runs
with ``KerasMLPClassifier`` in its place. Here on scikit-learn's bundled
digits (8 x 8 pixels) rather than MNIST, which would be downloaded: with few
hidden units and few epochs, as there, the weights are still rough, but
strokes of the digits show.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skfit import KerasMLPClassifier as MLPClassifier  # noqa: E402  (the only change)

OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))
X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=30, alpha=1e-4, solver="sgd",
                    random_state=1, learning_rate_init=0.1)
mlp.fit(X_train, y_train)
print(f"Training set score: {mlp.score(X_train, y_train):.3f}")
print(f"Test set score: {mlp.score(X_test, y_test):.3f}")

# %%
# Each hidden unit's weights over the 8 x 8 pixels
# ------------------------------------------------
fig, axes = plt.subplots(4, 4, figsize=(6, 6))
# use global min / max to ensure all weights are shown on the same scale
vmin, vmax = mlp.coefs_[0].min(), mlp.coefs_[0].max()
for coef, ax in zip(mlp.coefs_[0].T, axes.ravel()):
    ax.matshow(coef.reshape(8, 8), cmap=plt.cm.gray, vmin=0.5 * vmin, vmax=0.5 * vmax)
    ax.set_xticks(())
    ax.set_yticks(())
fig.savefig(OUT / "first_layer_weights.png", dpi=80)
