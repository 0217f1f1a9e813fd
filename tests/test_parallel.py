"""skfit under joblib's loky processes and on a dask.distributed cluster.

The searches here run in real worker processes (a loky pool of 2, and a
``LocalCluster`` of 2 worker processes started once for the module) and
must give exactly the serial run's results; TensorFlow must size its thread
pools to each worker's share; a worker killed mid-search must fail the
search with a clear error or be recovered from, within a deadline.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline

from skfit import KerasMLPClassifier, MutualInfoSelector
from skfit.model_selection import (
    FitThenRegularizeSearchCV,
    capacity_sweep,
    compare_to_baseline,
)
from skfit.utils._parallel import limit_tensorflow_threads, register_dask_backend
from skfit.utils.fixes import InvalidParameterError

distributed = pytest.importorskip("distributed")

# Some folds of the digits subset hold constant pixels; the selector says so.
pytestmark = pytest.mark.filterwarnings("ignore:Features .* are constant:UserWarning")

linux_only = pytest.mark.skipif(
    sys.platform != "linux", reason="counts threads through /proc/self/task"
)
posix_only = pytest.mark.skipif(
    not hasattr(signal, "SIGALRM"), reason="kills workers with SIGKILL, bounds with SIGALRM"
)
TF_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
GRID = {"select__k": [10, 20], "clf__learning_rate": [1e-3, 1e-2]}
CV = StratifiedKFold(3, shuffle=True, random_state=0)
# Bounds a search in which a worker dies; generous for a loaded machine,
# since a worker restart imports skfit (and TensorFlow) again.
DEADLINE_S = 120


@pytest.fixture(scope="module")
def data():
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16.0, y[:300]
    return X[:, X.std(axis=0) > 0], y


def make_pipeline():
    return Pipeline(
        [
            ("select", MutualInfoSelector(k=20, random_state=0)),
            (
                "clf",
                KerasMLPClassifier(
                    hidden_layer_sizes=(16,), epochs=3, batch_size=32, random_state=0
                ),
            ),
        ]
    )


@pytest.fixture(scope="module")
def serial_search(data):
    return GridSearchCV(make_pipeline(), GRID, cv=CV).fit(*data)


@pytest.fixture(scope="module")
def serial_report(data):
    return compare_to_baseline(make_pipeline(), *data, cv=CV, random_state=0)


def assert_same_search(search, reference):
    assert search.best_params_ == reference.best_params_
    for key, values in reference.cv_results_.items():
        if key.endswith("test_score"):
            np.testing.assert_array_equal(search.cv_results_[key], values, err_msg=key)


def assert_same_report(report, reference):
    np.testing.assert_array_equal(report.model_scores, reference.model_scores)
    assert report.baseline_scores.keys() == reference.baseline_scores.keys()
    for name, scores in reference.baseline_scores.items():
        np.testing.assert_array_equal(report.baseline_scores[name], scores)
    assert report.p_value == reference.p_value


def tensorflow_threads():
    """Run a TensorFlow op here; return this process's pid, thread-count
    environment and number of inter-op pool threads (named ``tf_Compute``)."""
    from skfit.keras._tf import tf

    tf.linalg.matmul(tf.ones((8, 8)), tf.ones((8, 8))).numpy()
    names = [Path(f"/proc/self/task/{tid}/comm").read_text().strip()
             for tid in os.listdir("/proc/self/task")]  # fmt: skip
    env = {name: os.environ.get(name) for name in ("OMP_NUM_THREADS", *TF_VARIABLES)}
    return os.getpid(), env, names.count("tf_Compute")


@contextmanager
def deadline(seconds):
    """Raise TimeoutError in the main thread if the block runs longer than ``seconds``."""

    def expire(signum, frame):
        raise TimeoutError(
            f"still running after {seconds} s: a dead worker must fail the search "
            "or be recovered from, never hang it"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


class KillsItsWorker(ClassifierMixin, BaseEstimator):
    """A majority-class classifier whose fit, with ``kill=True``, SIGKILLs the
    process running it -- never ``spare_pid`` (the test process) and, with a
    ``marker`` path, only until the marker exists (a worker that dies once)."""

    def __init__(self, kill=False, spare_pid=None, marker=None):
        self.kill = kill
        self.spare_pid = spare_pid
        self.marker = marker

    def fit(self, X, y):
        if self.kill and os.getpid() != self.spare_pid:
            if self.marker is None or not os.path.exists(self.marker):
                if self.marker is not None:
                    Path(self.marker).touch()
                os.kill(os.getpid(), signal.SIGKILL)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


# -- limit_tensorflow_threads in this process ----------------------------------
@pytest.fixture
def saved_environment():
    """No thread variables set; the environment is restored afterwards (the helper
    writes to ``os.environ`` directly, which monkeypatch would not undo)."""
    saved = dict(os.environ)
    for name in ("OMP_NUM_THREADS", *TF_VARIABLES):
        os.environ.pop(name, None)
    yield os.environ
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def clean_environment(saved_environment, monkeypatch):
    """A worker before its first task: no thread variables, TensorFlow not imported."""
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    return saved_environment


def test_limit_sets_tensorflow_variables(clean_environment):
    assert limit_tensorflow_threads(3) == (3, 3)
    assert [os.environ[name] for name in TF_VARIABLES] == ["3", "3"]
    assert limit_tensorflow_threads(2, inter_op_threads=1) == (2, 1)
    assert [os.environ[name] for name in TF_VARIABLES] == ["2", "1"]


def test_default_keeps_tensorflow_variables_else_takes_worker_share(clean_environment):
    env = clean_environment
    assert limit_tensorflow_threads() == (1, 1)
    del env["TF_NUM_INTRAOP_THREADS"], env["TF_NUM_INTEROP_THREADS"]
    env["OMP_NUM_THREADS"] = "4,2"  # OpenMP's per-level list
    assert limit_tensorflow_threads() == (4, 4)
    env.update(TF_NUM_INTRAOP_THREADS="2", TF_NUM_INTEROP_THREADS="3")
    assert limit_tensorflow_threads() == (2, 3)
    assert limit_tensorflow_threads(inter_op_threads=1) == (2, 1)


@pytest.mark.parametrize("kwargs", [{"n_threads": 0}, {"n_threads": 1.5}, {"inter_op_threads": -1}])
def test_invalid_thread_counts_raise(clean_environment, kwargs):
    name = next(iter(kwargs))
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        limit_tensorflow_threads(**kwargs)


def test_invalid_environment_raises(clean_environment):
    clean_environment["OMP_NUM_THREADS"] = "many"
    with pytest.raises(ValueError, match="OMP_NUM_THREADS must hold a thread count >= 1; got 'many'"):
        limit_tensorflow_threads()


def test_warns_once_tensorflow_has_run(saved_environment):
    tensorflow_threads()  # initializes TensorFlow in this process
    with pytest.warns(RuntimeWarning, match="keep their sizes"):
        limit_tensorflow_threads(7)


@linux_only
def test_limits_take_effect_in_a_fresh_process():
    """Thread pools of a new interpreter that calls the helper before importing TensorFlow."""
    script = (
        "import os, sys\n"
        "from skfit.utils._parallel import limit_tensorflow_threads\n"
        "limit_tensorflow_threads(int(sys.argv[1]), inter_op_threads=int(sys.argv[2]))\n"
        "from skfit.keras._tf import tf\n"
        "def names():\n"
        "    return [open(f'/proc/self/task/{t}/comm').read().strip()\n"
        "            for t in os.listdir('/proc/self/task')]\n"
        "before = len(names())\n"
        "tf.linalg.matmul(tf.ones((8, 8)), tf.ones((8, 8))).numpy()\n"
        "print(len(names()) - before, names().count('tf_Compute'))\n"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", script, *sizes], text=True, stdout=subprocess.PIPE)
        for sizes in (("1", "1"), ("4", "3"))
    ]
    (new_small, compute_small), (new_large, compute_large) = [
        map(int, run.communicate(timeout=DEADLINE_S)[0].split()) for run in runs
    ]
    assert (compute_small, compute_large) == (1, 3)
    # The larger run adds 3 intra-op and 2 inter-op threads; nothing else differs.
    assert new_large - new_small == (4 - 1) + (3 - 1)


def test_fits_do_not_depend_on_what_ran_before_in_the_process(data):
    """A worker runs tasks in any order; cached TensorFlow state must not leak."""
    X, y = data
    first = KerasMLPClassifier(hidden_layer_sizes=(16,), epochs=3, random_state=0).fit(X, y)
    KerasMLPClassifier(hidden_layer_sizes=(16,), epochs=2, learning_rate=0.1,
                       dropout=0.5, random_state=1).fit(X, y)  # fmt: skip
    KerasMLPClassifier(hidden_layer_sizes=(16,), epochs=2, learning_rate=0.1,
                       random_state=1).fit(X, y)  # fmt: skip
    again = KerasMLPClassifier(hidden_layer_sizes=(16,), epochs=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), first.predict_proba(X))
    assert again.history_ == first.history_


# -- joblib's loky processes -----------------------------------------------------
@contextmanager
def loky_workers():
    with joblib.parallel_config(backend="loky", initializer=limit_tensorflow_threads):
        yield


def test_loky_grid_search_equals_serial(data, serial_search):
    with loky_workers():
        search = GridSearchCV(make_pipeline(), GRID, cv=CV, n_jobs=2).fit(*data)
    assert_same_search(search, serial_search)


def test_loky_compare_to_baseline_equals_serial(data, serial_report):
    with loky_workers():
        report = compare_to_baseline(make_pipeline(), *data, cv=CV, random_state=0, n_jobs=2)
    assert_same_report(report, serial_report)


def test_fitted_estimators_cross_process_boundaries(data):
    X, y = data
    serial = cross_validate(make_pipeline(), X, y, cv=CV, return_estimator=True)
    with loky_workers():
        # fitted in the workers, unpickled here
        parallel = cross_validate(make_pipeline(), X, y, cv=CV, n_jobs=2, return_estimator=True)
        # fitted here, unpickled in the workers
        probas = joblib.Parallel(n_jobs=2)(
            joblib.delayed(estimator.predict_proba)(X) for estimator in serial["estimator"]
        )
    for mine, theirs, proba in zip(serial["estimator"], parallel["estimator"], probas):
        expected = mine.predict_proba(X)
        np.testing.assert_array_equal(theirs.predict_proba(X), expected)
        np.testing.assert_array_equal(proba, expected)
        assert theirs[-1].history_ == mine[-1].history_


@linux_only
def test_loky_workers_with_the_initializer_use_their_share():
    with loky_workers():
        results = joblib.Parallel(n_jobs=2)(joblib.delayed(tensorflow_threads)() for _ in range(4))
    for _, env, n_compute in results:
        share = os.environ.get("TF_NUM_INTRAOP_THREADS", env["OMP_NUM_THREADS"])
        assert env["TF_NUM_INTRAOP_THREADS"] == share
        assert n_compute == int(env["TF_NUM_INTEROP_THREADS"])


@linux_only
@pytest.mark.skipif(
    joblib.cpu_count() < 2 or "TF_NUM_INTEROP_THREADS" in os.environ,
    reason="TensorFlow's pool is already the worker's share",
)
def test_loky_workers_use_their_share_by_default():
    results = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(tensorflow_threads)() for _ in range(4)
    )
    for _, env, n_compute in results:
        assert n_compute <= int(env["OMP_NUM_THREADS"])


def test_workers_compute_like_a_process_that_imported_tensorflow_first():
    """A user's script that imports TensorFlow (or Keras) before skfit, then fits
    in-process and in loky workers (which import skfit first, unpickling it)."""
    script = (
        "import tensorflow\n"
        "import joblib, numpy as np\n"
        "from sklearn.datasets import load_digits\n"
        "from skfit import KerasMLPClassifier\n"
        "X, y = load_digits(return_X_y=True)\n"
        "X, y = X[:300] / 16, y[:300]  # shapes at which oneDNN kernels round differently\n"
        "def proba():\n"
        "    return KerasMLPClassifier((16,), epochs=3, random_state=0).fit(X, y).predict_proba(X)\n"
        "here = proba()\n"
        "there = joblib.Parallel(n_jobs=2)(joblib.delayed(proba)() for _ in range(2))\n"
        "print(max(float(np.abs(here - p).max()) for p in there))\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    run = subprocess.run([sys.executable, "-c", script], env=environment, text=True,
                         capture_output=True, timeout=DEADLINE_S, check=True)  # fmt: skip
    assert float(run.stdout.split()[-1]) == 0.0


# -- dask.distributed --------------------------------------------------------------
@pytest.fixture(scope="module")
def cluster():
    """2 worker processes of 1 thread; a task may kill 2 workers before it fails."""
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    try:
        with distributed.Client(cluster) as client:
            client.register_worker_callbacks(limit_tensorflow_threads)
            register_dask_backend()
            yield client
    finally:
        cluster.close()


def count_running_workers(dask_scheduler):
    return len(dask_scheduler.running)


@pytest.fixture
def client(cluster):
    """The cluster once both workers answer and the scheduler counts both as
    running: after a kill, the scheduler may still list a dead worker while its
    nanny starts a new one, and a worker that answers ``run`` may not be running
    yet -- ``scatter(broadcast=True)`` copies data only to running workers, so a
    search started then keeps its data on one worker (a CI failure: the data was
    lost with the worker the test kills)."""
    give_up = time.monotonic() + DEADLINE_S
    while time.monotonic() < give_up:
        cluster.wait_for_workers(2, timeout=max(1.0, give_up - time.monotonic()))
        pids = cluster.run(os.getpid, on_error="return").values()
        answering = len(pids) == 2 and all(isinstance(pid, int) for pid in pids)
        if answering and cluster.run_on_scheduler(count_running_workers) == 2:
            return cluster
        time.sleep(0.5)
    pytest.fail(f"the dask workers did not come back within {DEADLINE_S} s")


def test_dask_grid_search_equals_serial(client, data, serial_search):
    with joblib.parallel_config(backend="dask"):
        search = GridSearchCV(make_pipeline(), GRID, cv=CV, n_jobs=-1).fit(*data)
    assert_same_search(search, serial_search)


def test_dask_compare_to_baseline_and_sweep_equal_serial(client, data, serial_report):
    X, y = data
    model = KerasMLPClassifier(epochs=3, batch_size=32, random_state=0)
    sweep = partial(capacity_sweep, model, X, y, values=[(4,), (16,)], cv=CV)
    serial_sweep = sweep()
    with joblib.parallel_config(backend="dask"):
        report = compare_to_baseline(make_pipeline(), X, y, cv=CV, random_state=0, n_jobs=-1)
        parallel_sweep = sweep(n_jobs=-1)
    assert_same_report(report, serial_report)
    assert parallel_sweep.histories == serial_sweep.histories
    np.testing.assert_array_equal(parallel_sweep.test_scores, serial_sweep.test_scores)
    assert parallel_sweep.recommended == serial_sweep.recommended


def test_dask_fit_then_regularize_search_equals_serial(client, data):
    """The candidates of each round run on the cluster (their fits travel there and back
    between rounds); the search takes the serial path."""
    model = KerasMLPClassifier((8,), epochs=10, batch_size=32, learning_rate=1e-2,
                               random_state=0)
    search = partial(FitThenRegularizeSearchCV, model, cv=CV, max_fits=19, random_state=0)
    serial = search().fit(*data)
    with joblib.parallel_config(backend="dask"):
        parallel = search(n_jobs=-1).fit(*data)
    assert parallel.best_params_ == serial.best_params_
    np.testing.assert_array_equal(parallel.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    assert [c.move for c in parallel.path_.candidates] == \
        [c.move for c in serial.path_.candidates]


@linux_only
def test_dask_workers_use_one_thread_each(client):
    results = client.run(tensorflow_threads)
    assert len(results) == 2
    for _, env, n_compute in results.values():
        assert env["OMP_NUM_THREADS"] == "1"  # dask's nanny gives each worker 1 thread
        assert env["TF_NUM_INTRAOP_THREADS"] == os.environ.get("TF_NUM_INTRAOP_THREADS", "1")
        assert n_compute == int(env["TF_NUM_INTEROP_THREADS"])


def test_dask_ml_incremental_trains_from_a_chunked_dask_array(client):
    """Data larger than one machine's memory: dask_ml's Incremental feeds each block
    of a dask array to partial_fit, on the cluster's workers."""
    dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")
    import dask.array as da

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_chunks, y_chunks = da.from_array(X[:1500], chunks=300), da.from_array(y[:1500], chunks=300)
    model = dask_ml_wrappers.Incremental(
        KerasMLPClassifier((32,), learning_rate=1e-2, random_state=0), shuffle_blocks=False
    )
    for _ in range(4):  # each fit is one pass over the blocks, continuing the last one
        model.partial_fit(X_chunks, y_chunks, classes=np.arange(10))
    fitted = model.estimator_
    assert fitted.n_epochs_ == 4 * 5  # one epoch per block per pass
    assert fitted.score(X[1500:], y[1500:]) > 0.85
    # the same blocks through partial_fit in this process give the same network
    local = KerasMLPClassifier((32,), learning_rate=1e-2, random_state=0)
    for _ in range(4):
        for start in range(0, 1500, 300):
            local.partial_fit(X[start : start + 300], y[start : start + 300], classes=np.arange(10))
    np.testing.assert_allclose(fitted.predict_proba(X[1500:]), local.predict_proba(X[1500:]), atol=1e-5)


