"""
Does the model beat a common-sense baseline?
============================================

"If you can't beat a trivial solution, your model is worthless." This example
runs a small Keras MLP and the trivial solutions (``DummyClassifier``
most_frequent, prior, stratified and uniform) on the *same* cross-validation
folds with :func:`skfit.compare_to_baseline`, and refits the MLP on shuffled
labels, in three situations from the chapter:

1. digits: the MLP beats chance (0.1) by a wide margin, with a tiny p-value,
   and its shuffled-label refits stay at chance;
2. digits with shuffled labels: there is nothing to learn, and the MLP does
   not beat the baseline;
3. a 90/10 binary target with random features: the majority baseline already
   scores 0.9, and a model that scores about 0.9 has learned nothing.

The p-value is the one-sided Nadeau-Bengio corrected resampled t-test of the
per-fold differences between the model and the best baseline.
"""

# %%
# A small MLP (32 units, 10 epochs) is the model throughout; the data are
# scikit-learn's digits, pixels scaled to [0, 1].
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from skfit import KerasMLPClassifier, compare_to_baseline  # noqa: E402

SEED = 0
OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))
rng = np.random.RandomState(SEED)


def small_mlp():
    return KerasMLPClassifier(
        hidden_layer_sizes=(32,), learning_rate=1e-2, epochs=10, random_state=SEED
    )


# %%
# 1. Digits
# ---------
# The model against the four Dummy baselines and 19 refits on shuffled labels,
# all on the same 5 folds. ``print`` gives the verdict, the means, and a
# sentence for each test; ``to_frame()`` the per-split scores, paired by
# split.
X, y = load_digits(return_X_y=True)
X = X / 16.0
digits = compare_to_baseline(small_mlp(), X, y, cv=5, n_permutations=19, random_state=SEED)
print(digits, end="\n\n")
print(digits.to_frame().round(3), end="\n\n")

# %%
# The model beats the best baseline by a wide margin, with a tiny p-value;
# its shuffled-label refits score like the baselines, and with 19 of them the
# permutation p-value reaches its floor, 1/20.
#
# 2. Shuffled labels
# ------------------
# The inputs no longer hold any information about the target.
shuffled = compare_to_baseline(small_mlp(), X, rng.permutation(y), cv=5, random_state=SEED)
print(shuffled, end="\n\n")

# %%
# The margin over the baselines is within the fold-to-fold noise: the model
# does not beat them.
#
# 3. A 90/10 target
# -----------------
# A binary target with 90% of one class, and five features of pure noise.
y_imbalanced = rng.permutation(np.r_[np.zeros(900, dtype=int), np.ones(100, dtype=int)])
X_noise = rng.normal(size=(1000, 5))
imbalanced = compare_to_baseline(
    small_mlp(), X_noise, y_imbalanced, cv=5, random_state=SEED
)
print(imbalanced, end="\n\n")

# %%
# The majority baseline already scores 0.9. A model that scores about 0.9
# here looks good and has learned nothing, and the report says so.
#
# The figure: per-split scores of the model, the baselines and (for digits)
# the mean of the shuffled-label refits, for the three situations. (Run as a
# script, the example also saves it as a PNG in the folder named by the
# ``SKFIT_EXAMPLES_OUT`` environment variable, by default the current one.)
fig, axes = plt.subplots(1, 3, figsize=(17, 4.8), constrained_layout=True)
for ax, report, title in zip(
    axes,
    (digits, shuffled, imbalanced),
    ("digits", "digits, shuffled labels", "90/10 target, random features"),
):
    report.plot(ax=ax)
    ax.set_title(f"{title}\n{ax.get_title()}")
path = OUT / "plot_baselines.png"
fig.savefig(path, dpi=90)
print(f"saved {path}")
print(
    f"digits: model {digits.model_scores.mean():.3f}, best baseline {digits.best_baseline} "
    f"{digits.baseline_scores[digits.best_baseline].mean():.3f}, p = {digits.p_value:.2g}, "
    f"permutation p = {digits.permutation_p_value:.2g}"
)
print(f"shuffled labels: margin {shuffled.margin:+.3f}, p = {shuffled.p_value:.2g}")
print(
    f"90/10: majority {imbalanced.baseline_scores['most_frequent'].mean():.3f}, "
    f"model {imbalanced.model_scores.mean():.3f}, beats baseline: {imbalanced.beats_baseline}"
)
