"""The workloads: one function per (workload, framework), each run once in its own child process.

Each function takes the run's config dict and returns ``{"rows": {row: {...}}, ...}`` where a row
holds ``seconds`` and ``cpu_seconds`` (wall and process CPU time of the timed part only: never
imports, data loading or model building; :func:`start_clocks`), ``what`` (what those seconds
cover), ``items``/``item`` (for a throughput), and where the workload trains a classifier ``acc``
and ``loss``: accuracy (percent) and cross-entropy on the test set, computed by the same numpy
code (:func:`class_metrics`, :func:`binary_metrics`) from each framework's predicted
probabilities.

Both frameworks get the same float32 arrays, the same model, initialisation (Keras's
glorot_uniform weights and zero biases; W2: the seed's N(0, 0.01)), optimizer settings (Keras's
defaults written out for PyTorch: Adam/RMSprop eps 1e-7, RMSprop rho 0.9) and batch size.
PyTorch code is written the way a PyTorch user writes it: ``nn.Sequential``, a ``randperm``
per epoch with manual batching (no DataLoader), ``CrossEntropyLoss``/``BCEWithLogitsLoss`` on
logits, ``loss.item()`` and a correct-count per step (the numbers Keras's ``fit`` reports), and
``torch.no_grad()`` for prediction. PyTorch's optimizers run in their fastest eager configuration
(:func:`torch_optimizer`: ``fused=True`` where the class has a CPU fused kernel, else ``foreach=True``).
"""
from __future__ import annotations

import os
import time
import timeit

import numpy as np

_now = time.perf_counter
_cpu = time.process_time  # user + system CPU seconds of this process (all its threads)
_state = {}

#: Modules chainrule imports lazily, on first use inside fit/predict: the timed part must pay for them,
#: so the child never imports them before timing (mark_baseline records whether one was loaded).
LAZY_IMPORTS = ("scipy", "scipy.sparse", "numba")  # numba: the compiled optimizer updates, after the tier-up

MNIST_FLOPS_FORWARD = 2 * (784 * 128 + 128 * 10)  # per sample


# ---------------------------------------------------------------------------------------------
# Bookkeeping
# ---------------------------------------------------------------------------------------------

def current_rss_mib() -> float:
    """Resident set size now (not the peak), from /proc/self/statm."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return float("nan")


def mark_baseline():
    """Record the RSS once data and model are ready, just before the first timed section, and which of
    chainrule's lazily imported modules (:data:`LAZY_IMPORTS`) were already loaded then (none, normally)."""
    import sys
    _state.setdefault("rss_before_timing_mib", current_rss_mib())
    _state.setdefault("lazy_imports_before_timing", [m for m in LAZY_IMPORTS if m in sys.modules])


def start_clocks():
    """Start timing; returns ``stop()``, which gives ``{"seconds": wall, "cpu_seconds": CPU}`` since now.

    CPU time is this process's user + system time (``time.process_time``): on a machine whose cores
    other jobs share, it leaves out the time the run waited for a core, which wall time counts.
    """
    wall0, cpu0 = _now(), _cpu()

    def stop():
        return {"seconds": _now() - wall0, "cpu_seconds": _cpu() - cpu0}
    return stop


def time_calls(fn, number):
    """``{"seconds", "cpu_seconds"}`` of ``number`` calls of ``fn`` in timeit's loop (garbage collector off)."""
    timer = timeit.Timer(fn)
    stop = start_clocks()
    timer.timeit(number)
    return stop()


def per_item(times, n):
    """``times`` (from ``stop()``) divided by ``n``: per step or per call."""
    return {k: v / n for k, v in times.items()}


def note_info(key, value):
    """Add ``key=value`` to the run's info (shown in the notes of RESULTS.md)."""
    _state.setdefault("info", {})[key] = value


def op_times(model, x, y, batch, steps, top=8):
    """Milliseconds per training step of ``model.fit`` spent in each op's forward/backward, from ``steps``
    steps of ``batch`` examples, plus the whole step (``ms_per_step_instrumented``) and their sum (``ops_ms``).

    Every ``chainrule.ops`` class's ``forward``/``backward`` is wrapped with a timer for the run and
    restored after it. Run it after a timed part, never inside one (the wrappers cost a little); what
    the step costs beyond ``ops_ms`` is the framework around the ops (layer calls, the tape, logs).
    """
    import functools

    from chainrule.ops.base import Op
    totals = {}

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    saved = []
    for cls in set(subclasses(Op)):
        for name in ("forward", "backward"):
            if name not in cls.__dict__:
                continue
            original = cls.__dict__[name]

            @functools.wraps(original)
            def timed(self, *args, _f=original, _key=(cls.__name__, name), **kwargs):
                t0 = _now()
                try:
                    return _f(self, *args, **kwargs)
                finally:
                    totals[_key] = totals.get(_key, 0.0) + _now() - t0
            saved.append((cls, name, original))
            setattr(cls, name, timed)
    try:
        t0 = _now()
        model.fit(x[:steps * batch], y[:steps * batch], batch_size=batch, epochs=1, verbose=0, shuffle=False)
        step_ms = (_now() - t0) / steps * 1e3
    finally:
        for cls, name, original in saved:
            setattr(cls, name, original)
    per_step = {f"{c}.{n}": v / steps * 1e3 for (c, n), v in totals.items()}
    ranked = sorted(per_step.items(), key=lambda kv: -kv[1])[:top]
    return {"ms_per_step_instrumented": round(step_ms, 3), "ops_ms": round(sum(per_step.values()), 3),
            **{f"{k}_ms": round(v, 3) for k, v in ranked}}


