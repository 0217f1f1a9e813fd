"""FitThenRegularizeSearchCV: search conventions, the budget, each step on a constructed case."""

import dataclasses
import json
import re
import time
import types
import warnings

import joblib
import keras
import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.datasets import load_digits, make_friedman1
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from skfit import KerasClassifier, KerasMLPClassifier, KerasMLPRegressor
from skfit.model_selection import FitThenRegularizeSearchCV, SearchPath
from skfit.model_selection import _search_race
from skfit.model_selection._search_knobs import find_knobs
from skfit.model_selection._search_path import Candidate
from skfit.model_selection._search_procedure import (
    Procedure,
    _step4_room,
    choose,
    clearly_behind,
    refit_config,
    step_size_choice,
)
from skfit.utils.fixes import InvalidParameterError

from .test_baseline import DEPENDENCY_MESSAGES, OUR_MESSAGES, odd_targets

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CV = StratifiedKFold(3, shuffle=True, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


def small_mlp(**params):
    settings = dict(hidden_layer_sizes=(8,), epochs=10, batch_size=32, learning_rate=1e-2,
                    random_state=0)
    return KerasMLPClassifier(**{**settings, **params})


@pytest.fixture(scope="module")
def search(digits):
    return FitThenRegularizeSearchCV(small_mlp(), cv=CV, max_fits=46, random_state=0).fit(*digits)


@pytest.fixture
def fits(monkeypatch):
    """Every round of every fit the search runs: (train rows, epochs, continued)."""
    rounds = []
    run_fold = _search_race.run_fold

    def counting(run, estimator, X, y, train, test, params, scorer, epochs, name):
        rounds.append((tuple(train), epochs, run is not None))
        return run_fold(run, estimator, X, y, train, test, params, scorer, epochs, name)

    monkeypatch.setattr(_search_race, "run_fold", counting)
    return rounds


@pytest.fixture
def no_fits(monkeypatch):
    """Fail the test if the search fits a network."""

    def fail(*args, **kwargs):
        raise AssertionError("a network was fitted despite bad input")

    monkeypatch.setattr(_search_race, "run_fold", fail)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# -- conventions ------------------------------------------------------------------
def test_search_conventions(search, digits):
    X, y = digits
    results = search.cv_results_
    n = len(search.path_.candidates)
    for key in ("params", "mean_test_score", "std_test_score", "rank_test_score",
                "split0_test_score", "split2_test_score", "repeat_split0_test_score",
                "mean_repeat_test_score", "mean_fit_time", "std_fit_time", "mean_score_time",
                "std_score_time", "param_hidden_layer_sizes", "param_learning_rate",
                "param_epochs", "step", "move", "status", "best_epoch"):
        assert len(results[key]) == n, key
    frame = pd.DataFrame(results)
    cross_validated = results["params"][search.best_index_]
    assert search.best_params_ == {**cross_validated, "patience": cross_validated["epochs"]}
    refit = search.best_estimator_.get_params()
    assert {key: refit[key] for key in search.best_params_} == search.best_params_
    best = search.path_.best
    assert search.best_score_ == pytest.approx(
        np.mean([*best.fold_scores, *best.repeat_scores]))
    assert search.n_fits_ <= 46
    assert search.best_estimator_.get_params()["epochs"] == search.best_params_["epochs"]
    assert search.best_params_["early_stopping"] is True
    assert frame["rank_test_score"].min() == 1
    assert search.predict(X[:5]).shape == (5,)
    assert search.predict_proba(X[:5]).shape == (5, 10)
    assert search.score(X, y) == pytest.approx(search.best_estimator_.score(X, y))
    np.testing.assert_array_equal(search.classes_, np.arange(10))
    assert search.n_features_in_ == 64


def test_clone_and_params():
    search = FitThenRegularizeSearchCV(small_mlp(), cv=3, max_fits=40, max_time=60.0,
                                       random_state=1)
    params = search.get_params()
    assert params["estimator__hidden_layer_sizes"] == (8,) and params["max_fits"] == 40
    assert params["max_time"] == 60.0
    cloned = clone(search).set_params(estimator__epochs=7, max_fits=31)
    assert cloned.estimator.epochs == 7 and search.estimator.epochs == 10
    assert not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError):
        search.n_features_in_


