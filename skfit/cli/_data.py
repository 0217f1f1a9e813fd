"""Read the user's table (or the demo's), check it, and split it into roles.

Every problem with the input becomes an :class:`InputError` with one line
that names the file, the column or the option at fault.
"""

import csv
import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from ._errors import InputError

MAX_CLASSES_AS_NUMBERS = 20
LARGEST = 1e150  # beyond it, squares (variances) overflow float64


@dataclass(frozen=True)
class Table:
    """A checked table: the features, the target and the optional time and groups.

    ``X`` holds the feature columns only; ``time`` and ``groups`` are aligned
    with its rows (which are sorted by time when a time column is given).
    ``notes`` records what was done to the file's rows, for the report.
    """

    name: str
    X: pd.DataFrame
    y: np.ndarray
    target: str
    task: str
    task_reason: str
    time: np.ndarray | None = None
    time_column: str | None = None
    groups: np.ndarray | None = None
    group_column: str | None = None
    dropped_columns: tuple = ()
    notes: tuple = field(default_factory=tuple)

    @property
    def numeric(self):
        """Names of the numeric feature columns (booleans count as categorical)."""
        return [c for c in self.X.columns if _is_numeric(self.X[c])]

    @property
    def categorical(self):
        """Names of the other feature columns (text, booleans, categories)."""
        return [c for c in self.X.columns if not _is_numeric(self.X[c])]


def _is_numeric(column):
    return is_numeric_dtype(column) and not is_bool_dtype(column)


def read_table(path, *, target, task="auto", time_column=None, group_column=None, drop=(),
               sep=","):
    """Read a CSV file and return a checked :class:`Table`.

    Raises
    ------
    InputError
        For a missing, empty or unreadable file, a header naming a column
        twice, an unknown or doubly used column, infinite or overflowing
        numbers, a target with a single class or value, a time column that
        does not parse, or no feature column left.
    """
    frame, header = _read_csv(Path(path), sep)
    name = Path(path).name
    _check_header(header, name, target)
    roles = {"--target": [target], "--time-column": [time_column],
             "--group-column": [group_column], "--drop": list(drop)}
    _check_columns(frame, roles, name)
    _check_numbers(frame, [c for c in frame.columns if c not in {group_column, *drop}], name)
    notes = []
    missing_target = frame[target].isna()
    if missing_target.all():
        raise InputError(f"--target {target!r}: the column is empty in every row of {name}.")
    if missing_target.any():
        notes.append(f"left out {int(missing_target.sum())} rows without a value of {target!r}")
        frame = frame.loc[~missing_target]
    empty = [c for c in frame.columns if frame[c].isna().all()]
    if empty:
        notes.append(f"left out {len(empty)} empty columns: {', '.join(map(str, empty))}")
    time = None
    if time_column is not None:
        time, frame, note = _sort_by_time(frame, time_column)
        notes.append(note)
    groups = None
    if group_column is not None:
        groups = _check_groups(frame[group_column], group_column)
    frame = frame.reset_index(drop=True)
    not_features = {target, time_column, group_column, *drop, *empty} - {None}
    X = frame.drop(columns=[c for c in frame.columns if c in not_features])
    if X.shape[1] == 0:
        raise InputError(
            f"{name}: no feature column left once the target, time, group, dropped and "
            "empty columns are set aside."
        )
    y, task, reason = _check_target(frame[target], target, task)
    return Table(
        name=name, X=X, y=y, target=target, task=task, task_reason=reason, time=time,
        time_column=time_column, groups=groups, group_column=group_column,
        dropped_columns=tuple(drop), notes=tuple(notes),
    )


def demo_table(random_state=0):
    """scikit-learn's digits with 64 uniform-noise channels, as a :class:`Table`."""
    from .. import load_digits_channels

    digits = load_digits_channels("noise", random_state=random_state)
    X = pd.DataFrame(digits.data, columns=digits.feature_names)
    return Table(
        name="digits + 64 noise channels",
        X=X,
        y=digits.target,
        target="digit",
        task="classification",
        task_reason="the target is the digit shown, 0 to 9",
        notes=(digits.DESCR,),
    )


