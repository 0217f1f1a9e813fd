"""
Network size, L2 and dropout on bag-of-words reviews
====================================================

The chapter's IMDB experiment in scikit-learn form. Reviews become multi-hot
vectors of the 10,000 most frequent words with
``CountVectorizer(binary=True, max_features=10000)`` (a sparse matrix, which
skfit's networks take as it is), and five networks learn positive from
negative on the same split, 20 epochs of RMSprop in batches of 512:

- the reference network, two hidden layers of 16 units;
- a smaller one (4, 4) and a larger one (512, 512);
- the reference with an L2 penalty of 0.002 on every kernel;
- the reference with dropout 0.5 after each hidden layer.

The book's findings, on the real reviews: the smaller network starts
overfitting later than the reference and degrades more slowly; the larger one
overfits after one epoch, with a noisy validation curve; L2 makes the
reference far more resistant to overfitting; dropout improves on it clearly.

The real reviews come from Keras's cache (:func:`skfit.datasets.load_imdb`,
after ``keras.datasets.imdb.load_data()`` has downloaded them once). Without
them, the example uses :func:`skfit.datasets.make_reviews`, a generated corpus
available offline, and says so; its curves show the same directions of
effect.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402

from skfit import KerasMLPClassifier  # noqa: E402
from skfit.datasets import load_imdb, make_reviews  # noqa: E402

SEED = 0
OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))


def reviews():
    """(texts, labels, source): IMDB's training reviews, or the offline corpus."""
    try:
        (texts, y), _ = load_imdb()
        return texts, y, "IMDB reviews (Keras's cache)"
    except (FileNotFoundError, OSError, ValueError) as error:
        print(f"IMDB not available offline ({type(error).__name__}); using make_reviews")
        texts, y = make_reviews(n_samples=10000, random_state=SEED)
        return texts, y, "make_reviews(10000), a generated corpus"


texts, y, source = reviews()
X = CountVectorizer(binary=True, max_features=10000).fit_transform(texts)
print(f"{source}: {X.shape[0]} reviews x {X.shape[1]} words, {X.nnz / X.shape[0]:.0f} per review")

# %%
# The chapter's settings, each one argument away from skfit's defaults. The
# internal validation split (40%, shuffled and stratified) is the same for
# every variant, because it is drawn from the same ``random_state``.
chapter = dict(epochs=20, batch_size=512, optimizer="rmsprop", learning_rate=1e-3,
               validation_fraction=0.4, random_state=SEED)  # fmt: skip
variants = {
    "reference (16, 16)": dict(hidden_layer_sizes=(16, 16)),
    "smaller (4, 4)": dict(hidden_layer_sizes=(4, 4)),
    "larger (512, 512)": dict(hidden_layer_sizes=(512, 512)),
    "L2 0.002": dict(hidden_layer_sizes=(16, 16), l2=0.002),
    "dropout 0.5": dict(hidden_layer_sizes=(16, 16), dropout=0.5),
}
histories = {}
for name, params in variants.items():
    model = KerasMLPClassifier(**chapter, **params).fit(X, y)
    histories[name] = model.history_
    val = np.asarray(model.history_["val_loss"])
    print(f"{name:20s} lowest val_loss {val.min():.3f} at epoch {val.argmin() + 1:2d}, "
          f"last {val[-1]:.3f} ({val[-1] / val.min() - 1:+.0%}), "
          f"val accuracy at the best epoch {model.history_['val_accuracy'][val.argmin()]:.3f}")  # fmt: skip

# %%
# Validation loss of every variant on one axis, as in the chapter's figures:
# the epoch where a curve turns up is where that network starts overfitting.
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
epochs = np.arange(1, chapter["epochs"] + 1)
for ax, names in zip(axes, [list(variants)[:3], ["reference (16, 16)", "L2 0.002", "dropout 0.5"]]):
    for name in names:
        ax.plot(epochs, histories[name]["val_loss"], marker="o", markersize=3, label=name)
    ax.set(xlabel="epoch", title="network size" if "smaller (4, 4)" in names else "regularization")
    ax.legend()
axes[0].set_ylabel("validation loss")
fig.suptitle(source)
fig.tight_layout()
fig.savefig(OUT / "plot_text_overfitting.png")
