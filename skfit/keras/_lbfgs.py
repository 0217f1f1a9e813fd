"""Full-batch L-BFGS, scikit-learn's ``solver="lbfgs"``, for skfit's MLP.

scikit-learn's MLP minimizes the whole training loss (the data loss of every
training row plus the weight penalty) with SciPy's L-BFGS-B, computing the
loss and its gradient in NumPy; so does :func:`train_lbfgs`, for the same
network skfit's compiled loop trains (Dense layers, Keras's activations,
softmax, sigmoid or linear outputs, L1/L2 on the kernels, sample weights),
in float64. A call of the loss costs what NumPy's products cost: on the
small tables L-BFGS is meant for, far less than a call into TensorFlow.

Each iteration is an "epoch" of the history: the training loss and metrics
of the iteration's weights and, with a validation set, their validation
twins; early stopping, when asked, ends the iterations once the validation
loss has not improved for ``patience`` of them, and keeps the best.
"""

import math

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from ._engine import TrainResult
from ._numpy_network import NumpyNetwork

__all__ = ["train_lbfgs"]


class _Stop(Exception):
    """Early stopping ended the iterations."""


def train_lbfgs(architecture, objective, data, settings, start, max_fun, tol):
    """Train skfit's MLP on ``data`` with SciPy's L-BFGS-B from ``start``.

    Parameters
    ----------
    architecture : MLPArchitecture
        Activations and penalties (no dropout).
    objective : Objective
        Its key says the output and loss: "softmax" (sparse cross-entropy),
        "multilabel" (binary cross-entropy summed over the labels) or "mse".
    data : TrainingData
    settings : LoopSettings
        ``epochs`` is the most iterations; ``early_stopping`` and
        ``patience`` apply to the validation loss.
    start : StartState
    max_fun : int
        Most loss evaluations (scikit-learn's ``max_fun``).
    tol : float
        Projected-gradient tolerance (SciPy's ``gtol``; scikit-learn's ``tol``).

    Returns
    -------
    result : TrainResult
    """
    network = _Network(architecture, objective.key[0], [np.shape(w) for w in start.weights])
    x = data.x.astype(np.float64) if sp.issparse(data.x) else np.asarray(data.x, np.float64)
    train = (x[data.train], data.y[data.train], data.sample_weight[data.train].astype(np.float64))
    val = (x[data.val], data.y[data.val], data.sample_weight[data.val].astype(np.float64))
    names = ["loss", *objective.metrics]
    record = _Recorder(network, train, val if data.has_validation else None, names, settings)
    x0 = network.pack(start.weights)
    try:
        outcome = minimize(lambda flat: network.loss_and_gradient(flat, *train), x0,
                           method="L-BFGS-B", jac=True, callback=record,
                           options={"maxiter": settings.epochs, "maxfun": max_fun, "gtol": tol})
        last, stop = outcome.x, "epochs"
    except _Stop:
        last, stop = record.last, "early_stopping"
    if not record.history["loss"]:  # it converged before a first iteration ended
        record(last)
    keep = record.best_flat if settings.early_stopping and record.best_flat is not None else last
    weights = [w.astype(np.float32) for w in network.unpack(keep)]
    return TrainResult(
        weights=weights,
        history=record.history,
        n_epochs=len(record.history["loss"]),
        best_epoch=record.best_epoch,
        best=record.best,
        stop=stop if np.isfinite(last).all() else "non_finite",
        last_weights=None if keep is last else [w.astype(np.float32)
                                                 for w in network.unpack(last)],
    )


class _Network(NumpyNetwork):
    """The MLP's loss and gradient, in float64, over its weights packed in one vector."""

    def __init__(self, architecture, output, shapes):
        super().__init__(architecture.activation, output, architecture.l1, architecture.l2)
        self.shapes = shapes
        self.sizes = [int(np.prod(shape)) for shape in shapes]

    def pack(self, weights):
        return np.concatenate([np.ravel(w) for w in weights]).astype(np.float64)

    def unpack(self, flat):
        parts = np.split(np.asarray(flat, dtype=np.float64), np.cumsum(self.sizes)[:-1])
        return [part.reshape(shape) for part, shape in zip(parts, self.shapes)]

    def loss_and_gradient(self, flat, x, y, weight):
        weights = self.unpack(flat)
        state = self.forward(weights, x)
        losses, delta = self.data_loss(state.pre[-1], y, weight)
        loss = float((losses * weight).sum() / max(len(losses), 1) + self.penalty(weights))
        self.last = (np.array(flat), loss, state.pre[-1])  # the recorder reads it again
        return loss, self.pack(self.gradients(weights, state, delta))

    def values(self, flat, x, y, weight, with_penalty):
        """Loss (and the metric) of the weights ``flat`` on rows ``(x, y, weight)``; on
        the training rows, those of the last evaluation when it was at ``flat``."""
        last = getattr(self, "last", None)
        if with_penalty and last is not None and np.array_equal(last[0], flat):
            loss, z = last[1], last[2]
        else:
            weights = self.unpack(flat)
            z = self.forward(weights, x).pre[-1]
            losses, _ = self.data_loss(z, y, weight)
            loss = float((losses * weight).sum() / max(len(losses), 1))
            if with_penalty:
                loss += float(self.penalty(weights))
        correct = self.correct(z, y)
        return [loss] if correct is None else [loss, float(np.mean(correct))]


class _Recorder:
    """SciPy's per-iteration callback: the history, the best iteration, early stopping."""

    def __init__(self, network, train, val, names, settings):
        self.network, self.train, self.val, self.settings = network, train, val, settings
        self.history = {name: [] for name in names}
        if val is not None:
            self.history.update({f"val_{name}": [] for name in names})
        self.best, self.best_epoch, self.best_flat, self.last = math.inf, 0, None, None

    def __call__(self, flat):
        flat = np.array(flat, dtype=np.float64)
        values = self.network.values(flat, *self.train, with_penalty=True)
        if self.val is not None:
            values += self.network.values(flat, *self.val, with_penalty=False)
        for name, value in zip(self.history, values):
            self.history[name].append(value)
        monitored = values[len(values) // 2] if self.val is not None else values[0]
        self.last = flat
        epoch = len(self.history["loss"])
        if monitored < self.best:
            self.best, self.best_epoch, self.best_flat = monitored, epoch, flat
        elif self.settings.early_stopping and epoch - self.best_epoch >= self.settings.patience:
            raise _Stop
