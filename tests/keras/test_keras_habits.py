"""Keras users' habits: live progress, TensorBoard logs, safe persistence, model_.save."""

import re

import keras
import numpy as np
import pytest
import skops.io as sio
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from skfit import KerasClassifier, KerasMLPClassifier, KerasMLPRegressor, MutualInfoSelector
from skfit.keras import _engine, _progress
from skfit.utils import SKOPS_TRUSTED_TYPES

from ..test_common import dense_classifier


def test_verbose_lines_appear_while_the_compiled_loop_runs(small_digits, capsys, monkeypatch):
    X, y = small_digits
    during_training = []
    log_line = _progress.EpochLog.__call__

    def watched(self, epoch, values):
        # inside engine.train the session's lock is held: the graph call is still running
        during_training.append(any(s.lock.locked() for s in _engine.SESSIONS._sessions.values()))
        log_line(self, epoch, values)

    monkeypatch.setattr(_progress.EpochLog, "__call__", watched)
    clf = KerasMLPClassifier((8,), epochs=4, verbose=1, engine="compiled", random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert during_training == [True] * 4
    assert [line.split(" - ")[0] for line in lines] == [f"Epoch {k}/4" for k in range(1, 5)]
    assert f"val_loss: {clf.history_['val_loss'][-1]:.4f}" in lines[-1]
    assert re.fullmatch(r"\d+ms|\d+\.\ds", lines[1].split(" - ")[1])  # the epoch's time


def test_verbose_fit_learns_exactly_like_a_quiet_one(small_digits, capsys):
    X, y = small_digits
    quiet = KerasMLPClassifier((8,), epochs=3, random_state=0).fit(X, y)
    loud = KerasMLPClassifier((8,), epochs=3, verbose=2, random_state=0).fit(X, y)
    assert loud.history_ == quiet.history_
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_verbose_warm_start_numbers_epochs_on(small_digits, capsys):
    X, y = small_digits
    clf = KerasMLPClassifier((8,), epochs=2, warm_start=True, verbose=1, random_state=0)
    clf.fit(X, y).fit(X, y)
    assert [line.split(" - ")[0] for line in capsys.readouterr().out.splitlines()] == [
        "Epoch 1/2", "Epoch 2/2", "Epoch 3/4", "Epoch 4/4"
    ]  # fmt: skip


def _runs(log_dir):
    return sorted(p for p in log_dir.iterdir() if p.is_dir())


def _scalars(run, split, tag):
    events = EventAccumulator(str(run / split))
    events.Reload()
    return [(e.step, e.value) for e in events.Scalars(tag)]


@pytest.mark.parametrize("engine", ["compiled", "keras"])
def test_tensorboard_logs_hold_the_history(small_digits, tmp_path, engine):
    X, y = small_digits
    clf = KerasMLPClassifier((8,), epochs=3, log_dir=tmp_path, engine=engine, random_state=0).fit(X, y)
    (run,) = _runs(tmp_path)
    for name, values in clf.history_.items():
        split, tag = ("validation", name[4:]) if name.startswith("val_") else ("train", name)
        logged = _scalars(run, split, f"epoch_{tag}")
        assert [step for step, _ in logged] == [1, 2, 3]
        np.testing.assert_allclose([v for _, v in logged], values, rtol=1e-6)
    hparams = EventAccumulator(str(run / "train"), size_guidance={"tensors": 0})
    hparams.Reload()
    assert "_hparams_/session_start_info" in hparams.summary_metadata


def test_grid_search_runs_are_told_apart(small_digits, tmp_path):
    X, y = small_digits
    GridSearchCV(KerasMLPClassifier((8,), epochs=1, log_dir=tmp_path, random_state=0),
                 {"l2": [0.0, 1e-3]}, cv=2).fit(X, y)  # fmt: skip
    runs = [run.name for run in _runs(tmp_path)]
    assert len(runs) == 5 and len(set(runs)) == 5  # 2 candidates x 2 folds + the refit
    digests = {name.split("-")[3] for name in runs}
    assert len(digests) == 2  # one per candidate: l2 differs


def test_bad_log_dir_is_a_clear_error_before_training(small_digits, tmp_path, no_training):
    X, y = small_digits
    a_file = tmp_path / "notes.txt"
    a_file.write_text("")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        KerasMLPClassifier(log_dir=a_file).fit(X, y)
    with pytest.raises(ValueError, match="cannot be created"):
        KerasMLPClassifier(log_dir=a_file / "runs").fit(X, y)


def _roundtrip(estimator, trusted):
    return sio.loads(sio.dumps(estimator), trusted=trusted)


@pytest.mark.parametrize(
    "make",
    [
        lambda: KerasMLPClassifier((8,), epochs=2, random_state=0),
        lambda: KerasMLPRegressor((8,), epochs=2, random_state=0),
        lambda: make_pipeline(MutualInfoSelector(random_state=0), KerasMLPClassifier((8,), epochs=2, random_state=0)),
        lambda: KerasClassifier(dense_classifier(64, 10), epochs=2, random_state=0),
    ],
    ids=["mlp-classifier", "mlp-regressor", "pipeline", "wrapper-of-a-model"],
)
def test_skops_roundtrip_needs_only_skfits_listed_types(small_digits, make):
    X, y = small_digits
    fitted = make().fit(X, y)
    assert set(sio.get_untrusted_types(data=sio.dumps(fitted))) <= set(SKOPS_TRUSTED_TYPES)
    loaded = _roundtrip(fitted, SKOPS_TRUSTED_TYPES)
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    if hasattr(fitted, "predict_proba"):
        np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


def test_skops_refuses_an_untrusted_builder_until_trusted_by_name(small_digits):
    X, y = small_digits
    fitted = KerasClassifier(dense_classifier, epochs=1, random_state=0).fit(X, y)
    data = sio.dumps(fitted)
    with pytest.raises(Exception, match="Untrusted types found"):
        sio.loads(data, trusted=SKOPS_TRUSTED_TYPES)
    extra = set(sio.get_untrusted_types(data=data)) - set(SKOPS_TRUSTED_TYPES)
    assert extra == {"tests.test_common.dense_classifier"}
    loaded = sio.loads(data, trusted=[*SKOPS_TRUSTED_TYPES, *extra])
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


def test_model_save_gives_the_trained_network_in_keras_format(small_digits, tmp_path):
    X, y = small_digits
    clf = KerasMLPClassifier((8,), epochs=2, random_state=0).fit(X, y)
    clf.model_.save(tmp_path / "network.keras")
    network = keras.models.load_model(tmp_path / "network.keras")
    np.testing.assert_allclose(network.predict(X, verbose=0), clf.predict_proba(X), atol=1e-5)
