"""Batches that Python objects hand out one at a time: generators/iterators and ``keras.utils.Sequence``.

As tf.keras 2 reads them:

* a **generator** (any iterator: an object with ``__next__``) yields batches ``x``, ``(x, y)``
  or ``(x, y, sample_weight)`` (a list is read as a tuple). One iterator serves the whole of
  ``fit``: without ``steps_per_epoch`` the first epoch runs until the generator is exhausted
  and a second epoch finds it empty; with ``steps_per_epoch`` each epoch takes that many
  batches. When the data runs out, a warning says so and training stops after that epoch.
  Generators are never shuffled.
* a **Sequence** hands out batch ``i`` for ``0 <= i < len(seq)``: each ``fit`` epoch visits
  them in a new random order (``shuffle=True``), the first ``steps_per_epoch`` of them when
  that is given, then calls ``seq.on_epoch_end()``; ``evaluate``/``predict`` read in order.

Batches are converted as tf.keras does: Tensors, lists and DataFrames become numpy arrays and
float arrays take the model's float type. ``workers``, ``use_multiprocessing`` and
``max_queue_size`` are accepted by ``fit`` for compatibility; batches are produced in the
training thread. :class:`ClassWeightedBatches` applies ``class_weight`` to batches from any
of these sources (and from datasets).
"""
from __future__ import annotations

import os
import sys
import warnings
from types import FrameType

import numpy as np

from .. import nest
from ..sparse import is_sparse
from .data_adapter import to_numpy, unpack_x_y_sample_weight
from .utils.sequence import Sequence


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _warn(message: str) -> None:
    """A UserWarning attributed to the user's line that called fit/evaluate/predict (the first frame outside
    chainrule), wherever in the loop the data ran out."""
    frame: FrameType | None
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is the caller of _warn
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def is_generator(x) -> bool:
    """tf.keras 2's rule: an iterator (``__next__`` and ``__iter__``) that is not a Sequence."""
    return hasattr(x, "__next__") and hasattr(x, "__iter__") and not isinstance(x, Sequence)


def is_sequence(x) -> bool:
    return isinstance(x, Sequence)


def _standardize(batch, what: str, index: int, source: str, dtype):
    """``(x, y, sample_weight)`` of numpy arrays from one batch; floats in ``dtype``."""
    if isinstance(batch, list):
        batch = tuple(batch)
    try:
        x, y, sample_weight = unpack_x_y_sample_weight(batch)
    except ValueError as e:
        raise ValueError(f"{what}: batch {index} from the {source} is a tuple of {len(batch)} elements; a batch "
                         "must be x, (x, y) or (x, y, sample_weight).") from e
    if x is None:
        raise ValueError(f"{what}: batch {index} from the {source} has no inputs (x is None); a batch must be x, "
                         "(x, y) or (x, y, sample_weight) of arrays or Tensors.")

    def convert(value):
        arr = value if is_sparse(value) else to_numpy(value)
        if getattr(arr, "dtype", None) is not None and arr.dtype.kind == "f" and arr.dtype != dtype:
            arr = arr.astype(dtype)
        return arr

    out = [nest.map_structure(convert, part) if part is not None else None for part in (x, y, sample_weight)]
    for part, name in zip(out, ("x", "y", "sample_weight")):
        for leaf in nest.flatten(part) if part is not None else []:
            if not is_sparse(leaf) and (leaf.dtype.kind == "O" or leaf.ndim == 0):
                shown = type(batch).__name__ if name == "x" and not isinstance(batch, tuple) else name
                raise ValueError(f"{what}: batch {index} from the {source} holds {shown} as a "
                                 f"{'scalar' if leaf.ndim == 0 else 'array of Python objects'} ({leaf!r:.80}); "
                                 "a batch must be x, (x, y) or (x, y, sample_weight) of numeric arrays or Tensors "
                                 "with a batch axis.")
    return tuple(out)


