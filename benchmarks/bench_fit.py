"""Training and prediction speed: sklearn's MLP vs scikeras vs skfit, side by side.

Run: python benchmarks/bench_fit.py [--quick]

One table from one run. For each dataset (sklearn's digits; a 20000 x 100
generated table) it times a 5-fold ``cross_val_score`` at 20 epochs, and a
``GridSearchCV`` over 6 configurations x 3 folds on digits, for:

- sklearn ``MLPClassifier(max_iter=20)`` (adam, batch 128, no early stopping),
- scikeras ``KerasClassifier`` around the same Keras network (``model.fit``),
- skfit ``KerasMLPClassifier`` on its compiled path and on ``model.fit``.

Every estimator trains the same 64-unit ReLU network with Adam (lr 1e-3,
batch 128) on all training rows (no internal validation split), on the same
stratified folds. Ratios are against sklearn's time in the same run. Then it
times ``predict`` on 100 rows (median of many calls). TensorFlow's import is
paid before timing starts; skfit's traces are paid inside its first fit (the
row "skfit compiled, traced" repeats the same cross-validation once the
configuration's trace exists, as every later fit of a grid search finds it).

BLAS runs single-threaded for everyone: with TensorFlow's thread pools in the
same process, OpenBLAS's two threads on two cores made sklearn's MLP 5-50x
slower and erratic (measured here); one thread is sklearn's best case.
"""

import argparse
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skfit import KerasMLPClassifier

EPOCHS, BATCH, LR = 20, 128, 1e-3


def keras_network(meta, units=64, learning_rate=LR):
    import keras

    model = keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def candidates():
    from scikeras.wrappers import KerasClassifier as ScikerasClassifier

    return {
        "sklearn MLPClassifier": (
            MLPClassifier((64,), max_iter=EPOCHS, batch_size=BATCH, learning_rate_init=LR,
                          random_state=0),
            {"hidden_layer_sizes": [(32,), (64,), (128,)], "learning_rate_init": [1e-3, 1e-2]},
        ),
        "scikeras KerasClassifier": (
            ScikerasClassifier(keras_network, epochs=EPOCHS, batch_size=BATCH, verbose=0),
            {"model__units": [32, 64, 128], "model__learning_rate": [1e-3, 1e-2]},
        ),
        "skfit compiled": (
            KerasMLPClassifier((64,), optimizer="adam", learning_rate=LR, batch_size=BATCH,
                               epochs=EPOCHS, validation_fraction=0.0, random_state=0),
            {"hidden_layer_sizes": [(32,), (64,), (128,)], "learning_rate": [1e-3, 1e-2]},
        ),
        "skfit model.fit": (
            KerasMLPClassifier((64,), optimizer="adam", learning_rate=LR, batch_size=BATCH,
                               epochs=EPOCHS, validation_fraction=0.0, engine="keras",
                               random_state=0),
            {"hidden_layer_sizes": [(32,), (64,), (128,)], "learning_rate": [1e-3, 1e-2]},
        ),
    }  # fmt: skip


def datasets(quick):
    X, y = load_digits(return_X_y=True)
    yield "digits 1797x64", (X / 16.0).astype(np.float32), y
    if not quick:
        X, y = make_classification(
            n_samples=20000, n_features=100, n_informative=40, n_classes=5, random_state=0
        )
        yield "generated 20000x100", StandardScaler().fit_transform(X).astype(np.float32), y


def timed(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def predict_ms(estimator, X):
    rows = X[:100]
    estimator.predict(rows)
    times = []
    for _ in range(200):
        start = time.perf_counter()
        estimator.predict(rows)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main(quick=False):
    warnings.simplefilter("ignore", ConvergenceWarning)
    folds5 = StratifiedKFold(5, shuffle=True, random_state=0)
    folds3 = StratifiedKFold(3, shuffle=True, random_state=0)
    rows = []
    for data_name, X, y in datasets(quick):
        reference = None
        for name, (estimator, grid) in candidates().items():
            seconds, scores = timed(lambda: cross_val_score(estimator, X, y, cv=folds5))
            reference = reference or seconds
            rows.append((data_name, "5-fold CV", name, seconds, seconds / reference, scores.mean()))
            if name == "skfit compiled":
                seconds, scores = timed(lambda: cross_val_score(estimator, X, y, cv=folds5))
                rows.append((data_name, "5-fold CV", name + ", traced", seconds,
                             seconds / reference, scores.mean()))  # fmt: skip
        if data_name.startswith("digits"):
            reference = None
            for name, (estimator, grid) in candidates().items():
                search = GridSearchCV(estimator, grid, cv=folds3)
                seconds, _ = timed(lambda: search.fit(X, y))
                reference = reference or seconds
                rows.append((data_name, "grid 6x3", name, seconds, seconds / reference,
                             search.best_score_))  # fmt: skip
            reference = None
            for name, (estimator, _) in candidates().items():
                milliseconds = predict_ms(estimator.fit(X, y), X)
                reference = reference or milliseconds
                rows.append((data_name, "predict 100 rows", name, milliseconds / 1e3,
                             milliseconds / reference, float("nan")))  # fmt: skip

    print(f"{'data':20s} {'task':17s} {'estimator':25s} {'time':>10s} {'x sklearn':>9s} {'accuracy':>8s}")
    for data_name, task, name, seconds, ratio, accuracy in rows:
        shown = f"{seconds * 1e3:8.3f}ms" if task.startswith("predict") else f"{seconds:9.2f}s"
        print(f"{data_name:20s} {task:17s} {name:25s} {shown:>10s} {ratio:9.2f} {accuracy:8.3f}")
    skfit = {(d, t): s for d, t, n, s, r, a in rows if n == "skfit compiled"}
    scikeras = {(d, t): s for d, t, n, s, r, a in rows if n == "scikeras KerasClassifier"}
    print("\nskfit compiled vs scikeras (speed-up):")
    for key in skfit:
        print(f"  {key[0]:20s} {key[1]:17s} {scikeras[key] / skfit[key]:7.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="digits only")
    with threadpool_limits(1, user_api="blas"):
        main(parser.parse_args().quick)
