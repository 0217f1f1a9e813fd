"""Keras estimators that are true scikit-learn citizens (imports TensorFlow quietly)."""

from . import _tf  # noqa: F401  (silences TensorFlow before anything imports it)
from ._mlp import KerasMLPClassifier, KerasMLPRegressor, build_mlp

__all__ = ["KerasMLPClassifier", "KerasMLPRegressor", "build_mlp"]
