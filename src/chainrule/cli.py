"""The ``chainrule`` command: ``chainrule demo``, ``chainrule info``."""
from __future__ import annotations

import argparse
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


def _answer(model, kind, labels, values, threshold):
    out = np.asarray(model.predict(np.asarray([values], dtype="float32"), verbose=0))[0].ravel()
    if kind == "binary" and out.size == 1:
        p = float(out[0])
        cls = int(p > threshold)
        name = labels[cls] if labels else f"class {cls}"
        return f"{name} (probability {p if cls else 1 - p:.3f})"
    if kind == "softmax":
        cls = int(np.argmax(out))
        name = labels[cls] if labels and cls < len(labels) else f"class {cls}"
        return f"{name} (probability {float(out[cls]):.3f})"
    return "value: " + ", ".join(f"{v:.4f}" for v in out)


def _predict(args) -> int:
    try:
        model = _load(args.model_file)
    except (OSError, ValueError) as e:
        print(f"chainrule predict: cannot load {args.model_file}: {e}", file=sys.stderr)
        return 1
    shape = model.input_shape
    if isinstance(shape, list) or len(shape) != 2 or shape[1] is None:
        print(f"chainrule predict: the model takes input of shape {shape}; this shell answers models with one "
              "flat input of a known size.", file=sys.stderr)
        return 1
    n = int(shape[1])
    labels = [s.strip() for s in args.labels.split(",")] if args.labels else None
    kind = _output_kind(model)
    interactive = sys.stdin.isatty()
    failures = 0
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
            values = [float(v) for v in line.replace(" ", ",").split(",") if v != ""]
        except ValueError:
            print(f"error: {line!r} is not a list of numbers; type {n} numbers separated by commas.",
                  file=sys.stderr)
            failures += 1
            continue
        if len(values) != n:
            print(f"error: expected {n} values (the model's input shape is {shape}), got {len(values)}.",
                  file=sys.stderr)
            failures += 1
            continue
        print(_answer(model, kind, labels, values, args.threshold), flush=True)
    return 1 if failures else 0


def _summary(args) -> int:
    try:
        model = _load(args.model_file)
    except (OSError, ValueError) as e:
        print(f"chainrule summary: cannot load {args.model_file}: {e}", file=sys.stderr)
        return 1
    model.summary()
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="chainrule", description="chainrule command-line tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="train the MNIST quickstart on the bundled subset (no data, no network)")
    p.add_argument("--epochs", type=int, default=5, help="training epochs (default 5)")
    p.add_argument("--out", default="examples/out", help="folder for the training-curves PNG")
    p.set_defaults(func=_demo)
    p = sub.add_parser("backprop", help="the seed's apple/orange graph by hand and a TwoLayerNet gradient check")
    p.set_defaults(func=_backprop)
    p = sub.add_parser("predict", help="answer rows of comma-separated numbers with a saved model's prediction")
    p.add_argument("model_file", help="a model saved with model.save (.keras or .h5)")
    p.add_argument("--labels", help="class names, comma-separated (e.g. LIGHT,DARK)")
    p.add_argument("--threshold", type=float, default=0.5, help="decision threshold of a sigmoid output")
    p.set_defaults(func=_predict)
    p = sub.add_parser("summary", help="print the summary of a saved model")
    p.add_argument("model_file", help="a model saved with model.save (.keras or .h5)")
    p.set_defaults(func=_summary)
    p = sub.add_parser("info", help="print versions, array backend and BLAS")
    p.set_defaults(func=_info)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
