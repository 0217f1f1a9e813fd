"""Where the time of one training step goes: its products at the machine's rates, op by op.

Run: python benchmarks/bench_step.py [--batch 128 --features 784 --units 512 --classes 10]

The step is skfit's MNIST-sized one: a batch of 128 rows of 784 features, one
hidden layer of 512 ReLU units, 10 softmax outputs, Adam. Every measurement
runs in a child process of its own (``--child``), so that TensorFlow's
process-wide settings tried here (oneDNN on or off, thread pools) never
touch another measurement, nor a user's process.

1. **The step's products** (forward ``X @ W1`` and ``H @ W2``; backward
   ``H.T @ dZ2``, ``dZ2 @ W2.T`` and ``X.T @ dZ1``) and the 4096^2 reference
   product, in GFLOP/s: NumPy; TensorFlow eager; the same inside a
   ``tf.function``; under XLA (``jit_compile=True``); with oneDNN on
   (TensorFlow's default on x86) and off; with TensorFlow's own thread
   pools and with 1 intra-op thread; with the weights stored (in, out) and
   (out, in) (``transpose_b``).
2. **The step op by op**: each part of skfit's compiled step timed as a
   sub-graph run in a loop (the batch's gather, the forward pass, the loss,
   the gradients, the Adam update, the accuracy), the whole step, the step
   under XLA, and skfit's training loop per step (a 3-epoch minus a 1-epoch
   fit), beside the floor set by NumPy's rate for the step's FLOPs.

It prints each table and, last, where the step's time goes: each part's
share, and which of the routes measured is fastest on this machine.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROUTES = {  # name -> environment of the child process
    "default": {},
    "oneDNN off": {"TF_ENABLE_ONEDNN_OPTS": "0"},
    "1 intra-op thread": {"SKFIT_BENCH_INTRA": "1"},
}


def products(batch, features, units, classes):
    """name -> (m, k, n, transpose_b) of the step's products, and the reference."""
    return {
        "X @ W1 (forward)": (batch, features, units),
        "H @ W2 (forward)": (batch, units, classes),
        "H.T @ dZ2 (dW2)": (units, batch, classes),
        "dZ2 @ W2.T (dH)": (batch, classes, units),
        "X.T @ dZ1 (dW1)": (features, batch, units),
        "4096^2 reference": (4096, 4096, 4096),
    }


def best_seconds(function, repeats=7, number=None):
    """Best of ``repeats`` of the mean over ``number`` calls (chosen to last ~50 ms)."""
    function()
    if number is None:
        start = time.perf_counter()
        function()
        number = max(1, int(0.05 / max(time.perf_counter() - start, 1e-7)))
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best


# -- in a child process -------------------------------------------------------------------
def child_products(shape):
    """GFLOP/s of each product: NumPy, TF eager, tf.function, XLA, transposed weights."""
    import tensorflow as tf

    intra = os.environ.get("SKFIT_BENCH_INTRA")
    if intra:
        tf.config.threading.set_intra_op_parallelism_threads(int(intra))
    rng = np.random.default_rng(0)
    result = {}
    for name, (m, k, n) in products(*shape).items():
        a = rng.random((m, k), dtype=np.float32)
        b = rng.random((k, n), dtype=np.float32)
        flops = 2.0 * m * k * n
        ta, tb, tbt = tf.constant(a), tf.constant(b), tf.constant(b.T.copy())
        graph = tf.function(lambda x, y: tf.matmul(x, y))
        xla = tf.function(lambda x, y: tf.matmul(x, y), jit_compile=True)
        transposed = tf.function(lambda x, y: tf.matmul(x, y, transpose_b=True))
        loops = 20 if m * k * n < 1e8 else 1
        loop = tf.function(lambda x, y: tf.reduce_sum(tf.stack(
            [tf.reduce_sum(tf.matmul(x + float(i), y)) for i in range(loops)])))
        result[name] = {
            "numpy": flops / best_seconds(lambda: a @ b),
            "tf eager": flops / best_seconds(lambda: tf.matmul(ta, tb).numpy()),
            "tf.function": flops / best_seconds(lambda: graph(ta, tb).numpy()),
            "tf.function, looped": loops * flops / best_seconds(lambda: loop(ta, tb).numpy()),
            "XLA": flops / best_seconds(lambda: xla(ta, tb).numpy()),
            "weights (out, in)": flops / best_seconds(lambda: transposed(ta, tbt).numpy()),
        }
    print(json.dumps(result))