def test_nested_cross_val_score_and_pipelines(digits):
    """A search over a Pipeline, as a Pipeline step, inside cross_val_score (nested)."""
    X, y = digits
    search = FitThenRegularizeSearchCV(
        Pipeline([("scale", StandardScaler()), ("mlp", small_mlp())]), cv=2, max_fits=7,
        random_state=0,
    )
    model = make_pipeline(StandardScaler(), search)
    scores = cross_val_score(model, X, y, cv=2)  # a search per outer split
    assert scores.shape == (2,) and (scores > 0.3).all()
    fitted = model.fit(X[:150], y[:150])[-1]
    assert set(fitted.best_params_) >= {"mlp__hidden_layer_sizes", "mlp__learning_rate"}
    assert fitted.best_estimator_.named_steps["mlp"].n_epochs_ >= 1
    assert model.predict(X[:3]).shape == (3,)


def test_regressor_and_tags():
    X, y = make_friedman1(n_samples=200, n_features=5, random_state=0)
    model = KerasMLPRegressor(hidden_layer_sizes=(8,), epochs=10, batch_size=32,
                              learning_rate=1e-2, random_state=0)
    search = FitThenRegularizeSearchCV(model, cv=2, max_fits=7, random_state=0).fit(X, y)
    assert search.path_.scoring == "r2"
    assert search.path_.baseline.best_baseline in ("mean", "median")
    assert search.__sklearn_tags__().estimator_type == "regressor"
    assert FitThenRegularizeSearchCV(small_mlp()).__sklearn_tags__().estimator_type == \
        "classifier"


# -- budget, folds, rounds --------------------------------------------------------------
def test_max_fits_is_never_exceeded_and_folds_are_shared(digits, fits, capsys):
    """A fit is a configuration on a split, however many rounds it runs; none beyond
    max_fits; every configuration sees the same K folds, even from a splitter that would
    shuffle differently at each call (the finalists' second draw aside); verbose=2 reports
    each fit, each configuration and the refit."""
    X, y = digits
    cv = KFold(3, shuffle=True)  # no random_state: each split() call draws new folds
    search = FitThenRegularizeSearchCV(small_mlp(), cv=cv, max_fits=10, random_state=0,
                                       verbose=2)
    search.fit(X, y)
    started = [train for train, _, continued in fits if not continued]
    assert len(started) + 1 == search.n_fits_ <= 10
    lines = capsys.readouterr().err.splitlines()  # not a terminal: plain lines
    assert lines[-2].startswith("FitThenRegularizeSearchCV: Refit: #")
    assert lines[-1].startswith(f"FitThenRegularizeSearchCV: {search.n_fits_}/10 fits [")
    assert sum("-> accuracy" in line for line in lines) == len(search.path_.candidates)
    assert len(set(started)) == 3  # max_fits=10 leaves no room for the finalists' draw
    assert sorted(search.path_.train_sizes) == sorted(len(train) for train in set(started))


def test_a_taken_up_fit_continues_instead_of_starting_again(digits, fits):
    """Training longer continues the same fits (warm start): no new fit, one longer curve
    whose first epochs are its parent's."""
    search = FitThenRegularizeSearchCV(small_mlp(), cv=2, max_fits=9, random_state=0)
    search.fit(*digits)
    longer = [c for c in search.path_.candidates if "fits continued" in c.move]
    assert longer
    parent = search.path_.candidates[longer[0].parent]
    assert longer[0].n_epochs > parent.n_epochs
    np.testing.assert_allclose(longer[0].history["loss"][:parent.n_epochs],
                               parent.history["loss"], rtol=1e-6)
    continued = [epochs for _, epochs, again in fits if again]
    assert continued and sum(not again for _, _, again in fits) + 1 == search.n_fits_


def test_a_taken_up_fit_trains_on_with_its_new_rooms_patience(digits, monkeypatch):
    """The continued fits take the longer room's patience (a tenth of it), as a fresh fit
    with that room would, not the patience of the room they started with."""
    patience = {}  # candidate patience -> patience of the fits that ran with it
    run_fold = _search_race.run_fold

    def recording(run, estimator, X, y, train, test, params, scorer, epochs, name):
        result = run_fold(run, estimator, X, y, train, test, params, scorer, epochs, name)
        patience.setdefault(params["patience"], set()).add(result.model.patience)
        return result

    monkeypatch.setattr(_search_race, "run_fold", recording)
    search = FitThenRegularizeSearchCV(small_mlp(epochs=120, learning_rate=3e-4), cv=2, max_fits=9,
                                       random_state=0)
    search.fit(*digits)
    longer = [c for c in search.path_.candidates if "fits continued" in c.move]
    assert longer
    parent = search.path_.candidates[longer[0].parent]
    assert longer[0].config["patience"] > parent.config["patience"]
    assert all(ran == {wanted} for wanted, ran in patience.items())


