"""Running skfit in worker processes: joblib's loky backend and dask.distributed.

Two things go wrong when a grid search or a cross-validation of Keras models
moves into worker processes, and this module holds the remedy for each.

**Oversubscribed cores.** TensorFlow gives every process two thread pools,
both as large as the number of cores by default: the intra-op pool (threads
that split one operation, such as a matrix product) and the inter-op pool
(independent operations run side by side). ``n`` workers on ``n`` cores thus
start ``n`` threads each and fight over the cores. joblib's loky workers and
dask's nannies already limit the OpenMP and BLAS pools of their workers
through ``OMP_NUM_THREADS`` (loky: ``cpu_count() // n_jobs``; dask: 1), but
TensorFlow does not read that variable. Its pools are sized once, when the
process runs its first TensorFlow operation, from ``TF_NUM_INTRAOP_THREADS``
and ``TF_NUM_INTEROP_THREADS``; ``tf.config.threading`` cannot resize them
afterwards. :func:`limit_tensorflow_threads` therefore sets these variables,
and is meant to run when a worker starts, before any task: as a loky
``initializer`` or a dask worker set-up callback.

**Searches that hang on a dead worker.** When a task kills every worker it
runs on (a segmentation fault, the out-of-memory killer) dask gives up on it
after ``distributed.scheduler.allowed-failures`` retries and marks it failed
with ``KilledWorker``; joblib's dask backend (1.6) never passes that failure
on to ``Parallel``, which then waits for ever. :func:`register_dask_backend`
registers a ``"dask"`` backend that does, so that the search raises the
error.
"""

import functools
import os
import sys
import warnings
from concurrent.futures import CancelledError
from numbers import Integral

import joblib

from .fixes import Interval, dask_distributed_backend, validate_params

INTRA_OP_VARIABLE = "TF_NUM_INTRAOP_THREADS"
INTER_OP_VARIABLE = "TF_NUM_INTEROP_THREADS"


