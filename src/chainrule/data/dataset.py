"""``chainrule.data.Dataset``: lazy input pipelines with tf.data's names and semantics.

A Dataset is a chain of small steps (slices -> shuffle -> batch -> repeat ...)
evaluated lazily each time it is iterated. Elements are structures (a single
array, a tuple or a dict) of numpy arrays internally; iterating a Dataset
yields Tensors, ``as_numpy_iterator`` yields numpy arrays. Nothing is copied
per epoch: ``repeat()`` of a large array re-reads the same array.

``from_tensor_slices(...).shuffle(n).batch(b)`` gathers each batch with one
fancy-indexing call instead of stacking single elements, so feeding ``fit`` a
dataset costs about as much as feeding it arrays.

Each step is a subclass (in ``sources.py`` and ``transforms.py``) with three
methods: ``_iter()`` yields internal elements, ``_cardinality()`` gives the
number of elements (``INFINITE``/``UNKNOWN``), ``_spec()`` the
``element_spec``. Functions given to ``map``/``filter``/``flat_map`` ... run
as Python on Tensors, once per element, each time the dataset is iterated
(tf.data traces them into a graph instead; the results are the same).
``element_spec`` is worked out without disturbing the pipeline: where a
function's output has to be seen, it is called once on a representative
element (``_probe()``), and a leading dimension that varies upstream (a batch
that may be short) is reported as ``None``, as tf.data does.
"""
from __future__ import annotations

import importlib

import numpy as np

from .. import _integers
from .._tape_stack import note_side_effect
from ..errors import InvalidArgumentError, OutOfRangeError
from ..tensor import Tensor
from . import structure as st
from .options import Options

INFINITE = -1
UNKNOWN = -2
AUTOTUNE = -1


