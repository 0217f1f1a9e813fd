"""Import TensorFlow and Keras quietly.

TensorFlow prints oneDNN and absl lines at import unless its environment
variables are set *before* the first import, and warns about retracing while
it runs. Everything in :mod:`skfit.keras` imports TensorFlow through here.
"""

import logging
import os
import sys
import warnings

from ..utils.fixes import onednn_enabled

_TENSORFLOW_ALREADY_IMPORTED = "tensorflow" in sys.modules

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
if not _TENSORFLOW_ALREADY_IMPORTED:
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    if "OMP_NUM_THREADS" in os.environ:
        # A joblib (loky) or dask worker's share of the cores: give TensorFlow
        # the same, not all of them (an explicit TF_NUM_*_THREADS still wins).
        from ..utils._parallel import limit_tensorflow_threads

        limit_tensorflow_threads()

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import tensorflow as tf  # noqa: E402
    import keras  # noqa: E402

if _TENSORFLOW_ALREADY_IMPORTED:
    # Worker processes inherit this environment: make them run the kernels
    # this process runs (oneDNN or not), so that parallel results equal serial.
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if onednn_enabled() else "0"

tf.get_logger().setLevel(logging.ERROR)
tf.autograph.set_verbosity(0)
logging.getLogger("absl").setLevel(logging.ERROR)

if keras.backend.backend() != "tensorflow":  # pragma: no cover - environment guard
    raise ImportError(
        "skfit.keras needs the TensorFlow backend of Keras 3; KERAS_BACKEND is "
        f"set to {keras.backend.backend()!r}. Unset it or set it to 'tensorflow'."
    )

__all__ = ["tf", "keras"]
