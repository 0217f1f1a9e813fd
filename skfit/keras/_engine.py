"""The fast training path: every epoch and mini-batch inside one graph call.

Keras's ``model.fit`` pays milliseconds of Python and ``tf.data`` overhead per
step, which on the small in-memory tables of scikit-learn users is nearly all
of the time. :func:`train` instead runs the whole training (per-epoch
shuffling, mini-batch updates, validation, early stopping with best-weight
restore, a stop on a non-finite loss) in a single :func:`tf.function` call.

Traced functions are cached by configuration (architecture, optimizer,
objective, dense or sparse input), so that the clones made by
``cross_val_score`` and ``GridSearchCV`` trace once per configuration rather
than once per fit. Each cached :class:`_Session` owns one Keras model and
optimizer whose variables are set from the fit's :class:`StartState` (fresh
weights, or the weights and optimizer state of a previous fit for a warm
start); the fitted weights are copied out, so no estimator ever shares
mutable state with another. Reusing these objects is also what keeps memory
flat over hundreds of fits.

The data enter the graph once, whole (the validation rows are picked by
index, not copied out): a dense float32 matrix, or the three arrays of a CSR
matrix, from which each mini-batch is gathered as a sparse tensor.
"""

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ._data import as_tensor
from ._objectives import build_optimizer
from ._tf import keras, tf

_MAX_SESSIONS = 16

#: Rows of a sparse X densified at a time (prediction, validation on Keras's path).
SPARSE_BLOCK_ROWS = 4096


#: Learning-rate schedules of the loop (scikit-learn's names), by their code in the graph.
SCHEDULES = {"constant": 0, "invscaling": 1, "adaptive": 2}

#: The adaptive schedule divides the rate by this on a plateau, and stops below the floor.
ADAPTIVE_DIVISOR, ADAPTIVE_FLOOR = 5.0, 1e-6


@dataclass(frozen=True)
class LoopSettings:
    """The per-fit knobs of the training loop (values, not part of the trace).

    ``tol`` is the least decrease of the monitored loss that counts as an
    improvement (for early stopping's patience and the adaptive schedule);
    ``monitor_loss`` makes early stopping watch the training loss even with
    a validation set, and ``restore=False`` keeps the last epoch's weights
    (scikit-learn's convergence rule);
    ``shuffle`` reshuffles the training rows every epoch; ``schedule`` is
    one of :data:`SCHEDULES`: "invscaling" sets the rate after each epoch to
    ``learning_rate / (t + 1) ** power_t`` (``t`` training samples seen so
    far), "adaptive" divides it by 5 whenever the monitored loss has not
    improved for ``patience`` epochs, and ends training once it falls below
    1e-6 (scikit-learn's schedules for its SGD solver).
    """

    epochs: int
    batch_size: int
    early_stopping: bool
    patience: int
    shuffle_seed: int
    tol: float = 0.0
    shuffle: bool = True
    schedule: str = "constant"
    power_t: float = 0.5
    monitor_loss: bool = False
    restore: bool = True


@dataclass
class StartState:
    """Where a training run starts: weights, optimizer state, counters.

    Attributes
    ----------
    weights : list of ndarray
        In ``model.weights`` order.
    learning_rate : float
    seed : int
        Seeds the dropout state of the model.
    optimizer_values : list of ndarray or None
        The optimizer's variables (iteration count, moments) after an
        earlier run, to continue it; None starts a fresh optimizer.
    optimizer_kind : tuple or None
        The kind of session that left ``optimizer_values``, their layout:
        ``("keras", optimizer class, slot shapes)`` for a Keras optimizer,
        ``("skfit", update rule)`` for skfit's MLP loops. A session of
        another kind starts a fresh optimizer.
    epochs_done : int
        Epochs already run (a warm start continues the per-epoch shuffles).
    best : float
        Lowest monitored loss so far (early stopping compares against it).
    best_weights : list of ndarray or None
        The weights of that best epoch, which early stopping restores unless
        a later epoch beats it; None: the starting ``weights``.
    wait : int
        Epochs run since the best one (early stopping's patience counts on
        from it).
    regularization : dict
        Strengths of the network's regularizers that are data of the traced
        loop rather than part of it (skfit's MLP: ``dropout``, ``l1``,
        ``l2``), so that networks differing only in them share one trace.
    """

    weights: list
    learning_rate: float
    seed: int
    optimizer_values: list = None
    optimizer_kind: object = None
    epochs_done: int = 0
    best: float = math.inf
    best_weights: list = None
    wait: int = 0
    regularization: dict = field(default_factory=dict)


