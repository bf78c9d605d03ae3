"""The steps of a pipeline: shuffle, batch, map, window, interleave ... (see ``dataset.py`` for the contract)."""
from __future__ import annotations

import os
import queue
import threading

import numpy as np

from .. import backend
from ..errors import InvalidArgumentError
from ..tensor import Tensor
from ..tensor_spec import TensorSpec
from . import structure as st
from .dataset import INFINITE, UNKNOWN, Dataset
from .sources import Range, TensorSlices


class _Unary(Dataset):
    """A step with one upstream dataset: spec, options and probe pass through unless overridden."""

    def __init__(self, source):
        self.source = source

    def _cardinality(self):
        return self.source._cardinality()

    def _spec(self):
        return self.source._spec()

    def _make_probe(self):
        return self.source._probe()

    def _options(self):
        return self.source._options()


def _call(fn, element):
    """Call a user function on an element as tf.data does: a tuple is passed as separate arguments."""
    args = st.to_tensors(element)
    return fn(*args) if isinstance(args, tuple) else fn(args)


def _truth(value) -> bool:
    arr = value._value if isinstance(value, Tensor) else np.asarray(value)
    if arr.size != 1:
        raise ValueError(f"a predicate must return a scalar bool, got shape {arr.shape}.")
    return bool(arr.reshape(()))


# ----------------------------------------------------------------------------- order

class Shuffle(_Unary):
    _tf_name = "_ShuffleDataset"

    def __init__(self, source, buffer_size, seed, reshuffle):
        super().__init__(source)
        self.buffer_size, self.seed, self.reshuffle = buffer_size, seed, reshuffle
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def _generator(self):
        if self.seed is None:
            return backend.rng()
        if self.reshuffle:
            return self._rng  # advances every pass: a new (but repeatable) order each iteration
        return np.random.default_rng(self.seed)

    def _full(self, card) -> bool:
        return isinstance(self.source, (TensorSlices, Range)) and (self.buffer_size >= card or self.buffer_size < 0)

    def order(self, n):
        """A full-buffer shuffle: a uniform permutation of ``n`` indices."""
        return self._generator().permutation(n)

    def _iter(self):
        rng = self._generator()
        card = self.source._cardinality()
        if self._full(card):
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


class Repeat(_Unary):
    _tf_name = "_RepeatDataset"

    def __init__(self, source, count):
        super().__init__(source)
        self.count = count

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


class Take(_Unary):
    _tf_name = "_TakeDataset"

    def __init__(self, source, count):
        super().__init__(source)
        self.count = count

    def _iter(self):
        if self.count < 0:
            yield from self.source._iter()
            return
        if self.count == 0:
            return
        for i, element in enumerate(self.source._iter(), 1):
            yield element
            if i >= self.count:
                return

    def _cardinality(self):
        n = self.source._cardinality()
        if self.count < 0:
            return n
        if n == INFINITE:
            return self.count
        return min(n, self.count) if n >= 0 else UNKNOWN


class Skip(_Unary):
    _tf_name = "_SkipDataset"

    def __init__(self, source, count):
        super().__init__(source)
        self.count = count

    def _iter(self):
        it = self.source._iter()
        if self.count < 0:  # tf.data: skip(-1) skips everything
            for _ in it:
                pass
            return
        for i, element in enumerate(it):
            if i >= self.count:
                yield element

    def _cardinality(self):
        n = self.source._cardinality()
        if self.count < 0:
            return 0 if n >= 0 else n
        return max(n - self.count, 0) if n >= 0 else n


