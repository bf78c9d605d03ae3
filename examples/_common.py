"""Small helpers shared by the example scripts (not part of chainrule).

* ``parse_args``: every example takes ``--quick`` and ``--out``.
* ``plt``: matplotlib with the Agg backend (pictures go to files, no windows).
* ``savefig``: write a figure into the output folder and say so.
* ``seed_file``: a data file the seed downloads, found through ``keras.utils.get_file``
  (which reads ``$CHAINRULE_DATA`` first and downloads only when the file is nowhere).
* ``heatmap``: seaborn's annotated heat map with plain matplotlib (the examples need no seaborn).

The scikit-learn calls the seeds make (``train_test_split``, ``KFold``, ``OneHotEncoder``,
``confusion_matrix``, ``classification_report``, ``MLPClassifier``) are scikit-learn's own, imported
by each example as the seed did (``pip install 'chainrule[examples]'``).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "out")
QUICK = False  # set by parse_args; quick runs skip the tight bounding box (it draws every figure twice)

__all__ = ["plt", "parse_args", "savefig", "seed_file", "data_dir", "banner", "Timer", "heatmap",
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
