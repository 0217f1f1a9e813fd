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
    """A scorer that advances a :class:`ProgressBar` after each model fit.

    Scores of the Dummy baselines are not counted (they are instantaneous);
    every other call is one fitted split of the model, on the real labels
    for the first ``n_splits`` calls and on shuffled labels afterwards.

    Parameters
    ----------
    scorer : callable
        A scikit-learn scorer, ``scorer(estimator, X, y)``.
    name : str
        The metric's name; also this object's ``repr``, under which
        ``compare_to_baseline`` reports the scores.
    bar : ProgressBar
    n_splits : int
        Splits of one cross-validation.
    """

    def __init__(self, scorer, name, bar, n_splits):
        self.scorer = scorer
        self.name = name
        self.bar = bar
        self.n_splits = n_splits
        self._model_calls = 0

    def __call__(self, estimator, X, y):
        score = self.scorer(estimator, X, y)
        if not isinstance(estimator, (DummyClassifier, DummyRegressor)):
            run, split = divmod(self._model_calls, self.n_splits)
            what = "model" if run == 0 else f"shuffled labels {run}"
            self._model_calls += 1
            self.bar.advance(f"{what}, split {split + 1}/{self.n_splits}")
        return score

    def __repr__(self):
        return self.name
