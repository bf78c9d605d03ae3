"""What the suite runs: the workloads, the sizes of each mode and the targets (issues 8, 14, 16, 17).

Pure data, no numpy: the parent process imports it to plan the runs.
"""
from __future__ import annotations

from dataclasses import dataclass

FRAMEWORKS = ("chainrule", "torch")

#: Environment variables that fix the thread count of the BLAS/OpenMP libraries numpy and torch
#: load. They must be set before numpy or torch is imported, so the parent sets them in each
#: child's environment (and the child checks them before its first import).
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
               "NUMEXPR_NUM_THREADS", "BLIS_NUM_THREADS")


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    datasets: tuple = ()  # sub-folders of $CHAINRULE_DATA it needs (empty: synthetic data)
    rows: tuple = ("train",)  # what one run measures, in display order


WORKLOADS = {
    "W1": Workload("W1", "MNIST quickstart: Flatten-Dense(128,relu)-Dropout(0.2)-Dense(10,softmax), Adam(1e-3), "
                         "batch 32, 1 epoch; then predict on the 10,000 test images", ("mnist",),
                   ("train", "predict")),
    "W2": Workload("W2", "TwoLayerNet 784-50-10 from ops, plain SGD 0.1, batch 100 drawn with replacement",
                   ("mnist",)),
    "W3": Workload("W3", "IMDB multi-hot 25,000 x 10,000: Dense(16,relu)-Dense(16,relu)-Dense(1,sigmoid), "
                         "RMSprop(1e-3), batch 512, 1 epoch", ("imdb",)),
    "W3b": Workload("W3b", "IMDB as W3 with 1024-unit hidden layers (11.3 M parameters)", ("imdb",)),
    "W4": Workload("W4", "Fashion-MNIST functional 784-256-128-64-32-10, RMSprop(0.01), batch 128, 1 epoch",
                   ("fashion_mnist",)),
    "W5": Workload("W5", "per-step overhead: W1's model trained at batch 1 and batch 8 (synthetic data)", (),
                   ("batch 1", "batch 8")),
    "W6": Workload("W6", "the seed's subclassed model on a (60, 28, 28) batch: eager calls vs traced "
                         "(chainrule.function; torch.jit.trace for reference)", (), ("eager", "compiled")),
    "W7": Workload("W7", "large batch: W1's model at batch 4096, a training step of fit vs the same step "
                         "hand-fused in numpy (synthetic data)", (), ("step",)),
    "W8": Workload("W8", "keras.io MNIST convnet: Conv2D(32,3,relu)-MaxPool-Conv2D(64,3,relu)-MaxPool-Flatten-"
                         "Dropout(0.5)-Dense(10,softmax), Adam, batch 128, 1 epoch (PyTorch: nn.Conv2d, NCHW)",
                   ("mnist",)),
    "W8b": Workload("W8b", "one Conv2D 64->64, 3x3, 'same', batch 32 of 32x32: forward + backward (dx, dW, db)",
                    (), ("fwd+bwd",)),
}

ORDER = ("W1", "W2", "W3", "W3b", "W4", "W5", "W6", "W7", "W8", "W8b")

#: Workloads whose functions live outside workloads.py: name -> module of this package.
WORKLOAD_MODULES = {"W8": "workloads_conv", "W8b": "workloads_conv"}

# Issue 17: recurrent text classifiers (benchmarks/workloads_rnn.py).
WORKLOADS["W9"] = Workload("W9", "IMDB sequences (200 tokens): Embedding(10000,64)-LSTM(64)-Dense(1,sigmoid), "
                                 "Adam(1e-3), batch 64, 1 epoch", ("imdb",))
WORKLOADS["W9b"] = Workload("W9b", "IMDB as W9 with GRU(64) (reset_after=True, PyTorch's convention)", ("imdb",))
WORKLOAD_MODULES.update(W9="workloads_rnn", W9b="workloads_rnn")
ORDER = ORDER + ("W9", "W9b")

#: Sizes of each mode. ``None`` means the whole dataset. ``--quick`` checks the harness in a few
#: minutes; ``default`` is ``make bench`` (under 20 minutes on 2 cores); ``--full`` only raises W2
#: to the seed's 10,000 iterations.
MODES = {
    "quick": dict(repeats=1, train_n=12_000, imdb_train_n=5_000, imdb_test_n=5_000, w2_iters=1_000,
                  w5_steps=200, w6_calls=1_000, w7_steps=3, w8b_iters=5, w8_profile_steps=5),
    "default": dict(repeats=3, train_n=None, imdb_train_n=None, imdb_test_n=None, w2_iters=10_000,
                    w5_steps=2_000, w6_calls=10_000, w7_steps=20, w8b_iters=30, w8_profile_steps=20),
    "full": dict(repeats=3, train_n=None, imdb_train_n=None, imdb_test_n=None, w2_iters=10_000,
                 w5_steps=2_000, w6_calls=10_000, w7_steps=20, w8b_iters=30, w8_profile_steps=20),
}