def test_max_time_bounds_the_search(digits):
    """With a time budget the search stops launching work when it is spent and says so;
    the refit's predicted time is held back."""
    X, y = digits
    start = time.perf_counter()
    search = FitThenRegularizeSearchCV(small_mlp(hidden_layer_sizes=(64,), epochs=60),
                                       cv=3, max_fits=1000, max_time=4.0, random_state=0)
    search.fit(X, y)
    elapsed = time.perf_counter() - start
    assert search.n_fits_ < 1000
    assert elapsed < 4.0 * 2  # seconds of a loaded CI machine; bench_search.py measures it
    assert "budget is spent" in search.path_.stop_reason


# -- the rules on noise -------------------------------------------------------------------
def _candidate(index, scores, progress=(), room=30, repeat=None, weights=10):
    scores = np.asarray(scores, dtype=float)
    return Candidate(index=index, step=4, move="m", reason="", parent=None, config={},
                     params={}, fold_scores=scores, fit_times=np.zeros(3),
                     score_times=np.zeros(3), history={"loss": np.ones(len(progress) or 1)},
                     diagnosis=None, weights=weights, room=room, progress=tuple(progress),
                     repeat_scores=None if repeat is None else np.asarray(repeat, float))


def test_a_trial_is_stopped_only_when_clearly_behind_and_too_slow_to_catch_up():
    leader = _candidate(0, [0.80, 0.82, 0.81])
    slow = _candidate(1, [0.60, 0.62, 0.61], progress=[(10, 0.58), (20, 0.61)], room=30)
    assert "would reach at most 0.6400" in clearly_behind(slow, leader)
    fast = _candidate(2, [0.60, 0.62, 0.61], progress=[(10, 0.40), (20, 0.61)], room=90)
    assert clearly_behind(fast, leader) is None  # +0.021 per epoch: it may catch up
    first_round = _candidate(3, [0.60, 0.62, 0.61], progress=[(10, 0.61)])
    assert clearly_behind(first_round, leader) is None  # a pace needs two rounds
    noisy = _candidate(4, [0.70, 0.90, 0.75], progress=[(10, 0.78), (20, 0.78)])
    assert clearly_behind(noisy, leader) is None  # ahead on one split
    failed = _candidate(5, [np.nan, 0.5, 0.5])
    assert "no score" in clearly_behind(failed, leader)


def test_the_choice_rests_on_both_draws_for_the_finalists():
    lucky = _candidate(0, [0.90, 0.92, 0.91], repeat=[0.80, 0.81, 0.79])
    steady = _candidate(1, [0.88, 0.89, 0.88], repeat=[0.87, 0.88, 0.86])
    other = _candidate(2, [0.95, 0.50, 0.60])  # not a finalist: one draw decides nothing
    chosen, why = choose([lucky, steady, other])
    assert chosen is steady
    assert "best mean score over both draws (6 splits)" in why and "ahead of #0" in why
    alone, why = choose([_candidate(0, [0.5, 0.6, 0.7]), _candidate(1, [0.6, 0.6, 0.7])])
    assert alone.index == 1 and "on the 3 shared splits" in why


def test_finalists_are_cross_validated_again(search):
    path = search.path_
    finalists = [c for c in path.candidates if c.repeat_scores is not None]
    assert len(finalists) == 3
    best_three = sorted(path.candidates, key=lambda c: -c.mean_score)[:3]
    assert {c.index for c in finalists} == {c.index for c in best_three}
    assert path.best in finalists
    assert "cross-validated again on a reshuffled StratifiedKFold" in "\n".join(path.lines[5])


def test_a_splitter_that_cannot_reshuffle_gets_other_network_seeds(digits):
    search = FitThenRegularizeSearchCV(small_mlp(), cv=KFold(3), max_fits=31,
                                       random_state=0).fit(*digits)
    assert "the same splits with another seed of the networks" in "\n".join(
        search.path_.lines[5])
    finalists = [c for c in search.path_.candidates if c.repeat_scores is not None]
    assert any((c.repeat_scores != c.fold_scores).any() for c in finalists)


