"""The results protocol, over every result skfit returns or the command line assembles."""

import dataclasses
import datetime
import json
import math
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import KFold
from sklearn.naive_bayes import GaussianNB

from skfit.cli._data import Table
from skfit.cli._results import (
    DataSummary,
    DiagnosedFit,
    Evaluation,
    ProtocolAudit,
    Tuning,
    describe_audit,
)
from skfit.cli._selection import summarize_selection
from skfit.diagnostics import Diagnosis, diagnose
from skfit.model_selection import (
    BaselineReport,
    SearchPath,
    SweepResult,
    audit_cv,
    compare_to_baseline,
    duplicate_groups,
)
from skfit.model_selection._search_path import Candidate
from skfit.utils._results import Result, jsonable

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HISTORY = {"loss": [1.0, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1, 0.07],
           "val_loss": [1.1, 0.7, 0.5, 0.45, 0.44, 0.47, 0.52, 0.58],
           "val_accuracy": [0.5, 0.7, 0.8, 0.82, 0.83, 0.82, 0.81, np.nan]}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def results():
    """One of each result, built without training a network."""
    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16, y[:200]
    audit = audit_cv(KFold(3), X, y, time=np.arange(len(y)))
    report = compare_to_baseline(GaussianNB(), X, y, cv=3, n_permutations=2, random_state=0)
    diagnosis = diagnose(HISTORY, baseline_score=0.1, smoothing=1)
    sweep = SweepResult("capacity", "hidden_layer_sizes", [(4,), (8,)],
                        [[HISTORY, HISTORY], [HISTORY, {"loss": [np.nan], "val_loss": [np.nan]}]],
                        np.array([[0.8, 0.7], [0.9, np.nan]]), (4,))
    frame = pd.DataFrame(X[:, :6], columns=[f"pixel_{i}" for i in range(6)])
    table = Table(name="digits.csv", X=frame, y=y, target="digit", task="classification",
                  task_reason="test", notes=("a note",))
    summary = DataSummary.from_table(table)
    data_audit = describe_audit(table, duplicate_groups(frame))
    protocol = ProtocolAudit(kind="kfold", splitter="KFold(n_splits=3)", reason="a test",
                             audit=audit)
    selection = summarize_selection(table, list(KFold(3).split(frame)), seed=0)
    fit = DiagnosedFit(fit="split 1", diagnosis=diagnosis, baseline_meaning="chance",
                       network_best_epoch=5)
    evaluation = Evaluation(data=summary, audit=data_audit, protocol=protocol,
                            selection=selection, scores=report, diagnosis=fit,
                            settings={"folds": 3, "hidden": (4,)}, warnings=[], seconds=1.0)
    path = search_path(diagnosis)
    tuning = Tuning(path=path, splitter="StratifiedKFold(n_splits=2)", max_fits=10, n_rows=200)
    tuned = dataclasses.replace(evaluation, tuning=tuning,
                                settings={**evaluation.settings, "tune": True, "max_fits": 10})
    return {"audit": audit, "report": report, "diagnosis": diagnosis, "sweep": sweep,
            "data": summary, "data_audit": data_audit, "protocol": protocol,
            "selection": selection, "fit": fit, "evaluation": evaluation, "path": path,
            "tuning": tuning, "tuned_evaluation": tuned}


def search_path(diagnosis):
    """A search path of two configurations: one diverged, one trained."""
    config = {"hidden_layer_sizes": (8,), "learning_rate": 10.0, "epochs": 8, "l2": 0.0}
    diverged = {"loss": [2.0, np.inf], "val_loss": [2.5, np.nan]}
    start = Candidate(0, 1, "start", "the estimator's own settings", None, config,
                      {"mlp__learning_rate": 10.0}, np.array([np.nan, 0.1]),
                      np.array([0.1, 0.2]), np.array([0.01, 0.01]), diverged,
                      diagnose(diverged), diverged=True)
    fixed = Candidate(1, 1, "learning_rate 10 -> 0.01", "training diverged at #0", 0,
                      {**config, "learning_rate": 0.01}, {"mlp__learning_rate": 0.01},
                      np.array([0.8, 0.85]), np.array([0.1, 0.2]), np.array([0.01, 0.01]),
                      {k: np.asarray(v, float) for k, v in HISTORY.items()}, diagnosis)
    return SearchPath(model_name="KerasMLPClassifier", scoring="accuracy", n_samples=200,
                      max_fits=10, n_fits=5, candidates=[start, fixed],
                      lines={1: ["#1 trains"], 2: ["#1 beats the baselines"]},
                      baselines={"most_frequent": np.array([0.1, 0.12])},
                      train_sizes=np.array([100, 100]), test_sizes=np.array([100, 100]),
                      best_index=1, stop_reason="Stopped: the budget of fits is spent.")


NAMES = ["audit", "report", "diagnosis", "sweep", "data", "data_audit", "protocol", "selection",
         "fit", "evaluation", "path", "tuning", "tuned_evaluation"]


@pytest.mark.parametrize("name", NAMES)
def test_repr_is_one_line(results, name):
    result = results[name]
    assert isinstance(result, Result)
    text = repr(result)
    assert "\n" not in text and text.startswith(f"{type(result).__name__}(")


@pytest.mark.parametrize("name", NAMES)
def test_summary_is_what_print_shows(results, name):
    result = results[name]
    assert isinstance(result.summary(), str) and result.summary()
    assert str(result) == result.summary()
    assert "nan" not in result.summary().lower().replace("nan-", "")