class Dataset:
    """Base class of every dataset; build one with ``Dataset.from_tensor_slices``, ``range``, ``from_generator`` ..."""

    _is_chainrule_dataset = True
    _tf_name = "Dataset"

    # ------------------------------------------------------------------ sources
    @staticmethod
    def from_tensor_slices(tensors, name=None) -> "Dataset":
        """One element per row of ``tensors`` (an array, a tuple of arrays or a dict of arrays).

        Every component must have the same first dimension (``ValueError`` otherwise).
        """
        return _step("sources", "TensorSlices")(st.normalize(tensors))

    @staticmethod
    def from_tensors(tensors, name=None) -> "Dataset":
        """A dataset of exactly one element: ``tensors`` itself."""
        return _step("sources", "Single")(st.normalize(tensors))

    @staticmethod
    def range(*args, output_type=None, name=None) -> "Dataset":
        """Like Python's ``range``: ``Dataset.range(5)`` -> 0, 1, 2, 3, 4 (int64 scalars, or ``output_type``)."""
        return _step("sources", "Range")(args, output_type)

    @staticmethod
    def zip(*args, datasets=None, name=None) -> "Dataset":
        """Elements of several datasets side by side: ``zip((a, b))``, ``zip(a, b)``, ``zip({"x": a, "y": b})``
        or ``zip(datasets=...)``; stops at the shortest."""
        if datasets is not None:
            if args:
                raise TypeError("Dataset.zip: give the datasets either positionally or as `datasets=`, not both.")
        else:
            datasets = args[0] if len(args) == 1 else args
        return _step("sources", "Zip")(datasets)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None) -> "Dataset":
        """Elements produced by calling ``generator(*args)`` afresh on each iteration.

        ``output_signature`` (a structure of ``TensorSpec``) or ``output_types`` (with
        optional ``output_shapes``) fix the element_spec; each value the generator yields
        is converted to it, and one of the wrong shape raises ``InvalidArgumentError``.
        """
        return _step("sources", "Generator")(generator, tuple(args or ()), output_types, output_shapes,
                                             output_signature)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None) -> "Dataset":
        """The paths matching ``file_pattern`` (a glob, or a list of them) as string elements.

        Shuffled on each iteration unless ``shuffle=False`` (then sorted), as tf.data. A pattern
        matching nothing raises ``InvalidArgumentError`` when the dataset is iterated.
        """
        return _step("readers", "list_files")(file_pattern, shuffle=shuffle, seed=seed)

    @staticmethod
    def counter(start=0, step=1, dtype=None, name=None) -> "Dataset":
        """``start, start + step, ...`` forever (int64 by default)."""
        return _step("sources", "Counter")(start, step, dtype)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None) -> "Dataset":
        """Elements drawn at random from ``datasets`` with probabilities ``weights`` (uniform by default)."""
        return _step("transforms", "SampleFrom")(list(datasets), weights, seed, stop_on_empty_dataset)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True) -> "Dataset":
        """Element i comes from ``datasets[choice_dataset[i]]``."""
        return _step("transforms", "ChooseFrom")(list(datasets), choice_dataset, stop_on_empty_dataset)

    # ------------------------------------------------------------------ transformations
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None) -> "Dataset":
        """Randomly shuffle with a buffer of ``buffer_size`` elements (a full shuffle when >= the size).

        With ``reshuffle_each_iteration`` (the default) each pass has a new order.
        """
        buffer_size = _count(buffer_size, "buffer_size", "shuffle")
        if buffer_size <= 0 and buffer_size != AUTOTUNE:
            raise ValueError(f"Dataset.shuffle: buffer_size must be positive, got {buffer_size}.")
        return _step("transforms", "Shuffle")(self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None,
              name=None) -> "Dataset":
        """Stack consecutive elements into batches of ``batch_size`` (the last may be smaller unless
        ``drop_remainder``). ``num_parallel_calls``/``deterministic`` are accepted."""
        batch_size = _count(batch_size, "batch_size", "batch")
        if batch_size <= 0:
            raise ValueError(f"Dataset.batch: batch_size must be positive, got {batch_size}.")
        return _step("batching", "Batch")(self, batch_size, bool(drop_remainder))

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False,
                     name=None) -> "Dataset":
        """Batch elements of different shapes, padding each to ``padded_shapes`` (None: the longest in the batch).

        ``padding_values`` (a scalar or a structure like the elements) defaults to 0 (b'' for strings).
        """
        batch_size = _count(batch_size, "batch_size", "padded_batch")
        if batch_size <= 0:
            raise ValueError(f"Dataset.padded_batch: batch_size must be positive, got {batch_size}.")
        return _step("batching", "PaddedBatch")(self, batch_size, padded_shapes, padding_values,
                                                bool(drop_remainder))

    def unbatch(self, name=None) -> "Dataset":
        """Split each element (a batch) back into its rows."""
        return _step("batching", "Unbatch")(self)

    def rebatch(self, batch_size, drop_remainder=False, name=None) -> "Dataset":
        """Batches of a new size: ``unbatch().batch(batch_size)``; a list of sizes is used in turn."""
        sizes = _integers.integers(batch_size, "batch_size", "Dataset.rebatch", error=TypeError)
        return _step("batching", "Rebatch")(self, sizes[0] if np.ndim(batch_size) == 0 else list(sizes),
                                            bool(drop_remainder))

    def repeat(self, count=None, name=None) -> "Dataset":
        """Repeat the dataset ``count`` times (forever when None or -1)."""
        count = None if count is None else _count(count, "count", "repeat")
        return _step("transforms", "Repeat")(self, None if count is None or count < 0 else count)

    def take(self, count, name=None) -> "Dataset":
        """The first ``count`` elements (all when -1)."""
        return _step("transforms", "Take")(self, _count(count, "count", "take"))

    def skip(self, count, name=None) -> "Dataset":
        """All but the first ``count`` elements."""
        return _step("transforms", "Skip")(self, _count(count, "count", "skip"))

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None) -> "Dataset":
        """Apply ``map_func`` to each element (a tuple element is passed as separate arguments).

        ``num_parallel_calls`` (e.g. ``AUTOTUNE``) and ``deterministic`` are accepted; a list
        returned by ``map_func`` becomes a tuple, as in tf.data.
        """
        return _step("transforms", "Map")(self, map_func)

    def filter(self, predicate, name=None) -> "Dataset":
        """Keep the elements for which ``predicate`` (called like ``map_func``) is true."""
        return _step("transforms", "Filter")(self, predicate)

    def flat_map(self, map_func, name=None) -> "Dataset":
        """``map_func`` returns a Dataset for each element; their elements follow one another."""
        return _step("transforms", "FlatMap")(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None,
                   deterministic=None, name=None) -> "Dataset":
        """Like ``flat_map``, but ``cycle_length`` of the returned datasets are read in turn, ``block_length``
        elements (default 1) from each, as tf.data's deterministic order. ``cycle_length`` defaults
        to the number of CPU cores, as tf.data."""
        return _step("transforms", "Interleave")(self, map_func, cycle_length, block_length)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None) -> "Dataset":
        """Windows of ``size`` elements (every ``stride``-th), starting every ``shift`` (default ``size``) elements.

        Each window is itself a Dataset (a tuple/dict of Datasets for tuple/dict elements);
        ``flat_map(lambda w: w.batch(size))`` turns them into tensors.
        """
        size = _count(size, "size", "window")
        shift = size if shift is None else _count(shift, "shift", "window")
        stride = _count(stride, "stride", "window")
        if size <= 0 or shift <= 0 or stride <= 0:
            raise ValueError(f"Dataset.window: size, shift and stride must be positive, got {size}, {shift}, "
                             f"{stride}.")
        return _step("batching", "Window")(self, size, shift, stride, bool(drop_remainder))

    def scan(self, initial_state, scan_func, name=None) -> "Dataset":
        """Running state: ``new_state, output = scan_func(state, element)``; the dataset of outputs."""
        return _step("transforms", "Scan")(self, initial_state, scan_func)

    def enumerate(self, start=0, name=None) -> "Dataset":
        """Pairs ``(index, element)`` with int64 indices from ``start``."""
        return _step("transforms", "Enumerate")(self, _count(start, "start", "enumerate"))

    def shard(self, num_shards, index, name=None) -> "Dataset":
        """Every ``num_shards``-th element, starting at ``index``."""
        num_shards, index = _count(num_shards, "num_shards", "shard"), _count(index, "index", "shard")
        if num_shards <= 0 or not 0 <= index < num_shards:
            raise InvalidArgumentError(f"Dataset.shard: num_shards must be positive and 0 <= index < num_shards, "
                                       f"got num_shards={num_shards}, index={index}.")
        return _step("transforms", "Shard")(self, num_shards, index)

    def concatenate(self, dataset, name=None) -> "Dataset":
        """This dataset's elements followed by ``dataset``'s (their structures and dtypes must match)."""
        return _step("transforms", "Concatenate")(self, dataset)

    def take_while(self, predicate, name=None) -> "Dataset":
        """The elements up to (not including) the first for which ``predicate`` is false."""
        return _step("transforms", "TakeWhile")(self, predicate)

    def unique(self, name=None) -> "Dataset":
        """Each distinct element once, in order of first appearance (scalar int or string elements)."""
        return _step("transforms", "Unique")(self)

    def cache(self, filename="", name=None) -> "Dataset":
        """Remember the elements of the first complete pass and replay them afterwards.

        The cache is kept in memory; a ``filename`` is accepted and not written to.
        """
        return _step("transforms", "Cache")(self)

    def prefetch(self, buffer_size=AUTOTUNE, name=None) -> "Dataset":
        """Prepare up to ``buffer_size`` elements ahead in a background thread (2 for ``AUTOTUNE``)."""
        if buffer_size is not None:
            buffer_size = _count(buffer_size, "buffer_size", "prefetch")
        return _step("transforms", "Prefetch")(self, 2 if buffer_size in (None, AUTOTUNE) else max(buffer_size, 1))

    def apply(self, transformation_func) -> "Dataset":
        """``transformation_func(self)``, which must return a Dataset."""
        out = transformation_func(self)
        if not isinstance(out, Dataset):
            raise TypeError(f"Dataset.apply: the transformation must return a Dataset, got {type(out).__name__}.")
        return out

    def with_options(self, options, name=None) -> "Dataset":
        """This dataset with ``options`` (a :class:`Options`) attached; see ``options()``."""
        if not isinstance(options, Options):
            raise TypeError(f"Dataset.with_options: expected chainrule.data.Options, got {type(options).__name__}.")
        return _step("transforms", "WithOptions")(self, options)

    def options(self) -> Options:
        """The options set with ``with_options`` on this dataset or upstream (the first set wins)."""
        return self._options()

    def _options(self) -> Options:
        return Options()

    # ------------------------------------------------------------------ reductions
    def reduce(self, initial_state, reduce_func, name=None):
        """Fold the elements into a state: ``state = reduce_func(state, element)``; returns the final state."""
        state = st.normalize(initial_state)
        for element in self._iter():
            state = st.from_user(reduce_func(st.to_tensors(state), st.to_tensors(element)))
        return st.to_tensors(state)

    def get_single_element(self, name=None):
        """The only element; ``InvalidArgumentError`` when there are none or several."""
        it = self._iter()
        first = next(it, _END)
        if first is _END:
            raise InvalidArgumentError("Dataset was empty.")
        if next(it, _END) is not _END:
            raise InvalidArgumentError("Dataset had more than one element.")
        return st.to_tensors(first)

    # ------------------------------------------------------------------ iteration
    def __iter__(self) -> "OwnedIterator":
        return OwnedIterator(self)

    def as_numpy_iterator(self):
        """Iterate over numpy arrays (0-d ones as numpy scalars) instead of Tensors."""
        for element in self._iter():
            yield st.to_python(element)

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

    def __bool__(self):
        return True

    @property
    def element_spec(self):
        """The type of each element: a structure of ``TensorSpec`` (``None`` for a size that varies)."""
        return self._spec()

    def __repr__(self):
        try:
            spec = repr(self.element_spec)
        except Exception:  # a user function failed on the probe element; the dataset is still usable
            spec = "<unknown>"
        return f"<{self._tf_name} element_spec={spec}>"

    # ------------------------------------------------------------------ for subclasses
    def _iter(self):
        raise NotImplementedError

    def _cardinality(self) -> int:
        return UNKNOWN

    def _spec(self):
        probe = self._probe()
        return None if probe is None else st.spec_of(probe)

    def _probe(self):
        """A representative element (right structure and trailing shapes) obtained without side effects
        on the pipeline; None for an empty dataset. Cached."""
        cached = self.__dict__.get("_probe_cache", _END)
        if cached is _END:
            cached = self._make_probe()
            self.__dict__["_probe_cache"] = cached
        return cached

    def _make_probe(self):
        return next(iter(self._iter()), None)


