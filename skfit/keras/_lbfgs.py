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
from scipy.special import erf, expit, log_softmax, softmax

from ._engine import TrainResult

__all__ = ["train_lbfgs"]

_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805
_SQRT_2PI = math.sqrt(2 * math.pi)

# activation -> (f(z), f'(z) given z and a = f(z))
_ACTIVATIONS = {
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a ** 2),
    "sigmoid": (expit, lambda z, a: a * (1.0 - a)),
    "elu": (lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
            lambda z, a: np.where(z > 0, 1.0, a + 1.0)),
    "selu": (lambda z: _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0))),
             lambda z, a: np.where(z > 0, _SELU_SCALE, a + _SELU_SCALE * _SELU_ALPHA)),
    "softplus": (lambda z: np.logaddexp(0.0, z), lambda z, a: expit(z)),
    "swish": (lambda z: z * expit(z), lambda z, a: expit(z) * (1.0 + z * (1.0 - expit(z)))),
    "gelu": (lambda z: 0.5 * z * (1.0 + erf(z / math.sqrt(2.0))),
             lambda z, a: 0.5 * (1.0 + erf(z / math.sqrt(2.0)))
             + z * np.exp(-0.5 * z ** 2) / _SQRT_2PI),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.2 * z), lambda z, a: np.where(z > 0, 1.0, 0.2)),
}


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


class _Network:
    """The MLP's loss and gradient, in NumPy, over its weights packed in one vector."""

    def __init__(self, architecture, output, shapes):
        self.shapes = shapes
        self.sizes = [int(np.prod(shape)) for shape in shapes]
        self.hidden = _ACTIVATIONS[architecture.activation]
        self.output = output
        self.l1, self.l2 = architecture.l1, architecture.l2

    def pack(self, weights):
        return np.concatenate([np.ravel(w) for w in weights]).astype(np.float64)

    def unpack(self, flat):
        parts = np.split(np.asarray(flat, dtype=np.float64), np.cumsum(self.sizes)[:-1])
        return [part.reshape(shape) for part, shape in zip(parts, self.shapes)]

    def forward(self, weights, x):
        """Pre-activations and activations of every layer (the input first)."""
        activations, pre = [x], []
        kernels, biases = weights[::2], weights[1::2]
        for i, (kernel, bias) in enumerate(zip(kernels, biases)):
            z = np.asarray(activations[-1] @ kernel) + bias
            pre.append(z)
            if i < len(kernels) - 1:
                activations.append(self.hidden[0](z))
        return pre, activations

    def data_loss(self, z, y, weight):
        """Per-row losses and the gradient of their weighted mean w.r.t. the outputs'
        pre-activations ``z``."""
        n = max(len(z), 1)
        if self.output == "softmax":
            log_p = log_softmax(z, axis=1)
            rows = np.arange(len(z))
            losses = -log_p[rows, y]
            gradient = softmax(z, axis=1)
            gradient[rows, y] -= 1.0
        elif self.output == "multilabel":
            losses = (np.logaddexp(0.0, z) - y * z).sum(axis=1)
            gradient = expit(z) - y
        else:  # mse, averaged over the outputs
            difference = z - y
            losses = (difference ** 2).mean(axis=1)
            gradient = 2.0 * difference / z.shape[1]
        return losses, gradient * (weight / n)[:, None]

    def penalty(self, weights):
        kernels = weights[::2]
        return sum(self.l1 * np.abs(k).sum() + self.l2 * (k ** 2).sum() for k in kernels)

    def loss_and_gradient(self, flat, x, y, weight):
        weights = self.unpack(flat)
        pre, activations = self.forward(weights, x)
        losses, delta = self.data_loss(pre[-1], y, weight)
        loss = float((losses * weight).sum() / max(len(losses), 1) + self.penalty(weights))
        self.last = (np.array(flat), loss, pre[-1])  # the recorder reads it again
        gradients = [None] * len(weights)
        for i in range(len(pre) - 1, -1, -1):
            kernel = weights[2 * i]
            gradients[2 * i] = np.asarray(activations[i].T @ delta) + \
                self.l1 * np.sign(kernel) + 2.0 * self.l2 * kernel
            gradients[2 * i + 1] = delta.sum(axis=0)
            if i:
                delta = (delta @ kernel.T) * self.hidden[1](pre[i - 1], activations[i])
        return loss, self.pack(gradients)

    def values(self, flat, x, y, weight, with_penalty):
        """Loss (and the metric) of the weights ``flat`` on rows ``(x, y, weight)``; on
        the training rows, those of the last evaluation when it was at ``flat``."""
        last = getattr(self, "last", None)
        if with_penalty and last is not None and np.array_equal(last[0], flat):
            loss, z = last[1], last[2]
        else:
            weights = self.unpack(flat)
            z = self.forward(weights, x)[0][-1]
            losses, _ = self.data_loss(z, y, weight)
            loss = float((losses * weight).sum() / max(len(losses), 1))
            if with_penalty:
                loss += float(self.penalty(weights))
        if self.output == "softmax":
            return [loss, float(np.mean(np.argmax(z, axis=1) == y))]
        if self.output == "multilabel":
            return [loss, float(np.mean(((z > 0) == (y > 0.5)).all(axis=1)))]
        return [loss]


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
