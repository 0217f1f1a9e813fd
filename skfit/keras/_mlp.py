"""A multi-layer perceptron whose capacity and regularization are plain knobs."""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, RegressorMixin

from ..utils._dense import dense_weights
from ..utils.fixes import Interval, StrOptions
from ._base import BaseKerasEstimator
from ._engine import keras_model_session
from ._mlp_session import mlp_session
from ._numpy_loop import NUMPY_MAX_WEIGHTS, numpy_session
from ._numpy_network import PREDICT_ACTIVATIONS
from ._sklearn_names import ACTIVATION_ALIASES, SOLVERS
from ._sklearn_names import resolve as resolve_sklearn_names
from ._docs import CLASSIFIER_VALUES, KERAS_ENTRIES, MLP_VALUES, REGRESSOR_VALUES
from ._tasks import ClassifierTaskMixin, RegressorTaskMixin
from ._tf import keras

ACTIVATIONS = frozenset(
    {"elu", "gelu", "leaky_relu", "linear", "relu", "selu", "sigmoid", "softplus", "swish",
     "tanh"}
)  # fmt: skip

#: scikit-learn's output activations, by skfit's (Keras's) names.
_SKLEARN_OUTPUT_ACTIVATIONS = {"softmax": "softmax", "sigmoid": "logistic", "linear": "identity"}


def build_mlp(
    n_features,
    n_outputs,
    hidden_layer_sizes=(100,),
    *,
    activation="relu",
    output_activation="softmax",
    dropout=0.0,
    l1=0.0,
    l2=0.0,
    seed=0,
):
    """Build an uncompiled Keras MLP: Dense hidden layers, optional dropout and L1/L2.

    The network skfit's MLP estimators train: ``hidden_layer_sizes`` Dense
    layers with ``activation`` (each followed by Dropout when ``dropout`` is
    set) and an output layer of ``n_outputs`` units with
    ``output_activation``; L1/L2 penalties apply to every kernel.

    Parameters
    ----------
    n_features : int
        Number of input features.
    n_outputs : int
        Units of the output layer.
    hidden_layer_sizes : tuple of int, default=(100,)
        Units of each hidden layer; ``()`` gives a linear (or logistic) model.
    activation : str, default="relu"
        Activation of the hidden layers.
    output_activation : str, default="softmax"
        Activation of the output layer (``"linear"`` for regression).
    dropout : float, default=0.0
        Fraction of each hidden layer's outputs zeroed during training.
    l1, l2 : float, default=0.0
        Weight penalties on every kernel, added to the training loss.
    seed : int, default=0
        Seed of the initializers and dropout layers.

    Returns
    -------
    model : keras.Sequential
        The network, built for inputs of ``n_features`` columns; its
        weights are Keras's initial ones (skfit's estimators set their own).

    See Also
    --------
    KerasMLPClassifier, KerasMLPRegressor : Estimators that train this network.

    Examples
    --------
    >>> from skfit import build_mlp
    >>> model = build_mlp(64, 10, (32, 16), dropout=0.2)
    >>> [layer.units for layer in model.layers if hasattr(layer, "units")]
    [32, 16, 10]
    """
    regularizer = keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None
    layers = [keras.Input((n_features,))]
    for i, units in enumerate(hidden_layer_sizes):
        layers.append(
            keras.layers.Dense(
                units,
                activation=activation,
                kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i),
                kernel_regularizer=regularizer,
            )
        )
        if dropout:
            layers.append(keras.layers.Dropout(dropout, seed=seed + i))
    layers.append(
        keras.layers.Dense(
            n_outputs,
            activation=output_activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + len(hidden_layer_sizes)),
            kernel_regularizer=regularizer,
        )
    )
    return keras.Sequential(layers)