# -- the steps, each on a case built for it ---------------------------------------------
def test_step1_a_diverging_learning_rate_is_lowered_until_it_trains(digits):
    search = FitThenRegularizeSearchCV(small_mlp(learning_rate=100.0, optimizer="sgd"), cv=2,
                                       max_fits=13, random_state=0).fit(*digits)
    start, *swept = search.path_.candidates
    assert start.status == "not_training" and start.diverged
    fixes = [c for c in swept if c.step == 1]
    assert fixes and all(c.config["learning_rate"] < 100.0 for c in fixes)
    assert any(c.status != "not_training" and c.mean_score > 0.3 for c in fixes)
    assert search.best_params_["learning_rate"] < 100.0
    assert "trains" in search.path_.lines[1][-1]


def test_step1_tunes_the_step_size_of_a_model_that_trains(search):
    step1 = [c for c in search.path_.candidates if c.step == 1]
    rates = {c.config["learning_rate"] for c in step1}
    assert len(rates) >= 3 and any("batch_size" in c.move for c in step1)
    slower = next(c for c in step1 if c.config["learning_rate"] < 1e-2)
    assert slower.room >= 3 * search.path_.start.room  # room for as many more epochs


def _step1(index, scores, rate, status, exact_fit=False):
    return dataclasses.replace(_candidate(index, scores),
                               config={"learning_rate": rate, "batch_size": 32},
                               diagnosis=types.SimpleNamespace(status=status,
                                                               exact_fit=exact_fit))


def test_step1_without_a_turn_starts_from_the_cheapest_score_within_noise():
    """Curves still falling where their room ends: a learning rate 3 times smaller with 3
    times the room buys nothing (wine: it tied with the start by one row, and every later
    fit ran 300 epochs instead of 100)."""
    steps = {0: 100, 1: 300, 2: 100, 3: 10}.__getitem__
    start = _step1(0, [0.92, 0.89, 0.92], 1e-3, "underfitting")
    slower = _step1(1, [0.91, 0.91, 0.93], 1e-3 / 3, "underfitting")  # best, within noise
    faster = _step1(2, [0.92, 0.88, 0.92], 3e-3, "underfitting")  # as cheap, lower
    wrong = _step1(3, [0.60, 0.62, 0.61], 1e-2, "good_fit")  # the cheapest, clearly behind
    chosen, leader, steadier = step_size_choice([start, slower, faster, wrong],
                                                lambda c: steps(c.index))
    assert (chosen, leader, steadier) == (start, slower, False)
    clear = _step1(1, [0.97, 0.98, 0.99], 1e-3 / 3, "underfitting")  # a lead beyond noise
    assert step_size_choice([start, clear], lambda c: steps(c.index))[0] is clear


def test_step1_reads_a_loss_that_ends_near_zero_as_no_turn():
    """Wine: every step size predicts the validation rows almost exactly (a good fit by its
    loss near zero, not by a turn); the smallest rate with 3 times the room buys nothing."""
    steps = {0: 100, 1: 300, 2: 100}.__getitem__
    tied = [_step1(0, [0.97, 0.96, 0.98], 1e-3, "good_fit", exact_fit=True),
            _step1(1, [0.97, 0.96, 0.98], 1e-3 / 3, "good_fit", exact_fit=True),
            _step1(2, [0.97, 0.96, 0.98], 3e-3, "good_fit", exact_fit=True)]
    chosen, _, steadier = step_size_choice(tied, lambda c: steps(c.index))
    assert (chosen.index, steadier) == (0, False)


def test_step1_with_a_turn_starts_from_the_steadier_step():
    """Curves that turned (noisy labels): the smallest learning rate among them, whose
    smoother curve early stopping reads better, whatever its extra epochs."""
    steps = {0: 90, 1: 40, 2: 290, 3: 20}.__getitem__
    candidates = [_step1(0, [0.72, 0.65, 0.66], 1e-3, "good_fit"),
                  _step1(1, [0.72, 0.65, 0.66], 3e-3, "good_fit"),
                  _step1(2, [0.72, 0.65, 0.66], 1e-3 / 3, "good_fit"),
                  _step1(3, [0.75, 0.66, 0.64], 1e-2, "overfitting")]
    chosen, leader, steadier = step_size_choice(candidates, lambda c: steps(c.index))
    assert (chosen.index, leader.index, steadier) == (2, 3, True)


