"""KerasClassifier / KerasRegressor: any user Keras model as a scikit-learn estimator."""

import inspect
import random
import threading
from contextlib import contextmanager

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, clone

from ..utils.fixes import clear_eager_kernel_cache
from ._base import BaseKerasEstimator
from ._engine import CompiledPredictor, keras_model_session
from ._docs import CLASSIFIER_VALUES, KERAS_ENTRIES, REGRESSOR_VALUES
from ._routing import unknown_name_error
from ._tasks import ClassifierTaskMixin, RegressorTaskMixin
from ._tf import keras

# Arguments a model-building function may ask for by name, besides its own.
_META_ARGUMENTS = ("n_features_in", "n_outputs", "n_classes")


_PYTHON_RANDOM_LOCK = threading.Lock()


@contextmanager
def _seeded_python_random(seed):
    """Seed Python's ``random`` (where Keras draws unseeded layer seeds), then restore it.

    The lock keeps seeded builds in concurrent threads from drawing from
    each other's seeds.
    """
    with _PYTHON_RANDOM_LOCK:
        state = random.getstate()
        random.seed(seed)
        try:
            yield
        finally:
            random.setstate(state)


class UserModelArchitecture:
    """A user model (instance or builder) as trained by skfit's engine.

    Parameters
    ----------
    function : callable
        ``function(**kwargs)`` returns a new Keras model; called once here
        (seeded) for the initial weights, and again for the engine's cached
        copy or ``model_``.
    kwargs : dict
        Its arguments.
    key : hashable
        Identity of the architecture for the trace cache.
    n_features : int
    seed : int
    sample : ndarray of shape (n_rows, n_features), default=None
        Training rows the new model is first called on; its outputs on them
        are kept in ``sample_outputs`` (a row of zeros when None).
    """

    accepts_sparse = False  # batches of sparse X are densified for user models

    def __init__(self, function, kwargs, key, n_features, seed, sample=None):
        self.function = function
        self.kwargs = kwargs
        self.key = (*key, n_features)
        self.n_features = n_features
        if sample is None or len(sample) == 0:
            sample = np.zeros((1, n_features), dtype=np.float32)
        with _seeded_python_random(seed):
            model, output = self._build_and_call(sample)
        self.n_outputs = _output_units(output)
        self.sample_outputs = np.asarray(output)
        self._initial_weights = model.get_weights()
        del model
        clear_eager_kernel_cache()

    def build(self):
        return self._build_and_call(np.zeros((1, self.n_features), dtype=np.float32))[0]

    def _build_and_call(self, sample):
        """A new, built model and its output on ``sample``."""
        model = self.function(**self.kwargs)
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"model must be a keras.Model or a function returning one; it returned "
                f"{type(model).__name__}."
            )
        return model, _call_once(model, np.asarray(sample, dtype=np.float32))

    def initial_weights(self):
        return self._initial_weights

    def session(self, optimizer_config, objective, has_validation, sparse_input, engine="compiled"):
        """``(key, factory)`` of the Keras model's training session."""
        if engine == "numpy":
            raise ValueError(
                "engine='numpy' trains skfit's MLPs (KerasMLPClassifier, KerasMLPRegressor) "
                "only, not a Keras model of yours. Use engine='auto' or 'compiled'."
            )
        return keras_model_session(self, optimizer_config, objective, has_validation, sparse_input)

    def predictor(self, weights, session):
        return CompiledPredictor(session, weights)

    def __getstate__(self):  # the fitted weights live in the estimator, not here
        state = {k: v for k, v in self.__dict__.items() if k != "_initial_weights"}
        state["kwargs"] = {k: portable(v) for k, v in self.kwargs.items()}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.kwargs = {k: restored(v) for k, v in self.kwargs.items()}


class SerializedKerasModel:
    """A Keras model held as its config and weights, as files store it.

    Pickle and skops files of a wrapper hold this instead of a Keras model
    object (whose internals skops cannot store); loading restores the model.

    Parameters
    ----------
    model : keras.Model
    """

    def __init__(self, model):
        self.config = keras.saving.serialize_keras_object(model)
        self.weights = model.get_weights()

    def restore(self):
        model = keras.saving.deserialize_keras_object(self.config)
        model.set_weights(self.weights)
        return model


def portable(value):
    """``value``, with a Keras model replaced by a :class:`SerializedKerasModel`."""
    if isinstance(value, keras.Model):
        try:
            return SerializedKerasModel(value)
        except (NotImplementedError, TypeError, ValueError):  # no config: pickle as Keras does
            return value
    return value


def restored(value):
    return value.restore() if isinstance(value, SerializedKerasModel) else value


