"""The ``model.fit`` path, for what the compiled loop cannot serve (callbacks).

It trains on the same shuffled validation split, with the same weighted loss
and metrics as the compiled loop, and early stopping that restores the best
weights, so both paths learn alike.
"""

import numpy as np

from ._engine import TrainResult, seed_dropout
from ._tf import keras, tf


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
    tf.random.set_seed(settings.shuffle_seed)
    seed_dropout(model, seed)
    history = model.fit(
        x,
        y,
        sample_weight=sample_weight,
        validation_data=(x_val, y_val, sw_val) if has_validation else None,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        shuffle=True,
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


def _nan_to_inf(values):
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), np.inf, values)