class _Scripted:
    """An evaluator for the procedure's rules alone: taken-up fits score ``longer``; a
    raced move scores ``scores[(knob, value)]`` (``default`` otherwise), its validation
    loss still falling where its room ends when its knob and value are in ``scores``; the
    budget is spent after ``rounds`` races. Its candidates are numbered from 100."""

    def __init__(self, longer, scores=None, default=None, budget=None, rounds=None):
        self.longer, self.scores, self.default = np.asarray(longer, float), scores or {}, default
        self.budget, self.rounds = budget, rounds
        self.candidates, self.races, self.repeated = [], [], None

    def weights(self, config):
        return 100

    def __call__(self, moves, prune):
        self.races.append(moves)
        self.budget.spent = len(self.races) >= self.rounds
        return [self._candidate(move, self.scores.get((move.knob, move.config.get(move.knob)),
                                                       self.default)) for move in moves]

    def take_up(self, candidate, move, prune):
        return self._candidate(move, self.longer, diagnosis=candidate.diagnosis)

    def repeat(self, candidates, folds, params):
        self.repeated = list(candidates)
        return self.repeated

    def _candidate(self, move, scores, diagnosis=None):
        room = move.config["epochs"]
        if diagnosis is None:
            falling = scores is not self.default
            diagnosis = types.SimpleNamespace(still_falling=falling, best_epoch=room // 2,
                                              status="underfitting" if falling else "overfitting",
                                              exact_fit=False)
        candidate = dataclasses.replace(
            _candidate(100 + len(self.candidates), scores, room=room), step=move.step,
            move=move.move, parent=move.parent, config=move.config, knob=move.knob,
            diagnosis=diagnosis, history={"loss": np.ones(room)})
        self.candidates.append(candidate)
        return candidate


@pytest.mark.parametrize("scores, kept", [([0.90, 0.91, 0.92], False),
                                          ([0.92, 0.91, 0.92], True)])
def test_step3_train_longer_is_kept_only_when_it_scores_better(scores, kept):
    knobs = find_knobs(small_mlp(epochs=100, batch_size=32))
    budget = types.SimpleNamespace(max_fits=61, fits=0, spent=False, deadline=np.inf,
                                   hold=lambda fits, seconds: None)
    setup = types.SimpleNamespace(scoring="accuracy", folds=[0, 1, 2])
    procedure = Procedure(knobs, _Scripted(scores), budget, None, setup, rows_per_epoch=320)
    falling = types.SimpleNamespace(still_falling=True, status="underfitting", best_epoch=100,
                                    exact_fit=False)
    base = dataclasses.replace(_candidate(0, [0.90, 0.91, 0.92], room=100),
                               config=dict(knobs.start), history={"loss": np.ones(100)},
                               diagnosis=falling)
    chosen = procedure._train_longer(base)
    assert (chosen is not base) == kept
    assert chosen.n_epochs == (300 if kept else 100)
    assert ("more room does not pay for itself" in procedure.lines[3][-1]) != kept


@pytest.mark.parametrize("knob, value", [("l2", 1e-3), ("dropout", 0.2)])
def test_step4_a_new_leader_still_falling_trains_longer_and_its_refinements_get_its_room(
        knob, value):
    """A regularized configuration that takes the lead while its validation loss is still
    falling where its room ends has its fits continued with more room, as in step 3; the
    next round refines it with that room, the planned moves after it keep step 4's, no
    configuration is raced twice with another room, and the continued fits and the ones
    they continued count once among the finalists."""
    knobs = find_knobs(small_mlp(epochs=100, batch_size=32))
    budget = types.SimpleNamespace(max_fits=61, fits=0, fits_left=30, spent=False,
                                   deadline=np.inf, hold=lambda fits, seconds: None)
    setup = types.SimpleNamespace(scoring="accuracy", folds=[0, 1, 2])
    scripted = _Scripted([0.95, 0.95, 0.96], {(knob, value): [0.93, 0.93, 0.94]},
                         [0.85, 0.86, 0.85], budget=budget, rounds=3)
    procedure = Procedure(knobs, scripted, budget, None, setup, rows_per_epoch=320,
                          redraw=lambda: ([0, 1, 2], "a second draw", {}))
    turned = types.SimpleNamespace(still_falling=False, status="overfitting", best_epoch=30,
                                   exact_fit=False)
    base = dataclasses.replace(_candidate(99, [0.90, 0.91, 0.92], room=100), diagnosis=turned,
                               config=dict(knobs.start), history={"loss": np.ones(40)})
    procedure._regularize(base)
    first, refinements, after = scripted.races
    assert {move.config["epochs"] for move in first} == {100}  # twice 40 epochs < its room
    lead = next(c for c in scripted.candidates if c.knob == knob and c.move.endswith(str(value)))
    longer = next(c for c in scripted.candidates if "its fits continued" in c.move)
    assert (longer.step, longer.knob, longer.parent, longer.room) == (4, knob, lead.index, 300)
    assert any("epochs 100 -> up to 300 (its fits continued)" in line
               for line in procedure.lines[4])
    assert not procedure.lines[3]
    later = refinements + after
    assert refinements[0].parent == longer.index  # its refinements first, with its room
    assert all(move.config["epochs"] == 300 for move in later if move.parent == longer.index)
    planned = [move for move in later if move.parent == base.index]
    assert planned and all(move.config["epochs"] == 100 for move in planned)
    raced = [tuple(sorted((k, str(v)) for k, v in move.config.items()
                          if k not in ("epochs", "patience")))
             for race in scripted.races for move in race]
    assert len(raced) == len(set(raced))
    procedure._repeat_finalists()
    assert longer in scripted.repeated and lead not in scripted.repeated
    assert len(scripted.repeated) == 3