def class_metrics(probs, labels):
    """``(accuracy %, mean cross-entropy)`` of class probabilities ``(N, C)`` against integer labels."""
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels).astype(np.int64)
    picked = probs[np.arange(len(labels)), labels]
    loss = float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0))))
    return float(100.0 * np.mean(probs.argmax(axis=1) == labels)), loss


def binary_metrics(probs, labels):
    """``(accuracy %, mean binary cross-entropy)`` of probabilities ``(N,)`` or ``(N, 1)``."""
    p = np.clip(np.asarray(probs, dtype=np.float64).reshape(-1), 1e-7, 1 - 1e-7)
    t = np.asarray(labels, dtype=np.float64).reshape(-1)
    loss = float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))
    return float(100.0 * np.mean((p > 0.5) == (t > 0.5))), loss


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# Data: the arrays benchmarks.prepare wrote, turned into float32 as the seeds do
# ---------------------------------------------------------------------------------------------

def load_images(cfg, name, flatten=False):
    """``x_train, y_train, x_test, y_test``: images float32 in [0, 1], labels uint8 as loaded."""
    with np.load(os.path.join(cfg["cache"], f"{name}.npz")) as f:
        x, y, xt, yt = f["x_train"], f["y_train"], f["x_test"], f["y_test"]
    n = cfg.get("train_n")
    if n:
        x, y = x[:n], y[:n]

    def scale(a):
        a = a.astype(np.float32)
        a /= np.float32(255.0)
        return a.reshape(len(a), -1) if flatten else a
    return scale(x), y, scale(xt), yt


def multi_hot(tokens, lengths, dimension=10000):
    """The seed's ``vectorize_sequences``: row i has 1.0 at every word index of review i (float32)."""
    out = np.zeros((len(lengths), dimension), dtype=np.float32)
    out[np.repeat(np.arange(len(lengths)), lengths), tokens] = 1.0
    return out


def load_imdb(cfg):
    with np.load(os.path.join(cfg["cache"], "imdb.npz")) as f:
        parts = {k: f[k] for k in f.files}

    def split(name, n):
        tokens, lengths, labels = parts[f"{name}_tokens"], parts[f"{name}_lengths"], parts[f"y_{name}"]
        if n:
            lengths, labels = lengths[:n], labels[:n]
            tokens = tokens[:int(lengths.sum())]
        return multi_hot(tokens, lengths), np.asarray(labels).astype(np.float32)
    x, y = split("train", cfg.get("imdb_train_n"))
    xt, yt = split("test", cfg.get("imdb_test_n"))
    return x, y, xt, yt


def synthetic_images(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, n).astype(np.uint8)
    return x, y


# ---------------------------------------------------------------------------------------------
# chainrule models (the seeds' own code)
# ---------------------------------------------------------------------------------------------

