"""
Iterated K-fold with shuffling: a precise estimate from little data
===================================================================

With little data, the score of one K-fold cross-validation depends on how the
rows happened to be shuffled into folds: rerun it with another seed and the
estimate moves. Iterated K-fold repeats K-fold P times, reshuffling each time,
and averages all P * K scores. The recipe is one scikit-learn class:
``RepeatedStratifiedKFold`` (``RepeatedKFold`` for regression).

Here, on 150 rows of the breast-cancer data, each protocol is run with 20
different seeds; the spread of its 20 estimates shows how much a single run
of it can be trusted.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    RepeatedStratifiedKFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skfit.model_selection import audit_cv

SEED = 0
rng = np.random.default_rng(SEED)
X_full, y_full = load_breast_cancer(return_X_y=True)
rows = rng.choice(len(y_full), size=150, replace=False)
X, y = X_full[rows], y_full[rows]
model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1))

# %%
# The recipe: 10 repetitions of stratified 5-fold, 50 fits. The audit confirms
# that the splits are clean (no duplicate rows, every class seen in training).
iterated = RepeatedStratifiedKFold(n_splits=5, n_repeats=10, random_state=SEED)
print(f"{iterated.get_n_splits()} splits, audit ok: {audit_cv(iterated, X, y).ok}")
scores = cross_val_score(model, X, y, cv=iterated)
print(f"iterated 5-fold x 10: accuracy {scores.mean():.3f}, std of the 50 scores "
      f"{scores.std():.3f}")


# %%
# How much does each estimate move with the seed? Each protocol is rerun with
# 20 seeds, which reshuffle the rows into folds. The mean over seeds is the
# same for both; the iterated estimate's spread is several times smaller, so a
# single run of it can be trusted to about that precision.
def estimate(n_repeats, seed):
    if n_repeats == 1:
        cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    else:
        cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=n_repeats, random_state=seed)
    return cross_val_score(model, X, y, cv=cv).mean()


seeds = range(20)
single = [estimate(1, seed) for seed in seeds]
repeated = [estimate(10, seed) for seed in seeds]
for name, values in [("single 5-fold", single), ("iterated 5-fold x 10", repeated)]:
    print(f"{name:<21} mean {np.mean(values):.4f}  std over seeds {np.std(values):.4f}"
          f"  range {np.min(values):.3f} to {np.max(values):.3f}")
print(f"spread ratio (single / iterated): {np.std(single) / np.std(repeated):.1f}")

# %%
# The figure: one dot per seed. (Run as a script, the example also saves it
# as a PNG in the folder named by the ``SKFIT_EXAMPLES_OUT`` environment
# variable, by default the current one.)
fig, ax = plt.subplots(figsize=(7, 3.5))
for row, estimates in enumerate([single, repeated]):
    jitter = np.random.default_rng(row).uniform(-0.1, 0.1, len(estimates))
    ax.scatter(estimates, row + jitter, s=25)
ax.set(
    yticks=[0, 1],
    yticklabels=["single 5-fold", "iterated 5-fold x 10"],
    xlabel="cross-validated accuracy (one dot per seed)",
    title="150 rows of breast-cancer data, scaled logistic regression",
    ylim=(-0.5, 1.5),
)
fig.tight_layout()
out = Path(os.environ.get("SKFIT_EXAMPLES_OUT", ".")) / "plot_iterated_kfold.png"
fig.savefig(out, dpi=100)
print(f"saved {out}")