def test_step4_a_new_leader_that_turned_or_trails_is_left_as_it_is():
    """Only a new leader still falling where its room ends trains longer: one behind the
    leader, or one ahead whose validation loss turned, is not taken up."""
    knobs = find_knobs(small_mlp(epochs=100, batch_size=32))
    budget = types.SimpleNamespace(max_fits=61, fits=0, spent=False, deadline=np.inf,
                                   hold=lambda fits, seconds: None)
    setup = types.SimpleNamespace(scoring="accuracy", folds=[0, 1, 2])
    taken = _Scripted([0.95, 0.95, 0.96])
    procedure = Procedure(knobs, taken, budget, None, setup, rows_per_epoch=320)
    falling = types.SimpleNamespace(still_falling=True, status="underfitting", best_epoch=100,
                                    exact_fit=False)
    turned = types.SimpleNamespace(still_falling=False, status="overfitting", best_epoch=60,
                                   exact_fit=False)

    def regularized(index, scores, diagnosis):
        return dataclasses.replace(_candidate(index, scores, room=100), knob="l2",
                                   config={**knobs.start, "l2": 1e-3},
                                   history={"loss": np.ones(100)}, diagnosis=diagnosis)

    best = regularized(0, [0.90, 0.91, 0.92], turned)
    behind = regularized(1, [0.80, 0.81, 0.82], falling)
    assert procedure._lead(best, [behind]) is best
    ahead_turned = regularized(3, [0.97, 0.97, 0.97], turned)
    assert procedure._lead(best, [ahead_turned]) is ahead_turned  # nothing to add
    assert not taken.candidates


def test_step2_shuffled_labels_stop_the_search(digits):
    X, y = digits
    shuffled = np.random.RandomState(0).permutation(y)
    search = FitThenRegularizeSearchCV(small_mlp(hidden_layer_sizes=(32,), epochs=20), cv=CV,
                                       max_fits=13, random_state=0)
    with pytest.warns(UserWarning, match="No configuration of KerasMLPClassifier beats"):
        search.fit(X, shuffled)
    path = search.path_
    assert not path.beats_baseline
    assert "no configuration beats the common-sense baselines" in path.stop_reason
    assert not [c for c in path.candidates if c.step == 4]
    assert "does NOT beat" in path.lines[2][-2]


def test_step3_a_tiny_network_grows(digits):
    search = FitThenRegularizeSearchCV(small_mlp(hidden_layer_sizes=(2,), epochs=20), cv=2,
                                       max_fits=13, random_state=0).fit(*digits)
    grown = [c for c in search.path_.candidates if c.step == 3]
    assert grown
    assert any(c.config["hidden_layer_sizes"] != (2,) for c in grown)
    assert max(c.mean_score for c in grown) > search.path_.start.mean_score


def test_step4_an_overfitting_network_is_regularized(digits):
    X, y = digits
    y = y.copy()  # 30% of the labels random: a network that memorizes them overfits
    rng = np.random.RandomState(0)
    noisy = rng.rand(len(y)) < 0.3
    y[noisy] = rng.randint(0, 10, noisy.sum())
    model = small_mlp(hidden_layer_sizes=(64,), epochs=30, validation_fraction=0.2)
    search = FitThenRegularizeSearchCV(model, cv=CV, max_fits=31, random_state=0).fit(X, y)
    path = search.path_
    regularized = [c for c in path.candidates if c.step == 4]
    assert {c.knob for c in regularized} >= {"dropout", "l2", "l1"}
    base = path.candidates[regularized[0].parent]
    assert base.status in ("overfitting", "good_fit")  # the curve turned up
    assert all(c.room >= 2 * base.n_epochs for c in regularized)  # regularization delays it
    assert "the model that overfits" in path.lines[4][0]


