"""
The arrow of time: forward-chaining splits with a gap
=====================================================

When the goal is to predict the future, validation rows must come after the
training rows. A shuffled K-fold lets the model train on the days around each
validation day, so it interpolates instead of forecasting, and the score is far
better than what the model will do on the days to come.

The recipe is scikit-learn's own ``TimeSeriesSplit``: each split trains on a
prefix of the time-sorted rows and validates on the rows that follow, and
``gap`` leaves out the rows just before the validation block, whose targets
overlap it. :func:`~skfit.model_selection.audit_cv` with ``time=`` counts the
validation rows that are earlier than the latest training row.
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import KFold, TimeSeriesSplit, cross_val_score
from sklearn.neighbors import KNeighborsRegressor

from skfit.model_selection import audit_cv, train_val_test_split

SEED = 0
rng = np.random.default_rng(SEED)

# %%
# Daily demand that drifts (a random walk) with a weekly cycle. The features
# are the number of customers so far (a running total) and the day of the
# week. The running total identifies *when* a row is, which is all a model
# needs to interpolate between neighbouring days.
n_days = 1000
day = np.arange(n_days)
level = np.cumsum(rng.normal(0, 1, n_days))
customers = np.cumsum(rng.poisson(5, n_days))
weekday = day % 7
y = level + 3 * np.sin(2 * np.pi * weekday / 7) + rng.normal(0, 0.5, n_days)
X = np.column_stack([customers, weekday])
model = KNeighborsRegressor(n_neighbors=5)

# %%
# Audit both protocols, passing each row's time: the shuffled K-fold trains on
# the future in every split (nearly every validation row is earlier than the
# latest training row), while forward chaining never does.
shuffled = KFold(5, shuffle=True, random_state=SEED)
forward = TimeSeriesSplit(n_splits=5, gap=7)
print(audit_cv(shuffled, X, y, time=day))
print()
print(audit_cv(forward, X, y, time=day))

# %%
# Scores, and the truth: train on the first 80% of the days, forecast the rest
# once (``train_val_test_split`` with ``shuffle=False`` keeps time order).
scoring = "neg_mean_absolute_error"
mae_shuffled = -cross_val_score(model, X, y, cv=shuffled, scoring=scoring)
mae_forward = -cross_val_score(model, X, y, cv=forward, scoring=scoring)
X_past, _, X_future, y_past, _, y_future = train_val_test_split(
    X, y, val_size=7, test_size=0.2, shuffle=False
)
mae_future = mean_absolute_error(y_future, model.fit(X_past, y_past).predict(X_future))
print(f"KFold(shuffle=True)        MAE {mae_shuffled.mean():6.2f}")
print(f"TimeSeriesSplit(gap=7)     MAE {mae_forward.mean():6.2f}")
print(f"the future (last 20%)      MAE {mae_future:6.2f}")
print(f"per forward split          MAE {np.round(mae_forward, 2)}")

# %%
# The shuffled K-fold measures how well the model *interpolates* between known
# days; forward chaining measures how well it *forecasts*, the task at hand.
# Forecast errors vary a lot from one period to the next (see the per-split
# errors), so the one future period differs from their mean; but both are
# forecasting errors, and both are far above the shuffled estimate.

# %%
# The figure: where each split of TimeSeriesSplit trains, skips and validates,
# and the three error estimates. (Run as a script, the example also saves it
# as a PNG in the folder named by the ``SKFIT_EXAMPLES_OUT`` environment
# variable, by default the current one.)
fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), height_ratios=[2, 1])
for i, (train, test) in enumerate(forward.split(X)):
    top.plot(train, np.full(len(train), i), color="tab:blue", linewidth=6)
    top.plot(test, np.full(len(test), i), color="tab:orange", linewidth=6)
top.plot([], [], color="tab:blue", linewidth=6, label="training")
top.plot([], [], color="tab:orange", linewidth=6, label="validation (7-day gap before)")
top.set(
    xlabel="day",
    ylabel="split",
    yticks=range(5),
    ylim=(-0.6, 5.2),
    title="TimeSeriesSplit(n_splits=5, gap=7)",
)
top.legend(loc="upper left", ncol=2)
bottom.barh(
    ["KFold(shuffle=True)", "TimeSeriesSplit(gap=7)", "the future"],
    [mae_shuffled.mean(), mae_forward.mean(), mae_future],
    color=["tab:red", "tab:green", "0.5"],
)
bottom.set(xlabel="mean absolute error (lower looks better)")
fig.tight_layout()
out = Path(os.environ.get("SKFIT_EXAMPLES_OUT", ".")) / "plot_time_split.png"
fig.savefig(out, dpi=100)
print(f"saved {out}")
