"""The benchmark's Keras programs run verbatim by real tf.keras beside chainrule: test accuracy over many seeds.

    CHAINRULE_DATA=../shared/datasets python -m benchmarks.tf_accuracy --tf-python TF_VENV/bin/python \\
        W3 W3b W4 --seeds 11

The chainrule side of each workload (``workloads.w3_chainrule``, ...) is a tf.keras program written
against ``keras``; with ``cfg["keras"] = "tf"`` its ``_cr_setup`` hands it TensorFlow's ``tf.keras``
instead of ``chainrule.keras`` (tensorflow-cpu with ``tf_keras``, run with ``TF_USE_LEGACY_KERAS=1``:
Keras 2, the API chainrule follows). Every run is a fresh process with one BLAS thread; seed ``s`` runs
in both frameworks (``keras.utils.set_random_seed(s)``; the two draw different numbers from it). Both
read the same prepared arrays (``benchmarks.prepare``) and score their predictions with the same numpy
code.

What it answers: whether an accuracy gap in ``RESULTS.md`` (read against PyTorch, over 3 seeds) is
chainrule's or the spread of one-epoch training, which real tf.keras shows too. It prints, per workload
and framework, the median test accuracy, the range and the mean, and the seeds' accuracies, and per
workload the p-value of a two-sided Mann-Whitney U test that both frameworks' accuracies come from one
distribution.

TensorFlow is never a dependency: install it in a scratch venv (``python -m venv /tmp/tf &&
/tmp/tf/bin/pip install tensorflow-cpu && /tmp/tf/bin/pip install --no-deps tf_keras``). Not part of
``make bench`` or the tests.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from .spec import THREAD_VARS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = ("W1", "W3", "W3b", "W4", "W8", "W9", "W9b")
DATASETS = {"W1": "mnist", "W3": "imdb", "W3b": "imdb", "W4": "fashion_mnist", "W8": "mnist", "W9": "imdb",
            "W9b": "imdb"}


def _child(workload: str, keras: str, seed: int, cache: str) -> None:
    """Run one workload's chainrule program on ``keras`` ('chainrule' or 'tf'); print its accuracy as JSON."""
    from . import workloads
    cfg = {"cache": cache, "seed": seed, "threads": 1, "keras": keras}
    row = workloads.run(workload, "chainrule", cfg)["rows"]["train"]
    print(json.dumps({"acc": row["acc"], "loss": row["loss"]}))


def _run(python: str, workload: str, keras: str, seed: int, cache: str) -> dict:
    env = dict(os.environ, PYTHONPATH=ROOT, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3",
               **{var: "1" for var in THREAD_VARS})
    cmd = [python, "-m", "benchmarks.tf_accuracy", "--child", workload, "--keras", keras, "--seed", str(seed),
           "--cache", cache]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{workload} on {keras}, seed {seed} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _summary(accs: list) -> str:
    return (f"{statistics.median(accs):.2f} | {min(accs):.2f}-{max(accs):.2f} | {statistics.mean(accs):.2f} | "
            + " ".join(f"{a:.2f}" for a in accs))


def _same_distribution_p(a: list, b: list) -> float:
    """The two-sided Mann-Whitney U test's p-value for "both frameworks' accuracies come from one distribution"
    (small, say below 0.05: one framework's accuracies are systematically higher)."""
    from scipy.stats import mannwhitneyu
    return float(mannwhitneyu(a, b, alternative="two-sided").pvalue)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", metavar="W", help=f"of {', '.join(WORKLOADS)} (default W3 W3b W4)")
    parser.add_argument("--tf-python", help="a Python with tensorflow-cpu and tf_keras installed")
    parser.add_argument("--seeds", type=int, default=11, help="seeds 0..N-1 in each framework (default 11)")
    parser.add_argument("--cache", help="prepared arrays (benchmarks.prepare); default: prepared now in a temp folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--keras", default="chainrule", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.keras, args.seed, args.cache)
        return 0
    workloads = args.workloads or ["W3", "W3b", "W4"]
    if any(w not in WORKLOADS for w in workloads):
        parser.error(f"workloads are {', '.join(WORKLOADS)}; got {' '.join(workloads)}")
    if not args.tf_python:
        parser.error("--tf-python is required: the Python of a venv with tensorflow-cpu and tf_keras")
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or tmp
        if not args.cache:
            needed = sorted({DATASETS[w] for w in workloads})
            subprocess.run([sys.executable, "-m", "benchmarks.prepare", "--cache", cache, *needed], cwd=ROOT,
                           check=True)
        print("| Workload | Keras | median test acc % | range | mean | per seed (0, 1, ...) | p |")
        print("|---|---|---|---|---|---|---|")
        for workload in workloads:
            accs = {}
            for keras, python in (("chainrule", sys.executable), ("tf", args.tf_python)):
                accs[keras] = [_run(python, workload, keras, seed, cache)["acc"] for seed in range(args.seeds)]
                label = "chainrule.keras" if keras == "chainrule" else "tf.keras (TensorFlow)"
                p = f"{_same_distribution_p(accs['chainrule'], accs['tf']):.2f}" if keras == "tf" else ""
                print(f"| {workload} | {label} | {_summary(accs[keras])} | {p} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
