"""The ``chainrule`` command: ``demo``, ``backprop``, ``predict``, ``summary``, ``info`` and ``--version``."""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys

import numpy as np

from . import backend
from .version import CHAINRULE_VERSION, VERSION
from .demo import run as run_demo
from .demo_backprop import main as run_backprop_demo
from .keras import activations
from .keras.models import load_model


def _info(args) -> int:
    print(f"chainrule {CHAINRULE_VERSION} (TensorFlow API {VERSION})")
    print(f"python    {platform.python_version()}")
    print(f"numpy     {np.__version__}")
    print(f"backend   numpy, floatx {backend.floatx()}")
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            print(f"blas      {pool.get('internal_api')} {pool.get('version')}, {pool.get('num_threads')} threads")
    except ImportError:
        pass
    return 0


def _demo(args) -> int:
    result = run_demo(out_dir=args.out, epochs=args.epochs)
    return 0 if result["test_accuracy"] > 0.5 else 1


def _backprop(args) -> int:
    return run_backprop_demo()


def _load(path):
    return load_model(path, compile=False)


def _output_kind(model):
    """'binary', 'softmax' or 'regression', from the model's last layer."""
    last = model.layers[-1]
    name = type(last).__name__
    activation = getattr(last, "activation", None)
    act = activations.serialize(activation) if activation is not None else ""
    if name == "Softmax" or act == "softmax":
        return "softmax"
    if act == "sigmoid":
        return "binary"
    return "regression"


class _Answers:
    """Formats one prediction per input row as text, JSON lines or CSV (with a header before the first row)."""

    def __init__(self, kind, labels, threshold, fmt, all_probabilities):
        self.kind, self.labels, self.threshold = kind, labels, threshold
        self.fmt, self.all = fmt, all_probabilities
        self.header_written = False

    def _name(self, cls):
        return self.labels[cls] if self.labels and cls < len(self.labels) else f"class {cls}"

    def _probabilities(self, out):
        """``(class index, {class name: probability})`` for a classifier's output row."""
        if self.kind == "binary" and out.size == 1:
            p = float(out[0])
            return int(p > self.threshold), {self._name(0): 1 - p, self._name(1): p}
        return int(np.argmax(out)), {self._name(i): float(v) for i, v in enumerate(out)}

    def lines(self, values, out):
        """The output lines for one row (``values`` in, ``out`` the model's output row)."""
        if self.kind == "regression":
            return self._regression(values, out)
        cls, probs = self._probabilities(out)
        name = self._name(cls)
        chosen = probs[name]
        if self.fmt == "json":
            record = {"input": values, "class": name, "index": cls, "probability": round(chosen, 6)}
            if self.all:
                record["probabilities"] = {k: round(v, 6) for k, v in probs.items()}
            return [json.dumps(record, ensure_ascii=False)]
        if self.fmt == "csv":
            rows = []
            if not self.header_written:
                self.header_written = True
                rows.append(",".join(["class", "probability"] + ([_csv_cell(k) for k in probs] if self.all else [])))
            rows.append(",".join([_csv_cell(name), f"{chosen:.6f}"] +
                                 ([f"{v:.6f}" for v in probs.values()] if self.all else [])))
            return rows
        text = f"{name} (probability {chosen:.3f})"
        if self.all:
            text += ": " + ", ".join(f"{k} {v:.3f}" for k, v in probs.items())
        return [text]

    def _regression(self, values, out):
        if self.fmt == "json":
            return [json.dumps({"input": values, "value": [round(float(v), 6) for v in out]})]
        if self.fmt == "csv":
            rows = []
            if not self.header_written:
                self.header_written = True
                rows.append("value" if out.size == 1 else ",".join(f"value_{i}" for i in range(out.size)))
            rows.append(",".join(f"{float(v):.6f}" for v in out))
            return rows
        return ["value: " + ", ".join(f"{v:.4f}" for v in out)]