@validate_params(
    {
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "inter_op_threads": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def limit_tensorflow_threads(n_threads=None, *, inter_op_threads=None):
    """Cap TensorFlow's thread pools in this process and the processes it starts.

    Sets ``TF_NUM_INTRAOP_THREADS`` and ``TF_NUM_INTEROP_THREADS``, which
    TensorFlow reads when it runs its first operation in a process. Call it
    where a worker starts, before it runs any task, so that each worker
    uses its share of the cores instead of all of them:

    - joblib (loky): ``joblib.parallel_config(backend="loky",
      initializer=limit_tensorflow_threads)``;
    - dask.distributed: ``client.register_worker_callbacks(
      limit_tensorflow_threads)``, which runs it on every current worker
      and on every worker that joins or restarts later.

    Pass fixed sizes with :func:`functools.partial`, e.g.
    ``partial(limit_tensorflow_threads, 2)``.

    In a single process, ``limit_tensorflow_threads(1)`` before the first
    fit makes small and medium networks on the compiled engine train about
    twice as fast on two cores (an epoch of 20000 x 100 rows into 64 units:
    0.020 s instead of 0.045 s, ``benchmarks/bench_threads.py``), since
    splitting their small products across threads costs more than it gains;
    products as large as MNIST's 784 x 512 layer are faster on every core
    (see :ref:`scaling`). skfit's MLPs of at most 50,000 weights train in
    NumPy by default (``engine="auto"``), which these pools do not touch.

    Parameters
    ----------
    n_threads : int >= 1 or None, default=None
        Size of the intra-op pool. None keeps ``TF_NUM_INTRAOP_THREADS``
        when it is set, else takes the share of the cores that the parallel
        runtime gave this process in ``OMP_NUM_THREADS`` (joblib's loky
        workers: ``cpu_count() // n_jobs``; dask workers: 1), else 1.
    inter_op_threads : int >= 1 or None, default=None
        Size of the inter-op pool. None keeps ``TF_NUM_INTEROP_THREADS``
        when it is set, else uses ``n_threads``.

    Returns
    -------
    n_threads : int
        Intra-op pool size now set.
    inter_op_threads : int
        Inter-op pool size now set.

    Warns
    -----
    RuntimeWarning
        When TensorFlow has already run operations in this process with
        other pool sizes: its pools keep their sizes (only processes started
        afterwards get the new ones).

    See Also
    --------
    register_dask_backend : A joblib dask backend that fails on dead workers.

    Examples
    --------
    >>> import os
    >>> from functools import partial
    >>> from joblib import Parallel, delayed, parallel_config
    >>> from skfit.utils._parallel import limit_tensorflow_threads
    >>> one_thread = partial(limit_tensorflow_threads, 1)
    >>> with parallel_config(backend="loky", initializer=one_thread):
    ...     Parallel(n_jobs=2)(delayed(os.getenv)("TF_NUM_INTRAOP_THREADS") for _ in range(2))
    ['1', '1']
    """
    n_threads = (
        n_threads
        or _threads_from_environment(INTRA_OP_VARIABLE)
        or _threads_from_environment("OMP_NUM_THREADS")
        or 1
    )
    inter_op_threads = (
        inter_op_threads or _threads_from_environment(INTER_OP_VARIABLE) or n_threads
    )
    wanted = {INTRA_OP_VARIABLE: str(n_threads), INTER_OP_VARIABLE: str(inter_op_threads)}
    if any(os.environ.get(name) != value for name, value in wanted.items()):
        os.environ.update(wanted)
        if "tensorflow" in sys.modules:
            _configure_imported_tensorflow(n_threads, inter_op_threads)
    return n_threads, inter_op_threads


def _threads_from_environment(name):
    """The thread count in environment variable ``name``, or None when unset or empty.

    OpenMP allows a list of counts per nesting level (``"4,2"``); the first
    is the outer level's.
    """
    value = os.environ.get(name, "").split(",")[0].strip()
    if not value:
        return None
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(
            f"The environment variable {name} must hold a thread count >= 1; "
            f"got {os.environ[name]!r}."
        )
    return count


def _configure_imported_tensorflow(n_threads, inter_op_threads):
    """Pass the sizes to TensorFlow's config, or warn if its pools already exist."""
    threading = sys.modules["tensorflow"].config.threading
    try:
        threading.set_intra_op_parallelism_threads(n_threads)
        threading.set_inter_op_parallelism_threads(inter_op_threads)
    except RuntimeError:
        warnings.warn(
            f"TensorFlow has already run operations in this process (pid {os.getpid()}), "
            "so its thread pools keep their sizes; the limits "
            f"(intra-op {n_threads}, inter-op {inter_op_threads}) apply only to processes "
            "started from now on. Call limit_tensorflow_threads when a worker starts, "
            "before its first task.",
            RuntimeWarning,
            stacklevel=3,
        )


def register_dask_backend():
    """Register a joblib ``"dask"`` backend that raises when dask gives up on a task.

    With joblib's own dask backend (joblib 1.6), a task that dask marks as
    failed (``distributed.KilledWorker``, once it has killed
    ``distributed.scheduler.allowed-failures + 1`` workers) is never
    reported to ``joblib.Parallel``, and ``GridSearchCV.fit`` waits for
    ever. After this call, ``joblib.parallel_config(backend="dask")`` uses
    a subclass of joblib's backend that hands such failures to
    ``Parallel``, which cancels the remaining tasks and raises the error.
    A task cancelled because its inputs were lost with a dead worker raises
    a RuntimeError that says so, instead of a bare "cancelled for reason:
    already forgotten". Everything else (scheduling, ``scatter``, results)
    is joblib's. Calling it again has no further effect; it needs
    ``dask[distributed]`` (``pip install skfit[dask]``).

    A worker that dies once is recovered from by dask itself: the task is
    rerun on another worker, provided its inputs survive. joblib scatters
    each large argument to a single worker; ``parallel_config(backend="dask",
    scatter=[X, y])`` copies the data to every worker instead.

    See Also
    --------
    limit_tensorflow_threads : Give each worker its share of the cores.

    Examples
    --------
    >>> import joblib
    >>> from skfit.utils._parallel import register_dask_backend
    >>> register_dask_backend()
    >>> with joblib.parallel_config(backend="dask"):  # doctest: +SKIP
    ...     search.fit(X, y)
    """
    joblib.register_parallel_backend("dask", _fail_fast_dask_backend())


@functools.cache
def _fail_fast_dask_backend():
    """joblib's dask backend, reporting failed tasks to ``Parallel`` (defined lazily:
    importing joblib's backend imports dask.distributed)."""

    class FailFastDaskBackend(dask_distributed_backend()):
        def submit(self, func, callback=None):
            callback = functools.partial(_explain_cancellation, callback)
            future = super().submit(func, callback)
            future.add_done_callback(functools.partial(_report_failure, callback))
            return future

    return FailFastDaskBackend


def _report_failure(callback, future):
    """Hand a failed task's exception to joblib's completion callback.

    joblib's callback raises an exception it is given and records it as the
    task's outcome, which makes ``Parallel`` abort and raise it.
    """
    if future.exception() is not None:
        callback(future.exception())


def _explain_cancellation(callback, result):
    """Pass ``result`` to joblib's callback, a cancelled task's as a RuntimeError that
    names the likely cause."""
    if isinstance(result, CancelledError):
        error = RuntimeError(
            f"dask cancelled a task of this joblib call ({result}): the data it needed "
            "was lost with a worker that died, or the task was cancelled by hand. joblib "
            "scatters each large argument to a single worker; "
            "parallel_config(backend='dask', scatter=[X, y]) keeps a copy on every worker."
        )
        error.__cause__ = result
        result = error
    callback(result)
