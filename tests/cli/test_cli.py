"""The ``skfit`` command line, run as a subprocess on small generated CSV files."""

import base64
import json
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

import skfit

from .conftest import FAST, run_cli, run_cli_in_process

FIGURES = ("fold_scores.png", "loss_curves.png", "mutual_information.png")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def evaluate(csv_dir, tmp_path_factory, name, *args):
    out = tmp_path_factory.mktemp(name.removesuffix(".csv"))
    result = run_cli("evaluate", csv_dir / name, *args, *FAST, "--out", out)
    assert result.returncode == 0, result.stderr
    return result, out, json.loads((out / "results.json").read_text())


@pytest.fixture(scope="module")
def numeric(csv_dir, tmp_path_factory):
    return evaluate(csv_dir, tmp_path_factory, "numeric.csv", "--target", "label")


# -- help, version -----------------------------------------------------------
def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"skfit {skfit.__version__}"


@pytest.mark.parametrize("command, options", [
    ((), ("evaluate", "demo", "--version", "exit status")),
    (("evaluate",), ("DATA.csv", "--target", "--task", "--time-column", "--group-column",
                     "--drop", "--sep", "--cv", "--folds", "--repeats", "--permutations",
                     "--epochs", "--hidden", "--batch-size", "--learning-rate", "--seed",
                     "--threads", "--out", "exit status", "examples:")),
    (("demo",), ("--out", "--epochs", "--folds", "--seed", "--threads", "noise", "exit status")),
])
def test_help_lists_every_option(command, options):
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    for option in options:
        assert option in result.stdout


# -- bad input: exit status 2, one line, no traceback --------------------------
BAD_INPUTS = {
    "missing file": (["nope.csv", "--target", "label"], "no such file"),
    "folder": ([".", "--target", "label"], "is a folder"),
    "empty file": (["empty.csv", "--target", "label"], "the file is empty"),
    "header only": (["header_only.csv", "--target", "label"], "no data rows"),
    "unknown target": (["numeric.csv", "--target", "lable"], "did you mean 'label'"),
    "unknown dropped column": (["numeric.csv", "--target", "label", "--drop", "zzz"],
                               "--drop 'zzz': no such column"),
    "one class": (["one_class.csv", "--target", "label"], "one class ('same')"),
    "time does not parse": (["bad_time.csv", "--target", "up", "--time-column", "day"],
                            "'next tuesday' (line 9 of the file) is not a date"),
    "too few rows": (["tiny.csv", "--target", "label"], "too few rows for 5 folds: 12 rows"),
    "rare class": (["rare_class.csv", "--target", "label", "--folds", "3"],
                   "class 'rare' of 'label' has 2 rows"),
    "column in two roles": (["numeric.csv", "--target", "label", "--drop", "label"],
                            "a column plays one role"),
    "text target for regression": (["mixed.csv", "--target", "city", "--task", "regression"],
                                   "regression needs numbers"),
    "groups with plain K-fold": (["duplicates.csv", "--target", "label", "--group-column",
                                  "user", "--cv", "kfold"], "--group-column needs --cv auto"),
    "bad option value": (["numeric.csv", "--target", "label", "--folds", "1"],
                         "expected an integer >= 2, got 1"),
    "missing --target": (["numeric.csv"], "required: --target"),
    # issue 16, kind 8: refused before any training
    "column named twice": (["duplicate_header.csv", "--target", "label"],
                           "the header names column 'signal_a' 2 times (columns 1, 3)"),
    "target named twice": (["duplicate_target.csv", "--target", "label"],
                           "One of them is the target: a copy of it among the features would "
                           "leak it"),
    "infinite value": (["infinite.csv", "--target", "label"],
                       "column 'noise_b' holds an infinite value: inf on line 9"),
    "huge value": (["huge.csv", "--target", "label"], "1e+300 on line 9"),
    "empty separator": (["numeric.csv", "--target", "label", "--sep", ""],
                        "argument --sep: expected one character"),
    "two-character separator": (["numeric.csv", "--target", "label", "--sep", ";;"],
                                "got ';;'"),
    "infinite learning rate": (["numeric.csv", "--target", "label", "--learning-rate", "inf"],
                               "expected a finite number > 0"),
    "no threads": (["numeric.csv", "--target", "label", "--threads", "0"],
                   "argument --threads: expected an integer >= 1, got 0"),
    # issue 22: shapes pandas would silently reinterpret
    "a field more than the header": (["extra_field.csv", "--target", "label"],
                                     "line 2 has 6 fields, more than the 5 columns the header "
                                     "names (pandas would take the first one for a row index"),
    "a field fewer than the header": (["missing_field.csv", "--target", "label"],
                                      "line 6 has 4 fields, fewer than the 5 columns"),
}


