"""skfit's estimator base for Keras models.

:class:`BaseKerasEstimator` owns what every Keras estimator needs to be a
scikit-learn citizen: parameter validation, data validation (dense or
sparse), a shuffled (and, for classifiers, stratified) internal validation
split, per-fit seeding that leaves no global TensorFlow state behind, warm
starts and ``partial_fit``, the choice between the compiled training loop and
``model.fit``, and prediction through the fitted weights.

The hooks it calls are declared here as abstract methods: the task mixins
(:mod:`._tasks`) say how the target is encoded and decoded, the concrete
estimators (:mod:`._mlp`, :mod:`._wrappers`) what network is trained.
"""

import math
import os
import warnings
from abc import ABCMeta, abstractmethod
from dataclasses import fields, is_dataclass
from functools import partial
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..exceptions import NonFiniteWeightsError
from ..utils.fixes import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from ..utils.validation import check_numeric_columns
from . import _engine
from ._data import TrainingData, float32_features
from ._keras_fit import fit_with_keras
from ._lbfgs import train_lbfgs
from ._objectives import OPTIMIZERS, build_optimizer, optimizer_config
from ._params import LBFGS, SCHEDULE_NAMES, TrainingParams
from ._progress import EpochLog, combine
from ._tensorboard import TensorBoardLog, check_log_dir
from ._routing import RoutedParamsMixin, check_optimizer_params
from ._tf import keras


