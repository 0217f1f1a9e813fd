"""The chapter's procedure as a search: every rule it follows, in one place.

:class:`Procedure` decides what to try next from the curves and scores of
what it tried; its ``evaluate`` (an :class:`~._search_evaluate.Evaluator`)
runs each batch of configurations on the shared splits, in rounds of epochs.

Every fit trains with early stopping (patience: a tenth of its room, at
least ten epochs or the estimator's own): its curve still shows where the
validation loss turns up, it ends there instead of running on, and its
score is that of its best epoch, restored. So "stop at the best epoch" is
read off every curve without a new fit, and a configuration's ``epochs`` is
the room its fits used, no more.

1. **Get training started, at the right step size.** The start (the
   estimator's own settings) runs first; then, when it trains, the same
   network with the learning rate 3 and 10 times larger and 3 times smaller
   (with room for 3 times the epochs), and with batches 4 times smaller.
   The next steps start from a configuration whose score is within the
   folds' noise of the best: of those whose validation loss turned, the
   smallest learning rate (then the largest batch), a steadier curve for
   early stopping to read; when none turned, the one whose fits took the
   fewest gradient steps (then the best score), since a smaller step still
   falling at the end of its room has only cost more epochs. When nothing
   trains: learning rates a decade apart below the lowest tried (after a
   divergence or a climb), or on both sides (after a stall), then again
   with 4 times bigger batches.
2. **Beat the baseline.** After step 3, the best configuration must beat the
   Dummy baselines on the same splits (:class:`BaselineReport`'s corrected
   t-test), or the search stops and says so: regularizing cannot help.
3. **Reach overfitting, and past it.** While the validation loss of the best
   configuration is still falling when its room ends, its fits are taken up
   again with 3 times the room (train longer: the curves continue, no new
   fit), kept when they score better. Every fit's room is capped at 8
   times the start's gradient steps and 32 times its work (weights times
   gradient steps), and a network too large for 20 epochs within that is
   not tried. Then the network grows,
   4 times wider and one layer deeper, while a larger network scores
   better than the one before by more than the folds' noise (:func:`clearly_better`): the first network that overfits
   is not the end, since early stopping and step 4 hold a larger one back.
4. **Regularize.** From the best network: dropout, L2 and L1 at two
   strengths each, a smaller network, and a 4 times larger one with dropout
   or L2 (as many as 60% of the step's budget allows, in that order), all
   with room for twice the epochs the network used when its validation loss
   turned (regularization delays the turn), and its own room when it never
   turned (no turn to delay); then, three at a time
   while the budget lasts, the best of these refined (stronger, weaker,
   combined with the regularizers that helped, larger again), and the rest
   of that list. A configuration that takes the lead while its validation
   loss is still falling where its room ends trains longer as in step 3
   (its fits continued with 3 times the room, kept when they score
   better): regularization delays the turn, and a score cut short would
   rank it too low against the configurations that follow; its refinements
   get its room; the shorter fits it continued are not refined again, and no
   configuration of the step is raced twice with another room.
5. **Choose with the noise in view** (:func:`choose`): the three best
   configurations are cross-validated again on a second draw of the splits
   (the splitter reshuffled; the same splits with other network seeds when
   it cannot be), and the best mean over all their splits wins: a lead
   that came from one draw's noise does not survive the second. Fits that
   were continued count once, as the better of the two lengths.
   The winner is refit (:func:`refit_config`) with the whole room its fits
   used as its patience: one fit cannot average its validation noise away.

Between rounds of a batch, a configuration that is clearly behind
(:func:`clearly_behind`: in the lower half, behind the leader on every split
and by more than one standard error) is stopped: successive halving on the
shared splits. The budget is shared out: step 1 may use up to 30% of the
fits and seconds, step 3 up to 30% more, step 4 the rest; the refit's fit
and predicted seconds are held back from the start.
"""

import math
from dataclasses import dataclass

import numpy as np

from ._search_path import STEPS

__all__ = ["Procedure", "Move", "MIN_EVALUATIONS", "best_candidate", "choose",
           "clearly_behind", "clearly_better", "refit_config", "step_size_choice"]

# -- step 1 --------------------------------------------------------------------------
RATE_FACTORS = (3.0, 1 / 3, 10.0)  # around the start's learning rate, in this order
BATCH_DIVISOR = 4  # smaller batches: more, noisier steps per epoch
MIN_BATCH = 8
TRAINING_ROUNDS = 2  # rounds of learning rates a decade apart when nothing trains
# -- step 3 --------------------------------------------------------------------------
ROOM_GROWTH = 3  # train longer: 3 times the room, continuing the fits
STEP_CAP = 8  # a fit takes at most this many times the start's gradient steps...
WORK_CAP = 32  # ... and does at most this many times its work (weights x steps)
READABLE_EPOCHS = 20  # shorter curves are grown before capacity, whatever they show
WIDTH_GROWTH = 4
MAX_WIDTH = 1024
MAX_DEPTH = 4
# -- step 4 --------------------------------------------------------------------------
FIRST_REGULARIZERS = (("dropout", 0.2), ("l2", 1e-3), ("l1", 1e-3),
                      ("larger", ("dropout", 0.3)), ("dropout", 0.5), ("l2", 1e-2),
                      ("hidden_layer_sizes", None), ("l1", 1e-4), ("l2", 1e-4),
                      ("larger", ("l2", 1e-3)))
