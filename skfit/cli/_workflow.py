"""The chapter's workflow on one table, step by step, narrated on the terminal.

Audit the data, choose the protocol, select features, compare the model
with the baselines on identical folds, diagnose one fit. Each step prints
what it found and why; :func:`run` returns every number as a JSON-ready
dict, from which the report is written.
"""

import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer

from ._pipeline import VALIDATION_FRACTION, make_model, network_step
from ._progress import ProgressBar, ProgressScorer
from ._protocol import choose_protocol
from ._selection import summarize_selection

SCORING = {"classification": "accuracy", "regression": "r2"}
LISTED = 12  # dropped features named on the terminal; the report lists all


@dataclass(frozen=True)
class Options:
    """The workflow's settings, from the command line."""

    cv: str = "auto"
    folds: int = 5
    repeats: int = 3
    permutations: int = 1
    epochs: int = 20
    hidden: tuple = (64,)
    batch_size: int = 32
    learning_rate: float = 1e-3
    seed: int = 0


def run(table, options):
    """Run the workflow on a :class:`~skfit.cli._data.Table`; return the results dict.

    The narration goes to stdout, the progress bar to stderr. Warnings
    raised on the way are collected, de-duplicated, and returned under
    ``"warnings"``.
    """
    start = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = {"data": _describe_data(table), "settings": vars(options).copy()}
        results["audit"] = _audit_data(table)
        protocol = choose_protocol(table, cv=options.cv, folds=options.folds,
                                   repeats=options.repeats, seed=options.seed,
                                   n_duplicate_rows=results["audit"]["duplicate_rows"])
        results["protocol"] = _audit_protocol(table, protocol)
        results["selection"] = _select(table, protocol, options.seed)
        model = make_model(table, hidden=options.hidden, epochs=options.epochs,
                           batch_size=options.batch_size,
                           learning_rate=options.learning_rate, seed=options.seed)
        results["scores"], results["diagnosis"] = _evaluate(
            table, protocol, model, options
        )
    results["warnings"] = _unique_warnings(caught)
    results["seconds"] = round(time.monotonic() - start, 1)
    _print_summary(results)
    return results


def say(line):
    """Print one line of narration now (before any progress on stderr)."""
    print(line, flush=True)


def _describe_data(table):
    data = {
        "name": table.name, "n_rows": len(table.X), "target": table.target,
        "task": table.task, "task_reason": table.task_reason,
        "numeric_columns": list(map(str, table.numeric)),
        "categorical_columns": list(map(str, table.categorical)),
        "time_column": table.time_column, "group_column": table.group_column,
        "dropped_columns": list(table.dropped_columns), "notes": list(table.notes),
    }
    say(f"{table.name}: {data['n_rows']} rows, {table.X.shape[1]} feature columns "
        f"({len(table.numeric)} numeric, {len(table.categorical)} categorical); target "
        f"{table.target!r}: {table.task} ({table.task_reason})")
    for note in table.notes:
        say(f"  {note}")
    return data


def _audit_data(table):
    from .. import duplicate_groups

    say("Audit")
    labels = duplicate_groups(table.X)
    counts = np.bincount(labels)
    audit = {"duplicate_rows": int(len(labels) - len(counts)),
             "duplicate_groups": int((counts > 1).sum())}
    if audit["duplicate_rows"]:
        say(f"  duplicate rows: {audit['duplicate_rows']} rows repeat an earlier row "
            f"({audit['duplicate_groups']} distinct rows occur more than once)")
    else:
        say("  duplicate rows: none")
    missing = table.X.isna().sum()
    audit["missing_values"] = {str(c): int(n) for c, n in missing.items() if n}
    say("  missing values: " + (", ".join(f"{c} {n}" for c, n in
                                          audit["missing_values"].items()) or "none"))
    audit["identifier_like"] = [
        str(c) for c in table.categorical if len(table.X) > 20 and table.X[c].nunique() ==
        len(table.X)
    ]
    if audit["identifier_like"]:
        say(f"  a distinct value on every row (identifiers? consider --drop): "
            f"{', '.join(audit['identifier_like'])}")
    audit["time"] = _time_audit(table)
    if table.task == "classification":
        audit["classes"] = _class_balance(table.y)
    else:
        audit["target"] = {key: float(getattr(np, key)(table.y)) for key in
                           ("mean", "std", "min", "max")}
        say("  target: mean {mean:.4g}, std {std:.4g}, from {min:.4g} to {max:.4g}".format(
            **audit["target"]))
    return audit