class Shard(_Unary):
    _tf_name = "_ShardDataset"

    def __init__(self, source, num_shards, index):
        super().__init__(source)
        self.num_shards, self.index = num_shards, index

    def _iter(self):
        for i, element in enumerate(self.source._iter()):
            if i % self.num_shards == self.index:
                yield element

    def _cardinality(self):
        n = self.source._cardinality()
        return max((n - self.index + self.num_shards - 1) // self.num_shards, 0) if n >= 0 else n


class Enumerate(_Unary):
    _tf_name = "_EnumerateDataset"

    def __init__(self, source, start):
        super().__init__(source)
        self.start = start

    def _iter(self):
        for i, element in enumerate(self.source._iter(), self.start):
            yield np.asarray(i, dtype=np.int64), element

    def _spec(self):
        return TensorSpec([], np.int64), self.source._spec()

    def _make_probe(self):
        p = self.source._probe()
        return None if p is None else (np.asarray(self.start, dtype=np.int64), p)


class Concatenate(Dataset):
    _tf_name = "_ConcatenateDataset"

    def __init__(self, first, second):
        if not isinstance(second, Dataset):
            raise TypeError(f"Dataset.concatenate: expected a Dataset, got {type(second).__name__}.")
        a, b = first._spec(), second._spec()
        if a is not None and b is not None:
            try:
                st.map_structures(_same_dtype, a, b)
            except (TypeError, KeyError):
                raise TypeError(f"Incompatible dataset elements:\n  {a} vs.   {b}") from None
        self.first, self.second = first, second

    def _iter(self):
        yield from self.first._iter()
        yield from self.second._iter()

    def _cardinality(self):
        a, b = self.first._cardinality(), self.second._cardinality()
        if INFINITE in (a, b):
            return INFINITE
        return a + b if a >= 0 and b >= 0 else UNKNOWN

    def _spec(self):
        a, b = self.first._spec(), self.second._spec()
        return a if b is None else b if a is None else st.most_specific(a, b)

    def _make_probe(self):
        p = self.first._probe()
        return p if p is not None else self.second._probe()

    def _options(self):
        return self.first._options().merge(self.second._options())


def _same_dtype(a, b):
    if getattr(a, "dtype", None) != getattr(b, "dtype", None):
        raise TypeError("dtype")
    return a


# ----------------------------------------------------------------------------- functions

class Map(_Unary):
    _tf_name = "_MapDataset"

    def __init__(self, source, fn):
        super().__init__(source)
        self.fn = fn

    def _iter(self):
        for element in self.source._iter():
            yield st.from_user(_call(self.fn, element))

    def _make_probe(self):
        p = self.source._probe()
        return None if p is None else st.from_user(_call(self.fn, p))

    def _spec(self):
        probe = self._probe()
        if probe is None:
            return None
        spec = st.spec_of(probe)
        varying = _varying_sizes(self.source)
        if not varying:
            return spec
        return st.map_structure(lambda s: _relax_leading(s, varying), spec)


def _varying_sizes(source) -> set:
    """The probe's sizes of leading dimensions that the source's spec leaves unknown (a batch size, say)."""
    spec, probe = source._spec(), source._probe()
    if spec is None or probe is None:
        return set()
    sizes = set()
    for s, p in zip(st.leaves(spec), st.leaves(probe)):
        if getattr(s, "shape", None) is not None and s.shape.rank and s.shape[0] is None and np.ndim(p):
            sizes.add(np.shape(p)[0])
    return sizes


def _relax_leading(spec, sizes):
    if isinstance(spec, TensorSpec) and spec.shape.rank and spec.shape[0] in sizes:
        return TensorSpec([None] + spec.shape.as_list()[1:], spec.dtype, spec.name)
    return spec


class Filter(_Unary):
    _tf_name = "_FilterDataset"

    def __init__(self, source, predicate):
        super().__init__(source)
        self.predicate = predicate

    def _iter(self):
        for element in self.source._iter():
            if _truth(_call(self.predicate, element)):
                yield element

    def _cardinality(self):
        n = self.source._cardinality()
        return n if n == INFINITE else UNKNOWN


class TakeWhile(_Unary):
    _tf_name = "_TakeWhileDataset"

    def __init__(self, source, predicate):
        super().__init__(source)
        self.predicate = predicate

    def _iter(self):
        for element in self.source._iter():
            if not _truth(_call(self.predicate, element)):
                return
            yield element

    def _cardinality(self):
        return UNKNOWN


class Unique(_Unary):
    _tf_name = "_UniqueDataset"

    def _iter(self):
        seen = set()
        for element in self.source._iter():
            if not isinstance(element, (np.ndarray, np.generic)) or np.ndim(element) != 0:
                raise TypeError("Dataset.unique: the elements must be scalars (ints or strings).")
            key = np.asarray(element).item()
            if key not in seen:
                seen.add(key)
                yield element

    def _cardinality(self):
        return UNKNOWN


class FlatMap(_Unary):
    _tf_name = "_FlatMapDataset"

    def __init__(self, source, fn):
        super().__init__(source)
        self.fn = fn

    def _dataset_for(self, element) -> Dataset:
        ds = _call(self.fn, element)
        if not isinstance(ds, Dataset):
            raise TypeError(f"The function given to flat_map/interleave must return a Dataset, got "
                            f"{type(ds).__name__}.")
        return ds

    def _iter(self):
        for element in self.source._iter():
            yield from self._dataset_for(element)._iter()

    def _cardinality(self):
        return UNKNOWN

    def _make_probe(self):
        p = self.source._probe()
        return None if p is None else self._dataset_for(p)._probe()

    def _spec(self):
        p = self.source._probe()
        return None if p is None else self._dataset_for(p)._spec()


class Interleave(FlatMap):
    _tf_name = "_InterleaveDataset"

    def __init__(self, source, fn, cycle_length, block_length):
        super().__init__(source, fn)
        self.cycle_length = os.cpu_count() or 1 if cycle_length in (None, -1) else int(cycle_length)
        self.block_length = 1 if block_length in (None, -1) else int(block_length)
        if self.cycle_length <= 0 or self.block_length <= 0:
            raise ValueError("Dataset.interleave: cycle_length and block_length must be positive.")

    def _iter(self):
        # tf.data's deterministic interleave: cycle through the open iterators, block_length each.
        source = self.source._iter()
        slots = [None] * self.cycle_length
        index = block = open_count = 0
        input_done = False
        while not input_done or open_count:
            if slots[index] is not None:
                element = next(slots[index], _DONE)
                if element is not _DONE:
                    yield element
                    block += 1
                    if block == self.block_length:
                        index, block = (index + 1) % self.cycle_length, 0
                    continue
                slots[index] = None
                open_count -= 1
                index, block = (index + 1) % self.cycle_length, 0
            elif not input_done:
                element = next(source, _DONE)
                if element is _DONE:
                    input_done = True
                else:
                    slots[index] = self._dataset_for(element)._iter()
                    open_count += 1
            else:
                index, block = (index + 1) % self.cycle_length, 0


_DONE = object()


class Scan(_Unary):
    _tf_name = "_ScanDataset"

    def __init__(self, source, initial_state, fn):
        super().__init__(source)
        self.initial_state, self.fn = st.normalize(initial_state), fn

    def _step(self, state, element):
        result = self.fn(st.to_tensors(state), st.to_tensors(element))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise TypeError("The scan function must return a pair (new_state, output_element).")
        return st.from_user(result[0]), st.from_user(result[1])

    def _iter(self):
        state = self.initial_state
        for element in self.source._iter():
            state, out = self._step(state, element)
            yield out

    def _make_probe(self):
        p = self.source._probe()
        return None if p is None else self._step(self.initial_state, p)[1]


# ----------------------------------------------------------------------------- choosing among datasets

class SampleFrom(Dataset):
    _tf_name = "_DirectedInterleaveDataset"

    def __init__(self, datasets, weights, seed, stop_on_empty):
        self.datasets, self.seed, self.stop_on_empty = datasets, seed, stop_on_empty
        w = np.ones(len(datasets)) if weights is None else np.asarray(
            weights._value if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if len(w) != len(datasets) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(f"sample_from_datasets: need one non-negative weight per dataset, got {w.tolist()}.")
        self.weights = w / w.sum()

    def _iter(self):
        rng = np.random.default_rng(self.seed) if self.seed is not None else backend.rng()
        iters = [d._iter() for d in self.datasets]
        alive = np.ones(len(iters), dtype=bool)
        while alive.any():
            p = self.weights * alive
            if p.sum() <= 0:
                return
            i = int(rng.choice(len(iters), p=p / p.sum()))
            element = next(iters[i], _DONE)
            if element is _DONE:
                if self.stop_on_empty:
                    return
                alive[i] = False
                continue
            yield element

    def _spec(self):
        return self.datasets[0]._spec()

    def _make_probe(self):
        return self.datasets[0]._probe()


class ChooseFrom(Dataset):
    _tf_name = "_DirectedInterleaveDataset"

    def __init__(self, datasets, choice_dataset, stop_on_empty):
        self.datasets, self.choices, self.stop_on_empty = datasets, choice_dataset, stop_on_empty

    def _iter(self):
        iters = [d._iter() for d in self.datasets]
        for choice in self.choices._iter():
            i = int(choice)
            if not 0 <= i < len(iters):
                raise InvalidArgumentError(f"choose_from_datasets: choice {i} is out of range [0, {len(iters)}).")
            element = next(iters[i], _DONE)
            if element is _DONE:
                if self.stop_on_empty:
                    return
                continue
            yield element

    def _spec(self):
        return self.datasets[0]._spec()

    def _make_probe(self):
        return self.datasets[0]._probe()


# ----------------------------------------------------------------------------- performance and options

class Cache(_Unary):
    _tf_name = "CacheDataset"

    def __init__(self, source):
        super().__init__(source)
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


class Prefetch(_Unary):
    """Runs the upstream pipeline in a daemon thread, ``buffer_size`` elements ahead."""

    _tf_name = "_PrefetchDataset"
    _DONE = object()

    def __init__(self, source, buffer_size):
        super().__init__(source)
        self.buffer_size = buffer_size

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


class WithOptions(_Unary):
    _tf_name = "_OptionsDataset"

    def __init__(self, source, options):
        super().__init__(source)
        self.options_ = options

    def _iter(self):
        return self.source._iter()

    def _options(self):
        return self.options_.merge(self.source._options())
