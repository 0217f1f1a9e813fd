"""SGD, RMSprop and Adam updates on NumPy arrays, for the NumPy training loop.

The arithmetic of the TensorFlow kernels the compiled loop calls
(:mod:`skfit.keras._updates`: Keras's formulas), applied in place to float32
arrays; each weight keeps the slots :mod:`skfit.keras._updates` names for it,
in the same order, so the optimizer state a fit leaves is the same list in
either loop and a warm start may continue in the other one.
"""

import math

import numpy as np


class NumpyUpdates:
    """The update rule of an :mod:`skfit.keras._updates` rule, on NumPy arrays.

    Parameters
    ----------
    rule : skfit.keras._updates._Rule
        Its class says the optimizer, its ``config`` the hyper-parameters and
        its ``slots`` the state kept per weight.
    """

    def __init__(self, rule):
        self.slots = rule.slots
        # Python floats: a NumPy float64 from a user's grid would make float64 temporaries
        self._config = {k: float(v) if isinstance(v, (int, float, np.floating)) and not isinstance(v, bool)
                        else v for k, v in rule.config.items()}  # fmt: skip
        self._apply = {"_SGD": self._sgd, "_RMSprop": self._rmsprop, "_Adam": self._adam}[type(rule).__name__]

    def apply(self, weights, gradients, slots, learning_rate, step):
        """Update every weight (and its slots) in place; ``step`` counts from 1."""
        self._apply(weights, gradients, slots, learning_rate, step)

    def _sgd(self, weights, gradients, slots, learning_rate, step):
        momentum, nesterov = self._config.get("momentum", 0.0), self._config.get("nesterov", False)
        for weight, gradient, state in zip(weights, gradients, slots):
            if not state:
                weight -= learning_rate * gradient
                continue
            velocity = state[0]  # m = momentum * m - lr * g; w += m (nesterov: momentum * m - lr * g)
            velocity *= momentum
            velocity -= learning_rate * gradient
            weight += momentum * velocity - learning_rate * gradient if nesterov else velocity

    def _rmsprop(self, weights, gradients, slots, learning_rate, step):
        rho = self._config.get("rho", 0.9)
        momentum, epsilon = self._config.get("momentum", 0.0), self._config.get("epsilon", 1e-7)
        for weight, gradient, (velocity, increment, *average) in zip(weights, gradients, slots):
            velocity += (gradient * gradient - velocity) * (1.0 - rho)
            denominator = velocity + epsilon
            if average:  # centered
                average[0] += (gradient - average[0]) * (1.0 - rho)
                denominator -= average[0] * average[0]
            increment *= momentum
            increment += learning_rate * gradient / np.sqrt(denominator)
            weight -= increment

    def _adam(self, weights, gradients, slots, learning_rate, step):
        beta_1, beta_2 = self._config.get("beta_1", 0.9), self._config.get("beta_2", 0.999)
        epsilon = self._config.get("epsilon", 1e-7)
        alpha = learning_rate * math.sqrt(1.0 - beta_2**step) / (1.0 - beta_1**step)
        for weight, gradient, (m, v, *hat) in zip(weights, gradients, slots):
            m += (gradient - m) * (1.0 - beta_1)
            v += (gradient * gradient - v) * (1.0 - beta_2)
            if hat:  # amsgrad: the running maximum of v
                np.maximum(hat[0], v, out=hat[0])
            weight -= alpha * m / (np.sqrt(hat[0] if hat else v) + epsilon)
