"""``chainrule.data.Dataset``: lazy input pipelines with tf.data's names and semantics.

A Dataset is a chain of small steps (slices -> shuffle -> batch -> repeat ...)
evaluated lazily each time it is iterated. Elements are structures (a single
array, a tuple or a dict) of numpy arrays internally; iterating a Dataset
yields Tensors, ``as_numpy_iterator`` yields numpy arrays. Nothing is copied
per epoch: ``repeat()`` of a large array re-reads the same array.

``from_tensor_slices(...).shuffle(n).batch(b)`` gathers each batch with one
fancy-indexing call instead of stacking single elements, so feeding ``fit`` a
dataset costs about as much as feeding it arrays.
"""
from __future__ import annotations

import queue
import threading

import numpy as np

from . import backend, nest
from .tensor import Tensor, to_array

INFINITE = -1
UNKNOWN = -2
AUTOTUNE = -1


def _to_numpy(x):
    if isinstance(x, Tensor):
        return x._value
    if hasattr(x, "to_numpy"):
        return x.to_numpy()
    return to_array(x)


def _normalize(element):
    """Lists become tuples (as tf.data does for a tuple of components); leaves become numpy arrays."""
    if isinstance(element, dict):
        return {k: _normalize(v) for k, v in element.items()}
    if isinstance(element, tuple):
        return tuple(_normalize(v) for v in element)
    return _to_numpy(element)


def _to_tensors(element):
    return nest.map_structure(Tensor, element)


def _from_user(value):
    """A function's return value back into the internal numpy structure."""
    if isinstance(value, list):
        value = tuple(value)
    return _normalize(value)


class Dataset:
    """Base class: subclasses implement ``_iter()`` yielding numpy structures and ``_cardinality()``."""

    _is_chainrule_dataset = True

    # ------------------------------------------------------------------ sources
    @staticmethod
    def from_tensor_slices(tensors, name=None) -> "Dataset":
        """One element per row of ``tensors`` (an array, a tuple of arrays or a dict of arrays)."""
        return _Slices(_normalize(tensors))

    @staticmethod
    def from_tensors(tensors, name=None) -> "Dataset":
        """A dataset of exactly one element: ``tensors`` itself."""
        return _Single(_normalize(tuple(tensors) if isinstance(tensors, list) else tensors))

    @staticmethod
    def range(*args, output_type=None, name=None) -> "Dataset":
        """Like Python's ``range``: ``Dataset.range(5)`` -> 0, 1, 2, 3, 4 (int64 scalars)."""
        values = np.arange(*args, dtype=np.int64)
        return _Slices(values)

    @staticmethod
    def zip(datasets, name=None) -> "Dataset":
        """Elements of several datasets side by side (a tuple or dict of datasets); stops at the shortest."""
        return _Zip(datasets)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None):
        """Elements produced by calling ``generator(*args)`` on each iteration."""
        return _Generator(generator, tuple(args or ()))

    # ------------------------------------------------------------------ transformations
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None) -> "Dataset":
        """Randomly shuffle with a buffer of ``buffer_size`` elements (a full shuffle when >= the size)."""
        if int(buffer_size) <= 0:
            raise ValueError(f"Dataset.shuffle: buffer_size must be positive, got {buffer_size}.")
        return _Shuffle(self, int(buffer_size), seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None,
              name=None) -> "Dataset":
        """Stack consecutive elements into batches of ``batch_size`` (the last may be smaller)."""
        if int(batch_size) <= 0:
            raise ValueError(f"Dataset.batch: batch_size must be positive, got {batch_size}.")
        return _Batch(self, int(batch_size), bool(drop_remainder))

    def repeat(self, count=None, name=None) -> "Dataset":
        """Repeat the dataset ``count`` times (forever when None or -1)."""
        return _Repeat(self, None if count is None or int(count) < 0 else int(count))

    def take(self, count, name=None) -> "Dataset":
        """The first ``count`` elements (all when -1)."""
        return _Take(self, int(count))

    def skip(self, count, name=None) -> "Dataset":
        """All but the first ``count`` elements."""
        return _Skip(self, int(count))

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None) -> "Dataset":
        """Apply ``map_func`` to each element (tuple elements are passed as separate arguments)."""
        return _Map(self, map_func)

    def filter(self, predicate, name=None) -> "Dataset":
        """Keep the elements for which ``predicate`` is true."""
        return _Filter(self, predicate)

    def prefetch(self, buffer_size=AUTOTUNE, name=None) -> "Dataset":
        """Prepare up to ``buffer_size`` elements ahead in a background thread."""
        return _Prefetch(self, 2 if buffer_size in (None, AUTOTUNE) else max(int(buffer_size), 1))

    def cache(self, filename="", name=None) -> "Dataset":
        """Remember the elements of the first pass in memory (``filename`` is not supported)."""
        return _Cache(self)

    def enumerate(self, start=0, name=None) -> "Dataset":
        """Pairs ``(index, element)``."""
        return Dataset.zip((Dataset.range(start, start + (1 << 62)), self))

    def unbatch(self, name=None) -> "Dataset":
        """Split each batch back into its elements."""
        return _Unbatch(self)

    # ------------------------------------------------------------------ iteration
    def __iter__(self):
        for element in self._iter():
            yield _to_tensors(element)

    def as_numpy_iterator(self):
        """Iterate over numpy arrays instead of Tensors."""
        for element in self._iter():
            yield nest.map_structure(lambda a: a[()] if a.ndim == 0 else a, element)

    def cardinality(self) -> Tensor:
        """The number of elements as an int64 scalar (-1 infinite, -2 unknown)."""
        return Tensor(np.asarray(self._cardinality(), dtype=np.int64))

    def __len__(self):
        n = self._cardinality()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    @property
    def element_spec(self):
        first = next(iter(self._iter()), None)
        return None if first is None else nest.map_structure(lambda a: (a.shape, a.dtype), first)

    def __repr__(self):
        return f"<{type(self).__name__.lstrip('_')}Dataset cardinality={self._cardinality()}>"

    def _iter(self):
        raise NotImplementedError

    def _cardinality(self) -> int:
        return UNKNOWN


