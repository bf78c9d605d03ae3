"""Where a training step's time goes, for the workloads whose targets are missed (W1, W4, W5).

    CHAINRULE_DATA=... OPENBLAS_NUM_THREADS=1 python -m benchmarks.profile_steps [--steps N]

For each workload's model (built as the benchmark builds it) the script times, per step:

- ``step``: one step of ``fit`` (after warm-up steps; CPU time, one thread);
- ``ops``: the ops' own ``forward``/``backward`` (``workloads.op_times``), the five largest named;
- ``framework``: ``step - ops``, the Python around the ops (layer calls, the tape walk, compiled
  replay bookkeeping, metrics and logs);
- ``floor``: the same arithmetic with no framework at all: the ops' ``forward``/``backward`` and the
  optimizer's update called directly on numpy arrays, in a plain loop (what a hand-written step
  costs on this machine).

It prints a table; ``benchmarks/GAPS.md`` quotes it. Not part of ``make bench`` (it does not
compare frameworks and its timers perturb the step a little).
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from . import workloads  # noqa: E402


def _cpu_per_step(fn, steps):
    t0 = time.process_time()
    for _ in range(steps):
        fn()
    return (time.process_time() - t0) / steps * 1e3


def _floor_step(units, batch, optimizer, steps, seed=0):
    """ms per step of the MLP ``784 -> units... -> 10`` with ReLU, softmax cross-entropy and ``optimizer``
    ('adam' or 'rmsprop'), from the ops and update kernels called directly (no Tensor, no tape, no Keras)."""
    from chainrule import ops
    from chainrule.ops.updates import AdamStep, RMSpropStep

    rng = np.random.default_rng(seed)
    sizes = (784,) + tuple(units) + (10,)
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params += [rng.standard_normal((a, b)).astype(np.float32) * np.float32(np.sqrt(2 / a)),
                   np.zeros(b, np.float32)]
    x = rng.random((batch, 784), dtype=np.float32)
    t = rng.integers(0, 10, batch)
    affines = [ops.Affine() for _ in sizes[1:]]
    relus = [ops.ReLU() for _ in units]
    loss = ops.SoftmaxWithLoss()
    if optimizer == "adam":
        step = AdamStep()
        slots = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    else:
        step = RMSpropStep(rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)
        slots = [(np.zeros_like(p),) for p in params]
    lr, it = np.float32(1e-3), np.zeros((), np.int64)

    def one():
        h = x
        for i, affine in enumerate(affines):
            h = affine.forward(h, params[2 * i], params[2 * i + 1])
            if i < len(relus):
                h = relus[i].forward(h)
        loss.forward(h, t)
        d, _ = loss.backward(np.float32(1.0))
        grads = [None] * len(params)
        for i in reversed(range(len(affines))):
            if i < len(relus):
                d = relus[i].backward(d)
            d, grads[2 * i], grads[2 * i + 1] = affines[i].backward(d)
        for p, g, s in zip(params, grads, slots):
            if optimizer == "adam":
                step.forward(p, g, lr, it, *s)
            else:
                step.forward(p, g, lr, *s)
        it[...] += 1

    for _ in range(20):
        one()
    return _cpu_per_step(one, steps)


def _fit_step(model, x, y, batch, steps):
    warm = 20 * batch
    model.fit(x[:warm], y[:warm], batch_size=batch, epochs=1, verbose=0, shuffle=False)
    t0 = time.process_time()
    model.fit(x[:steps * batch], y[:steps * batch], batch_size=batch, epochs=1, verbose=0, shuffle=False)
    return (time.process_time() - t0) / steps * 1e3


def profile(steps):
    from chainrule import keras
    rng = np.random.default_rng(0)
    rows = []
    cases = [("W1", (128,), 32, "adam"), ("W4", workloads.W4_UNITS, 128, "rmsprop"), ("W5 batch 1", (128,), 1, "adam"),
             ("W5 batch 8", (128,), 8, "adam")]
    for name, units, batch, optimizer in cases:
        n = (steps + 20) * batch
        x = rng.random((n, 784), dtype=np.float32)
        y = rng.integers(0, 10, n)
        keras.utils.set_random_seed(0)
        inputs = keras.Input(shape=(784,))
        h = inputs
        for u in units:
            h = keras.layers.Dense(u, activation="relu")(h)
            if name != "W4":
                h = keras.layers.Dropout(0.2)(h)
        model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(h))
        opt = keras.optimizers.Adam(1e-3) if optimizer == "adam" else keras.optimizers.RMSprop(0.01)
        model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        step = _fit_step(model, x, y, batch, steps)
        timed = workloads.op_times(model, x, y, batch, steps, top=5)
        ops_ms = timed.pop("ops_ms")
        timed.pop("ms_per_step_instrumented")
        floor = _floor_step(units, batch, optimizer, steps)
        rows.append((name, batch, step, ops_ms, step - ops_ms, floor, timed))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=500)
    args = parser.parse_args(argv)
    print("| workload | batch | fit step ms | ops ms | framework ms | hand-written floor ms | largest ops (ms) |")
    print("|---|---|---|---|---|---|---|")
    for name, batch, step, ops_ms, framework, floor, timed in profile(args.steps):
        largest = ", ".join(f"{k[:-3]} {v:.3f}" for k, v in timed.items())
        print(f"| {name} | {batch} | {step:.3f} | {ops_ms:.3f} | {framework:.3f} | {floor:.3f} | {largest} |")


if __name__ == "__main__":
    main()
