"""Small generated CSV files for the command-line tests, and a runner for the CLI."""

import contextlib
import io
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

N_ROWS = 300
FAST = ("--epochs", "3", "--batch-size", "32", "--folds", "3")  # few, small steps: fast


def run_cli(*args, cwd=None):
    """Run ``python -m skfit.cli ARGS`` in a subprocess; return the CompletedProcess."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", "skfit.cli", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
    )


def run_cli_in_process(*args, cwd=None):
    """Run ``skfit.cli.main(ARGS)`` in this process, as the subprocess would; return a
    CompletedProcess. For inputs refused before training: no interpreter to start."""
    from skfit.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or os.getcwd()), contextlib.redirect_stdout(stdout), \
            contextlib.redirect_stderr(stderr):
        try:
            status = main(list(map(str, args)))
        except SystemExit as exit_:  # argparse's usage errors
            status = exit_.code
    return subprocess.CompletedProcess(args, status, stdout.getvalue(), stderr.getvalue())


def numeric_frame(rng, n=N_ROWS):
    """Two informative features, two noise features, a text label."""
    X = rng.normal(size=(n, 4))
    label = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "yes", "no")
    frame = pd.DataFrame(X, columns=["signal_a", "signal_b", "noise_a", "noise_b"])
    return frame.assign(label=label)


def mixed_frame(rng, n=N_ROWS):
    """A regression table: floats with gaps, ints, text categories with gaps, an id."""
    size = rng.uniform(30, 150, n)
    city = rng.choice(["north", "south", "east", "west"], n)
    rooms = rng.randint(1, 6, n)
    price = 2.0 * size + np.select([city == "north", city == "south"], [80.0, -40.0], 0.0)
    price = price + 10 * rooms + rng.normal(0, 10, n)
    frame = pd.DataFrame({
        "id": [f"house-{i:04d}" for i in range(n)],
        "size": size.round(1), "rooms": rooms, "city": city,
        "garden": rng.choice(["yes", "no"], n), "price": price.round(2),
    })
    frame.loc[rng.rand(n) < 0.1, "size"] = np.nan
    frame.loc[rng.rand(n) < 0.1, "city"] = np.nan
    return frame


def time_frame(rng, n=N_ROWS):
    """Daily rows written out of order; the label drifts with time."""
    days = pd.date_range("2023-01-01", periods=n, freq="D")
    x = rng.normal(size=n) + np.linspace(-1, 1, n)
    frame = pd.DataFrame({
        "day": days.strftime("%Y-%m-%d"), "x": x, "other": rng.normal(size=n),
        "up": (x + rng.normal(0, 0.3, n) > 0).astype(int),
    })
    return frame.iloc[rng.permutation(n)]


def duplicate_frame(rng, n=N_ROWS):
    """A fifth of the rows repeat earlier rows (of the same user) exactly."""
    base = numeric_frame(rng, n - n // 5).assign(user=rng.randint(0, 40, n - n // 5))
    copies = base.iloc[rng.choice(len(base), n // 5)]
    frame = pd.concat([base, copies], ignore_index=True)
    return frame.iloc[rng.permutation(len(frame))]


@pytest.fixture(scope="session")
def csv_dir(tmp_path_factory):
    """A folder of generated CSV files, good and bad."""
    folder = tmp_path_factory.mktemp("csv")
    rng = np.random.RandomState(0)
    numeric_frame(rng).to_csv(folder / "numeric.csv", index=False)
    mixed_frame(rng).to_csv(folder / "mixed.csv", index=False)
    time_frame(rng).to_csv(folder / "time.csv", index=False)
    duplicate_frame(rng).to_csv(folder / "duplicates.csv", index=False)
    (folder / "empty.csv").write_text("")
    (folder / "header_only.csv").write_text("a,b,label\n")
    numeric_frame(rng).assign(label="same").to_csv(folder / "one_class.csv", index=False)
    bad_time = time_frame(rng)
    bad_time.iloc[7, bad_time.columns.get_loc("day")] = "next tuesday"
    bad_time.to_csv(folder / "bad_time.csv", index=False)
    numeric_frame(rng, n=12).to_csv(folder / "tiny.csv", index=False)
    rare = numeric_frame(rng)
    rare.loc[:1, "label"] = "rare"
    rare.to_csv(folder / "rare_class.csv", index=False)
    table = numeric_frame(rng, n=60)
    (folder / "duplicate_header.csv").write_text(
        table.to_csv(index=False).replace("noise_a", "signal_a", 1))
    (folder / "duplicate_target.csv").write_text(
        table.assign(copy=table["label"]).to_csv(index=False).replace("copy", "label", 1))
    lines = table.to_csv(index=False).splitlines()
    # pandas would read a first field too many as a row index, too few as NaN
    (folder / "extra_field.csv").write_text(
        "\n".join([lines[0]] + [f"{i},{line}" for i, line in enumerate(lines[1:])]) + "\n")
    (folder / "missing_field.csv").write_text(
        "\n".join(lines[:5] + [lines[5].rsplit(",", 1)[0]] + lines[6:]) + "\n")
    for name, value in (("infinite.csv", np.inf), ("huge.csv", 1e300)):
        broken = table.copy()
        broken.loc[7, "noise_b"] = value
        broken.to_csv(folder / name, index=False)
    return folder
