"""The compiled training loop: trace reuse, state isolation, memory, fallback."""

import resource
import threading
from collections import Counter

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

from skfit import KerasMLPClassifier
from skfit.keras import _engine


def _session_of(estimator):
    return estimator._session(
        estimator._architecture_, estimator._optimizer, estimator._objective, has_validation=True
    )


def _count_traces(monkeypatch):
    """The sessions whose training loop is traced from now on, in order (from an empty
    session cache: sessions traced by earlier tests do not count)."""
    monkeypatch.setattr(_engine, "SESSIONS", _engine._SessionCache(_engine._MAX_SESSIONS))
    traces = []
    trace = _engine.TrainingLoop._train_loop

    def counting_trace(self, *args, **kwargs):
        traces.append(self)
        return trace(self, *args, **kwargs)

    monkeypatch.setattr(_engine.TrainingLoop, "_train_loop", counting_trace)
    return traces


def test_one_trace_per_configuration_across_clones(small_digits, monkeypatch):
    traces = _count_traces(monkeypatch)
    X, y = small_digits
    clf = KerasMLPClassifier((23,), activation="gelu", epochs=2, engine="compiled",
                             random_state=0)  # own session
    cross_val_score(clf, X, y, cv=3)
    fitted = clone(clf).fit(X, y)
    assert traces == [_session_of(fitted)]
    # a new learning rate, batch size, epoch count or seed is data, not a new trace
    for params in [{"learning_rate": 0.1}, {"batch_size": 7}, {"epochs": 3}, {"random_state": 5}]:
        clone(clf).set_params(**params).fit(X[:500], y[:500])
    assert len(traces) == 1


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_fitted_estimators_do_not_share_weights(small_digits, engine):
    X, y = small_digits
    first = KerasMLPClassifier(epochs=2, engine=engine, random_state=0).fit(X, y)
    before = first.predict_proba(X)
    KerasMLPClassifier(epochs=5, engine=engine, random_state=1).fit(X[::-1], (y + 1) % 10)
    np.testing.assert_array_equal(first.predict_proba(X), before)


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_concurrent_fits_in_threads_match_serial(small_digits, engine):
    X, y = small_digits
    seeds = [0, 1, 2, 3]
    params = {"epochs": 2, "dropout": 0.1, "engine": engine}
    serial = [KerasMLPClassifier(random_state=s, **params).fit(X, y).predict_proba(X) for s in seeds]
    results = {}

    def fit(seed):
        results[seed] = KerasMLPClassifier(random_state=seed, **params).fit(X, y).predict_proba(X)

    threads = [threading.Thread(target=fit, args=(s,)) for s in seeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed, expected in zip(seeds, serial):
        np.testing.assert_array_equal(results[seed], expected)


@pytest.mark.parametrize("seed", [0])
def test_compiled_path_learns_like_model_fit(digits, seed):
    """Same hyper-parameters, several seeds: both paths reach the same accuracy."""
    X, y = digits
    rng = np.random.RandomState(seed)
    test = rng.rand(len(y)) < 0.3
    scores = {"compiled": [], "keras": []}
    for run_seed in range(4):
        for engine in scores:
            clf = KerasMLPClassifier(
                (32,), epochs=8, learning_rate=1e-2, engine=engine, random_state=run_seed
            )
            scores[engine].append(clf.fit(X[~test], y[~test]).score(X[test], y[test]))
    compiled, keras_fit = np.array(scores["compiled"]), np.array(scores["keras"])
    noise = 3 * max(compiled.std(), keras_fit.std(), 0.005)
    assert abs(compiled.mean() - keras_fit.mean()) < noise, scores
    assert compiled.mean() > 0.85


def test_keras_path_runs_user_callbacks_and_says_so(small_digits, capsys):
    import keras

    X, y = small_digits
    epochs_seen = []
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epochs_seen.append(epoch))
    clf = KerasMLPClassifier(epochs=3, callbacks=[callback], verbose=1, random_state=0).fit(X, y)
    assert epochs_seen == [0, 1, 2]
    assert "training with model.fit" in capsys.readouterr().out
    assert set(clf.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(clf.history_["val_loss"]) == clf.n_epochs_ == 3


def test_keras_path_early_stopping_restores_best(small_digits):
    X, y = small_digits
    clf = KerasMLPClassifier(
        (128,), learning_rate=3e-2, batch_size=32, epochs=60, early_stopping=True,
        patience=2, engine="keras", random_state=0,
    ).fit(X, y)  # fmt: skip
    assert clf.n_epochs_ < 60
    assert clf.best_epoch_ == int(np.argmin(clf.history_["val_loss"])) + 1


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def test_memory_stays_flat_over_many_fits(small_digits):
    """scikeras grows ~3.5 MB per fit; skfit reuses its traced session."""
    X, y = small_digits
    for seed in range(5):
        KerasMLPClassifier((16,), epochs=1, engine="compiled", random_state=seed).fit(X, y)
    before = _rss_mb()
    for seed in range(60):
        KerasMLPClassifier((16,), epochs=1, engine="compiled", random_state=seed).fit(X, y)
    assert _rss_mb() - before < 15, "memory grew by more than 0.25 MB per fit"


def test_session_cache_is_bounded(small_digits):
    X, y = small_digits
    for units in range(1, _engine._MAX_SESSIONS + 4):
        KerasMLPClassifier((units,), epochs=1, engine="compiled", random_state=0).fit(X[:50], y[:50])
    assert len(_engine.SESSIONS) <= _engine._MAX_SESSIONS


def test_keras_path_reshuffles_every_epoch():
    """A seeded model.fit shuffle replays one order each epoch; skfit's batches must not."""
    from skfit.keras._keras_fit import ShuffledBatches

    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    batches = ShuffledBatches(x, np.arange(10), np.ones(10), batch_size=4, seed=0)
    assert len(batches) == 3
    epochs = []
    for _ in range(3):
        epochs.append(np.concatenate([batches[i][1] for i in range(len(batches))]))
        batches.on_epoch_end()
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(10))
    assert not np.array_equal(epochs[0], epochs[1])
    again = ShuffledBatches(x, np.arange(10), np.ones(10), batch_size=4, seed=0)
    np.testing.assert_array_equal(np.concatenate([again[i][1] for i in range(3)]), epochs[0])


