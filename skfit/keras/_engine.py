"""The fast training path: every epoch and mini-batch inside one graph call.

Keras's ``model.fit`` pays milliseconds of Python and ``tf.data`` overhead per
step, which on the small in-memory tables of scikit-learn users is nearly all
of the time. :func:`train` instead runs the whole training (per-epoch
shuffling, mini-batch updates, validation, early stopping with best-weight
restore) in a single :func:`tf.function` call.

Traced functions are cached by configuration (architecture, optimizer,
objective), so that the clones made by ``cross_val_score`` and
``GridSearchCV`` trace once per configuration rather than once per fit. Each
cached :class:`_Session` owns one Keras model and optimizer whose variables
are re-initialised for every fit; the fitted weights are copied out, so no
estimator ever shares mutable state with another. Reusing these objects is
also what keeps memory flat over hundreds of fits.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ._tf import keras, tf

_MAX_SESSIONS = 16


@dataclass(frozen=True)
class LoopSettings:
    """The per-fit knobs of the training loop (values, not part of the trace)."""

    epochs: int
    batch_size: int
    early_stopping: bool
    patience: int
    shuffle_seed: int


@dataclass
class TrainResult:
    """What a training run leaves: weights, per-epoch history, epoch counts."""

    weights: list
    history: dict
    n_epochs: int
    best_epoch: int


class _Session:
    """One model + optimizer with traced train and predict functions."""

    def __init__(self, build_model, n_features, optimizer_config, objective, has_validation):
        self.model = build_model()
        self._build_model = build_model
        self.n_features = n_features
        self.optimizer = keras.optimizers.get(optimizer_config)
        self.optimizer.build(self.model.trainable_variables)
        self._initial_optimizer_values = [v.numpy() for v in self.optimizer.variables]
        self._best = [tf.Variable(w, trainable=False) for w in self.model.weights]
        self.objective = objective
        self.has_validation = has_validation
        self.lock = threading.Lock()
        self.train_function = self._make_train_function()
        self._predict_function = None

    @property
    def predict_function(self):
        """The traced forward pass ``f(weights, x)``, traced on first use."""
        if self._predict_function is None:
            self._predict_function = self._make_predict_function()
        return self._predict_function

    # -- per-fit state -------------------------------------------------------
    def reset(self, initial_weights, learning_rate, seed):
        """Give the model fresh weights, the optimizer a fresh state."""
        for variable, value in zip(self.model.weights, initial_weights):
            variable.assign(value)
        for variable, value in zip(self.optimizer.variables, self._initial_optimizer_values):
            variable.assign(value)
        self.optimizer.learning_rate = learning_rate
        seed_dropout(self.model, seed)

    # -- traced functions ----------------------------------------------------
    def _specs(self, prefix=""):
        return [
            tf.TensorSpec((None, self.n_features), tf.float32, name=prefix + "x"),
            tf.TensorSpec(
                (None, *self.objective.y_shape), tf.as_dtype(self.objective.y_dtype), name=prefix + "y"
            ),
            tf.TensorSpec((None,), tf.float32, name=prefix + "sample_weight"),
        ]

    def _make_train_function(self):
        signature = [
            *self._specs(),
            *self._specs("val_"),
            tf.TensorSpec((), tf.int32, name="epochs"),
            tf.TensorSpec((), tf.int32, name="batch_size"),
            tf.TensorSpec((), tf.bool, name="early_stopping"),
            tf.TensorSpec((), tf.int32, name="patience"),
            tf.TensorSpec((2,), tf.int32, name="shuffle_seed"),
        ]
        return tf.function(self._train_loop, input_signature=signature, autograph=False)

    def _make_predict_function(self):
        # A float64 twin of the model predicts: float32 kernels round rows
        # differently depending on the batch size, float64 ones far below
        # any tolerance that matters (a row's prediction must not depend on
        # the other rows of the batch). Layers that pin their own dtype (as
        # the clone of a user's model instance does) stay in that dtype.
        model = _float64_twin(self._build_model)
        position = {id(w): i for i, w in enumerate(model.weights)}
        trainable_pos = [position[id(v)] for v in model.trainable_variables]
        non_trainable = [(position.get(id(v)), v) for v in model.non_trainable_variables]
        signature = [
            [tf.TensorSpec(w.shape, w.dtype) for w in model.weights],
            tf.TensorSpec((None, self.n_features), tf.float64, name="x"),
        ]

        def predict(weights, x):
            trainable = [weights[i] for i in trainable_pos]
            others = [v.value if i is None else weights[i] for i, v in non_trainable]
            outputs, _ = model.stateless_call(trainable, others, x, training=False)
            return outputs

        return tf.function(predict, input_signature=signature).get_concrete_function()

    def _losses(self, y, y_pred, sample_weight):
        per_sample = self.objective.loss(y, y_pred)
        n = tf.cast(tf.shape(per_sample)[0], tf.float32)
        data_loss = tf.reduce_sum(per_sample * sample_weight) / tf.maximum(n, 1.0)
        penalties = self.model.losses
        return data_loss + (tf.add_n(penalties) if penalties else 0.0)

    def _metric_sums(self, y, y_pred):
        return {
            name: tf.reduce_sum(tf.cast(fn(y, y_pred), tf.float32))
            for name, fn in self.objective.metrics.items()
        }

    # The loops below are explicit tf.while_loop calls and the function is
    # traced with autograph off: autograph's conversion of this code (and of
    # what it calls) cost about 0.4 s per process, more than a whole fit.

    def _train_epoch(self, x, y, sample_weight, batch_size, seed):
        model, optimizer = self.model, self.optimizer
        n = tf.shape(x)[0]
        order = tf.argsort(tf.random.stateless_uniform([n], seed=seed))
        n_batches = (n + batch_size - 1) // batch_size

        def step(b, loss_sum, metric_sums):
            index = order[b * batch_size : tf.minimum((b + 1) * batch_size, n)]
            xb, yb = tf.gather(x, index), tf.gather(y, index)
            with tf.GradientTape() as tape:
                y_pred = model(xb, training=True)
                loss = self._losses(yb, y_pred, tf.gather(sample_weight, index))
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            batch_sums = self._metric_sums(yb, y_pred)
            return (
                b + 1,
                loss_sum + loss * tf.cast(tf.shape(index)[0], tf.float32),
                tuple(total + batch_sums[k] for total, k in zip(metric_sums, self.objective.metrics)),
            )

        zeros = tuple(tf.constant(0.0) for _ in self.objective.metrics)
        _, loss_sum, metric_sums = tf.while_loop(
            lambda b, *_: b < n_batches, step, (tf.constant(0), tf.constant(0.0), zeros)
        )
        n_float = tf.cast(n, tf.float32)
        return [loss_sum / n_float, *(total / n_float for total in metric_sums)]

    def _evaluate(self, x, y, sample_weight):
        y_pred = self.model(x, training=False)
        n_float = tf.cast(tf.shape(x)[0], tf.float32)
        loss = self._losses(y, y_pred, sample_weight)
        return [loss, *(v / n_float for v in self._metric_sums(y, y_pred).values())]

    def _copy_where(self, condition, sources, targets):
        # Branch-free (tf.where, not tf.cond): a conditional branch costs more
        # to trace than the element-wise select costs to run on small models.
        return [target.assign(tf.where(condition, source, target)) for source, target in zip(sources, targets)]

    def _train_loop(
        self, x, y, sample_weight, x_val, y_val, sw_val,
        epochs, batch_size, early_stopping, patience, shuffle_seed,
    ):  # fmt: skip
        names = ["loss", *self.objective.metrics]
        if self.has_validation:
            names += ["val_" + name for name in names]

        def go_on(epoch, best, best_epoch, wait, records):
            return (epoch < epochs) & ~(early_stopping & (wait >= patience))

        def run_epoch(epoch, best, best_epoch, wait, records):
            seed = tf.stack([shuffle_seed[0], shuffle_seed[1] + epoch])
            values = self._train_epoch(x, y, sample_weight, batch_size, seed)
            if self.has_validation:
                values += self._evaluate(x_val, y_val, sw_val)
            monitored = values[len(values) // 2] if self.has_validation else values[0]
            improved = monitored < best
            self._copy_where(improved, self.model.weights, self._best)
            return (
                epoch + 1,
                tf.where(improved, monitored, best),
                tf.where(improved, epoch + 1, best_epoch),
                tf.where(improved, 0, wait + 1),
                tuple(record.write(epoch, value) for record, value in zip(records, values)),
            )

        records = tuple(tf.TensorArray(tf.float32, size=epochs) for _ in names)
        n_epochs, _, best_epoch, _, records = tf.while_loop(
            go_on,
            run_epoch,
            (tf.constant(0), tf.constant(np.inf), tf.constant(0), tf.constant(0), records),
        )
        self._copy_where(early_stopping & (best_epoch > 0), self._best, self.model.weights)
        history = {name: record.stack()[:n_epochs] for name, record in zip(names, records)}
        return history, n_epochs, best_epoch


def _float64_twin(build_model):
    """``build_model()`` under Keras's float64 dtype policy (thread-local)."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float64")
    try:
        return build_model()
    finally:
        keras.config.set_dtype_policy(previous)