def clone_user_model(model):
    """A new model of ``model``'s architecture (fresh weights), as Keras clones it."""
    return keras.models.clone_model(model)


def _call_once(model, sample):
    try:
        return model(sample, training=False)
    except Exception as exc:
        raise ValueError(
            f"The Keras model cannot take X with {sample.shape[1]} features: calling it "
            f"on a batch of shape {sample.shape} failed with {type(exc).__name__}: {exc}"
        ) from None


def _output_units(output):
    if isinstance(output, (list, tuple, dict)) or len(output.shape) != 2:
        raise ValueError(
            "The Keras model must have a single output of shape (n_samples, units); "
            f"it returned {type(output).__name__} of shape {getattr(output, 'shape', '?')}."
        )
    return int(output.shape[1])


class _KerasWrapperBase(BaseKerasEstimator):
    _parameter_constraints: dict = {
        **BaseKerasEstimator._parameter_constraints,
        "model": [keras.Model, callable, None],
        "model_params": [dict, None],
        "loss": [str, callable, None],
    }

    # model__<name> -> model_params[name], optimizer__<name> -> optimizer_params[name];
    # scikeras's idiom: these, loss__<name> and callbacks__<name> given to the constructor
    _routed_params = {"model": "model_params", "optimizer": "optimizer_params"}
    _constructor_prefixes = ("model", "optimizer", "loss", "callbacks")

    def _check_routed(self, prefix, values):
        if prefix == "model":
            self._check_model_params(values)
        elif prefix == "loss":
            routed_loss(self.loss, values)
        elif prefix == "callbacks":
            routed_callbacks(self.callbacks, values)
        else:
            super()._check_routed(prefix, values)

    def _routed_keywords(self, routed):
        """Keep the constructor's other keywords (scikeras's routed parameters) as
        parameters of those names; they are checked in ``fit``, as every parameter is."""
        self._routed_keys = tuple(routed)
        for key, value in routed.items():
            setattr(self, key, value)

    def _check_constructor_keywords(self):
        for key in self._routed_keys:
            if key.partition("__")[0] not in self._constructor_prefixes or "__" not in key:
                raise TypeError(
                    f"{type(self).__name__} got an unexpected parameter {key!r}; a routed "
                    f"parameter starts with one of "
                    f"{[p + '__' for p in self._constructor_prefixes]}."
                )

    def _callbacks(self):
        return routed_callbacks(self.callbacks, self.routed("callbacks"))

    def __getstate__(self):
        state = super().__getstate__()
        state["model"] = portable(state["model"])
        return state

    def __setstate__(self, state):
        state = {**state, "model": restored(state["model"])}
        super().__setstate__(state)

    def __sklearn_clone__(self):
        # The user's Keras model is never modified (each fit builds its own
        # copy), so clones share it rather than deep-copying a Keras object.
        params = self.get_params(deep=False)
        model = params.pop("model")
        return type(self)(model=model, **{k: clone(v, safe=False) for k, v in params.items()})

    def _check_model_params(self, model_params):
        if isinstance(self.model, keras.Model) or self.model is None:
            raise ValueError(
                f"model_params {sorted(model_params)} need model to be a function that "
                f"builds the Keras model; got model={self.model!r}."
            )
        accepted = _accepted_arguments(self.model)
        if accepted is None:
            return
        for name in model_params:
            if name not in accepted:
                raise unknown_name_error(f"{self.model.__name__}()", "model", name, accepted)

    # -- the model -------------------------------------------------------------
    def _architecture(self, n_features, seed, sample, shape):
        if self.model is None:
            raise ValueError(
                f"{type(self).__name__} needs a Keras model: pass model=<keras.Model> or "
                "model=<function returning a keras.Model>."
            )
        if isinstance(self.model, keras.Model):
            key = ("instance", id(self.model))
            return UserModelArchitecture(
                clone_user_model, {"model": self.model}, key, n_features, seed, sample
            )
        model_params = self.routed("model")
        self._check_model_params(model_params)
        kwargs = {**self._meta_arguments(n_features), **model_params}
        accepted = _accepted_arguments(self.model)
        if accepted is not None:
            kwargs = {k: v for k, v in kwargs.items() if k in accepted}
        key = ("builder", self.model, _hashable(kwargs))
        return UserModelArchitecture(self.model, kwargs, key, n_features, seed, sample)

    def _meta_arguments(self, n_features):
        return {"n_features_in": n_features, "n_outputs": self.n_outputs_}

    def _loss(self):
        return routed_loss(self.loss, self.routed("loss"))


