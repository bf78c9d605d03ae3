"""Small helpers shared by the example scripts (not part of chainrule).

* ``parse_args``: every example takes ``--quick`` and ``--out``.
* ``plt``: matplotlib with the Agg backend (pictures go to files, no windows).
* ``savefig``: write a figure into the output folder and say so.
* ``seed_file``: a data file the seed downloads, found through ``keras.utils.get_file``
  (which reads ``$CHAINRULE_DATA`` first and downloads only when the file is nowhere).
* numpy stand-ins for the scikit-learn calls the seeds make (``train_test_split``, ``KFold``,
  ``OneHotEncoder``, ``confusion_matrix``, ``classification_report``) and for seaborn's heat map,
  so the examples need no scikit-learn or seaborn. The splits reproduce scikit-learn's exactly
  (same ``RandomState`` calls), so ``random_state=42`` selects the same rows as in the seeds.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "out")
QUICK = False  # set by parse_args; quick runs skip the tight bounding box (it draws every figure twice)

__all__ = ["plt", "parse_args", "savefig", "seed_file", "data_dir", "banner", "Timer", "train_test_split",
           "KFold", "one_hot_encode", "confusion_matrix", "classification_report", "heatmap",
           "plot_model_or_note"]


def parse_args(description: str, argv=None, extra=None):
    """``--quick`` (a few seconds) and ``--out DIR`` (default ``examples/out``); ``extra(parser)`` adds more."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="fewer epochs/samples/iterations so the script finishes in a few seconds")
    parser.add_argument("--out", default=DEFAULT_OUT, help="folder for the PNG files (default: examples/out)")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    global QUICK
    QUICK = args.quick
    os.makedirs(args.out, exist_ok=True)
    return args


def savefig(fig, out: str, name: str) -> str:
    """Save ``fig`` as ``<out>/<name>`` (PNG), close it, print the path, return it."""
    path = os.path.join(out, name)
    fig.savefig(path, dpi=80, bbox_inches=None if QUICK else "tight")
    plt.close(fig)
    print(f"[saved] {path}")
    return path


def banner(title: str) -> None:
    print(f"\n== {title} ==")


def data_dir():
    """``$CHAINRULE_DATA`` or ``None``."""
    return os.environ.get("CHAINRULE_DATA") or None


def seed_file(fname: str, origin: str) -> str:
    """Path of a file the seed reads from the web: ``keras.utils.get_file`` looks in ``$CHAINRULE_DATA`` first."""
    from chainrule.keras.utils import get_file
    return get_file(fname, origin)