_END = object()


class OwnedIterator:
    """An iterator over a Dataset: ``next(it)``, ``it.get_next()``, ``it.element_spec``.

    Advancing it inside a ``chainrule.function`` makes that call run eagerly (a replay
    could not advance it), so each call sees the next element, as with tf.data.
    """

    def __init__(self, dataset: Dataset):
        self._dataset = dataset
        self._it = dataset._iter()
        self._position = 0  # elements produced: what a checkpoint of this iterator saves

    def __iter__(self):
        return self

    def __next__(self):
        note_side_effect("a dataset iterator advanced")
        element = next(self._it)
        self._position += 1
        return st.to_tensors(element)

    def _restore_position(self, position: int) -> None:
        """Continue after the first ``position`` elements (a restored checkpoint): the dataset is read again from
        its start and that many elements are skipped, so a pipeline that shuffles without a seed resumes in a
        different order."""
        self._it = self._dataset._iter()
        for _ in range(int(position)):
            next(self._it)
        self._position = int(position)

    def get_next(self):
        """The next element; ``OutOfRangeError`` at the end (``next()`` raises ``StopIteration``)."""
        try:
            return next(self)
        except StopIteration:
            raise OutOfRangeError("End of sequence") from None

    next = __next__

    @property
    def element_spec(self):
        return self._dataset.element_spec


def _count(value, what: str, method: str) -> int:
    """An integer argument of a Dataset method: a float (2.5, or 2.0) or a string is TensorFlow's TypeError."""
    return _integers.integer(value, what, f"Dataset.{method}", "int64")


def _step(module: str, name: str):
    """The step ``name`` of ``chainrule.data.<module>``. The steps subclass Dataset, so their modules import
    this one and cannot be imported at its top (an import cycle): each is loaded when first used."""
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)