class _Slices(Dataset):
    def __init__(self, data):
        self.data = data
        sizes = {len(a) if np.ndim(a) else -1 for a in nest.flatten(data)}
        if len(sizes) != 1 or -1 in sizes:
            shapes = [np.shape(a) for a in nest.flatten(data)]
            raise ValueError(f"Dataset.from_tensor_slices: all components need the same first dimension, got "
                             f"shapes {shapes}.")
        self.n = sizes.pop()

    def rows(self, index):
        return nest.map_structure(lambda a: a[index], self.data)

    def _iter(self):
        for i in range(self.n):
            yield self.rows(i)

    def _cardinality(self):
        return self.n


class _Single(Dataset):
    def __init__(self, element):
        self.element = element

    def _iter(self):
        yield self.element

    def _cardinality(self):
        return 1


class _Generator(Dataset):
    def __init__(self, generator, args):
        self.generator, self.args = generator, args

    def _iter(self):
        for item in self.generator(*self.args):
            yield _from_user(item)


class _Zip(Dataset):
    def __init__(self, datasets):
        self.datasets = datasets

    def _iter(self):
        if isinstance(self.datasets, dict):
            keys = list(self.datasets)
            for parts in zip(*(self.datasets[k]._iter() for k in keys)):
                yield dict(zip(keys, parts))
        else:
            yield from (tuple(parts) for parts in zip(*(d._iter() for d in self.datasets)))

    def _cardinality(self):
        cards = [d._cardinality() for d in (self.datasets.values() if isinstance(self.datasets, dict)
                                            else self.datasets)]
        finite = [c for c in cards if c >= 0]
        if finite:
            return min(finite)
        return UNKNOWN if UNKNOWN in cards else INFINITE


class _Shuffle(Dataset):
    def __init__(self, source, buffer_size, seed, reshuffle):
        self.source, self.buffer_size, self.seed, self.reshuffle = source, buffer_size, seed, reshuffle
        self._epoch = 0
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def _generator(self):
        if self.seed is None:
            return backend.rng()
        if self.reshuffle:
            return self._rng  # advances every pass: a new (but repeatable) order each iteration
        return np.random.default_rng(self.seed)

    def order(self, n):
        """A full-buffer shuffle: a uniform permutation of ``n`` indices."""
        return self._generator().permutation(n)

    def _iter(self):
        rng = self._generator()
        card = self.source._cardinality()
        if isinstance(self.source, _Slices) and self.buffer_size >= card:
            for i in rng.permutation(card):
                yield self.source.rows(i)
            return
        buffer = []
        for element in self.source._iter():
            if len(buffer) < self.buffer_size:
                buffer.append(element)
                continue
            j = int(rng.integers(len(buffer)))
            yield buffer[j]
            buffer[j] = element
        while buffer:
            j = int(rng.integers(len(buffer)))
            buffer[j], buffer[-1] = buffer[-1], buffer[j]
            yield buffer.pop()

    def _cardinality(self):
        return self.source._cardinality()


def _stack(elements):
    first = elements[0]
    if isinstance(first, dict):
        return {k: _stack([e[k] for e in elements]) for k in first}
    if isinstance(first, tuple):
        return tuple(_stack([e[i] for e in elements]) for i in range(len(first)))
    return np.stack(elements)


