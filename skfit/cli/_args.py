"""The ``skfit`` command line: its subcommands, options and help texts."""

import argparse
import math

from .. import __version__

DEFAULT_OUT = "skfit-report"
TUNE_FOLDS = 3  # inner folds of the search run by --tune

_DESCRIPTION = """\
The fundamentals of machine-learning practice on your own table, without code:
audit the data, choose an honest evaluation protocol, compare a Keras MLP
with common-sense baselines and shuffled labels on identical folds, select
features by mutual information, and read the fit off its loss curves.
Writes report.html (self-contained), report.md, the plots (PNG) and
results.json (every number shown)."""

_EXIT_CODES = """\
exit status:
  0  the report was written
  2  bad input (missing file, empty CSV, unknown column, one-class target,
     unparsable time column, too few rows for the folds, bad option value):
     one line on stderr says what is wrong"""

_EVALUATE_DESCRIPTION = """\
Run the whole workflow on a CSV file:
  1. read DATA.csv; rows without a target value are left out;
  2. audit the data: duplicate rows, time order, class balance, missing values;
  3. choose the protocol (--cv auto: a time column -> time-ordered splits;
     duplicate rows or a group column -> deduplicated K-fold; fewer than
     1000 rows -> repeated K-fold; else shuffled K-fold) and say why,
     then audit the splits for leaks;
  4. preprocess inside the pipeline (numeric: median-imputed, with missing-
     value indicators, standardized; text/categorical: one-hot with a
     'missing' category), select features by mutual information above
     their noise floor, and list what was dropped;
  5. cross-validate a Keras MLP against Dummy baselines and shuffled labels
     on the same folds (accuracy for classification, R^2 for regression);
  6. diagnose one fit from its training and validation loss curves;
  7. print a summary table and write the report to --out.
With --tune, step 5 cross-validates the whole tuning procedure instead (a
fit-then-regularize search inside each training part), step 6 diagnoses
the configuration it chooses on all the rows, and the report shows the
search's path."""

_EVALUATE_EXAMPLES = """\
examples:
  skfit evaluate churn.csv --target churned
  skfit evaluate sales.csv --target revenue --time-column date --drop id
  skfit evaluate visits.csv --target outcome --group-column patient --folds 4
  skfit evaluate data.csv --target y --cv repeated --folds 5 --repeats 10 --out report/
  skfit evaluate iris.csv --target species --tune"""