#: Run as a real ``python -m skfit.cli`` process; the others run ``main`` in this process.
IN_A_SUBPROCESS = ("missing --target", "infinite value", "target named twice")


@pytest.mark.parametrize("args, message", BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_bad_input_is_one_line_and_status_2(csv_dir, tmp_path, args, message, request):
    run = run_cli if request.node.callspec.id in IN_A_SUBPROCESS else run_cli_in_process
    result = run("evaluate", *args, "--out", tmp_path / "report", cwd=csv_dir)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("skfit")
    assert message in lines[0]
    assert not (tmp_path / "report" / "report.html").exists()


def test_out_that_cannot_be_created(csv_dir, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    result = run_cli("evaluate", csv_dir / "numeric.csv", "--target", "label",
                     "--out", blocker / "report")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--out" in result.stderr
    assert result.stdout == ""  # found before reading the data, let alone training


def test_report_file_that_cannot_be_written_is_found_before_training(csv_dir, tmp_path):
    (tmp_path / "report.html").mkdir()  # a folder where the report file should go
    result = run_cli("evaluate", csv_dir / "numeric.csv", "--target", "label",
                     "--out", tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"skfit: error: --out {tmp_path}: report.html exists and "
                                     "cannot be overwritten.")
    assert result.stdout == ""


# -- the workflow on good files ------------------------------------------------
def test_numeric_csv_writes_every_report_file(numeric):
    result, out, results = numeric
    for name in ("report.html", "report.md", "results.json", *FIGURES):
        assert (out / name).stat().st_size > 0
    for step in ("Audit", "Protocol:", "why:", "Feature selection", "Summary"):
        assert step in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("Report:")


def test_numeric_csv_results(numeric):
    _, _, results = numeric
    assert results["data"]["task"] == "classification"
    # 300 rows, no time, no duplicates: repeated stratified K-fold, 3 x 3 splits
    assert results["protocol"]["kind"] == "repeated"
    assert results["protocol"]["n_splits"] == 9
    assert results["protocol"]["leak_free"]
    kept = {f["name"] for f in results["selection"]["features"] if f["kept"]}
    assert {"signal_a", "signal_b"} <= kept
    assert not kept & {"noise_a", "noise_b"}
    scores = results["scores"]
    assert len(scores["model"]) == len(scores["baselines"]["most_frequent"]) == 9
    assert np.asarray(scores["shuffled_labels"]).shape == (1, 9)
    assert scores["beats_baseline"]
    assert scores["summary"]["model"]["mean"] > 0.8
    assert scores["summary"]["shuffled_labels"]["mean"] < 0.65
    diagnosis = results["diagnosis"]
    assert diagnosis["status"] in {"not_training", "not_generalizing", "underfitting",
                                   "overfitting", "good_fit"}
    assert len(diagnosis["history"]["val_loss"]) == diagnosis["n_epochs"] == 3
    assert sorted(results["figures"]) == sorted(FIGURES)


def test_progress_lines_count_every_fit(numeric):
    result, _, _ = numeric
    progress = re.findall(r"compare_to_baseline: (\d+)/(\d+) fits \[", result.stderr)
    total = 9 * 2  # model and one shuffled-label run on 9 splits
    assert [int(done) for done, _ in progress] == list(range(1, total + 1))
    assert {int(of) for _, of in progress} == {total}
    assert "shuffled labels, split 9/9" in result.stderr
    assert re.search(r"final fits: 1/1 fits \[.*\]: the diagnosed fit", result.stderr)


def test_markdown_and_html_show_the_numbers_of_results_json(numeric):
    _, out, results = numeric
    model_mean = f"{results['scores']['summary']['model']['mean']:.3f}"
    markdown = (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    for text in (markdown, html):
        assert model_mean in text
        assert results["protocol"]["splitter"] in text
    for name in FIGURES:
        assert f"]({name})" in markdown


def test_html_is_self_contained_with_inlined_plots(numeric):
    _, out, _ = numeric
    html = (out / "report.html").read_text()
    sources = re.findall(r'<img[^>]*src="([^"]*)"', html)
    assert len(sources) == len(FIGURES)
    inlined = {base64.b64decode(src.removeprefix("data:image/png;base64,")) for src in sources}
    assert inlined == {(out / name).read_bytes() for name in FIGURES}
    assert not re.search(r'(src|href)="(?!data:)', html)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (Debian "
                    "package 'chromium'); the HTML report is not rendered")
def test_html_report_renders_with_its_plots_in_chromium(numeric, tmp_path):
    import matplotlib.image

    _, out, _ = numeric
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={screenshot}", "--window-size=1200,3000",
         (out / "report.html").as_uri()],
        capture_output=True, timeout=120, check=True,
    )
    pixels = matplotlib.image.imread(screenshot)[..., :3]
    assert pixels.shape[:2] == (3000, 1200)
    assert (pixels.min(axis=2) < 0.9).mean() > 0.03  # not a blank page
    # Matplotlib's green, red and purple (C2-C4) appear only in the plots: the
    # fold-score figure's baselines. The page's own colours are blue and grey.
    for colour in ((44, 160, 44), (214, 39, 40), (148, 103, 189)):
        close = np.abs(pixels * 255 - colour).max(axis=2) < 40
        assert close.sum() > 200, colour


def test_mixed_types_with_missing_values_regression(csv_dir, tmp_path_factory):
    _, _, results = evaluate(csv_dir, tmp_path_factory, "mixed.csv", "--target", "price")
    assert results["data"]["task"] == "regression"
    assert results["data"]["categorical_columns"] == ["id", "city", "garden"]
    assert set(results["audit"]["missing_values"]) == {"size", "city"}
    assert results["audit"]["identifier_like"] == ["id"]
    assert results["protocol"]["kind"] == "repeated"
    assert results["scores"]["scoring"] == "r2"
    assert set(results["scores"]["baselines"]) == {"mean", "median"}
    names = {f["name"] for f in results["selection"]["features"]}
    assert {"size", "missingindicator_size", "city_north", "city_missing"} <= names
    kept = {f["name"] for f in results["selection"]["features"] if f["kept"]}
    assert "size" in kept
    assert results["diagnosis"]["baseline"] == {
        "score": "val_loss", "value": 1.0,
        "meaning": "mean squared error of the mean predictor on the standardized target",
    }


def test_time_ordered_csv_uses_a_time_split(csv_dir, tmp_path_factory):
    result, _, results = evaluate(csv_dir, tmp_path_factory, "time.csv", "--target", "up",
                                  "--time-column", "day")
    protocol = results["protocol"]
    assert protocol["kind"] == "time"
    assert protocol["splitter"].startswith("TimeSeriesSplit")
    assert "arrow of time" in protocol["reason"]
    assert protocol["leak_free"]
    assert protocol["per_split"]["n_temporal"] == [0, 0, 0]
    assert results["audit"]["time"] == {"column": "day", "first": "2023-01-01",
                                        "last": "2023-10-27"}
    assert "day" not in results["data"]["numeric_columns"] + results["data"][
        "categorical_columns"]
    assert any(note.startswith("sorted the rows by 'day'") for note in results["data"]["notes"])
    # training parts grow, validation parts follow them
    assert results["scores"]["train_sizes"] == sorted(results["scores"]["train_sizes"])


def test_duplicates_and_groups_use_deduplicated_kfold(csv_dir, tmp_path_factory):
    _, _, results = evaluate(csv_dir, tmp_path_factory, "duplicates.csv", "--target",
                             "label", "--group-column", "user")
    assert results["audit"]["duplicate_rows"] == 60
    protocol = results["protocol"]
    assert protocol["kind"] == "dedup"
    assert protocol["splitter"].startswith("DeduplicatedKFold")
    assert "'user'" in protocol["reason"] and "60 rows" in protocol["reason"]
    assert protocol["leak_free"]
    assert protocol["per_split"]["n_duplicates"] == [0, 0, 0]
    assert "user" not in results["data"]["numeric_columns"]


def test_demo_drops_the_noise_channels(tmp_path):
    result = run_cli("demo", *FAST, "--permutations", "0", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    features = results["selection"]["features"]
    noise = [f for f in features if f["name"].startswith("noise_")]
    pixels = [f for f in features if f["name"].startswith("pixel_")]
    assert len(noise) == len(pixels) == 64
    assert not any(f["kept"] for f in noise)
    assert sum(f["kept"] for f in pixels) > 40
    assert results["scores"]["beats_baseline"]
    assert results["scores"]["summary"]["model"]["mean"] > 0.8
    assert "drops 64 of the 64 noise channels" in result.stdout
    assert (tmp_path / "report.html").exists()


# -- --tune: the fit-then-regularize search, nested ---------------------------------
def test_threads_are_limited_before_anything_runs(csv_dir, tmp_path, monkeypatch):
    import skfit.utils

    asked = []
    monkeypatch.setattr(skfit.utils, "limit_tensorflow_threads", asked.append)  # not this process's
    result = run_cli_in_process("evaluate", csv_dir / "nope.csv", "--target", "label",
                                "--threads", "1", "--out", tmp_path)  # fmt: skip
    assert result.returncode == 2 and "no such file" in result.stderr
    assert asked == [1]  # set before the data was read
    asked.clear()
    run_cli_in_process("evaluate", csv_dir / "nope.csv", "--target", "label", "--out", tmp_path)
    assert asked == []  # TensorFlow's own pools unless asked


def test_one_thread_run_reports_the_same_scores(numeric, csv_dir, tmp_path_factory):
    *_, results = numeric
    *_, one_thread = evaluate(csv_dir, tmp_path_factory, "numeric.csv", "--target", "label",
                              "--threads", "1")  # fmt: skip
    np.testing.assert_allclose(one_thread["scores"]["model"], results["scores"]["model"], atol=1e-6)


def test_without_tune_nothing_changes(numeric):
    result, out, results = numeric
    assert "tuning" not in results and "tune" not in results["settings"]
    assert not (out / "search_path.png").exists()
    assert "Tuning" not in (out / "report.md").read_text()


def test_tune_runs_the_search_nested_and_reports_its_path(csv_dir, tmp_path_factory):
    result, out, results = evaluate(csv_dir, tmp_path_factory, "numeric.csv", "--target",
                                    "label", "--cv", "kfold", "--tune", "--max-fits", "10",
                                    "--permutations", "0")
    assert results["scores"]["model_name"] == "FitThenRegularizeSearchCV"
    assert len(results["scores"]["model"]) == 3  # one search per outer split
    tuning = results["tuning"]
    assert tuning["max_fits"] == 10 and tuning["n_fits"] <= 10
    assert tuning["splitter"].startswith("StratifiedKFold(n_splits=3")
    assert tuning["candidates"][0]["move"] == "start"
    assert tuning["configurations"]["start"]["hidden_layer_sizes"] == [64]
    assert tuning["configurations"]["start"]["epochs"] == 3
    assert set(tuning["steps"]) == {"1", "2", "3", "4", "5"}
    assert results["settings"]["tune"] and results["settings"]["max_fits"] == 10
    assert "search_path.png" in results["figures"]
    assert any(verdict.startswith("Tuning (fit, then regularize) chose #")
               for verdict in results["verdicts"])
    markdown = (out / "report.md").read_text()
    assert "## Tuning: fit, then regularize" in markdown and "](search_path.png)" in markdown
    assert "1. Get training started" in markdown and "| knob | start | chosen |" in markdown
    assert (out / "search_path.png").stat().st_size > 0
    assert "Tuning (fit, then regularize) on all 300 rows" in result.stdout
    searches = re.findall(r"compare_to_baseline: (\d+)/(\d+) fits", result.stderr)
    assert searches[-1] == ("3", "3")  # one search per outer split
    assert re.findall(r"final fits: (\d+)/(\d+) fits", result.stderr) == [("1", "2"),
                                                                          ("2", "2")]


def test_demo_offers_tune():
    result = run_cli("demo", "--help")
    assert "--tune" in result.stdout and "--max-fits" in result.stdout