def _csv_cell(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\n') else text


def _parse_row(line):
    """The numbers of a comma- (or space-) separated row; ValueError when it is not one."""
    return [float(v) for v in line.replace(" ", ",").split(",") if v != ""]


def _predict(args) -> int:
    try:
        model = _load(args.model_file)
    except (OSError, ValueError) as e:
        print(f"chainrule predict: cannot load {args.model_file}: {e}", file=sys.stderr)
        return 1
    shape = model.input_shape
    if isinstance(shape, list) or len(shape) != 2 or shape[1] is None:
        print(f"chainrule predict: the model takes input of shape {shape}; this command answers models with one "
              "flat input of a known size.", file=sys.stderr)
        return 1
    n = int(shape[1])
    labels = [s.strip() for s in args.labels.split(",")] if args.labels else None
    answers = _Answers(_output_kind(model), labels, args.threshold, args.format, args.all)
    interactive = sys.stdin.isatty()
    failures = 0
    first = True
    while True:
        if interactive:
            print(f"{n} comma-separated values (Ctrl-D to quit)> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        try:
            values = _parse_row(line)
        except ValueError:
            if first and not interactive:  # a CSV file's header row (R,G,B): skipped
                first = False
                continue
            print(f"error: {line!r} is not a list of numbers; type {n} numbers separated by commas.",
                  file=sys.stderr)
            failures += 1
            continue
        first = False
        if len(values) != n:
            print(f"error: expected {n} values (the model's input shape is {shape}), got {len(values)}.",
                  file=sys.stderr)
            failures += 1
            continue
        out = np.asarray(model.predict(np.asarray([values], dtype="float32"), verbose=0))[0].ravel()
        for text in answers.lines(values, out):
            print(text, flush=True)
    return 1 if failures else 0


def _summary(args) -> int:
    try:
        model = _load(args.model_file)
    except (OSError, ValueError) as e:
        print(f"chainrule summary: cannot load {args.model_file}: {e}", file=sys.stderr)
        return 1
    model.summary()
    return 0


DESCRIPTION = """\
chainrule: a readable deep-learning framework with the tf.keras API (every gradient a small
forward/backward pair you can read). These commands try it out and use saved models."""

EPILOG = """\
examples:
  chainrule demo                                  train the MNIST quickstart on the bundled subset
  chainrule summary model.keras | head            the layers of a saved model
  echo 0,0,0 | chainrule predict model.keras --labels LIGHT,DARK
  chainrule predict model.keras --format csv --all < rows.csv > answers.csv

Datasets: keras.datasets reads $CHAINRULE_DATA/<name>/, then ~/.chainrule/datasets and
~/.keras/datasets (where tf.keras keeps mnist.npz and friends), then downloads; see README.md."""

PREDICT_HELP = """\
Read rows of comma-separated numbers (one sample each) from standard input and print the saved
model's answer for each: the most probable class and its probability for a classifier (a softmax
or sigmoid last layer), the output values otherwise. A first row that is not numbers (a CSV
header such as R,G,B) is skipped; a wrong row is reported on standard error and the command
exits with status 1 at the end. Ctrl-C or Ctrl-D ends it."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chainrule", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version",
                        version=f"chainrule {CHAINRULE_VERSION} (TensorFlow API {VERSION})")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("demo", help="train the MNIST quickstart on the bundled subset (no data, no network)",
                       description="Train Flatten -> Dense(128, relu) -> Dropout(0.2) -> Dense(10, softmax) on the "
                                   "5,000 MNIST images that ship with chainrule, print the tf.keras progress bar "
                                   "and the test accuracy, and draw the training curves (needs matplotlib).")
    p.add_argument("--epochs", type=int, default=5, help="training epochs (default 5)")
    p.add_argument("--out", default="examples/out", help="folder for demo_curves.png (default examples/out)")
    p.set_defaults(func=_demo)
    p = sub.add_parser("backprop", help="the seed's apple/orange graph by hand and a TwoLayerNet gradient check",
                       description="Run the classic from-scratch backpropagation example (MulLayer/AddLayer on "
                                   "the apple and orange prices) and check a TwoLayerNet's backprop against "
                                   "numerical gradients.")
    p.set_defaults(func=_backprop)
    p = sub.add_parser("predict", help="answer rows of comma-separated numbers with a saved model's prediction",
                       description=PREDICT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model_file", help="a model saved with model.save (.keras or .h5)")
    p.add_argument("--labels", help="class names in class order, comma-separated (e.g. LIGHT,DARK)")
    p.add_argument("--threshold", type=float, default=0.5, help="decision threshold of a sigmoid output (0.5)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text",
                   help="text (default), json (one JSON object per line) or csv (a header, then one line a row)")
    p.add_argument("--all", action="store_true", help="print the probability of every class, not only the "
                                                      "most probable one")
    p.set_defaults(func=_predict)
    p = sub.add_parser("summary", help="print the layer table of a saved model",
                       description="Print model.summary() of a saved .keras or .h5 model.")
    p.add_argument("model_file", help="a model saved with model.save (.keras or .h5)")
    p.set_defaults(func=_summary)
    p = sub.add_parser("info", help="print versions, array backend and BLAS")
    p.set_defaults(func=_info)
    return parser


def _quiet_stdout() -> None:
    """After a closed pipe (``| head``): send what is left to /dev/null so the exit flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured output)
        pass


def main(argv=None) -> int:
    """Run the ``chainrule`` command.

    Args:
        argv: the arguments (default ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 1 on failure, 130 after Ctrl-C, 141 when the reader of the output
        went away (``chainrule summary m.keras | head``), as Unix tools end.
    """
    args = _parser().parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows up here when the output was small
        return status
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 141


if __name__ == "__main__":
    sys.exit(main())
