"""Which features mutual information keeps: on all rows, and on each training part.

Inside the cross-validation the selector is refit on each training part
(the only honest way); this summary repeats those fits to show the user
how stable the selection is, and one fit on all rows for the scores.
"""

import numpy as np
from sklearn.base import clone

from ._pipeline import make_preprocessor, make_selector

METHOD = ("mutual information (binned estimate), kept when above the feature's noise floor "
          "from 20 shuffled targets (family-wise alpha 0.01)")


def summarize_selection(table, folds, seed):
    """Return the selection summary as a JSON-ready dict.

    Keys: ``method``; ``features`` (one dict per preprocessed feature, by
    decreasing score: ``name``, ``score`` and ``threshold`` in nats,
    ``kept`` on all rows, ``kept_in_folds``); ``n_features``, ``n_kept``,
    ``n_folds``; ``folds_only_best``, the number of training parts where no
    feature clears its noise floor, so that only the best one is kept.
    """
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
    order = np.argsort(-selector.scores_, kind="stable")
    features = [
        {"name": names[j], "score": float(selector.scores_[j]),
         "threshold": float(np.broadcast_to(selector.threshold_, support.shape)[j]),
         "kept": bool(support[j]), "kept_in_folds": kept_in_folds[names[j]]}
        for j in order
    ]
    return {
        "method": METHOD,
        "features": features,
        "n_features": len(names),
        "n_kept": int(support.sum()),
        "n_folds": len(folds),
        "folds_only_best": int(only_best),
    }