class BaseKerasEstimator(RoutedParamsMixin, BaseEstimator, metaclass=ABCMeta):
    """Common machinery of skfit's Keras estimators; not meant for direct use."""

    _parameter_constraints: dict = {
        "optimizer": [StrOptions(OPTIMIZERS | {LBFGS}), keras.optimizers.Optimizer],
        "optimizer_params": [dict, None],
        "learning_rate": [Interval(Real, 0, None, closed="neither"),
                          StrOptions(set(SCHEDULE_NAMES))],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "epochs": [Interval(Integral, 1, 2**31 - 1, closed="both"), StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
        "shuffle": ["boolean"],
        "callbacks": [list, None],
        "engine": [StrOptions({"auto", "compiled", "numpy", "keras"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "log_dir": [str, os.PathLike, None],
    }
    # optimizer__<name> -> optimizer_params[name] (see RoutedParamsMixin)
    _routed_params = {"optimizer": "optimizer_params"}

    # -- hooks: what subclasses and task mixins provide ------------------------
    @abstractmethod
    def _architecture(self, n_features, seed, sample, shape):
        """The network to train: an object with ``key``, ``n_features``,
        ``n_outputs``, ``accepts_sparse``, ``build()``, ``initial_weights(model)``
        and ``predictor(weights, session_factory)``; ``sample`` holds a few
        dense training rows a user model may be called on, ``shape`` is
        ``(params, batch_size, n_train)`` of the fit (:class:`TrainingParams`)."""

    def _training_params(self):
        """The :class:`TrainingParams` of this fit (skfit's parameters as they are)."""
        optimizer_params, rate = self._optimizer_params_and_rate()
        schedule = self.learning_rate if isinstance(self.learning_rate, str) else "constant"
        return TrainingParams(
            optimizer=self.optimizer, optimizer_params=optimizer_params,
            learning_rate=rate, batch_size=self.batch_size, epochs=self.epochs,
            early_stopping=self.early_stopping, patience=self.patience, shuffle=self.shuffle,
            schedule=schedule,
        )

    def _optimizer_params_and_rate(self):
        """The optimizer's keyword arguments, and the step size: ``learning_rate``, or
        scikeras's ``optimizer__learning_rate`` when that is given instead."""
        params = self.routed("optimizer")
        rate = self.learning_rate if not isinstance(self.learning_rate, str) else 1e-3
        if "learning_rate" in params:
            routed = params.pop("learning_rate")
            if not isinstance(self.learning_rate, str) and self.learning_rate not in (1e-3,
                                                                                   routed):
                raise ValueError(
                    f"optimizer__learning_rate={routed!r} and learning_rate="
                    f"{self.learning_rate!r} set the same step size; pass one of them."
                )
            rate = routed
        return params, rate

    @abstractmethod
    def _target_validation(self):
        """Keyword arguments for ``validate_data`` about ``y``."""

    @abstractmethod
    def _encode_target(self, y, classes=None):
        """Learn the target's encoding (``classes_``, scaling...); return ``y`` encoded."""

    @abstractmethod
    def _encode_known_target(self, y, *, incremental):
        """Encode ``y`` with the encoding of an earlier fit (warm start,
        ``partial_fit``); raise a ValueError if it does not fit that encoding."""

    @abstractmethod
    def _encode_for_output(self, y_encoded, n_units):
        """``(y, objective)`` for a network with ``n_units`` outputs."""

    def _check_sample_outputs(self, architecture):
        """Raise a clear error when a user model's outputs cannot serve the task."""

    def _check_raw_target(self, y):
        """``y``, checked for what sklearn's validation would choke on (a clear error)."""
        return y

    def _stratified_validation(self, y_encoded, n_val):
        """Whether the validation split may be stratified on ``y_encoded``."""
        return False

    def _target_weights(self, y_encoded):
        """Per-sample weights the task adds (class weights), or 1.0."""
        return 1.0

    def _loss(self):
        """A user-given Keras loss replacing the default objective's, or None."""
        return None

    def _check_constructor_keywords(self):
        """Raise for a keyword the constructor kept that is no parameter (none here)."""

    def _callbacks(self):
        """The Keras callbacks to train with (``callbacks``, built)."""
        return list(self.callbacks or [])

    # -- fit -----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X, y``.

        With ``warm_start=True`` and a fitted estimator, training continues
        from the current weights and optimizer state for ``epochs`` more
        epochs, and ``history_`` grows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Numeric training data (a pandas DataFrame keeps its column names
            in ``feature_names_in_``; sparse matrices are never densified
            whole).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights applied to the training and validation loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continuing = self.warm_start and hasattr(self, "_weights")
        return self._fit_keeping_state(X, y, sample_weight, continuing=continuing)

    def _partial_fit(self, X, y, sample_weight, classes=None):
        continuing = hasattr(self, "_weights")
        return self._fit_keeping_state(
            X, y, sample_weight, continuing=continuing, incremental=True, classes=classes
        )

    def _fit_keeping_state(self, X, y, sample_weight, **how):
        # A failed fit leaves the estimator as it was (fitted or not), never
        # half-fitted with new classes_ beside old weights.
        previous_state = dict(self.__dict__)
        try:
            self._fit(X, y, sample_weight, **how)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous_state)
            raise
        return self

    def _fit(self, X, y, sample_weight, *, continuing, incremental=False, classes=None):
        self._check_constructor_keywords()
        params = self._training_params()
        optimizer = self._optimizer_config(params, incremental)
        if self.log_dir is not None:
            check_log_dir(self.log_dir)
        X, y, sample_weight = self._validate_training_data(X, y, sample_weight, reset=not continuing)
        if continuing:
            y_encoded = self._encode_known_target(y, incremental=incremental)
        else:
            y_encoded = self._encode_target(y, classes)
            self._seeds = _draw_seeds(self.random_state)
        split_seed, model_seed, shuffle_seed = self._seeds
        sample_weight = _task_weights(sample_weight, self._target_weights(y_encoded))
        train, val = self._rows(y_encoded, split_seed, incremental)
        batch_size = resolve_batch_size(params.batch_size, len(train))
        architecture = self._fit_architecture(X, model_seed, continuing, incremental,
                                              (params, batch_size, len(train)))
        y_encoded, objective = self._encode_for_output(y_encoded, architecture.n_outputs)
        objective = objective.with_loss(self._loss())
        objective.check_loss(y_encoded[:2], architecture.n_outputs)
        if not params.shuffle:  # the rows in the order of X, not the split's
            train = np.sort(train)
        data = TrainingData(X, y_encoded, sample_weight, train, val)
        settings = _engine.LoopSettings(
            epochs=1 if incremental else resolve_epochs(params.epochs, len(train), batch_size),
            batch_size=batch_size,
            early_stopping=(params.early_stopping or params.convergence) and not incremental,
            patience=params.patience,
            shuffle_seed=shuffle_seed,
            tol=params.tol,
            shuffle=params.shuffle,
            schedule=params.schedule,
            power_t=params.power_t,
            monitor_loss=params.convergence,
            restore=not params.convergence,
        )
        start = self._start_state(architecture, model_seed, continuing,
                                  _monitor(data.has_validation, params.convergence),
                                  params.learning_rate)
        if params.lbfgs:
            result = self._fit_lbfgs(architecture, objective, data, settings, start, params)
        elif self._uses_keras_fit():
            result = self._fit_keras(architecture, optimizer, objective, data, settings, start)
        else:
            result = self._fit_compiled(architecture, optimizer, objective, data, settings, start)
        self._set_fitted(architecture, optimizer, objective, result, settings, data, continuing,
                         params)  # fmt: skip

    def _optimizer_config(self, params, incremental):
        if params.lbfgs:
            self._check_lbfgs(params, incremental)
            return optimizer_config("sgd")  # the session's update rule; L-BFGS replaces it
        _warn_if_optimizer_rate_differs(params.optimizer, params.learning_rate)
        check_optimizer_params(params.optimizer, params.optimizer_params)
        config = optimizer_config(params.optimizer, params.optimizer_params)
        if params.optimizer_params or not isinstance(params.optimizer, str):
            # a clear error now, not in training (a named optimizer alone always builds)
            build_optimizer(config, params.optimizer_params)
        return config

    def _check_lbfgs(self, params, incremental):
        """L-BFGS minimizes the whole training loss of skfit's MLP: what it cannot do is a
        clear error before training."""
        name = type(self).__name__
        problems = []
        if incremental:
            problems.append("partial_fit trains one epoch of mini-batches (use solver 'adam' "
                            "or 'sgd')")
        if not hasattr(self, "hidden_layer_sizes"):
            problems.append("it trains skfit's MLPs only (a model of yours needs a Keras "
                            "optimizer)")
        if getattr(self, "dropout", 0):
            problems.append(f"dropout={self.dropout} makes the loss random (use dropout=0)")
        if self.callbacks or self.engine == "keras":
            problems.append("Keras callbacks and engine='keras' run model.fit")
        unknown = sorted(set(params.optimizer_params) - {"max_fun"})
        if unknown:
            problems.append(f"it takes no optimizer parameters {unknown}")
        if problems:
            raise ValueError(f"{name} cannot train with L-BFGS here: " + "; ".join(problems)
                             + ".")

    def _fit_lbfgs(self, architecture, objective, data, settings, start, params):
        return train_lbfgs(architecture, objective, data, settings, start, params.max_fun,
                           params.tol)

    def _validate_training_data(self, X, y, sample_weight, *, reset):
        check_numeric_columns(X, type(self).__name__)
        y = self._check_raw_target(y)
        X, y = validate_data(
            self, X, y, reset=reset, accept_sparse=("csr", "csc", "coo"),
            dtype=(np.float64, np.float32), **self._target_validation(),
        )  # fmt: skip
        X32 = float32_features(X)
        values = X32.data if sp.issparse(X32) else X32
        if not np.isfinite(values).all():
            largest = np.abs(X.data if sp.issparse(X) else X).max()
            raise ValueError(
                f"X holds values beyond float32's range (largest magnitude {largest:.3g} > "
                f"3.4e+38); {type(self).__name__} trains in float32. Scale X first (e.g. "
                "with StandardScaler, or MaxAbsScaler for sparse X)."
            )
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        return X32, y, sample_weight

    def _rows(self, y_encoded, seed, incremental):
        """Training and validation row indices (int32)."""
        all_rows = np.arange(len(y_encoded), dtype=np.int32)
        if incremental:
            return all_rows, all_rows[:0]
        return self._validation_split(y_encoded, seed)

    def _validation_split(self, y_encoded, seed):
        n = len(y_encoded)
        all_rows = np.arange(n, dtype=np.int32)
        if self.validation_fraction == 0:
            return all_rows, all_rows[:0]
        n_val = math.ceil(self.validation_fraction * n)
        if n - n_val < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} holds out {n_val} of the "
                f"{n} samples, leaving none to train on. Use a smaller validation_fraction, "
                "or 0 to train without validation."
            )
        self._check_training_part(y_encoded, n - n_val)
        splitter = ShuffleSplit(n_splits=1, test_size=n_val, random_state=seed)
        if self._stratified_validation(y_encoded, n_val):
            splitter = StratifiedShuffleSplit(n_splits=1, test_size=n_val, random_state=seed)
        train, val = next(splitter.split(all_rows, y_encoded))
        train, val = self._with_every_class(y_encoded, train, val)
        return train.astype(np.int32), val.astype(np.int32)

    def _check_training_part(self, y_encoded, n_train):
        """Raise when the rows left to train on cannot hold what the task needs."""

    def _with_every_class(self, y_encoded, train, val):
        """``(train, val)``, rows moved so that the training part holds what it must."""
        return train, val

    def _fit_architecture(self, X, seed, continuing, incremental, shape):
        sample = X[:32].toarray() if sp.issparse(X) else X[:32]
        architecture = self._architecture(X.shape[1], seed, sample, shape)
        if continuing and architecture.key != self._architecture_.key:
            raise ValueError(
                f"{'partial_fit' if incremental else 'warm_start'} continues the fitted "
                "network, but the parameters now describe another one "
                f"({_describe_change(self._architecture_, architecture)}). Fit a clone "
                "(or set warm_start=False) to train the new network from scratch."
            )
        self._check_sample_outputs(architecture)
        return architecture

    def _start_state(self, architecture, seed, continuing, watched, learning_rate):
        regularization = getattr(architecture, "regularization", {})
        if not continuing:
            return _engine.StartState(
                weights=architecture.initial_weights(),
                learning_rate=learning_rate,
                seed=seed,
                regularization=regularization,
            )
        monitor, best = self._best_so_far
        # A fit that ran out of epochs goes on from its last epoch (the one its
        # optimizer state belongs to), still holding its best epoch for early
        # stopping to restore; one that early stopping ended, from that best.
        go_on = self._stop != "early_stopping" and monitor == watched
        resume = go_on and self._last_weights is not None
        return _engine.StartState(
            weights=self._last_weights if resume else self._weights,
            learning_rate=learning_rate,
            seed=seed + self.n_epochs_,
            optimizer_values=self._optimizer_values,
            optimizer_kind=self._optimizer_kind,
            epochs_done=self.n_epochs_,
            best=best if monitor == watched else math.inf,
            best_weights=self._weights if resume else None,
            wait=self._wait if go_on else 0,
            regularization=regularization,
        )

    def _uses_keras_fit(self):
        if self.engine == "keras":
            return True
        if self.callbacks and self.engine in ("compiled", "numpy"):
            raise ValueError(
                f"engine={self.engine!r} cannot run Keras callbacks; got "
                f"callbacks={self.callbacks!r}. Use engine='auto' or 'keras'."
            )
        uses_callbacks = bool(self.callbacks)
        if uses_callbacks and self.verbose:
            print(f"{type(self).__name__}: Keras callbacks given, training with model.fit")
        return uses_callbacks

    def _session(self, architecture, optimizer, objective, *, has_validation, sparse_input=False):
        return _engine.get_session(
            architecture, optimizer, objective,
            has_validation=has_validation, sparse_input=sparse_input, engine=self.engine,
        )  # fmt: skip

    def _fit_compiled(self, architecture, optimizer, objective, data, settings, start):
        session = self._session(
            architecture, optimizer, objective,
            has_validation=data.has_validation, sparse_input=data.is_sparse,
        )  # fmt: skip
        log = self._tensorboard_log(session.history_names)
        printer = EpochLog(session.history_names, start.epochs_done + settings.epochs) if self.verbose else None
        try:
            return _engine.train(session, data, settings, start, combine([printer, log]))
        finally:
            if log is not None:
                log.close()

    def _tensorboard_log(self, names):
        return None if self.log_dir is None else TensorBoardLog(self.log_dir, self, names)

    def _fit_keras(self, architecture, optimizer, objective, data, settings, start):
        names = ["loss", *objective.metrics]
        log = self._tensorboard_log(names + ["val_" + n for n in names] if data.has_validation else names)
        try:
            return fit_with_keras(
                architecture.build(), build_optimizer(optimizer), objective, data, settings, start,
                callbacks=self._callbacks(), verbose=self.verbose, listener=log,
            )  # fmt: skip
        finally:
            if log is not None:
                log.close()

    def _set_fitted(self, architecture, optimizer, objective, result, settings, data, continuing,
                    params):  # fmt: skip
        has_validation = data.has_validation
        self._params_used = params
        self._samples_seen = (self._samples_seen if continuing else 0) + \
            result.n_epochs * len(data.train)
        self._validation_variance = (_validation_variance(data)
                                     if self._validation_score == "r2" else None)
        self._architecture_ = architecture
        self._optimizer = optimizer
        self._objective = objective
        self._weights = result.weights
        self._last_weights = result.last_weights
        self._wait, self._stop = result.wait, result.stop
        self._optimizer_values = result.optimizer_values
        self._optimizer_kind = result.optimizer_kind
        self._best_so_far = (_monitor(has_validation, settings.monitor_loss), result.best)
        self._model = None
        history = _joined(self.history_, result.history) if continuing else result.history
        epochs_before = self.n_epochs_ if continuing else 0
        self.history_ = history
        self.n_epochs_ = epochs_before + result.n_epochs
        self.batch_size_ = settings.batch_size
        self.best_epoch_ = _best_epoch(history)
        self._set_predictor()
        if result.stop == "non_finite" or not self._weights_are_finite():
            self._warn_diverged(epochs_before + result.n_epochs,
                                stopped=result.stop == "non_finite")
        elif result.stop == "early_stopping" and self.verbose:
            monitor = _monitor(has_validation, settings.monitor_loss)
            if not settings.restore:
                print(f"Converged after epoch {self.n_epochs_}: the training loss has not "
                      f"improved by tol={settings.tol:g} for {params.patience} epochs.")
                return
            print(
                f"Early stopping after epoch {self.n_epochs_}: {monitor} has not improved "
                f"for {params.patience} epochs; restored the weights of epoch "
                f"{self.best_epoch_} ({monitor} {history[monitor][self.best_epoch_ - 1]:.4f})."
            )

    def _warn_diverged(self, epoch, stopped=True):
        """Warn that training diverged: the loss became non-finite (``stopped``: training
        stopped there), or the weights did while the recorded loss was still finite (an
        update that overflowed, on extreme inputs)."""
        loss = self.history_["loss"][-1]
        kept = "kept the weights of its best epoch" if self._weights_are_finite() else (
            "its weights are no longer finite, so it will refuse to predict"
        )  # fmt: skip
        what = (f"the training loss became {loss} at epoch {epoch}, so training stopped there"
                if stopped else f"its weights became non-finite by epoch {epoch} (training "
                                f"loss {loss:.3g})")
        message = (
            f"{type(self).__name__}: training diverged: {what}; the network {kept}. Lower "
            f"learning_rate (now {self._rate}; try {self._rate / 10:g}), "
            "and scale X (e.g. StandardScaler)."
        )
        if self.verbose:
            print(message)
        warnings.warn(message, RuntimeWarning, stacklevel=5)

    @property
    def _rate(self):
        """The step size of the last fit (a schedule's start)."""
        return self._params_used.learning_rate

    def _weights_are_finite(self):
        return self._finite_weights

    # -- scikit-learn's MLP attributes, from the history -------------------------
    @property
    def loss_curve_(self):
        """Training loss of each epoch (scikit-learn's name for ``history_["loss"]``)."""
        return list(self._fitted("loss_curve_").history_["loss"])

    @property
    def validation_scores_(self):
        """Validation score of each epoch: accuracy (classifiers) or R^2 (regressors
        trained on squared error), as scikit-learn's; None without a validation set."""
        history = self._fitted("validation_scores_").history_
        if self._validation_score == "accuracy":
            return list(history["val_accuracy"]) if "val_accuracy" in history else None
        variance = self._validation_variance
        if variance is None or "val_loss" not in history or self._loss() is not None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            return [float(1.0 - loss / variance.mean()) for loss in history["val_loss"]]

    @property
    def best_validation_score_(self):
        """The best of ``validation_scores_`` (None without a validation set)."""
        scores = self._fitted("best_validation_score_").validation_scores_
        finite = [score for score in scores or [] if np.isfinite(score)]
        return max(finite) if finite else None

    @property
    def best_loss_(self):
        """The lowest training loss (None with early stopping, as in scikit-learn: read
        ``best_validation_score_`` then)."""
        if self._fitted("best_loss_")._params_used.early_stopping:
            return None
        finite = [loss for loss in self.history_["loss"] if np.isfinite(loss)]
        return min(finite) if finite else None

    @property
    def loss_(self):
        """Training loss of the last epoch."""
        return float(self._fitted("loss_").history_["loss"][-1])

    @property
    def n_iter_(self):
        """Epochs run (scikit-learn's name for ``n_epochs_``)."""
        return self._fitted("n_iter_").n_epochs_

    @property
    def t_(self):
        """Training samples seen: epochs times training rows, over every fit of a warm
        start or ``partial_fit``."""
        return self._fitted("t_")._samples_seen

    def _fitted(self, attribute):
        """``self``, or an AttributeError naming ``attribute`` when not fitted."""
        if not hasattr(self, "_weights"):
            raise AttributeError(f"{type(self).__name__} is not fitted yet: no {attribute}.")
        return self

    # -- predict -------------------------------------------------------------
    def _forward(self, X):
        """Network outputs for ``X`` through the fitted predictor (float32 for float32
        input to an MLP, else float64); refuses when they would not be finite."""
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, accept_sparse=("csr", "csc", "coo"),
            dtype=(np.float64, np.float32),
        )  # fmt: skip
        if not self._weights_are_finite():
            raise NonFiniteWeightsError(
                f"{type(self).__name__} cannot predict: its weights are not finite "
                f"because training diverged (training loss {self.history_['loss'][-1]} at "
                f"epoch {self.n_epochs_}). Refit with a lower learning_rate (now "
                f"{self._rate}; try {self._rate / 10:g}), scaled X "
                "(e.g. StandardScaler), or early_stopping=True to keep the best epoch."
            )
        return self._finite(self._predictor(sp.csr_matrix(X) if sp.issparse(X) else X))

    def _finite(self, outputs):
        """``outputs``, or a ValueError naming the rows of X whose outputs are not finite."""
        finite = np.isfinite(outputs).reshape(len(outputs), -1).all(axis=1)
        if not finite.all():
            bad = np.flatnonzero(~finite)
            raise ValueError(
                f"{type(self).__name__} computed non-finite outputs for {len(bad)} of "
                f"{len(outputs)} rows of X (first: row {bad[0]}): the features (or the "
                "training targets) are too extreme for the network's arithmetic. Scale X "
                "(e.g. StandardScaler) and refit, and scale new X as for training."
            )
        return outputs

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
        state.pop("_finite_weights", None)
        state["_model"] = None
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "_weights" in state:
            self._set_predictor()

    def _set_predictor(self):
        """The fitted weights' forward pass, and whether they are finite (checked once
        here, not on every prediction)."""
        self._finite_weights = all(np.isfinite(w).all() for w in self._weights)
        self._predictor = self._make_predictor()

    def _make_predictor(self):
        session = partial(
            self._session, self._architecture_, self._optimizer, self._objective,
            has_validation=False,
        )  # fmt: skip
        return self._architecture_.predictor(self._weights, session)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        tags.input_tags.sparse = True
        return tags


