"""Cross-validate the procedure's moves on the shared splits; read their curves.

:class:`Evaluator` is what the search's
:class:`~._search_procedure.Procedure` calls to try configurations: it
turns each :class:`~._search_procedure.Move` into a
:class:`~._search_race.Trial`, runs them in a
:class:`~._search_race.Race` (rounds of epochs, the procedure's pruning
rule between rounds, within the search's budget), and returns one
:class:`~._search_path.Candidate` per trial that ran: its split scores, its
curves averaged over the splits, and their diagnosis. It can also take up a
trial of the last race again with more room ("train longer"), continuing
its fits instead of starting new ones.
"""

import dataclasses

import numpy as np

from ..diagnostics._curves import divergence
from ..diagnostics._diagnose import diagnose
from ..utils._dense import dense_weights
from ._fold_fit import can_continue, mean_curve
from ._search_path import STEPS, Candidate
from ._search_race import Race, Trial

__all__ = ["Evaluator"]


class Evaluator:
    """Run moves as trials on the shared splits; snapshot them as candidates.

    Parameters
    ----------
    estimator : estimator object
        The estimator every configuration is set on (a clone each fit).
    setup : PairedSetup
        The data, folds and scorer.
    knobs : Knobs
    constant_loss : tuple of (float, str) or None
        The loss of a constant prediction, for the diagnosis of divergence.
    budget : Budget
    pace : Pace
    n_jobs : int or None
    progress : FitProgress
    shape : tuple of (int, int)
        Input features and outputs of the network (to count its weights).
    """

    def __init__(self, estimator, setup, knobs, constant_loss, budget, pace, n_jobs, progress,
                 shape):
        self.knobs = knobs
        self.setup = setup
        self.constant_loss = constant_loss
        self.progress = progress
        self.shape = shape
        self.budget = budget
        self.resumable = can_continue(estimator) and knobs.has("early_stopping")
        self._race = Race(estimator, setup.X, setup.y, setup.folds, setup.scorer,
                          knobs.names["epochs"], self.resumable, budget, pace, n_jobs,
                          self._on_fit)
        self._estimator, self._pace, self._n_jobs = estimator, pace, n_jobs
        self.candidates = []
        self._trials = {}  # candidate index -> its trial, for the last race's candidates

    def __call__(self, moves, prune):
        """Race ``moves`` (each a new configuration); return the candidates that ran.

        ``prune(running, started)`` (snapshots of the trials still running
        and of all that started) returns ``[(candidate, reason)]``: the
        trials to stop.
        """
        trials = [Trial(move, self.knobs.params(move.config), len(self.setup.folds),
                        self.weights(move.config)) for move in moves]
        return self._run(trials, prune)

    def take_up(self, candidate, move, prune):
        """Continue ``candidate``'s fits (of the last race) with the room of ``move``: a new
        candidate, without new fits. None when its fits are no longer held."""
        trial = self._trials.get(candidate.index)
        if trial is None or not self.resumable:
            return None
        taken = Trial(move, self.knobs.params(move.config), len(self.setup.folds),
                      trial.weights, runs=trial.runs)
        ran = self._run([taken], prune)
        return ran[0] if ran else None

    def repeat(self, candidates, folds, params):
        """Cross-validate ``candidates`` again on ``folds`` (a second draw of the splits),
        each with its own configuration and ``params`` on top (another seed); return them
        with their ``repeat_scores``, in the list of candidates too."""
        race = Race(self._estimator, self.setup.X, self.setup.y, folds, self.setup.scorer,
                    self.knobs.names["epochs"], False, self.budget, self._pace, self._n_jobs,
                    self._on_fit)
        trials = {id(trial): (trial, c) for c in candidates for trial in [
            Trial(dataclasses.replace(self._move_of(c), step=5,
                                      move=f"{c.label} on the second draw"),
                  {**c.params, **params}, len(folds), c.weights)]}
        ran = race.run([trial for trial, _ in trials.values()], lambda started: [])
        repeated = []
        for trial in ran:
            candidate = dataclasses.replace(trials[id(trial)][1], repeat_scores=trial.scores)
            self.candidates[candidate.index] = candidate
            repeated.append(candidate)
        return repeated

    @staticmethod
    def _move_of(candidate):
        from ._search_procedure import Move

        return Move(candidate.config, candidate.step, candidate.move, candidate.reason,
                    candidate.parent, candidate.knob)

    def weights(self, config):
        """Number of weights of the network of ``config`` (Dense layers)."""
        return dense_weights([self.shape[0], *config.get("hidden_layer_sizes", (64,)),
                              self.shape[1]])

    # -- running -------------------------------------------------------------
    def _run(self, trials, prune):
        first = len(self.candidates)

        def prune_trials(started):
            snapshots = [self._snapshot(t, first + i) for i, t in enumerate(started)]
            running = [c for c, t in zip(snapshots, started) if not t.done]
            trial_of = {id(c): t for c, t in zip(snapshots, started)}
            return [(trial_of[id(c)], reason) for c, reason in prune(running, snapshots)]

        ran = self._race.run(trials, prune_trials)
        candidates = [self._snapshot(trial, first + i) for i, trial in enumerate(ran)]
        self.candidates += candidates
        self._trials = {c.index: t for c, t in zip(candidates, ran)}
        for candidate in candidates:
            self.progress.finding(f"{STEPS[candidate.step]}: {candidate.describe(self.setup.scoring)}")
        return candidates

    def _on_fit(self, trial, k, run):
        self.progress.fit_done(
            f"{STEPS[trial.move.step]}: {trial.move.move}, split {k + 1}/{len(self.setup.folds)}: "
            f"{self.setup.scoring} {run.score:.4g} after {run.n_epochs} epochs in "
            f"{run.fit_time:.1f} s"
        )

    def _snapshot(self, trial, index):
        """The candidate ``trial`` is now: its configuration with the epochs it used (the
        room that reproduces its fits), its scores, curves and their diagnosis."""
        runs = [run for run in trial.runs if run is not None]
        histories = [{key: np.asarray(values, dtype=float) for key, values in run.history.items()}
                     for run in runs]
        keys = [key for key in histories[0] if all(key in h for h in histories)]
        history = {key: mean_curve([h[key] for h in histories], hold_last=True)
                   for key in keys}
        diverged = [h for h in histories if not np.isfinite(h["loss"]).all()
                    or divergence(h, self.constant_loss) is not None]
        config = {**trial.move.config, "epochs": trial.n_epochs}
        move = dataclasses.replace(trial.move, config=config)
        return Candidate(
            index=index, step=move.step, move=move.move, reason=move.reason,
            parent=move.parent, config=config, params=self.knobs.params(config),
            fold_scores=np.array([run.score for run in runs], dtype=float),
            fit_times=np.array([run.fit_time for run in runs]),
            score_times=np.array([run.score_time for run in runs]),
            history=history, diagnosis=self._diagnose(diverged[0] if diverged else history,
                                                      _restored(trial, history)),
            diverged=bool(diverged), stopped=trial.stopped, knob=move.knob,
            weights=trial.weights, room=trial.room, progress=tuple(trial.progress),
        )

    def _diagnose(self, history, restored=None):
        try:
            level = self.constant_loss[0] if self.constant_loss is not None else None
            return diagnose(history, constant_loss=level, restored_epoch=restored)
        except ValueError:  # one epoch, or no finite validation value: nothing to read
            return None


def _restored(trial, history):
    """The epoch of the lowest mean validation loss when early stopping ended every fit
    of ``trial`` (it restored each fit's best epoch), else None."""
    runs = [run for run in trial.runs if run is not None]
    stopped = all(run.n_epochs < trial.room and np.isfinite(run.score) for run in runs)
    val = history.get("val_loss")
    if not stopped or trial.stopped is not None or val is None or not np.isfinite(val).any():
        return None
    return int(np.nanargmin(np.where(np.isfinite(val), val, np.nan))) + 1
