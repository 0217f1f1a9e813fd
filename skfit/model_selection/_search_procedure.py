"""The chapter's procedure, step by step: what to try next, read off the last curves.

:class:`Procedure` decides; an ``evaluate`` function (the search's) runs
each configuration on the shared splits and returns a
:class:`~._search_path.Candidate`. The steps:

1. **Get training started**: while the diagnosis is ``not_training`` (or a
   classifier's training loss stays above a uniform guess's), sweep the
   learning rate a decade apart (down after a divergence or a climb, both
   ways after a stall), then once more with 4 times bigger batches.
2. **Beat the baseline**: after step 3, the best configuration must beat
   the Dummy baselines on the same splits (corrected t-test), or the
   search stops and says so.
3. **Reach overfitting**: while the validation loss does not turn up (or
   barely does), train longer (when it is still falling at the last epoch)
   or grow the model (width, then depth) when it is flat.
4. **Regularize**: from the model that overfits, stop at its best epoch,
   use early stopping, a smaller size, L2, dropout, L1; then refine the
   best of these (stronger, weaker, a larger model with the same
   regularization, combined) while the cross-validated score improves.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..diagnostics._curves import relative_decrease, smooth
from ._search_path import STEPS, beats

__all__ = ["Procedure", "Move", "MIN_EVALUATIONS"]

TRAINING_ROUNDS = 2  # learning-rate sweeps, the second with bigger batches
EPOCH_GROWTH = 4
WIDTH_GROWTH = 4
MAX_WIDTH = 1024
MAX_DEPTH = 4
MAX_STEPS = 20_000  # gradient steps per fit beyond which training longer is not tried
STILL_FALLING = 0.75  # a lowest validation loss in the last quarter of the epochs...
FALLING_BY = 0.02  # ... that fell by more than this over that quarter (smoothed)
STOP_EARLIER = 0.9  # stopping at the best epoch is tried when it is this early or earlier
READABLE_EPOCHS = 20  # fewer epochs are grown before capacity, whatever the curve
L2_START, L1_START, DROPOUT_START = 1e-3, 1e-4, 0.3
DROPOUTS = (0.1, 0.2, 0.3, 0.5)
REGULARIZE_RESERVE = 6  # evaluations kept for step 4 (at most a third of the budget)
REFINE_BATCH = 3
REGULARIZERS = ("hidden_layer_sizes", "l2", "dropout", "l1")  # in the order they are tried


#: Cross-validations the procedure needs at least: start, one step up, one regularized.
MIN_EVALUATIONS = 3


@dataclass(frozen=True)
class Move:
    """A configuration to evaluate, and how it came about."""

    config: dict
    step: int
    move: str
    reason: str
    parent: int | None
    knob: str | None = None  # the regularizer a step-4 move changes ("stop" for stopping)


class Procedure:
    """Run steps 1-4 within a budget of cross-validations.

    Parameters
    ----------
    knobs : Knobs
    evaluate : callable
        ``evaluate(moves)`` cross-validates each :class:`Move` and returns
        their :class:`Candidate` objects, numbered in order.
    n_evaluations : int
        Cross-validations allowed (the budget of fits, less the refit,
        divided by the number of splits).
    baseline : callable
        ``baseline(candidate)`` returns its :class:`BaselineReport`.
    rows_per_epoch : float
        Training rows per fit (of each split's training part, less the
        validation share), to count gradient steps.
    scoring : str
    constant_loss : tuple of (float, str) or None
        The loss of a uniform guess (classifiers trained with cross-entropy).
    """

    def __init__(self, knobs, evaluate, n_evaluations, baseline, rows_per_epoch, scoring,
                 constant_loss=None):
        self.knobs = knobs
        self._evaluate = evaluate
        self.left = n_evaluations
        self.reserve = max(1, min(REGULARIZE_RESERVE, n_evaluations // 3))
        self.baseline = baseline
        self.rows_per_epoch = rows_per_epoch
        self.scoring = scoring
        self.constant_loss = constant_loss
        self.candidates = []
        self.lines = {number: [] for number in STEPS}
        self.stop_reason = ""
        self._tried = set()
        self._knob_of = {}
        self._capacity_moves = 0

    # -- running ---------------------------------------------------------------
    def run(self):
        """Run the steps; return ``(candidates, lines, stop_reason)``."""
        start = self._evaluate_one(Move(
            dict(self.knobs.start), 1, "start",
            "the estimator's own settings"
            + (", explored with early_stopping=False so that every curve shows where it turns "
               "up" if self.knobs.has("early_stopping") else ""),
            None,
        ))
        trained = self._get_training_started(start)
        self._note(2, f"{trained.label} against the baselines: {self._versus(trained)}; "
                      "the verdict comes after step 3, once the model has had its capacity.")
        overfit = self._reach_overfitting(trained) if self._trains(trained) else None
        if not self._beats_baseline():
            return self._finish()
        self._regularize(overfit if overfit is not None else trained)
        if not self.stop_reason:
            self.stop_reason = ("Stopped: every planned move was tried." if self.left
                                else "Stopped: the budget of fits is spent.")
        return self._finish()

    def _finish(self):
        return self.candidates, self.lines, self.stop_reason

    def _evaluate_moves(self, moves):
        moves = [move for move in moves if _key(move.config) not in self._tried][: self.left]
        if not moves:
            return []
        for move in moves:
            self._tried.add(_key(move.config))
        candidates = self._evaluate(moves)
        for move, candidate in zip(moves, candidates):
            self._knob_of[candidate.index] = move.knob
        self.left -= len(moves)
        self.candidates += candidates
        for candidate in candidates:
            self._note(candidate.step, candidate.describe(self.scoring))
        return candidates

    def _evaluate_one(self, move):
        candidates = self._evaluate_moves([move])
        return candidates[0] if candidates else None

    def _may_spend(self):
        """Whether steps 1 and 3 may run one more evaluation (step 4 keeps its reserve)."""
        return self.left > self.reserve

    def _note(self, step, text):
        self.lines[step].append(text)

    # -- step 1 ----------------------------------------------------------------
    def _get_training_started(self, candidate):
        rounds = 0
        while not self._trains(candidate) and rounds < TRAINING_ROUNDS:
            if not self._may_spend():
                self._note(1, "no budget left for another learning rate")
                break
            moves = self._training_moves(candidate, last_round=rounds == TRAINING_ROUNDS - 1)
            if not moves:
                break
            swept = self._evaluate_moves(moves[: self.left - self.reserve])
            if not swept:
                break
            trained = [c for c in swept if self._trains(c)]
            candidate = (self._best(among=trained) if trained
                         else min(swept, key=_final_training_loss))
            rounds += 1
        if not self._trains(candidate):
            self._note(1, "training never started: check that the inputs are scaled and the "
                          "target fits the loss; the next steps cannot fix a model that does "
                          "not train.")
        else:
            self._note(1, f"{candidate.label} trains: its training loss falls"
                          + (" below a uniform guess's" if self.constant_loss else "") + ".")
        return candidate

    def _trains(self, candidate):
        """Not ``not_training``, and (for classifiers) a final training loss below a uniform
        guess's: a network no better than guessing on its own training rows is not training,
        whatever the shape of its curve."""
        if candidate.status == "not_training" or candidate.diverged:
            return False
        return self.constant_loss is None or \
            _final_training_loss(candidate) < self.constant_loss[0]

    def _training_moves(self, candidate, last_round):
        """A sweep of learning rates, a decade apart, in the direction the curve calls for."""
        if not self.knobs.has("learning_rate"):
            self._note(1, f"{self.knobs.model_name} has no learning-rate parameter to change")
            return []
        rate, batch = candidate.config["learning_rate"], candidate.config["batch_size"]
        evidence = candidate.diagnosis.evidence[0] if candidate.diagnosis is not None else ""
        down, both = (1e-1, 1e-2, 1e-3), (10.0, 1e-1, 1e2)
        if candidate.diverged:
            factors, why = down, f"training diverged at #{candidate.index}: {evidence}"
        elif candidate.status != "not_training":  # trains, but no better than guessing
            factors, why = down, (
                f"#{candidate.index}'s training loss ends at "
                f"{_final_training_loss(candidate):.4g}, no lower than a uniform guess's "
                f"({self.constant_loss[0]:.4g}): the steps are too large")
        elif _unstable(candidate) or rate > 1e-2:
            factors, why = down, f"#{candidate.index}'s training loss does not settle: {evidence}"
        else:
            factors, why = both, f"#{candidate.index}'s training loss barely moves: {evidence}"
        moves = []
        for factor in factors:
            config = {**candidate.config, "learning_rate": rate * factor}
            move = f"learning_rate {_number(rate)} -> {_number(rate * factor)}"
            if last_round and self.knobs.has("batch_size"):
                config["batch_size"] = int(batch) * 4
                move += f", batch_size {batch} -> {config['batch_size']} (less noisy gradients)"
            moves.append(Move(config, 1, move, why, candidate.index))
        return moves

    # -- step 3 ----------------------------------------------------------------
    def _reach_overfitting(self, base):
        # good_fit: it barely turned up; unreadable: too short a curve to diagnose
        while base.status in ("underfitting", "good_fit", "unreadable"):
            if not self._may_spend():
                if base.status == "underfitting":
                    self._note(3, "the budget left is kept for regularization: the model has "
                                  "not overfit yet")
                break
            move = self._growth_move(base)
            if move is None:
                break
            candidate = self._evaluate_one(move)
            if candidate is None:
                break
            if candidate.status == "not_training":
                self._note(3, f"{candidate.label} does not train; growth stops at "
                              f"#{base.index}")
                break
            base = candidate
        if base.status in ("overfitting", "good_fit"):
            self._note(3, f"{base.label} crosses the boundary: its validation loss turns up "
                          f"after epoch {base.best_epoch} ({base.status}).")
        elif base.status == "not_generalizing":
            self._note(3, f"{base.label}: its validation loss does not follow the training "
                          "loss (not_generalizing); more capacity cannot help.")
        return base

    def _growth_move(self, base):
        config = dict(base.config)
        n_epochs, best = base.n_epochs, base.best_epoch or base.n_epochs
        falling = base.status == "underfitting" and _still_falling(base)
        longer = n_epochs * EPOCH_GROWTH
        steps = longer * self._steps_per_epoch(config)
        if (falling or n_epochs < READABLE_EPOCHS) and steps <= MAX_STEPS:
            config["epochs"] = longer
            why = (f"#{base.index}'s validation loss is still falling: lowest at epoch {best} "
                   f"of {n_epochs}" if falling else
                   f"{n_epochs} epochs are too few to see the validation loss turn up")
            return Move(config, 3, f"epochs {n_epochs} -> {longer}", why, base.index)
        if base.status == "good_fit":
            reason = (f"#{base.index}'s validation loss turns up only slightly after epoch "
                      f"{best} (good_fit): a larger model, to cross the boundary clearly")
        elif falling:
            reason = (f"#{base.index}'s validation loss is still falling, but {longer} epochs "
                      f"would take over {MAX_STEPS} gradient steps")
        elif best > STILL_FALLING * n_epochs:
            reason = (f"#{base.index}'s validation loss barely falls: lowest at epoch {best} "
                      f"of {n_epochs}, down less than {FALLING_BY:.0%} over the last quarter")
        else:
            reason = (f"#{base.index}'s validation loss is flat: lowest at epoch {best} of "
                      f"{n_epochs}, without turning up")
        if not self.knobs.has("hidden_layer_sizes"):
            self._note(3, f"{reason}; {self.knobs.model_name} exposes no size to grow")
            return None
        sizes = tuple(config["hidden_layer_sizes"])
        deepen = self._capacity_moves % 2 == 1 and self.knobs.can_deepen and \
            0 < len(sizes) < MAX_DEPTH
        if deepen:
            grown, what = (*sizes, sizes[-1]), "depth"
        elif not sizes:
            grown, what = (64,), "a hidden layer"
        else:
            grown, what = tuple(min(MAX_WIDTH, WIDTH_GROWTH * s) for s in sizes), "width"
            if grown == sizes and self.knobs.can_deepen and len(sizes) < MAX_DEPTH:
                grown, what = (*sizes, sizes[-1]), "depth"
        if grown == sizes:
            self._note(3, f"{reason}; the model is at the largest size tried "
                          f"({MAX_WIDTH} units, {MAX_DEPTH} layers)")
            return None
        self._capacity_moves += 1
        config["hidden_layer_sizes"] = grown
        return Move(config, 3, f"hidden_layer_sizes {sizes} -> {grown} ({what})", reason,
                    base.index)

    # -- step 2 ----------------------------------------------------------------
    def _beats_baseline(self):
        best = self._best()
        report = self.baseline(best)
        self._note(2, f"after step 3, the best configuration {best.label} against the "
                      f"baselines: {self._versus(best)}.")
        if beats(report):
            return True
        self.stop_reason = (
            "Stopped after step 3: no configuration beats the common-sense baselines. The "
            "inputs may not carry the information needed, or this architecture does not suit "
            "the data; regularizing cannot help."
        )
        self._note(2, self.stop_reason)
        return False

    def _versus(self, candidate):
        report = self.baseline(candidate)
        best = report.baseline_scores[report.best_baseline].mean()
        verdict = "beats" if beats(report) else "does NOT beat"
        p = f"{report.p_value:.2g}" if math.isfinite(report.p_value) else "n/a"
        by_splits = (" (higher on every split: two splits are too few for the t-test)"
                     if beats(report) and not report.beats_baseline else "")
        return (f"{verdict} the best baseline ({report.best_baseline}): {self.scoring} "
                f"{candidate.mean_score:.4f} vs {best:.4f}, one-sided p = {p}{by_splits}")

    # -- step 4 ----------------------------------------------------------------
    def _regularize(self, base):
        if base.status not in ("overfitting", "good_fit"):
            self._note(4, f"{base.label} has not overfit: regularization has little to fix, "
                          "but early stopping and the regularizers are still compared")
        overfits = ", the model that overfits" if base.status in ("overfitting", "good_fit") \
            else ""
        self._note(4, f"from {base.label}{overfits} (lowest validation loss at epoch "
                      f"{base.best_epoch} of {base.n_epochs}):")
        first = self._evaluate_moves(self._regularization_moves(base))
        if not first:
            self.stop_reason = "Stopped: the budget of fits is spent."
            return
        best = self._best(among=[base, *first])
        while self.left:
            moves = self._refinements(best, base, first)
            if not moves:
                self._note(4, f"every refinement of {best.label} is tried")
                return
            round_ = self._evaluate_moves(moves[: min(REFINE_BATCH, self.left)])
            challenger = self._best(among=round_)
            if challenger.mean_score > best.mean_score:
                best = challenger

    def _steps_per_epoch(self, config):
        return math.ceil(self.rows_per_epoch / int(config["batch_size"]))

    def _stopping(self, config, base):
        """``config`` trained with early stopping, with room for up to ``EPOCH_GROWTH`` times
        the base's epochs (regularization delays the turn); without early stopping, for the
        base's epochs."""
        if self.knobs.has("early_stopping"):
            config["early_stopping"] = True
            config["patience"] = max(int(config.get("patience") or 1),
                                     math.ceil(base.n_epochs / 10))
            room = min(base.n_epochs * EPOCH_GROWTH, MAX_STEPS // self._steps_per_epoch(config))
            config["epochs"] = max(base.n_epochs, room)
        return config

    def _regularization_moves(self, base):
        config, moves = dict(base.config), []
        best, n_epochs = base.best_epoch, base.n_epochs
        if best is not None and best <= STOP_EARLIER * n_epochs and n_epochs - best >= 2:
            moves.append(Move({**config, "epochs": best}, 4, f"epochs {n_epochs} -> {best}",
                              f"stop at the best epoch: #{base.index}'s validation loss is "
                              f"lowest at epoch {best}", base.index, "stop"))
        if self.knobs.has("early_stopping"):
            stopped = self._stopping(dict(config), base)
            moves.append(Move(stopped, 4, f"early stopping (patience {stopped['patience']})",
                              "early stopping restores each fit's best epoch", base.index,
                              "stop"))
        for knob in REGULARIZERS:
            move = self._stronger(base, knob, base)
            if move is not None:
                moves.append(move)
        return moves

    def _stronger(self, candidate, knob, base, weaker=False):
        """``candidate`` with ``knob`` regularizing more (or less), with early stopping."""
        if not self.knobs.has(knob):
            return None
        config = self._stopping(dict(candidate.config), base)
        value = config[knob]
        if knob == "hidden_layer_sizes":
            if weaker or not value or max(value) <= 2:
                return None
            new = tuple(max(1, size // 2) for size in value)
            what = "smaller"
        elif knob == "dropout":
            new = _next_dropout(value, weaker)
            what = "less dropout" if weaker else "dropout"
        else:
            start = L2_START if knob == "l2" else L1_START
            new = (value / 10 if weaker else value * 10) if value else (None if weaker else start)
            what = f"weaker {knob.upper()}" if weaker else knob.upper()
        if new is None or new == value:
            return None
        config[knob] = new
        stop = " with early stopping" if self.knobs.has("early_stopping") else ""
        return Move(config, 4, f"{knob} {_number(value)} -> {_number(new)}{stop}",
                    f"{what} from {candidate.label}", candidate.index, knob)

    def _larger(self, candidate):
        """``candidate`` twice as wide, keeping its regularization: a model that overfits
        more, which the regularization may now hold back."""
        if not self.knobs.has("hidden_layer_sizes"):
            return None
        sizes = tuple(candidate.config["hidden_layer_sizes"])
        wider = tuple(min(MAX_WIDTH, 2 * size) for size in sizes)
        if not sizes or wider == sizes:
            return None
        config = {**candidate.config, "hidden_layer_sizes": wider}
        return Move(config, 4, f"hidden_layer_sizes {sizes} -> {wider}, same regularization",
                    f"a larger model, regularized as {candidate.label}", candidate.index,
                    "larger")

    def _refinements(self, best, base, first):
        """Next moves, the most promising first: ``best``'s regularizers stronger and
        weaker, and a larger model with them; ``best`` combined with each regularizer that
        beat the stopping rules in the first round; other strengths of every regularizer of
        the first round."""
        regularizers = [knob for knob in REGULARIZERS if self.knobs.has(knob)]
        active = [knob for knob in regularizers if best.config[knob] != base.config[knob]]
        moves = []
        for knob in active:
            moves += [self._stronger(best, knob, base), self._stronger(best, knob, base, True)]
        if active and "hidden_layer_sizes" not in active:
            moves.append(self._larger(best))
        stops = [c for c in first if self._knob_of[c.index] == "stop"]
        reference = max((c.mean_score for c in stops), default=base.mean_score)
        tried = sorted((c for c in first if self._knob_of[c.index] in regularizers
                        and c.index != best.index), key=lambda c: -c.mean_score)
        for candidate in tried:
            knob = self._knob_of[candidate.index]
            if candidate.mean_score > reference and knob not in active:
                config = self._stopping({**best.config, knob: candidate.config[knob]}, base)
                moves.append(Move(config, 4, f"+ {knob} {_number(candidate.config[knob])}",
                                  f"{candidate.label} helped: combined with {best.label}",
                                  best.index, knob))
        for candidate in tried:
            knob = self._knob_of[candidate.index]
            moves += [self._stronger(candidate, knob, base),
                      self._stronger(candidate, knob, base, True)]
        unique = {}
        for move in moves:
            if move is not None and _key(move.config) not in self._tried:
                unique.setdefault(_key(move.config), move)
        return list(unique.values())

    # -- choosing --------------------------------------------------------------
    def _best(self, among=None):
        return best_candidate(self.candidates if among is None else among)


def best_candidate(candidates):
    """The candidate with the best finite mean score (the earliest on a tie); the first
    candidate when none has a finite score."""
    scored = [c for c in candidates if math.isfinite(c.mean_score)]
    if not scored:
        return candidates[0]
    return max(scored, key=lambda c: (c.mean_score, -c.index))


def _key(config):
    return tuple(sorted((knob, str(value)) for knob, value in config.items()))


def _number(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _next_dropout(value, weaker):
    if weaker:
        lower = [d for d in DROPOUTS if d < value]
        return lower[-1] if lower else None
    if not value:
        return DROPOUT_START
    higher = [d for d in DROPOUTS if d > value]
    return higher[0] if higher else None


def _still_falling(candidate):
    """Whether the mean validation loss is lowest in the last quarter of the epochs and
    fell over that quarter by more than ``FALLING_BY`` (smoothed as diagnose smooths)."""
    n_epochs, best = candidate.n_epochs, candidate.best_epoch or candidate.n_epochs
    if best <= STILL_FALLING * n_epochs:
        return False
    val = smooth(candidate.history["val_loss"], 5)
    val = val[~np.isnan(val)]
    tail = min(len(val), max(3, len(val) // 4))
    return len(val) >= 2 and relative_decrease(float(val[-tail]), float(val[-1])) > FALLING_BY


def _final_training_loss(candidate):
    """Median of the last third of the mean training loss (inf when not finite)."""
    loss = np.asarray(candidate.history["loss"], dtype=float)
    tail = loss[-max(1, len(loss) // 3):]
    return float(np.median(tail)) if np.isfinite(tail).all() else math.inf


def _unstable(candidate):
    loss = np.asarray(candidate.history["loss"], dtype=float)
    return len(loss) > 1 and loss[-1] > loss[0]
