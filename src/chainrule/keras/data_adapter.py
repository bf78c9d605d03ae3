"""Turning what users pass to ``fit``/``evaluate``/``predict`` into batches.

Accepted: numpy arrays, nested Python lists, Tensors, pandas DataFrames/Series,
lists/tuples of those (one per model input or output), dicts by input/output
name, and batched ``chainrule.data.Dataset`` objects yielding ``(x, y)`` pairs.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from .. import nest
from ..sparse import SparseTensor, is_sparse
from ..tensor import Tensor


def to_numpy(value, what: str | None = None):
    """One leaf (array, Tensor, DataFrame, list of numbers) as a numpy array.

    ``what`` (``'fit: x'``) names the argument in the error for ragged nested lists.
    """
    if isinstance(value, Tensor):
        return value._value
    if hasattr(value, "to_numpy"):
        return value.to_numpy()
    try:
        return np.asarray(value)
    except ValueError:
        if isinstance(value, (list, tuple)):
            detail = _ragged_detail(value)
            if detail is not None:
                raise ValueError(f"{what or 'data'} is a ragged list ({detail}); pad the sequences to one length "
                                 "first, e.g. keras.utils.pad_sequences(sequences, maxlen=...).") from None
        raise


def _ragged_detail(seq, path=()) -> str | None:
    """Where a nested list stops being rectangular: ``'sample 1 has length 2, sample 0 has 4'``."""
    def length(v):
        return len(v) if isinstance(v, (list, tuple, np.ndarray)) else None

    def name(p):
        return f"sample {p[0]}" if len(p) == 1 else "element " + "".join(f"[{i}]" for i in p)

    if not len(seq):
        return None
    lengths = [length(v) for v in seq]
    for i, n in enumerate(lengths):
        if n != lengths[0]:
            this = "is a scalar" if n is None else f"has length {n}"
            first = "is a scalar" if lengths[0] is None else f"has {lengths[0]}"
            return f"{name(path + (i,))} {this}, {name(path + (0,))} {first}"
    if lengths[0] is None:
        return None
    for i, v in enumerate(seq):
        found = _ragged_detail(v, path + (i,))
        if found is not None:
            return found
    return None


def normalize_structure(data, n_expected: int | None, what: str | None = None, model_name: str | None = None,
                        names: list | None = None, kind: str = "input"):
    """Numpy arrays in the structure the model expects: one array, a list, or a dict.

    ``what``, ``model_name``, ``names`` and ``kind`` ('input'/'output') only shape error messages.
    """
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: to_numpy(v, f"{what}[{k!r}]" if what else None) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        if n_expected is not None and n_expected > 1:
            if len(data) != n_expected:
                owner = f"Model {model_name!r}" if model_name else "The model"
                listed = f" {list(names)}" if names else ""
                raise ValueError(f"{owner} expects {n_expected} {kind}s{listed}, but received a "
                                 f"{type(data).__name__} of {len(data)} arrays; pass one array per {kind} in that "
                                 f"order, or a dict keyed by {kind} name.")
            return [to_numpy(v, f"{what}[{i}]" if what else None) for i, v in enumerate(data)]
        if len(data) == 1 and _array_like(data[0]):
            return to_numpy(data[0])
        if n_expected is None and len(data) > 1 and all(_array_like(v) for v in data):
            # a model whose inputs are not declared (subclassed): a list/tuple of arrays is one per input
            return [to_numpy(v, f"{what}[{i}]" if what else None) for i, v in enumerate(data)]
        return to_numpy(data, what)
    return to_numpy(data, what)


def _array_like(value) -> bool:
    """An array object (numpy array, Tensor, DataFrame/Series), as opposed to a Python list of numbers."""
    return isinstance(value, (np.ndarray, Tensor)) or hasattr(value, "to_numpy")


_NOTHING_TO = {"fit": "train on", "train_on_batch": "train on", "evaluate": "evaluate", "test_on_batch": "evaluate",
               "predict": "predict", "predict_on_batch": "predict", "validation_data": "validate on"}


_BEFORE = {"evaluate": "evaluating", "test_on_batch": "evaluating", "validation_data": "validating"}


def _sum_of_all(arr):
    """The sum of every element: NaN or inf when one is (or when the sum overflows).

    A large C-contiguous float32/float64 array is summed as a matrix-vector product with ones
    (BLAS, one pass at memory speed, about twice as fast as ``arr.sum()``); any other array by
    ``arr.sum()``. Only its finiteness is used.
    """
    if arr.size >= 1 << 16 and arr.flags.c_contiguous and arr.dtype in (np.float32, np.float64):
        rows = arr.reshape(arr.shape[0], -1)
        return np.add.reduce(rows @ np.ones(rows.shape[1], arr.dtype))
    return np.add.reduce(arr, axis=None)  # arr.sum()'s arithmetic, called from here so that inf - inf stays silent


def check_finite_numeric(data, what: str, finite: bool = False, string_inputs=()):
    """Reject string/object arrays and empty arrays; with ``finite``, NaN/inf in float arrays too.

    ``what`` is ``'<method>: x'`` (or ``y``). The finite check is one pass over each float
    array, done once per fit/evaluate call (never per batch). ``string_inputs``: the positions
    (in flattened order) where strings are expected, a model input of dtype string (a
    ``TextVectorization`` model); text arrays are accepted there.
    """
    method = what.split(":")[0] if ":" in what else what
    method = "validation_data" if "validation_data" in what else method
    leaves = nest.flatten(data) if data is not None else []
    for i, arr in enumerate(leaves):
        if is_sparse(arr):  # a CSR matrix: its stored values (the zeros are finite)
            if not arr.shape[0] or not arr.shape[1]:
                raise ValueError(f"{what}: got an empty sparse matrix of shape {arr.shape}; there is nothing to "
                                 f"{_NOTHING_TO.get(method, 'compute on')}.")
            arr = arr.data
            if not arr.size:
                continue
        label = what if len(leaves) == 1 else f"{what}[{i}]"
        if arr.dtype.kind in "SUO" and i in string_inputs:  # pandas text columns are object arrays
            continue
        if arr.dtype.kind == "O" and arr.ndim == 0:
            raise TypeError(_unreadable_object(arr[()], label, method))
        if arr.dtype.kind in "OSU":
            raise ValueError(f"{label}: found an array of dtype {arr.dtype} (strings or Python objects) with "
                             f"shape {arr.shape}; convert it to numbers first (e.g. with np.asarray(x, "
                             "dtype='float32') after encoding the categories).")
        if arr.size == 0:
            raise ValueError(f"{label}: got an empty array of shape {arr.shape}; there is nothing to "
                             f"{_NOTHING_TO.get(method, 'compute on')}.")
        if finite and arr.dtype.kind in "fc" and not np.isfinite(_sum_of_all(arr)):
            bad = ~np.isfinite(arr)  # the sum overflowed or is nan/inf: look closer (error path, or a huge sum)
            count = int(np.count_nonzero(bad))
            if count:
                first = tuple(int(j) for j in np.argwhere(bad)[0])
                raise ValueError(f"{label} contains {count} non-finite value{'s' if count > 1 else ''} (NaN or "
                                 f"inf), the first at index {first}; remove or impute them (e.g. np.nan_to_num) "
                                 f"before {_BEFORE.get(method, 'training')}.")


def _rows(a) -> int:
    """The number of samples in one array (or CSR matrix): its first dimension (1 for a scalar)."""
    shape = getattr(a, "shape", None)
    if shape is None:
        shape = np.shape(a)
    return shape[0] if len(shape) else 1
def _unreadable_object(obj, label, method) -> str:
    """The message for a Python object that is neither array data nor a source of batches."""
    kind = type(obj).__name__
    if callable(obj) and getattr(obj, "__code__", None) is not None and obj.__code__.co_flags & 0x20:
        hint = f"it is a generator function: call it, {method}({obj.__name__}(), ...)"
    elif hasattr(obj, "__iter__") and not hasattr(obj, "__next__"):
        hint = ("it is iterable but not an iterator; pass iter(...) of it to read its batches once, or wrap it in a "
                "keras.utils.Sequence (__len__ and __getitem__) to read it every epoch")
    else:
        hint = "convert it to numpy arrays first"
    return (f"{label}: got a {kind} object, which {method} cannot read as data ({hint}). {method} takes numpy "
            "arrays or Tensors (a list or dict of them for several inputs), a chainrule.data.Dataset, a Python "
            "generator yielding batches (x, y) or (x, y, sample_weight), or a keras.utils.Sequence.")


def num_samples(data) -> int:
    sizes = {_rows(a) for a in nest.flatten(data)}
    return sizes.pop() if len(sizes) == 1 else -1


def check_cardinality(x, y, sample_weight=None):
    """Raise Keras's error when x, y and sample_weight hold different numbers of samples."""
    parts = [("x", x), ("y", y), ("sample_weight", sample_weight)]
    sizes = {name: [_rows(a) for a in nest.flatten(d)] for name, d in parts if d is not None}
    all_sizes = {s for v in sizes.values() for s in v}
    if len(all_sizes) > 1:
        detail = "\n".join(f"  {name} sizes: {', '.join(map(str, v))}" for name, v in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous:\n{detail}\nMake sure all arrays contain the same "
                         "number of samples.")