def routed_loss(loss, params):
    """``loss`` with scikeras's ``loss__<name>`` arguments: a Keras ``Loss`` class (or
    its name, or an instance) built with them; ``loss`` itself without any."""
    if not params:
        return loss
    if isinstance(loss, keras.losses.Loss):
        loss, params = type(loss), {**loss.get_config(), **params}
    elif isinstance(loss, str):
        loss = _LOSS_CLASSES.get(loss.replace("_", "").lower())
    if not (isinstance(loss, type) and issubclass(loss, keras.losses.Loss)):
        raise ValueError(
            f"loss__{next(iter(params))} sets an argument of the loss, so loss must be a Keras "
            f"Loss class, instance or class name (e.g. keras.losses.CategoricalCrossentropy); "
            f"got loss={loss!r}."
        )
    accepted = list(inspect.signature(loss.__init__).parameters)[1:]
    for name in params:
        if name not in accepted and "kwargs" not in accepted:
            raise unknown_name_error(f"{loss.__name__}()", "loss", name, accepted)
    return loss(**params)


def routed_callbacks(callbacks, params):
    """The callbacks, each given as a class built with scikeras's routed arguments:
    ``callbacks__<name>`` for every class, ``callbacks__<i>__<name>`` for the ``i``-th."""
    callbacks = list(callbacks or [])
    if params and not any(isinstance(c, type) for c in callbacks):
        raise ValueError(
            f"callbacks__{next(iter(params))} sets an argument of a callback, so callbacks "
            "must hold a Keras callback class (e.g. [keras.callbacks.EarlyStopping]) to be "
            f"built with it; got callbacks={callbacks!r}."
        )
    built = []
    for i, callback in enumerate(callbacks):
        if not isinstance(callback, type):
            built.append(callback)
            continue
        own = {k: v for k, v in params.items() if "__" not in k}
        own.update({k.partition("__")[2]: v for k, v in params.items()
                    if k.partition("__")[0] == str(i)})
        accepted = list(inspect.signature(callback.__init__).parameters)[1:]
        for name in own:
            if name not in accepted and "kwargs" not in accepted:
                raise unknown_name_error(f"{callback.__name__}()", "callbacks", name, accepted)
        built.append(callback(**own))
    return built


_LOSS_CLASSES = {name.lower(): getattr(keras.losses, name) for name in dir(keras.losses)
                 if isinstance(getattr(keras.losses, name), type)
                 and issubclass(getattr(keras.losses, name), keras.losses.Loss)}


def _accepted_arguments(function):
    """Parameter names of ``function``, or None when it takes ``**kwargs``."""
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _hashable(kwargs):
    """A hashable stand-in for ``kwargs``; unhashable values make the key unique."""
    items = []
    for name, value in sorted(kwargs.items()):
        if isinstance(value, list):
            value = tuple(value)
        try:
            hash(value)
        except TypeError:
            value = ("unhashable", object())
        items.append((name, value))
    return tuple(items)


@KERAS_ENTRIES(**CLASSIFIER_VALUES)
class KerasClassifier(ClassifierTaskMixin, ClassifierMixin, _KerasWrapperBase):
    """Any Keras classification model as a scikit-learn classifier.

    The model's last layer has one unit per class (softmax), or, for two
    classes, one sigmoid unit; for a multilabel ``y`` (a 0/1 indicator
    matrix), one sigmoid unit per label. Its outputs must be probabilities:
    a model that outputs logits is refused before training. Batches of a
    sparse ``X`` are densified one at a time.

    Parameters
    ----------
    %(model)s
    %(model_params)s
    %(loss)s
    %(optimizer)s
    %(optimizer_params)s
    %(learning_rate)s
    %(batch_size)s
    %(epochs)s
    %(validation_fraction)s
    %(early_stopping)s
    %(patience)s
    %(warm_start)s
    %(shuffle)s
    %(class_weight)s
    %(callbacks)s
    %(engine)s
    %(random_state)s
    %(verbose)s
    %(log_dir)s
    %(routed)s

    Attributes
    ----------
    %(classes_)s
    %(model_)s
    %(history_)s
    %(best_epoch_)s
    %(n_epochs_)s
    %(batch_size_)s
    %(n_outputs_)s
    %(n_features_in_)s
    %(feature_names_in_)s
    %(loss_curve_)s
    %(validation_scores_)s
    %(best_validation_score_)s
    %(best_loss_)s
    %(loss_)s
    %(n_iter_)s
    %(t_)s

    See Also
    --------
    KerasMLPClassifier : A ready-made MLP with its capacity and regularization as parameters.
    KerasRegressor : The same for regression models.

    Examples
    --------
    >>> import keras
    >>> from sklearn.datasets import load_iris
    >>> from skfit import KerasClassifier
    >>> def build(n_features_in, n_classes, units=16):
    ...     return keras.Sequential([keras.Input((n_features_in,)),
    ...                              keras.layers.Dense(units, activation="relu"),
    ...                              keras.layers.Dense(n_classes, activation="softmax")])
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = KerasClassifier(build, model_params={"units": 8}, epochs=3, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 3)
    >>> clf.set_params(model__units=32).get_params()["model__units"]
    32
    """

    _parameter_constraints: dict = {
        **_KerasWrapperBase._parameter_constraints,
        **ClassifierTaskMixin._parameter_constraints,
    }

    def __init__(
        self,
        model=None,
        model_params=None,
        loss=None,
        optimizer="rmsprop",
        optimizer_params=None,
        learning_rate=1e-3,
        batch_size="auto",
        epochs="auto",
        validation_fraction=0.1,
        early_stopping=False,
        patience=5,
        warm_start=False,
        shuffle=True,
        class_weight=None,
        callbacks=None,
        engine="auto",
        random_state=None,
        verbose=0,
        log_dir=None,
        **routed,
    ):
        self.model = model
        self.model_params = model_params
        self.loss = loss
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.patience = patience
        self.warm_start = warm_start
        self.shuffle = shuffle
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.engine = engine
        self.random_state = random_state
        self.verbose = verbose
        self.log_dir = log_dir
        self._routed_keywords(routed)

    def _meta_arguments(self, n_features):
        return {**super()._meta_arguments(n_features), "n_classes": len(self.classes_)}


