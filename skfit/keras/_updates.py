"""Keras's SGD, RMSprop and Adam update rules, on variables of any shape.

:class:`skfit.keras._mlp_session.MLPSession` updates its weights with these
instead of a Keras optimizer: the arithmetic is Keras's own (the formulas of
``keras.optimizers.SGD/RMSprop/Adam``'s ``update_step``; through
TensorFlow's fused ``ResourceApply*`` kernels, one op per weight
instead of ten, which took 10-35% off an MNIST-sized epoch), but each rule
keeps its state in variables of any shape, so one traced training loop
serves networks of every width, and its few ops trace in a fraction of the
time. A configuration these rules do not cover (another optimizer, gradient
clipping, weight decay, EMA, gradient accumulation, loss scaling) makes
:func:`update_rule` return None, and the estimator trains through a Keras
optimizer instead.
"""

from ._tf import tf

# Optimizer options that change apply_gradients beyond update_step, at their
# "off" values: a configuration with any other value is left to Keras.
_OFF = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


def update_rule(optimizer_config):
    """The update rule for a serialized optimizer config, or None when Keras must do it.

    Parameters
    ----------
    optimizer_config : dict
        ``{"class_name": ..., "config": {...}}`` as from
        :func:`keras.optimizers.serialize`.
    """
    name = optimizer_config.get("class_name")
    config = optimizer_config.get("config", {})
    if name not in _RULES or any(config.get(k, off) != off for k, off in _OFF.items()):
        return None
    return _RULES[name](config)


class _Rule:
    """An update rule: slot names per weight, and the update of one weight."""

    slots = ()

    def __init__(self, config):
        self.config = config

    @property
    def key(self):
        """Hashable identity: the hyper-parameters that enter the trace."""
        return (type(self).__name__, *sorted((k, repr(v)) for k, v in self.config.items()))

    def step_terms(self, learning_rate, iterations):
        """The tensors every weight's update in one step shares, built once per step.

        Parameters
        ----------
        learning_rate : tf.Tensor
        iterations : tf.Variable
            The number of steps taken before this one.
        """
        return {"lr": learning_rate}

    def update(self, variable, gradient, slots, terms):
        """Update ``variable`` (and its ``slots``) from ``gradient``, with this step's ``terms``."""
        raise NotImplementedError


class _SGD(_Rule):
    @property
    def slots(self):
        return ("momentum",) if self.config.get("momentum", 0.0) != 0 else ()

    def step_terms(self, learning_rate, iterations):
        terms = super().step_terms(learning_rate, iterations)
        if self.slots:
            terms["momentum"] = tf.constant(self.config["momentum"], tf.float32)
        return terms

    def update(self, variable, gradient, slots, terms):
        """``variable -= learning_rate * gradient``; with momentum (slot ``m``), Keras's::

            m = momentum * m - learning_rate * gradient
            variable += m  (nesterov: += momentum * m - learning_rate * gradient)
        """
        gradient = tf.convert_to_tensor(gradient)
        if not slots:
            tf.raw_ops.ResourceApplyGradientDescent(var=variable.handle, alpha=terms["lr"],
                                                    delta=gradient)
            return
        tf.raw_ops.ResourceApplyKerasMomentum(
            var=variable.handle, accum=slots[0].handle, lr=terms["lr"], grad=gradient,
            momentum=terms["momentum"], use_nesterov=bool(self.config.get("nesterov", False)))


class _RMSprop(_Rule):
    @property
    def slots(self):
        # TensorFlow's fused kernels keep a momentum slot even at momentum 0 (it then
        # holds the last increment).
        centered = self.config.get("centered", False)
        return ("velocity", "momentum") + (("average_gradient",) if centered else ())

    def step_terms(self, learning_rate, iterations):
        terms = super().step_terms(learning_rate, iterations)
        for name, default in (("rho", 0.9), ("momentum", 0.0), ("epsilon", 1e-7)):
            terms[name] = tf.constant(self.config.get(name, default), tf.float32)
        return terms

    def update(self, variable, gradient, slots, terms):
        """Keras's formulas, as TensorFlow's fused kernel computes them in one op::

            velocity = rho * velocity + (1 - rho) * gradient ** 2
            (average = rho * average + (1 - rho) * gradient, when centered)
            m = momentum * m + learning_rate * gradient
                / sqrt(velocity (- average ** 2) + epsilon)        (slot m)
            variable -= m
        """
        velocity, momentum, *average = slots
        arguments = dict(var=variable.handle, ms=velocity.handle, mom=momentum.handle,
                         grad=tf.convert_to_tensor(gradient), **terms)
        if average:
            tf.raw_ops.ResourceApplyCenteredRMSProp(mg=average[0].handle, **arguments)
        else:
            tf.raw_ops.ResourceApplyRMSProp(**arguments)


class _Adam(_Rule):
    @property
    def slots(self):
        return ("momentum", "velocity") + (("velocity_hat",) if self.config.get("amsgrad") else ())

    def step_terms(self, learning_rate, iterations):
        terms = super().step_terms(learning_rate, iterations)
        local_step = tf.cast(iterations + 1, tf.float32)
        # the fused kernel's argument names, Keras's config keys
        for name, key, default in (("beta1", "beta_1", 0.9), ("beta2", "beta_2", 0.999),
                                   ("epsilon", "epsilon", 1e-7)):  # fmt: skip
            terms[name] = tf.constant(self.config.get(key, default), tf.float32)
        terms["beta1_power"] = tf.pow(terms["beta1"], local_step)
        terms["beta2_power"] = tf.pow(terms["beta2"], local_step)
        return terms

    def update(self, variable, gradient, slots, terms):
        m, v, *hat = slots
        if hat:  # amsgrad: Keras's formulas (its Python floats), with the running maximum of v
            beta_1, beta_2 = self.config.get("beta_1", 0.9), self.config.get("beta_2", 0.999)
            alpha = terms["lr"] * tf.sqrt(1 - terms["beta2_power"]) / (1 - terms["beta1_power"])
            m.assign_add((gradient - m) * (1 - beta_1))
            v.assign_add((tf.square(gradient) - v) * (1 - beta_2))
            hat[0].assign(tf.maximum(hat[0], v))
            variable.assign_sub(m * alpha / (tf.sqrt(hat[0]) + self.config.get("epsilon", 1e-7)))
            return
        # TensorFlow's fused kernel: the formulas above without the running maximum, one op
        tf.raw_ops.ResourceApplyAdam(var=variable.handle, m=m.handle, v=v.handle,
                                     grad=tf.convert_to_tensor(gradient), **terms)


_RULES = {"SGD": _SGD, "RMSprop": _RMSprop, "Adam": _Adam}