FIRST_ROUND_SHARE = 0.6  # of step 4's cross-validations, for the first round
REFINE_BATCH = 3  # moves raced at a time after the first round
DROPOUTS = (0.1, 0.2, 0.3, 0.5)
REGULARIZED_ROOM = 2  # room for twice the epochs the network used, when its loss turned
TURNED = ("overfitting", "good_fit")  # statuses whose validation loss turned up
REGULARIZERS = ("hidden_layer_sizes", "l2", "dropout", "l1")
# -- every fit -------------------------------------------------------------------------
PATIENCE_SHARE = 0.1  # patience: this share of the room...
MIN_PATIENCE = 10  # ... and at least this many epochs (small validation sets are noisy)
# -- step 5 ----------------------------------------------------------------------------
FINALISTS = 3  # the best configurations, cross-validated again on a second draw of splits
# -- budget ----------------------------------------------------------------------------
SHARES = {1: 0.25, 3: 0.25, 4: 0.4, 5: 0.1}  # of the fits and seconds, by step

#: Cross-validations the procedure needs at least: the start, one step up, one regularized.
MIN_EVALUATIONS = 3


@dataclass(frozen=True)
class Move:
    """A configuration to evaluate, and how it came about."""

    config: dict
    step: int
    move: str
    reason: str
    parent: int | None
    knob: str | None = None  # the regularizer a step-4 move changes


