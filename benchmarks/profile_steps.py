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

A second table (when torch is installed) compares the **kernels** under both frameworks' steps on
the same shapes, one thread each: the Dense layers' arithmetic (``x @ W + b``, ``x.T @ dout``,
``sum(dout)`` and ``dout @ W.T`` where a backward needs it) as chainrule's ``Affine`` op computes
it with numpy's BLAS, and as ``torch.addmm``/``matmul`` compute it,
and the optimizer's update over the model's parameter count as chainrule computes it (the numpy
passes of Keras's formula, and the optional compiled kernel a long ``fit`` tiers up to) and as
PyTorch's fastest eager optimizer does it (``fused``/``foreach``). The step profile itself runs with
the compiled kernels off, as every ``make bench`` fit does (none is long enough to load them).
What is left of a gap once both steps are reduced to their kernels is the libraries', not the
framework's.

It prints the tables; ``benchmarks/GAPS.md`` quotes them. Not part of ``make bench`` (its timers
perturb the step a little).
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
    from chainrule import backend, keras
    # As in make bench, where no 1-epoch fit does enough work to load the compiled update kernels: this one
    # process runs many fits, whose sum would cross the tier-up threshold (ops.tier_up.planned_work).
    backend.set_compiled_kernels(False)
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


def _best_ms(fn, number, repeat=7):
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - t0) / number)
    return best * 1e3


def _gemm_shapes(units, batch):
    """``(m, k, n, first)`` of each Dense layer of the MLP ``784 -> units... -> 10`` at ``batch`` rows."""
    sizes = (784,) + tuple(units) + (10,)
    return [(batch, a, b, i == 0) for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]


def _dense_layer_ms(torch, rng, m, k, n, first, reps):
    """ms of one Dense layer's forward + backward at ``(m, k) @ (k, n)``: chainrule's Affine op, then torch."""
    from chainrule import ops
    x, w, b, d = (rng.random(s, dtype=np.float32) for s in ((m, k), (k, n), (n,), (m, n)))
    xt, wt, bt, dt = (torch.from_numpy(a) for a in (x, w, b, d))
    affine = ops.Affine()  # the op as a step runs it (it picks the numpy call for each shape)
    affine.needs_input_grad = (not first, True, True)  # the first layer's input is data

    def numpy_layer():
        affine.forward(x, w, b)
        affine.backward(d)

    def torch_layer():
        torch.addmm(bt, xt, wt)
        if not first:
            dt @ wt.T
        xt.T @ dt
        dt.sum(0)
    return _best_ms(numpy_layer, reps), _best_ms(torch_layer, reps)


def _update_ms(torch, rng, n_params, optimizer, number):
    """ms of one optimizer update over ``n_params`` float32 weights: chainrule's update op on numpy, on its
    compiled kernel (None without numba), then torch's."""
    from chainrule import backend
    from chainrule.ops.tier_up import compiled_kernels_in_use
    from chainrule.ops.updates import AdamStep, RMSpropStep
    p, g = rng.random(n_params, dtype=np.float32), rng.random(n_params, dtype=np.float32) * np.float32(1e-3)
    lr, it = np.float32(1e-3), np.zeros((), np.int64)
    if optimizer == "adam":
        op, args = AdamStep(), (p, g, lr, it, np.zeros_like(p), np.zeros_like(p))
    else:
        op, args = RMSpropStep(rho=0.9, momentum=0.0, epsilon=1e-7, centered=False), (p, g, lr, np.zeros_like(p))
    param = torch.nn.Parameter(torch.from_numpy(p.copy()))
    param.grad = torch.from_numpy(g.copy())
    hyper = {} if optimizer == "adam" else {"alpha": 0.9}
    opt = workloads.torch_optimizer(torch, "Adam" if optimizer == "adam" else "RMSprop", [param], lr=1e-3,
                                    eps=1e-7, **hyper)
    saved = backend.compiled_kernels_enabled(), backend.compiled_kernels_after()
    try:
        backend.set_compiled_kernels(False)
        numpy_ms = _best_ms(lambda: op.forward(*args), number)
        backend.set_compiled_kernels(True, after=0)
        compiled_ms = _best_ms(lambda: op.forward(*args), number) if compiled_kernels_in_use() else None
    finally:
        backend.set_compiled_kernels(*saved)
    return numpy_ms, compiled_ms, _best_ms(opt.step, number)


def kernel_floors(number=200):
    """Per missed workload: ms per step of the Dense layers and of the optimizer update, numpy vs torch."""
    try:
        import torch
    except ImportError:
        return []
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    cases = [("W1", (128,), 32, "adam"), ("W4", workloads.W4_UNITS, 128, "rmsprop"), ("W5 batch 1", (128,), 1, "adam"),
             ("W7", (128,), workloads.W7_BATCH, "adam")]
    rows = []
    for name, units, batch, optimizer in cases:
        reps = max(3, number // max(1, batch // 32))
        layers = [_dense_layer_ms(torch, rng, m, k, n, first, reps) for m, k, n, first in _gemm_shapes(units, batch)]
        n_params = sum(k * n + n for _, k, n, _ in _gemm_shapes(units, batch))
        update_np, update_compiled, update_torch = _update_ms(torch, rng, n_params, optimizer, number)
        rows.append((name, batch, n_params, sum(a for a, _ in layers), sum(b for _, b in layers), optimizer,
                     update_np, update_compiled, update_torch))
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
    floors = kernel_floors()
    if floors:
        print()
        print("| workload | batch | parameters | Dense layers numpy ms | Dense layers torch ms | update | "
              "update numpy ms | update compiled ms | update torch ms |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, batch, n_params, gemm_np, gemm_torch, optimizer, update_np, update_c, update_torch in floors:
            compiled = "-" if update_c is None else f"{update_c:.3f}"
            print(f"| {name} | {batch} | {n_params:,} | {gemm_np:.3f} | {gemm_torch:.3f} | {optimizer} | "
                  f"{update_np:.3f} | {compiled} | {update_torch:.3f} |")


if __name__ == "__main__":
    main()