@pytest.mark.parametrize("status, exact, epochs, room, expected", [
    ("overfitting", False, 120, 200, 240), ("good_fit", False, 250, 300, 500),  # turned: twice
    ("overfitting", False, 40, 300, 300),  # ... and the network's own room at least
    ("underfitting", False, 300, 300, 300), ("not_generalizing", False, 90, 300, 300),
    ("good_fit", True, 300, 300, 300),  # a loss that ends near zero: nothing to delay
])
def test_step4_room_doubles_only_what_turned(status, exact, epochs, room, expected):
    base = dataclasses.replace(_candidate(0, [0.9, 0.9, 0.9], room=room),
                               history={"loss": np.ones(epochs)},
                               diagnosis=types.SimpleNamespace(status=status, exact_fit=exact))
    assert _step4_room(base) == expected


def test_refit_patience_is_the_whole_room():
    """The refit, one fit, runs the room its folds used and keeps its best epoch: a plateau
    of 10 epochs in its own validation noise does not end it (binary_imbalanced, seed 2:
    the refit stopped at epoch 25 of 100 and predicted the majority class)."""
    knobs = find_knobs(KerasMLPClassifier())
    config = {"epochs": 100, "patience": 10, "early_stopping": True, "l1": 0.01}
    assert refit_config(config, knobs) == {**config, "patience": 100}
    assert refit_config({**config, "patience": 150}, knobs)["patience"] == 150
    no_stopping = {**config, "early_stopping": False}
    assert refit_config(no_stopping, knobs) == no_stopping
    assert config["patience"] == 10  # not mutated


def test_refit_line_names_its_patience(search):
    assert f"with patience {search.best_params_['patience']} (its whole room)" in \
        search.path_.summary()


# -- determinism, parallelism --------------------------------------------------------------
def test_same_seed_same_search_serial_or_parallel(search, digits):
    """Two jobs (threads here: worker processes would each import TensorFlow, too slow for
    this suite; tests/test_parallel.py runs skfit in loky processes) give the serial run."""
    with joblib.parallel_config(backend="threading"):
        again = FitThenRegularizeSearchCV(small_mlp(), cv=CV, max_fits=46, random_state=0,
                                          n_jobs=2).fit(*digits)
    assert again.best_params_ == search.best_params_
    np.testing.assert_array_equal(again.cv_results_["mean_test_score"],
                                  search.cv_results_["mean_test_score"])
    assert again.path_.summary().splitlines()[2:] == search.path_.summary().splitlines()[2:]


# -- the path ---------------------------------------------------------------------------
def test_path_speaks_the_results_protocol(search):
    path = search.path_
    assert isinstance(path, SearchPath)
    assert "\n" not in repr(path) and repr(path).startswith("SearchPath(")
    text = path.summary()
    for title in SearchPath.STEPS.values():
        assert title in text
    assert f"#{search.best_index_}" in text.splitlines()[1]
    content = path.to_dict()
    assert json.loads(json.dumps(content, allow_nan=False)) == content
    assert content["best_index"] == search.best_index_
    assert len(content["candidates"]) == len(path.to_frame()) == len(path.candidates)
    assert path.to_frame()["chosen"].sum() == 1
    assert "<table" in path._repr_html_()
    display = path.plot()
    assert display.figure_ is display.ax_.figure
    assert len(display.lines_) == sum(c.status != "not_training" for c in path.candidates)
    assert path.baseline is path.baseline  # computed once


# -- wrappers -----------------------------------------------------------------------------
def build(n_features_in, n_classes, units=8, dropout=0.0):
    layers = [keras.Input((n_features_in,)), keras.layers.Dense(units, activation="relu")]
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    return keras.Sequential([*layers, keras.layers.Dense(n_classes, activation="softmax")])


def test_keras_classifier_knobs_are_its_builders_arguments(digits):
    model = KerasClassifier(build, epochs=10, batch_size=32, learning_rate=1e-2, random_state=0)
    knobs = find_knobs(model)
    assert knobs.names["hidden_layer_sizes"] == "model__units"
    assert knobs.names["dropout"] == "model__dropout" and not knobs.has("l2")
    assert knobs.params({"hidden_layer_sizes": (32,)}) == {"model__units": 32}
    assert not knobs.can_deepen
    X, y = digits
    search = FitThenRegularizeSearchCV(model, cv=2, max_fits=7, random_state=0)
    search.fit(X[:150], y[:150])
    assert "model__units" in search.best_params_


