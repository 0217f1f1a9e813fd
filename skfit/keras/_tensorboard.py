"""TensorBoard logs of a fit, written from the compiled loop's epoch callback.

Each fit writes one run folder under ``log_dir``: each epoch's training and
validation values as scalars (``loss`` and ``val_loss`` are both written
under the tag ``epoch_loss``, in the ``train`` and ``validation``
sub-folders, as Keras's TensorBoard callback lays them out, so that
TensorBoard draws them on one chart), and the estimator's parameters through
the HParams plugin, so that the runs of a grid search line up in its table.

The event files are written by the ``tensorboard`` package's own writer, in
plain Python (no TensorFlow op runs on the training path).
"""

import itertools
import json
import os
import re
import threading
import time
from datetime import datetime
from hashlib import sha1

_RUN_NUMBERS = itertools.count(1)
_RUN_LOCK = threading.Lock()


def check_log_dir(log_dir):
    """Create ``log_dir`` if needed; a clear ValueError when it cannot hold logs.

    Parameters
    ----------
    log_dir : str or os.PathLike
    """
    _tensorboard_modules()
    path = os.fspath(log_dir)
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"log_dir={path!r} is a file, not a folder: give a folder for the logs.")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise ValueError(f"log_dir={path!r} cannot be created: {error.strerror}.") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"log_dir={path!r} is not writable: choose a folder you can write to.")
    return path


def run_name(estimator):
    """A new run folder name: time, estimator, digest of its parameters, a counter.

    Runs of the same configuration (the folds of one grid-search candidate)
    share the digest and differ in the counter and time.
    """
    params = _hparams(estimator)
    digest = sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:6]
    with _RUN_LOCK:
        number = next(_RUN_NUMBERS)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{type(estimator).__name__}-{digest}-{os.getpid()}-{number}"


class TensorBoardLog:
    """Epoch listener writing scalars and hyper-parameters for one run.

    Parameters
    ----------
    log_dir : str
        The folder holding every run (checked by :func:`check_log_dir`).
    estimator : BaseEstimator
        Whose parameters are logged (HParams) and whose class names the run.
    names : list of str
        Names of the values each epoch reports, in order.
    """

    def __init__(self, log_dir, estimator, names):
        self.names = list(names)
        self.run_dir = os.path.join(log_dir, run_name(estimator))
        self._writers = {}
        self._write_hparams(estimator)

    def _writer(self, split):
        if split not in self._writers:
            writer_class = _tensorboard_modules()[0]
            self._writers[split] = writer_class(os.path.join(self.run_dir, split))
        return self._writers[split]

    def _write_hparams(self, estimator):
        _, hp, _, _ = _tensorboard_modules()
        summary = hp.hparams_pb(_hparams(estimator), trial_id=os.path.basename(self.run_dir))
        self._add(self._writer("train"), summary, step=0)

    def __call__(self, epoch, values):
        _, _, summary_pb2, _ = _tensorboard_modules()
        for name, value in zip(self.names, values):
            split, tag = ("validation", name[4:]) if name.startswith("val_") else ("train", name)
            summary = summary_pb2.Summary(
                value=[summary_pb2.Summary.Value(tag=f"epoch_{tag}", simple_value=value)]
            )
            self._add(self._writer(split), summary, step=epoch)
        for writer in self._writers.values():
            writer.flush()

    def close(self):
        for writer in self._writers.values():
            writer.close()

    @staticmethod
    def _add(writer, summary, step):
        _, _, _, event_pb2 = _tensorboard_modules()
        writer.add_event(event_pb2.Event(summary=summary, step=step, wall_time=time.time()))


def _hparams(estimator):
    """The estimator's parameters as HParams values (bool, int, float or str)."""
    values = {}
    for name, value in sorted(estimator.get_params(deep=True).items()):
        if name in ("log_dir", "callbacks", "verbose"):
            continue
        if isinstance(value, bool) or isinstance(value, (int, float, str)):
            values[name] = value
        elif value is not None:
            values[name] = re.sub(r" at 0x[0-9a-f]+", "", repr(value))
    return values


def _tensorboard_modules():
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.plugins.hparams import summary_v2 as hp
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError:
        raise ValueError(
            "log_dir needs the tensorboard package to write its logs: "
            "pip install tensorboard (or pip install 'skfit[tensorboard]')."
        ) from None
    return EventFileWriter, hp, summary_pb2, event_pb2
