"""Which features mutual information keeps: on all rows, and on each training part.

Inside the cross-validation the selector is refit on each training part
(the only honest way); this summary repeats those fits to show the user
how stable the selection is, and one fit on all rows for the scores.
"""

import dataclasses

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..utils._docstrings import PARAMETERS
from ..utils._results import Result, axes_or_new
from ._pipeline import make_preprocessor, make_selector

METHOD = ("mutual information (binned estimate), kept when above the feature's noise floor "
          "from 20 shuffled targets (family-wise alpha 0.01)")
LISTED = 12  # dropped features named in the summary; to_dict() and the report list all
LABELLED_FEATURES = 40  # above this, the chart drops its feature names


@dataclasses.dataclass(frozen=True, repr=False)
class SelectionSummary(Result):
    """What the mutual-information selection keeps, on all rows and per training part.

    Parameters
    ----------
    features : list of dict
        One per preprocessed feature, by decreasing score: ``name``,
        ``score`` and ``threshold`` (nats), ``kept`` (on all rows) and
        ``kept_in_folds``.
    n_folds : int
        Training parts the selection was refit on.
    folds_only_best : int
        Training parts where no feature clears its noise floor, so that only
        the best one is kept.
    encoded : bool
        Whether categorical columns were one-hot encoded first.
    """

    features: list
    n_folds: int
    folds_only_best: int
    encoded: bool = False
    method: str = METHOD

    title = "Feature selection: mutual information with the target, above each feature's " \
            "noise floor"
    _summary_table = False

    @property
    def n_features(self):
        return len(self.features)

    @property
    def n_kept(self):
        return sum(f["kept"] for f in self.features)

    @property
    def dropped(self):
        """Names of the features dropped on all rows, by decreasing score."""
        return [f["name"] for f in self.features if not f["kept"]]

    @property
    def verdict(self):
        return f"Feature selection kept {self.n_kept} of {self.n_features} features."

    @property
    def lines(self):
        """The findings, one sentence each."""
        encoded = " (after one-hot encoding)" if self.encoded else ""
        lines = [f"on all rows: kept {self.n_kept} of {self.n_features} features{encoded}"]
        dropped = self.dropped
        if dropped:
            more = (f", ... and {len(dropped) - LISTED} more" if len(dropped) > LISTED else "")
            lines.append(f"dropped: {', '.join(dropped[:LISTED])}{more}")
        lines.append(f"inside the cross-validation the selection is refit on each of the "
                     f"{self.n_folds} training parts; 'kept in folds' counts how often each "
                     "feature survived")
        if self.folds_only_best:
            lines.append(f"in {self.folds_only_best} training parts no feature clears its "
                         "noise floor: only the best one is kept")
        return lines

    def to_frame(self):
        """One row per feature, by decreasing score.

        Returns
        -------
        frame : pandas.DataFrame
            Index ``feature``; columns ``score``, ``threshold``, ``kept``,
            ``kept_in_folds``.
        """
        return pd.DataFrame(self.features).set_index("name").rename_axis("feature")

    def plot(self, ax=None):
        """Bar chart of each feature's score and the noise floor it must exceed.

        Parameters
        ----------
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : SelectionDisplay
            The drawn display (``figure_``, ``ax_``, ``bars_``).
        """
        return SelectionDisplay(self.to_frame(), title=self.verdict.rstrip(".")).plot(ax=ax)

    def _repr_fields(self):
        return {"n_features": self.n_features, "n_kept": self.n_kept, "n_folds": self.n_folds}

    def _summary_lines(self):
        return [self.title, *(f"  {line}" for line in self.lines)]

    def _content(self):
        return {"method": self.method, "features": self.features,
                "n_features": self.n_features, "n_kept": self.n_kept, "n_folds": self.n_folds,
                "folds_only_best": self.folds_only_best}


@PARAMETERS
class SelectionDisplay:
    """Mutual information of each feature (bars) and its noise floor (ticks).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``SelectionSummary.to_frame()``.
    title : str
        Title of the axes.

    Attributes
    ----------
    bars_ : matplotlib BarContainer
    %(ax_)s
    %(figure_)s
    """

    def __init__(self, frame, *, title):
        self.frame = frame
        self.title = title

    def plot(self, ax=None):
        """Draw the chart; return ``self``."""
        from matplotlib.patches import Patch

        ax = axes_or_new(ax)
        positions = np.arange(len(self.frame))
        colors = ["C0" if kept else "0.7" for kept in self.frame["kept"]]
        self.bars_ = ax.bar(positions, self.frame["score"], color=colors, width=0.8)
        (floor,) = ax.plot(positions, self.frame["threshold"], "_", color="k", markersize=8,
                           label="noise floor of each feature")
        if len(self.frame) <= LABELLED_FEATURES:
            ax.set_xticks(positions, list(self.frame.index), rotation=60, ha="right",
                          fontsize="small")
        else:
            ax.set_xticks([])
            ax.set_xlabel(f"the {len(self.frame)} features, by decreasing score")
        ax.set_ylabel("mutual information with the target (nats)")
        ax.set_title(self.title)
        ax.legend(handles=[Patch(color="C0", label="kept"), Patch(color="0.7", label="dropped"),
                           floor], fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self


def summarize_selection(table, folds, seed):
    """Fit the selection on all rows and on each training part; return a SelectionSummary."""
    preprocessor = make_preprocessor(table.numeric, table.categorical)
    selector = make_selector(seed)
    selector.fit(preprocessor.fit_transform(table.X), table.y)
    names = [str(name) for name in selector.feature_names_in_]
    kept_in_folds = dict.fromkeys(names, 0)
    only_best = 0
    for train, _ in folds:
        Xt = clone(preprocessor).fit_transform(table.X.iloc[train])
        fold_selector = clone(selector).fit(Xt, table.y[train])
        only_best += not np.any(fold_selector.scores_ > fold_selector.threshold_)
        for name in fold_selector.get_feature_names_out():
            kept_in_folds[str(name)] = kept_in_folds.get(str(name), 0) + 1
    support = selector.get_support()
    thresholds = np.broadcast_to(selector.threshold_, support.shape)
    order = np.argsort(-selector.scores_, kind="stable")
    features = [
        {"name": names[j], "score": float(selector.scores_[j]),
         "threshold": float(thresholds[j]), "kept": bool(support[j]),
         "kept_in_folds": kept_in_folds[names[j]]}
        for j in order
    ]
    return SelectionSummary(features=features, n_folds=len(folds),
                            folds_only_best=int(only_best), encoded=bool(table.categorical))
