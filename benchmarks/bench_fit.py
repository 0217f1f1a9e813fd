"""Training and prediction speed: sklearn's MLP vs scikeras vs skfit, side by side.

Run: python benchmarks/bench_fit.py [--quick | --big-only | --first-fit-only]

One table from one run. For each dataset (sklearn's digits; a 20000 x 100
generated table) it times a 5-fold ``cross_val_score`` at 20 epochs, and a
``GridSearchCV`` over 6 configurations x 3 folds on digits, for:

- sklearn ``MLPClassifier(max_iter=20)`` (adam, batch 128, no early stopping),
- scikeras ``KerasClassifier`` around the same Keras network (``model.fit``),
- skfit ``KerasMLPClassifier`` with its default engine (``"auto"``: the NumPy
  loop for networks this small), on its compiled TensorFlow path
  (``engine="compiled"``) and on ``model.fit``.

Every estimator trains the same 64-unit ReLU network with Adam (lr 1e-3,
batch 128) on all training rows (no internal validation split), on the same
stratified folds. Ratios are against sklearn's time in the same run. Then it
times ``predict`` on 100 rows (median of many calls). TensorFlow's import is
paid before timing starts; skfit's traces are paid inside its first fit (the
row "skfit compiled, traced" repeats the same cross-validation once the
configuration's trace exists, as every later fit of a grid search finds it).

BLAS runs single-threaded for everyone in these small-table rows: with
TensorFlow's thread pools in the same process, OpenBLAS's two threads on two
cores made sklearn's MLP 5-50x slower and erratic (measured here); one thread
is sklearn's best case. Two more small-table rows: the first 5-fold CV and a
grid over ``hidden_layer_sizes`` each in a fresh process (what a user's first
search pays, traces included; skfit's default engine, and its compiled one
also after ``limit_tensorflow_threads(1)``, and each process's second run), and a fit with ``verbose=1`` (each epoch's line
printed as the epoch ends) against the same fit quiet. Then the split of a
fresh process's first fit on the compiled engine (child processes, Grappler
on and off): TensorFlow's
first use, the trace, the first call's instantiation and the fit itself
(``--first-fit-only``: these fresh-process rows and the split alone).

Then the MNIST-sized rows (skipped by ``--quick``): 60000 x 784 float32 (the
real MNIST when :func:`skfit.datasets.load_mnist` finds it, else generated
data of that shape), one hidden layer of 512 ReLU units, batch 128, Adam.
Each estimator runs in a process of its own with every core (BLAS and
TensorFlow at their own defaults), so that none slows another:

- the GEMM rate of the machine, measured in that run: NumPy float32 4096 x
  4096 (and TensorFlow's, for comparison); the epoch's floor is its FLOPs,
  6 x n x (784 x 512 + 512 x 10) = 1.46e11, at that rate;
- seconds per epoch (the difference between a 3-epoch and a 1-epoch fit, each
  the best of 2, so that set-up, tracing and a noisy neighbour do not count)
  and the GFLOP/s it achieves, for sklearn's MLPClassifier, Keras
  ``model.fit``, scikeras and skfit;
- ``predict_proba`` on all 60000 rows (first call, then best of 3) and
  ``predict`` on 100 rows, skfit against sklearn, float32 input.
"""

