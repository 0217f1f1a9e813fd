"""The mini-batch training loop of skfit's MLP in NumPy, for small networks.

On a small network (digits' 64 features into 100 units), TensorFlow's compiled
loop (:class:`~skfit.keras._engine.TrainingLoop`) spends most of a process's
first fit before its first step: TensorFlow's first use, the trace and the
graph's first call cost 0.4-0.6 s where scikit-learn's whole fit takes 0.09 s;
and with TensorFlow's intra-op threads a step of products that small costs
about twice what it costs on one thread. :class:`NumpyMLPSession` runs the
same training (network, losses, Keras's update rules, schedules, early
stopping with the best weights restored, per-epoch history, the epoch
listener) with NumPy's float32 products and no TensorFlow call, so it has no
set-up to pay. ``engine="auto"`` picks it for networks of at most
:data:`NUMPY_MAX_WEIGHTS` weights (measured: ``benchmarks/bench_engines.py``).

Its random draws are NumPy's: the rows' order in each epoch comes from the
shuffle seed and the epoch's number, the dropout masks from the fit's seed
and the epoch's number, so the same seed gives the same fit.
"""

import math

import numpy as np

from ._engine import ADAPTIVE_DIVISOR, ADAPTIVE_FLOOR, TrainResult, restores_best, stop_reason
from ._numpy_network import NumpyNetwork
from ._numpy_updates import NumpyUpdates
from ._updates import update_rule

#: Networks with at most this many weights train in NumPy when ``engine="auto"``.
NUMPY_MAX_WEIGHTS = 50_000


def numpy_session(architecture, optimizer_config, objective, has_validation):
    """``(factory, None)``: a function building a :class:`NumpyMLPSession`, or
    ``(None, reason)`` when it cannot train the configuration (an optimizer or
    option that :mod:`skfit.keras._updates` has no rule for)."""
    rule = update_rule(optimizer_config)
    if rule is None:
        return None, (
            f"the {optimizer_config.get('class_name')} optimizer with these options (it has "
            "SGD, RMSprop and Adam without clipping, weight decay or EMA)"
        )
    return lambda: NumpyMLPSession(architecture.activation, rule, objective, has_validation), None


class NumpyMLPSession:
    """The training loop of :class:`~skfit.keras._engine.TrainingLoop`, in NumPy.

    Holds only what its cache key says (activation, update rule, objective,
    whether there are validation rows): every fit's arrays are its own, so
    concurrent fits may share a session.
    """

    def __init__(self, activation, rule, objective, has_validation):
        # the optimizer state has MLPSession's layout and kind: a fit continues in either loop
        self.kind = ("skfit", rule.key)
        self.activation = activation
        self.updates = NumpyUpdates(rule)
        self.objective = objective
        self.has_validation = has_validation

    @property
    def history_names(self):
        names = ["loss", *self.objective.metrics]
        return names + ["val_" + name for name in names] if self.has_validation else names

    def train(self, data, settings, start, listener=None):
        """Train from ``start`` as the compiled loop does (:func:`skfit.keras._engine.train`)."""
        with np.errstate(all="ignore"):  # a diverging fit ends as "non_finite", not in warnings
            run = _Run(self, data, settings, start, listener)
            run.epochs()
        return run.result()


class _Packed:
    """Arrays of the given shapes as views of one flat float32 vector (``flat``): an
    update of every weight is then one NumPy call per operation, not one per weight."""

    def __init__(self, shapes, values=None):
        sizes = [int(np.prod(shape)) for shape in shapes]
        self.flat = np.zeros(sum(sizes), dtype=np.float32)
        bounds = np.cumsum([0, *sizes])
        self.parts = [self.flat[a:b].reshape(shape) for a, b, shape in zip(bounds[:-1], bounds[1:], shapes)]
        for part, value in zip(self.parts, values or ()):
            part[...] = value

    def copies(self):
        return [part.copy() for part in self.parts]


