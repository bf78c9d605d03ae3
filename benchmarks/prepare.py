"""Load the real datasets once (through chainrule's own loaders) into plain .npz files for the children.

``python -m benchmarks.prepare --cache DIR mnist fashion_mnist imdb`` reads ``$CHAINRULE_DATA``
with ``chainrule.keras.datasets`` (checksums and all) and writes ``DIR/<name>.npz``. Every
benchmark child, chainrule's and PyTorch's alike, then reads the same arrays with ``np.load``:
the PyTorch children never import chainrule, and no child pays for the loaders' parsing.

IMDB is stored as ``imdb.load_data(num_words=10000)`` returned it, flattened (tokens plus
lengths); each child multi-hot encodes it itself, as the seed does.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np


def _save(path, **arrays):
    tmp = path + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def prepare_mnist_like(name, cache):
    from chainrule.keras import datasets
    (x, y), (xt, yt) = getattr(datasets, name).load_data()
    _save(os.path.join(cache, f"{name}.npz"), x_train=x, y_train=y, x_test=xt, y_test=yt)


def _flat(seqs):
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    tokens = np.fromiter((w for s in seqs for w in s), dtype=np.int32, count=int(lengths.sum()))
    return tokens, lengths


def prepare_imdb(cache):
    from chainrule.keras.datasets import imdb
    (x, y), (xt, yt) = imdb.load_data(num_words=10000)
    tok, length = _flat(x)
    ttok, tlength = _flat(xt)
    _save(os.path.join(cache, "imdb.npz"), train_tokens=tok, train_lengths=length, y_train=np.asarray(y),
          test_tokens=ttok, test_lengths=tlength, y_test=np.asarray(yt))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", required=True)
    parser.add_argument("datasets", nargs="+", choices=("mnist", "fashion_mnist", "imdb"))
    args = parser.parse_args(argv)
    os.makedirs(args.cache, exist_ok=True)
    failed = 0
    for name in args.datasets:
        try:
            if name == "imdb":
                prepare_imdb(args.cache)
            else:
                prepare_mnist_like(name, args.cache)
        except Exception as e:  # reported to the parent, which skips the workloads that need it
            print(f"PREPARE-FAILED {name}: {type(e).__name__}: {e}".replace("\n", " "), file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
