"""scikit-learn's gallery examples that use its MLPs, with the MLP classes as arguments.

Each ``run_*`` function is the computation of one of scikit-learn's examples
(``examples/neural_networks/plot_mlp_alpha.py``, ``plot_mlp_training_curves.py``,
``plot_mnist_filters.py``, ``plot_rbm_logistic_classification.py``,
``examples/classification/plot_classifier_comparison.py`` and
``examples/inspection/plot_partial_dependence.py``), with the code that uses
the network unchanged and the network's classes passed in: scikit-learn's
``MLPClassifier``/``MLPRegressor`` or skfit's, with only the name changed.
Where an example downloads its data (MNIST, bike sharing), bundled or
generated data of the same kind stands in. ``quick=True`` runs a smaller
version (fewer settings, fewer iterations) for the test suite;
benchmarks/bench_sklearn_examples.py runs them whole and times both.

Each returns a dict of scores (name -> float), the numbers the example prints.
"""

import warnings

import numpy as np
from scipy.ndimage import convolve
from sklearn.datasets import (
    load_digits,
    load_iris,
    make_circles,
    make_classification,
    make_friedman1,
    make_moons,
)
from sklearn.inspection import partial_dependence
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, QuantileTransformer, StandardScaler, minmax_scale

__all__ = ["EXAMPLES"]


def _quiet(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's ConvergenceWarning, as the examples
        return fit()


def _three_datasets():
    X, y = make_classification(n_features=2, n_redundant=0, n_informative=2, random_state=0,
                               n_clusters_per_class=1)
    X += 2 * np.random.RandomState(2).uniform(size=X.shape)
    return {"moons": make_moons(noise=0.3, random_state=0),
            "circles": make_circles(noise=0.2, factor=0.5, random_state=1),
            "linearly separable": (X, y)}


def run_alpha(MLPClassifier, MLPRegressor, quick=False):
    """Varying regularization (``alpha``) with the L-BFGS solver."""
    alphas = np.logspace(-1, 1, 3 if quick else 5)
    scores = {}
    for name, (X, y) in _three_datasets().items():
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4,
                                                            random_state=42)
        for alpha in alphas:
            clf = make_pipeline(StandardScaler(), MLPClassifier(
                solver="lbfgs", alpha=alpha, random_state=1, max_iter=2000,
                early_stopping=True, hidden_layer_sizes=[10, 10]))
            _quiet(lambda: clf.fit(X_train, y_train))
            xx, yy = np.meshgrid(np.linspace(X[:, 0].min(), X[:, 0].max(), 50),
                                 np.linspace(X[:, 1].min(), X[:, 1].max(), 50))
            surface = clf.predict_proba(np.column_stack([xx.ravel(), yy.ravel()]))[:, 1]
            assert surface.reshape(xx.shape).shape == (50, 50)  # the decision surface drawn
            scores[f"{name}, alpha {alpha:.2f}"] = clf.score(X_test, y_test)
    return scores


_SOLVERS = [
    {"solver": "sgd", "learning_rate": "constant", "momentum": 0, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "constant", "momentum": 0.9,
     "nesterovs_momentum": False, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "constant", "momentum": 0.9,
     "nesterovs_momentum": True, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "invscaling", "momentum": 0, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "invscaling", "momentum": 0.9,
     "nesterovs_momentum": True, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "invscaling", "momentum": 0.9,
     "nesterovs_momentum": False, "learning_rate_init": 0.2},
    {"solver": "adam", "learning_rate_init": 0.01},
]


def run_training_curves(MLPClassifier, MLPRegressor, quick=False):
    """The training-loss curves of the stochastic solvers (``loss_curve_``, ``loss_``)."""
    iris = load_iris()
    digits = load_digits()
    data_sets = {"iris": (iris.data, iris.target), "digits": (digits.data, digits.target),
                 "circles": make_circles(noise=0.2, factor=0.5, random_state=1),
                 "moons": make_moons(noise=0.3, random_state=0)}
    if quick:
        data_sets = {name: data_sets[name] for name in ("iris", "moons")}
    solvers = [_SOLVERS[i] for i in (0, 2, 3, 6)] if quick else _SOLVERS
    scores = {}
    for name, (X, y) in data_sets.items():
        X = MinMaxScaler().fit_transform(X)
        max_iter = 15 if name == "digits" else (100 if quick else 400)
        for number, param in enumerate(solvers):
            mlp = MLPClassifier(verbose=0, random_state=0, max_iter=max_iter, **param)
            _quiet(lambda: mlp.fit(X, y))
            assert len(mlp.loss_curve_) == mlp.n_iter_ and mlp.loss_ == mlp.loss_curve_[-1]
            scores[f"{name}, solver {number}"] = mlp.score(X, y)
    return scores


