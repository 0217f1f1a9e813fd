"""Progress of the cross-validation fits on the terminal (stderr).

On a terminal, one bar redrawn in place; elsewhere (a log, a pipe), one
line per finished fit. :class:`ProgressScorer` advances the bar: it is the
scorer handed to ``compare_to_baseline``, which calls it once per fitted
split, so the bar moves while the folds run.
"""

import sys
import time

from sklearn.dummy import DummyClassifier, DummyRegressor


class ProgressBar:
    """A count of finished fits out of ``total``, with the elapsed time.

    Parameters
    ----------
    total : int
        Number of fits expected.
    stream : file, default=sys.stderr
        Where to draw; a terminal gets a bar redrawn in place, anything
        else one line per fit.
    width : int, default=30
        Characters of the bar.
    """

    def __init__(self, total, stream=None, width=30):
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.done = 0
        self._start = time.monotonic()
        self._tty = self.stream.isatty()
        if self._tty:
            self._draw("starting")

    def advance(self, label=""):
        """Count one more finished fit, described by ``label``, and redraw."""
        self.done += 1
        if self._tty:
            self._draw(label)
        else:
            elapsed = time.monotonic() - self._start
            self.stream.write(f"  fit {self.done}/{self.total} done ({label}), {elapsed:.1f} s\n")
            self.stream.flush()

    def _draw(self, label):
        elapsed = time.monotonic() - self._start
        filled = self.width * self.done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r  [{bar}] {self.done}/{self.total} fits  {elapsed:5.1f} s  "
                          f"{label:<28}")
        self.stream.flush()

    def close(self):
        """End the bar's line on a terminal."""
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()


class ProgressScorer:
    """A scorer that advances a :class:`ProgressBar` after each fit of the model.

    Scores of the Dummy baselines are not counted (they are instantaneous);
    every other call is one fitted split of the model, on the real or on
    shuffled labels. The split is recognised from the rows it is scored on,
    so the count does not depend on the order in which the splits are run.

    Parameters
    ----------
    scorer : callable
        A scikit-learn scorer, ``scorer(estimator, X, y)``.
    name : str
        The metric's name; also this object's ``repr``, under which
        ``compare_to_baseline`` reports the scores.
    bar : ProgressBar
    folds : list of (train, test)
        The splits, whose test rows identify the split being scored (``X``
        must be a DataFrame indexed by row number, as the workflow's is).
    """

    def __init__(self, scorer, name, bar, folds):
        self.scorer = scorer
        self.name = name
        self.bar = bar
        self.folds = folds

    def __call__(self, estimator, X, y):
        score = self.scorer(estimator, X, y)
        if not isinstance(estimator, (DummyClassifier, DummyRegressor)):
            self.bar.advance(f"split {self._split(X)}/{len(self.folds)}")
        return score

    def _split(self, X):
        rows = getattr(X, "index", None)
        for number, (_, test) in enumerate(self.folds, start=1):
            if rows is not None and len(rows) == len(test) and (rows == test).all():
                return number
        return "?"

    def __repr__(self):
        return self.name
