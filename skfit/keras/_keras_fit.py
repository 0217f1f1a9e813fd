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

from ._engine import TrainResult, seed_dropout
from ._tf import keras


def fit_with_keras(model, optimizer, objective, data, settings, *, callbacks, verbose, seed):
    """Compile ``model`` and train it with ``model.fit``; return a TrainResult."""
    x, y, sample_weight, x_val, y_val, sw_val = data
    has_validation = len(x_val) > 0
    model.compile(
        optimizer=optimizer,
        loss=objective.loss,
        metrics=[keras.metrics.MeanMetricWrapper(fn, name=k) for k, fn in objective.metrics.items()],
    )
    monitor = "val_loss" if has_validation else "loss"
    all_callbacks = list(callbacks or [])
    if settings.early_stopping:
        all_callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=monitor, patience=settings.patience, restore_best_weights=True
            )
        )
    seed_dropout(model, seed)
    batches = ShuffledBatches(x, y, sample_weight, settings.batch_size, settings.shuffle_seed)
    history = model.fit(
        batches,
        validation_data=(x_val, y_val, sw_val) if has_validation else None,
        validation_batch_size=max(len(x_val), 1),
        epochs=settings.epochs,
        shuffle=False,  # ShuffledBatches reshuffles, seeded; Keras's own shuffle is not
        verbose=verbose,
        callbacks=all_callbacks,
    ).history
    history = {k: [float(v) for v in values] for k, values in history.items()}
    return TrainResult(
        weights=model.get_weights(),
        history=history,
        n_epochs=len(history["loss"]),
        best_epoch=int(np.nanargmin(_nan_to_inf(history[monitor]))) + 1,
    )


class ShuffledBatches(keras.utils.PyDataset):
    """Mini-batches ``(x, y, sample_weight)`` in a new seeded order every epoch."""

    def __init__(self, x, y, sample_weight, batch_size, seed):
        super().__init__()
        self._arrays = (x, y, sample_weight)
        self._batch_size = batch_size
        self._rng = np.random.default_rng(seed)
        self._order = self._rng.permutation(len(x))

    def __len__(self):
        return math.ceil(len(self._order) / self._batch_size)

    def __getitem__(self, index):
        rows = self._order[index * self._batch_size : (index + 1) * self._batch_size]
        return tuple(array[rows] for array in self._arrays)

    def on_epoch_end(self):
        self._order = self._rng.permutation(len(self._order))


def _nan_to_inf(values):
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), np.inf, values)