class _Run:
    """One call of :meth:`NumpyMLPSession.train`: its weights, state and counters."""

    def __init__(self, session, data, settings, start, listener):
        regularization = start.regularization
        self.network = NumpyNetwork(session.activation, session.objective.key[0],
                                    float(regularization.get("l1", 0.0)),
                                    float(regularization.get("l2", 0.0)))  # fmt: skip
        self.dropout = float(regularization.get("dropout", 0.0))
        self.session, self.data, self.settings, self.start = session, data, settings, start
        self.listener = listener
        shapes = [np.shape(w) for w in start.weights]
        self.weights = _Packed(shapes, start.weights)
        self.best_weights = _Packed(shapes, start.best_weights or start.weights)
        self.gradients = _Packed(shapes)
        self.step, self.slots = self._optimizer_state(shapes)
        # the rate and the early-stopping comparisons in float32, as in the compiled loop
        self.rate = np.float32(start.learning_rate)
        self.best, self.best_epoch, self.wait = np.float32(start.best), 0, int(start.wait)
        self.finite, self.epoch = True, 0
        self.history = {name: [] for name in session.history_names}

    def _optimizer_state(self, shapes):
        """The step count and one :class:`_Packed` per slot name (the state of a fit of this
        kind continued, else zeros)."""
        n_slots = len(self.session.updates.slots)
        values = self.start.optimizer_values if self.start.optimizer_kind == self.session.kind else None
        if values is None:
            return 0, [_Packed(shapes) for _ in range(n_slots)]
        # one value per weight and slot, weight by weight (MLPSession's order)
        return int(values[0]), [_Packed(shapes, values[1 + k :: n_slots]) for k in range(n_slots)]

    def _going_on(self):
        settings, adaptive = self.settings, self.settings.schedule == "adaptive"
        out_of_patience = self.wait >= settings.patience
        if settings.early_stopping and out_of_patience and not adaptive:
            return False
        if adaptive and out_of_patience and self.rate <= np.float32(ADAPTIVE_FLOOR):
            return False
        return self.epoch < settings.epochs and self.finite

    def epochs(self):
        while self._going_on():
            values = self._train_epoch()
            if self.session.has_validation:
                values += self._evaluate(self.data.val)
            self._end_epoch(values)

    def _end_epoch(self, values):
        settings = self.settings
        monitored = values[0]
        if self.session.has_validation and not settings.monitor_loss:
            monitored = values[len(values) // 2]
        monitored = np.float32(monitored)
        improved = monitored < self.best - np.float32(settings.tol)
        if improved:
            self.best, self.best_epoch = monitored, self.epoch + 1
            np.copyto(self.best_weights.flat, self.weights.flat)
        self.wait = 0 if improved else self.wait + 1
        reduce = settings.schedule == "adaptive" and self.wait >= settings.patience and \
            self.rate > np.float32(ADAPTIVE_FLOOR)
        if settings.schedule == "invscaling":
            seen = (self.start.epochs_done + self.epoch + 1) * len(self.data.train)
            self.rate = np.float32(float(self.start.learning_rate) / (seen + 1.0) ** float(settings.power_t))
        elif reduce:
            self.rate = np.float32(self.rate / np.float32(ADAPTIVE_DIVISOR))
            self.wait = 0
        for name, value in zip(self.history, values):
            self.history[name].append(value)
        self.epoch += 1
        self.finite = math.isfinite(values[0])
        if self.listener is not None:
            self.listener(self.start.epochs_done + self.epoch, values)

    def _epoch_generator(self, seed):
        return np.random.default_rng([seed, self.start.epochs_done + self.epoch])

    def _train_epoch(self):
        data, settings, network = self.data, self.settings, self.network
        rows = data.train
        if settings.shuffle:
            rows = rows[self._epoch_generator(settings.shuffle_seed).permutation(len(rows))]
        dropout_rng = self._epoch_generator(self.start.seed) if self.dropout else None
        penalized, weights = network.l1 or network.l2, self.weights.parts
        loss_sum, correct_sum = 0.0, 0.0
        for first in range(0, len(rows), settings.batch_size):
            batch = rows[first : first + settings.batch_size]
            y, weight = data.y[batch], data.sample_weight[batch]
            state = network.forward(weights, data.x[batch], self.dropout, dropout_rng)
            losses, delta = network.data_loss(state.pre[-1], y, weight)
            loss = float(losses @ weight) / len(batch)
            if penalized:
                loss += float(network.penalty(weights))
            network.gradients(weights, state, delta, out=self.gradients.parts)
            self.step += 1
            self.session.updates.apply([self.weights.flat], [self.gradients.flat],
                                       [[slot.flat for slot in self.slots]], self.rate, self.step)
            loss_sum += loss * len(batch)
            correct = network.correct(state.pre[-1], y)
            if correct is not None:
                correct_sum += float(correct.sum())
        return self._values(loss_sum, correct_sum, len(rows))

    def _evaluate(self, rows):
        # The validation loss is the data loss alone, as in the compiled loop.
        y, weight = self.data.y[rows], self.data.sample_weight[rows]
        z = self.network.forward(self.weights.parts, self.data.x[rows]).pre[-1]
        losses, _ = self.network.data_loss(z, y, weight)
        correct = self.network.correct(z, y)
        return self._values(float(losses @ weight), 0.0 if correct is None else float(correct.sum()),
                            len(rows))  # fmt: skip

    def _values(self, loss_sum, correct_sum, n):
        n = max(n, 1)
        return [loss_sum / n, *(correct_sum / n for _ in self.session.objective.metrics)]

    def result(self):
        restore = restores_best(self.settings, self.best, self.wait)
        last = self.weights.copies()
        return TrainResult(
            weights=self.best_weights.copies() if restore else last,
            history=self.history,
            n_epochs=self.epoch,
            best_epoch=self.best_epoch,
            best=float(self.best),
            optimizer_values=[np.int64(self.step), *(slot.parts[i].copy() for i in range(len(last))
                                                      for slot in self.slots)],
            optimizer_kind=self.session.kind,
            stop=stop_reason(self.settings, self.finite, self.epoch),
            last_weights=last if restore else None,
            wait=self.wait,
        )