_DEMO_DESCRIPTION = """\
Run the same workflow on bundled data: scikit-learn's 8x8 digits (pixels
scaled to [0, 1]) with 64 columns of uniform noise appended. Mutual
information should drop the noise channels (and the blank border pixels),
and the MLP should beat the baselines by far. Needs no file and no network;
takes well under 2 minutes on 2 CPU cores."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr, status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _int_at_least(minimum, maximum=None):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer >= {minimum}, got {text!r}"
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
            raise argparse.ArgumentTypeError(f"expected an integer {bounds}, got {value}")
        return value

    return parse


def _auto_or_int_at_least(minimum):
    parse_int = _int_at_least(minimum)

    def parse(text):
        return "auto" if text == "auto" else parse_int(text)

    return parse


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def _separator(text):
    if text in ("\\t", "tab"):
        return "\t"
    if len(text) != 1 or text in "\"\r\n":
        raise argparse.ArgumentTypeError(
            f"expected one character other than a quote or a line break ('\\t' or 'tab' "
            f"for a tab), got {text!r}"
        )
    return text


def _add_workflow_options(parser):
    """Add the options shared by ``evaluate`` and ``demo``: protocol, model, output."""
    protocol = parser.add_argument_group("evaluation protocol")
    protocol.add_argument(
        "--cv", choices=["auto", "kfold", "repeated", "time", "dedup"], default="auto",
        help="auto (default): chosen from the data, the reason is printed; kfold: "
        "shuffled (stratified) K-fold; repeated: --repeats reshuffled K-folds; time: "
        "time-ordered splits, each validated on rows after its training rows; dedup: "
        "K-fold that keeps identical rows (and groups) on one side of every split",
    )
    protocol.add_argument("--folds", type=_int_at_least(2), default=5, metavar="K",
                          help="number of folds K (default: 5)")
    protocol.add_argument("--repeats", type=_int_at_least(1), default=3, metavar="P",
                          help="repetitions of K-fold for --cv repeated, and for --cv auto "
                          "on small data (default: 3)")
    protocol.add_argument("--permutations", type=_int_at_least(0), default=1, metavar="N",
                          help="cross-validations of the model on shuffled labels (default: "
                          "1; 19 or more give a permutation p-value below 0.05 when earned)")
    model = parser.add_argument_group("model (a Keras MLP: KerasMLPClassifier/Regressor)")
    model.add_argument("--epochs", type=_auto_or_int_at_least(2), default="auto", metavar="N",
                       help="training epochs of each fit, or auto: 100 epochs, at most 2000 "
                       "gradient steps but at least 20 epochs (default: auto)")
    model.add_argument("--hidden", type=_int_at_least(1), nargs="+", default=[64],
                       metavar="UNITS", help="units of each hidden layer (default: 64)")
    model.add_argument("--batch-size", type=_auto_or_int_at_least(1), default="auto",
                       metavar="N", help="rows per gradient step, or auto: 128, or fewer "
                       "so that an epoch has at least 4 steps (default: auto)")
    model.add_argument("--learning-rate", type=_positive_float, default=1e-3, metavar="LR",
                       help="RMSprop learning rate (default: 0.001)")
    model.add_argument("--seed", type=_int_at_least(0, 2**32 - 1), default=0, metavar="S",
                       help="seed of the splits, the networks, the baselines and the "
                       "permutations; the same seed gives the same report (default: 0)")
    tuning = parser.add_argument_group("tuning (fit, then regularize)")
    tuning.add_argument("--tune", action="store_true",
                        help="tune the MLP with FitThenRegularizeSearchCV (get training "
                        "started, beat the baselines, overfit, then regularize) inside each "
                        "training part: the scores are those of the whole tuning procedure "
                        "(nested), and the report shows the path of the search run on all the "
                        "rows. The options above are its starting point. Takes a search per "
                        "split: minutes rather than seconds")
    tuning.add_argument("--max-fits", type=_int_at_least(3 * TUNE_FOLDS + 1), default=31,
                        metavar="N", help=f"fits of each search, its {TUNE_FOLDS} inner folds "
                        "and its refit included (default: 31)")
    speed = parser.add_argument_group("speed")
    speed.add_argument("--threads", type=_int_at_least(1), default=None, metavar="N",
                       help="TensorFlow threads of this run (its intra-op and inter-op pools); "
                       "default: TensorFlow's own, as many as cores. One thread trains "
                       "medium networks (over 50,000 weights; smaller ones train in NumPy) "
                       "faster on two cores")
    output = parser.add_argument_group("output")
    output.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help=f"report folder, created if needed (default: ./{DEFAULT_OUT})")


def build_parser():
    """Return the ``skfit`` argument parser, with its subcommands."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog="skfit", description=_DESCRIPTION, epilog=_EXIT_CODES,
                     formatter_class=formatter)
    parser.add_argument("--version", action="version", version=f"skfit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    evaluate = commands.add_parser(
        "evaluate", formatter_class=formatter,
        help="the whole workflow on a CSV file, with a report",
        description=_EVALUATE_DESCRIPTION, epilog=f"{_EVALUATE_EXAMPLES}\n\n{_EXIT_CODES}",
    )
    evaluate.add_argument("data", metavar="DATA.csv",
                          help="the table: a CSV file with a header row")
    columns = evaluate.add_argument_group("columns")
    columns.add_argument("--target", required=True, metavar="COL",
                         help="the column to predict (required)")
    columns.add_argument("--task", choices=["auto", "classification", "regression"],
                         default="auto",
                         help="auto (default): classification for text, booleans or at most "
                         "20 distinct whole numbers; regression otherwise")
    columns.add_argument("--time-column", metavar="COL",
                         help="dates or numbers giving each row's time: rows are sorted by "
                         "it, validation always comes after training, and it is not a feature")
    columns.add_argument("--group-column", metavar="COL",
                         help="rows sharing a value (a patient, a user) stay on one side of "
                         "every split; not a feature")
    columns.add_argument("--drop", nargs="+", action="extend", default=[], metavar="COL",
                         help="columns that are not features (identifiers, leaks of the "
                         "target); repeatable")
    columns.add_argument("--sep", default=",", metavar="CHAR", type=_separator,
                         help="field separator of the CSV file, one character; '\\t' or "
                         "'tab' for a tab (default: ',')")
    _add_workflow_options(evaluate)

    demo = commands.add_parser(
        "demo", formatter_class=formatter,
        help="the same workflow on bundled digits with noise channels",
        description=_DEMO_DESCRIPTION, epilog=f"example:\n  skfit demo --out demo-report\n\n"
        f"{_EXIT_CODES}",
    )
    _add_workflow_options(demo)
    return parser
