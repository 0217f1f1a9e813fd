"""
scikit-learn's solvers, on skfit: training curves of SGD and Adam
=================================================================

scikit-learn's gallery compares the stochastic solvers of its
``MLPClassifier`` by their training-loss curves (``loss_curve_``): SGD with a
constant or inverse-scaling learning rate, with and without (Nesterov's)
momentum, and Adam. This is that script with ``KerasMLPClassifier`` in place
of ``MLPClassifier``, nothing else changed: the same parameter names
(``solver``, ``learning_rate``, ``learning_rate_init``, ``momentum``,
``nesterovs_momentum``, ``max_iter``) with the same meaning, and the same
fitted attributes (``loss_curve_``, ``loss_``). The curves tell the same
story: momentum speeds SGD up, the inverse-scaling schedule slows it down,
Adam is fastest early.
"""

# %%
import os
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn import datasets  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

from skfit import KerasMLPClassifier as MLPClassifier  # noqa: E402  (the only change)

OUT = Path(os.environ.get("SKFIT_EXAMPLES_OUT", "."))

# different learning rate schedules and momentum parameters
params = [
    {"solver": "sgd", "learning_rate": "constant", "momentum": 0, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "constant", "momentum": 0.9,
     "nesterovs_momentum": False, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "constant", "momentum": 0.9,
     "nesterovs_momentum": True, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "invscaling", "momentum": 0, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "invscaling", "momentum": 0.9,
     "nesterovs_momentum": False, "learning_rate_init": 0.2},
    {"solver": "sgd", "learning_rate": "invscaling", "momentum": 0.9,
     "nesterovs_momentum": True, "learning_rate_init": 0.2},
    {"solver": "adam", "learning_rate_init": 0.01},
]
labels = ["constant learning-rate", "constant with momentum",
          "constant with Nesterov's momentum", "inv-scaling learning-rate",
          "inv-scaling with momentum", "inv-scaling with Nesterov's momentum", "adam"]
plot_args = [{"c": "red", "linestyle": "-"}, {"c": "green", "linestyle": "-"},
             {"c": "blue", "linestyle": "-"}, {"c": "red", "linestyle": "--"},
             {"c": "green", "linestyle": "--"}, {"c": "blue", "linestyle": "--"},
             {"c": "black", "linestyle": "-"}]


def plot_on_dataset(X, y, ax, name):
    # for each dataset, plot learning for each learning strategy
    print(f"\nlearning on dataset {name}")
    ax.set_title(name)
    X = MinMaxScaler().fit_transform(X)
    max_iter = 15 if name == "digits" else 400  # digits is larger but converges fairly quickly
    for label, param, args in zip(labels, params, plot_args):
        mlp = MLPClassifier(random_state=0, max_iter=max_iter, **param)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlp.fit(X, y)
        print(f"{label}: training set score {mlp.score(X, y):.3f}, loss {mlp.loss_:.3f}")
        ax.plot(mlp.loss_curve_, label=label, **args)


# %%
# Four small datasets, seven strategies each
# ------------------------------------------
fig, axes = plt.subplots(2, 2, figsize=(15, 10))
iris = datasets.load_iris()
digits = datasets.load_digits()
data_sets = [(iris.data, iris.target), (digits.data, digits.target),
             datasets.make_circles(noise=0.2, factor=0.5, random_state=1),
             datasets.make_moons(noise=0.3, random_state=0)]
for ax, data, name in zip(axes.ravel(), data_sets, ["iris", "digits", "circles", "moons"]):
    plot_on_dataset(*data, ax=ax, name=name)
fig.legend(ax.get_lines(), labels, ncol=3, loc="upper center")
fig.savefig(OUT / "sklearn_solvers.png", dpi=80)