def demo_selection_note(selection):
    """One line on what the selection did with the demo's noise channels and pixels."""
    kept = {f["name"] for f in selection.features if f["kept"]}
    names = [f["name"] for f in selection.features]
    noise = [n for n in names if n.startswith("noise_")]
    pixels = [n for n in names if n.startswith("pixel_")]
    return (f"demo: the selection drops {sum(n not in kept for n in noise)} of the "
            f"{len(noise)} noise channels and keeps {sum(n in kept for n in pixels)} of the "
            f"{len(pixels)} pixels (the dropped pixels are blank, or nearly, in most images)")


def _read_csv(path, sep):
    if not path.exists():
        raise InputError(f"{path}: no such file.")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a CSV file.")
    options = {"sep": sep, "encoding": "utf-8-sig"}  # utf-8-sig: a byte-order mark is no name
    try:
        header = pd.read_csv(path, header=None, nrows=1, dtype=str, **options)
        frame = pd.read_csv(path, low_memory=False, **options)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty (no header row, no data).") from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise InputError(f"{path}: not a readable CSV file with separator {sep!r} "
                         f"({exc}).") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file in UTF-8.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
    if frame.empty:
        raise InputError(f"{path}: the file has a header row but no data rows.")
    _check_field_counts(path, sep, header.shape[1])
    return frame, header.iloc[0].tolist()


def _check_field_counts(path, sep, n_columns):
    """Refuse rows whose number of fields is not the header's: pandas would silently turn
    a first column into the row index (one field more) or fill missing fields with NaN
    (fewer), and the columns would not be the ones the header names."""
    with open(path, newline="", encoding="utf-8-sig") as stream:
        rows = csv.reader(stream, delimiter=sep)
        next(rows, None)
        for row in rows:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line, which pandas skips too
            if len(row) != n_columns:
                what = ("more" if len(row) > n_columns else "fewer")
                hint = (" (pandas would take the first one for a row index)"
                        if len(row) == n_columns + 1 else "")
                raise InputError(
                    f"{path}: line {rows.line_num} has {len(row)} fields, {what} than the "
                    f"{n_columns} columns the header names{hint}; every row needs one field "
                    "per column (check the separator, quotes and trailing separators)."
                )


def _check_header(names, name, target):
    """Refuse a header that names a column twice (pandas would rename the copy)."""
    seen = {}
    for position, column in enumerate(names, start=1):
        if isinstance(column, str):
            seen.setdefault(column, []).append(position)
    for column, positions in sorted(seen.items(), key=lambda item: item[0] != target):
        if len(positions) > 1:
            leak = (" One of them is the target: a copy of it among the features would leak "
                    "it, and the scores would mean nothing." if column == target else "")
            raise InputError(
                f"{name}: the header names column {column!r} {len(positions)} times "
                f"(columns {', '.join(map(str, positions))}); give each column its own "
                f"name.{leak}"
            )


def _check_numbers(frame, columns, name):
    """Refuse infinite numbers, and numbers too large to standardize, before any training."""
    for column in columns:
        if not _is_numeric(frame[column]):
            continue
        values = frame[column].to_numpy(dtype=float, na_value=np.nan)
        for bad, what in ((np.isinf(values), "an infinite value"),
                          (np.abs(np.nan_to_num(values, posinf=0, neginf=0)) > LARGEST,
                           f"a value beyond +-{LARGEST:g}, too large to standardize (its square "
                           "overflows)")):
            if bad.any():
                first = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"{name}: column {column!r} holds {what}: {values[first]:g} on line "
                    f"{first + 2} of the file ({int(bad.sum())} row(s) in all); fix or drop "
                    "those values, or rescale the column (e.g. its logarithm)."
                )


def _check_columns(frame, roles, name):
    """Every named column exists, and none plays two roles."""
    columns = [str(c) for c in frame.columns]
    seen = {}
    for option, names in roles.items():
        for column in names:
            if column is None:
                continue
            if column not in frame.columns:
                raise InputError(f"{option} {column!r}: no such column in {name}"
                                 f"{_did_you_mean(column, columns)}")
            if column in seen and seen[column] != option:
                raise InputError(
                    f"column {column!r} is given both as {seen[column]} and as {option}; "
                    "a column plays one role."
                )
            seen[column] = option