class _Batch(Dataset):
    def __init__(self, source, batch_size, drop_remainder):
        self.source, self.batch_size, self.drop_remainder = source, batch_size, drop_remainder

    def _index_batches(self, n, order):
        bs = self.batch_size
        stop = n - n % bs if self.drop_remainder else n
        for start in range(0, stop, bs):
            yield order[start:start + bs] if order is not None else slice(start, min(start + bs, n))

    def _iter(self):
        src = self.source
        # Fast paths: gather a whole batch of rows at once.
        if isinstance(src, _Slices):
            for idx in self._index_batches(src.n, None):
                yield src.rows(idx)
            return
        if isinstance(src, _Shuffle) and isinstance(src.source, _Slices) and src.buffer_size >= src.source.n:
            rows = src.source
            order = src.order(rows.n)
            for idx in self._index_batches(rows.n, order):
                yield rows.rows(idx)
            return
        pending = []
        for element in src._iter():
            pending.append(element)
            if len(pending) == self.batch_size:
                yield _stack(pending)
                pending = []
        if pending and not self.drop_remainder:
            yield _stack(pending)

    def _cardinality(self):
        n = self.source._cardinality()
        if n < 0:
            return n
        return n // self.batch_size if self.drop_remainder else -(-n // self.batch_size)


class _Repeat(Dataset):
    def __init__(self, source, count):
        self.source, self.count = source, count

    def _iter(self):
        done = 0
        while self.count is None or done < self.count:
            empty = True
            for element in self.source._iter():
                empty = False
                yield element
            done += 1
            if empty:
                return

    def _cardinality(self):
        n = self.source._cardinality()
        if self.count is None:
            return 0 if n == 0 else INFINITE
        return n * self.count if n >= 0 else n


class _Take(Dataset):
    def __init__(self, source, count):
        self.source, self.count = source, count

    def _iter(self):
        if self.count < 0:
            yield from self.source._iter()
            return
        for i, element in enumerate(self.source._iter()):
            if i >= self.count:
                return
            yield element

    def _cardinality(self):
        n = self.source._cardinality()
        if self.count < 0:
            return n
        if n == INFINITE:
            return self.count
        return min(n, self.count) if n >= 0 else UNKNOWN


class _Skip(Dataset):
    def __init__(self, source, count):
        self.source, self.count = source, count

    def _iter(self):
        for i, element in enumerate(self.source._iter()):
            if i >= self.count:
                yield element

    def _cardinality(self):
        n = self.source._cardinality()
        return max(n - self.count, 0) if n >= 0 else n


def _call(fn, element):
    args = _to_tensors(element)
    return fn(*args) if isinstance(args, tuple) else fn(args)


class _Map(Dataset):
    def __init__(self, source, fn):
        self.source, self.fn = source, fn

    def _iter(self):
        for element in self.source._iter():
            yield _from_user(_call(self.fn, element))

    def _cardinality(self):
        return self.source._cardinality()


class _Filter(Dataset):
    def __init__(self, source, predicate):
        self.source, self.predicate = source, predicate

    def _iter(self):
        for element in self.source._iter():
            if bool(np.asarray(_to_numpy(_call(self.predicate, element)))):
                yield element

    def _cardinality(self):
        n = self.source._cardinality()
        return n if n == INFINITE else UNKNOWN


class _Unbatch(Dataset):
    def __init__(self, source):
        self.source = source

    def _iter(self):
        for batch in self.source._iter():
            n = len(nest.flatten(batch)[0])
            for i in range(n):
                yield nest.map_structure(lambda a, i=i: a[i], batch)


class _Cache(Dataset):
    def __init__(self, source):
        self.source = source
        self._items = None

    def _iter(self):
        if self._items is not None:
            yield from self._items
            return
        items = []
        for element in self.source._iter():
            items.append(element)
            yield element
        self._items = items

    def _cardinality(self):
        return self.source._cardinality()


class _Prefetch(Dataset):
    """Runs the upstream pipeline in a daemon thread, ``buffer_size`` elements ahead."""

    _DONE = object()

    def __init__(self, source, buffer_size):
        self.source, self.buffer_size = source, buffer_size

    def _iter(self):
        q: queue.Queue = queue.Queue(maxsize=self.buffer_size)
        stop = threading.Event()

        def work():
            try:
                for element in self.source._iter():
                    while not stop.is_set():
                        try:
                            q.put(element, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                q.put(self._DONE)
            except BaseException as e:  # hand the error to the consumer
                q.put(e)

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        try:
            while True:
                item = q.get()
                if item is self._DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()

    def _cardinality(self):
        return self.source._cardinality()


class experimental:  # noqa: N801 - TensorFlow's name
    AUTOTUNE = AUTOTUNE
    INFINITE_CARDINALITY = INFINITE
    UNKNOWN_CARDINALITY = UNKNOWN