class Procedure:
    """Run steps 1-4 within the budget.

    Parameters
    ----------
    knobs : Knobs
        Where the knobs live, and the start (``epochs`` and ``batch_size``
        resolved).
    evaluate : Evaluator
        ``evaluate(moves, prune)`` races moves and returns their candidates;
        ``evaluate.take_up(candidate, move, prune)`` continues a candidate's
        fits with more room.
    budget : Budget
    pace : Pace
        To predict the refit's seconds.
    setup : PairedSetup
        The folds, the metric and the baselines.
    rows_per_epoch : float
        Training rows per fit (to count gradient steps).
    constant_loss : tuple of (float, str) or None
        The loss of a uniform guess (classifiers trained with cross-entropy).
    redraw : callable or None
        ``redraw()`` returns ``(folds, how, params)``: a second draw of the
        splits for the finalists, what it is, and parameters to add to their
        fits (another seed); None: no second draw.
    """

    def __init__(self, knobs, evaluate, budget, pace, setup, rows_per_epoch,
                 constant_loss=None, redraw=None):
        self.knobs = knobs
        self._evaluate = evaluate
        self.budget = budget
        self.pace = pace
        self.setup = setup
        self.scoring = setup.scoring
        self.rows_per_epoch = rows_per_epoch
        self.constant_loss = constant_loss
        self.redraw = redraw
        self.n_splits = len(setup.folds)
        self._room = None  # step 4's room, from its base
        self._superseded = set()  # indices of a fit and its continuation, the worse one
        self._step4_networks = set()  # step 4's configurations raced, whatever their room
        start = knobs.start
        self.max_steps = STEP_CAP * int(start["epochs"]) * self._steps_per_epoch(start)
        self.max_work = WORK_CAP * self._work(start, int(start["epochs"]))
        self.lines = {number: [] for number in STEPS}
        self.stop_reason = ""
        self._tried = set()
        self._allowed = _allowances((budget.max_fits - 1) // self.n_splits)

    @property
    def candidates(self):
        return self._evaluate.candidates

    # -- running -------------------------------------------------------------------
    def run(self):
        """Run the steps; return ``(candidates, lines, stop_reason, chosen)``."""
        self._enter(1)
        trained = self._get_training_started()
        self._note(2, f"{trained.label if trained else 'the start'} against the baselines: "
                      f"{self._versus(trained or self.candidates[0])}; the verdict comes after "
                      "step 3, once the model has had its capacity.")
        base = self._reach_overfitting(trained) if trained is not None else None
        if not self._beats_baseline():
            return self._finish()
        self._enter(4)
        self._regularize(base or trained or self.candidates[0])
        if not self.stop_reason:
            self.stop_reason = ("Stopped: the budget is spent." if self.budget.spent
                                else "Stopped: every planned move was tried.")
        return self._finish()

    def _finish(self):
        self._enter(5)
        self._repeat_finalists()
        self.budget.hold(0, 0.0)
        chosen, why = choose(self.candidates)
        self._note(5, why)
        return self.candidates, self.lines, self.stop_reason, chosen

    def _repeat_finalists(self):
        """Cross-validate the best configurations again on a second draw of the splits."""
        if not self._allowed[5]:
            self._note(5, "the budget leaves no room to cross-validate the finalists again: "
                          "the best mean score on the shared splits decides")
            return
        scored = [c for c in self.candidates
                  if math.isfinite(c.mean_score) and c.index not in self._superseded]
        finalists = sorted(scored, key=lambda c: (-c.mean_score, c.index))[:FINALISTS]
        if len(finalists) < 2 or self.redraw is None:
            return
        folds, how, params = self.redraw()
        repeated = self._evaluate.repeat(finalists, folds, params)
        if repeated:
            self._note(5, f"the {len(repeated)} best ({', '.join(c.label for c in repeated)}) "
                          f"are cross-validated again on {how}, so that the choice rests on "
                          f"{2 * self.n_splits} splits each")

    def _enter(self, step):
        """Hold back, for the steps after ``step`` and the refit, their share of what is
        left (fits, seconds)."""
        if step == 5:
            self.budget.hold(1, self._refit_seconds())
            return
        later = sum(share for number, share in SHARES.items() if number > step)
        now = SHARES[step] + later
        fits = self.budget.max_fits - self.budget.fits - 1
        later_fits = sum(self._allowed[number] for number in SHARES if number > step)
        held = 0.0
        if math.isfinite(self.budget.deadline):
            refit = self._refit_seconds()
            held = refit + max(0.0, self.budget.deadline - _now() - refit) * later / now
        self.budget.hold(1 + min(fits, later_fits * self.n_splits), held)

    def _refit_seconds(self):
        """Predicted seconds of the refit of the best configuration so far."""
        if not self.candidates:
            return 0.0
        best = best_candidate(self.candidates)
        n_rows = self.rows_per_epoch * (1 + 1 / max(1, self.n_splits - 1))
        return self.pace.estimate(best.weights * n_rows * best.n_epochs)

    def _race(self, moves, reference=None):
        """Evaluate ``moves`` not tried yet (stopping those clearly behind ``reference`` or
        one another); return their candidates."""
        moves = [move for move in moves if _key(move.config) not in self._tried]
        for move in moves:
            self._tried.add(_key(move.config))
            if move.step == 4:
                self._step4_networks.add(_network_key(move.config))
        if not moves:
            return []
        candidates = self._evaluate(moves, self._pruner(reference))
        self._note_all(candidates)
        return candidates

    def _pruner(self, reference):
        def prune(running, started):
            pool = [*started, *([reference] if reference is not None else [])]
            leader = best_candidate(pool)
            ranked = sorted(pool, key=lambda c: _score_key(c), reverse=True)
            lower_half = {c.index for c in ranked[(len(ranked) + 1) // 2:]}
            stops = []
            for candidate in running:
                behind = clearly_behind(candidate, leader)
                if candidate.index in lower_half and behind is not None:
                    stops.append((candidate, f"stopped after {candidate.n_epochs} epochs: "
                                             f"{behind} {leader.label} (successive halving)"))
            return stops

        return prune

    def _note_all(self, candidates):
        for candidate in candidates:
            self._note(candidate.step, candidate.describe(self.scoring))

    def _note(self, step, text):
        self.lines[step].append(text)

    def _may_spend(self):
        return not self.budget.spent

    # -- step 1 --------------------------------------------------------------------
    def _get_training_started(self):
        start = self._race([Move(self._start_config(), 1, "start", self._start_reason(), None)])
        if not start:
            return None
        start = start[0]
        if self._trains(start):
            tried = [start, *self._race(self._step_size_moves(start), reference=start)]
        else:
            tried = self._recover(start)
        trained = [c for c in tried if self._trains(c)]
        if not trained:
            self._note(1, "training never started: check that the inputs are scaled and the "
                          "target fits the loss; the next steps cannot fix a model that does "
                          "not train.")
            return None
        best, leader, steadier = step_size_choice(trained, self._gradient_steps)
        if best is leader:
            why = ", with the best score of the learning rates and batch sizes tried"
        elif steadier:
            why = (f": within the folds' noise of the best score ({leader.label}), the "
                   "smallest step whose validation loss turned (a steadier curve for early "
                   "stopping to read)")
        else:
            why = (f": within the folds' noise of the best score ({leader.label}), in "
                   f"{self._gradient_steps(best)} gradient steps instead of "
                   f"{self._gradient_steps(leader)} (no tied curve turned within its room: a "
                   "smaller step has only cost more epochs)")
        self._note(1, f"{best.label} trains" + (" (its training loss falls below a uniform "
                   "guess's)" if self.constant_loss else "") + why
                   + "; the next steps start from it.")
        return best

    def _start_config(self):
        config = dict(self.knobs.start)
        if self.knobs.has("early_stopping"):
            config["early_stopping"] = True
            config["patience"] = _patience(config, int(config["epochs"]))
        return config

    def _start_reason(self):
        if not self.knobs.has("early_stopping"):
            return "the estimator's own settings"
        return ("the estimator's own settings, with early stopping (the curve still shows where "
                "the validation loss turns up, and the score is its best epoch's)")

    def _step_size_moves(self, start):
        """The start with other learning rates and smaller batches."""
        moves = []
        config = start.config
        if self.knobs.has("learning_rate"):
            rate = config["learning_rate"]
            for factor in RATE_FACTORS:  # a smaller rate gets room for as many more epochs
                room = math.ceil(start.room / min(1.0, factor))
                moves.append(Move(self._with_room({**config, "learning_rate": rate * factor},
                                                  room), 1,
                                  f"learning_rate {_number(rate)} -> {_number(rate * factor)}"
                                  + (f" (room {room} epochs)" if room != start.room else ""),
                                  "the step size is tuned even when training starts",
                                  start.index))
        else:
            self._note(1, f"{self.knobs.model_name} has no learning-rate parameter to change")
        batch = int(config["batch_size"])
        if self.knobs.has("batch_size") and batch // BATCH_DIVISOR >= MIN_BATCH:
            smaller = batch // BATCH_DIVISOR
            moves.insert(2, Move({**config, "batch_size": smaller}, 1,
                                 f"batch_size {batch} -> {smaller}",
                                 "more, noisier gradient steps per epoch", start.index))
        return moves

    def _recover(self, start):
        """Learning rates a decade apart until one trains; the last round with bigger
        batches. Returns every candidate tried."""
        self._enter(3)  # growing is moot until training starts: step 3's share is step 1's
        tried, candidate = [start], start
        for round_ in range(TRAINING_ROUNDS):
            if not self._may_spend():
                self._note(1, "no budget left for another learning rate")
                break
            swept = self._race(self._recovery_moves(candidate, round_ == TRAINING_ROUNDS - 1))
            if not swept:
                break
            tried += swept
            trained = [c for c in swept if self._trains(c)]
            if trained:
                break
            candidate = min(swept, key=_final_training_loss)
        return tried

    def _recovery_moves(self, candidate, last_round):
        if not self.knobs.has("learning_rate"):
            self._note(1, f"{self.knobs.model_name} has no learning-rate parameter to change")
            return []
        rate, batch = candidate.config["learning_rate"], candidate.config["batch_size"]
        evidence = candidate.diagnosis.evidence[0] if candidate.diagnosis is not None else ""
        down, both = (1e-1, 1e-2, 1e-3), (10.0, 1e-1, 1e2)
        if candidate.diverged:
            factors, why = down, f"training diverged at {candidate.label}: {evidence}"
        elif candidate.status != "not_training":  # trains, but no better than guessing
            factors, why = down, (
                f"{candidate.label}'s training loss ends at "
                f"{_final_training_loss(candidate):.4g}, no lower than a uniform guess's "
                f"({self.constant_loss[0]:.4g}): the steps are too large")
        elif _unstable(candidate) or rate > 1e-2:
            factors, why = down, f"{candidate.label}'s training loss does not settle: {evidence}"
        else:
            factors, why = both, f"{candidate.label}'s training loss barely moves: {evidence}"
        moves = []
        for factor in factors:
            config = {**candidate.config, "learning_rate": rate * factor}
            move = f"learning_rate {_number(rate)} -> {_number(rate * factor)}"
            if last_round and self.knobs.has("batch_size"):
                config["batch_size"] = int(batch) * 4
                move += f", batch_size {batch} -> {config['batch_size']} (less noisy gradients)"
            moves.append(Move(config, 1, move, why, candidate.index))
        return moves

    def _trains(self, candidate):
        """Not ``not_training``, and (for classifiers) a final training loss below a uniform
        guess's: a network no better than guessing on its own training rows is not training,
        whatever the shape of its curve."""
        if candidate.status == "not_training" or candidate.diverged:
            return False
        return self.constant_loss is None or \
            _final_training_loss(candidate) < self.constant_loss[0]

    # -- step 3 --------------------------------------------------------------------
    def _reach_overfitting(self, base):
        self._enter(3)
        base = self._train_longer(base)
        while self._may_spend():
            moves = self._growth_moves(base)
            larger = self._race(moves, reference=base) if moves else []
            if not larger:
                break
            winner = best_candidate(larger)
            if not clearly_better(winner, base):
                self._note(3, f"no larger network scores better than {base.label} by more "
                              "than the folds' noise: its capacity is where the validation "
                              "score stops improving.")
                break
            self._note(3, f"{winner.label} scores better than {base.label} by more than the "
                          "folds' noise: the network grows.")
            base = self._train_longer(winner)
        status = base.status
        if _turned(base):
            self._note(3, f"{base.label} crosses the boundary: its validation loss turns up "
                          f"after epoch {base.best_epoch} ({status}).")
        elif status == "not_generalizing":
            self._note(3, f"{base.label}: its validation loss does not follow the training "
                          "loss (not_generalizing); more capacity cannot help.")
        return base

    def _train_longer(self, base, step=3):
        """Take ``base``'s fits up again with more room while its validation loss is still
        falling where the room ends (or the curve is too short to read); the candidates
        are of ``step``."""
        while self._may_spend():
            ran_out = base.stopped is None and base.n_epochs >= base.room
            short = ran_out and base.n_epochs < READABLE_EPOCHS
            if not (short or ran_out and base.diagnosis is not None
                    and base.diagnosis.still_falling):
                return base
            room = base.room * ROOM_GROWTH
            if room > self._room_cap(base.config):
                self._note(step, f"{base.label}'s validation loss is still falling, but {room} "
                                 f"epochs would take more than {STEP_CAP} times the start's "
                                 f"gradient steps or {WORK_CAP} times its work (weights x "
                                 "gradient steps), the most a fit may do")
                return base
            why = (f"{base.n_epochs} epochs are too few to read the curve" if short else
                   f"{base.label}'s validation loss is still falling at epoch {base.n_epochs}")
            move = Move(self._with_room(dict(base.config), room), step,
                        f"epochs {base.n_epochs} -> up to {room} (its fits continued)", why,
                        base.index, base.knob)
            longer = self._evaluate.take_up(base, move, self._pruner(None))
            if longer is None:  # its fits are gone (or cannot be continued): fit anew
                fresh = self._race([move], reference=base)
                longer = fresh[0] if fresh else None
            else:
                self._tried.add(_key(move.config))
                self._note_all([longer])
            if longer is None:
                return base
            if not longer.mean_score > base.mean_score:
                self._superseded.add(longer.index)
                self._note(step, f"{longer.label} scores no better than {base.label}: more "
                                 f"room does not pay for itself, and {base.label} keeps its "
                                 f"{base.n_epochs} epochs.")
                return base
            self._superseded.add(base.index)
            base = longer
        return base

    def _gradient_steps(self, candidate):
        """Gradient steps of each of ``candidate``'s fits."""
        return candidate.n_epochs * self._steps_per_epoch(candidate.config)

    def _steps_per_epoch(self, config):
        return math.ceil(self.rows_per_epoch / int(config["batch_size"]))

    def _growth_moves(self, base):
        if not self.knobs.has("hidden_layer_sizes"):
            self._note(3, f"{self.knobs.model_name} exposes no size to grow")
            return []
        sizes = tuple(base.config["hidden_layer_sizes"])
        grown = []
        wider = tuple(min(MAX_WIDTH, WIDTH_GROWTH * s) for s in sizes) if sizes else (64,)
        if wider != sizes:
            grown.append((wider, "width"))
        if self.knobs.can_deepen and 0 < len(sizes) < MAX_DEPTH:
            grown.append(((*sizes, sizes[-1]), "depth"))
        if not grown:
            self._note(3, f"{base.label} is at the largest size tried ({MAX_WIDTH} units, "
                          f"{MAX_DEPTH} layers)")
        room = max(base.room, READABLE_EPOCHS)
        affordable = [(new, what) for new, what in grown
                      if self._room_cap({**base.config, "hidden_layer_sizes": new})
                      >= READABLE_EPOCHS]
        if grown and not affordable:
            self._note(3, f"a larger network than {base.label} would take more than "
                          f"{WORK_CAP} times the start's work per fit (weights x gradient "
                          "steps) for a readable curve")
        return [Move(self._with_room({**base.config, "hidden_layer_sizes": new}, room), 3,
                     f"hidden_layer_sizes {sizes} -> {new} ({what})",
                     f"a larger network than {base.label}, to find where more capacity stops "
                     "helping", base.index)
                for new, what in affordable]

    def _work(self, config, epochs):
        """Weights times gradient steps of a fit of ``config`` for ``epochs``."""
        return self._evaluate.weights(config) * self._steps_per_epoch(config) * epochs

    def _room_cap(self, config):
        """The most epochs a fit of ``config`` may take: ``max_steps`` and ``max_work``."""
        return max(1, min(self.max_steps // self._steps_per_epoch(config),
                          int(self.max_work // self._work(config, 1))))

    def _with_room(self, config, room):
        config["epochs"] = min(room, self._room_cap(config))
        if self.knobs.has("early_stopping"):
            config["patience"] = _patience(self.knobs.start, room)
        return config

    # -- step 2 --------------------------------------------------------------------
    def _beats_baseline(self):
        best = best_candidate(self.candidates)
        self._note(2, f"after step 3, the best configuration {best.label} against the "
                      f"baselines: {self._versus(best)}.")
        if self.setup.report(best.fold_scores).beats_baseline:
            return True
        self.stop_reason = (
            "Stopped after step 3: no configuration beats the common-sense baselines. The "
            "inputs may not carry the information needed, or this architecture does not suit "
            "the data; regularizing cannot help."
        )
        self._note(2, self.stop_reason)
        return False

    def _versus(self, candidate):
        report = self.setup.report(candidate.fold_scores)
        best = report.baseline_scores[report.best_baseline].mean()
        verdict = "beats" if report.beats_baseline else "does NOT beat"
        p = f"{report.p_value:.2g}" if math.isfinite(report.p_value) else "n/a"
        return (f"{verdict} the best baseline ({report.best_baseline}): {self.scoring} "
                f"{candidate.mean_score:.4f} vs {best:.4f}, one-sided p = {p}")

    # -- step 4 --------------------------------------------------------------------
    def _regularize(self, base):
        overfits = _turned(base)
        self._note(4, f"from {base.label}" + (", the model that overfits" if overfits else "")
                      + f" (lowest validation loss at epoch {base.best_epoch} of "
                      f"{base.n_epochs}):")
        self._room = _step4_room(base)
        planned = [m for m in (self._regularized(base, *item) for item in FIRST_REGULARIZERS)
                   if m]
        room_left = (self.budget.fits_left // self.n_splits)
        first = self._race(planned[: max(2, math.ceil(FIRST_ROUND_SHARE * room_left))],
                           reference=base)
        if not first:
            self.stop_reason = "Stopped: the budget is spent."
            return
        best = self._lead(base, first)
        while self._may_spend():
            moves = self._refinements(best, base, first)
            moves += [m for m in planned if self._untried(m)]
            if not moves:
                self._note(4, f"every refinement of {best.label} is tried")
                return
            round_ = self._race(moves[:REFINE_BATCH], reference=best)
            if not round_:
                return
            first += [c for c in round_ if c.parent == base.index]
            best = self._lead(best, round_)

    def _lead(self, best, round_):
        """The best of ``best`` and the ``round_`` just raced; a new leader whose validation
        loss is still falling where its room ends trains longer (its fits continued), as in
        step 3: regularization delays the turn, and a score cut short ranks it too low."""
        leader = best_candidate([best, *round_])
        if leader is best:
            return best
        return self._train_longer(leader, step=4)

    def _regularized(self, candidate, knob, value, weaker=False):
        """``candidate`` with ``knob`` at ``value`` (None: the next strength, or half the
        size); "larger": 4 times wider with the regularizer ``value``."""
        if knob == "larger":
            return self._larger(candidate, *value)
        if not self.knobs.has(knob):
            return None
        config = self._regularized_room(candidate)
        old = config[knob]
        if knob == "hidden_layer_sizes":
            if weaker or not old or max(old) <= 2:
                return None
            new, what = tuple(max(1, size // 2) for size in old), "smaller"
        elif value is None:
            new = _next_strength(knob, old, weaker)
            what = f"{'weaker' if weaker else 'stronger'} {knob}"
        else:
            new, what = value, knob
        if new is None or new == old:
            return None
        config[knob] = new
        return Move(config, 4, f"{knob} {_number(old)} -> {_number(new)}",
                    f"{what} from {candidate.label}", candidate.index, knob)

    def _larger(self, candidate, knob, value):
        """``candidate`` 4 times wider with ``knob`` at ``value``: a network that overfits
        more, which the regularization may now hold back."""
        if not (self.knobs.has("hidden_layer_sizes") and self.knobs.has(knob)):
            return None
        sizes = tuple(candidate.config["hidden_layer_sizes"])
        wider = tuple(min(MAX_WIDTH, WIDTH_GROWTH * size) for size in sizes)
        if not sizes or wider == sizes or \
                self._room_cap({**candidate.config, "hidden_layer_sizes": wider}) < READABLE_EPOCHS:
            return None
        config = {**self._regularized_room(candidate), "hidden_layer_sizes": wider, knob: value}
        return Move(config, 4, f"hidden_layer_sizes {sizes} -> {wider} with {knob} "
                               f"{_number(value)}",
                    f"a larger network than {candidate.label}, regularized", candidate.index,
                    "larger")

    def _regularized_room(self, candidate):
        """``candidate``'s configuration with the room of step 4 (:func:`_step4_room`),
        the same for every move of the step, or ``candidate``'s own when it trained
        longer (:meth:`_lead`): its refinements race it with the room it needed."""
        return self._with_room(dict(candidate.config), max(self._room, candidate.room))

    def _refinements(self, best, base, first):
        """Next moves, the most promising first: ``best``'s regularizers stronger and
        weaker, and a larger network with them; ``best`` combined with the regularizer of
        each first-round move that scored better than ``base``; other strengths of those
        (not of a move whose fits were continued: ``best`` is its longer version)."""
        knobs = [knob for knob in REGULARIZERS if self.knobs.has(knob)]
        active = [knob for knob in knobs if best.config[knob] != base.config[knob]]
        moves = []
        for knob in active:
            moves += [self._regularized(best, knob, None),
                      self._regularized(best, knob, None, weaker=True)]
        if active and "hidden_layer_sizes" not in active:
            knob = active[0]
            moves.append(self._larger(best, knob, best.config[knob]))
        helped = sorted((c for c in first if c.knob in knobs and c.index != best.index
                         and c.index not in self._superseded
                         and c.mean_score > base.mean_score), key=lambda c: -c.mean_score)
        for candidate in helped:
            if candidate.knob not in active:
                config = {**self._regularized_room(best),
                          candidate.knob: candidate.config[candidate.knob]}
                moves.append(Move(config, 4, f"+ {candidate.knob} "
                                             f"{_number(candidate.config[candidate.knob])}",
                                  f"{candidate.label} helped: combined with {best.label}",
                                  best.index, candidate.knob))
        for candidate in helped:
            moves += [self._regularized(candidate, candidate.knob, None),
                      self._regularized(candidate, candidate.knob, None, weaker=True)]
        unique = {}
        for move in moves:
            if move is not None and self._untried(move):
                unique.setdefault(_key(move.config), move)
        return list(unique.values())

    def _untried(self, move):
        """Whether step 4 has not raced ``move``'s configuration, with this room or another
        (a leader that trained longer has a room of its own)."""
        return _key(move.config) not in self._tried and \
            _network_key(move.config) not in self._step4_networks


# -- the rules on noise ------------------------------------------------------------------
def clearly_behind(candidate, leader):
    """Why the running ``candidate`` is clearly behind ``leader`` on the shared splits and
    cannot catch up, or None.

    Clearly behind: no score (its training failed) where the leader has one;
    or lower on every split, by a mean paired difference larger than one
    standard error of those differences. Cannot catch up: at the pace of its
    last round, its score would still be below the leader's when its room
    ends. A slow learner still gaining fast is not stopped, nor any trial
    after its first round (a pace needs two).
    """
    if candidate.index == leader.index or not math.isfinite(leader.mean_score):
        return None
    if not math.isfinite(candidate.mean_score):
        return "no score (its training failed), against a score for"
    differences = candidate.fold_scores - leader.fold_scores
    if len(differences) < 2 or len(candidate.progress) < 2:
        return None  # a pace needs two rounds: a slow start is not a verdict
    se = float(differences.std(ddof=1) / math.sqrt(len(differences)))
    if not ((differences < 0).all() and differences.mean() < -se):
        return None
    reach = _projected(candidate)
    if reach >= leader.mean_score:
        return None
    return (f"{candidate.mean_score:.4f} against {leader.mean_score:.4f}, lower on every split "
            f"by more than one standard error ({se:.3f}), and at its pace it would reach at "
            f"most {reach:.4f} by epoch {candidate.room}, below")


def _projected(candidate):
    """Its score at the end of its room if it kept gaining as fast as in its last round."""
    (before, start), (epochs, score) = candidate.progress[-2:]
    pace = max(0.0, (score - start) / max(1, epochs - before))
    return score + pace * max(0, candidate.room - epochs)


def clearly_better(challenger, incumbent):
    """Whether ``challenger`` scores better than ``incumbent`` on the shared splits by more
    than one standard error of their paired differences (a lead the folds' noise does not
    explain)."""
    if not math.isfinite(challenger.mean_score):
        return False
    if not math.isfinite(incumbent.mean_score):
        return True
    differences = challenger.fold_scores - incumbent.fold_scores
    se = float(differences.std(ddof=1) / math.sqrt(len(differences))) \
        if len(differences) > 1 else 0.0
    return differences.mean() > se


def choose(candidates):
    """The configuration the search chooses, and the sentence that says why.

    The finalists (the configurations cross-validated again on a second draw
    of the splits) are compared on all their splits, which halves the noise
    a single draw leaves in their means; without finalists, the best mean on
    the shared splits decides. The sentence gives the margin over the
    runner-up and the standard error of their paired differences.

    Returns
    -------
    chosen : Candidate
    why : str
    """
    finalists = [c for c in candidates if c.repeat_scores is not None]
    pool = finalists or [c for c in candidates if math.isfinite(c.mean_score)]
    if not pool:
        return candidates[0], "no configuration has a finite score: the start is kept"
    ranked = sorted(pool, key=lambda c: (-_all_scores(c).mean(), c.index))
    chosen = ranked[0]
    where = (f"over both draws ({len(_all_scores(chosen))} splits)" if finalists
             else f"on the {len(chosen.fold_scores)} shared splits")
    why = f"{chosen.label} has the best mean score {where}: {_all_scores(chosen).mean():.4f}"
    if len(ranked) > 1:
        second = ranked[1]
        differences = _all_scores(chosen) - _all_scores(second)
        se = float(differences.std(ddof=1) / math.sqrt(len(differences))) \
            if len(differences) > 1 else math.nan
        within = " (within the noise)" if differences.mean() <= se else ""
        why += (f", ahead of {second.label} ({_all_scores(second).mean():.4f}) by "
                f"{differences.mean():.4f}, one standard error {se:.4f}{within}")
    return chosen, why


def refit_config(config, knobs):
    """The chosen configuration as the refit trains it.

    With early stopping, the refit's patience is the whole room its fits
    used: it runs those epochs and keeps its best one. A single fit has no
    other folds to average out the noise of its validation loss, and a
    plateau that the folds' fits went past would otherwise end it early
    (a tenth of the room, 10 epochs on a small table).
    """
    if not (knobs.has("patience") and config.get("early_stopping")):
        return config
    return {**config, "patience": max(int(config["patience"]), int(config["epochs"]))}


def _all_scores(candidate):
    if candidate.repeat_scores is None:
        return candidate.fold_scores
    return np.concatenate([candidate.fold_scores, candidate.repeat_scores])


def step_size_choice(candidates, gradient_steps):
    """Step 1's choice among ``candidates`` within the folds' noise of the best score (not
    :func:`clearly_better` than by the best): the smallest learning rate (then the largest
    batch) among those whose validation loss turned, a steadier curve for early stopping to
    read; when none turned, the fewest ``gradient_steps(candidate)`` (then the best score),
    since a smaller step still falling at the end of its room has only cost more epochs.

    Returns ``(chosen, leader, steadier)``: ``leader`` is the best score, ``steadier``
    whether the choice was the steadier step (a curve turned).
    """
    leader = best_candidate(candidates)
    tied = [c for c in candidates if not clearly_better(leader, c)]
    turned = [c for c in tied if _turned(c)]
    if turned:
        return min(turned, key=lambda c: (c.config.get("learning_rate", 0),
                                          -int(c.config.get("batch_size", 0)),
                                          c.index)), leader, True
    return min(tied, key=lambda c: (gradient_steps(c), -_score_key(c), c.index)), leader, False


def best_candidate(candidates):
    """The candidate with the best finite mean score (the earliest on a tie); the first
    candidate when none has a finite score."""
    scored = [c for c in candidates if math.isfinite(c.mean_score)]
    if not scored:
        return candidates[0]
    return max(scored, key=lambda c: (c.mean_score, -c.index))


def _score_key(candidate):
    score = candidate.mean_score
    return score if math.isfinite(score) else -math.inf


# -- small helpers -----------------------------------------------------------------------
def _allowances(n_evaluations):
    """Cross-validations per step (1, 3, 4, 5) out of ``n_evaluations``: at least one
    each for steps 1, 3 and 4; the finalists' when the budget has room for them."""
    finalists = FINALISTS if n_evaluations >= MIN_EVALUATIONS + 2 * FINALISTS else 0
    first = max(1, round(SHARES[1] * n_evaluations))
    third = max(1, round(SHARES[3] * n_evaluations))
    return {1: first, 3: third, 4: max(1, n_evaluations - first - third - finalists),
            5: finalists}


def _step4_room(base):
    """Step 4's room: twice the epochs ``base`` used (its room at least) when its
    validation loss turned, since regularization delays the turn; ``base``'s own room
    when the loss never turned (still falling where the room ended), since there is
    no turn to delay and more epochs there only grow the logits of separable data. A
    move that then takes the lead with its loss still falling where this room ends gets
    more (:meth:`Procedure._lead`)."""
    if _turned(base):
        return max(base.room, REGULARIZED_ROOM * base.n_epochs)
    return base.room


def _turned(candidate):
    """Whether ``candidate``'s validation loss turned up (a status in ``TURNED``), not a good
    fit read off a validation loss that ends near zero, which need not have turned."""
    return candidate.status in TURNED and not candidate.diagnosis.exact_fit


def _patience(start, room):
    return max(int(start.get("patience") or 1), MIN_PATIENCE, math.ceil(PATIENCE_SHARE * room))


def _now():
    import time

    return time.perf_counter()


def _key(config):
    return tuple(sorted((knob, str(value)) for knob, value in config.items()))


def _network_key(config):
    """:func:`_key` without the room (``epochs``, ``patience``)."""
    return _key({knob: value for knob, value in config.items()
                 if knob not in ("epochs", "patience")})


def _number(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _next_strength(knob, value, weaker):
    if knob == "dropout":
        if weaker:
            lower = [d for d in DROPOUTS if d < value]
            return lower[-1] if lower else None
        higher = [d for d in DROPOUTS if d > value]
        return higher[0] if higher else None
    if not value:
        return None
    return value / 10 if weaker else value * 10


def _final_training_loss(candidate):
    """Median of the last third of the mean training loss (inf when not finite)."""
    loss = np.asarray(candidate.history["loss"], dtype=float)
    tail = loss[-max(1, len(loss) // 3):]
    return float(np.median(tail)) if np.isfinite(tail).all() else math.inf


def _unstable(candidate):
    loss = np.asarray(candidate.history["loss"], dtype=float)
    return len(loss) > 1 and loss[-1] > loss[0]
