"""
Two silent leaks, found and fixed: duplicate rows and class-sorted data
========================================================================

A score can look fine and be wrong. Two of the chapter's pitfalls:

* **Redundancy**: when a row appears more than once, a shuffled K-fold puts
  copies of a validation row into training, and the model is graded on rows it
  has memorized. :func:`~skfit.model_selection.audit_cv` counts these rows;
  :class:`~skfit.model_selection.DeduplicatedKFold` keeps every set of
  identical rows on one side of each split.
* **Representativeness**: on data sorted by class, an unshuffled K-fold trains
  on some classes and validates on others. The audit flags the split; shuffling
  (or stratifying) fixes it.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)
from sklearn.neighbors import KNeighborsClassifier

from skfit.model_selection import DeduplicatedKFold, audit_cv, duplicate_groups

SEED = 0
rng = np.random.default_rng(SEED)

# %%
# Redundancy
# ----------
# 2,000 rows of a noisy problem (20% of labels flipped), of which 800 appear
# twice or three times, as happens with merged or scraped data. 5,000 more rows
# from the same source, never seen by any protocol, give the true accuracy.
X_all, y_all = make_classification(
    n_samples=7000, n_features=10, n_informative=5, flip_y=0.2, random_state=SEED
)
X_fresh, y_fresh = X_all[2000:], y_all[2000:]
copies = rng.choice(2000, size=800, replace=False)
extra = np.concatenate([copies, copies[:300]])
order = rng.permutation(2000 + len(extra))
X = np.vstack([X_all[:2000], X_all[extra]])[order]
y = np.concatenate([y_all[:2000], y_all[extra]])[order]
groups = duplicate_groups(X)
print(f"{len(X)} rows, {groups.max() + 1} distinct, {len(X) - groups.max() - 1} copies")

# %%
# The audit of a shuffled K-fold finds copies of validation rows in the
# training part of every split; the same audit of
# :class:`~skfit.model_selection.DeduplicatedKFold` finds none.
model = KNeighborsClassifier(n_neighbors=1)
shuffled = KFold(5, shuffle=True, random_state=SEED)
dedup = DeduplicatedKFold(5, shuffle=True, random_state=SEED)
print(audit_cv(shuffled, X, y))
print()
print(audit_cv(dedup, X, y))

# %%
# Each protocol's score against the truth it claims to estimate: the accuracy
# of the same fold models on the fresh rows. A 1-nearest-neighbour model
# memorizes its training rows, so every validation row with a copy in
# training is answered perfectly, and the shuffled K-fold's estimate lands
# far above the accuracy on fresh data. The deduplicated estimate matches it.
def cv_and_fresh(cv):
    result = cross_validate(model, X, y, cv=cv, return_estimator=True)
    fresh = [fitted.score(X_fresh, y_fresh) for fitted in result["estimator"]]
    return result["test_score"].mean(), np.mean(fresh)


leaky, leaky_truth = cv_and_fresh(shuffled)
honest, honest_truth = cv_and_fresh(dedup)
print(f"KFold(shuffle=True)  CV accuracy {leaky:.3f}   fresh data {leaky_truth:.3f}")
print(f"DeduplicatedKFold    CV accuracy {honest:.3f}   fresh data {honest_truth:.3f}")


# %%
# Representativeness
# ------------------
# The digits, sorted by class. Unshuffled 5-fold: each validation fold holds
# classes that training never saw, and the model scores no better than chance. The
# audit lists the unseen classes per fold; shuffling (or stratifying) the
# folds fixes it.
X_digits, y_digits = load_digits(return_X_y=True)
by_class = np.argsort(y_digits, kind="stable")
X_sorted, y_sorted = X_digits[by_class], y_digits[by_class]
knn = KNeighborsClassifier(n_neighbors=3)
protocols = {
    "KFold(5)": KFold(5),
    "KFold(5, shuffle=True)": KFold(5, shuffle=True, random_state=SEED),
    "StratifiedKFold(5)": StratifiedKFold(5),
}
digit_scores = {}
for name, cv in protocols.items():
    audit = audit_cv(cv, X_sorted, y_sorted)
    digit_scores[name] = cross_val_score(knn, X_sorted, y_sorted, cv=cv)
    print(
        f"{name:<24} accuracy {digit_scores[name].mean():.3f}  audit ok={audit.ok}  "
        f"unseen classes per fold: {[s.unseen_classes for s in audit.splits]}"
    )

# %%
# The figure: the leaky protocols (red) against the fixed ones. (Run as a
# script, the example also saves it as a PNG in the folder named by the
# ``SKFIT_EXAMPLES_OUT`` environment variable, by default the current one.)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
positions = np.arange(2)
left.bar(
    positions - 0.2, [leaky, honest], 0.4, label="cross-validation", color="tab:red"
)
left.bar(
    positions + 0.2, [leaky_truth, honest_truth], 0.4, label="fresh data", color="0.6"
)
left.set_xticks(positions, ["KFold(shuffle=True)", "DeduplicatedKFold"])
left.set(ylim=(0.5, 1.0), ylabel="accuracy", title="Duplicate rows, 1-NN")
left.legend(loc="upper right")
right.bar(
    [name.replace(", ", ",\n") for name in digit_scores],
    [scores.mean() for scores in digit_scores.values()],
    color=["tab:red", "tab:green", "tab:green"],
)
right.set(ylim=(0, 1.0), ylabel="accuracy", title="Digits sorted by class, 3-NN")
fig.tight_layout()
out = Path(os.environ.get("SKFIT_EXAMPLES_OUT", ".")) / "plot_leaks.png"
fig.savefig(out, dpi=100)
print(f"saved {out}")