# The "auto" rules: small tables get at least this many batches per epoch; a fit
# runs AUTO_EPOCHS epochs, fewer where they would exceed AUTO_MAX_STEPS gradient
# steps, but never fewer than AUTO_MIN_EPOCHS (noisy many-class tables of a few
# thousand rows need about 100 epochs: benchmarks/bench_defaults.py).
AUTO_BATCH_SIZE, AUTO_MIN_BATCHES = 128, 4
AUTO_EPOCHS, AUTO_MAX_STEPS, AUTO_MIN_EPOCHS = 100, 2000, 20


def resolve_batch_size(batch_size, n_train):
    """``batch_size``, or the "auto" rule ``min(128, ceil(n_train / 4))``; at most ``n_train``."""
    if batch_size == "auto":
        batch_size = min(AUTO_BATCH_SIZE, math.ceil(n_train / AUTO_MIN_BATCHES))
    return max(1, min(batch_size, n_train))


def resolve_epochs(epochs, n_train, batch_size):
    """``epochs``, or the "auto" rule: 100 epochs, at most 2000 steps, at least 20 epochs."""
    if epochs != "auto":
        return epochs
    steps_per_epoch = math.ceil(n_train / batch_size)
    return max(AUTO_MIN_EPOCHS, min(AUTO_EPOCHS, math.ceil(AUTO_MAX_STEPS / steps_per_epoch)))


