"""Cross-validate configurations on the shared splits, a round of epochs at a time.

A :class:`Race` trains a set of configurations (:class:`Trial` objects) on
every split in rounds: each round continues the fits of the one before
(``warm_start``; early stopping's best epoch and patience carry over), so a
configuration trained in rounds is the configuration trained at once, and a
trial can be taken up again later ("train longer") without a new fit.
Between rounds the procedure's rule stops the trials that are clearly
behind (successive halving on the shared folds).

:class:`Budget` bounds what the search spends: fits (each configuration on
each split counts once, however many rounds it runs) and seconds. A round
that would not end within the seconds left is shortened, or not run; what
a round costs is predicted from the pace of the rounds before it
(:class:`Pace`: seconds per weight, training row and epoch).
"""

import math
import time

import numpy as np
from joblib import Parallel, delayed

from ._fold_fit import run_fold

__all__ = ["Budget", "Pace", "Race", "Trial"]

#: Rounds of a race grow by this factor (successive halving's eta).
ROUND_GROWTH = 3
#: Fewest epochs in a trial's first round (fewer cannot show a curve).
FIRST_ROUND = 10
#: Most rounds of a trial's room.
MAX_ROUNDS = 3
#: Share of max_time held back against predictions that fall short.
TIME_MARGIN = 0.03


class Budget:
    """Fits and seconds the search may spend, with what is held back for later.

    Parameters
    ----------
    max_time : float or None
        Seconds from now; None: no limit.

    Attributes
    ----------
    max_fits : int
        Set once the number of splits is known.
    """

    def __init__(self, max_time):
        self.max_fits = 0
        self.fits = 0
        self.deadline = math.inf if max_time is None else time.perf_counter() + max_time
        # held back against predictions that fall short (a round that traces anew)
        self.margin = 0.0 if max_time is None else TIME_MARGIN * max_time
        self.held = (0, 0.0)  # fits and seconds held back (the refit, later steps)
        self.out_of_time = False  # a round was cut short, or not run, for lack of seconds

    @property
    def fits_left(self):
        return self.max_fits - self.fits - self.held[0]

    @property
    def seconds_left(self):
        return self.deadline - time.perf_counter() - self.held[1] - self.margin

    @property
    def spent(self):
        """Whether nothing more can be started."""
        return self.fits_left <= 0 or self.seconds_left <= 0 or self.out_of_time

    def hold(self, fits, seconds):
        """Hold back ``fits`` and ``seconds`` (replacing what was held) for later: a new
        share to spend, so a round cut short in the last one does not end this one."""
        self.held = (fits, seconds)
        self.out_of_time = False


class Pace:
    """Seconds of wall time per unit of training work, measured round by round.

    A unit is one weight times one training row times one epoch: what an
    epoch of a dense network costs grows with both. The estimate takes the
    third quartile of the rounds' paces, not their mean, so that a round
    that paid a one-off cost (TensorFlow's first use in the process, the
    trace of a new network depth) does not make every later round look
    slow.
    """

    def __init__(self):
        self.paces = []

    @property
    def units(self):
        """Whether anything was measured yet."""
        return len(self.paces)

    def record(self, seconds, units):
        if units > 0:
            self.paces.append(seconds / units)

    def estimate(self, units):
        """Predicted seconds for ``units`` of work (at the third quartile of the paces: a
        prediction that errs on the long side); 0 before anything was measured."""
        return float(np.quantile(self.paces, 0.75)) * units if self.paces else 0.0


class Trial:
    """A configuration cross-validated on the shared splits, round by round.

    Parameters
    ----------
    move : Move
        The configuration and how it came about; its ``epochs`` is the room
        the trial may use.
    params : dict
        Its ``set_params`` arguments.
    n_splits : int
    weights : int
        Number of weights of its network (for the pace).
    runs : list of FoldRun or None, default=None
        Runs to continue (a trial taken up again); None starts afresh.
    """

    def __init__(self, move, params, n_splits, weights, runs=None):
        self.move = move
        self.params = params
        self.weights = weights
        self.runs = list(runs) if runs is not None else [None] * n_splits
        self.stopped = None  # why it stopped before its room was used (pruned, budget)
        # (epochs, mean score) at the end of each round
        self.progress = [] if runs is None else [(self.n_epochs, self.mean_score)]

    @property
    def room(self):
        return int(self.move.config["epochs"])

    @property
    def started(self):
        return all(run is not None for run in self.runs)

    @property
    def n_epochs(self):
        """Epochs run so far (the most on any split)."""
        return max((run.n_epochs for run in self.runs if run is not None), default=0)

    @property
    def done(self):
        return self.stopped is not None or (self.started and (
            all(run.finished for run in self.runs) or self.n_epochs >= self.room))

    @property
    def scores(self):
        return np.array([run.score if run is not None else math.nan for run in self.runs])

    @property
    def mean_score(self):
        scores = self.scores
        return float(scores.mean()) if np.isfinite(scores).all() else math.nan

    def rounds(self, resumable):
        """Epoch counts at which its rounds end: a geometric series up to its room
        (a single round when the estimator cannot be continued)."""
        if not resumable:
            return [self.room]
        ends, end = [self.room], self.room
        while end / ROUND_GROWTH >= FIRST_ROUND and len(ends) < MAX_ROUNDS:
            end = math.ceil(end / ROUND_GROWTH)
            ends.insert(0, end)
        return ends


