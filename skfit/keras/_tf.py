"""Import TensorFlow and Keras quietly.

TensorFlow prints oneDNN and absl lines at import unless its environment
variables are set *before* the first import, and warns about retracing while
it runs. Everything in :mod:`skfit.keras` imports TensorFlow through here.
"""

import logging
import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import tensorflow as tf  # noqa: E402
    import keras  # noqa: E402

tf.get_logger().setLevel(logging.ERROR)
tf.autograph.set_verbosity(0)
logging.getLogger("absl").setLevel(logging.ERROR)

if keras.backend.backend() != "tensorflow":  # pragma: no cover - environment guard
    raise ImportError(
        "skfit.keras needs the TensorFlow backend of Keras 3; KERAS_BACKEND is "
        f"set to {keras.backend.backend()!r}. Unset it or set it to 'tensorflow'."
    )

__all__ = ["tf", "keras"]