def _did_you_mean(column, columns):
    close = difflib.get_close_matches(column, columns, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    shown = ", ".join(columns[:12]) + (f", ... ({len(columns)} in all)" if len(columns) > 12
                                       else "")
    return f"{hint} Columns: {shown}."


def _check_target(column, target, task):
    """Return ``(y, task, reason)``; raise for a target with nothing to predict."""
    if task == "auto":
        task, reason = _infer_task(column)
    else:
        reason = f"--task {task}"
    if task == "regression":
        if not _is_numeric(column):
            example = column.dropna().astype(str).iloc[0]
            raise InputError(f"--target {target!r}: regression needs numbers, but the column "
                             f"holds text such as {example!r}; use --task classification.")
        y = column.to_numpy(dtype=float)
        if np.ptp(y) == 0:
            raise InputError(f"--target {target!r}: the value is {y[0]:g} in every row: "
                             "there is nothing to predict.")
        return y, task, reason
    y = column.to_numpy()
    if y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0):
        y = y.astype(np.int64)
    elif y.dtype.kind not in "iub":
        y = column.astype(str).to_numpy(dtype=object)
    classes = pd.unique(y).tolist()
    if len(classes) < 2:
        raise InputError(f"--target {target!r} has one class ({classes[0]!r}) in all {len(y)} "
                         "rows: there is nothing to predict; classification needs two or more.")
    return y, task, reason


def _infer_task(column):
    if not _is_numeric(column):
        return "classification", "the target holds labels: text or booleans"
    values = column.unique()
    whole = bool(np.all(np.mod(values, 1) == 0))
    if whole and len(values) <= MAX_CLASSES_AS_NUMBERS:
        return "classification", (
            f"the target holds {len(values)} distinct whole numbers; up to "
            f"{MAX_CLASSES_AS_NUMBERS} are read as classes, --task regression overrides"
        )
    return "regression", (
        f"the target holds {len(values)} distinct numbers; --task classification overrides"
    )


def _sort_by_time(frame, time_column):
    """Return ``(time, frame sorted by time, note)``; raise when time does not parse."""
    column = frame[time_column]
    option = f"--time-column {time_column!r}"
    missing = column.isna()
    if missing.any():
        raise InputError(f"{option} has {int(missing.sum())} empty values (the first on "
                         f"{_line(missing)}); every row needs a time.")
    if _is_numeric(column):
        time = column.to_numpy()
    else:
        time = _parse_times(column, option)
    order = np.argsort(time, kind="stable")
    n_back = int((time[1:] < time[:-1]).sum())
    if n_back:
        note = (f"sorted the rows by {time_column!r} ({n_back} rows were earlier than the row "
                "before them)")
    else:
        note = f"the rows were already in order of {time_column!r}"
    return time[order], frame.iloc[order], note


def _parse_times(column, option):
    text = column.astype(str)
    try:
        parsed = pd.to_datetime(text, format="mixed", errors="coerce")
    except (ValueError, TypeError) as exc:
        raise InputError(f"{option} does not parse as dates or times ({exc}).") from None
    bad = parsed.isna()
    if bad.any():
        raise InputError(f"{option}: {text[bad].iloc[0]!r} ({_line(bad)}) is not a date or "
                         "time; use dates such as 2024-01-31, or numbers.")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    if parsed.dtype.kind != "M":
        raise InputError(f"{option} mixes dates with and without a time zone; they cannot "
                         "be ordered.")
    return parsed.to_numpy()


def _line(mask):
    """Where the first True of a boolean Series indexed by data row is, in the file."""
    return f"line {int(mask.index[mask.to_numpy()][0]) + 2} of the file"


def _check_groups(column, group_column):
    missing = column.isna()
    if missing.any():
        raise InputError(f"--group-column {group_column!r} has {int(missing.sum())} empty "
                         f"values (the first on {_line(missing)}); every row needs a group.")
    return pd.factorize(column)[0]
