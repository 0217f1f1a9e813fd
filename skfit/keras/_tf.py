"""Import TensorFlow and Keras quietly, leaving the user's configuration alone.

TensorFlow's C++ runtime writes start-up lines (CPU feature guard, absl and
oneDNN notices) to the process's standard error while it loads. Setting
``TF_CPP_MIN_LOG_LEVEL`` or ``TF_ENABLE_ONEDNN_OPTS`` would hide them, but
those variables change logging, kernels and numerics for the whole process
(oneDNN off halves large float32 matrix products). Instead, the first import
holds file descriptor 2 back while TensorFlow loads and passes on whatever
it wrote that is not one of those known start-up notices. No environment
variable, logger or TensorFlow setting is changed; everything in
:mod:`skfit.keras` imports TensorFlow through here.
"""

import os
import re
import sys
import tempfile
import warnings
from contextlib import contextmanager

# Lines TensorFlow's runtime prints while it loads, which say nothing to a user.
_STARTUP_NOISE = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called"
    r"|cpu_feature_guard\.cc"
    r"|To enable the following instructions:"
    r"|oneDNN custom operations are on"
    r"|TF_ENABLE_ONEDNN_OPTS"
    r"|Unable to register cu(DNN|FFT|BLAS) factory"
    r"|could not find cuda drivers|Could not find cuda drivers"
    r"|computation placer already registered"
    r"|failed call to cuInit"
    r"|Memory patch applied: M_TRIM_THRESHOLD"  # first tf.data generator (model.fit path)
)


@contextmanager
def held_back_stderr():
    """Capture what is written to file descriptor 2, then pass on all but noise.

    Used while TensorFlow loads and around ``model.fit``, whose first
    ``tf.data`` generator logs a line from the C++ runtime.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real stderr: nothing to hold
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            kept = [
                line
                for line in held.read().decode(errors="replace").splitlines(keepends=True)
                if not _STARTUP_NOISE.search(line)
            ]
            if kept:
                os.write(2, "".join(kept).encode())


def _import_tensorflow():
    if "tensorflow" in sys.modules:
        import tensorflow
        import keras

        return tensorflow, keras
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow" and "keras" not in sys.modules:
        raise ImportError(
            "skfit.keras needs the TensorFlow backend of Keras 3; KERAS_BACKEND is "
            f"set to {os.environ['KERAS_BACKEND']!r}. Unset it or set it to 'tensorflow'."
        )
    with held_back_stderr(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import tensorflow
        import keras
    return tensorflow, keras


def _take_the_workers_share():
    """In a process given a share of the cores (``OMP_NUM_THREADS``, as joblib's loky
    workers and dask's nannies set it), size TensorFlow's pools to that share
    rather than to every core. Only when TensorFlow is first imported here and
    its pools are not sized by ``TF_NUM_*_THREADS``; no environment variable
    is changed."""
    from ..utils._parallel import INTER_OP_VARIABLE, INTRA_OP_VARIABLE, _threads_from_environment

    share = _threads_from_environment("OMP_NUM_THREADS")
    if share is None:
        return
    if INTRA_OP_VARIABLE not in os.environ:
        tf.config.threading.set_intra_op_parallelism_threads(share)
    if INTER_OP_VARIABLE not in os.environ:
        tf.config.threading.set_inter_op_parallelism_threads(share)


_FIRST_IMPORT = "tensorflow" not in sys.modules
tf, keras = _import_tensorflow()
if _FIRST_IMPORT:
    _take_the_workers_share()

if keras.backend.backend() != "tensorflow":  # pragma: no cover - environment guard
    raise ImportError(
        "skfit.keras needs the TensorFlow backend of Keras 3; Keras runs on "
        f"{keras.backend.backend()!r}. Unset KERAS_BACKEND or set it to 'tensorflow'."
    )

__all__ = ["tf", "keras", "held_back_stderr"]