@dataclass(frozen=True)
class Target:
    workload: str
    row: str
    kind: str  # time_ratio | acc_diff | rss_ratio | speedup | pct_numpy
    limit: float
    text: str
    issue: int = 8  # the issue that set it


#: The targets. Times are compared on process CPU time (the runs are single-threaded; on a machine
#: whose cores are shared, CPU time leaves out the time a run waited for a core); the report shows
#: the wall-time ratio beside each. time_ratio is chainrule's median CPU seconds / PyTorch's for the
#: same work; speedup is chainrule eager / chainrule.function; pct_numpy is the hand-fused numpy
#: step's CPU time / chainrule's step's, in percent.
TARGETS = (
    # issue 14 (replacing issue 8's 0.7x time targets for W1-W4, W5's 2x, W6's 1.5x and W7's matmul rate)
    Target("W1", "train", "time_ratio", 0.5, "W1 training time <= 0.5 x PyTorch", 14),
    Target("W1", "train", "acc_diff", 0.5, "W1 test accuracy within 0.5 points of PyTorch"),
    Target("W1", "train", "rss_ratio", 1.0, "W1 peak RSS <= PyTorch"),
    Target("W1", "predict", "time_ratio", 1.0, "W1 predict throughput >= PyTorch (no_grad)"),
    Target("W2", "train", "time_ratio", 0.5, "W2 training time <= 0.5 x PyTorch", 14),
    Target("W2", "train", "acc_diff", 0.5, "W2 test accuracy within 0.5 points of PyTorch"),
    Target("W3", "train", "time_ratio", 0.6, "W3 training time <= 0.6 x PyTorch (fresh process)", 14),
    Target("W3", "train", "acc_diff", 0.5, "W3 test accuracy within 0.5 points of PyTorch"),
    Target("W3", "train", "rss_ratio", 1.0, "W3 peak RSS <= PyTorch"),
    Target("W3b", "train", "time_ratio", 0.7, "W3b training time <= 0.7 x PyTorch"),
    Target("W3b", "train", "acc_diff", 0.5, "W3b test accuracy within 0.5 points of PyTorch"),
    Target("W3b", "train", "rss_ratio", 1.0, "W3b peak RSS <= PyTorch"),
    Target("W4", "train", "time_ratio", 0.6, "W4 training time <= 0.6 x PyTorch", 14),
    Target("W4", "train", "acc_diff", 0.5, "W4 test accuracy within 0.5 points of PyTorch"),
    Target("W5", "batch 1", "time_ratio", 0.5, "W5 steps/s at batch 1 >= 2 x PyTorch", 14),
    Target("W5", "batch 8", "time_ratio", 0.5, "W5 steps/s at batch 8 >= 2 x PyTorch", 14),
    Target("W6", "compiled", "speedup", 1.3, "W6 chainrule.function >= 1.3 x faster than eager", 14),
    Target("W7", "step", "pct_numpy", 90.0, "W7 training step >= 90% of the hand-fused numpy step's speed", 14),
    # issue 16
    Target("W8", "train", "time_ratio", 1.0, "W8 MNIST convnet epoch <= 1.0 x PyTorch", 16),
    Target("W8", "train", "acc_diff", 0.5, "W8 test accuracy within 0.5 points of PyTorch", 16),
    # issue 17
    Target("W9", "train", "time_ratio", 1.0, "W9 training time <= 1.0 x PyTorch", 17),
    Target("W9b", "train", "time_ratio", 1.0, "W9b training time <= 1.0 x PyTorch", 17),
)

#: Rows whose time target is read as a throughput (items per second, the ratio turned around).
THROUGHPUT_ROWS = frozenset({"predict", "batch 1", "batch 8"})

# W10: data parallelism over MPI (benchmarks/workloads_distributed.py), chainrule only: the same two models
# trained one epoch with 1 and with 2 ranks (mpiexec), samples/s and scaling efficiency; no targets.
WORKLOADS["W10"] = Workload(
    "W10", "data-parallel training over MPI: one epoch of W1's model (32 per replica) and of W4's (128 per replica) "
           "with 1 and 2 ranks, 1 BLAS thread each (weak scaling; needs chainrule[distributed])",
    ("mnist", "fashion_mnist"), ("quickstart 1 rank", "quickstart 2 ranks", "quickstart 2 independent",
                                 "fashion 1 rank", "fashion 2 ranks", "fashion 2 independent"))
ORDER = ORDER + ("W10",)
#: Workloads with no PyTorch counterpart: the runner runs only chainrule for them.
CHAINRULE_ONLY = frozenset({"W10"})
WORKLOAD_MODULES.update(W10="workloads_distributed")