def test_both_paths_show_the_same_epoch_to_epoch_noise(digits):
    X, y = digits
    noise = {}
    for engine in ["compiled", "keras"]:
        clf = KerasMLPClassifier((), learning_rate=1e-2, batch_size=32, epochs=25,
                                 engine=engine, random_state=0).fit(X, y)  # fmt: skip
        val = np.array(clf.history_["val_loss"][5:])
        noise[engine] = np.median(np.abs(np.diff(val)) / val[1:])
    assert noise["keras"] > noise["compiled"] / 3, noise



def test_one_trace_per_depth_for_every_width_and_feature_count(small_digits, monkeypatch):
    from sklearn.model_selection import GridSearchCV

    traces = _count_traces(monkeypatch)
    X, y = small_digits
    grid = {"hidden_layer_sizes": [(5, 3), (17, 9), (40, 2)]}
    mlp = KerasMLPClassifier(activation="tanh", epochs=2, engine="compiled", random_state=0)
    GridSearchCV(mlp, grid, cv=2).fit(X, y)
    for n_features in (10, 33, 64):  # a selector keeping a different number of columns per fold
        KerasMLPClassifier((7, 7), activation="tanh", epochs=2, engine="compiled",
                           random_state=0).fit(X[:, :n_features], y)  # fmt: skip
    assert len(traces) == 1


