"""skfit's estimator base for Keras models.

:class:`BaseKerasEstimator` owns what every Keras estimator needs to be a
scikit-learn citizen: parameter validation, data validation, a shuffled (and,
for classifiers, stratified) internal validation split, per-fit seeding that
leaves no global TensorFlow state behind, the choice between the compiled
training loop and ``model.fit``, and fast prediction through a cached traced
function. Subclasses say what model to build (``_architecture``) and how the
target is encoded (``_encode_target``).
"""

import math
import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils.validation import check_numeric_columns
from ..utils.fixes import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from . import _engine
from ._keras_fit import fit_with_keras
from ._objectives import optimizer_config
from ._tf import keras

OPTIMIZERS = frozenset(
    {"adadelta", "adafactor", "adagrad", "adam", "adamax", "adamw", "ftrl", "lion",
     "nadam", "rmsprop", "sgd"}
)  # fmt: skip


class BaseKerasEstimator(BaseEstimator):
    """Common machinery of skfit's Keras estimators; not meant for direct use."""

    _parameter_constraints: dict = {
        "optimizer": [StrOptions(OPTIMIZERS), keras.optimizers.Optimizer],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, 2**31 - 1, closed="both")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "callbacks": [list, None],
        "engine": [StrOptions({"auto", "compiled", "keras"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # -- fit -----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X, y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric training data (a pandas DataFrame keeps its column names
            in ``feature_names_in_``).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights applied to the training and validation loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        # A failed fit leaves the estimator as it was (fitted or not), never
        # half-fitted with new classes_ beside old weights.
        previous_state = dict(self.__dict__)
        try:
            self._fit(X, y, sample_weight)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous_state)
            raise
        return self

    def _fit(self, X, y, sample_weight):
        _warn_if_optimizer_rate_differs(self.optimizer, self.learning_rate)
        X, y, sample_weight = self._validate_training_data(X, y, sample_weight)
        y_encoded = self._encode_target(y)
        sample_weight = (sample_weight * self._target_weights(y_encoded)).astype(np.float32)

        rng = check_random_state(self.random_state)
        split_seed, model_seed, shuffle_seed = (int(s) for s in rng.randint(0, 2**31 - 1, 3))
        train, val = self._validation_indices(y_encoded, split_seed)
        architecture = self._architecture(X.shape[1], model_seed)
        y_encoded, objective = self._encode_for_output(y_encoded, architecture.n_outputs)
        objective = objective.with_loss(self._loss())
        objective.check_loss(y_encoded[:2], architecture.n_outputs)
        data = _split_arrays(X, y_encoded, sample_weight, train, val)
        settings = _engine.LoopSettings(
            epochs=self.epochs,
            batch_size=min(self.batch_size, len(train)),
            early_stopping=self.early_stopping,
            patience=self.patience,
            shuffle_seed=shuffle_seed,
        )
        if self._uses_keras_fit():
            result = self._fit_keras(architecture, objective, data, settings, model_seed)
        else:
            result = self._fit_compiled(architecture, objective, data, settings, model_seed)
        self._set_fitted(architecture, objective, result)

    def _validate_training_data(self, X, y, sample_weight):
        check_numeric_columns(X, type(self).__name__)
        X, y = validate_data(
            self, X, y, dtype=(np.float64, np.float32), **self._target_validation()
        )
        with np.errstate(over="ignore"):
            X32 = X.astype(np.float32)
        if not np.isfinite(X32).all():
            raise ValueError(
                f"X holds values beyond float32's range (largest magnitude "
                f"{np.abs(X).max():.3g} > 3.4e+38); {type(self).__name__} trains in "
                "float32. Scale X first (e.g. with StandardScaler)."
            )
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        return X32, y, sample_weight

    def _uses_keras_fit(self):
        if self.engine == "keras":
            return True
        if self.callbacks and self.engine == "compiled":
            raise ValueError(
                "engine='compiled' cannot run Keras callbacks; got "
                f"callbacks={self.callbacks!r}. Use engine='auto' or 'keras'."
            )
        uses_callbacks = bool(self.callbacks)
        if uses_callbacks and self.verbose:
            print(f"{type(self).__name__}: Keras callbacks given, training with model.fit")
        return uses_callbacks

    def _loss(self):
        """A user-given Keras loss replacing the default objective's, or None."""
        return None

    def _session(self, architecture, objective, has_validation):
        return _engine.get_session(
            architecture.key,
            architecture.build,
            architecture.n_features,
            optimizer_config(self.optimizer),
            objective,
            has_validation,
        )

    def _fit_compiled(self, architecture, objective, data, settings, seed):
        session = self._session(architecture, objective, has_validation=len(data[3]) > 0)
        initial = architecture.initial_weights(session.model)
        return _engine.train(session, data, settings, initial, self.learning_rate, seed)

    def _fit_keras(self, architecture, objective, data, settings, seed):
        model = architecture.build()
        model.set_weights(architecture.initial_weights(model))
        optimizer = keras.optimizers.get(optimizer_config(self.optimizer))
        optimizer.learning_rate = self.learning_rate
        return fit_with_keras(
            model, optimizer, objective, data, settings,
            callbacks=self.callbacks, verbose=self.verbose, seed=seed,
        )  # fmt: skip

    def _set_fitted(self, architecture, objective, result):
        self._architecture_ = architecture
        self._objective = objective
        self._weights = result.weights
        self._predictor = self._make_predictor()
        self._model = None
        self.history_ = result.history
        self.n_epochs_ = result.n_epochs
        self.best_epoch_ = result.best_epoch
        if not np.isfinite(result.history["loss"][-1]):
            warnings.warn(
                f"{type(self).__name__}: the training loss became "
                f"{result.history['loss'][-1]} (training diverged); lower "
                f"learning_rate (now {self.learning_rate}).",
                RuntimeWarning,
                stacklevel=3,
            )
        if self.verbose:
            _print_history(result.history)

    def _validation_indices(self, y, seed):
        n = len(y)
        all_rows = np.arange(n)
        n_val = math.ceil(self.validation_fraction * n)
        if n_val == 0 or n - n_val < 1:
            return all_rows, all_rows[:0]
        splitter = ShuffleSplit(n_splits=1, test_size=n_val, random_state=seed)
        if self._stratified_validation(y, n_val):
            splitter = StratifiedShuffleSplit(n_splits=1, test_size=n_val, random_state=seed)
        return next(splitter.split(all_rows, y))

    def _stratified_validation(self, y, n_val):
        return False

    def _target_weights(self, y_encoded):
        return 1.0

    # -- predict -------------------------------------------------------------
    def _forward(self, X):
        """Network outputs for ``X`` (float64), through the fitted predictor."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self._predictor(X)

    @property
    def model_(self):
        """The fitted Keras model (built on first access from the fitted weights)."""
        if not hasattr(self, "_weights"):
            raise AttributeError(f"{type(self).__name__} is not fitted yet: no model_.")
        if self._model is None:
            self._model = self._architecture_.build()
            self._model.set_weights(self._weights)
        return self._model

    # -- state ---------------------------------------------------------------
    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ is __dict__
        state.pop("_predictor", None)
        state["_model"] = None
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "_weights" in state:
            self._predictor = self._make_predictor()

    def _make_predictor(self):
        session = partial(self._session, self._architecture_, self._objective, False)
        return self._architecture_.predictor(self._weights, session)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags


def _warn_if_optimizer_rate_differs(optimizer, learning_rate):
    if isinstance(optimizer, str):
        return
    own_rate = optimizer.get_config().get("learning_rate")
    if own_rate != learning_rate:
        warnings.warn(
            f"The optimizer's own learning rate ({own_rate!r}) is replaced by "
            f"learning_rate={learning_rate!r}; set learning_rate to choose the step size.",
            UserWarning,
            stacklevel=4,
        )


def _split_arrays(X, y, sample_weight, train, val):
    return (X[train], y[train], sample_weight[train], X[val], y[val], sample_weight[val])


def _print_history(history):
    n = len(history["loss"])
    for epoch in range(n):
        values = " - ".join(f"{k}: {v[epoch]:.4f}" for k, v in history.items())
        print(f"Epoch {epoch + 1}/{n} - {values}")