import argparse
import sys
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
        "skfit (auto: NumPy)": (
            KerasMLPClassifier((64,), optimizer="adam", learning_rate=LR, batch_size=BATCH,
                               epochs=EPOCHS, validation_fraction=0.0, random_state=0),
            {"hidden_layer_sizes": [(32,), (64,), (128,)], "learning_rate": [1e-3, 1e-2]},
        ),
        "skfit compiled": (
            KerasMLPClassifier((64,), optimizer="adam", learning_rate=LR, batch_size=BATCH,
                               epochs=EPOCHS, validation_fraction=0.0, engine="compiled",
                               random_state=0),
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

    rows += first_fit_rows()
    X_digits, y_digits = next(iter(datasets(True)))[1:]
    rows += verbose_rows(X_digits, y_digits)
    print_rows(rows)
    skfit = {(d, t): s for d, t, n, s, r, a in rows if n == "skfit (auto: NumPy)"}
    scikeras = {(d, t): s for d, t, n, s, r, a in rows if n == "scikeras KerasClassifier"}
    print("\nskfit (its default engine) vs scikeras (speed-up):")
    for key in skfit:
        if key in scikeras:
            print(f"  {key[0]:20s} {key[1]:17s} {scikeras[key] / skfit[key]:7.1f}x")


def print_rows(rows):
    print(f"{'data':20s} {'task':17s} {'estimator':25s} {'time':>10s} {'x sklearn':>9s} {'accuracy':>8s}")
    for data_name, task, name, seconds, ratio, accuracy in rows:
        shown = f"{seconds * 1e3:8.3f}ms" if task.startswith("predict") else f"{seconds:9.2f}s"
        print(f"{data_name:20s} {task:17s} {name:25s} {shown:>10s} {ratio:9.2f} {accuracy:8.3f}")


# -- first fits in a fresh process, and the cost of live progress -------------------
FIRST_FIT_SCRIPT = """
import sys, time, warnings, json
import numpy as np
from threadpoolctl import threadpool_limits
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
warnings.simplefilter("ignore", ConvergenceWarning)
which, task = sys.argv[1], sys.argv[2]
X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
if which.startswith("skfit"):
    if which == "skfit compiled, 1 thread":  # the user's opt-in, before TensorFlow runs anything
        from skfit.utils import limit_tensorflow_threads
        limit_tensorflow_threads(1)
    import skfit.keras  # TensorFlow's import is not the fit's cost
    from skfit import KerasMLPClassifier
    est = KerasMLPClassifier((64,), optimizer="adam", learning_rate=1e-3, batch_size=128,
                             epochs=20, validation_fraction=0.0, random_state=0,
                             engine="auto" if which == "skfit" else "compiled")
    grid = {"hidden_layer_sizes": [(32,), (64,), (128,)], "learning_rate": [1e-3, 1e-2]}
else:
    est = MLPClassifier((64,), max_iter=20, batch_size=128, learning_rate_init=1e-3, random_state=0)
    grid = {"hidden_layer_sizes": [(32,), (64,), (128,)], "learning_rate_init": [1e-3, 1e-2]}
def run():
    start = time.perf_counter()
    if task == "cv":
        cross_val_score(est, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    else:
        GridSearchCV(est, grid, cv=StratifiedKFold(3, shuffle=True, random_state=0)).fit(X, y)
    return time.perf_counter() - start
with threadpool_limits(1, user_api="blas"):
    print(json.dumps([run(), run()]))  # the first of the process, and the same again
"""


def first_fit_rows():
    """The first 5-fold CV and the first 6x3 grid of a fresh process, sklearn vs skfit.

    skfit three times: with its default engine (``"auto"``: the NumPy loop for
    this network), and compiled (``engine="compiled"``) with TensorFlow's thread
    pools as it sizes them and after ``limit_tensorflow_threads(1)`` (one
    intra-op and one inter-op thread, as scikit-learn's BLAS runs here).
    """
    rows = []
    names = {"sklearn": "sklearn MLPClassifier", "skfit": "skfit (auto: NumPy)",
             "skfit compiled": "skfit compiled",
             "skfit compiled, 1 thread": "skfit compiled, 1 thread"}  # fmt: skip
    for task, label in [("cv", "5-fold CV"), ("grid", "grid 6x3")]:
        runs = {which: [_run_json([sys.executable, "-c", FIRST_FIT_SCRIPT, which, task])
                        for _ in range(3)] for which in names}  # fmt: skip
        for position, when in enumerate((", fresh", ", again")):
            times = {which: float(np.median([run[position] for run in runs[which]])) for which in names}
            for which, name in names.items():
                rows.append(("digits 1797x64", label + when, name, times[which],
                             times[which] / times["sklearn"], float("nan")))  # fmt: skip
    return rows


FIRST_FIT_SPLIT_SCRIPT = """
import json, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
from sklearn.datasets import load_digits
X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)[:1440]; y = y[:1440]  # a 5-fold training part
grappler = sys.argv[1] == "on"
t0 = time.perf_counter()
import skfit.keras
from skfit import KerasMLPClassifier
from skfit.keras import _engine
from tensorflow.python.eager import context
from tensorflow.core.protobuf import config_pb2
result = {"import_s": time.perf_counter() - t0}
trace = []
get = _engine.SESSIONS.get
def timed_get(key, factory):
    def timed_factory():
        start = time.perf_counter()
        session = factory()
        trace.append(time.perf_counter() - start)
        return session
    return get(key, timed_factory)
_engine.SESSIONS.get = timed_get
if not grappler:  # this thread's function-call options only, in this child process
    off = config_pb2.ConfigProto()
    off.graph_options.rewrite_options.disable_meta_optimizer = True
    context.context().function_call_options = context.FunctionCallOptions(config_proto=off)
est = KerasMLPClassifier((64,), optimizer="adam", learning_rate=1e-3, batch_size=128, epochs=20,
                         validation_fraction=0.0, engine="compiled", random_state=0)
def fit_s():
    start = time.perf_counter()
    est.fit(X, y)
    return time.perf_counter() - start
with threadpool_limits(1, user_api="blas"):
    result["first_fit_s"] = fit_s()
    result["warm_fit_s"] = min(fit_s() for _ in range(5))
    _engine.SESSIONS._sessions.clear()  # the same configuration traced anew, in a warm process
    trace.clear()
    result["new_session_fit_s"] = fit_s()
    result["trace_s"] = trace[0]
    result["steady_fit_s"] = min(fit_s() for _ in range(20))
print(json.dumps(result))
"""

SKLEARN_FIRST_FIT_SCRIPT = """
import json, time, warnings
import numpy as np
from threadpoolctl import threadpool_limits
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)[:1440]; y = y[:1440]
est = MLPClassifier((64,), max_iter=20, batch_size=128, learning_rate_init=1e-3, random_state=0)
def fit_s():
    start = time.perf_counter()
    est.fit(X, y)
    return time.perf_counter() - start
with threadpool_limits(1, user_api="blas"):
    print(json.dumps({"first_fit_s": fit_s(), "warm_fit_s": min(fit_s() for _ in range(5))}))
"""


def first_fit_split():
    """Where a fresh process's first fit goes: TensorFlow's first use, the trace, the first call.

    Each child process fits digits' 1440-row training part (20 epochs) once, five
    times more (warm), then clears skfit's session cache and fits again: that
    fit traces and instantiates the same configuration anew in a process that
    has already used TensorFlow, so ``first - new session`` is TensorFlow's
    one-off set-up and ``new session - warm - trace`` is the first call's graph
    instantiation (Grappler's optimization included). A second child does the
    same with Grappler switched off for its calls, to show Grappler's share and
    what it gives back per fit. Median of three processes each.
    """
    runs = {which: [_run_json([sys.executable, "-c", FIRST_FIT_SPLIT_SCRIPT, which]) for _ in range(3)]
            for which in ("on", "off")}  # fmt: skip
    sklearn_runs = [_run_json([sys.executable, "-c", SKLEARN_FIRST_FIT_SCRIPT]) for _ in range(3)]

    def median(which, key):
        return float(np.median([run[key] for run in runs[which]]))

    print("\nFirst fit of a fresh process, digits 1440x64, (64,), Adam, 20 epochs "
          "(median of 3 processes, seconds):")  # fmt: skip
    print(f"{'':52s} {'Grappler on':>11s} {'off':>7s}")
    for label, value in [
        ("import skfit.keras (TensorFlow's import)", lambda w: median(w, "import_s")),
        ("first fit of the process", lambda w: median(w, "first_fit_s")),
        ("  TensorFlow's first use (first - new session)",
         lambda w: median(w, "first_fit_s") - median(w, "new_session_fit_s")),
        ("  trace (building the session's graph, Python)", lambda w: median(w, "trace_s")),
        ("  first call (instantiation, graph optimization)",
         lambda w: median(w, "new_session_fit_s") - median(w, "trace_s") - median(w, "warm_fit_s")),
        ("  the fit itself (warm, best of 5)", lambda w: median(w, "warm_fit_s")),
        ("steady fit (best of 20)", lambda w: median(w, "steady_fit_s")),
    ]:  # fmt: skip
        print(f"{label:52s} {value('on'):11.3f} {value('off'):7.3f}")
    sk_first = float(np.median([run["first_fit_s"] for run in sklearn_runs]))
    sk_warm = float(np.median([run["warm_fit_s"] for run in sklearn_runs]))
    print(f"sklearn MLPClassifier: first fit {sk_first:.3f}, warm (best of 5) {sk_warm:.3f}")


def verbose_rows(X, y):
    """A 60-epoch fit on digits, quiet and with verbose=1 (lines printed live), best of 5."""
    import contextlib
    import io

    rows, quiet = [], None
    for verbose in (0, 1):
        estimator = KerasMLPClassifier((64,), epochs=60, verbose=verbose, random_state=0)
        estimator.fit(X, y)  # trace the (listening) loop first
        times = []
        for _ in range(5):
            with contextlib.redirect_stdout(io.StringIO()):
                times.append(timed(lambda: estimator.fit(X, y))[0])
        seconds = min(times)
        quiet = quiet or seconds
        rows.append(("digits 1797x64", "fit 60 epochs", f"skfit verbose={verbose}", seconds,
                     seconds / quiet, float("nan")))  # fmt: skip
    return rows


def _run_json(command):
    import json
    import subprocess

    run = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


# -- MNIST-sized data -----------------------------------------------------------------
N_BIG, D_BIG, H_BIG, C_BIG = 60000, 784, 512, 10
FLOPS_PER_EPOCH = 6 * N_BIG * (D_BIG * H_BIG + H_BIG * C_BIG)


def big_data():
    """MNIST (when Keras's cache has it) or generated data of its shape, float32."""
    try:
        from skfit.datasets import load_mnist

        (X, y), _ = load_mnist()
        return "MNIST", (X.reshape(len(X), -1) / 255.0).astype(np.float32), y
    except Exception:  # noqa: BLE001  (not in the cache: generate)
        rng = np.random.default_rng(0)
        X = rng.random((N_BIG, D_BIG), dtype=np.float32)
        teacher = rng.normal(size=(D_BIG, C_BIG)).astype(np.float32)
        return "generated", X, np.argmax(X @ teacher + rng.gumbel(size=(N_BIG, C_BIG)), axis=1)


def measure_big(which):
    """In this process: seconds per epoch (3-epoch minus 1-epoch fit, best of 2 each), predictions."""
    import json

    source, X, y = big_data()
    result = {"source": source}
    if which == "gemm":
        a = np.random.default_rng(0).random((4096, 4096), dtype=np.float32)
        a @ a
        result["numpy"] = 2 * 4096**3 / min(timed(lambda: a @ a)[0] for _ in range(5))
        from skfit.keras._tf import tf

        t = tf.constant(a)
        tf.matmul(t, t).numpy()
        result["tensorflow"] = 2 * 4096**3 / min(timed(lambda: tf.matmul(t, t).numpy())[0] for _ in range(5))
        print(json.dumps(result))
        return
    fit = BIG_ESTIMATORS[which]
    fit(X, y, 1)  # set-up, tracing, first-epoch costs
    one = min(timed(lambda: fit(X, y, 1))[0] for _ in range(2))
    three, model = min((timed(lambda: fit(X, y, 3)) for _ in range(2)), key=lambda timing: timing[0])
    result["epoch_s"] = (three - one) / 2
    if which in ("sklearn", "skfit"):
        result["proba_first_s"], _ = timed(lambda: model.predict_proba(X))
        result["proba_best_s"] = min(timed(lambda: model.predict_proba(X))[0] for _ in range(3))
        result["predict_100_ms"] = predict_ms(model, X)
    print(json.dumps(result))


def _sklearn_big(X, y, epochs):
    return MLPClassifier((H_BIG,), batch_size=128, max_iter=epochs, random_state=0,
                         tol=0, n_iter_no_change=10**6).fit(X, y)  # fmt: skip


def _skfit_big(X, y, epochs):
    return KerasMLPClassifier((H_BIG,), optimizer="adam", batch_size=128, epochs=epochs,
                              validation_fraction=0.0, random_state=0).fit(X, y)  # fmt: skip


def _keras_big(X, y, epochs):
    import keras

    model = keras_network({"n_features_in_": D_BIG, "n_classes_": C_BIG}, units=H_BIG)
    model.fit(X, y, batch_size=128, epochs=epochs, verbose=0)
    return model


def _scikeras_big(X, y, epochs):
    from scikeras.wrappers import KerasClassifier as ScikerasClassifier

    return ScikerasClassifier(keras_network, model__units=H_BIG, epochs=epochs, batch_size=128,
                              verbose=0).fit(X, y)  # fmt: skip


BIG_ESTIMATORS = {"sklearn": _sklearn_big, "keras": _keras_big, "scikeras": _scikeras_big,
                  "skfit": _skfit_big}  # fmt: skip


def big_rows():
    results = {w: _run_json([sys.executable, __file__, "--measure-big", w])
               for w in ("gemm", "sklearn", "keras", "scikeras", "skfit")}  # fmt: skip
    gemm = results.pop("gemm")
    floor = FLOPS_PER_EPOCH / gemm["numpy"]
    print(f"\nMNIST-sized rows ({gemm['source']} {N_BIG}x{D_BIG}, Dense({H_BIG}), batch 128, Adam):")
    print(f"GEMM float32 4096^2: NumPy {gemm['numpy'] / 1e9:.0f} GFLOP/s, TensorFlow "
          f"{gemm['tensorflow'] / 1e9:.0f} GFLOP/s; epoch floor {FLOPS_PER_EPOCH:.3g} FLOPs / "
          f"NumPy's rate = {floor:.2f} s")  # fmt: skip
    sklearn_epoch = results["sklearn"]["epoch_s"]
    print(f"{'estimator':12s} {'s/epoch':>8s} {'GFLOP/s':>8s} {'x floor':>8s} {'x sklearn':>9s}")
    for which, r in results.items():
        print(f"{which:12s} {r['epoch_s']:8.2f} {FLOPS_PER_EPOCH / r['epoch_s'] / 1e9:8.0f} "
              f"{r['epoch_s'] / floor:8.2f} {r['epoch_s'] / sklearn_epoch:9.2f}")  # fmt: skip
    sk, ours = results["sklearn"], results["skfit"]
    print(f"{'prediction':28s} {'sklearn':>9s} {'skfit':>9s} {'ratio':>6s}")
    for key, label in [("proba_first_s", "predict_proba 60000, first"),
                       ("proba_best_s", "predict_proba 60000, best of 3"),
                       ("predict_100_ms", "predict 100 rows (ms)")]:  # fmt: skip
        print(f"{label:28s} {sk[key]:9.3f} {ours[key]:9.3f} {ours[key] / sk[key]:6.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="digits only, no MNIST-sized rows")
    parser.add_argument("--big-only", action="store_true", help="only the MNIST-sized rows")
    parser.add_argument("--first-fit-only", action="store_true",
                        help="only the fresh-process rows and the split of a first fit")
    parser.add_argument("--measure-big", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_big:
        measure_big(args.measure_big)
    elif args.first_fit_only:
        print_rows(first_fit_rows())
        first_fit_split()
    else:
        if not args.big_only:
            with threadpool_limits(1, user_api="blas"):
                main(args.quick)
            first_fit_split()
        if not args.quick:
            big_rows()