def run_first_layer(MLPClassifier, MLPRegressor, quick=False):
    """The first layer's weights (``coefs_[0]``), on digits in place of MNIST."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=15 if quick else 30, alpha=1e-4,
                        solver="sgd", verbose=0, random_state=1, learning_rate_init=0.1)
    _quiet(lambda: mlp.fit(X_train, y_train))
    vmin, vmax = mlp.coefs_[0].min(), mlp.coefs_[0].max()
    images = [coef.reshape(8, 8) for coef in mlp.coefs_[0].T]
    assert len(images) == 16 and vmin < 0 < vmax
    return {"training set": mlp.score(X_train, y_train), "test set": mlp.score(X_test, y_test)}


def _nudge_dataset(X, Y):
    """Five times the digits: the images and their copies moved by 1px each way."""
    direction_vectors = [[[0, 1, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
                         [[0, 0, 0], [0, 0, 1], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 1, 0]]]

    def shift(x, w):
        return convolve(x.reshape((8, 8)), mode="constant", weights=w).ravel()

    X = np.concatenate([X] + [np.apply_along_axis(shift, 1, X, vector)
                              for vector in direction_vectors])
    return X, np.concatenate([Y for _ in range(5)], axis=0)


def run_rbm_pipeline(MLPClassifier, MLPRegressor, quick=False):
    """RBM features, then the classifier (here the MLP), in one Pipeline."""
    X, y = load_digits(return_X_y=True)
    X = np.asarray(X, "float32")
    if not quick:
        X, y = _nudge_dataset(X, y)
    X = minmax_scale(X, feature_range=(0, 1))
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    rbm = BernoulliRBM(random_state=0, learning_rate=0.06, n_iter=5 if quick else 10,
                       n_components=32 if quick else 100)
    classifier = Pipeline([("rbm", rbm), ("mlp", MLPClassifier(max_iter=50 if quick else 200,
                                                                random_state=0))])
    _quiet(lambda: classifier.fit(X_train, y_train))
    return {"RBM features": classifier.score(X_test, y_test)}


def run_classifier_comparison(MLPClassifier, MLPRegressor, quick=False):
    """The MLP row of scikit-learn's classifier comparison."""
    scores = {}
    for name, (X, y) in _three_datasets().items():
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4,
                                                            random_state=42)
        clf = make_pipeline(StandardScaler(), MLPClassifier(alpha=1, max_iter=1000,
                                                            random_state=42))
        _quiet(lambda: clf.fit(X_train, y_train))
        scores[name] = clf.score(X_test, y_test)
    return scores


def run_partial_dependence(MLPClassifier, MLPRegressor, quick=False):
    """Partial dependence of an MLP regressor, on make_friedman1 in place of bike sharing."""
    X, y = make_friedman1(n_samples=600 if quick else 2000, n_features=7, noise=1.0,
                          random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    model = make_pipeline(QuantileTransformer(n_quantiles=100), MLPRegressor(
        hidden_layer_sizes=(30, 15), learning_rate_init=0.01, early_stopping=True,
        random_state=0))
    _quiet(lambda: model.fit(X_train, y_train))
    informative, noise = (np.ptp(partial_dependence(
        model, X_train, features=[feature], grid_resolution=10 if quick else 20)["average"])
        for feature in (3, 5))
    return {"test R^2": model.score(X_test, y_test),
            "informative feature's partial dependence range": informative,
            "noise feature's partial dependence range": noise}


#: name -> runner
EXAMPLES = {
    "varying alpha (L-BFGS)": run_alpha,
    "training curves of the solvers": run_training_curves,
    "first layer's weights": run_first_layer,
    "RBM + classifier pipeline": run_rbm_pipeline,
    "classifier comparison": run_classifier_comparison,
    "partial dependence": run_partial_dependence,
}
