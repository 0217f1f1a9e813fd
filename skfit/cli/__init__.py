"""The ``skfit`` command line: the chapter's whole workflow on a table, with a report.

``skfit evaluate DATA.csv --target COL`` audits the data, chooses and
audits an evaluation protocol, selects features by mutual information,
cross-validates a Keras MLP against common-sense baselines and shuffled
labels on identical folds, diagnoses one fit from its loss curves, and
writes report.html (self-contained), report.md, PNG plots and results.json.
``skfit demo`` runs the same on bundled digits with noise channels.

The command calls skfit's public API only; ``skfit --help`` lists the
options. Bad input ends with one line on stderr and exit status 2.
"""

import dataclasses
import shlex
import sys

from .. import __version__
from ._args import build_parser
from ._errors import InputError

__all__ = ["main"]


def main(argv=None):
    """Run the ``skfit`` command line.

    Parses the arguments, runs the workflow of ``skfit evaluate`` or
    ``skfit demo`` over skfit's public API and writes the report. Every
    error ends in one line on stderr, never a traceback.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        0 when the report was written, 2 for bad input or a fit that fails
        (one line on stderr), 1 for an internal error (one line on stderr),
        130 when interrupted.

    See Also
    --------
    compare_to_baseline : The comparison at the heart of the report.
    diagnose : The diagnosis of one fit.

    Examples
    --------
    >>> from skfit.cli import main
    >>> main(["--version"])  # doctest: +SKIP
    skfit 0.1.0
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error("choose a command: evaluate or demo")
    try:
        return _run(args, argv)
    except InputError as exc:
        print(f"skfit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("skfit: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line, never a traceback
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        print(f"skfit: internal error, please report it: {message}", file=sys.stderr)
        return 1


def _run(args, argv):
    if args.threads is not None:  # asked for: before anything runs TensorFlow
        from ..utils import limit_tensorflow_threads

        limit_tensorflow_threads(args.threads)
    from ._data import demo_selection_note, demo_table, read_table
    from ._report import check_writable, write_report
    from ._workflow import Options, run

    out = check_writable(args.out)
    if args.command == "evaluate":
        table = read_table(args.data, target=args.target, task=args.task,
                           time_column=args.time_column, group_column=args.group_column,
                           drop=args.drop, sep=args.sep)
    else:
        table = demo_table(random_state=args.seed)
    options = Options(cv=args.cv, folds=args.folds, repeats=args.repeats,
                      permutations=args.permutations, epochs=args.epochs,
                      hidden=tuple(args.hidden), batch_size=args.batch_size,
                      learning_rate=args.learning_rate, seed=args.seed, tune=args.tune,
                      max_fits=args.max_fits)
    evaluation = run(table, options, narrate=_narrate)
    _narrate("")
    _narrate(evaluation)
    if args.command == "demo":
        note = demo_selection_note(evaluation.selection)
        _narrate(f"  {note}")
        data = dataclasses.replace(evaluation.data, notes=(*evaluation.data.notes, note))
        evaluation = dataclasses.replace(evaluation, data=data)
    evaluation = dataclasses.replace(evaluation, command=shlex.join(["skfit", *argv]),
                                     skfit_version=__version__)
    paths = write_report(evaluation, out)
    print(f"Report: {paths[0]} (with {', '.join(p.name for p in paths[1:])})")
    return 0


def _narrate(item):
    """Print a line, or a result's summary, now (before any progress on stderr)."""
    print(item, flush=True)
    return item
