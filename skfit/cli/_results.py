"""The results the command line assembles from skfit's own: every sentence it shows.

Each step of the workflow ends in one of these objects (or in a result of
the public API: AuditResult, BaselineReport, Diagnosis). They speak skfit's
results protocol, and hold the only copy of each sentence: the terminal,
report.md and report.html lay out their ``title``, ``lines`` and
``verdict``; results.json is :meth:`Evaluation.to_dict`.
"""

import dataclasses

import numpy as np
import pandas as pd

from ..utils._results import Result


class _Step(Result):
    """A workflow step: a ``title`` line, then ``lines`` of findings (shown indented)."""

    _summary_table = False

    def _summary_lines(self):
        return [self.title, *(f"  {line}" for line in self.lines)]


@dataclasses.dataclass(frozen=True, repr=False)
class DataSummary(_Step):
    """The table as read: its size, its columns and their roles, and what was done to it."""

    name: str
    n_rows: int
    target: str
    task: str
    task_reason: str
    numeric_columns: list
    categorical_columns: list
    time_column: str | None
    group_column: str | None
    dropped_columns: list
    notes: tuple

    @classmethod
    def from_table(cls, table):
        return cls(
            name=table.name, n_rows=len(table.X), target=table.target, task=table.task,
            task_reason=table.task_reason, numeric_columns=list(map(str, table.numeric)),
            categorical_columns=list(map(str, table.categorical)),
            time_column=table.time_column, group_column=table.group_column,
            dropped_columns=list(table.dropped_columns), notes=tuple(table.notes),
        )

    @property
    def title(self):
        n_columns = len(self.numeric_columns) + len(self.categorical_columns)
        return (f"{self.name}: {self.n_rows} rows, {n_columns} feature columns "
                f"({len(self.numeric_columns)} numeric, {len(self.categorical_columns)} "
                f"categorical); target {self.target!r}: {self.task} ({self.task_reason})")

    @property
    def lines(self):
        return list(self.notes)

    def to_frame(self):
        """The roles of the columns, one row per fact."""
        rows = {
            "rows": str(self.n_rows),
            "target": f"{self.target}: {self.task} ({self.task_reason})",
            "numeric columns": _names(self.numeric_columns),
            "categorical columns": _names(self.categorical_columns),
            "time column": self.time_column or "none",
            "group column": self.group_column or "none",
            "dropped columns (--drop)": _names(self.dropped_columns),
        }
        return pd.DataFrame({"value": list(rows.values())}, index=list(rows))

    def _repr_fields(self):
        return {"name": self.name, "n_rows": self.n_rows, "target": self.target,
                "task": self.task}

    def _content(self):
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def _names(names, limit=30):
    if not names:
        return "none"
    more = f", ... ({len(names)} in all)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


@dataclasses.dataclass(frozen=True, repr=False)
class DataAudit(_Step):
    """What the data holds before any split: copies, gaps, identifiers, time, classes."""

    duplicate_rows: int
    duplicate_groups: int
    missing_values: dict
    identifier_like: list
    time: dict | None
    classes: dict | None = None
    target: dict | None = None

    title = "Audit"

    @property
    def lines(self):
        lines = [
            f"duplicate rows: {self.duplicate_rows} rows repeat an earlier row "
            f"({self.duplicate_groups} distinct rows occur more than once)"
            if self.duplicate_rows else "duplicate rows: none",
            "missing values: " + (", ".join(f"{c}: {n}" for c, n in self.missing_values.items())
                                  or "none"),
        ]
        if self.identifier_like:
            lines.append("a distinct value on every row (identifiers? consider --drop): "
                         + ", ".join(self.identifier_like))
        lines.append(f"time order: {self.time['column']!r} from {self.time['first']} to "
                     f"{self.time['last']}" if self.time else "time order: no --time-column")
        if self.classes is not None:
            counts = self.classes["counts"]
            shown = ", ".join(f"{c} {n}" for c, n in list(counts.items())[:10])
            more = f", ... ({len(counts)} classes)" if len(counts) > 10 else ""
            lines.append(f"classes: {shown}{more}; the majority class is "
                         f"{self.classes['majority_share']:.1%} of the rows, the accuracy of "
                         "always predicting it")
        else:
            lines.append("target: mean {mean:.4g}, std {std:.4g}, from {min:.4g} to "
                         "{max:.4g}".format(**self.target))
        return lines

    def to_frame(self):
        """Rows per class (with their share), or the target's statistics for regression."""
        if self.classes is None:
            return pd.DataFrame([self.target], index=["target"])
        counts = pd.Series(self.classes["counts"], name="rows")
        return pd.DataFrame({"rows": counts, "share": counts / counts.sum()}).rename_axis("class")

    def _repr_fields(self):
        return {"duplicate_rows": self.duplicate_rows,
                "missing_values": sum(self.missing_values.values())}

    def _content(self):
        content = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        return {key: value for key, value in content.items()
                if value is not None or key == "time"}


