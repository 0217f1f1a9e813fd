"""The one place for version shims and private imports from dependencies.

Every import of a private scikit-learn, Keras or scikeras name goes through
this module, so that an upstream change is fixed here once.
"""

from sklearn.base import _fit_context  # noqa: F401  (private in sklearn)
from sklearn.utils._param_validation import (  # noqa: F401  (private in sklearn)
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.validation import validate_data  # noqa: F401  (public since 1.6)

__all__ = [
    "_fit_context",
    "HasMethods",
    "Hidden",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "validate_data",
]


# --- compare_to_baseline (skfit.model_selection._baseline) ---
from sklearn.utils._param_validation import validate_params  # noqa: E402,F401  (private)


def scorer_score_func(scorer):
    """Return the metric function behind a scikit-learn scorer, or None.

    Scorers built by ``get_scorer``/``make_scorer`` keep it in the private
    ``_score_func`` attribute; user callables have none.
    """
    return getattr(scorer, "_score_func", None)


def scorer_response_methods(scorer):
    """Return the names of the methods a scikit-learn scorer may call, or ().

    Scorers built by ``get_scorer``/``make_scorer`` keep them in the private
    ``_response_method`` attribute (a name or a tuple of alternatives);
    user callables have none.
    """
    methods = getattr(scorer, "_response_method", None)
    if methods is None:
        return ()
    return (methods,) if isinstance(methods, str) else tuple(methods)


__all__ += ["validate_params", "scorer_score_func", "scorer_response_methods"]

from sklearn.utils.validation import _check_sample_weight  # noqa: E402,F401  (private)

__all__ += ["_check_sample_weight"]

# --- DeduplicatedKFold, train_val_test_split (skfit.model_selection._split) ---
from sklearn.model_selection._split import (  # noqa: E402,F401  (private)
    GroupsConsumerMixin,
    _BaseKFold,
)
from sklearn.utils import _safe_indexing  # noqa: E402,F401  (private)
from sklearn.utils.validation import _num_samples  # noqa: E402,F401  (private)

__all__ += ["GroupsConsumerMixin", "_BaseKFold", "_safe_indexing", "_num_samples"]


def clear_eager_kernel_cache():
    """Drop TensorFlow's cache of eager op kernels (private TF API).

    Building a new Keras model runs eager ops whose kernels TensorFlow caches
    for ever; clearing the cache after each build of a user model keeps memory
    flat over hundreds of fits (benchmarks/bench_memory.py: 0.13 -> 0.03 MB
    per fit). Imported lazily so that this module never loads TensorFlow.
    """
    from tensorflow.python.eager import context

    context.context().clear_kernel_cache()


__all__ += ["clear_eager_kernel_cache"]


def op_determinism_enabled():
    """Whether TensorFlow's global op determinism is on (private TF API).

    skfit never switches it on (scikeras does, and leaves it on, which makes a
    later unseeded fit crash); tests use this to check it stays off.
    """
    from tensorflow.python.framework import config

    return config.is_op_determinism_enabled()


def disable_op_determinism():
    """Switch TensorFlow's global op determinism off (private TF API).

    Used by skfit's test suite to undo what a seeded scikeras fit leaves on.
    """
    from tensorflow.python.framework import config

    config.disable_op_determinism()


__all__ += ["op_determinism_enabled", "disable_op_determinism"]


# --- register_dask_backend (skfit.utils._parallel) ---
def dask_distributed_backend():
    """joblib's dask backend class (private module ``joblib._dask``).

    Imported on call: it imports dask.distributed, an optional dependency.
    """
    from joblib._dask import DaskDistributedBackend

    return DaskDistributedBackend


__all__ += ["dask_distributed_backend"]


def onednn_enabled():
    """Whether this process's TensorFlow runs oneDNN kernels (private TF API)."""
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())


__all__ += ["onednn_enabled"]
