"""Malformed CSV files and command lines: exit 0, or exit 2 with one line, never a traceback.

Each example is a small generated table and a cheap command line with at
most one thing wrong (a fault drawn from the kinds users hit), and random
cell values. It runs ``skfit.cli.main`` in this process (a subprocess per
example would import TensorFlow each time); ``main`` must turn every error
into one line on stderr. Progress lines (``fit k/n done``) may precede an
error raised during training.
"""

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import run_cli_in_process

PROGRESS = re.compile(r"^(compare_to_baseline|final fits): \d+/\d+ fits \[")
ODD_CELLS = st.sampled_from(["", "NA", "nan", "x", "-3.5", "1e300", "inf", "-inf", "1,5",
                             '"q"', "\u00e9t\u00e9", "2024-01-31", "0x10", "True"])
FILE_FAULTS = ["duplicate header", "duplicated target", "infinite", "huge", "empty file",
               "binary garbage", "header only", "ragged rows", "odd cells", "byte-order mark",
               "semicolons", "missing targets", "one class", "text target", "numbers target",
               "time column", "group column"]
OPTION_FAULTS = {
    "--sep": ["", ";;", '"', "tab"], "--folds": ["1", "x", "100"], "--epochs": ["1", "0"],
    "--learning-rate": ["0", "-1", "inf", "nan", "1e6"], "--hidden": ["0"],
    "--seed": ["-1", "99999999999"], "--target": ["zz", "a"], "--task": ["other", "regression"],
    "--cv": ["nope", "time", "dedup"], "--time-column": ["nope", "a"],
    "--group-column": ["y", "b"], "--drop": ["y", "nope"], "--repeats": ["0"],
    "--out": ["blocked"],
}


@st.composite
def cases(draw):
    """(file bytes, extra arguments, whether the --out folder is blocked by a file)."""
    fault = draw(st.sampled_from([None] * 8 + FILE_FAULTS + sorted(OPTION_FAULTS)))
    names = list(draw(st.permutations(["a", "b", "y"])))
    n_rows = draw(st.integers(16, 40))
    rows = [[f"{(i * 7 + j * 3) % 10 / 3 + 0.01 * i:.3f}" for j in range(3)] for i in range(n_rows)]
    for i, row in enumerate(rows):
        row[names.index("y")] = str(i % 2)
    args, sep, prefix = [], ",", b""
    if fault == "duplicate header":
        names[names.index("a")] = "b"
    elif fault == "duplicated target":
        names.append("y")
        rows = [row + [row[names.index("y")]] for row in rows]
    elif fault in ("infinite", "huge", "odd cells"):
        cell = {"infinite": st.just("inf"), "huge": st.just("-1e300"), "odd cells": ODD_CELLS}
        for _ in range(draw(st.integers(1, 4))):
            rows[draw(st.integers(0, n_rows - 1))][draw(st.integers(0, 2))] = draw(cell[fault])
    elif fault == "missing targets":
        for i in draw(st.lists(st.integers(0, n_rows - 1), max_size=n_rows)):
            rows[i][names.index("y")] = ""
    elif fault == "one class":
        for row in rows:
            row[names.index("y")] = "1"
    elif fault == "text target":
        for i, row in enumerate(rows):
            row[names.index("y")] = draw(st.sampled_from(["cat", "dog", "1", "NA"]))
    elif fault == "numbers target":
        for i, row in enumerate(rows):
            row[names.index("y")] = f"{i * 1.37:.2f}"
    elif fault == "time column":
        names.append("t")
        values = st.sampled_from(["2024-01-0", "2024-02-1", "next tuesday", "", "3"])
        rows = [row + [draw(values) + (str(i % 9 + 1) if draw(st.booleans()) else "")]
                for i, row in enumerate(rows)]
        args += ["--time-column", "t"]
    elif fault == "group column":
        names.append("g")
        rows = [row + [draw(st.sampled_from(["u1", "u2", "u3", ""]))] for row in rows]
        args += ["--group-column", "g", "--cv", draw(st.sampled_from(["auto", "dedup"]))]
    elif fault == "semicolons":
        sep = ";"
        args += draw(st.sampled_from([["--sep", ";"], []]))
    elif fault == "byte-order mark":
        prefix = b"\xef\xbb\xbf"
    elif fault == "ragged rows":
        rows[draw(st.integers(0, n_rows - 1))].append("extra")
    elif fault in OPTION_FAULTS:
        args += [fault, draw(st.sampled_from(OPTION_FAULTS[fault]))]
    text = "\n".join(sep.join(row) for row in [names, *rows]) + "\n"
    content = prefix + text.encode("utf-8")
    if fault == "empty file":
        content = b""
    elif fault == "binary garbage":
        content = draw(st.binary(min_size=1, max_size=80))
    elif fault == "header only":
        content = (sep.join(names) + "\n").encode()
    return content, args, fault


def run(argv):
    result = run_cli_in_process(*argv)
    return result.returncode, result.stdout, result.stderr


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_malformed_input_exits_0_or_2_with_one_line(case):
    content, args, fault = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_bytes(content)
        out = Path(folder) / "report"
        if fault == "--out":
            out.write_text("a file where the report folder should go")
            args = []
        cheap = {"--target": "y", "--epochs": "2", "--folds": "2", "--hidden": "4",
                 "--cv": "kfold", "--permutations": "0", "--out": str(out)}
        given = dict(zip(args[::2], args[1::2]))
        argv = ["evaluate", str(path)] + [item for option, value in {**cheap, **given}.items()
                                          for item in (option, value)]
        status, stdout, stderr = run(argv)
    assert "Traceback" not in stderr + stdout
    errors = [line for line in stderr.splitlines() if not PROGRESS.match(line)]
    assert status in (0, 2), (fault, argv, stderr)
    if status == 2:
        assert len(errors) == 1 and errors[0].startswith("skfit"), (fault, stderr)
    else:
        assert "Report:" in stdout, (fault, stdout)