def cast_floats(data, dtype):
    """Float arrays converted once to the model's float type (so batches need no conversion)."""
    def cast(a):  # numpy arrays and CSR matrices alike
        return a.astype(dtype) if a.dtype.kind == "f" and a.dtype != dtype else a
    return nest.map_structure(cast, data) if data is not None else None


def take(data, index):
    """Rows ``index`` (a slice or an integer array) of every array in the structure."""
    return nest.map_structure(lambda a: a[index], data) if data is not None else None


def split_validation(x, y, sample_weight, validation_split: float):
    """The last ``validation_split`` fraction becomes validation data, before any shuffling (as Keras)."""
    n = num_samples(x)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"validation_split={validation_split} leaves no samples for training or validation "
                         f"with {n} samples.")
    head, tail = slice(0, split_at), slice(split_at, n)
    return ((take(x, head), take(y, head), take(sample_weight, head)),
            (take(x, tail), take(y, tail), take(sample_weight, tail)))


class ArrayBatches:
    """Batches of in-memory arrays: one permutation per pass over the data when shuffling, slices otherwise.

    As tf.keras 2: in training (``epoch(rng)``) with a ``steps`` that is not the number of batches in the
    data, the batches run on from epoch to epoch (epoch 2 starts where epoch 1 stopped, a new pass over
    the data begins when one ends); otherwise each epoch is one pass (at most ``steps`` batches).
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False, steps=None):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.sparse = is_sparse(x)  # a scipy CSR matrix of rows (see chainrule.sparse)
        self.n = x.shape[0] if self.sparse else num_samples(x)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.full = full = int(math.ceil(self.n / self.batch_size))
        self._stream = steps is not None and int(steps) != full and full > 0
        self.steps = full if steps is None else (int(steps) if self._stream else min(int(steps), full))
        self._batches = None

    def __len__(self):
        return self.steps

    def _pass(self, rng, steps):
        """Yield ``(x, y, sample_weight)`` batches of one pass over the data (its first ``steps`` batches)."""
        order = rng.permutation(self.n) if self.shuffle and rng is not None else None
        bs = self.batch_size
        for step in range(steps):
            if order is None:
                idx = slice(step * bs, min((step + 1) * bs, self.n))
            else:
                idx = np.sort(order[step * bs:(step + 1) * bs]) if self.shuffle == "sorted" else \
                    order[step * bs:(step + 1) * bs]
            xb = SparseTensor(self.x[idx]) if self.sparse else take(self.x, idx)
            yield xb, take(self.y, idx), take(self.sample_weight, idx)

    def _passes(self, rng):
        while True:
            yield from self._pass(rng, self.full)

    def epoch(self, rng):
        """Yield the ``(x, y, sample_weight)`` batches of one epoch."""
        if not self._stream or rng is None:
            yield from self._pass(rng, min(self.steps, self.full))
            return
        if self._batches is None:
            self._batches = self._passes(rng)
        for _ in range(self.steps):
            yield next(self._batches)


class DatasetBatches:
    """Batches from an iterable dataset yielding ``x``, ``(x, y)`` or ``(x, y, sample_weight)``.

    As tf.keras 2: in training (``epoch(rng)``), when ``steps`` is given and is not the dataset's length,
    one iterator runs through the epochs (epoch 2 continues where epoch 1 stopped); otherwise, and always
    for evaluation (``epoch(None)``), each pass reads the dataset anew.
    """

    def __init__(self, dataset, steps=None):
        self.dataset = dataset
        self.steps = steps
        card = None
        try:
            card = int(dataset.cardinality()) if hasattr(dataset, "cardinality") else len(dataset)
        except TypeError:
            card = None
        if steps is None:
            self.steps = card if card is not None and card >= 0 else None
        self._recreate = steps is None or card == steps
        self._iterator = None

    def __len__(self):
        return self.steps if self.steps is not None else 0

    def epoch(self, rng):
        if self._recreate or self._iterator is None or rng is None:
            self._iterator = iter(self.dataset)
        for _ in range(self.steps) if self.steps is not None else itertools.count():
            batch = next(self._iterator, _END)
            if batch is _END:
                break
            if isinstance(batch, tuple) and len(batch) in (2, 3):
                parts = [nest.map_structure(to_numpy, b) for b in batch] + [None]
                yield parts[0], parts[1], parts[2]
            else:
                yield nest.map_structure(to_numpy, batch), None, None


_END = object()


def is_dataset(x) -> bool:
    return hasattr(x, "_is_chainrule_dataset") or (hasattr(x, "__iter__") and hasattr(x, "element_spec"))


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` (tf.keras's rule)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                     f"found a tuple of {len(data)} elements.")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The inverse of :func:`unpack_x_y_sample_weight`: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return x, y
    return x, y, sample_weight