@posix_only
def test_dask_search_fails_when_a_task_kills_every_worker(client, data):
    # Which error comes first depends on where joblib scattered the data:
    # dask's KilledWorker, or the task cancelled as its inputs died too.
    search = GridSearchCV(KillsItsWorker(spare_pid=os.getpid()), {"kill": [False, True]}, cv=2)
    with deadline(DEADLINE_S), joblib.parallel_config(backend="dask"):
        with pytest.raises((distributed.KilledWorker, RuntimeError)) as error:
            search.set_params(n_jobs=-1).fit(*data)
    assert error.match("all those workers died|data it needed was lost with a worker")


@posix_only
def test_dask_search_recovers_from_a_worker_killed_once(client, data, tmp_path):
    X, y = data[0][:120], data[1][:120]
    estimator = KillsItsWorker(spare_pid=os.getpid(), marker=str(tmp_path / "killed"))
    grid, cv = {"kill": [False, True]}, 2
    expected = GridSearchCV(estimator, grid, cv=cv).fit(X, y)
    # scatter copies the data to every worker, so that it outlives one of them
    with deadline(DEADLINE_S), joblib.parallel_config(backend="dask", scatter=[X, y]):
        search = GridSearchCV(estimator, grid, cv=cv, n_jobs=-1).fit(X, y)
    assert (tmp_path / "killed").exists()
    assert_same_search(search, expected)


@posix_only
def test_loky_search_fails_when_a_worker_dies(data):
    # Last: it leaves loky's pool broken (joblib replaces it on next use).
    search = GridSearchCV(KillsItsWorker(spare_pid=os.getpid()), {"kill": [False, True]}, cv=2)
    with deadline(DEADLINE_S), pytest.raises(Exception, match="unexpectedly terminated"):
        search.set_params(n_jobs=2).fit(*data)