def test_scikeras_knobs():
    scikeras = pytest.importorskip("scikeras.wrappers")
    model = scikeras.KerasClassifier(build, model__units=16, epochs=5, verbose=0)
    knobs = find_knobs(Pipeline([("scale", StandardScaler()), ("net", model)]))
    assert knobs.flavor == "scikeras"
    assert knobs.names["learning_rate"] == "net__optimizer__learning_rate"
    assert knobs.start["learning_rate"] == pytest.approx(1e-3)
    assert knobs.names["validation_fraction"] == "net__validation_split"
    assert knobs.start["hidden_layer_sizes"] == (16,) and not knobs.has("early_stopping")


# -- bad input: a clear error before any fit -------------------------------------------------
@pytest.mark.parametrize("make, error, match", [
    (lambda: FitThenRegularizeSearchCV(small_mlp(), cv=3, max_fits=9), ValueError,
     r"max_fits=9 is too small for 3 splits: the procedure needs at least 10 fits"),
    (lambda: FitThenRegularizeSearchCV(LogisticRegression(), cv=3), TypeError,
     "must be one of skfit's Keras estimators.*got LogisticRegression"),
    (lambda: FitThenRegularizeSearchCV(small_mlp(), cv=3, scoring="r2"), ValueError,
     "scoring='r2' is a regression metric, but this is a classification task"),
    (lambda: FitThenRegularizeSearchCV(small_mlp(), cv=3, scoring="roc_auc"), ValueError,
     "scoring='roc_auc' cannot score this multiclass target"),
    (lambda: FitThenRegularizeSearchCV(small_mlp(), max_fits=0), InvalidParameterError,
     "max_fits"),
    (lambda: FitThenRegularizeSearchCV(small_mlp(), max_time=0), InvalidParameterError,
     "max_time"),
    (lambda: FitThenRegularizeSearchCV(small_mlp(), scoring=["accuracy"]),
     InvalidParameterError, "scoring"),
])
def test_bad_input_fails_before_any_fit(digits, no_fits, make, error, match):
    with pytest.raises(error, match=match):
        make().fit(*digits)


def test_continuous_target_for_a_classifier_fails_before_any_fit(digits, no_fits):
    X, _ = digits
    with pytest.raises(ValueError, match="continuous"):
        FitThenRegularizeSearchCV(small_mlp(), cv=3).fit(X, np.linspace(0, 1, len(X)))


def test_the_estimator_is_not_modified(digits):
    model = small_mlp()
    before = model.get_params()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        FitThenRegularizeSearchCV(model, cv=2, max_fits=7, random_state=0).fit(*digits)
    assert model.get_params() == before and not hasattr(model, "history_")


# -- odd targets: a clear error before any fit, or the search gets to training ---------------
class _Reached(Exception):
    """Raised instead of the first fit: every check before it passed."""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(y=odd_targets(), scoring=st.sampled_from([None, None, "accuracy", "roc_auc", "f1",
                                                 "neg_log_loss", "r2"]))
def test_odd_targets_fail_clearly_before_any_fit(y, scoring):
    X = np.random.RandomState(0).normal(size=(len(y), 3))

    def reached(*args, **kwargs):
        raise _Reached

    search = FitThenRegularizeSearchCV(small_mlp(), cv=2, max_fits=7, scoring=scoring)
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        patch.setattr(_search_race, "run_fold", reached)
        warnings.simplefilter("ignore")  # e.g. a class too small for stratified folds
        try:
            search.fit(X, y)
        except _Reached:
            return
        except ValueError as error:
            assert re.match(OUR_MESSAGES, str(error)), error
            assert not any(text in str(error) for text in DEPENDENCY_MESSAGES), error
            return
    pytest.fail("the search ended without fitting anything")


def test_auto_epochs_and_batch_size_start_from_the_estimators_own_rule():
    from skfit.keras._base import resolve_batch_size, resolve_epochs

    knobs = find_knobs(make_pipeline(StandardScaler(), KerasMLPClassifier()))
    assert knobs.start["batch_size"] == knobs.start["epochs"] == "auto"
    start = knobs.resolved(270).start
    assert start["batch_size"] == resolve_batch_size("auto", 270) == 68
    assert start["epochs"] == resolve_epochs("auto", 270, 68) == 100
    assert knobs.params(start)["kerasmlpclassifier__epochs"] == 100
