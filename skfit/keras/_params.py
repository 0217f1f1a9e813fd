"""The settings a fit trains with, resolved once from the estimator's parameters.

skfit's estimators take skfit's parameters; the MLPs also take
scikit-learn's names for them (``max_iter``, ``alpha``, ``solver``...,
resolved by :mod:`._sklearn_names`). Either way a fit reads its settings
from one :class:`TrainingParams`, made at the start of ``fit`` (where every
conflict is a clear error, before any training).
"""

from dataclasses import dataclass, field

__all__ = ["TrainingParams", "SCHEDULE_NAMES", "LBFGS"]

#: The learning-rate schedules (scikit-learn's names).
SCHEDULE_NAMES = ("constant", "invscaling", "adaptive")

#: The full-batch solver's name (scikit-learn's ``solver="lbfgs"``).
LBFGS = "lbfgs"


@dataclass(frozen=True)
class TrainingParams:
    """What one fit trains with.

    Attributes
    ----------
    optimizer : str or keras.optimizers.Optimizer
        A Keras optimizer (name or instance), or ``"lbfgs"``.
    optimizer_params : dict
        Its keyword arguments (``optimizer__<name>``).
    learning_rate : float
        The step size (the start of a schedule).
    schedule : {"constant", "invscaling", "adaptive"}
    power_t : float
        The exponent of the "invscaling" schedule.
    batch_size, epochs : int or "auto"
    early_stopping : bool
    patience : int
    tol : float
        Least decrease of the monitored loss that counts as an improvement;
        L-BFGS's gradient tolerance.
    shuffle : bool
        Whether the training rows are reshuffled every epoch.
    max_fun : int
        Most loss evaluations of L-BFGS.
    alpha : float or None
        scikit-learn's L2 penalty, divided by the rows of a batch in its
        loss; :meth:`l2` turns it into skfit's ``l2`` once the batch size is
        known. None: the estimator's own ``l2``.
    activation : str or None
        The hidden layers' activation in skfit's (Keras's) names.
    convergence : bool
        scikit-learn's stopping rule without early stopping: training ends
        once the training loss has not improved by ``tol`` for ``patience``
        epochs, keeping the last weights (``max_iter`` is then a cap).
    """

    optimizer: object
    optimizer_params: dict
    learning_rate: float
    batch_size: object
    epochs: object
    early_stopping: bool
    patience: int
    shuffle: bool = True
    schedule: str = "constant"
    power_t: float = 0.5
    tol: float = 0.0
    max_fun: int = 15000
    alpha: float | None = None
    activation: str | None = None
    convergence: bool = False
    renamed: dict = field(default_factory=dict)  # scikit-learn name -> skfit parameter

    @property
    def lbfgs(self):
        return isinstance(self.optimizer, str) and self.optimizer == LBFGS

    def l2(self, own_l2, n_train):
        """The L2 strength of skfit's penalty (``l2 * sum(w**2)`` per batch): the
        estimator's own, or scikit-learn's ``alpha``, which adds ``alpha / 2 *
        sum(w**2) / rows`` to the loss of a batch of that many rows. The rows are those
        of scikit-learn's batches (``batch_size``, "auto": ``min(200, n_train)``; the
        whole training part for L-BFGS), so that every gradient step pulls the weights
        towards zero as hard, against the same data gradient, as scikit-learn's: the
        same regularized optimum, whatever skfit's own batch size."""
        if self.alpha is None:
            return own_l2
        if self.lbfgs:
            rows = n_train
        elif self.batch_size == "auto":
            rows = min(200, n_train)
        else:
            rows = min(int(self.batch_size), n_train)
        return self.alpha / (2.0 * rows)