@KERAS_ENTRIES(**REGRESSOR_VALUES)
class KerasRegressor(RegressorTaskMixin, RegressorMixin, _KerasWrapperBase):
    """Any Keras regression model as a scikit-learn regressor.

    The model's last layer has one unit per target column. The target is
    passed as it is (not standardized, unlike ``KerasMLPRegressor``), so
    that a model of yours may use any output activation and loss. Batches
    of a sparse ``X`` are densified one at a time.

    Parameters
    ----------
    %(model)s
    %(model_params)s
    %(loss)s
    %(optimizer)s
    %(optimizer_params)s
    %(learning_rate)s
    %(batch_size)s
    %(epochs)s
    %(validation_fraction)s
    %(early_stopping)s
    %(patience)s
    %(warm_start)s
    %(shuffle)s
    %(callbacks)s
    %(engine)s
    %(random_state)s
    %(verbose)s
    %(log_dir)s
    %(routed)s

    Attributes
    ----------
    %(model_)s
    %(history_)s
    %(best_epoch_)s
    %(n_epochs_)s
    %(batch_size_)s
    %(n_outputs_)s
    %(n_features_in_)s
    %(feature_names_in_)s
    %(loss_curve_)s
    %(validation_scores_)s
    %(best_validation_score_)s
    %(best_loss_)s
    %(loss_)s
    %(n_iter_)s
    %(t_)s

    See Also
    --------
    KerasMLPRegressor : A ready-made MLP that also standardizes the target.
    KerasClassifier : The same for classification models.

    Examples
    --------
    >>> import keras
    >>> from sklearn.datasets import make_regression
    >>> from skfit import KerasRegressor
    >>> def build(n_features_in, n_outputs):
    ...     return keras.Sequential([keras.Input((n_features_in,)),
    ...                              keras.layers.Dense(n_outputs)])
    >>> X, y = make_regression(n_samples=100, n_features=4, random_state=0)
    >>> KerasRegressor(build, epochs=3, random_state=0).fit(X, y).predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints: dict = {
        **_KerasWrapperBase._parameter_constraints,
        **RegressorTaskMixin._parameter_constraints,
    }

    def __init__(
        self,
        model=None,
        model_params=None,
        loss=None,
        optimizer="rmsprop",
        optimizer_params=None,
        learning_rate=1e-3,
        batch_size="auto",
        epochs="auto",
        validation_fraction=0.1,
        early_stopping=False,
        patience=5,
        warm_start=False,
        shuffle=True,
        callbacks=None,
        engine="auto",
        random_state=None,
        verbose=0,
        log_dir=None,
        **routed,
    ):
        self.model = model
        self.model_params = model_params
        self.loss = loss
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.patience = patience
        self.warm_start = warm_start
        self.shuffle = shuffle
        self.callbacks = callbacks
        self.engine = engine
        self.random_state = random_state
        self.verbose = verbose
        self.log_dir = log_dir
        self._routed_keywords(routed)
