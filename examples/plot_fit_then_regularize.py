"""
Fit, then regularize: the chapter's procedure as a search
==========================================================

"Your initial goal is to achieve a model that shows some generalization power
and that is able to overfit. Once you have such a model, you'll focus on
refining generalization by fighting overfitting."
:class:`~skfit.model_selection.FitThenRegularizeSearchCV` takes those steps by
itself, reading the curves of each configuration it tries on folds shared by
every configuration and by the Dummy baselines: it gets training started, checks that the model beats
the baselines, grows epochs and capacity until the validation loss turns up,
then tries early stopping, a smaller size, L2, dropout and L1 from the model
that overfits, and keeps what scores best.

Here it tunes a small MLP on digits with 64 columns of uniform noise appended
(the book's noise channels), from a deliberately weak start: 8 hidden units
and 10 epochs. The search runs on a training part; a test part, touched once
at the end, compares the tuned model with its starting point. The figure shows
the validation loss of every configuration on one axis, as the chapter's
figures of model variants do.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402

from skfit import FitThenRegularizeSearchCV, KerasMLPClassifier  # noqa: E402
from skfit.datasets import load_digits_channels  # noqa: E402

SEED = 0
OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))
X, y = load_digits_channels("noise", return_X_y=True)  # 64 pixels + 64 noise columns
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                    random_state=SEED)
start = KerasMLPClassifier(hidden_layer_sizes=(8,), epochs=10, batch_size=32,
                           validation_fraction=0.2, random_state=SEED)

# %%
# The search: 3 shared folds, at most 61 fits (the refit included).
search = FitThenRegularizeSearchCV(start, cv=StratifiedKFold(3, shuffle=True,
                                                             random_state=SEED),
                                   max_fits=61, random_state=SEED)
search.fit(X_train, y_train)
print(search.path_, end="\n\n")

# %%
# The chosen configuration against the start, knob by knob, and on the test part.
print(search.path_.configurations(), end="\n\n")
baseline = search.path_.baseline
print(f"test accuracy: start {clone(start).fit(X_train, y_train).score(X_test, y_test):.3f}, "
      f"tuned {search.score(X_test, y_test):.3f} "
      f"(best baseline in cross-validation, {baseline.best_baseline}: "
      f"{baseline.baseline_scores[baseline.best_baseline].mean():.3f})")

# %%
fig, ax = plt.subplots(figsize=(10, 6), constrained_layout=True)
search.path_.plot(ax=ax)
ax.legend(fontsize="x-small", ncols=2)
path = OUT / "plot_fit_then_regularize.png"
fig.savefig(path, dpi=90)
print(f"saved {path}")
