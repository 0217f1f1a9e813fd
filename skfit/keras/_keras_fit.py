"""The ``model.fit`` path, for what the compiled loop cannot serve (callbacks).

It trains on the same shuffled validation split, with the same weighted loss
and metrics as the compiled loop, and early stopping that restores the best
weights, so both paths learn alike.

Batches come from :class:`ShuffledBatches`, reshuffled every epoch from the
fit's seed. Seeding TensorFlow's global generator and letting ``model.fit``
shuffle does not work: Keras rebuilds its ``tf.data`` pipeline each epoch, so
a seeded shuffle replays the same order every epoch, and the epoch-end
weights then move in a smooth cycle that hides the real noise of SGD.
"""

import math

import numpy as np
import scipy.sparse as sp

from ._engine import (
    ADAPTIVE_DIVISOR,
    ADAPTIVE_FLOOR,
    SPARSE_BLOCK_ROWS,
    TrainResult,
    keras_optimizer_kind,
    seed_dropout,
)
from ._tf import held_back_stderr, keras


def fit_with_keras(model, optimizer, objective, data, settings, start, *, callbacks, verbose,
                   listener=None):  # fmt: skip
    """Compile ``model`` and train it with ``model.fit`` from ``start``; return a TrainResult.

    ``listener(epoch, values)`` hears each epoch's logs as it ends (values in
    the order ``loss``, metrics, then their ``val_`` twins)."""
    model.set_weights(start.weights)
    optimizer.learning_rate = start.learning_rate
    model.compile(
        optimizer=optimizer,
        loss=objective.loss,
        metrics=[keras.metrics.MeanMetricWrapper(fn, name=k) for k, fn in objective.metrics.items()],
    )
    optimizer.build(model.trainable_variables)
    kind = keras_optimizer_kind(optimizer)
    if start.optimizer_values is not None and start.optimizer_kind == kind:
        for variable, value in zip(optimizer.variables, start.optimizer_values):
            variable.assign(value)
    monitor = "val_loss" if data.has_validation and not settings.monitor_loss else "loss"
    all_callbacks = [*(callbacks or []), keras.callbacks.TerminateOnNaN()]
    if listener is not None:
        all_callbacks.append(_EpochListener(listener, start.epochs_done, objective))
    if settings.schedule != "constant":
        all_callbacks.append(_Schedule(settings, monitor, start, len(data.train)))
    if settings.early_stopping and settings.schedule != "adaptive":
        all_callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=monitor, patience=settings.patience,
                restore_best_weights=settings.restore, min_delta=settings.tol,
            )
        )
    seed_dropout(model, start.seed)
    seed = [settings.shuffle_seed, start.epochs_done] if settings.shuffle else None
    batches = ShuffledBatches(*data.part(data.train), settings.batch_size, seed)
    validation = None
    if data.has_validation:
        block = min(len(data.val), SPARSE_BLOCK_ROWS) if data.is_sparse else len(data.val)
        validation = ShuffledBatches(*data.part(data.val), block, None)
    with held_back_stderr():
        history = model.fit(
            batches,
            validation_data=validation,
            epochs=settings.epochs,
            shuffle=False,  # ShuffledBatches reshuffles, seeded; Keras's own shuffle is not
            verbose=verbose,
            callbacks=all_callbacks,
        ).history
    history = {k: [float(v) for v in values] for k, values in history.items()}
    losses = np.asarray(history["loss"], dtype=float)
    monitored = _nan_to_inf(history[monitor])
    if not np.isfinite(losses[-1]):
        stop = "non_finite"
    elif len(losses) < settings.epochs:
        stop = "early_stopping"
    else:
        stop = "epochs"
    return TrainResult(
        weights=model.get_weights(),
        history=history,
        n_epochs=len(losses),
        best_epoch=int(np.argmin(monitored)) + 1,
        best=float(min(monitored.min(), start.best)),
        optimizer_values=[v.numpy() for v in optimizer.variables],
        optimizer_kind=kind,
        stop=stop,
    )


class _Schedule(keras.callbacks.Callback):
    """The compiled loop's learning-rate schedules, for ``model.fit``: "invscaling" sets the
    rate to ``learning_rate / (t + 1) ** power_t`` after each epoch (``t`` samples seen);
    "adaptive" divides it by 5 after ``patience`` epochs without an improvement of more
    than ``tol``, and stops training once it is below 1e-6."""

    def __init__(self, settings, monitor, start, n_train):
        super().__init__()
        self.settings, self.monitor = settings, monitor
        self.initial, self.epochs_done, self.n_train = start.learning_rate, start.epochs_done, n_train
        self.best, self.wait = start.best, start.wait

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if self.settings.schedule == "invscaling":
            seen = (self.epochs_done + epoch + 1) * self.n_train
            optimizer.learning_rate = self.initial / (seen + 1.0) ** self.settings.power_t
            return
        value = float((logs or {}).get(self.monitor, math.inf))
        if value < self.best - self.settings.tol:
            self.best, self.wait = value, 0
            return
        self.wait += 1
        if self.wait < self.settings.patience:
            return
        rate = float(optimizer.learning_rate)
        if rate > ADAPTIVE_FLOOR:
            optimizer.learning_rate = rate / ADAPTIVE_DIVISOR
            self.wait = 0
        else:
            self.model.stop_training = True


class _EpochListener(keras.callbacks.Callback):
    """Passes each epoch's logs to a skfit epoch listener."""

    def __init__(self, listener, epochs_done, objective):
        super().__init__()
        self._listener, self._epochs_done = listener, epochs_done
        self._names = ["loss", *objective.metrics]

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        names = self._names + [f"val_{n}" for n in self._names if f"val_{n}" in logs]
        self._listener(self._epochs_done + epoch + 1, [float(logs[n]) for n in names])


class ShuffledBatches(keras.utils.PyDataset):
    """Mini-batches ``(x, y, sample_weight)`` in a new seeded order every epoch.

    ``seed=None`` keeps the rows in order (validation data). Rows of a sparse
    ``x`` are densified a batch at a time.
    """

    def __init__(self, x, y, sample_weight, batch_size, seed):
        super().__init__()
        self._arrays = (x, y, sample_weight)
        self._batch_size = batch_size
        self._rng = None if seed is None else np.random.default_rng(seed)
        self._order = np.arange(len(y)) if seed is None else self._rng.permutation(len(y))

    def __len__(self):
        return math.ceil(len(self._order) / self._batch_size)

    def __getitem__(self, index):
        rows = self._order[index * self._batch_size : (index + 1) * self._batch_size]
        x, y, sample_weight = (array[rows] for array in self._arrays)
        return (x.toarray() if sp.issparse(x) else x), y, sample_weight

    def on_epoch_end(self):
        if self._rng is not None:
            self._order = self._rng.permutation(len(self._order))


def _nan_to_inf(values):
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), np.inf, values)
