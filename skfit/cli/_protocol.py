"""Choose the evaluation protocol from the data, say why, and draw its folds once."""

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import (
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    TimeSeriesSplit,
)

from ._errors import InputError

SMALL_DATA = 1000
MIN_ROWS_PER_FOLD = 5


@dataclass(frozen=True)
class Protocol:
    """The chosen splitter, the reason for it, and its folds, drawn once.

    Every model, baseline and permutation is scored on ``folds``, so all
    scores are paired split by split.
    """

    kind: str
    splitter: object
    reason: str
    folds: list

    @property
    def description(self):
        return repr(self.splitter)


def choose_protocol(table, *, cv, folds, repeats, seed, n_duplicate_rows):
    """Return the :class:`Protocol` for ``--cv``, checking that the data allows it.

    ``cv="auto"`` picks, in this order: a time split when there is a time
    column; deduplicated K-fold when rows repeat or a group column is given;
    repeated K-fold below ``SMALL_DATA`` rows; shuffled K-fold otherwise.
    """
    n_rows = len(table.X)
    if table.groups is not None and cv not in ("auto", "dedup"):
        raise InputError(f"--group-column needs --cv auto or dedup, the splits that keep each "
                         f"group on one side; got --cv {cv}.")
    if cv == "auto":
        cv, reason = _auto(table, n_rows, n_duplicate_rows, repeats)
    elif cv == "time" and table.time is None:
        reason = ("--cv time without --time-column: the order of the rows in the file is "
                  "taken as their time order")
    else:
        reason = f"--cv {cv}"
    if cv == "time" and table.groups is not None:
        raise InputError("--group-column cannot be honoured by a time split; leave out "
                         "--time-column or --group-column, or pass --cv dedup.")
    _check_size(table, cv, folds, n_rows)
    splitter = _splitter(cv, table.task, folds, repeats, seed)
    try:
        drawn = list(splitter.split(table.X, table.y, table.groups))
    except ValueError as exc:
        raise InputError(f"cannot split {n_rows} rows into {folds} folds: {exc}") from None
    if table.task == "classification":
        _check_training_classes(drawn, table.y)
    return Protocol(kind=cv, splitter=splitter, reason=reason, folds=drawn)


def _auto(table, n_rows, n_duplicate_rows, repeats):
    if table.time is not None:
        return "time", (f"a time column ({table.time_column!r}) is given: each validation "
                        "part must come after its training part (the arrow of time), so the "
                        "rows are never shuffled")
    if table.groups is not None:
        return "dedup", (f"rows sharing a value of {table.group_column!r} must stay on one "
                         "side of every split" + (f", and so must the {n_duplicate_rows} rows "
                                                  "that repeat an earlier row"
                                                  if n_duplicate_rows else ""))
    if n_duplicate_rows:
        return "dedup", (f"{n_duplicate_rows} rows repeat an earlier row: a copy in validation "
                         "of a training row would score memory, not generalization, so "
                         "identical rows stay on one side of every split")
    if n_rows < SMALL_DATA:
        return "repeated", (f"{n_rows} rows (fewer than {SMALL_DATA}): one K-fold estimate "
                            f"depends on the shuffle, so {repeats} reshuffled K-folds are "
                            "averaged for a precise estimate")
    return "kfold", (f"{n_rows} rows, no time column, no duplicate rows: shuffled K-fold "
                     "(shuffled, so that rows sorted by class cannot hide a class from "
                     "training)")


def inner_splitter(kind, task, folds, seed):
    """The splitter of a search run inside the training parts of a ``kind`` protocol.

    It keeps the outer protocol's rule: time order for a time split,
    identical rows together for a deduplicated one (the group column, which
    the inner search does not see, is honoured by the outer splits), classes
    balanced for classification (``DeduplicatedKFold`` stratifies a
    categorical target by itself).
    """
    if kind == "time":
        return TimeSeriesSplit(n_splits=folds)
    return _splitter("dedup" if kind == "dedup" else "kfold", task, folds, 1, seed)


def _splitter(cv, task, folds, repeats, seed):
    stratified = task == "classification"
    if cv == "time":
        return TimeSeriesSplit(n_splits=folds)
    if cv == "dedup":
        from .. import DeduplicatedKFold

        return DeduplicatedKFold(n_splits=folds, shuffle=True, random_state=seed)
    if cv == "repeated":
        splitter = RepeatedStratifiedKFold if stratified else RepeatedKFold
        return splitter(n_splits=folds, n_repeats=repeats, random_state=seed)
    splitter = StratifiedKFold if stratified else KFold
    return splitter(n_splits=folds, shuffle=True, random_state=seed)


def _check_size(table, cv, folds, n_rows):
    parts = folds + 1 if cv == "time" else folds
    needed = parts * MIN_ROWS_PER_FOLD
    if n_rows < needed:
        raise InputError(f"too few rows for {folds} folds: {n_rows} rows, and --cv {cv} needs "
                         f"at least {needed} ({MIN_ROWS_PER_FOLD} per part); lower --folds "
                         "or add rows.")
    if table.task != "classification" or cv == "time":
        return
    classes, counts = np.unique(table.y, return_counts=True)
    if counts.min() < folds:
        rare = classes.tolist()[int(np.argmin(counts))]
        raise InputError(f"too few rows for {folds} folds: class {rare!r} of "
                         f"{table.target!r} has {counts.min()} rows, and every fold needs one; "
                         "lower --folds, or merge or drop the rare class.")


def _check_training_classes(folds, y):
    for number, (train, _) in enumerate(folds, start=1):
        classes = np.unique(y[train])
        if len(classes) < 2:
            raise InputError(f"the training part of split {number} ({len(train)} rows) holds "
                             f"only class {classes.tolist()[0]!r}: lower --folds, or check the target "
                             "over time.")