@dataclasses.dataclass(frozen=True, repr=False)
class ProtocolAudit(_Step):
    """The chosen splitter, why, and the leak audit of its splits (an AuditResult)."""

    kind: str
    splitter: str
    reason: str
    audit: object

    @property
    def title(self):
        return f"Protocol: {self.splitter}, {len(self.audit.splits)} splits"

    @property
    def verdict(self):
        return (f"Protocol: {self.splitter}; "
                + ("no leak found in its splits." if self.audit.ok
                   else "LEAKS FOUND in its splits (see below)."))

    @property
    def lines(self):
        verdict = "ok, no leak found" if self.audit.ok else "LEAKS FOUND"
        return [f"why: {self.reason}", f"leak audit of the splits: {verdict}",
                *(f"  {line}" for line in self.audit.findings if "LEAK" in line)]

    def to_frame(self):
        """The audit's table (one row per split)."""
        return self.audit.to_frame()

    def plot(self, ax=None):
        """The audit's plot."""
        return self.audit.plot(ax=ax)

    def _repr_fields(self):
        return {"kind": self.kind, "n_splits": len(self.audit.splits), "ok": self.audit.ok}

    def _content(self):
        audit = self.audit.to_dict()
        return {"kind": self.kind, "splitter": self.splitter, "reason": self.reason,
                "n_splits": audit["n_splits"], "leak_free": audit["ok"],
                "leak_checks": audit["findings"], "per_split": audit["per_split"]}


@dataclasses.dataclass(frozen=True, repr=False)
class DiagnosedFit(_Step):
    """One fit of the model on a training part, and its Diagnosis."""

    fit: str
    diagnosis: object
    baseline_meaning: str
    network_best_epoch: int

    @property
    def n_panels(self):
        """Panels of the plot: the losses, and the validation score when it is not a loss."""
        baseline = self.diagnosis.baseline
        return 2 if baseline and baseline["score"] != "val_loss" else 1

    @property
    def epochs(self):
        diagnosis = self.diagnosis
        if diagnosis.best_epoch is None:
            return f"{diagnosis.n_epochs} epochs"
        return f"best epoch {diagnosis.best_epoch} of {diagnosis.n_epochs}"

    @property
    def title(self):
        return f"diagnosis of one fit: {self.diagnosis.status} ({self.epochs})"

    @property
    def verdict(self):
        advice = self.diagnosis.advice
        return (f"Diagnosis of one fit: {self.diagnosis.status}. Next step: "
                + (advice[0] if advice else "none."))

    @property
    def description(self):
        baseline = self.diagnosis.baseline
        return (f"One fit of the pipeline on the {self.fit}, read by skfit.diagnose: status "
                f"{self.diagnosis.status}, {self.epochs}. Baseline for {baseline['score']}: "
                f"{baseline['value']:.4g} ({self.baseline_meaning}).")

    @property
    def lines(self):
        return [f"- {line}" for line in self.diagnosis.evidence]

    def plot(self, ax=None):
        """The diagnosis's plot."""
        return self.diagnosis.plot(ax=ax)

    def _repr_fields(self):
        return {"status": self.diagnosis.status, "n_epochs": self.diagnosis.n_epochs}

    def _content(self):
        content = self.diagnosis.to_dict()
        content["baseline"] = {**content["baseline"], "meaning": self.baseline_meaning}
        return {"fit": self.fit, **content, "network_best_epoch": self.network_best_epoch}


@dataclasses.dataclass(frozen=True, repr=False)
class Tuning(_Step):
    """The fit-then-regularize search run on all the rows: its path, and how it ran.

    The scores of the run come from the same search run inside each training
    part (nested); this one shows the path a user would deploy.
    """

    path: object
    splitter: str
    max_fits: int
    n_rows: int

    @property
    def title(self):
        path = self.path
        return (f"Tuning (fit, then regularize) on all {self.n_rows} rows: "
                f"{len(path.candidates)} configurations, {path.n_fits} of {self.max_fits} "
                f"fits, inner splits {self.splitter}")

    @property
    def verdict(self):
        return "Tuning (fit, then regularize) chose " + self.path.verdict.removeprefix("Chosen: ")

    @property
    def lines(self):
        return [self.path.stop_reason, self.path.verdict]

    @property
    def description(self):
        return (f"FitThenRegularizeSearchCV tuned the MLP inside each training part of the "
                f"protocol (nested), so the scores above are those of the whole procedure. Run "
                f"once more on all {self.n_rows} rows, with {self.splitter} as its inner splits "
                f"and at most {self.max_fits} fits, it took the path below; its starting "
                "configuration is the MLP of the other options.")

    def score_table(self):
        """Inner cross-validated scores: the chosen and starting configurations, the best
        baseline."""
        path = self.path
        baseline = path.baseline
        rows = {f"chosen (#{path.best.index})": path.best.fold_scores,
                "start (#0)": path.start.fold_scores,
                f"baseline: {baseline.best_baseline}":
                    baseline.baseline_scores[baseline.best_baseline]}
        return pd.DataFrame({"mean": [np.mean(v) for v in rows.values()],
                             "std": [np.std(v) for v in rows.values()]},
                            index=pd.Index(list(rows), name=path.scoring))

    def to_frame(self):
        """The starting and the chosen configuration, knob by knob."""
        return self.path.configurations()

    def plot(self, ax=None):
        """The validation curves of every configuration tried."""
        return self.path.plot(ax=ax)

    def _repr_fields(self):
        return {"n_candidates": len(self.path.candidates), "n_fits": self.path.n_fits,
                "best_index": self.path.best_index}

    def _content(self):
        return {"splitter": self.splitter, "max_fits": self.max_fits, "n_rows": self.n_rows,
                **self.path.to_dict()}