def _draw_seeds(random_state):
    """``(split, model, shuffle)`` seeds of a fit, drawn from ``random_state``."""
    rng = check_random_state(random_state)
    return tuple(int(s) for s in rng.randint(0, 2**31 - 1, 3))


def _task_weights(sample_weight, task_weights):
    """Sample weights times class weights, as the float32 the loss uses."""
    with np.errstate(over="ignore"):
        weights = (sample_weight * task_weights).astype(np.float32)
    if not np.isfinite(weights).all():
        raise ValueError(
            "sample_weight (times class_weight) holds values beyond float32's range "
            f"(largest {np.max(sample_weight * task_weights):.3g} > 3.4e+38); the loss is "
            "computed in float32. Divide the weights by a common factor."
        )
    return weights


def _monitor(has_validation, monitor_loss=False):
    return "val_loss" if has_validation and not monitor_loss else "loss"


def _validation_variance(data):
    """Variance of each (standardized) target column over the validation rows (R^2 from
    the validation loss); None without validation."""
    if not data.has_validation:
        return None
    return np.asarray(data.y[data.val], dtype=np.float64).reshape(len(data.val), -1).var(axis=0)


def _joined(history, more):
    """``history`` followed by ``more``; a key missing from one side reads NaN there."""
    n_before = len(history["loss"])
    n_more = len(more["loss"])
    keys = list(history) + [k for k in more if k not in history]
    return {
        k: list(history.get(k, [math.nan] * n_before)) + list(more.get(k, [math.nan] * n_more))
        for k in keys
    }


def _best_epoch(history):
    """1-based epoch of the lowest validation loss (training loss without one)."""
    for key in ("val_loss", "loss"):
        values = np.asarray(history.get(key, []), dtype=float)
        finite = np.isfinite(values)
        if finite.any():
            return int(np.argmin(np.where(finite, values, np.inf))) + 1
    return 1


def _describe_change(old, new):
    """What differs between two architectures, for an error message."""
    if is_dataclass(old) and type(old) is type(new):
        changed = [
            f"{f.name} {getattr(old, f.name)!r} -> {getattr(new, f.name)!r}"
            for f in fields(old)
            if f.name != "seed" and getattr(old, f.name) != getattr(new, f.name)
        ]
        return ", ".join(changed)
    return "the model or its parameters changed"


def _warn_if_optimizer_rate_differs(optimizer, learning_rate):
    if isinstance(optimizer, str):
        return
    own_rate = optimizer.get_config().get("learning_rate")
    if own_rate != learning_rate:
        warnings.warn(
            f"The optimizer's own learning rate ({own_rate!r}) is replaced by "
            f"learning_rate={learning_rate!r}; set learning_rate to choose the step size.",
            UserWarning,
            stacklevel=6,
        )
