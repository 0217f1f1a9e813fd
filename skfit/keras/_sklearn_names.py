"""scikit-learn's MLPClassifier / MLPRegressor parameters, on skfit's MLPs.

Code written for ``MLPClassifier(max_iter=300, alpha=1e-4, solver="sgd",
learning_rate="invscaling", learning_rate_init=0.2)`` runs on
``KerasMLPClassifier`` with the class name changed: each of scikit-learn's
names is a parameter of skfit's MLPs (None: not given), resolved here into
the settings of the fit, with scikit-learn's meaning:

=====================  =========================================================
scikit-learn           skfit
=====================  =========================================================
``max_iter``           ``epochs``, a cap: as in scikit-learn, training stops once
                       the training loss has not improved by ``tol`` (1e-4)
                       for ``n_iter_no_change`` (10) epochs (the rule of every
                       fit given one of scikit-learn's own names)
``learning_rate_init`` ``learning_rate`` (the step size)
``learning_rate``      a schedule name: "constant", "invscaling", "adaptive"
``n_iter_no_change``   ``patience``
``alpha``              ``l2 = alpha / (2 * rows of a batch)``: the same penalty
``solver``             ``optimizer``: "adam", "sgd", or "lbfgs" (full batch)
``momentum``           ``optimizer__momentum`` (solver "sgd"; default 0.9)
``nesterovs_momentum`` ``optimizer__nesterov`` (solver "sgd"; default True)
``beta_1``, ``beta_2`` ``optimizer__beta_1``, ``optimizer__beta_2`` ("adam")
``epsilon``            ``optimizer__epsilon`` ("adam"; default 1e-8)
``activation``         "identity" and "logistic" are Keras's "linear", "sigmoid"
=====================  =========================================================

``tol``, ``shuffle``, ``power_t`` and ``max_fun`` are skfit parameters of the
same names and meanings. As in scikit-learn, ``early_stopping`` applies to the
stochastic solvers: with ``solver="lbfgs"`` it is ignored (skfit's own
``optimizer="lbfgs"`` honours it). A scikit-learn name given beside a different value
of its skfit twin is a ValueError before training: there is no silent winner.
"""

from ._params import LBFGS, TrainingParams

__all__ = ["ACTIVATION_ALIASES", "SOLVERS", "resolve"]

#: scikit-learn's activation names that Keras names otherwise.
ACTIVATION_ALIASES = {"identity": "linear", "logistic": "sigmoid"}

#: scikit-learn's solvers.
SOLVERS = ("adam", "sgd", LBFGS)

# scikit-learn's name -> (skfit's parameter, its default in skfit's MLPs)
_TWINS = {
    "max_iter": ("epochs", "auto"),
    "learning_rate_init": ("learning_rate", 1e-3),
    "n_iter_no_change": ("patience", 5),
    "alpha": ("l2", 0.0),
    "solver": ("optimizer", "rmsprop"),
}
# scikit-learn's optimizer options -> (Keras's name, its solver, scikit-learn's default)
_OPTIMIZER_OPTIONS = {
    "momentum": ("momentum", "sgd", 0.9),
    "nesterovs_momentum": ("nesterov", "sgd", True),
    "beta_1": ("beta_1", "adam", 0.9),
    "beta_2": ("beta_2", "adam", 0.999),
    "epsilon": ("epsilon", "adam", 1e-8),
}


def resolve(estimator):
    """The :class:`TrainingParams` of a skfit MLP, scikit-learn's names applied.

    Raises
    ------
    ValueError
        When a scikit-learn name and its skfit twin are both set to
        different values, or an option does not fit the solver.
    """
    given = {name: getattr(estimator, name) for name in (*_TWINS, *_OPTIMIZER_OPTIONS)
             if getattr(estimator, name) is not None}
    for name, (twin, default) in _TWINS.items():
        own = getattr(estimator, twin)
        if name == "learning_rate_init" and isinstance(own, str):
            continue  # a schedule's name: scikit-learn's learning_rate, no twin
        if name in given and not _same(own, default) and not _same(own, given[name]):
            raise ValueError(
                f"{type(estimator).__name__} got {name}={given[name]!r} (scikit-learn's name) "
                f"and {twin}={own!r} (skfit's) for the same setting; pass one of them."
            )
    schedule = estimator.learning_rate if isinstance(estimator.learning_rate, str) else "constant"
    optimizer_params, rate = estimator._optimizer_params_and_rate()
    rate = given.get("learning_rate_init", rate)
    optimizer = given.get("solver", estimator.optimizer)
    if "solver" in given:
        optimizer_params = {**_solver_defaults(given["solver"]), **optimizer_params}
    for name, (keras_name, solver, _) in _OPTIMIZER_OPTIONS.items():
        if name not in given:
            continue
        if optimizer != solver:
            raise ValueError(
                f"{name}={given[name]!r} is an option of scikit-learn's solver={solver!r}, "
                f"but {type(estimator).__name__} trains with optimizer={optimizer!r}; pass "
                f"solver={solver!r} (or drop {name})."
            )
        value = given[name]
        optimizer_params[keras_name] = bool(value) if isinstance(value, bool) else float(value)
    # scikit-learn's stopping rule comes with its names: max_iter is a cap, training
    # ends when the loss stops improving by tol (1e-4) for n_iter_no_change (10) epochs
    sklearn_stopping = bool(given)
    # scikit-learn's early stopping is for its stochastic solvers only
    early_stopping = estimator.early_stopping and given.get("solver") != LBFGS
    default_patience = 10 if sklearn_stopping and estimator.patience == 5 else estimator.patience
    default_tol = 1e-4 if sklearn_stopping or optimizer == LBFGS else 0.0
    return TrainingParams(
        optimizer=optimizer,
        optimizer_params=optimizer_params,
        learning_rate=float(rate),
        batch_size=estimator.batch_size,
        epochs=given.get("max_iter", estimator.epochs),
        early_stopping=early_stopping,
        convergence=sklearn_stopping and not early_stopping and optimizer != LBFGS,
        patience=given.get("n_iter_no_change", default_patience),
        shuffle=estimator.shuffle,
        schedule=schedule,
        power_t=estimator.power_t,
        tol=estimator.tol if estimator.tol is not None else default_tol,
        max_fun=estimator.max_fun,
        alpha=given.get("alpha"),
        activation=ACTIVATION_ALIASES.get(estimator.activation, estimator.activation),
        renamed={name: _TWINS[name][0] for name in given if name in _TWINS},
    )


def _solver_defaults(solver):
    """scikit-learn's defaults of a solver's options (Keras's names), where Keras's differ."""
    return {keras_name: default for keras_name, owner, default in _OPTIMIZER_OPTIONS.values()
            if owner == solver}


def _same(a, b):
    return type(a) is type(b) and a == b or (isinstance(a, (int, float))
                                             and isinstance(b, (int, float)) and a == b)

