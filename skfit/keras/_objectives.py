"""Losses, metrics and optimizer configurations of skfit's Keras estimators.

Loss and metric functions return one value per sample; the training loops
weight and reduce them. They are module-level functions so that a fitted
estimator that refers to them pickles.
"""

import copy
import json
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ._tf import keras, tf


@dataclass(frozen=True)
class Objective:
    """What is minimised and monitored, and the encoded target's layout.

    Attributes
    ----------
    key : tuple
        Hashable identity of the objective, part of the trace-cache key.
    loss : callable
        ``loss(y_true, y_pred) -> per-sample loss`` (a 1-d tensor).
    metrics : dict
        Metric name -> ``fn(y_true, y_pred) -> per-sample value``.
    y_dtype : str
        Dtype of the encoded target.
    y_shape : tuple
        Shape of one encoded target row (``()`` for class indices).
    """

    key: tuple
    loss: object
    metrics: dict
    y_dtype: str
    y_shape: tuple

    def with_loss(self, loss):
        """The same objective minimising a user-given Keras loss instead."""
        if loss is None:
            return self
        loss_object = keras.losses.get(loss)
        per_sample = getattr(loss_object, "call", loss_object)
        return replace(self, key=(*self.key, "loss", _loss_identity(loss)), loss=per_sample)

    def check_loss(self, y_sample, n_units):
        """Run a user-given loss once, eagerly: a clear error rather than a traceback."""
        if "loss" not in self.key:
            return
        y_pred = np.full((len(y_sample), n_units), 1.0 / n_units, dtype=np.float32)
        try:
            value = self.loss(tf.constant(y_sample), tf.constant(y_pred))
        except Exception as exc:  # noqa: BLE001  (any failure of user code)
            raise ValueError(
                f"loss={self.key[-1]!r} cannot score this estimator's targets, which are "
                f"{_TARGET_ENCODING[self.key[0]]}: {type(exc).__name__}: {exc}"
            ) from None
        if tuple(value.shape) != (len(y_sample),):
            raise ValueError(
                f"loss={self.key[-1]!r} must return one value per sample (shape "
                f"({len(y_sample)},)); it returned shape {tuple(value.shape)}."
            )


_TARGET_ENCODING = {
    "softmax": "integer class indices (sparse labels) against one softmax unit per class",
    "sigmoid": "a 0/1 column against one sigmoid unit",
    "multilabel": "a 0/1 indicator matrix against one sigmoid unit per label",
    "mse": "float columns, one per output unit",
}


def _loss_identity(loss):
    """A hashable identity that survives ``clone`` (which deep-copies loss objects)."""
    if isinstance(loss, keras.losses.Loss):
        return json.dumps(keras.losses.serialize(loss), sort_keys=True, default=str)
    return loss


def sparse_crossentropy(y_true, y_pred):
    return keras.losses.sparse_categorical_crossentropy(y_true, y_pred)


def sparse_accuracy(y_true, y_pred):
    predicted = tf.argmax(y_pred, axis=-1, output_type=tf.int32)
    return tf.cast(tf.equal(predicted, y_true), tf.float32)


def binary_crossentropy(y_true, y_pred):
    return keras.losses.binary_crossentropy(y_true, y_pred)


def binary_accuracy(y_true, y_pred):
    predicted = tf.cast(y_pred > 0.5, tf.float32)
    return tf.reduce_mean(tf.cast(tf.equal(predicted, y_true), tf.float32), axis=-1)


def multilabel_crossentropy(y_true, y_pred):
    """Binary cross-entropy summed over the labels: the negative log-likelihood of
    the row's labels (as scikit-learn's MLPClassifier; Keras averages instead)."""
    n_labels = tf.cast(tf.shape(y_true)[-1], y_pred.dtype)
    return keras.losses.binary_crossentropy(y_true, y_pred) * n_labels


def subset_accuracy(y_true, y_pred):
    """1 where every label of the row is predicted right (sklearn's multilabel accuracy)."""
    predicted = tf.cast(y_pred > 0.5, tf.float32)
    return tf.cast(tf.reduce_all(tf.equal(predicted, y_true), axis=-1), tf.float32)


def squared_error(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


def softmax_objective():
    """Class indices against a softmax output with one unit per class."""
    return Objective(
        key=("softmax",),
        loss=sparse_crossentropy,
        metrics={"accuracy": sparse_accuracy},
        y_dtype="int32",
        y_shape=(),
    )


def sigmoid_objective():
    """A 0/1 column against a single sigmoid unit (binary classification)."""
    return Objective(
        key=("sigmoid",),
        loss=binary_crossentropy,
        metrics={"accuracy": binary_accuracy},
        y_dtype="float32",
        y_shape=(1,),
    )


def multilabel_objective(n_labels):
    """A 0/1 indicator matrix against one sigmoid unit per label."""
    return Objective(
        key=("multilabel",),
        loss=multilabel_crossentropy,
        metrics={"accuracy": subset_accuracy},
        y_dtype="float32",
        y_shape=(n_labels,),
    )


def regression_objective(n_outputs):
    """Mean squared error over ``n_outputs`` linear outputs."""
    return Objective(
        key=("mse",), loss=squared_error, metrics={}, y_dtype="float32", y_shape=(n_outputs,)
    )


OPTIMIZERS = frozenset(
    {"adadelta", "adafactor", "adagrad", "adam", "adamax", "adamw", "ftrl", "lion",
     "nadam", "rmsprop", "sgd"}
)  # fmt: skip


def optimizer_config(optimizer, params=None):
    """Serialized optimizer config with ``params`` applied, learning rate left to each fit.

    Parameters
    ----------
    optimizer : str or keras.optimizers.Optimizer
    params : dict or None
        Keyword arguments of the optimizer (``optimizer__<name>``), checked
        by :func:`skfit.keras._routing.check_optimizer_params`.
    """
    if isinstance(optimizer, str):
        config = copy.deepcopy(_named_optimizer_config(optimizer))
    else:
        config = _without_learning_rate(keras.optimizers.serialize(optimizer))
    config["config"].update(params or {})
    return config


def build_optimizer(config, params=None):
    """A new optimizer from ``config``; a ValueError naming ``params`` if it is refused."""
    try:
        return keras.optimizers.get(copy.deepcopy(config))
    except Exception as exc:  # noqa: BLE001  (Keras raises several types)
        raise ValueError(
            f"The {config['class_name']} optimizer refused its parameters "
            f"(optimizer_params={params!r}): {type(exc).__name__}: {exc}"
        ) from None


def optimizer_keywords(optimizer):
    """Names the optimizer's constructor takes, besides ``name`` and ``learning_rate``."""
    if isinstance(optimizer, str):
        config = _named_optimizer_config(optimizer)["config"]
    else:
        config = optimizer.get_config()
    return sorted(k for k in config if k not in ("name", "learning_rate"))


@lru_cache(maxsize=None)
def _named_optimizer_config(name):
    return _without_learning_rate(keras.optimizers.serialize(keras.optimizers.get(name)))


def _without_learning_rate(config):
    inner = dict(config["config"], learning_rate=0.001)
    return {**config, "config": inner}