def child_step(shape):
    """Seconds of each part of the training step, of the whole step, under XLA, and of
    skfit's loop per step."""
    import tensorflow as tf

    intra = os.environ.get("SKFIT_BENCH_INTRA")
    if intra:
        tf.config.threading.set_intra_op_parallelism_threads(int(intra))
    batch, features, units, classes = shape
    n = 60 * batch
    rng = np.random.default_rng(0)
    X = tf.constant(rng.random((n, features), dtype=np.float32))
    y = tf.constant(rng.integers(0, classes, n).astype(np.int32))
    rows = tf.constant(rng.permutation(n)[:batch].astype(np.int32))
    w1 = tf.Variable(rng.normal(0, 0.05, (features, units)).astype(np.float32))
    b1 = tf.Variable(np.zeros(units, np.float32))
    w2 = tf.Variable(rng.normal(0, 0.05, (units, classes)).astype(np.float32))
    b2 = tf.Variable(np.zeros(classes, np.float32))
    weights = [w1, b1, w2, b2]
    slots = [[tf.Variable(tf.zeros_like(w)) for _ in range(2)] for w in weights]
    step_count = tf.Variable(0.0)

    def forward(x):
        return tf.nn.softmax(tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2)

    def loss_of(x, t):
        p = forward(x)
        return tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(t, p)), p

    def adam(gradients):
        step_count.assign_add(1.0)
        rate = 1e-3 * tf.sqrt(1 - 0.999 ** step_count) / (1 - 0.9 ** step_count)
        for w, g, (m, v) in zip(weights, gradients, slots):
            m.assign_add((g - m) * 0.1)
            v.assign_add((tf.square(g) - v) * 0.001)
            w.assign_sub(m * rate / (tf.sqrt(v) + 1e-7))

    def whole_step(r):
        x, t = tf.gather(X, r), tf.gather(y, r)
        with tf.GradientTape() as tape:
            value, p = loss_of(x, t)
        adam(tape.gradient(value, weights))
        return value + tf.reduce_sum(tf.cast(tf.equal(tf.argmax(p, 1, output_type=tf.int32),
                                                      t), tf.float32))

    x_batch, t_batch = tf.gather(X, rows), tf.gather(y, rows)
    with tf.GradientTape() as tape:
        value, p = loss_of(x_batch, t_batch)
    gradients = tape.gradient(value, weights)
    parts = {
        "gather the batch": tf.function(lambda r: tf.reduce_sum(tf.gather(X, r))),
        "forward (2 products, ReLU, softmax)": tf.function(lambda r: tf.reduce_sum(
            forward(x_batch))),
        "loss": tf.function(lambda r: tf.reduce_mean(
            tf.keras.losses.sparse_categorical_crossentropy(t_batch, p))),
        "forward + gradients": tf.function(lambda r: tf.add_n(
            [tf.reduce_sum(g) for g in _gradients(loss_of, x_batch, t_batch, weights)])),
        "Adam update": tf.function(lambda r: (adam(gradients), tf.constant(0.0))[1]),
        "accuracy": tf.function(lambda r: tf.reduce_sum(tf.cast(tf.equal(
            tf.argmax(p, 1, output_type=tf.int32), t_batch), tf.float32))),
        "whole step": tf.function(whole_step),
        "whole step, XLA": tf.function(whole_step, jit_compile=True),
    }
    result = {name: best_seconds(lambda f=f: f(rows).numpy()) for name, f in parts.items()}
    result.update(_skfit_loop_step(shape))
    print(json.dumps(result))


