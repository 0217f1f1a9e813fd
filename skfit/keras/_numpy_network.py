"""skfit's MLP in NumPy: forward pass, per-row losses, gradients.

The same network the compiled TensorFlow loop trains (Dense layers, Keras's
activations, dropout after each hidden layer, softmax, sigmoid or linear
outputs, L1/L2 penalties on the kernels), computed in the dtype of its
weights. Two trainers use it: full-batch L-BFGS (:mod:`skfit.keras._lbfgs`,
float64) and the mini-batch loop for small networks
(:mod:`skfit.keras._numpy_loop`, float32), where a call of NumPy's products
costs far less than a call into TensorFlow.
"""

import math

import numpy as np
import scipy.sparse as sp
from scipy.special import erf, expit

_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805
_SQRT_2PI = math.sqrt(2 * math.pi)

#: activation -> (f(z), f'(z) given z and a = f(z)); Keras's definitions (exact gelu,
#: leaky_relu slope 0.2).
ACTIVATIONS = {
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a**2),
    "sigmoid": (expit, lambda z, a: a * (1.0 - a)),
    "elu": (lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
            lambda z, a: np.where(z > 0, 1.0, a + 1.0).astype(z.dtype)),
    "selu": (lambda z: _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0))),
             lambda z, a: np.where(z > 0, _SELU_SCALE, a + _SELU_SCALE * _SELU_ALPHA).astype(z.dtype)),
    "softplus": (lambda z: np.logaddexp(0.0, z), lambda z, a: expit(z)),
    "swish": (lambda z: z * expit(z), lambda z, a: expit(z) * (1.0 + z * (1.0 - expit(z)))),
    "gelu": (lambda z: 0.5 * z * (1.0 + erf(z / math.sqrt(2.0))),
             lambda z, a: 0.5 * (1.0 + erf(z / math.sqrt(2.0))) + z * np.exp(-0.5 * z**2) / _SQRT_2PI),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.2 * z),
                   lambda z, a: np.where(z > 0, 1.0, 0.2).astype(z.dtype)),
}  # fmt: skip


def _softmax_in_place(z):
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


#: activation -> f(z) for prediction, in the input's float dtype; given a layer's fresh
#: product, it may overwrite it (as scikit-learn's MLP does: no second array of the
#: layer's size per call). Training keeps the pre-activations, so it uses ACTIVATIONS.
PREDICT_ACTIVATIONS = {
    **{name: forward for name, (forward, _) in ACTIVATIONS.items()},
    "relu": lambda z: np.maximum(z, 0, out=z),
    "sigmoid": lambda z: expit(z, out=z),
    "tanh": lambda z: np.tanh(z, out=z),
    "softmax": _softmax_in_place,
}


class Pass:
    """What a forward pass leaves for the backward one.

    ``pre``: every layer's pre-activations; ``inputs``: every layer's input
    (``x`` first, then the hidden layers' outputs after dropout);
    ``activated``: the hidden layers' outputs before dropout; ``masks``: the
    dropout masks, already scaled by ``1 / (1 - rate)`` (empty without
    dropout).
    """

    __slots__ = ("pre", "inputs", "activated", "masks")

    def __init__(self):
        self.pre, self.inputs, self.activated, self.masks = [], [], [], []


class NumpyNetwork:
    """The MLP's forward pass, data loss and gradients for weights in Keras's order.

    Parameters
    ----------
    activation : str
        The hidden layers' activation, a key of :data:`ACTIVATIONS`.
    output : str
        The output and its loss (an objective's first key; skfit's MLPs have
        these three): ``"softmax"`` (sparse cross-entropy of class indices),
        ``"multilabel"`` (binary cross-entropy of 0/1 columns, summed over
        them) or ``"mse"`` (squared error averaged over the outputs).
    l1, l2 : float
        Penalty strengths on every kernel.
    """

    def __init__(self, activation, output, l1=0.0, l2=0.0):
        self.hidden, self.derivative = ACTIVATIONS[activation]
        self.output = output
        self.l1, self.l2 = l1, l2

    def forward(self, weights, x, dropout=0.0, rng=None):
        """A :class:`Pass` of ``x`` (dropout at rate ``dropout``, masks drawn from ``rng``)."""
        state = Pass()
        state.inputs.append(x)
        kernels, biases = weights[::2], weights[1::2]
        for i, (kernel, bias) in enumerate(zip(kernels, biases)):
            z = np.asarray(state.inputs[-1] @ kernel)  # a new array: += below is safe
            z += bias
            state.pre.append(z)
            if i == len(kernels) - 1:
                break
            a = self.hidden(z)
            state.activated.append(a)
            if dropout:
                mask = (rng.random(a.shape, dtype=np.float32) >= dropout).astype(a.dtype)
                mask *= 1.0 / (1.0 - dropout)
                state.masks.append(mask)
                a = a * mask
            state.inputs.append(a)
        return state

    def data_loss(self, z, y, weight):
        """Per-row losses of outputs ``z`` (pre-activations) and the gradient of their
        ``weight``-ed mean with respect to ``z``."""
        n = max(len(z), 1)
        if self.output == "softmax":
            rows = np.arange(len(z))
            shifted = z - z.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            sums = exp.sum(axis=1)
            losses = np.log(sums) - shifted[rows, y]
            gradient = exp / sums[:, None]
            gradient[rows, y] -= 1.0
        elif self.output == "multilabel":
            losses = (np.logaddexp(0.0, z) - y * z).sum(axis=1)
            gradient = expit(z) - y
        else:  # mse, averaged over the outputs
            difference = z - y
            losses = (difference**2).mean(axis=1)
            gradient = difference * (2.0 / z.shape[1])
        gradient *= (weight / n)[:, None]
        return losses, gradient

    def correct(self, z, y):
        """Per-row accuracy of outputs ``z`` (the objective's metric; None for "mse")."""
        if self.output == "softmax":
            return np.argmax(z, axis=1) == y
        if self.output == "multilabel":
            return ((z > 0) == (y > 0.5)).all(axis=1)
        return None

    def penalty(self, weights):
        kernels = weights[::2]
        return sum(self.l1 * np.abs(k).sum() + self.l2 * (k**2).sum() for k in kernels)

    def gradients(self, weights, state, delta, out=None):
        """Gradients of the loss (data loss, whose gradient at the outputs is ``delta``,
        plus the penalty) for every weight, from the forward pass ``state``; written into
        ``out`` (arrays shaped like ``weights``) when given."""
        out = [np.empty_like(w) for w in weights] if out is None else out
        for i in range(len(state.pre) - 1, -1, -1):
            kernel, inputs, gradient = weights[2 * i], state.inputs[i], out[2 * i]
            if sp.issparse(inputs):
                gradient[...] = inputs.T @ delta
            else:
                np.matmul(inputs.T, delta, out=gradient)
            if self.l1:
                gradient += self.l1 * np.sign(kernel)
            if self.l2:
                gradient += (2.0 * self.l2) * kernel
            np.sum(delta, axis=0, out=out[2 * i + 1])
            if i:
                delta = delta @ kernel.T
                delta *= self.derivative(state.pre[i - 1], state.activated[i - 1])
                if state.masks:
                    delta *= state.masks[i - 1]
        return out