@dataclass(frozen=True)
class MLPArchitecture:
    """The model a fitted KerasMLP estimator trains: key, builder, initial weights."""

    n_features: int
    n_outputs: int
    hidden_layer_sizes: tuple
    activation: str
    output_activation: str
    dropout: float
    l1: float
    l2: float
    seed: int

    accepts_sparse = True  # Dense layers multiply sparse batches directly

    @property
    def key(self):
        return ("mlp", *(v for k, v in vars(self).items() if k != "seed"))

    @property
    def shape_free_key(self):
        """Identity of the network up to its widths, input width and regularization
        strengths (one trace each): its depth, activations and which regularizers it has."""
        return (len(self.hidden_layer_sizes), self.activation, self.output_activation,
                bool(self.dropout), bool(self.l1), bool(self.l2))  # fmt: skip

    @property
    def regularization(self):
        """The strengths the shape-free loop takes as data."""
        return {"dropout": self.dropout, "l1": self.l1, "l2": self.l2}

    @property
    def n_weights(self):
        """The number of weights and biases."""
        return dense_weights([self.n_features, *self.hidden_layer_sizes, self.n_outputs])

    def session(self, optimizer_config, objective, has_validation, sparse_input, engine="compiled"):
        """``(key, factory)`` of the training session.

        ``engine="numpy"``, or ``"auto"`` for a network of at most
        :data:`~skfit.keras._numpy_loop.NUMPY_MAX_WEIGHTS` weights: the NumPy
        loop, when it can train the configuration; otherwise skfit's own
        shape-free TensorFlow loop when the optimizer's update rule is one it
        has, else Keras's model and optimizer.
        """
        if engine == "numpy" or (engine == "auto" and self.n_weights <= NUMPY_MAX_WEIGHTS):
            factory, reason = numpy_session(self, optimizer_config, objective, has_validation)
            if reason is None:
                return None, factory  # nothing traced: nothing worth caching
            if engine == "numpy":
                raise ValueError(
                    f"engine='numpy' cannot train this network: it has {reason}. Use "
                    "engine='auto' or 'compiled'."
                )
        configuration = (optimizer_config, objective, has_validation, sparse_input)
        return mlp_session(self, *configuration) or keras_model_session(self, *configuration)

    def build(self):
        return build_mlp(
            self.n_features,
            self.n_outputs,
            self.hidden_layer_sizes,
            activation=self.activation,
            output_activation=self.output_activation,
            dropout=self.dropout,
            l1=self.l1,
            l2=self.l2,
        )

    def initial_weights(self):
        """Glorot-uniform kernels and zero biases drawn from ``seed``."""
        rng = np.random.default_rng(self.seed)
        widths = [self.n_features, *self.hidden_layer_sizes, self.n_outputs]
        weights = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            weights.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
            weights.append(np.zeros(fan_out, dtype=np.float32))
        return weights

    def predictor(self, weights, session):
        """A float64 NumPy forward pass with the fitted ``weights``."""
        return _MLPForward(weights, self.activation, self.output_activation)


#: Rows predicted at a time: no array of n_samples x width is made (60000 x 784 -> 512
#: -> 10 in float32: 123 MB less at the peak, and 0-1% faster than in one piece).
_ROWS_PER_BLOCK = 4096


class _MLPForward:
    """Dense layers in NumPy: row-independent and ~10x faster than TF calls.

    float32 input is computed in float32 (as scikit-learn's MLP does: twice
    the speed, results within float32 rounding); anything else in float64.
    Large inputs go through in blocks of rows.
    """

    def __init__(self, weights, activation, output_activation):
        self._layers = {
            np.float64: [
                (np.asarray(kernel, dtype=np.float64), np.asarray(bias, dtype=np.float64))
                for kernel, bias in zip(weights[::2], weights[1::2])
            ]
        }
        n_hidden = len(weights) // 2 - 1
        self._activations = [PREDICT_ACTIVATIONS[activation]] * n_hidden + [
            PREDICT_ACTIVATIONS[output_activation]
        ]

    def _layers_in(self, dtype):
        if dtype not in self._layers:
            self._layers[dtype] = [(k.astype(dtype), b.astype(dtype)) for k, b in self._layers[np.float64]]
        return self._layers[dtype]

    def __call__(self, x):
        dtype = np.float32 if x.dtype == np.float32 else np.float64
        layers = self._layers_in(dtype)
        n_rows = x.shape[0]
        if n_rows <= _ROWS_PER_BLOCK:
            return self._block(x, dtype, layers)
        outputs = np.empty((n_rows, layers[-1][0].shape[1]), dtype=dtype)
        for start in range(0, n_rows, _ROWS_PER_BLOCK):
            stop = start + _ROWS_PER_BLOCK
            outputs[start:stop] = self._block(x[start:stop], dtype, layers)
        return outputs

    def _block(self, x, dtype, layers):
        z = x.astype(dtype, copy=False) if sp.issparse(x) else np.asarray(x, dtype=dtype)
        for (kernel, bias), activation in zip(layers, self._activations):
            z = np.asarray(z @ kernel)  # a new array: the steps below may overwrite it
            z += bias
            z = activation(z)
        return z