class Race:
    """Run trials on the shared splits in rounds, within a budget.

    Parameters
    ----------
    estimator : estimator object
    X, y : indexable
    folds : list of (train, test)
    scorer : callable
    epochs_name : str
        The parameter that sets the epochs.
    resumable : bool
        Whether the fits can be continued (else each trial runs in one round).
    budget : Budget
    pace : Pace
    n_jobs : int or None
    on_fit : callable
        ``on_fit(trial, k, run)`` after each split of a trial's first round.
    """

    def __init__(self, estimator, X, y, folds, scorer, epochs_name, resumable, budget, pace,
                 n_jobs, on_fit):
        self.estimator = estimator
        self.X, self.y = X, y
        self.folds = folds
        self.scorer = scorer
        self.epochs_name = epochs_name
        self.resumable = resumable
        self.budget = budget
        self.pace = pace
        self.n_jobs = n_jobs
        self.on_fit = on_fit
        self.rows = float(np.mean([len(train) for train, _ in folds]))

    def run(self, trials, prune):
        """Run ``trials`` to their room, a round at a time.

        ``prune(trials)`` is asked after each round which trials to stop, as
        ``[(trial, reason)]``. New trials start only while the budget has
        fits for every split and seconds for a first round. Returns the
        trials that ran.
        """
        trials = [t for t in trials if t.started] + self._affordable(
            [t for t in trials if not t.started])
        while True:
            todo = self._next_round(trials)
            for trial in [t for t in trials if not t.started and t.done]:
                trials.remove(trial)  # no time for its first round: it never ran
                self.budget.fits -= len(self.folds)
            if not todo:
                return trials
            self._run_round(todo)
            if not all(t.done for t in trials):
                for trial, reason in prune([t for t in trials if t.started]):
                    trial.stopped = reason

    def _affordable(self, new):
        n_splits = len(self.folds)
        affordable = new[: max(0, self.budget.fits_left) // n_splits]
        self.budget.fits += n_splits * len(affordable)
        return affordable

    def _next_round(self, trials):
        """``[(trial, epochs to add)]`` for the next round: the trials begun first, then
        new ones, each as long as the seconds left allow. A trial that does not fit whole
        is shortened to what fits (a new one only to a useful first round) and that is its
        last round; one that fits not even so stops where it is."""
        todo = []
        for trial in sorted(trials, key=lambda t: not t.started):
            if not trial.done:
                end = next(e for e in trial.rounds(self.resumable) if e > trial.n_epochs)
                todo.append((trial, end - trial.n_epochs))
        seconds = self.budget.seconds_left
        if self.pace.estimate(sum(self._units(t, e) for t, e in todo)) <= seconds:
            return todo
        kept = []
        for trial, epochs in todo:
            cost = self.pace.estimate(self._units(trial, epochs))
            if cost <= seconds:
                kept.append((trial, epochs))
                seconds -= cost
                continue
            fewer = math.floor(epochs * max(seconds, 0.0) / cost) if self.resumable else 0
            runs = fewer >= (1 if trial.started else min(FIRST_ROUND, epochs))
            trial.stopped = (f"stopped after {trial.n_epochs + (fewer if runs else 0)} epochs: "
                             "the time budget (max_time) is spent")
            self.budget.out_of_time = True
            if runs:
                kept.append((trial, fewer))
                seconds -= self.pace.estimate(self._units(trial, fewer))
        return kept

    def _units(self, trial, epochs):
        open_runs = sum(run is None or not run.finished for run in trial.runs)
        return trial.weights * self.rows * epochs * open_runs

    def _run_round(self, todo):
        jobs = [(trial, k, epochs) for trial, epochs in todo
                for k, run in enumerate(trial.runs) if run is None or not run.finished]
        start = time.perf_counter()
        results = Parallel(n_jobs=self.n_jobs, return_as="generator")(
            delayed(run_fold)(trial.runs[k], self.estimator, self.X, self.y, *self.folds[k],
                              trial.params, self.scorer, epochs, self.epochs_name)
            for trial, k, epochs in jobs
        )
        units = 0.0
        for (trial, k, epochs), run in zip(jobs, results):
            first = trial.runs[k] is None
            units += trial.weights * self.rows * (run.n_epochs - (0 if first else
                                                                  trial.runs[k].n_epochs))
            trial.runs[k] = run
            if first:
                self.on_fit(trial, k, run)
        self.pace.record(time.perf_counter() - start, units)
        for trial, _ in todo:
            trial.progress.append((trial.n_epochs, trial.mean_score))