def _gradients(loss_of, x, t, weights):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        value, _ = loss_of(x, t)
    return tape.gradient(value, weights)


def _skfit_loop_step(shape):
    """skfit's compiled loop, seconds per step: (3-epoch fit - 1-epoch fit) / 2 epochs."""
    from skfit import KerasMLPClassifier

    batch, features, units, classes = shape
    n = 100 * batch
    rng = np.random.default_rng(1)
    X = rng.random((n, features), dtype=np.float32)
    y = rng.integers(0, classes, n)

    def fit(epochs):
        model = KerasMLPClassifier((units,), optimizer="adam", batch_size=batch, epochs=epochs,
                                   validation_fraction=0.0, engine="compiled", random_state=0)
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start

    fit(1)
    one = min(fit(1) for _ in range(3))
    three = min(fit(3) for _ in range(3))
    return {"skfit's loop, per step": (three - one) / (2 * (n // batch))}


# -- the parent: run the children, print the tables -----------------------------------
def run_child(kind, shape, environment):
    command = [sys.executable, __file__, "--child", kind, "--shape", *map(str, shape)]
    env = {**os.environ, **environment}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--units", type=int, default=512)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--shape", type=int, nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        {"products": child_products, "step": child_step}[args.child](tuple(args.shape))
        return
    shape = (args.batch, args.features, args.units, args.classes)
    batch, features, units, classes = shape
    step_flops = 2 * batch * (2 * features * units + 3 * units * classes)
    print(f"Step: batch {batch}, {features} -> {units} -> {classes}, Adam; "
          f"{step_flops / 1e6:.0f} MFLOP per step (forward 2x, backward 4x the products "
          f"but the input's gradient)\n")
    results = {}
    for route, environment in ROUTES.items():
        results[route] = run_child("products", shape, environment)
        print(f"GFLOP/s of the step's products, route: {route}")
        table = results[route]
        columns = list(next(iter(table.values())))
        print(f"{'product':22s}" + "".join(f"{c:>21s}" for c in columns))
        for name, rates in table.items():
            print(f"{name:22s}" + "".join(f"{rates[c] / 1e9:21.1f}" for c in columns))
        print()
    numpy_rate = np.mean([results["default"][name]["numpy"]
                          for name in products(*shape) if not name.startswith("4096")])
    floor = step_flops / results["default"]["4096^2 reference"]["numpy"]
    steps = {route: run_child("step", shape, environment)
             for route, environment in ROUTES.items()}
    print("Seconds (ms) of each part of the step, by route")
    names = list(steps["default"])
    print(f"{'part':40s}" + "".join(f"{route:>20s}" for route in steps))
    for name in names:
        print(f"{name:40s}" + "".join(f"{steps[r][name] * 1e3:20.3f}" for r in steps))
    print(f"{'floor: FLOPs at NumPy 4096^2 rate':40s}{floor * 1e3:20.3f}")
    default = steps["default"]
    whole = default["whole step"]
    print("\nWhere the step's time goes (default route, share of the whole step):")
    for name in ("gather the batch", "forward + gradients", "Adam update", "accuracy"):
        print(f"  {name:30s} {default[name] / whole:6.1%}")
    fastest = min(((default["whole step"], "tf.function"),
                   (default["whole step, XLA"], "tf.function under XLA"),
                   *((steps[r]["whole step"], f"tf.function, {r}") for r in steps
                     if r != "default")))
    loop = default["skfit's loop, per step"]
    print(f"  fastest route for the whole step: {fastest[1]} ({fastest[0] * 1e3:.2f} ms; "
          f"skfit's loop {loop * 1e3:.2f} ms; floor "
          f"{floor * 1e3:.2f} ms; NumPy's mean rate on the step's products "
          f"{numpy_rate / 1e9:.0f} GFLOP/s)")


if __name__ == "__main__":
    main()