class _KerasMLPBase(BaseKerasEstimator):
    _parameter_constraints: dict = {
        **BaseKerasEstimator._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(ACTIVATIONS | set(ACTIVATION_ALIASES))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "l1": [Interval(Real, 0, None, closed="left")],
        "l2": [Interval(Real, 0, None, closed="left")],
        # scikit-learn's names (see _sklearn_names)
        "solver": [StrOptions(set(SOLVERS)), None],
        "alpha": [Interval(Real, 0, None, closed="left"), None],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither"), None],
        "max_iter": [Interval(Integral, 1, 2**31 - 1, closed="both"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "momentum": [Interval(Real, 0, 1, closed="both"), None],
        "nesterovs_momentum": ["boolean", None],
        "beta_1": [Interval(Real, 0, 1, closed="left"), None],
        "beta_2": [Interval(Real, 0, 1, closed="left"), None],
        "epsilon": [Interval(Real, 0, None, closed="neither"), None],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
    }
    _output_activation = "linear"

    def _training_params(self):
        return resolve_sklearn_names(self)

    def _architecture(self, n_features, seed, sample, shape):
        params, _, n_train = shape
        return MLPArchitecture(
            n_features=n_features,
            n_outputs=self.n_outputs_,
            hidden_layer_sizes=_layer_sizes(self.hidden_layer_sizes),
            activation=params.activation or self.activation,
            output_activation=self._output_activation,
            dropout=float(self.dropout),
            l1=float(self.l1),
            l2=float(params.l2(self.l2, n_train)),
            seed=seed,
        )

    # -- scikit-learn's MLP attributes, from the fitted network -------------------
    @property
    def coefs_(self):
        """Weight matrices of the layers, ``coefs_[i]`` of shape (units in, units out)
        (scikit-learn's layout; Keras's Dense kernels)."""
        return [np.asarray(w) for w in self._fitted("coefs_")._weights[::2]]

    @property
    def intercepts_(self):
        """Bias vectors of the layers, ``intercepts_[i]`` of shape (units out,)."""
        return [np.asarray(b) for b in self._fitted("intercepts_")._weights[1::2]]

    @property
    def n_layers_(self):
        """Number of layers: input, hidden and output."""
        return len(self._fitted("n_layers_")._architecture_.hidden_layer_sizes) + 2

    @property
    def out_activation_(self):
        """Activation of the output layer, in scikit-learn's names ("softmax",
        "logistic", "identity")."""
        name = self._fitted("out_activation_")._architecture_.output_activation
        return _SKLEARN_OUTPUT_ACTIVATIONS.get(name, name)


def _layer_sizes(hidden_layer_sizes):
    sizes = (
        (hidden_layer_sizes,)
        if isinstance(hidden_layer_sizes, Integral)
        else tuple(hidden_layer_sizes)
    )
    if not all(isinstance(s, Integral) and s >= 1 for s in sizes):
        raise ValueError(
            "hidden_layer_sizes must be an int >= 1 or a sequence of ints >= 1 "
            f"(() for no hidden layer); got {hidden_layer_sizes!r}."
        )
    return tuple(int(s) for s in sizes)


@KERAS_ENTRIES(linear="multinomial logistic regression", activations=str(sorted(ACTIVATIONS)),
               **{**CLASSIFIER_VALUES, **MLP_VALUES})  # fmt: skip
class KerasMLPClassifier(ClassifierTaskMixin, ClassifierMixin, _KerasMLPBase):
    """Multi-layer perceptron classifier trained with Keras.

    A network whose capacity and regularization are constructor parameters,
    trained by a compiled loop that runs all epochs in one TensorFlow call.
    Its output layer is a softmax over the classes, or, for a multilabel
    ``y`` (a 0/1 indicator matrix), one sigmoid unit per label. ``X`` may be
    dense or sparse (batches of a sparse matrix are multiplied sparse, never
    densified whole).

    Parameters
    ----------
    %(hidden_layer_sizes)s
    %(activation)s
    %(dropout)s
    %(l1_l2)s
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
    %(solver)s
    %(alpha)s
    %(learning_rate_init)s
    %(max_iter)s
    %(n_iter_no_change)s
    %(tol)s
    %(momentum)s
    %(nesterovs_momentum)s
    %(beta_1)s
    %(beta_2)s
    %(epsilon)s
    %(power_t)s
    %(max_fun)s

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
    %(coefs_)s
    %(intercepts_)s
    %(n_layers_)s
    %(out_activation_)s

    See Also
    --------
    KerasMLPRegressor : The same network for regression.
    KerasClassifier : Any Keras classification model of yours as an estimator.
    sklearn.neural_network.MLPClassifier : The MLP of scikit-learn.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfit import KerasMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = KerasMLPClassifier(hidden_layer_sizes=(32,), epochs=5, random_state=0)
    >>> clf.fit(X / 16, y).predict(X[:3] / 16).shape
    (3,)
    >>> sorted(clf.history_)
    ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    """

    _parameter_constraints: dict = {
        **_KerasMLPBase._parameter_constraints,
        **ClassifierTaskMixin._parameter_constraints,
    }

    @property
    def _output_activation(self):
        return "sigmoid" if self._multilabel else "softmax"

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        l1=0.0,
        l2=0.0,
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
        solver=None,
        alpha=None,
        learning_rate_init=None,
        max_iter=None,
        n_iter_no_change=None,
        tol=None,
        momentum=None,
        nesterovs_momentum=None,
        beta_1=None,
        beta_2=None,
        epsilon=None,
        power_t=0.5,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.l1 = l1
        self.l2 = l2
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
        self.solver = solver
        self.alpha = alpha
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.power_t = power_t
        self.max_fun = max_fun


@KERAS_ENTRIES(linear="linear regression", activations=str(sorted(ACTIVATIONS)),
               **{**REGRESSOR_VALUES, **MLP_VALUES})
class KerasMLPRegressor(RegressorTaskMixin, RegressorMixin, _KerasMLPBase):
    """Multi-layer perceptron regressor trained with Keras.

    Linear outputs (one per target column) under a mean-squared-error loss;
    capacity and regularization are constructor parameters. The network
    learns the target standardized (each column minus its mean, over its
    standard deviation) and predictions are mapped back, so that targets of
    any scale and offset train alike; ``loss`` and ``val_loss`` in
    ``history_`` are therefore in units of the target's variance (1.0 is
    the loss of predicting the mean). ``X`` may be dense or sparse.

    Parameters
    ----------
    %(hidden_layer_sizes)s
    %(activation)s
    %(dropout)s
    %(l1_l2)s
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
    %(solver)s
    %(alpha)s
    %(learning_rate_init)s
    %(max_iter)s
    %(n_iter_no_change)s
    %(tol)s
    %(momentum)s
    %(nesterovs_momentum)s
    %(beta_1)s
    %(beta_2)s
    %(epsilon)s
    %(power_t)s
    %(max_fun)s

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
    %(coefs_)s
    %(intercepts_)s
    %(n_layers_)s
    %(out_activation_)s

    See Also
    --------
    KerasMLPClassifier : The same network for classification.
    KerasRegressor : Any Keras regression model of yours as an estimator.
    sklearn.neural_network.MLPRegressor : The MLP of scikit-learn.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skfit import KerasMLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    >>> reg = KerasMLPRegressor(epochs=5, random_state=0).fit(X, y / 100)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _scales_target = True
    _parameter_constraints: dict = {
        **_KerasMLPBase._parameter_constraints,
        **RegressorTaskMixin._parameter_constraints,
    }
    _output_activation = "linear"

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        l1=0.0,
        l2=0.0,
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
        solver=None,
        alpha=None,
        learning_rate_init=None,
        max_iter=None,
        n_iter_no_change=None,
        tol=None,
        momentum=None,
        nesterovs_momentum=None,
        beta_1=None,
        beta_2=None,
        epsilon=None,
        power_t=0.5,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.l1 = l1
        self.l2 = l2
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
        self.solver = solver
        self.alpha = alpha
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.power_t = power_t
        self.max_fun = max_fun