class GeneratorBatches:
    """Batches from one Python iterator, shared by every epoch of a ``fit`` (tf.keras 2's behaviour)."""

    def __init__(self, iterator, steps=None, what="fit", dtype=np.float32):
        self.iterator = iterator
        self.steps = steps
        self.what = what
        self.dtype = np.dtype(dtype)
        self.ran_out = False  # set when the iterator ended before the steps an epoch needed
        self._ahead = []      # a batch peeked at (to build the model) and not trained on yet
        self._epochs = 0

    def __len__(self):
        return self.steps or 0

    def _next(self):
        if self._ahead:
            return self._ahead.pop()
        return next(self.iterator)

    def peek_x(self):
        """The inputs of the next batch (kept for the epoch), to build the model; None when there is none."""
        if not self._ahead:
            try:
                self._ahead.append(next(self.iterator))
            except StopIteration:
                return None
        return _standardize(self._ahead[0], self.what, 0, "generator", self.dtype)[0]

    def epoch(self, rng=None):
        """Yield ``(x, y, sample_weight)`` for one epoch: ``steps`` batches, or until the iterator ends."""
        self._epochs += 1
        step = 0
        while self.steps is None or step < self.steps:
            try:
                batch = self._next()
            except StopIteration:
                if self.steps is None and step:  # the first pass: it defines the epoch's length, as tf.keras
                    self.steps = step
                    return
                self._run_out(step)
                return
            yield _standardize(batch, self.what, step, "generator", self.dtype)
            step += 1

    def _run_out(self, step):
        if self._epochs == 1 and step == 0:
            return  # nothing at all: the caller reports an input that produced no batches
        self.ran_out = True
        asked = f"{self.steps} batches per epoch" if self.steps else "more batches"
        if self.what == "fit":
            _warn(f"Your input ran out of data; interrupting training (the generator ended after {step} batches in "
                  f"epoch {self._epochs}, {asked} were needed). Make sure that your generator can generate at least "
                  "`steps_per_epoch * epochs` batches (loop it, e.g. `while True:`), or leave steps_per_epoch out "
                  "to train on one pass of it.")
        elif step == 0:
            _warn(f"{self.what}: the generator had no batches left; it is exhausted (a generator is read once: "
                  "create a new one, or use a keras.utils.Sequence, to read the data again).")
        else:
            _warn(f"{self.what}: the generator ended after {step} batches, before the {self.steps} steps asked for.")


class SequenceBatches:
    """Batches from a ``keras.utils.Sequence``: a (shuffled) pass per epoch, then ``on_epoch_end()``."""

    def __init__(self, sequence, steps=None, shuffle=False, what="fit", dtype=np.float32):
        self.sequence = sequence
        self.steps = steps
        self.shuffle = bool(shuffle)
        self.what = what
        self.dtype = np.dtype(dtype)
        self.ran_out = False

    def _length(self) -> int:
        n = len(self.sequence)
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise TypeError(f"{self.what}: len() of the Sequence {type(self.sequence).__name__} must be a "
                            f"non-negative int (the number of batches), got {n!r}.")
        return int(n)

    def __len__(self):
        return self.steps if self.steps is not None else self._length()

    def peek_x(self):
        """The inputs of batch 0 (tf.keras reads it once more to build the model); None for an empty Sequence."""
        if self._length() == 0:
            return None
        return _standardize(self.sequence[0], self.what, 0, f"Sequence {type(self.sequence).__name__}",
                            self.dtype)[0]

    def epoch(self, rng=None):
        """Yield one epoch's batches (a new random order when shuffling and ``rng`` is given), then ``on_epoch_end``."""
        n = self._length()
        order = rng.permutation(n) if self.shuffle and rng is not None else range(n)
        count = n if self.steps is None else self.steps
        source = f"Sequence {type(self.sequence).__name__}"
        for step, index in enumerate(order):
            if step >= count:
                break
            yield _standardize(self.sequence[int(index)], self.what, int(index), source, self.dtype)
        if count > n:
            self.ran_out = True
            if self.what == "fit":
                _warn(f"Your input ran out of data; interrupting training (the Sequence {type(self.sequence).__name__} "
                      f"has {n} batches and steps_per_epoch={count}). Make sure that steps_per_epoch is at most "
                      "len(sequence), or leave it out.")
            else:
                _warn(f"{self.what}: the Sequence {type(self.sequence).__name__} has {n} batches, fewer than the "
                      f"{count} steps asked for.")
        self.sequence.on_epoch_end()


class ClassWeightedBatches:
    """Any batches with ``class_weight`` turned into per-sample weights (multiplying any sample weights)."""

    def __init__(self, batches, to_sample_weight):
        self.batches = batches
        self.to_sample_weight = to_sample_weight  # (y, sample_weight) -> sample weights

    def __len__(self):
        return len(self.batches)

    @property
    def ran_out(self):
        return getattr(self.batches, "ran_out", False)

    def peek_x(self):
        return self.batches.peek_x() if hasattr(self.batches, "peek_x") else None

    def epoch(self, rng=None):
        for x, y, sample_weight in self.batches.epoch(rng):
            if y is not None:
                sample_weight = self.to_sample_weight(y, sample_weight)
            yield x, y, sample_weight