def test_one_trace_for_every_strength_of_a_regularizer(small_digits, monkeypatch):
    """Dropout, L1 and L2 strengths are data of the trace: a grid over them traces once per
    set of regularizers used, and each strength still acts as its own network's."""
    X, y = small_digits
    traces = _count_traces(monkeypatch)
    fits = {}
    for dropout, l2 in [(0.1, 1e-4), (0.5, 1e-1), (0.3, 1e-2)]:
        clf = KerasMLPClassifier((16,), dropout=dropout, l2=l2, epochs=3, engine="compiled", random_state=0)
        fits[dropout, l2] = clf.fit(X, y)
    assert len(traces) == 1
    # the strengths are not mixed up between fits: a fresh session computes the same
    monkeypatch.setattr(_engine, "SESSIONS", _engine._SessionCache(_engine._MAX_SESSIONS))
    alone = clone(fits[0.5, 1e-1]).fit(X, y)
    np.testing.assert_allclose(alone.history_["loss"], fits[0.5, 1e-1].history_["loss"], rtol=1e-6)
    assert fits[0.5, 1e-1].history_["loss"][0] > fits[0.1, 1e-4].history_["loss"][0]


@pytest.mark.parametrize(
    "optimizer, params",
    [
        ("sgd", {}), ("sgd", {"momentum": 0.9}), ("sgd", {"momentum": 0.9, "nesterov": True}),
        ("rmsprop", {}), ("rmsprop", {"momentum": 0.5, "centered": True}),
        ("adam", {}), ("adam", {"amsgrad": True, "beta_1": 0.8}),
    ],
)  # fmt: skip
@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_skfit_update_rules_compute_what_keras_optimizers_compute(small_digits, monkeypatch, optimizer, params,
                                                                   engine):  # fmt: skip
    from skfit.keras import _mlp_session

    X, y = small_digits
    clf = KerasMLPClassifier((16,), optimizer=optimizer, optimizer_params=params, learning_rate=0.01,
                             epochs=3, l1=1e-4, l2=1e-3, shuffle=False, engine=engine,
                             random_state=0)  # fmt: skip  (NumPy shuffles otherwise than TensorFlow)
    ours = clone(clf).fit(X, y)
    assert ours._optimizer_kind[0] == "skfit"
    monkeypatch.setattr(_mlp_session, "update_rule", lambda config: None)  # Keras's optimizer
    keras_optimizer = clone(clf).set_params(engine="compiled").fit(X, y)
    assert keras_optimizer._optimizer_kind[0] == "keras"
    np.testing.assert_allclose(ours.history_["loss"], keras_optimizer.history_["loss"], rtol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), keras_optimizer.predict_proba(X), atol=1e-4)


def test_a_step_builds_its_shared_update_terms_once_whatever_the_depth(small_digits, monkeypatch):
    # Adam's bias corrections were built once per weight: 4 times the scalar ops a step needs at
    # depth 1, 8 times at depth 3 (with the bias additions' broadcasting gradients, about 4% of an
    # MNIST-sized epoch, measured).
    X, y = small_digits

    def op_counts(depth):
        traces = _count_traces(monkeypatch)
        KerasMLPClassifier((8,) * depth, optimizer="adam", epochs=1, validation_fraction=0.0,
                           engine="compiled", random_state=0).fit(X, y)  # fmt: skip
        library = traces[0].train_function.graph.as_graph_def().library.function
        return Counter(node.op for function in library for node in function.node_def)

    shallow, deep = op_counts(1), op_counts(3)
    assert deep["ResourceApplyAdam"] == 2 * shallow["ResourceApplyAdam"] == 8
    assert deep["Pow"] == shallow["Pow"]
    # Bias gradients in one op each, with no broadcasting arithmetic per layer.
    assert deep["BiasAddGrad"] == 4
    assert deep["BroadcastGradientArgs"] == shallow["BroadcastGradientArgs"]


def test_options_outside_the_update_rules_train_through_keras(small_digits):
    X, y = small_digits
    for optimizer, params in [("adamw", {}), ("rmsprop", {"clipnorm": 1.0}), ("sgd", {"weight_decay": 0.01})]:
        clf = KerasMLPClassifier((8,), optimizer=optimizer, optimizer_params=params, epochs=2,
                                 random_state=0).fit(X, y)  # fmt: skip
        assert clf._optimizer_kind[0] == "keras"