def _cr_quickstart(keras):
    """W1's model, as in the TensorFlow quickstart (softmax output, compiled with Adam)."""
    model = keras.Sequential([
        keras.layers.Flatten(input_shape=(28, 28)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _cr_setup(cfg):
    """The Keras the chainrule workloads run on: ``chainrule.keras``, or real ``tf.keras`` when ``cfg["keras"]``
    is ``"tf"`` (``benchmarks.tf_accuracy`` runs the same programs under TensorFlow), seeded with ``cfg["seed"]``."""
    if cfg.get("keras") == "tf":
        import tensorflow as tf
        keras = tf.keras
    else:
        from chainrule import keras
    keras.utils.set_random_seed(cfg["seed"])
    return keras


# ---------------------------------------------------------------------------------------------
# PyTorch models and loops
# ---------------------------------------------------------------------------------------------

def _torch_setup(cfg):
    import torch
    torch.set_num_threads(cfg["threads"])
    try:
        torch.set_num_interop_threads(cfg["threads"])
    except RuntimeError:
        pass
    torch.manual_seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    return torch


def _torch_glorot(model):
    """Keras's Dense initialisation (glorot_uniform kernel, zero bias) on every nn.Linear."""
    import torch.nn as nn
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def torch_optimizer(torch, name, params, **hyper):
    """``torch.optim.<name>(params, **hyper)`` in its fastest eager configuration on the CPU.

    ``fused=True`` (one kernel over all parameters) where the class takes it and has a CPU kernel
    (Adam, AdamW and SGD in torch 2.13), else ``foreach=True`` (multi-tensor ops; RMSprop), else the
    default. Which one was used goes into the run's info as ``torch_optimizer``.
    """
    cls = getattr(torch.optim, name)
    params = list(params)
    for mode in ("fused", "foreach"):
        try:
            opt = cls(params, **hyper, **{mode: True})
        except (TypeError, RuntimeError, ValueError):  # no such argument, or no kernel for this device
            continue
        note_info("torch_optimizer", f"{name}({mode}=True)")
        return opt
    note_info("torch_optimizer", f"{name}(default)")
    return cls(params, **hyper)


def _torch_quickstart(torch):
    nn = torch.nn
    model = _torch_glorot(nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2),
                                        nn.Linear(128, 10)))
    opt = torch_optimizer(torch, "Adam", model.parameters(), lr=1e-3, eps=1e-7)
    return model, opt, nn.CrossEntropyLoss()


def _torch_epoch(torch, model, opt, loss_fn, X, Y, batch_size, binary=False):
    """One epoch: randperm, manual batching, step, and the running loss/accuracy Keras also keeps."""
    model.train()
    n = X.shape[0]
    perm = torch.randperm(n)
    loss_sum, correct = 0.0, 0
    for start in range(0, n, batch_size):
        idx = perm[start:start + batch_size]
        xb, yb = X[idx], Y[idx]
        out = model(xb)
        loss = loss_fn(out, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_sum += loss.item() * len(idx)
        if binary:
            correct += ((out > 0) == (yb > 0.5)).sum().item()
        else:
            correct += (out.argmax(1) == yb).sum().item()
    return loss_sum / n, 100.0 * correct / n


def _torch_predict(torch, model, X, batch_size, final):
    """Probabilities for ``X`` batch by batch under ``torch.no_grad()``, as one numpy array."""
    model.eval()
    outs = []
    with torch.no_grad():
        for start in range(0, X.shape[0], batch_size):
            outs.append(final(model(X[start:start + batch_size])))
    return torch.cat(outs).numpy()


def _softmax_t(torch):
    return lambda z: torch.softmax(z, dim=1)


# ---------------------------------------------------------------------------------------------
# W1 MNIST quickstart
# ---------------------------------------------------------------------------------------------

def w1_chainrule(cfg):
    x, y, xt, yt = load_images(cfg, "mnist")
    keras = _cr_setup(cfg)
    model = _cr_quickstart(keras)
    mark_baseline()
    stop = start_clocks()
    history = model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    train_t = stop()
    stop = start_clocks()
    probs = model.predict(xt, verbose=0)
    predict_t = stop()
    acc, loss = class_metrics(probs, yt)
    return {"rows": {
        "train": dict(**train_t, what=f"1 epoch, {len(x):,} images, batch 32", items=len(x), item="img",
                      acc=acc, loss=loss, train_loss=history.history["loss"][-1]),
        "predict": dict(**predict_t, what=f"predict {len(xt):,} images, batch 32", items=len(xt), item="img")}}


def w1_torch(cfg):
    x, y, xt, yt = load_images(cfg, "mnist")
    torch = _torch_setup(cfg)
    model, opt, loss_fn = _torch_quickstart(torch)
    X, Y = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    Xt = torch.from_numpy(xt)
    mark_baseline()
    stop = start_clocks()
    train_loss, _ = _torch_epoch(torch, model, opt, loss_fn, X, Y, 32)
    train_t = stop()
    stop = start_clocks()
    probs = _torch_predict(torch, model, Xt, 32, _softmax_t(torch))
    predict_t = stop()
    acc, loss = class_metrics(probs, yt)
    return {"rows": {
        "train": dict(**train_t, what=f"1 epoch, {len(x):,} images, batch 32", items=len(x), item="img",
                      acc=acc, loss=loss, train_loss=train_loss),
        "predict": dict(**predict_t, what=f"predict {len(xt):,} images, batch 32", items=len(xt), item="img")}}


# ---------------------------------------------------------------------------------------------
# W2 TwoLayerNet (the from-scratch seed's training loop)
# ---------------------------------------------------------------------------------------------

W2_BATCH, W2_LR = 100, 0.1


def w2_chainrule(cfg):
    from chainrule.demo_backprop import TwoLayerNet
    x, t, xt, tt = load_images(cfg, "mnist", flatten=True)
    t = t.astype(np.int64)
    np.random.seed(cfg["seed"])
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, rng=np.random.default_rng(cfg["seed"]),
                          dtype=np.float32)
    iters, train_size = cfg["w2_iters"], x.shape[0]
    mark_baseline()
    stop = start_clocks()
    for _ in range(iters):
        batch_mask = np.random.choice(train_size, W2_BATCH)
        x_batch, t_batch = x[batch_mask], t[batch_mask]
        grad = network.gradient(x_batch, t_batch)
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= W2_LR * grad[key]
    times = stop()
    acc, loss = class_metrics(softmax(network.predict(xt)), tt)
    dtypes = sorted({str(p.dtype) for p in network.params.values()})
    return {"rows": {"train": dict(**times, what=f"{iters:,} iterations, batch 100", items=iters,
                                   item="it", acc=acc, loss=loss)},
            "info": {"param_dtypes": dtypes}}


def w2_torch(cfg):
    x, t, xt, tt = load_images(cfg, "mnist", flatten=True)
    torch = _torch_setup(cfg)
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))
    with torch.no_grad():
        for m in (model[0], model[2]):  # the seed's init: N(0, 0.01) weights, zero biases
            m.weight.normal_(0.0, 0.01)
            m.bias.zero_()
    opt = torch_optimizer(torch, "SGD", model.parameters(), lr=W2_LR)
    loss_fn = nn.CrossEntropyLoss()
    X, T = torch.from_numpy(x), torch.from_numpy(t.astype(np.int64))
    iters, train_size = cfg["w2_iters"], x.shape[0]
    mark_baseline()
    stop = start_clocks()
    for _ in range(iters):
        idx = torch.randint(0, train_size, (W2_BATCH,))
        loss = loss_fn(model(X[idx]), T[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    times = stop()
    probs = _torch_predict(torch, model, torch.from_numpy(xt), 10_000, _softmax_t(torch))
    acc, loss = class_metrics(probs, tt)
    return {"rows": {"train": dict(**times, what=f"{iters:,} iterations, batch 100", items=iters,
                                   item="it", acc=acc, loss=loss)}}


# ---------------------------------------------------------------------------------------------
# W3 / W3b IMDB
# ---------------------------------------------------------------------------------------------

def _w3_chainrule(cfg, units):
    x, y, xt, yt = load_imdb(cfg)
    keras = _cr_setup(cfg)
    model = keras.Sequential([
        keras.layers.Dense(units, activation="relu", input_shape=(10000,)),
        keras.layers.Dense(units, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3), loss="binary_crossentropy",
                  metrics=["accuracy"])
    mark_baseline()
    stop = start_clocks()
    history = model.fit(x, y, batch_size=512, epochs=1, verbose=0)
    times = stop()
    acc, loss = binary_metrics(model.predict(xt, batch_size=1024, verbose=0), yt)
    return {"rows": {"train": dict(**times, what=f"1 epoch, {len(x):,} reviews, batch 512",
                                   items=len(x), item="review", acc=acc, loss=loss,
                                   train_loss=history.history["loss"][-1])},
            "info": {"params": int(model.count_params())}}


def _w3_torch(cfg, units):
    x, y, xt, yt = load_imdb(cfg)
    torch = _torch_setup(cfg)
    nn = torch.nn
    model = _torch_glorot(nn.Sequential(nn.Linear(10000, units), nn.ReLU(), nn.Linear(units, units), nn.ReLU(),
                                        nn.Linear(units, 1)))
    opt = torch_optimizer(torch, "RMSprop", model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()
    X, Y = torch.from_numpy(x), torch.from_numpy(y.reshape(-1, 1))
    mark_baseline()
    stop = start_clocks()
    train_loss, _ = _torch_epoch(torch, model, opt, loss_fn, X, Y, 512, binary=True)
    times = stop()
    probs = _torch_predict(torch, model, torch.from_numpy(xt), 1024, torch.sigmoid)
    acc, loss = binary_metrics(probs, yt)
    return {"rows": {"train": dict(**times, what=f"1 epoch, {len(x):,} reviews, batch 512",
                                   items=len(x), item="review", acc=acc, loss=loss, train_loss=train_loss)},
            "info": {"params": int(sum(p.numel() for p in model.parameters()))}}


def w3_chainrule(cfg):
    return _w3_chainrule(cfg, 16)


def w3_torch(cfg):
    return _w3_torch(cfg, 16)


def w3b_chainrule(cfg):
    return _w3_chainrule(cfg, 1024)


def w3b_torch(cfg):
    return _w3_torch(cfg, 1024)


# ---------------------------------------------------------------------------------------------
# W4 Fashion-MNIST, functional API
# ---------------------------------------------------------------------------------------------

W4_UNITS = (256, 128, 64, 32)


def w4_chainrule(cfg):
    x, y, xt, yt = load_images(cfg, "fashion_mnist", flatten=True)
    keras = _cr_setup(cfg)
    inputs = keras.Input(shape=(784,))
    h = inputs
    for units in W4_UNITS:
        h = keras.layers.Dense(units, activation="relu")(h)
    outputs = keras.layers.Dense(10, activation="softmax")(h)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    mark_baseline()
    stop = start_clocks()
    history = model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    times = stop()
    acc, loss = class_metrics(model.predict(xt, batch_size=1024, verbose=0), yt)
    return {"rows": {"train": dict(**times, what=f"1 epoch, {len(x):,} images, batch 128", items=len(x),
                                   item="img", acc=acc, loss=loss, train_loss=history.history["loss"][-1])}}


def w4_torch(cfg):
    x, y, xt, yt = load_images(cfg, "fashion_mnist", flatten=True)
    torch = _torch_setup(cfg)
    nn = torch.nn
    layers, width = [], 784
    for units in W4_UNITS:
        layers += [nn.Linear(width, units), nn.ReLU()]
        width = units
    model = _torch_glorot(nn.Sequential(*layers, nn.Linear(width, 10)))
    opt = torch_optimizer(torch, "RMSprop", model.parameters(), lr=0.01, alpha=0.9, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    X, Y = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    mark_baseline()
    stop = start_clocks()
    train_loss, _ = _torch_epoch(torch, model, opt, loss_fn, X, Y, 128)
    times = stop()
    acc, loss = class_metrics(_torch_predict(torch, model, torch.from_numpy(xt), 1024, _softmax_t(torch)), yt)
    return {"rows": {"train": dict(**times, what=f"1 epoch, {len(x):,} images, batch 128", items=len(x),
                                   item="img", acc=acc, loss=loss, train_loss=train_loss)}}


# ---------------------------------------------------------------------------------------------
# W5 per-step overhead
# ---------------------------------------------------------------------------------------------

W5_BATCHES = (1, 8)
W5_WARMUP = 50  # steps run before the timed epoch (first-call costs, allocator warm-up)


def w5_chainrule(cfg):
    steps, rows = cfg["w5_steps"], {}
    for bs in W5_BATCHES:
        x, y = synthetic_images(steps * bs, cfg["seed"])
        keras = _cr_setup(cfg)
        model = _cr_quickstart(keras)
        warm = min(W5_WARMUP, steps) * bs
        model.fit(x[:warm], y[:warm], batch_size=bs, epochs=1, verbose=0)
        mark_baseline()
        stop = start_clocks()
        model.fit(x, y, batch_size=bs, epochs=1, verbose=0)
        rows[f"batch {bs}"] = dict(**stop(), what=f"{steps:,} steps of fit, batch {bs}", items=steps, item="step")
    return {"rows": rows}


def w5_torch(cfg):
    steps, rows = cfg["w5_steps"], {}
    torch = _torch_setup(cfg)
    for bs in W5_BATCHES:
        x, y = synthetic_images(steps * bs, cfg["seed"])
        X, Y = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
        model, opt, loss_fn = _torch_quickstart(torch)
        warm = min(W5_WARMUP, steps) * bs
        _torch_epoch(torch, model, opt, loss_fn, X[:warm], Y[:warm], bs)
        mark_baseline()
        stop = start_clocks()
        _torch_epoch(torch, model, opt, loss_fn, X, Y, bs)
        rows[f"batch {bs}"] = dict(**stop(), what=f"{steps:,} steps, batch {bs}", items=steps, item="step")
    return {"rows": rows}


# ---------------------------------------------------------------------------------------------
# W6 chainrule.function vs eager (the tf.function guide's SequentialModel)
# ---------------------------------------------------------------------------------------------

def w6_chainrule(cfg):
    import chainrule as tf
    tf.keras.utils.set_random_seed(cfg["seed"])

    class SequentialModel(tf.keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.flatten = tf.keras.layers.Flatten(input_shape=(28, 28))
            self.dense_1 = tf.keras.layers.Dense(128, activation="relu")
            self.dropout = tf.keras.layers.Dropout(0.2)
            self.dense_2 = tf.keras.layers.Dense(10)

        def call(self, x):
            x = self.flatten(x)
            x = self.dense_1(x)
            x = self.dropout(x)
            return self.dense_2(x)

    input_data = tf.random.uniform([60, 28, 28])
    eager_model = SequentialModel()
    graph_model = tf.function(eager_model)
    expected = eager_model(input_data).numpy()
    same = bool(np.allclose(graph_model(input_data).numpy(), expected, rtol=1e-5, atol=1e-6))
    for _ in range(10):  # warm both paths
        eager_model(input_data)
        graph_model(input_data)
    calls = cfg["w6_calls"]
    mark_baseline()
    eager_t = time_calls(lambda: eager_model(input_data), calls)
    graph_t = time_calls(lambda: graph_model(input_data), calls)
    floor_t = time_calls(_numpy_forward(eager_model, input_data.numpy()), calls)
    return {"rows": {"eager": dict(**eager_t, what=f"{calls:,} calls, eager", items=calls, item="call"),
                     "compiled": dict(**graph_t, what=f"{calls:,} calls, chainrule.function", items=calls,
                                      item="call")},
            "info": {"function_matches_eager": same, "trace_count": graph_model.experimental_get_tracing_count(),
                     "numpy_forward_s": round(floor_t["seconds"], 4),
                     "numpy_forward_cpu_s": round(floor_t["cpu_seconds"], 4)}}


def _numpy_forward(model, x):
    """The model's inference forward written directly in numpy: the floor any call path can reach."""
    W1, b1 = (v.numpy() for v in model.dense_1.weights)
    W2, b2 = (v.numpy() for v in model.dense_2.weights)
    n = x.shape[0]

    def forward():
        h = x.reshape(n, -1) @ W1
        h += b1
        np.maximum(h, 0, out=h)
        out = h @ W2
        out += b2
        return out
    np.testing.assert_allclose(forward(), model(x).numpy(), rtol=1e-4, atol=1e-5)
    return forward


def w6_torch(cfg):
    """For reference: eager under no_grad and torch.jit.trace (TorchScript), same model and batch."""
    import warnings
    torch = _torch_setup(cfg)
    nn = torch.nn
    model = _torch_glorot(nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2),
                                        nn.Linear(128, 10))).eval()
    input_data = torch.rand(60, 28, 28)
    calls, rows, info = cfg["w6_calls"], {}, {}
    with torch.no_grad():
        for _ in range(10):
            model(input_data)
        mark_baseline()
        rows["eager"] = dict(**time_calls(lambda: model(input_data), calls),
                             what=f"{calls:,} calls, eager, no_grad", items=calls, item="call")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                traced = torch.jit.trace(model, input_data)
                for _ in range(10):
                    traced(input_data)
            rows["compiled"] = dict(**time_calls(lambda: traced(input_data), calls),
                                    what=f"{calls:,} calls, torch.jit.trace, no_grad", items=calls, item="call")
        except Exception as e:  # TorchScript is deprecated; it is only a reference here
            info["jit_trace_error"] = f"{type(e).__name__}: {e}"
    return {"rows": rows, "info": info}


# ---------------------------------------------------------------------------------------------
# W7 large-batch efficiency
# ---------------------------------------------------------------------------------------------

W7_BATCH = 4096


def w7_flops(batch=W7_BATCH):
    """FLOPs of one W1 training step at ``batch``, counting 2*m*n*k per matmul.

    ``needed``: the five matmuls a training step must do (two forward, dW1, dW2 and the hidden
    layer's input gradient). ``all``: the issue's count, forward and both backward matmuls of both
    layers (3 x forward), which adds the gradient with respect to the input images that neither
    framework computes.
    """
    fwd = batch * MNIST_FLOPS_FORWARD
    needed = fwd + batch * 2 * (784 * 128 + 128 * 10) + batch * 2 * 128 * 10
    return {"needed": needed, "all": 3 * fwd}


def numpy_matmul_reference(batch=W7_BATCH, repeats=15):
    """Seconds numpy's float32 matmul needs for the step's matmuls alone: ``{'needed': s, 'all': s}``."""
    rng = np.random.default_rng(0)
    f32 = np.float32
    x = rng.random((batch, 784), dtype=f32)
    W1 = rng.standard_normal((784, 128), dtype=f32)
    W2 = rng.standard_normal((128, 10), dtype=f32)
    h = np.empty((batch, 128), f32)
    o = np.empty((batch, 10), f32)
    dW1 = np.empty((784, 128), f32)
    dW2 = np.empty((128, 10), f32)
    dh = np.empty((batch, 128), f32)
    dx = np.empty((batch, 784), f32)
    dout = rng.standard_normal((batch, 10), dtype=f32)

    def needed():
        np.matmul(x, W1, out=h)
        np.matmul(h, W2, out=o)
        np.matmul(h.T, dout, out=dW2)
        np.matmul(dout, W2.T, out=dh)
        np.matmul(x.T, dh, out=dW1)

    def input_grad():
        np.matmul(dh, W1.T, out=dx)

    needed(), input_grad()
    t_needed = min(timeit.repeat(needed, number=1, repeat=repeats))
    t_extra = min(timeit.repeat(input_grad, number=1, repeat=repeats))
    return {"needed": t_needed, "all": t_needed + t_extra}


class FusedNumpyStep:
    """W1's training step written by hand in numpy: W7's reference, the floor for any framework.

    The same model and work as a ``fit`` step: a batch gathered by a shuffled index (``np.take``
    into a preallocated buffer, the fastest gather numpy has), Dense(128, relu), Dropout(0.2),
    Dense(10), softmax cross-entropy with the loss and the correct count a step reports, both weight
    gradients and the hidden layer's input gradient, and Adam (Keras's formula, eps 1e-7) over one
    flat float32 buffer. Everything float32, in preallocated buffers (``out=``), no Python per
    element; relu's and dropout's masks folded into one multiplier.
    """

    def __init__(self, batch, seed, rate=0.2, lr=1e-3, beta_1=0.9, beta_2=0.999, eps=1e-7):
        f32 = np.float32
        self.rng = np.random.default_rng(seed)
        shapes = ((784, 128), (128,), (128, 10), (10,))
        sizes = [int(np.prod(s)) for s in shapes]
        n = sum(sizes)
        self.params, self.grads = np.zeros(n, f32), np.zeros(n, f32)
        self.m, self.v, self.tmp = np.zeros(n, f32), np.zeros(n, f32), np.zeros(n, f32)
        offsets = np.cumsum([0] + sizes)

        def views(buf):
            return [buf[a:b].reshape(s) for a, b, s in zip(offsets[:-1], offsets[1:], shapes)]
        self.W1, self.b1, self.W2, self.b2 = views(self.params)
        self.dW1, self.db1, self.dW2, self.db2 = views(self.grads)
        for W in (self.W1, self.W2):  # glorot_uniform
            limit = np.sqrt(6.0 / sum(W.shape))
            W[...] = self.rng.uniform(-limit, limit, W.shape).astype(f32)
        self.xb = np.empty((batch, 784), f32)
        self.h, self.u = np.empty((batch, 128), f32), np.empty((batch, 128), f32)
        self.keep, self.pos = np.empty((batch, 128), bool), np.empty((batch, 128), bool)
        self.z, self.dh = np.empty((10, batch), f32), np.empty((batch, 128), f32)
        self.rows = np.arange(batch)
        self.rate, self.scale = f32(rate), f32(1.0 / (1.0 - rate))
        self.lr, self.beta_1, self.beta_2, self.eps = lr, beta_1, beta_2, f32(eps)
        self.one_minus_beta_1, self.one_minus_beta_2 = f32(1.0 - beta_1), f32(1.0 - beta_2)
        self.iterations = 0

    def step(self, x, y, idx):
        """One step on rows ``idx`` of ``x`` (N, 784) and ``y`` (N,); returns ``(loss sum, correct)``."""
        xb, h, u, z, dh = self.xb, self.h, self.u, self.z, self.dh
        np.take(x, idx, axis=0, out=xb, mode="clip")  # a permutation's indices: "clip" skips mode="raise"'s extra copy
        yb = y[idx]
        np.matmul(xb, self.W1, out=h)
        h += self.b1
        self.rng.random(out=u, dtype=np.float32)
        np.greater_equal(u, self.rate, out=self.keep)  # dropout's keep mask
        np.greater(h, 0, out=self.pos)  # relu's
        self.keep &= self.pos
        np.multiply(self.keep, self.scale, out=u)  # d(hidden)/d(pre-activation): 0 or 1/(1-rate)
        h *= u
        # The logits as (classes, batch): the softmax's reductions then run along contiguous rows (numpy's
        # reductions over a short last axis cost ~20 ns a row).
        np.matmul(self.W2.T, h.T, out=z)
        z += self.b2[:, None]
        correct = int(np.count_nonzero(z.argmax(axis=0) == yb))
        z -= z.max(axis=0)
        picked = z[yb, self.rows]
        np.exp(z, out=z)
        total = z.sum(axis=0)
        loss_sum = float(np.log(total).sum() - picked.sum())
        z /= total  # softmax; then its cross-entropy gradient, averaged over the batch
        z[yb, self.rows] -= 1
        z *= np.float32(1.0 / len(idx))
        np.matmul(h.T, z.T, out=self.dW2)
        np.sum(z, axis=1, out=self.db2)
        np.matmul(z.T, self.W2.T, out=dh)
        dh *= u
        np.matmul(xb.T, dh, out=self.dW1)
        np.sum(dh, axis=0, out=self.db1)
        self._adam()
        return loss_sum, correct

    def _adam(self):
        self.iterations += 1
        t = self.iterations
        f32, t32 = np.float32, np.float32(t)  # the bias correction in float32, as chainrule's (and tf.keras's) Adam
        lr_t = f32(self.lr) * np.sqrt(f32(1.0) - f32(self.beta_2) ** t32) / (f32(1.0) - f32(self.beta_1) ** t32)
        g, m, v, tmp = self.grads, self.m, self.v, self.tmp
        np.subtract(g, m, out=tmp)  # m += (1 - beta_1) (g - m)
        tmp *= self.one_minus_beta_1
        m += tmp
        np.multiply(g, g, out=tmp)  # v += (1 - beta_2) (g^2 - v)
        tmp -= v
        tmp *= self.one_minus_beta_2
        v += tmp
        np.sqrt(v, out=tmp)  # p -= lr_t m / (sqrt(v) + eps)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= lr_t
        self.params -= tmp

    def epoch(self, x, y, batch):
        """One shuffled epoch over ``x``/``y`` in batches of ``batch``; returns the mean loss and accuracy %."""
        order = self.rng.permutation(len(x))
        loss_sum = correct = 0
        for start in range(0, len(x) - batch + 1, batch):
            loss, right = self.step(x, y, order[start:start + batch])
            loss_sum += loss
            correct += right
        return loss_sum / len(x), 100.0 * correct / len(x)


def fused_numpy_reference(x, y, seed, batch=W7_BATCH):
    """``{"seconds", "cpu_seconds"}`` of one :class:`FusedNumpyStep` step: the mean over one epoch of ``x``
    (after a warm-up step), timed as the frameworks' epoch is."""
    x2 = x.reshape(len(x), -1)
    ref = FusedNumpyStep(batch, seed)
    ref.epoch(x2[:batch], y[:batch], batch)
    stop = start_clocks()
    loss, _ = ref.epoch(x2, y, batch)
    times = per_item(stop(), len(x) // batch)
    note_info("numpy_step_train_loss", round(loss, 4))
    return times


def _w7_row(times, steps, x, y, seed):
    flops = w7_flops()
    per_step = per_item(times, steps)
    ref = numpy_matmul_reference()
    fused = fused_numpy_reference(x, y, seed)
    row = dict(**per_step, what=f"1 training step, batch {W7_BATCH:,} (mean of {steps})", items=W7_BATCH,
               item="img", gflops=flops["needed"] / per_step["seconds"] / 1e9,
               numpy_step_seconds=fused["seconds"], numpy_step_cpu_seconds=fused["cpu_seconds"],
               numpy_gflops=flops["needed"] / ref["needed"] / 1e9,
               gflops_all=flops["all"] / per_step["seconds"] / 1e9, numpy_gflops_all=flops["all"] / ref["all"] / 1e9)
    return {"rows": {"step": row}}


def w7_chainrule(cfg):
    steps = cfg["w7_steps"]
    x, y = synthetic_images(steps * W7_BATCH, cfg["seed"])
    keras = _cr_setup(cfg)
    model = _cr_quickstart(keras)
    model.fit(x[:W7_BATCH], y[:W7_BATCH], batch_size=W7_BATCH, epochs=1, verbose=0)  # build + warm
    mark_baseline()
    stop = start_clocks()
    model.fit(x, y, batch_size=W7_BATCH, epochs=1, verbose=0)
    return _w7_row(stop(), steps, x, y, cfg["seed"])


def w7_torch(cfg):
    steps = cfg["w7_steps"]
    x, y = synthetic_images(steps * W7_BATCH, cfg["seed"])
    torch = _torch_setup(cfg)
    X, Y = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    model, opt, loss_fn = _torch_quickstart(torch)
    _torch_epoch(torch, model, opt, loss_fn, X[:W7_BATCH], Y[:W7_BATCH], W7_BATCH)
    mark_baseline()
    stop = start_clocks()
    _torch_epoch(torch, model, opt, loss_fn, X, Y, W7_BATCH)
    return _w7_row(stop(), steps, x, y, cfg["seed"])


def get(workload: str, framework: str):
    """The function that runs ``workload`` (``'W3b'``) with ``framework`` (``'chainrule'``/``'torch'``):
    defined here, or in a ``workloads_*`` module named in ``spec.WORKLOAD_MODULES``."""
    name = f"{workload.lower()}_{framework}"
    if name in globals():
        return globals()[name]
    import importlib
    from .spec import WORKLOAD_MODULES
    return getattr(importlib.import_module(f"benchmarks.{WORKLOAD_MODULES[workload]}"), name)


def run(workload: str, framework: str, cfg: dict) -> dict:
    _state.clear()
    result = get(workload, framework)(cfg)
    info = _state.pop("info", {})
    if info:
        result["info"] = {**result.get("info", {}), **info}
    result.update(_state)
    return result
