"""W10: data-parallel training over MPI (``chainrule.distribute.MultiWorkerMirroredStrategy``).

One epoch of W1's model (the MNIST quickstart, 32 images per replica and step) and of W4's (the
Fashion-MNIST functional 784-256-128-64-32-10, 128 per replica), each with 1 and with 2 ranks:
``mpiexec -n R python -m benchmarks.workloads_distributed ...``, every rank with the run's BLAS
thread count (1 by default), so 2 ranks use 2 cores. Weak scaling, as TensorFlow's multi-worker
guide sets it up: the per-replica batch stays, the global batch is R times it, and one epoch is
the whole training set, so 2 ranks take half the steps. Rows: samples/s of the epoch (the slowest
rank's wall time, and separately its CPU time, from ``fit``'s call to its return, which ends with
a barrier; cold, as W1 and W4: the first step's tracing included) and the test accuracy after it
(predicted on every rank, gathered). Scaling efficiency = samples/s with 2 ranks / (2 x samples/s
with 1 rank), in the run's info. A third row per model runs 2 processes at once that train
independently on half the images each (no strategy, no communication): on a machine whose cores
are shared, what 2 processes can get at all; 2 ranks / that = the cost of the all-reduce and the
synchronisation.

chainrule only (PyTorch's counterpart would be torch.distributed, a different launcher). Needs
the ``chainrule[distributed]`` extra: mpi4py and the MPICH wheel's ``mpiexec``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from .workloads import W4_UNITS, _cr_quickstart, _cr_setup, class_metrics, load_images, start_clocks

MODELS = {  # name: (dataset, flatten the images, images per replica and step)
    "quickstart": ("mnist", False, 32),
    "fashion": ("fashion_mnist", True, 128),
}
RANKS = (1, 2)


def _fashion_model(keras):
    """W4's functional model, compiled as in W4."""
    inputs = keras.Input(shape=(784,))
    h = inputs
    for units in W4_UNITS:
        h = keras.layers.Dense(units, activation="relu")(h)
    outputs = keras.layers.Dense(10, activation="softmax")(h)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def rank_run(name: str, cfg: dict, out: str, independent: bool = False) -> None:
    """One rank of an ``mpiexec`` job: train the model one epoch; rank 0 writes the result to ``out``.

    ``independent``: no strategy; each process trains its own model on its share of the images
    (every ``ranks``-th), at the same time as the others and without communicating: the ceiling
    this machine gives that many processes, against which the all-reduce's cost shows.
    """
    import warnings

    import chainrule as tf
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    ranks, rank = strategy.num_replicas_in_sync, strategy.cluster_resolver.task_id
    dataset, flatten, per_replica = MODELS[name]
    x, y, xt, yt = load_images(cfg, dataset, flatten=flatten)
    keras = _cr_setup(cfg)
    build = _cr_quickstart if name == "quickstart" else _fashion_model
    if independent:
        warnings.filterwarnings("ignore", message=".*compiled outside the scope")
        x, y = x[rank::ranks], y[rank::ranks]
        model, batch_size = build(keras), per_replica
        strategy._comm.Barrier()  # start together
    else:
        with strategy.scope():
            model = build(keras)
        batch_size = per_replica * ranks
    stop = start_clocks()
    history = model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    times = strategy._comm.allgather(stop())
    seconds = max(t["seconds"] for t in times)  # the job's time: its slowest process
    cpu_seconds = max(t["cpu_seconds"] for t in times)
    acc, loss = class_metrics(model.predict(xt, batch_size=1024, verbose=0), yt)
    if rank == 0:
        params = model.count_params()
        items = len(x) * (ranks if independent else 1)
        result = dict(seconds=seconds, cpu_seconds=cpu_seconds, items=items, acc=acc, loss=loss,
                      train_loss=history.history["loss"][-1], params=params, steps=-(-len(x) // batch_size),
                      ranks=ranks)
        with open(out + ".tmp", "w") as f:
            json.dump(result, f)
        os.replace(out + ".tmp", out)


def mpiexec_path():
    """The ``mpiexec`` beside this Python (the MPICH wheel's), else on PATH; None when there is none."""
    return shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")


def _launch(mpiexec, name, ranks, cfg, independent=False, timeout=1800.0) -> dict:
    with tempfile.TemporaryDirectory(prefix="chainrule-w10-") as tmp:
        out = os.path.join(tmp, "result.json")
        cmd = [mpiexec, "-n", str(ranks), sys.executable, "-m", "benchmarks.workloads_distributed",
               "--model", name, "--config", json.dumps(cfg), "--out", out] + (["--independent"] if independent else [])
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or not os.path.isfile(out):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
            raise RuntimeError(f"W10 {name} on {ranks} rank(s) failed (exit code {proc.returncode}): " +
                               " | ".join(tail))
        with open(out) as f:
            return json.load(f)


def w10_chainrule(cfg):
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        raise RuntimeError("W10 needs the chainrule[distributed] extra: pip install 'chainrule[distributed]' "
                           "(mpi4py and the MPICH wheel with mpiexec)") from None
    mpiexec = mpiexec_path()
    if mpiexec is None:
        raise RuntimeError("W10 needs mpiexec (pip install mpich puts it beside the Python executable)")
    rows, info = {}, {}
    for name in MODELS:
        per_replica = MODELS[name][2]
        rate = {}
        for ranks in RANKS:
            r = _launch(mpiexec, name, ranks, cfg)
            rate[ranks] = r["items"] / r["seconds"]
            rows[f"{name} {ranks} rank{'s' if ranks > 1 else ''}"] = dict(
                seconds=r["seconds"], cpu_seconds=r["cpu_seconds"], items=r["items"], item="img", acc=r["acc"],
                loss=r["loss"], train_loss=r["train_loss"],
                what=f"1 epoch, {r['items']:,} images, {ranks} x {per_replica} per step ({r['steps']} steps)")
            info[f"{name}_gradient_bytes_per_step"] = 4 * r["params"]
        r = _launch(mpiexec, name, 2, cfg, independent=True)
        rate["independent"] = r["items"] / r["seconds"]
        rows[f"{name} 2 independent"] = dict(
            seconds=r["seconds"], cpu_seconds=r["cpu_seconds"], items=r["items"], item="img",
            what=f"2 processes at once, each its own model on half the images, batch {per_replica}, "
                 "no communication (this machine's ceiling)")
        info[f"{name}_scaling_efficiency"] = round(rate[2] / (2 * rate[1]), 3)
        info[f"{name}_vs_independent"] = round(rate[2] / rate["independent"], 3)
    return {"rows": rows, "info": info}


# ---------------------------------------------------------------------------------------------
# The all-reduce cost model of docs/distributed.md
# ---------------------------------------------------------------------------------------------

#: Gradient sizes (float32 parameters) of the models the note discusses: W1's and W4's, and W3b's for contrast.
COST_MODELS = {"W1 MNIST quickstart": 101_770, "W4 Fashion functional": 244_522, "W3b IMDB 1024-unit": 11_291_649}
LINKS_GBIT = (10, 25, 100)
NODES = (2, 4, 8, 16, 32, 64)
LATENCY_S = 10e-6  # per message of the ring (MPI over a data-centre network; RDMA is a few microseconds)


def ring_allreduce_seconds(nbytes: float, nodes: int, gbit_per_s: float, latency_s: float = LATENCY_S) -> float:
    """Ring all-reduce: ``2 (N-1)`` messages of ``nbytes / N`` each way (reduce-scatter then all-gather)."""
    if nodes < 2:
        return 0.0
    return 2 * (nodes - 1) * (latency_s + nbytes / nodes / (gbit_per_s * 1e9 / 8))


def cost_model_tables(step_seconds: dict) -> str:
    """Markdown tables: all-reduce ms per step, and the efficiency ``t / (t + all-reduce)`` for a compute time
    ``step_seconds[model]`` per step (None: the all-reduce times only)."""
    out = []
    for model, params in COST_MODELS.items():
        nbytes = 4 * params
        t = step_seconds.get(model)
        out.append(f"**{model}**: {params:,} parameters, {nbytes / 1e6:.2f} MB of gradients per step"
                   + (f"; compute {t * 1e3:.2f} ms per step and replica" if t else "") + "\n")
        head = "| link | " + " | ".join(f"N={n}" for n in NODES) + " |"
        out += [head, "|---|" + "---|" * len(NODES)]
        for gbit in LINKS_GBIT:
            cells = []
            for n in NODES:
                ar = ring_allreduce_seconds(nbytes, n, gbit)
                cells.append(f"{ar * 1e3:.2f} ms" + (f" ({t / (t + ar):.0%})" if t else ""))
            out.append(f"| {gbit} Gb/s | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="one rank of W10 (launched by mpiexec), or the cost model")
    parser.add_argument("--model", choices=sorted(MODELS))
    parser.add_argument("--config", help="JSON config of the run")
    parser.add_argument("--out", help="where rank 0 writes the JSON result")
    parser.add_argument("--independent", action="store_true", help="no strategy: each process trains alone")
    parser.add_argument("--cost-model", metavar="MS", nargs=3, type=float,
                        help="print docs/distributed.md's tables for compute times (ms per step) of W1, W4, W3b")
    args = parser.parse_args(argv)
    if args.cost_model:
        print(cost_model_tables({m: ms / 1e3 for m, ms in zip(COST_MODELS, args.cost_model)}))
        return 0
    if not (args.model and args.config and args.out):
        parser.error("--model, --config and --out are required for a rank run")
    rank_run(args.model, json.loads(args.config), args.out, args.independent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
