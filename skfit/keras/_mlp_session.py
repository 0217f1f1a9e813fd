"""The training loop of skfit's own MLPs, in plain TensorFlow ops: one trace per depth.

A :class:`~skfit.keras._engine.KerasModelSession` traces a Keras model with
its Keras optimizer, whose variables have the shapes of that one network:
every new width or feature count traces anew (about 0.1-0.2 s), and a grid
over ``hidden_layer_sizes``, or a Pipeline whose selector keeps a different
number of features in each fold, pays it again and again. An
:class:`MLPSession` computes the same network (Dense layers, Keras's
activations, dropout, L1/L2 penalties) and the same updates
(:mod:`skfit.keras._updates`) from variables of unknown shape, so that one
trace serves every width and every feature count of a depth, and its few
ops trace and run faster than Keras's layers and optimizers.
"""

import numpy as np

from ._engine import TrainingLoop
from ._tf import keras, tf
from ._updates import update_rule


class MLPSession(TrainingLoop):
    """Dense layers and update rule over shape-free variables.

    Parameters
    ----------
    architecture : skfit.keras._mlp.MLPArchitecture
        Depth, activations, dropout and penalties (its widths are data).
    rule : skfit.keras._updates._Rule
        The optimizer's update rule.
    objective : skfit.keras._objectives.Objective
    has_validation, sparse_input : bool
    """

    def __init__(self, architecture, rule, objective, has_validation, sparse_input):
        super().__init__(None, objective, has_validation, sparse_input, feeds_sparse=True)
        # the layout of the optimizer state: another rule's (a warm start after the optimizer
        # changed) starts a fresh optimizer rather than taking slots that mean something else
        self.kind = ("skfit", rule.key)
        depth = len(architecture.hidden_layer_sizes) + 1
        self.weights = [_variable(rank, trainable=True) for _ in range(depth) for rank in (2, 1)]
        self.trainable = self.weights
        self.rule = rule
        self.slots = [[_variable(len(w.shape)) for _ in rule.slots] for w in self.weights]
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False)
        self.optimizer_variables = [self.iterations, *(s for slots in self.slots for s in slots)]
        self.learning_rate = tf.Variable(1e-3, dtype=tf.float32, trainable=False)
        self.dropout_seed = tf.Variable(0, dtype=tf.int32, trainable=False)
        self._activation = keras.activations.get(architecture.activation)
        self._output_activation = keras.activations.get(architecture.output_activation)
        # Which regularizers exist is part of the trace; their strengths are data.
        self._regularizers = regularizers_in(architecture)
        self.regularization = {name: tf.Variable(0.0, dtype=tf.float32, trainable=False)
                               for name in self._regularizers}
        self._trace_train_function()

    def _target_spec(self):
        # Any number of outputs: the output layer's width is data too.
        shape = (None, *(None for _ in self.objective.y_shape))
        return tf.TensorSpec(shape, tf.as_dtype(self.objective.y_dtype), name="y")

    def reset(self, start):
        for variable, value in zip(self.weights, start.weights):
            variable.assign(value)
        values = start.optimizer_values if start.optimizer_kind == self.kind else None
        if values is None:  # a fresh optimizer: step 0, every slot at zero
            values = [np.int64(0)] + [np.zeros_like(w) for w in start.weights for _ in self.rule.slots]
        for variable, value in zip(self.optimizer_variables, values):
            variable.assign(value)
        self.learning_rate.assign(start.learning_rate)
        self.dropout_seed.assign(start.seed)
        for name, variable in self.regularization.items():
            variable.assign(start.regularization[name])

    def _forward(self, x, training):
        n_layers = len(self.weights) // 2
        for i in range(n_layers):
            kernel, bias = self.weights[2 * i], self.weights[2 * i + 1]
            product = tf.sparse.sparse_dense_matmul(x, kernel) if isinstance(x, tf.SparseTensor) else tf.matmul(x, kernel)
            if i == n_layers - 1:
                return self._output_activation(tf.nn.bias_add(product, bias))
            x = self._activation(tf.nn.bias_add(product, bias))
            if training and "dropout" in self.regularization:
                seed = tf.stack([self.dropout_seed, tf.cast(self.iterations, tf.int32) * n_layers + i])
                x = tf.nn.experimental.stateless_dropout(x, tf.identity(self.regularization["dropout"]), seed)
        raise AssertionError("an MLP has at least its output layer")  # pragma: no cover

    def _penalty(self):
        l1, l2 = self.regularization.get("l1"), self.regularization.get("l2")
        if l1 is None and l2 is None:
            return 0.0
        penalty = 0.0
        for kernel in self.weights[::2]:
            if l1 is not None:
                penalty += tf.identity(l1) * tf.reduce_sum(tf.abs(kernel))
            if l2 is not None:
                penalty += tf.identity(l2) * tf.reduce_sum(tf.square(kernel))
        return penalty

    @property
    def learning_rate_variable(self):
        return self.learning_rate

    def _apply(self, gradients):
        terms = self.rule.step_terms(tf.identity(self.learning_rate), self.iterations)
        for variable, gradient, slots in zip(self.weights, gradients, self.slots):
            self.rule.update(variable, gradient, slots, terms)
        self.iterations.assign_add(1)


def _variable(rank, trainable=False):
    """A float32 variable whose shape (of ``rank`` dimensions) each fit sets."""
    return tf.Variable(np.zeros((0,) * rank, np.float32), shape=tf.TensorShape([None] * rank),
                       trainable=trainable)  # fmt: skip


def regularizers_in(architecture):
    """The regularizers the network uses (``dropout``, ``l1``, ``l2``), in that order."""
    return tuple(name for name in ("dropout", "l1", "l2") if getattr(architecture, name))


def mlp_session(architecture, optimizer_config, objective, has_validation, sparse_input):
    """``(key, factory)`` of an :class:`MLPSession`, or None when the optimizer needs Keras."""
    rule = update_rule(optimizer_config)
    if rule is None:
        return None
    key = ("mlp", architecture.shape_free_key, rule.key, objective.key, has_validation,
           sparse_input)  # fmt: skip
    return key, lambda: MLPSession(architecture, rule, objective, has_validation, sparse_input)
