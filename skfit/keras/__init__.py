"""Keras estimators that are true scikit-learn citizens (imports TensorFlow quietly)."""

from . import _tf  # noqa: F401  (silences TensorFlow before anything imports it)
from ._mlp import KerasMLPClassifier, KerasMLPRegressor, build_mlp
from ._wrappers import KerasClassifier, KerasRegressor

__all__ = [
    "KerasClassifier",
    "KerasMLPClassifier",
    "KerasMLPRegressor",
    "KerasRegressor",
    "build_mlp",
]
