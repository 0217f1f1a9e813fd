"""The knobs the fit-then-regularize search turns, found on the estimator it is given.

The search thinks in the chapter's terms: the learning rate and batch size
(to get training started), epochs and capacity (to reach overfitting), early
stopping, size, L2, L1 and dropout (to regularize). :func:`find_knobs` says
under which parameter name each of these lives on the estimator (a skfit
Keras estimator, a scikeras wrapper, or a Pipeline ending in one) and its
starting value; :meth:`Knobs.params` turns a configuration of knobs back
into ``set_params`` arguments.

A configuration holds the model's size as ``hidden_layer_sizes``, a tuple;
a model-building function that takes ``units`` (and ``n_layers``) instead
gets the width (and depth) of that tuple.
"""

import dataclasses
import inspect
import sys
from dataclasses import dataclass
from numbers import Integral, Real

from ..utils._estimators import final_estimator, final_param_name

__all__ = ["Knobs", "find_knobs", "KNOBS"]

#: Every knob, in the order a configuration is shown.
KNOBS = ("hidden_layer_sizes", "learning_rate", "batch_size", "epochs", "early_stopping",
         "patience", "validation_fraction", "l2", "l1", "dropout")

#: Validation share the search gives an estimator that holds out none: the
#: curves it reads need a validation set.
VALIDATION_FRACTION = 0.1

_REGULARIZERS = ("dropout", "l1", "l2")
_BUILDER_CAPACITY = ("hidden_layer_sizes", "units")
_SUPPORTED = (
    "skfit's Keras estimators (KerasMLPClassifier, KerasMLPRegressor, KerasClassifier, "
    "KerasRegressor) or scikeras's KerasClassifier/KerasRegressor"
)


@dataclass(frozen=True)
class Knobs:
    """Where the knobs live on one estimator, and their starting values.

    Attributes
    ----------
    flavor : {"skfit", "scikeras"}
    model_name : str
        Class name of the network's estimator.
    names : dict of str to str
        Knob -> parameter name on the estimator given (with a Pipeline's
        step prefixes); ``hidden_layer_sizes`` maps to the width parameter.
    start : dict
        Knob -> starting value (the estimator's own settings).
    depth_name : str or None
        The depth parameter of a builder that takes ``units`` and
        ``n_layers``; None otherwise.
    """

    flavor: str
    model_name: str
    names: dict
    start: dict
    depth_name: str | None = None

    def has(self, knob):
        """Whether the estimator exposes ``knob``."""
        return knob in self.names

    @property
    def can_deepen(self):
        """Whether the model can take more hidden layers."""
        if not self.has("hidden_layer_sizes"):
            return False
        return self.depth_name is not None or self.names["hidden_layer_sizes"].endswith(
            "hidden_layer_sizes")

    def resolved(self, n_train):
        """These knobs with ``batch_size="auto"`` and ``epochs="auto"`` replaced by the
        values the estimator's rule gives for ``n_train`` training rows, so that the
        search can grow and divide them."""
        from ..keras._base import resolve_batch_size, resolve_epochs

        n_train = max(1, int(n_train))
        start = dict(self.start)
        start["batch_size"] = resolve_batch_size(start["batch_size"], n_train)
        start["epochs"] = resolve_epochs(start["epochs"], n_train, start["batch_size"])
        return dataclasses.replace(self, start=start)

    def params(self, config):
        """``set_params`` arguments for a configuration (knob -> value)."""
        params = {}
        for knob, value in config.items():
            name = self.names[knob]
            if knob == "hidden_layer_sizes" and not name.endswith("hidden_layer_sizes"):
                params[name] = int(value[0]) if value else 1
                if self.depth_name is not None:
                    params[self.depth_name] = len(value)
            else:
                params[name] = value
        return params


