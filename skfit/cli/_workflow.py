"""The chapter's workflow on one table, step by step, over skfit's public API.

Audit the data, choose the protocol, select features, compare the model
(or, with ``--tune``, the fit-then-regularize search that tunes it inside
each training part) with the baselines on identical folds, diagnose one fit. Each step returns
a result object (see :mod:`._results`), handed to ``narrate`` as soon as
it exists; :func:`run` returns them all as one :class:`Evaluation`.
"""

import time
import warnings
from dataclasses import dataclass

from sklearn.base import clone

from ..utils._progress import FitProgress
from ._args import TUNE_FOLDS
from ._errors import InputError
from ._pipeline import VALIDATION_FRACTION, make_model, network_step
from ._protocol import choose_protocol, inner_splitter
from ._results import (
    DataSummary,
    DiagnosedFit,
    Evaluation,
    ProtocolAudit,
    Tuning,
    describe_audit,
)
from ._selection import summarize_selection

SCORING = {"classification": "accuracy", "regression": "r2"}


@dataclass(frozen=True)
class Options:
    """The workflow's settings, from the command line."""

    cv: str = "auto"
    folds: int = 5
    repeats: int = 3
    permutations: int = 1
    epochs: object = "auto"
    hidden: tuple = (64,)
    batch_size: object = "auto"
    learning_rate: float = 1e-3
    seed: int = 0
    tune: bool = False
    max_fits: int = 31

    @property
    def settings(self):
        """The settings as reported; the tuning ones only when tuning."""
        settings = vars(self).copy()
        if not self.tune:
            del settings["tune"], settings["max_fits"]
        return settings


def run(table, options, narrate):
    """Run the workflow on a :class:`~skfit.cli._data.Table`; return an :class:`Evaluation`.

    ``narrate(result)`` is called with each step's result as soon as it is
    ready; the progress bar goes to stderr. Warnings raised on the way are
    collected and de-duplicated into the evaluation.
    """
    from .. import audit_cv, duplicate_groups

    start = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = narrate(DataSummary.from_table(table))
        audit = narrate(describe_audit(table, duplicate_groups(table.X)))
        protocol = choose_protocol(table, cv=options.cv, folds=options.folds,
                                   repeats=options.repeats, seed=options.seed,
                                   n_duplicate_rows=audit.duplicate_rows)
        y = table.y if table.task == "classification" else None
        leaks = audit_cv(protocol.folds, table.X, y, groups=table.groups, time=table.time)
        protocol_audit = narrate(ProtocolAudit(kind=protocol.kind,
                                               splitter=protocol.description,
                                               reason=protocol.reason, audit=leaks))
        selection = narrate(summarize_selection(table, protocol.folds, options.seed))
        model = make_model(table, hidden=options.hidden, epochs=options.epochs,
                           batch_size=options.batch_size,
                           learning_rate=options.learning_rate, seed=options.seed)
        if options.tune:  # every shuffled-label search fails to beat them: the point
            warnings.filterwarnings("ignore", message="No configuration of .* beats",
                                    category=UserWarning)
        scores, tuning, diagnosis = _evaluate(table, protocol, model, options, narrate)
    return Evaluation(
        data=data, audit=audit, protocol=protocol_audit, selection=selection, scores=scores,
        diagnosis=diagnosis, settings=options.settings, warnings=_unique_warnings(caught),
        seconds=round(time.monotonic() - start, 1), tuning=tuning,
    )


def _evaluate(table, protocol, model, options, narrate):
    """Scores of the model (or, with --tune, of the search) vs baselines on the protocol's
    folds; with --tune the search on all rows; then one diagnosed fit."""
    from .. import compare_to_baseline

    network = type(network_step(model)).__name__
    scoring = SCORING[table.task]
    evaluated = _search(model, protocol, table.task, options) if options.tune else model
    what = (f"FitThenRegularizeSearchCV(max_fits={options.max_fits}) tuning "
            if options.tune else "")
    narrate(f"Cross-validation: {what}{network}(hidden_layer_sizes={tuple(options.hidden)}, "
            f"epochs={options.epochs}) vs Dummy baselines"
            + (f" and {options.permutations} run(s) on shuffled labels"
               if options.permutations else "") + f", {scoring}")
    tuning = None
    with _training_failures():
        report = compare_to_baseline(evaluated, table.X, table.y, cv=protocol.folds,
                                     scoring=scoring, n_permutations=options.permutations,
                                     groups=table.groups, random_state=options.seed,
                                     verbose=2)
        with FitProgress(2, 1 + options.tune, "final fits") as progress:
            if options.tune:
                search = clone(evaluated).fit(table.X, table.y)
                progress.fit_done("the search on all rows")
                tuning = narrate(Tuning(path=search.path_, splitter=repr(search.cv),
                                        max_fits=options.max_fits, n_rows=len(table.y)))
                model = clone(model).set_params(**search.best_params_)
            diagnosis = _diagnose(table, protocol, model, report)
            progress.fit_done("the diagnosed fit")
    return report, tuning, diagnosis


def _search(model, protocol, task, options):
    """The fit-then-regularize search over ``model``, with inner splits that keep the
    protocol's rule."""
    from .. import FitThenRegularizeSearchCV

    inner = inner_splitter(protocol.kind, task, TUNE_FOLDS, options.seed)
    return FitThenRegularizeSearchCV(model, cv=inner, scoring=SCORING[task],
                                     max_fits=options.max_fits, random_state=options.seed)


class _training_failures:
    """Turn an error raised while training or scoring into one line of input error.

    Bad data has been refused before training; what fails now is the fit
    itself (a learning rate that makes it diverge, say), which the options
    control.
    """

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None or not issubclass(kind, Exception):
            return False
        raise InputError(f"training failed: {error} (check --learning-rate, --batch-size "
                         "and the data's scale)") from error


def _diagnose(table, protocol, model, report):
    """Fit once on the largest training part and read its loss curves."""
    from .. import diagnose

    number, (train, _) = max(enumerate(protocol.folds, start=1), key=lambda f: len(f[1][0]))
    fitted = clone(model).fit(table.X.iloc[train], table.y[train])
    network = network_step(fitted)
    if table.task == "classification":
        key, baseline = "val_accuracy", float(report.baseline_scores[report.best_baseline].mean())
        meaning = f"accuracy of the best baseline ({report.best_baseline})"
        constant_loss = "auto"
    else:
        key, baseline = "val_loss", 1.0
        meaning = "mean squared error of the mean predictor on the standardized target"
        constant_loss = 1.0  # the variance of the standardized target
    diagnosis = diagnose(fitted, baseline_score=baseline, score=key,
                         constant_loss=constant_loss)
    return DiagnosedFit(
        fit=(f"training part of split {number} ({len(train)} rows; "
             f"{VALIDATION_FRACTION:.0%} of them held out for the validation curve)"),
        diagnosis=diagnosis, baseline_meaning=meaning,
        network_best_epoch=int(network.best_epoch_),
    )


def _unique_warnings(caught):
    seen = {}
    for warning in caught:
        text = f"{warning.category.__name__}: {warning.message}"
        seen[text] = seen.get(text, 0) + 1
    return [{"warning": text, "count": count} for text, count in seen.items()]