@dataclass
class TrainResult:
    """What a training run leaves: weights, per-epoch history, epoch counts.

    ``weights`` are the ones to predict with: with early stopping, those of
    the best epoch (restored); ``last_weights`` those of the last epoch,
    which the optimizer state goes with (a continued run starts from them),
    or None when they are ``weights``. ``wait`` counts the epochs run since
    the best one. ``stop`` says why training ended: ``"epochs"``,
    ``"early_stopping"`` or ``"non_finite"`` (the training loss became NaN
    or infinite).
    """

    weights: list
    history: dict
    n_epochs: int
    best_epoch: int
    best: float = math.inf
    optimizer_values: list = field(default=None, repr=False)
    optimizer_kind: object = None
    stop: str = "epochs"
    last_weights: list = field(default=None, repr=False)
    wait: int = 0


class TrainingLoop:
    """The compiled training loop, for any model a subclass provides.

    A subclass says what the state is (``weights``: the variables early
    stopping saves and restores; ``trainable``: those the gradients update;
    ``optimizer_variables``), how to compute the outputs (``_forward``), the
    penalties (``_penalty``) and an update (``_apply``), and how a fit
    starts (``reset``). This class runs the epochs, batches, validation,
    early stopping and the per-epoch callback, in one traced function.
    """

    def __init__(self, n_features, objective, has_validation, sparse_input, feeds_sparse):
        self.n_features = n_features
        self.objective = objective
        self.has_validation = has_validation
        self.sparse_input = sparse_input
        self.feeds_sparse = feeds_sparse
        self.lock = threading.Lock()
        self.listener = None
        self._listening_train_function = None

    def _trace_train_function(self):
        self._best = self._copies(self.weights)
        self.train_function = self._make_train_function(listening=False)

    @staticmethod
    def _copies(variables):
        return [tf.Variable(v, trainable=False, shape=v.shape) for v in variables]

    @property
    def listening_train_function(self):
        """The train function that reports each epoch to ``self.listener`` as it ends
        (traced on first use: verbose fits and TensorBoard logging)."""
        if self._listening_train_function is None:
            self._listening_train_function = self._make_train_function(listening=True)
        return self._listening_train_function

    def train(self, data, settings, start, listener=None):
        """Run the traced loop (see :func:`train`; the NumPy loop has the same method)."""
        return _train_compiled(self, data, settings, start, listener)

    @property
    def history_names(self):
        """Names of the per-epoch values, in the order the loop records them."""
        names = ["loss", *self.objective.metrics]
        return names + ["val_" + name for name in names] if self.has_validation else names

    # -- what subclasses provide ---------------------------------------------
    def reset(self, start):
        """Set weights, optimizer state, learning rate and dropout seed from ``start``."""
        raise NotImplementedError

    def _forward(self, x, training):
        raise NotImplementedError

    def _penalty(self):
        """The weight penalties added to the training loss (0.0 when none)."""
        raise NotImplementedError

    def _apply(self, gradients):
        raise NotImplementedError

    @property
    def learning_rate_variable(self):
        """The variable holding the step size (the schedules set it each epoch)."""
        raise NotImplementedError

    # -- traced functions ----------------------------------------------------
    def _feature_specs(self):
        if self.sparse_input:
            return [
                tf.TensorSpec((None,), tf.int64, name="indptr"),
                tf.TensorSpec((None,), tf.int32, name="indices"),
                tf.TensorSpec((None,), tf.float32, name="values"),
                tf.TensorSpec((), tf.int64, name="n_features"),
            ]
        return [tf.TensorSpec((None, self.n_features), tf.float32, name="x")]

    def _target_spec(self):
        return tf.TensorSpec((None, *self.objective.y_shape), tf.as_dtype(self.objective.y_dtype),
                             name="y")  # fmt: skip

    def _make_train_function(self, listening):
        signature = [
            self._feature_specs(),
            self._target_spec(),
            tf.TensorSpec((None,), tf.float32, name="sample_weight"),
            tf.TensorSpec((None,), tf.int32, name="train_rows"),
            tf.TensorSpec((None,), tf.int32, name="val_rows"),
            tf.TensorSpec((), tf.int32, name="epochs"),
            tf.TensorSpec((), tf.int32, name="batch_size"),
            tf.TensorSpec((), tf.bool, name="early_stopping"),
            tf.TensorSpec((), tf.int32, name="patience"),
            tf.TensorSpec((2,), tf.int32, name="shuffle_seed"),
            tf.TensorSpec((), tf.int32, name="epochs_done"),
            tf.TensorSpec((), tf.float32, name="best"),
            tf.TensorSpec((), tf.int32, name="wait"),
            tf.TensorSpec((), tf.float32, name="tol"),
            tf.TensorSpec((), tf.bool, name="shuffle"),
            tf.TensorSpec((), tf.int32, name="schedule"),
            tf.TensorSpec((), tf.float32, name="power_t"),
            tf.TensorSpec((), tf.bool, name="monitor_loss"),
        ]
        # Traced here and called as a concrete function: calling the
        # tf.function would count every session's first trace as a retrace of
        # one function (they share ``_train_loop``'s code) and log a warning.
        def loop(*inputs):
            return self._train_loop(*inputs, listening=listening)

        function = tf.function(loop, input_signature=signature, autograph=False)
        return function.get_concrete_function()

    def _rows(self, features, rows):
        """The feature rows ``rows`` as the model's input (sparse or dense)."""
        if not self.sparse_input:
            return tf.gather(features[0], rows)
        batch = sparse_rows(*features, rows)
        return batch if self.feeds_sparse else tf.sparse.to_dense(batch)

    def _data_loss(self, y, y_pred, sample_weight):
        per_sample = self.objective.loss(y, y_pred)
        n = tf.cast(tf.shape(per_sample)[0], tf.float32)
        return tf.reduce_sum(per_sample * sample_weight) / tf.maximum(n, 1.0)

    def _metric_sums(self, y, y_pred):
        return {
            name: tf.reduce_sum(tf.cast(fn(y, y_pred), tf.float32))
            for name, fn in self.objective.metrics.items()
        }

    # The loops below are explicit tf.while_loop calls and the function is
    # traced with autograph off: autograph's conversion of this code (and of
    # what it calls) cost about 0.4 s per process, more than a whole fit.

    def _train_epoch(self, features, y, sample_weight, train_rows, batch_size, seed, shuffle):
        n = tf.shape(train_rows)[0]
        shuffled = tf.argsort(tf.random.stateless_uniform([n], seed=seed))
        order = tf.gather(train_rows, tf.where(shuffle, shuffled, tf.range(n)))
        n_batches = (n + batch_size - 1) // batch_size

        def step(b, loss_sum, metric_sums):
            rows = order[b * batch_size : tf.minimum((b + 1) * batch_size, n)]
            xb, yb = self._rows(features, rows), tf.gather(y, rows)
            with tf.GradientTape() as tape:
                y_pred = self._forward(xb, training=True)
                loss = self._data_loss(yb, y_pred, tf.gather(sample_weight, rows)) + self._penalty()
            self._apply(tape.gradient(loss, self.trainable))
            batch_sums = self._metric_sums(yb, y_pred)
            return (
                b + 1,
                loss_sum + loss * tf.cast(tf.shape(rows)[0], tf.float32),
                tuple(total + batch_sums[k] for total, k in zip(metric_sums, self.objective.metrics)),
            )

        zeros = tuple(tf.constant(0.0) for _ in self.objective.metrics)
        _, loss_sum, metric_sums = tf.while_loop(
            lambda b, *_: b < n_batches, step, (tf.constant(0), tf.constant(0.0), zeros)
        )
        n_float = tf.cast(n, tf.float32)
        return [loss_sum / n_float, *(total / n_float for total in metric_sums)]

    def _evaluate(self, features, y, sample_weight, rows):
        y_true = tf.gather(y, rows)
        y_pred = self._forward(self._rows(features, rows), training=False)
        n_float = tf.cast(tf.shape(rows)[0], tf.float32)
        # The validation loss is the data loss alone: penalties shape training
        # only, and curves of networks with and without them stay comparable.
        loss = self._data_loss(y_true, y_pred, tf.gather(sample_weight, rows))
        return [loss, *(v / n_float for v in self._metric_sums(y_true, y_pred).values())]

    def _copy_where(self, condition, sources, targets):
        # Branch-free (tf.where, not tf.cond): a conditional branch costs more
        # to trace than the element-wise select costs to run on small models.
        return [target.assign(tf.where(condition, source, target)) for source, target in zip(sources, targets)]

    def _report_epoch(self, epoch, *values):
        """Runs on the host when an epoch ends (listening functions only)."""
        if self.listener is not None:
            self.listener(int(epoch), [float(v) for v in values])
        return np.int32(0)

    def _train_loop(
        self, features, y, sample_weight, train_rows, val_rows,
        epochs, batch_size, early_stopping, patience, shuffle_seed, epochs_done, best, wait,
        tol, shuffle, schedule, power_t, monitor_loss, listening,
    ):  # fmt: skip
        names = self.history_names
        rate = self.learning_rate_variable
        initial_rate = tf.convert_to_tensor(rate)
        n_train = tf.cast(tf.shape(train_rows)[0], tf.float32)

        def go_on(epoch, finite, best, best_epoch, wait, records):
            patience_out = early_stopping & (wait >= patience) & (schedule != SCHEDULES["adaptive"])
            too_slow = (schedule == SCHEDULES["adaptive"]) & (wait >= patience) & \
                (rate <= ADAPTIVE_FLOOR)
            return (epoch < epochs) & finite & ~patience_out & ~too_slow

        def next_rate(epoch, now, reduce):
            seen = tf.cast(epochs_done + epoch + 1, tf.float32) * n_train
            scaled = initial_rate / tf.pow(seen + 1.0, power_t)
            reduced = tf.where(reduce, now / ADAPTIVE_DIVISOR, now)
            return tf.where(schedule == SCHEDULES["invscaling"], scaled, reduced)

        def run_epoch(epoch, finite, best, best_epoch, wait, records):
            seed = tf.stack([shuffle_seed[0], shuffle_seed[1] + epochs_done + epoch])
            values = self._train_epoch(features, y, sample_weight, train_rows, batch_size, seed,
                                       shuffle)
            if self.has_validation:
                values += self._evaluate(features, y, sample_weight, val_rows)
            monitored = values[0]
            if self.has_validation:
                monitored = tf.where(monitor_loss, values[0], values[len(values) // 2])
            improved = monitored < best - tol
            self._copy_where(improved, self.weights, self._best)
            waited = tf.where(improved, 0, wait + 1)
            now = tf.convert_to_tensor(rate)
            # scikit-learn's adaptive rule: on a plateau, a fifth of the rate while it is
            # above the floor (and patience counts again); at the floor, training ends
            reduce = (schedule == SCHEDULES["adaptive"]) & (waited >= patience) & \
                (now > ADAPTIVE_FLOOR)
            with tf.control_dependencies([rate.assign(next_rate(epoch, now, reduce))]):
                waited = tf.where(reduce, 0, waited)
            next_epoch = epoch + 1
            if listening:
                reported = tf.numpy_function(
                    self._report_epoch, [epochs_done + next_epoch, *values], tf.int32, stateful=True
                )
                with tf.control_dependencies([reported]):
                    next_epoch = tf.identity(next_epoch)
            return (
                next_epoch,
                tf.math.is_finite(values[0]),
                tf.where(improved, monitored, best),
                tf.where(improved, epoch + 1, best_epoch),
                waited,
                tuple(record.write(epoch, value) for record, value in zip(records, values)),
            )

        records = tuple(tf.TensorArray(tf.float32, size=epochs) for _ in names)
        n_epochs, finite, best, best_epoch, wait, records = tf.while_loop(
            go_on,
            run_epoch,
            (tf.constant(0), tf.constant(True), best, tf.constant(0), wait, records),
        )
        # The weights of the last epoch stay in ``weights``, those of the best
        # in ``_best``: :func:`train` picks the ones to keep.
        history = {name: record.stack()[:n_epochs] for name, record in zip(names, records)}
        return history, n_epochs, best_epoch, best, finite, wait


class KerasModelSession(TrainingLoop):
    """The loop for any Keras model: the model's call, its losses, a Keras optimizer."""

    def __init__(self, build_model, n_features, optimizer_config, objective, has_validation,
                 sparse_input=False, model_accepts_sparse=False):  # fmt: skip
        super().__init__(n_features, objective, has_validation, sparse_input, model_accepts_sparse)
        self.model = build_model()
        self._build_model = build_model
        self.optimizer = build_optimizer(optimizer_config)
        self.optimizer.build(self.model.trainable_variables)
        self.weights = self.model.weights
        self.trainable = self.model.trainable_variables
        self.optimizer_variables = self.optimizer.variables
        self.kind = keras_optimizer_kind(self.optimizer)
        self._initial_optimizer_values = [v.numpy() for v in self.optimizer_variables]
        self._predict_function = None
        self._trace_train_function()

    @property
    def predict_function(self):
        """The traced forward pass ``f(weights, x)``, traced on first use."""
        if self._predict_function is None:
            self._predict_function = self._make_predict_function()
        return self._predict_function

    def reset(self, start):
        for variable, value in zip(self.weights, start.weights):
            variable.assign(value)
        optimizer_values = start.optimizer_values if start.optimizer_kind == self.kind else None
        for variable, value in zip(self.optimizer_variables, optimizer_values or self._initial_optimizer_values):
            variable.assign(value)
        self.optimizer.learning_rate = start.learning_rate
        seed_dropout(self.model, start.seed)

    def _forward(self, x, training):
        return self.model(x, training=training)

    def _penalty(self):
        penalties = self.model.losses
        return tf.add_n(penalties) if penalties else 0.0

    def _apply(self, gradients):
        self.optimizer.apply_gradients(zip(gradients, self.trainable))

    @property
    def learning_rate_variable(self):
        return self.optimizer._learning_rate

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


def sparse_rows(indptr, indices, values, n_features, rows):
    """Rows ``rows`` of the CSR matrix ``(indptr, indices, values)`` as a SparseTensor."""
    rows = tf.cast(rows, tf.int64)
    positions = tf.ragged.range(tf.gather(indptr, rows), tf.gather(indptr, rows + 1))
    flat = positions.flat_values
    columns = tf.cast(tf.gather(indices, flat), tf.int64)
    coordinates = tf.stack([positions.value_rowids(), columns], axis=1)
    shape = tf.stack([tf.size(rows, out_type=tf.int64), n_features])
    return tf.SparseTensor(coordinates, tf.gather(values, flat), shape)


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
    """A small LRU of sessions (:class:`TrainingLoop` objects) keyed by configuration."""

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


def get_session(architecture, optimizer_config, objective, *, has_validation, sparse_input,
                engine="compiled"):
    """Return the cached session for this configuration, creating it if needed.

    Parameters
    ----------
    architecture : object
        What to train; its ``session(optimizer_config, objective,
        has_validation, sparse_input, engine)`` returns ``(key, factory)``: the
        configuration's identity and a function building its session (a key
        of None: a session with nothing worth caching, built anew).
    optimizer_config : dict
        ``{"class_name": ..., "config": {...}}`` for :func:`keras.optimizers.get`.
    objective : skfit.keras._objectives.Objective
    has_validation : bool
    sparse_input : bool
        Whether the features come as a CSR matrix.
    engine : {"compiled", "auto", "numpy"}
        The estimator's ``engine``: which loop trains (the architecture decides).
    """
    key, factory = architecture.session(optimizer_config, objective, bool(has_validation),
                                        bool(sparse_input), engine)  # fmt: skip
    return factory() if key is None else SESSIONS.get(key, factory)


def keras_optimizer_kind(optimizer):
    """The kind of a built Keras optimizer's state: its class and the shapes of its
    variables, so that another optimizer, or the same one with other slots (amsgrad,
    momentum), starts afresh instead of taking values that mean something else."""
    return ("keras", type(optimizer).__name__, tuple(tuple(v.shape) for v in optimizer.variables))


def keras_model_session(architecture, optimizer_config, objective, has_validation, sparse_input):
    """``(key, factory)`` of the :class:`KerasModelSession` training ``architecture``'s model.

    ``architecture`` has ``key`` (two architectures with the same key have the
    same layers, shapes and weights layout), ``build``, ``n_features`` and
    ``accepts_sparse``.
    """
    key = ("keras", architecture.key, freeze(optimizer_config), objective.key, has_validation,
           sparse_input)  # fmt: skip

    def factory():
        return KerasModelSession(
            architecture.build, architecture.n_features, optimizer_config, objective,
            has_validation, sparse_input, architecture.accepts_sparse,
        )  # fmt: skip

    return key, factory


def freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def train(session, data, settings, start, listener=None):
    """Train ``session``'s model on ``data`` from ``start``; return a :class:`TrainResult`.

    Every fit of the compiled and the NumPy loop starts here (``session.train``).

    Parameters
    ----------
    session : TrainingLoop or skfit.keras._numpy_loop.NumpyMLPSession
    data : TrainingData
    settings : LoopSettings
    start : StartState
    listener : callable, default=None
        Called as ``listener(epoch, values)`` when each epoch ends, with the
        1-based epoch number (counting ``start.epochs_done``) and the list
        of that epoch's values in the order of ``session.history_names``.
    """
    return session.train(data, settings, start, listener)


def _train_compiled(session, data, settings, start, listener=None):
    """:func:`train` on the traced loop of ``session`` (a :class:`TrainingLoop`)."""
    features = as_tensor(data.x)
    with session.lock:
        session.reset(start)
        for best_weight, value in zip(session._best, start.best_weights or start.weights):
            best_weight.assign(value)
        session.listener = listener
        function = session.train_function if listener is None else session.listening_train_function
        try:
            outputs = function(
                features,
                data.y,
                data.sample_weight,
                data.train,
                data.val,
                np.int32(settings.epochs),
                np.int32(settings.batch_size),
                np.bool_(settings.early_stopping),
                np.int32(settings.patience),
                np.array([settings.shuffle_seed, 0], dtype=np.int32),
                np.int32(start.epochs_done),
                np.float32(start.best),
                np.int32(start.wait),
                np.float32(settings.tol),
                np.bool_(settings.shuffle),
                np.int32(SCHEDULES[settings.schedule]),
                np.float32(settings.power_t),
                np.bool_(settings.monitor_loss),
            )
        finally:
            session.listener = None
        history, n_epochs, best_epoch, best, finite, wait = outputs
        last_weights = [w.numpy() for w in session.weights]
        restore = restores_best(settings, best, wait)
        weights = [w.numpy() for w in session._best] if restore else last_weights
        optimizer_values = [v.numpy() for v in session.optimizer_variables]
    n_epochs, best_epoch = int(n_epochs), int(best_epoch)
    stop = stop_reason(settings, bool(finite), n_epochs)
    return TrainResult(
        weights=weights,
        history={k: [float(v) for v in values.numpy()] for k, values in history.items()},
        n_epochs=n_epochs,
        best_epoch=best_epoch,
        best=float(best),
        optimizer_values=optimizer_values,
        optimizer_kind=session.kind,
        stop=stop,
        last_weights=last_weights if restore else None,
        wait=int(wait),
    )


def restores_best(settings, best, wait):
    """Whether a run keeps its best epoch's weights rather than its last ones.

    Early stopping restores the best weights seen, which for a warm start
    may be those it started with (best epoch 0); when no epoch ever had a
    finite loss, there is nothing better to restore.
    """
    return settings.early_stopping and settings.restore and math.isfinite(float(best)) and int(wait) > 0


def stop_reason(settings, finite, n_epochs):
    """Why a run of ``n_epochs`` ended: ``"non_finite"``, ``"early_stopping"`` or ``"epochs"``."""
    if not finite:
        return "non_finite"
    return "early_stopping" if n_epochs < settings.epochs else "epochs"


class CompiledPredictor:
    """Outputs of a cached architecture's traced predict function for given weights.

    Parameters
    ----------
    session_factory : callable
        Returns the :class:`KerasModelSession` of the architecture (looked up on the
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
        if hasattr(x, "toarray"):
            blocks = [x[i : i + SPARSE_BLOCK_ROWS].toarray() for i in range(0, x.shape[0], SPARSE_BLOCK_ROWS)]
            return np.concatenate([self._dense(b) for b in blocks]) if blocks else self._dense(x.toarray())
        return self._dense(x)

    def _dense(self, x):
        x = tf.convert_to_tensor(np.asarray(x, dtype=np.float64))
        return self._function(self._tensors, x).numpy().astype(np.float64)