def seed_dropout(model, seed):
    """Reset the random state of the model's seeded layers (dropout) from ``seed``."""
    weight_ids = {id(w) for w in model.weights}
    states = [v for v in model.non_trainable_variables if id(v) not in weight_ids]
    for i, state in enumerate(states):
        state.assign(np.array([seed + i, 0], dtype=state.dtype))


class _SessionCache:
    """A small LRU of :class:`_Session` objects keyed by configuration."""

    def __init__(self, max_size):
        self.max_size = max_size
        self._sessions = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, factory):
        with self._lock:
            if key in self._sessions:
                self._sessions.move_to_end(key)
                return self._sessions[key]
        session = factory()
        with self._lock:
            session = self._sessions.setdefault(key, session)
            self._sessions.move_to_end(key)
            while len(self._sessions) > self.max_size:
                self._sessions.popitem(last=False)
        return session

    def __len__(self):
        return len(self._sessions)


SESSIONS = _SessionCache(_MAX_SESSIONS)


def get_session(model_key, build_model, n_features, optimizer_config, objective, has_validation):
    """Return the cached session for this configuration, creating it if needed.

    Parameters
    ----------
    model_key : hashable
        Identity of the architecture: two models with the same key must have
        the same layers, shapes and weights layout.
    build_model : callable
        Returns a new, built Keras model of that architecture.
    n_features : int
        Width of the model's input.
    optimizer_config : dict
        ``{"class_name": ..., "config": {...}}`` for :func:`keras.optimizers.get`.
    objective : skfit.keras._objectives.Objective
    has_validation : bool
    """
    optimizer_key = _freeze(optimizer_config)
    key = (model_key, optimizer_key, objective.key, bool(has_validation))
    return SESSIONS.get(
        key,
        lambda: _Session(build_model, n_features, optimizer_config, objective, has_validation),
    )


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def train(session, data, settings, initial_weights, learning_rate, seed):
    """Train ``session``'s model on ``data`` and return a :class:`TrainResult`.

    Parameters
    ----------
    session : _Session
    data : tuple
        ``(x, y, sample_weight, x_val, y_val, sw_val)`` as numpy arrays
        (float32 features and weights; validation arrays may be empty).
    settings : LoopSettings
    initial_weights : list of ndarray
        In ``model.weights`` order.
    learning_rate : float
    seed : int
        Seeds the dropout state of the model.
    """
    with session.lock:
        session.reset(initial_weights, learning_rate, seed)
        history, n_epochs, best_epoch = session.train_function(
            *data,
            np.int32(settings.epochs),
            np.int32(settings.batch_size),
            np.bool_(settings.early_stopping),
            np.int32(settings.patience),
            np.array([settings.shuffle_seed, 0], dtype=np.int32),
        )
        weights = [w.numpy() for w in session.model.weights]
    return TrainResult(
        weights=weights,
        history={k: [float(v) for v in values.numpy()] for k, values in history.items()},
        n_epochs=int(n_epochs),
        best_epoch=max(int(best_epoch), 1),  # 1 when no epoch had a finite loss
    )


class CompiledPredictor:
    """Outputs of a cached architecture's traced predict function for given weights.

    Parameters
    ----------
    session_factory : callable
        Returns the :class:`_Session` of the architecture (looked up on the
        first call, so that unpickled estimators find or rebuild it).
    weights : list of ndarray
        In ``model.weights`` order.
    """

    def __init__(self, session_factory, weights):
        self._session_factory = session_factory
        self._weights = weights
        self._function = None
        self._tensors = None

    def __call__(self, x):
        if self._function is None:
            function = self._session_factory().predict_function
            specs = function.structured_input_signature[0][0]
            self._tensors = [tf.cast(w, spec.dtype) for w, spec in zip(self._weights, specs)]
            self._function = function
        x = tf.convert_to_tensor(np.asarray(x, dtype=np.float64))
        return self._function(self._tensors, x).numpy().astype(np.float64)
