"""The ``chainrule`` command: ``chainrule demo``, ``chainrule info``."""
from __future__ import annotations

import argparse
import sys


def _info(args) -> int:
    import platform

    import numpy as np

    from . import __version__, backend
    print(f"chainrule {__version__}")
    print(f"python    {platform.python_version()}")
    print(f"numpy     {np.__version__}")
    print(f"backend   {backend.get_array_module().__name__}, floatx {backend.floatx()}")
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            print(f"blas      {pool.get('internal_api')} {pool.get('version')}, {pool.get('num_threads')} threads")
    except ImportError:
        pass
    return 0


def _demo(args) -> int:
    from .demo import run
    result = run(out_dir=args.out, epochs=args.epochs)
    return 0 if result["test_accuracy"] > 0.5 else 1


def _backprop(args) -> int:
    from .demo_backprop import main
    return main()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="chainrule", description="chainrule command-line tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="train the MNIST quickstart on the bundled subset (no data, no network)")
    p.add_argument("--epochs", type=int, default=5, help="training epochs (default 5)")
    p.add_argument("--out", default="examples/out", help="folder for the training-curves PNG")
    p.set_defaults(func=_demo)
    p = sub.add_parser("backprop", help="the seed's apple/orange graph by hand and a TwoLayerNet gradient check")
    p.set_defaults(func=_backprop)
    p = sub.add_parser("info", help="print versions, array backend and BLAS")
    p.set_defaults(func=_info)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