def find_knobs(estimator):
    """Return the :class:`Knobs` of ``estimator``, or raise a TypeError before any fit.

    Parameters
    ----------
    estimator : estimator object
        A skfit or scikeras Keras estimator, or a Pipeline (or
        ``TransformedTargetRegressor``) ending in one.
    """
    learner = final_estimator(estimator)
    flavor = _flavor(learner)
    if flavor is None:
        raise TypeError(
            "FitThenRegularizeSearchCV reads the per-epoch loss curves (history_) of a Keras "
            f"network: the estimator must be one of {_SUPPORTED}, or a Pipeline ending in one; "
            f"got {type(learner).__name__}. Use GridSearchCV or RandomizedSearchCV for other "
            "estimators."
        )
    params = learner.get_params()
    prefix = final_param_name(estimator, "epochs").removesuffix("epochs")
    names, start = {}, {}

    def add(knob, name, value):
        names[knob], start[knob] = prefix + name, value

    if flavor == "skfit":
        add("learning_rate", "learning_rate", float(params["learning_rate"]))
        add("validation_fraction", "validation_fraction",
            float(params["validation_fraction"]) or VALIDATION_FRACTION)
        add("early_stopping", "early_stopping", False)
        add("patience", "patience", params["patience"])
    else:
        add("learning_rate", "optimizer__learning_rate", _scikeras_learning_rate(params))
        add("validation_fraction", "validation_split",
            float(params.get("validation_split") or 0) or VALIDATION_FRACTION)
    add("batch_size", "batch_size", params["batch_size"] if params["batch_size"] else 32)
    add("epochs", "epochs", params["epochs"])
    depth_name = None
    if "hidden_layer_sizes" in params and not _is_wrapper(params):  # skfit's MLPs
        add("hidden_layer_sizes", "hidden_layer_sizes", _sizes(params["hidden_layer_sizes"]))
        for knob in _REGULARIZERS:
            add(knob, knob, float(params[knob]))
    else:
        arguments = _builder_arguments(learner, params)
        width = next((name for name in _BUILDER_CAPACITY if name in arguments), None)
        if width is not None:
            depth = arguments.get("n_layers") if width == "units" else None
            value = arguments[width]
            sizes = _sizes(value) if width == "hidden_layer_sizes" else \
                (int(value),) * (int(depth) if isinstance(depth, Integral) else 1)
            add("hidden_layer_sizes", f"model__{width}", sizes)
            if width == "units" and isinstance(depth, Integral):
                depth_name = prefix + "model__n_layers"
        for knob in _REGULARIZERS:
            if isinstance(arguments.get(knob), Real):
                add(knob, f"model__{knob}", float(arguments[knob]))
    return Knobs(flavor, type(learner).__name__, names, start, depth_name)


def _flavor(learner):
    """"skfit", "scikeras" or None."""
    # Either module is loaded already when the learner is one of its estimators: looking
    # them up in sys.modules keeps TensorFlow unloaded for any other estimator.
    skfit_keras = sys.modules.get("skfit.keras._base")
    if skfit_keras is not None and isinstance(learner, skfit_keras.BaseKerasEstimator):
        return "skfit"
    scikeras = sys.modules.get("scikeras.wrappers")
    if scikeras is not None and isinstance(learner, scikeras.BaseWrapper):
        return "scikeras"
    return None


def _is_wrapper(params):
    return "model" in params


def _sizes(value):
    return (int(value),) if isinstance(value, Integral) else tuple(int(v) for v in value)


def _builder_arguments(learner, params):
    """Name -> current value of the model-building function's own arguments.

    The value set on the wrapper (``model__<name>``) when there is one, else
    the function's default; arguments without either are left out, as are
    all of them for a Keras model instance (nothing to set).
    """
    builder = params.get("model")
    if builder is None and "build_fn" in params:
        builder = params["build_fn"]
    if builder is None or not callable(builder) or hasattr(builder, "get_weights"):
        return {}
    try:
        signature = inspect.signature(builder)
    except (TypeError, ValueError):
        return {}
    arguments = {
        name: parameter.default for name, parameter in signature.parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }
    arguments.update({key.removeprefix("model__"): value for key, value in params.items()
                      if key.startswith("model__")})
    return arguments


def _scikeras_learning_rate(params):
    """The learning rate a scikeras wrapper trains with: set, or its optimizer's default."""
    if isinstance(params.get("optimizer__learning_rate"), Real):
        return float(params["optimizer__learning_rate"])
    from ..keras._tf import keras

    optimizer = params.get("optimizer", "rmsprop")
    try:
        if isinstance(optimizer, type):
            optimizer = optimizer()
        elif not isinstance(optimizer, keras.optimizers.Optimizer):
            optimizer = keras.optimizers.get(optimizer)
        return float(optimizer.learning_rate.numpy())
    except Exception:  # an optimizer we cannot build here: Keras's usual default
        return 1e-3
