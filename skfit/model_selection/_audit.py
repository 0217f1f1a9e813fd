"""Audit train/validation splits for the leaks that make a score look fine and be wrong.

For every split: rows in both parts, validation rows identical to a training
row (redundancy), validation rows earlier than the latest training row when a
time is given (the arrow of time), classes in validation never seen in
training, and an unshuffled split of data sorted by class (representativeness).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import check_cv
from sklearn.utils import check_array, indexable
from sklearn.utils.multiclass import type_of_target

from ..utils._docstrings import PARAMETERS
from ..utils._results import Result, axes_or_new
from ..utils.fixes import _num_samples, validate_params
from ..utils.validation import check_target
from ._duplicates import duplicate_groups

_CHECKS = {  # column: (name in the summary, what a nonzero value means)
    "n_overlap": ("overlap", "rows in both training and validation"),
    "n_duplicates": ("duplicates", "validation rows identical to a training row"),
    "n_temporal": (
        "time order",
        "validation rows earlier than the latest training row",
    ),
    "unseen_classes": ("unseen classes", "classes in validation absent from training"),
    "class_sorted_unshuffled": (
        "class-sorted",
        "contiguous validation block of data sorted by class",
    ),
}
_SKIPPED = {
    "n_temporal": "pass time=",
    "unseen_classes": "pass class labels y=",
    "class_sorted_unshuffled": "pass class labels y=",
}


@dataclass(frozen=True)
class SplitAudit:
    """The leak counts of one train/validation split.

    ``None`` marks a check that was not run: ``n_temporal`` without a time,
    the class checks without class labels ``y``.
    """

    n_train: int
    n_test: int
    n_overlap: int
    n_duplicates: int
    n_temporal: int | None
    unseen_classes: tuple | None
    class_sorted_unshuffled: bool | None

    @property
    def ok(self):
        """True when no check found a leak."""
        return not any(getattr(self, column) for column in _CHECKS)


@dataclass(frozen=True, repr=False)
class AuditResult(Result):
    """The leak audit of one or more train/validation splits.

    Returned by :func:`audit_split` and :func:`audit_cv`. It speaks skfit's
    results protocol: a one-line ``repr``, ``summary()`` (also what
    ``print`` shows), ``to_dict()``, ``to_frame()`` and ``plot()``.

    Parameters
    ----------
    splits : tuple of SplitAudit
        One record per split, in the order the splits were given.
    n_samples : int
        Number of rows in ``X``.
    n_duplicate_rows : int
        Rows of ``X`` identical to an earlier row (whether or not a split
        separates them).

    Attributes
    ----------
    ok : bool
        True when no split has any leak; the verdict, "ok, no leak found"
        or "LEAKS FOUND", opens the summary.
    findings : list of str
        One line per check (overlap, duplicates, time order, unseen classes,
        class-sorted): "ok", "not checked" with what to pass, or "LEAK in k
        of n splits" with what leaks.

    See Also
    --------
    audit_cv : Audit every split of a cross-validator.
    audit_split : Audit one split.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold
    >>> from skfit.model_selection import audit_cv
    >>> X = np.array([[0], [1], [2], [0], [1], [2]])
    >>> result = audit_cv(KFold(2), X, y=[0, 0, 0, 1, 1, 1])
    >>> result
    AuditResult(n_splits=2, n_samples=6, ok=False, leaks=['duplicates', 'unseen classes', 'class-sorted'])
    >>> frame = result.to_frame()
    >>> frame[["n_duplicates", "unseen_classes"]]  # doctest: +NORMALIZE_WHITESPACE
           n_duplicates unseen_classes
    split
    0                 3           (0,)
    1                 3           (1,)
    """

    splits: tuple
    n_samples: int
    n_duplicate_rows: int

    @property
    def ok(self):
        return all(split.ok for split in self.splits)

    @property
    def findings(self):
        return [self._check_line(column) for column in _CHECKS]

    def to_frame(self):
        """One row per split, one column per count, plus an ``ok`` column.

        Returns
        -------
        frame : pandas.DataFrame
            Indexed by split number (named ``"split"``).
        """
        frame = pd.DataFrame(
            [vars(split) for split in self.splits],
            columns=["n_train", "n_test", *_CHECKS],
        )
        frame["ok"] = [split.ok for split in self.splits]
        frame.index.name = "split"
        return frame

    @PARAMETERS
    def plot(self, ax=None):
        """Plot, for each split, its validation rows and those that leak.

        Parameters
        ----------
        %(ax)s

        Returns
        -------
        display : AuditDisplay
            The drawn display (``figure_``, ``ax_``, ``bars_``).
        """
        return AuditDisplay(self.to_frame(), verdict=self._verdict()).plot(ax=ax)

    def _verdict(self):
        return "ok, no leak found" if self.ok else "LEAKS FOUND"

    def _repr_fields(self):
        leaks = [_CHECKS[column][0] for column in _CHECKS
                 if any(getattr(split, column) for split in self.splits)]
        return {"n_splits": len(self.splits), "n_samples": self.n_samples, "ok": self.ok,
                "leaks": leaks}

    def _summary_lines(self):
        return [
            f"Leak audit of {len(self.splits)} split(s) of {self.n_samples} rows: "
            f"{self._verdict()}",
            f"  X holds {self.n_duplicate_rows} rows identical to an earlier row",
            *(f"  {line}" for line in self.findings),
        ]

    def _content(self):
        frame = self.to_frame()
        return {
            "n_splits": len(self.splits),
            "n_samples": self.n_samples,
            "n_duplicate_rows": self.n_duplicate_rows,
            "ok": self.ok,
            "findings": self.findings,
            "per_split": {column: frame[column].tolist() for column in frame.columns},
        }

    def _check_line(self, column):
        name, meaning = _CHECKS[column]
        values = [getattr(split, column) for split in self.splits]
        if values[0] is None:
            return f"{name:<15} not checked ({_SKIPPED[column]})"
        leaking = [value for value in values if value]
        if not leaking:
            return f"{name:<15} ok"
        if isinstance(leaking[0], tuple):
            classes = sorted({c for value in leaking for c in value}, key=str)
            detail = f"{meaning}: {classes}"
        elif column == "class_sorted_unshuffled":
            detail = meaning
        else:
            detail = f"{sum(leaking)} {meaning}"
        return f"{name:<15} LEAK in {len(leaking)} of {len(values)} splits: {detail}"


@PARAMETERS
class AuditDisplay:
    """Validation rows of each split, and how many of them leak, by check.

    Create it with :meth:`AuditResult.plot`; the constructor only stores
    data, and :meth:`plot` draws.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``AuditResult.to_frame()``: one row per split.
    verdict : str
        The audit's verdict, shown in the title.

    Attributes
    ----------
    bars_ : dict of str to matplotlib BarContainer
        The bars of the validation rows (``"n_test"``) and of each count
        check (``"n_overlap"``, ``"n_duplicates"``, ``"n_temporal"``) run.
    %(ax_)s
    %(figure_)s

    See Also
    --------
    audit_cv : Compute the audit.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold
    >>> from skfit.model_selection import audit_cv
    >>> X = np.array([[0], [1], [2], [0], [1], [2]])
    >>> display = audit_cv(KFold(2), X).plot()
    >>> sorted(display.bars_)
    ['n_duplicates', 'n_overlap', 'n_test']
    """

    def __init__(self, frame, *, verdict):
        self.frame = frame
        self.verdict = verdict

    @PARAMETERS
    def plot(self, ax=None):
        """Draw the bars.

        Parameters
        ----------
        %(ax)s

        Returns
        -------
        display : AuditDisplay
            ``self``, with ``ax_``, ``figure_`` and ``bars_`` set.
        """
        ax = axes_or_new(ax)
        splits = np.arange(1, len(self.frame) + 1)
        counted = [c for c in ("n_overlap", "n_duplicates", "n_temporal")
                   if self.frame[c].notna().all()]
        width = 0.8 / (1 + len(counted))
        self.bars_ = {"n_test": ax.bar(splits - 0.4 + width / 2, self.frame["n_test"], width,
                                       color="0.8", label="validation rows")}
        for i, column in enumerate(counted, start=1):
            self.bars_[column] = ax.bar(
                splits - 0.4 + (i + 0.5) * width, self.frame[column].astype(float), width,
                color=f"C{i}", label=f"{_CHECKS[column][0]}: {_CHECKS[column][1]}",
            )
        ax.set_xticks(splits)
        ax.set_xlabel("split")
        ax.set_ylabel("rows")
        ax.set_title(f"leak audit of {len(splits)} split(s): {self.verdict}")
        ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "train": ["array-like"],
        "test": ["array-like"],
        "y": ["array-like", None],
        "time": ["array-like", str, None],
    },
    prefer_skip_nested_validation=True,
)
def audit_split(X, train, test, *, y=None, time=None):
    """Audit one train/validation split for leaks.

    Counts the validation rows that are in training too, that copy a
    training row, or that come before the latest training row, and the
    classes that validation holds but training does not.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data; identical rows are found with :func:`duplicate_groups`.

    train, test : array-like of int or of bool
        Row indices (or boolean masks of length ``n_samples``) of the training
        and the validation part.

    y : array-like of shape (n_samples,), default=None
        Class labels. The class checks run when ``y`` is a binary or
        multiclass target and are skipped otherwise.

    time : array-like of shape (n_samples,) or str, default=None
        The time of each row (numbers or datetimes), or the name of a column
        of a DataFrame ``X``. Without it the time-order check is skipped.

    Returns
    -------
    result : AuditResult
        With one split; ``result.ok`` is True when no leak was found.

    See Also
    --------
    audit_cv : The same audit for every split of a cross-validator.

    Examples
    --------
    >>> import numpy as np
    >>> from skfit.model_selection import audit_split
    >>> X = np.array([[0], [1], [2], [1]])
    >>> audit_split(X, [0, 1], [2, 3], time=[1, 2, 3, 4]).splits[0]
    SplitAudit(n_train=2, n_test=2, n_overlap=0, n_duplicates=1, n_temporal=0, \
unseen_classes=None, class_sorted_unshuffled=None)
    """
    X, y = indexable(X, None if y is None else check_target(y))
    return _audit(X, [(train, test)], y, time)


@validate_params(
    {
        "cv": ["cv_object"],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like", None],
        "groups": ["array-like", None],
        "time": ["array-like", str, None],
    },
    prefer_skip_nested_validation=True,
)
def audit_cv(cv, X, y=None, *, groups=None, time=None):
    """Audit every split of a cross-validator for leaks.

    The checks of :func:`audit_split`, for each split, and whether an
    unshuffled splitter cut data sorted by class into blocks.

    Parameters
    ----------
    cv : int, cross-validation generator or iterable of (train, test) pairs
        A splitter with a ``split`` method (``KFold(5, shuffle=True)``,
        ``TimeSeriesSplit(gap=2)``, ...), explicit index pairs, or an int,
        which means what ``cross_val_score`` does for a classifier:
        ``StratifiedKFold`` when ``y`` holds class labels, ``KFold`` otherwise.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data; identical rows are found with :func:`duplicate_groups`.

    y : array-like of shape (n_samples,), default=None
        Targets, passed to ``cv.split``. The class checks run when ``y`` is a
        binary or multiclass target and are skipped otherwise.

    groups : array-like of shape (n_samples,), default=None
        Group labels, passed to ``cv.split``.

    time : array-like of shape (n_samples,) or str, default=None
        The time of each row (numbers or datetimes), or the name of a column
        of a DataFrame ``X``. Without it the time-order check is skipped.

    Returns
    -------
    result : AuditResult
        One record per split; ``result.ok`` is True when no split leaks.

    See Also
    --------
    audit_split : The same audit for one split.
    DeduplicatedKFold : K-fold without duplicate leaks.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold, TimeSeriesSplit
    >>> from skfit.model_selection import audit_cv
    >>> X = np.arange(12).reshape(-1, 1)
    >>> audit_cv(KFold(3, shuffle=True, random_state=0), X, time=X[:, 0]).ok
    False
    >>> audit_cv(TimeSeriesSplit(3), X, time=X[:, 0]).ok
    True
    """
    X, y, groups = indexable(X, None if y is None else check_target(y), groups)
    cv = check_cv(cv, y, classifier=_is_class_labels(y))
    return _audit(X, cv.split(X, y, groups), y, time)


def _audit(X, splits, y, time):
    n_samples = _num_samples(X)
    time = _check_time(time, X, n_samples)
    if _is_class_labels(y):
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        class_sorted = _is_class_sorted(y)
    else:
        y = class_sorted = None
    duplicates = duplicate_groups(X)
    records = []
    for train, test in splits:
        train = _check_indices(train, "train", n_samples)
        test = _check_indices(test, "test", n_samples)
        records.append(_audit_one(train, test, duplicates, y, class_sorted, time))
    if not records:
        raise ValueError("cv gives no train/validation split to audit; pass a splitter, an "
                         "int >= 2, or a non-empty iterable of (train, test) pairs.")
    return AuditResult(
        splits=tuple(records),
        n_samples=n_samples,
        n_duplicate_rows=n_samples - (duplicates.max() + 1),
    )


def _audit_one(train, test, duplicates, y, class_sorted, time):
    overlap = np.zeros(len(duplicates), dtype=bool)
    overlap[train] = True
    overlap = overlap[test]
    in_train = np.zeros(duplicates.max() + 1, dtype=bool)
    in_train[duplicates[train]] = True
    return SplitAudit(
        n_train=len(train),
        n_test=len(test),
        n_overlap=int(overlap.sum()),
        n_duplicates=int((in_train[duplicates[test]] & ~overlap).sum()),
        n_temporal=None if time is None else _count_earlier(time[test], time[train]),
        unseen_classes=None if y is None else _unseen_classes(y[train], y[test]),
        class_sorted_unshuffled=None if y is None else class_sorted and _block(test),
    )


def _count_earlier(time_test, time_train):
    return int((time_test < time_train.max()).sum())


def _unseen_classes(y_train, y_test):
    return tuple(np.setdiff1d(y_test, y_train).tolist())


def _is_class_sorted(y):
    """Whether each class of ``y`` (two or more) fills one run of rows."""
    n_runs = 1 + np.count_nonzero(y[1:] != y[:-1])
    return 1 < n_runs == len(np.unique(y))


def _block(indices):
    """Whether ``indices`` are consecutive rows: what an unshuffled split takes."""
    return bool(indices.max() - indices.min() + 1 == len(np.unique(indices)))


def _is_class_labels(y):
    if y is None:
        return False
    return type_of_target(y, input_name="y") in ("binary", "multiclass")


def _check_time(time, X, n_samples):
    if time is None:
        return None
    if isinstance(time, str):
        if not (isinstance(X, pd.DataFrame) and time in X.columns):
            raise ValueError(
                f"time={time!r} names no column of X; pass a DataFrame X with "
                "that column, or the times themselves."
            )
        time = X[time]
    time = np.asarray(time)
    if time.ndim != 1 or len(time) != n_samples:
        raise ValueError(
            f"time must hold one value per row: X has {n_samples} rows, time "
            f"has shape {time.shape}."
        )
    n_missing = int(pd.isna(time).sum())
    if n_missing:
        raise ValueError(
            f"time has {n_missing} missing values; every row needs a time."
        )
    if time.dtype.kind not in "iufmM":
        time = _orderable_times(time)
    return time


def _orderable_times(time):
    """Numbers or datetimes from an object array of them, or a clear error."""
    try:
        return np.asarray(time.tolist(), dtype=float)
    except (TypeError, ValueError):
        pass
    try:
        return pd.to_datetime(pd.Series(time), format="mixed").to_numpy()
    except (TypeError, ValueError):
        raise ValueError(
            "time must hold numbers or datetimes that can be ordered; got values of types "
            f"{sorted({type(t).__name__ for t in time.tolist()})}, such as {time[0]!r}."
        ) from None


def _check_indices(indices, name, n_samples):
    """Integer row indices from indices or a boolean mask, checked."""
    indices = np.asarray(indices)
    if indices.dtype == bool:
        if indices.shape != (n_samples,):
            raise ValueError(
                f"A boolean {name} mask must have shape ({n_samples},), like X; "
                f"got shape {indices.shape}."
            )
        indices = np.flatnonzero(indices)
    elif indices.ndim != 1 or (indices.size and indices.dtype.kind not in "iu"):
        raise TypeError(
            f"{name} must be a 1-D array of row indices or a boolean mask; got "
            f"dtype {indices.dtype} and shape {indices.shape}."
        )
    if indices.size == 0:
        raise ValueError(f"{name} holds no rows; each part needs at least one.")
    if indices.min() < 0 or indices.max() >= n_samples:
        bad = indices.min() if indices.min() < 0 else indices.max()
        raise ValueError(
            f"{name} holds the index {bad}, outside the {n_samples} rows of X "
            f"(valid: 0 to {n_samples - 1})."
        )
    return indices.astype(np.intp)