def _time_audit(table):
    if table.time is None:
        say("  time order: no --time-column")
        return None
    first, last = _format_time(table.time[0]), _format_time(table.time[-1])
    say(f"  time order: {table.time_column!r} from {first} to {last}")
    return {"column": table.time_column, "first": first, "last": last}


def _format_time(value):
    """A date as 2024-01-31, a date and time as 2024-01-31 12:00:00, a number as is."""
    if isinstance(value, np.datetime64):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else str(stamp)
    return str(value)


def _class_balance(y):
    classes, counts = np.unique(y, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    balance = {str(classes[i]): int(counts[i]) for i in order}
    share = counts.max() / counts.sum()
    shown = ", ".join(f"{c} {n}" for c, n in list(balance.items())[:10])
    more = f", ... ({len(balance)} classes)" if len(balance) > 10 else ""
    say(f"  classes: {shown}{more}; the majority class is {share:.1%} of the rows")
    return {"counts": balance, "majority_share": float(share)}


def _audit_protocol(table, protocol):
    from .. import audit_cv

    n_splits = len(protocol.folds)
    say(f"Protocol: {protocol.description}, {n_splits} splits")
    say(f"  why: {protocol.reason}")
    y = table.y if table.task == "classification" else None
    result = audit_cv(protocol.folds, table.X, y, groups=table.groups, time=table.time)
    checks = result.summary().split("\n\n")[0].splitlines()[2:]
    say(f"  leak audit of the splits: {'ok, no leak found' if result.ok else 'LEAKS FOUND'}")
    for line in checks:
        if "LEAK" in line:
            say(f"    {line.strip()}")
    frame = result.to_frame()
    return {
        "kind": protocol.kind, "splitter": protocol.description, "reason": protocol.reason,
        "n_splits": n_splits, "leak_free": bool(result.ok),
        "leak_checks": [line.strip() for line in checks],
        "per_split": {str(c): [_plain(v) for v in frame[c]] for c in frame.columns},
    }


def _plain(value):
    """A JSON-ready copy of a value of an audit table cell."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, tuple):
        return [str(v) for v in value]
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    return str(value)


def _select(table, protocol, seed):
    say("Feature selection: mutual information with the target, above each feature's noise "
        "floor")
    selection = summarize_selection(table, protocol.folds, seed)
    dropped = [f["name"] for f in selection["features"] if not f["kept"]]
    encoded = " (after one-hot encoding)" if table.categorical else ""
    say(f"  on all rows: kept {selection['n_kept']} of {selection['n_features']} "
        f"features{encoded}")
    if dropped:
        shown = ", ".join(dropped[:LISTED])
        more = f", ... and {len(dropped) - LISTED} more" if len(dropped) > LISTED else ""
        say(f"  dropped: {shown}{more}")
    say(f"  inside the cross-validation the selection is refit on each of the "
        f"{selection['n_folds']} training parts")
    if selection["folds_only_best"]:
        say(f"  in {selection['folds_only_best']} training parts no feature clears its noise "
            "floor: only the best one is kept")
    return selection


def _evaluate(table, protocol, model, options):
    """Scores of the model vs baselines on the protocol's folds, then one diagnosed fit."""
    from .. import compare_to_baseline

    network = type(network_step(model)).__name__
    n_splits = len(protocol.folds)
    scoring = SCORING[table.task]
    say(f"Cross-validation: {network}(hidden_layer_sizes={tuple(options.hidden)}, "
        f"epochs={options.epochs}) vs Dummy baselines"
        + (f" and {options.permutations} run(s) on shuffled labels" if options.permutations
           else "") + f", {scoring}")
    bar = ProgressBar(n_splits * (1 + options.permutations) + 1)
    scorer = ProgressScorer(get_scorer(scoring), scoring, bar, n_splits)
    report = compare_to_baseline(model, table.X, table.y, cv=protocol.folds, scoring=scorer,
                                 n_permutations=options.permutations, groups=table.groups,
                                 random_state=options.seed)
    scores = _scores(report, scoring, network)
    diagnosis = _diagnose(table, protocol, model, scores, bar)
    bar.close()
    return scores, diagnosis


def _scores(report, scoring, network):
    frame = report.to_frame()
    summary = {
        column: {
            "mean": float(frame[column].mean()),
            "std": float(frame[column].std(ddof=1)) if len(frame) > 1 else None,
        }
        for column in frame.columns
    }
    return {
        "scoring": scoring, "model_name": network,
        "model": report.model_scores.tolist(),
        "baselines": {k: v.tolist() for k, v in report.baseline_scores.items()},
        "shuffled_labels": report.permutation_scores.tolist(),
        "n_permutations": len(report.permutation_scores),
        "train_sizes": report.train_sizes.tolist(), "test_sizes": report.test_sizes.tolist(),
        "summary": summary, "best_baseline": report.best_baseline,
        "margin": report.margin, "t_statistic": _number(report.t_statistic),
        "p_value": _number(report.p_value),
        "permutation_p_value": _number(report.permutation_p_value),
        "beats_baseline": report.beats_baseline, "alpha": report.alpha,
    }


def _number(value):
    value = float(value)
    return None if not np.isfinite(value) else value


def _diagnose(table, protocol, model, scores, bar):
    """Fit once on the largest training part and read its loss curves."""
    from .. import diagnose

    number, (train, _) = max(enumerate(protocol.folds, start=1), key=lambda f: len(f[1][0]))
    fitted = clone(model).fit(table.X.iloc[train], table.y[train])
    bar.advance("diagnosis fit")
    network = network_step(fitted)
    if table.task == "classification":
        key, baseline = "val_accuracy", scores["summary"][scores["best_baseline"]]["mean"]
        baseline_text = f"accuracy of the best baseline ({scores['best_baseline']})"
    else:
        key, baseline = "val_loss", 1.0
        baseline_text = "mean squared error of the mean predictor on the standardized target"
    diagnosis = diagnose(network, baseline_score=baseline, score=key)
    return {
        "fit": (f"training part of split {number} ({len(train)} rows; "
                f"{VALIDATION_FRACTION:.0%} of them held out for the validation curve)"),
        "status": diagnosis.status, "best_epoch": diagnosis.best_epoch,
        "overfit_epoch": diagnosis.overfit_epoch, "n_epochs": diagnosis.n_epochs,
        "gap": {k: float(v) for k, v in diagnosis.gap.items()},
        "evidence": list(diagnosis.evidence), "advice": list(diagnosis.advice),
        "baseline": {"score": key, "value": float(baseline), "meaning": baseline_text},
        "history": {k: [float(x) for x in v] for k, v in network.history_.items()},
        "network_best_epoch": int(network.best_epoch_),
    }


def epochs_text(diagnosis):
    """"best epoch 7 of 20", or "20 epochs" when the diagnosis names no best epoch."""
    if diagnosis["best_epoch"] is None:
        return f"{diagnosis['n_epochs']} epochs"
    return f"best epoch {diagnosis['best_epoch']} of {diagnosis['n_epochs']}"


def _unique_warnings(caught):
    seen = {}
    for warning in caught:
        text = f"{warning.category.__name__}: {warning.message}"
        seen[text] = seen.get(text, 0) + 1
    return [{"warning": text, "count": count} for text, count in seen.items()]


def _print_summary(results):
    scores, diagnosis = results["scores"], results["diagnosis"]
    rows = [(f"model: {scores['model_name']}", scores["summary"]["model"])]
    rows += [(f"baseline: {name}", scores["summary"][name]) for name in scores["baselines"]]
    if scores["n_permutations"]:
        rows.append((f"shuffled labels ({scores['n_permutations']} run(s))",
                     scores["summary"]["shuffled_labels"]))
    width = max(len(name) for name, _ in rows)
    say("")
    say(f"Summary: {scores['scoring']} over {len(scores['model'])} splits "
        f"({results['protocol']['kind']})")
    say(f"  {'':{width}}    mean     std")
    for name, stats in rows:
        std = "     -" if stats["std"] is None else f"{stats['std']:7.3f}"
        say(f"  {name:{width}}  {stats['mean']:7.3f} {std}")
    p_value = scores["p_value"]
    say(f"  margin over the best baseline ({scores['best_baseline']}): "
        f"{scores['margin']:+.3f}; p = {'n/a' if p_value is None else f'{p_value:.2g}'} "
        f"(corrected resampled t-test); beats the baseline: "
        f"{'yes' if scores['beats_baseline'] else 'NO'}")
    say(f"  diagnosis of one fit: {diagnosis['status']} ({epochs_text(diagnosis)})")
    for line in diagnosis["evidence"]:
        say(f"    - {line}")
    say("  next step: " + (diagnosis["advice"][0] if diagnosis["advice"] else "none"))
    if results["warnings"]:
        say(f"  {len(results['warnings'])} distinct warnings were raised; the report lists them")
