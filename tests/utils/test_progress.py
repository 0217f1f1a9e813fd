"""Progress of the multi-fit tools: a tqdm bar on a terminal, plain lines elsewhere."""

import io
import re

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skfit import KerasMLPClassifier
from skfit.model_selection import capacity_sweep, compare_to_baseline, learning_rate_sweep
from skfit.utils._progress import FitProgress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_tqdm_bar_redrawn_in_place_with_findings_above_it():
    stream = _Terminal()
    with FitProgress(1, 4, "sweep", stream=stream) as progress:
        progress.fit_done()
        progress.finding("value 2 trains")  # the bar is redrawn below it
        for _ in range(3):
            progress.fit_done()
    text = stream.getvalue()
    assert "\r" in text and text.endswith("\n") and text.count("\n") == 2
    assert "sweep: value 2 trains\n\rsweep:  25%|##" in text
    assert re.search(r"sweep: 100%\|#+\| 4/4 fits \[\d\d:\d\d<\d\d:\d\d\]\n$", text)


def test_a_tool_that_stops_early_ends_its_bar_at_the_fits_it_ran():
    stream = _Terminal()
    with FitProgress(1, 10, "search", stream=stream) as progress:
        for _ in range(3):
            progress.fit_done()
    assert re.search(r"search: 100%\|#+\| 3/3 fits \[[^]]*\]\n$", stream.getvalue())


def test_elsewhere_one_plain_line_per_fit_with_elapsed_and_remaining_time():
    stream = io.StringIO()
    with FitProgress(2, 2, "sweep", stream=stream) as progress:
        progress.fit_done("a")
        progress.finding("found")
        progress.fit_done("b")
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert re.fullmatch(r"sweep: 1/2 fits \[\d\d:\d\d elapsed, \d\d:\d\d left\]: a", lines[0])
    assert lines[1] == "sweep: found"
    assert lines[2].startswith("sweep: 2/2 fits [") and lines[2].endswith(": b")


def test_verbose_one_leaves_out_the_notes_and_zero_shows_nothing():
    stream = io.StringIO()
    with FitProgress(1, 1, "sweep", stream=stream) as progress:
        progress.fit_done("a note")
    assert "a note" not in stream.getvalue() and "1/1 fits" in stream.getvalue()
    quiet = _Terminal()
    with FitProgress(0, 1, "sweep", stream=quiet) as progress:
        progress.fit_done("a note")
        progress.finding("found")
    assert quiet.getvalue() == ""


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_compare_to_baseline_counts_each_model_fit_also_in_parallel(n_jobs, capsys):
    X, y = make_classification(n_samples=60, random_state=0)
    report = compare_to_baseline(LogisticRegression(), X, y, cv=3, n_permutations=1,
                                 random_state=0, n_jobs=n_jobs, verbose=2)
    quiet = compare_to_baseline(LogisticRegression(), X, y, cv=3, n_permutations=1,
                                random_state=0)
    np.testing.assert_array_equal(report.model_scores, quiet.model_scores)
    np.testing.assert_array_equal(report.permutation_scores, quiet.permutation_scores)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" fits [")[0] for line in lines] == [
        f"compare_to_baseline: {n}/6" for n in range(1, 7)
    ]
    assert lines[2].endswith("]: split 3/3")
    assert lines[5].endswith("]: shuffled labels, split 3/3")


@pytest.mark.parametrize("sweep, values", [(capacity_sweep, [(4,), (8,)]),
                                           (learning_rate_sweep, [1e-2, 1e-1])])
def test_sweeps_count_each_fit(sweep, values, capsys):
    X, y = make_classification(n_samples=60, random_state=0)
    model = KerasMLPClassifier((4,), epochs=2, random_state=0)
    sweep(model, X, y, values=values, cv=2, verbose=2)
    lines = capsys.readouterr().err.splitlines()
    name = sweep.__name__
    assert [line.split(" fits [")[0] for line in lines] == [f"{name}: {n}/4" for n in
                                                           range(1, 5)]
    assert lines[-1].endswith(f"={values[1]!r}, split 2/2")