@dataclasses.dataclass(frozen=True, repr=False)
class Evaluation(Result):
    """The whole run: every step's result, the settings, the warnings raised.

    ``to_dict()`` is results.json; :attr:`verdicts` open the report.
    """

    data: DataSummary
    audit: DataAudit
    protocol: ProtocolAudit
    selection: object
    scores: object
    diagnosis: DiagnosedFit
    settings: dict
    warnings: list
    seconds: float
    command: str = ""
    skfit_version: str = ""
    figures: tuple = ()
    tuning: Tuning | None = None

    _summary_table = False

    @property
    def verdicts(self):
        """The findings of the run, the most important first, one sentence each."""
        chance = self.scores.chance_text
        tuning = [self.tuning.verdict] if self.tuning is not None else []
        return [self.scores.verdict, *([chance] if chance else []), *tuning,
                self.protocol.verdict, self.selection.verdict, self.diagnosis.verdict]

    @property
    def summary_title(self):
        return (f"Summary: {self.scores.scoring} over {self.scores.n_splits} splits "
                f"({self.protocol.kind})")

    def _repr_fields(self):
        return {"data": self.data.name, "beats_baseline": self.scores.beats_baseline,
                "diagnosis": self.diagnosis.diagnosis.status}

    def _summary_lines(self):
        scores = self.scores.summary().splitlines()
        lines = [self.summary_title, *(f"  {line}" for line in scores)]
        if self.tuning is not None:
            lines.append(f"  {self.tuning.verdict}")
        lines += [f"  {self.diagnosis.title}",
                 *(f"    {line}" for line in self.diagnosis.lines)]
        advice = self.diagnosis.diagnosis.advice
        lines.append("  next step: " + (advice[0] if advice else "none"))
        if self.warnings:
            lines.append(f"  {len(self.warnings)} distinct warnings were raised; the report "
                         "lists them")
        return lines

    def _content(self):
        content = {
            "data": self.data, "settings": self.settings, "audit": self.audit,
            "protocol": self.protocol, "selection": self.selection, "scores": self.scores,
            "diagnosis": self.diagnosis, "warnings": self.warnings, "seconds": self.seconds,
            "command": self.command, "skfit_version": self.skfit_version,
            "figures": sorted(self.figures), "verdicts": self.verdicts,
        }
        if self.tuning is not None:
            content["tuning"] = self.tuning
        return content


def describe_audit(table, duplicates):
    """Return the DataAudit of a table, given its duplicate-group labels."""
    counts = np.bincount(duplicates)
    missing = table.X.isna().sum()
    classes = target = None
    if table.task == "classification":
        labels, label_counts = np.unique(table.y, return_counts=True)
        order = np.argsort(-label_counts, kind="stable")
        classes = {"counts": {str(labels[i]): int(label_counts[i]) for i in order},
                   "majority_share": float(label_counts.max() / label_counts.sum())}
    else:
        target = {key: float(getattr(np, key)(table.y)) for key in ("mean", "std", "min", "max")}
    return DataAudit(
        duplicate_rows=int(len(duplicates) - len(counts)),
        duplicate_groups=int((counts > 1).sum()),
        missing_values={str(c): int(n) for c, n in missing.items() if n},
        identifier_like=[str(c) for c in table.categorical
                         if len(table.X) > 20 and table.X[c].nunique() == len(table.X)],
        time=_time_audit(table),
        classes=classes,
        target=target,
    )


def _time_audit(table):
    if table.time is None:
        return None
    return {"column": table.time_column, "first": _format_time(table.time[0]),
            "last": _format_time(table.time[-1])}


def _format_time(value):
    """A date as 2024-01-31, a date and time as 2024-01-31 12:00:00, a number as is."""
    if isinstance(value, np.datetime64):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else str(stamp)
    return str(value)