@pytest.mark.parametrize("name", NAMES)
def test_to_dict_round_trips_through_json(results, name):
    fields = results[name].to_dict()
    text = json.dumps(fields, allow_nan=False)
    assert json.loads(text) == fields


@pytest.mark.parametrize("name", NAMES)
def test_html_shows_the_summary_and_the_table(results, name):
    result = results[name]
    html = result._repr_html_()
    assert html.startswith('<div class="skfit-result"><pre>')
    if result._summary_table:
        assert "<table" in html


@pytest.mark.parametrize("name", [n for n in NAMES
                                  if n not in ("data", "fit", "evaluation", "tuned_evaluation")])
def test_to_frame_is_a_dataframe(results, name):
    assert isinstance(results[name].to_frame(), pd.DataFrame)


@pytest.mark.parametrize("name", ["audit", "report", "diagnosis", "sweep", "protocol",
                                  "selection", "fit", "path", "tuning"])
def test_plot_returns_a_display(results, name):
    display = results[name].plot()
    assert display.figure_ is display.ax_.figure
    _, ax = plt.subplots()
    assert results[name].plot(ax=ax).ax_ is ax


def test_to_dict_is_complete(results):
    report = results["report"].to_dict()
    for attribute in ("margin", "p_value", "t_statistic", "best_baseline", "beats_baseline",
                      "permutation_p_value", "n_splits"):
        assert attribute in report
    assert report["model"] == results["report"].model_scores.tolist()
    diagnosis = results["diagnosis"].to_dict()
    assert diagnosis["history"]["val_accuracy"][-1] is None  # NaN -> null
    assert diagnosis["baseline"] == {"score": "val_accuracy", "value": 0.1}
    sweep = results["sweep"].to_dict()
    assert sweep["values"] == [[4], [8]] and sweep["statuses"][1][1] == "not_training"
    assert sweep["test_scores"][1][1] is None
    evaluation = results["evaluation"].to_dict()
    assert evaluation["scores"] == report
    assert evaluation["protocol"]["per_split"]["n_temporal"] == \
        results["audit"].to_frame()["n_temporal"].tolist() == [67, 67, 0]
    assert evaluation["diagnosis"]["baseline"]["meaning"] == "chance"


def test_statuses_are_listed_in_the_docstrings():
    for result in (Diagnosis, SweepResult):
        for status in result.STATUSES:
            assert f'"{status}"' in result.__doc__, (result, status)
    assert set(Diagnosis.STATUSES) < set(SweepResult.STATUSES)


def test_every_status_a_sweep_reports_is_declared(results):
    statuses = {status for row in results["sweep"].statuses for status in row}
    assert statuses <= set(SweepResult.STATUSES)
    short = SweepResult("learning_rate", "learning_rate", [0.1], [[{"loss": [1.0]}]],
                        np.array([[0.5]]), None)
    assert short.statuses == [["too_short"]]
    flat = {"loss": [1.0, 0.5, 0.3], "val_loss": [np.nan] * 3}
    assert SweepResult("learning_rate", "learning_rate", [0.1], [[flat]], np.array([[0.5]]),
                       None).statuses == [["no_validation"]]


def test_audit_summary_has_no_table_twice(results):
    audit = results["audit"]
    assert audit.summary().count("n_overlap") == 1
    assert audit._repr_html_().count("n_overlap") == 1  # in the HTML table only


@pytest.mark.parametrize("value, expected", [
    (np.float32(1.5), 1.5), (np.int64(3), 3), (np.bool_(True), True), (math.inf, None),
    (np.array([1.0, np.nan]), [1.0, None]), ((1, (2, 3)), [1, [2, 3]]), ({1: "a"}, {"1": "a"}),
    (np.datetime64("2024-01-31"), "2024-01-31"), (datetime.date(2024, 1, 31), "2024-01-31"),
    (pd.NA, None), (pd.Timestamp("2024-01-31"), "2024-01-31T00:00:00"), (None, None),
    (KFold(3), "KFold(n_splits=3, random_state=None, shuffle=False)"),
])
def test_jsonable(value, expected):
    assert jsonable(value) == expected
    json.dumps(jsonable(value), allow_nan=False)


def test_sweep_plot_of_negative_losses_stays_linear():
    curves = {"loss": [-1.0, -2.0, -3.0], "val_loss": [-1.0, -1.5, -1.2]}
    sweep = SweepResult("capacity", "units", [1], [[curves]], np.array([[0.1]]), 1)
    assert sweep.plot().ax_.get_yscale() == "linear"


def test_one_line_repr_of_every_value_kind():
    report = BaselineReport("M", "r2", np.array([0.5]), {"mean": np.array([0.0])},
                            np.empty((0, 1)), np.array([10]), np.array([5]))
    assert re.fullmatch(r"BaselineReport\(.*p_value=nan.*\)", repr(report))


def test_a_search_path_with_a_diverged_configuration(results):
    path = results["path"]
    assert path.best_index == 1 and path.start.diverged
    assert "no score" in path.summary() and path.to_dict()["start_score"] is None
    assert path.to_dict()["candidates"][0]["fold_scores"] == [None, 0.1]
    assert len(path.plot().lines_) == 1  # the diverged configuration is left out
    assert "tuning" in results["tuned_evaluation"].to_dict()
    assert "tuning" not in results["evaluation"].to_dict()