class Timer:
    """``with Timer() as t: ...; t.seconds``."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        return False


# ---------------------------------------------------------------------------------------------
# scikit-learn stand-ins (numpy only), reproducing scikit-learn's index choices
# ---------------------------------------------------------------------------------------------

def _rng(random_state):
    if random_state is None:
        return np.random.mtrand._rand  # scikit-learn's check_random_state(None): numpy's global RNG
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return np.random.RandomState(random_state)


def _take(a, idx):
    if hasattr(a, "iloc"):
        return a.iloc[idx]
    return np.asarray(a)[idx] if not isinstance(a, np.ndarray) else a[idx]


def train_test_split(*arrays, test_size=0.25, random_state=None):
    """``sklearn.model_selection.train_test_split`` (shuffle=True): same rows for the same ``random_state``."""
    n = len(arrays[0])
    n_test = int(math.ceil(test_size * n)) if isinstance(test_size, float) else int(test_size)
    perm = _rng(random_state).permutation(n)
    test, train = perm[:n_test], perm[n_test:]
    out = []
    for a in arrays:
        out += [_take(a, train), _take(a, test)]
    return out


class KFold:
    """``sklearn.model_selection.KFold``: same folds for the same ``random_state``."""

    def __init__(self, n_splits=5, shuffle=False, random_state=None):
        self.n_splits, self.shuffle, self.random_state = n_splits, shuffle, random_state

    def split(self, X):
        n = len(X)
        indices = np.arange(n)
        if self.shuffle:
            _rng(self.random_state).shuffle(indices)
        sizes = np.full(self.n_splits, n // self.n_splits, dtype=int)
        sizes[: n % self.n_splits] += 1
        start = 0
        for size in sizes:
            mask = np.zeros(n, dtype=bool)
            mask[indices[start:start + size]] = True
            start += size
            yield np.arange(n)[~mask], np.arange(n)[mask]


def one_hot_encode(labels):
    """``OneHotEncoder().fit_transform(y.reshape(-1, 1)).toarray()`` for integer labels."""
    labels = np.asarray(labels).ravel()
    classes = np.unique(labels)
    return (labels[:, None] == classes[None, :]).astype(np.float64)


def confusion_matrix(y_true, y_pred, n_classes=None):
    """``sklearn.metrics.confusion_matrix``: rows are true labels, columns predicted labels."""
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    n = n_classes or int(max(y_true.max(), y_pred.max())) + 1
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def classification_report(y_true, y_pred, digits=2) -> str:
    """``sklearn.metrics.classification_report`` as text (precision, recall, f1-score, support)."""
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    labels = np.unique(np.concatenate([y_true, y_pred]))
    cm = confusion_matrix(y_true, y_pred, int(labels.max()) + 1)[np.ix_(labels, labels)]
    tp = np.diag(cm).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(tp / cm.sum(axis=0))
        recall = np.nan_to_num(tp / cm.sum(axis=1))
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    support = cm.sum(axis=1)
    names = [str(c) for c in labels]
    width = max(len("weighted avg"), max(len(n) for n in names), digits)
    head = ["precision", "recall", "f1-score", "support"]
    lines = [" " * width + " " + "".join(f"{h:>10}" for h in head), ""]
    row = "{:>{w}} " + "{:>10.{d}f}" * 3 + "{:>10}"
    for name, p, r, f, s in zip(names, precision, recall, f1, support):
        lines.append(row.format(name, p, r, f, int(s), w=width, d=digits))
    lines.append("")
    total = int(support.sum())
    acc = tp.sum() / total
    lines.append(("{:>{w}} " + "{:>10}" * 2 + "{:>10.{d}f}{:>10}").format("accuracy", "", "", acc, total,
                                                                       w=width, d=digits))
    lines.append(row.format("macro avg", precision.mean(), recall.mean(), f1.mean(), total, w=width, d=digits))
    wt = support / total
    lines.append(row.format("weighted avg", (precision * wt).sum(), (recall * wt).sum(), (f1 * wt).sum(), total,
                            w=width, d=digits))
    return "\n".join(lines)


def heatmap(ax, cm, cmap="Blues"):
    """``seaborn.heatmap(cm, annot=True, fmt='d', cmap='Blues')`` with plain matplotlib."""
    im = ax.imshow(cm, cmap=cmap)
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(cm.shape[1]))
    ax.set_yticks(range(cm.shape[0]))
    threshold = cm.max() / 2.0
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(j, i, f"{cm[i, j]:d}", ha="center", va="center", fontsize=8,
                    color="white" if cm[i, j] > threshold else "black")
    return im


def exit_with(code: int) -> None:
    sys.stdout.flush()
    sys.exit(code)


def plot_model_or_note(model, out=None, name=None, **kwargs):
    """``keras.utils.plot_model(model, ...)`` when chainrule has it; otherwise print a note and go on."""
    from chainrule.keras import utils
    if not hasattr(utils, "plot_model"):
        print(f"(note: keras.utils.plot_model is not available in chainrule yet; the diagram of "
              f"'{model.name}' is skipped, its summary above shows the same layers)")
        return None
    to_file = os.path.join(out, name) if out and name else "model.png"
    try:
        path = utils.plot_model(model, to_file=to_file, **kwargs)
        print(f"[saved] {path} (keras.utils.plot_model)")
        return path
    except Exception as exc:  # pydot/graphviz missing, as in tf.keras
        print(f"(note: plot_model failed: {type(exc).__name__}: {exc})")
        return None
