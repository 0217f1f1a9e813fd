"""What a fit prints while it runs: one line per epoch, as the epoch ends.

The compiled loop runs every epoch in one TensorFlow call; its listening
variant calls back to the host when each epoch ends (see
:func:`skfit.keras._engine.train`), and :class:`EpochLog` prints that epoch's
line then, as Keras's ``model.fit(verbose=2)`` does.
"""

import sys
import time


class EpochLog:
    """Print ``Epoch k/N - 12ms - loss: ... - val_loss: ...`` when each epoch ends.

    Parameters
    ----------
    names : list of str
        The names of the values the listener receives, in order.
    last_epoch : int
        The epoch number training stops at, at the latest (N above).
    stream : file-like, default=None
        Where to print; ``sys.stdout`` when None (looked up at each line, so
        that redirections made after construction are honoured).
    """

    def __init__(self, names, last_epoch, stream=None):
        self.names = list(names)
        self.last_epoch = last_epoch
        self.stream = stream
        self._last = time.perf_counter()

    def __call__(self, epoch, values):
        now = time.perf_counter()
        elapsed, self._last = now - self._last, now
        metrics = " - ".join(f"{name}: {value:.4f}" for name, value in zip(self.names, values))
        stream = self.stream or sys.stdout
        print(f"Epoch {epoch}/{self.last_epoch} - {_duration(elapsed)} - {metrics}", file=stream, flush=True)


def _duration(seconds):
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    return f"{seconds:.1f}s"


def combine(listeners):
    """One listener calling each of ``listeners`` (None when there are none)."""
    listeners = [listener for listener in listeners if listener is not None]
    if not listeners:
        return None
    if len(listeners) == 1:
        return listeners[0]

    def listen(epoch, values):
        for listener in listeners:
            listener(epoch, values)

    return listen
