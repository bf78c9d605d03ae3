"""How a global batch is split across the replicas, and the distributed datasets of a custom loop.

The rule, for ``fit`` and for ``strategy.experimental_distribute_dataset`` alike: every batch
is a *global* batch; replica ``i`` of ``n`` takes the ``i``-th of ``n`` consecutive, equal row
ranges (:func:`shard_bounds`). The global batch size must be a multiple of ``n``; only the
last, partial batch may split unevenly (the first replicas take one row more).
"""
from __future__ import annotations

import numpy as np

from .. import nest
from ..tensor import Tensor


def shard_bounds(rows: int, index: int, count: int) -> tuple:
    """``(start, stop)`` of replica ``index``'s rows among ``rows`` split across ``count`` replicas."""
    base, extra = divmod(int(rows), int(count))
    start = index * base + min(index, extra)
    return start, start + base + (index < extra)


def check_global_batch_size(batch_size: int, replicas: int, what: str) -> None:
    """A ValueError naming both numbers unless ``batch_size`` is a multiple of ``replicas``."""
    if batch_size % replicas:
        suggestion = max(replicas, (batch_size + replicas // 2) // replicas * replicas)
        raise ValueError(f"{what}: the global batch size {batch_size} is not divisible by the {replicas} replicas "
                         f"in sync; every replica takes an equal share of each batch. Use a multiple of {replicas}, "
                         f"e.g. {suggestion} ({suggestion // replicas} per replica).")


def check_enough_samples(samples: int, replicas: int, what: str) -> None:
    """A ValueError when ``samples`` rows cannot give each of ``replicas`` replicas one row."""
    if samples < replicas:
        raise ValueError(f"{what}: the data set is too small to shard: {samples} sample(s) for {replicas} replicas; "
                         f"every replica needs at least one sample of each batch. Use at least {replicas} samples, "
                         f"or fewer processes (mpiexec -n {max(samples, 1)}).")


def rows_of(element) -> int | None:
    """The number of rows (first dimension) of a batch: that of its first array-like leaf."""
    for leaf in nest.flatten(element):
        shape = getattr(leaf, "shape", None)
        if shape is not None and len(shape):
            return int(shape[0])
    return None


def take_rows(element, start: int, stop: int):
    """Rows ``start:stop`` of every array (numpy or Tensor) in a nested batch; other leaves unchanged."""
    def take(leaf):
        if isinstance(leaf, Tensor):
            return Tensor(leaf._value[start:stop])
        if isinstance(leaf, np.ndarray) and leaf.ndim:
            return leaf[start:stop]
        return leaf
    return nest.map_structure(take, element)


class InputContext:
    """What ``dataset_fn(input_context)`` of ``distribute_datasets_from_function`` learns about its pipeline.

    ``num_input_pipelines`` (one per process), ``input_pipeline_id`` (this process's rank),
    ``num_replicas_in_sync``. The function shards and batches by itself, typically
    ``ds.shard(ctx.num_input_pipelines, ctx.input_pipeline_id).batch(ctx.get_per_replica_batch_size(64))``.
    """

    def __init__(self, num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=1):
        self.num_input_pipelines = int(num_input_pipelines)
        self.input_pipeline_id = int(input_pipeline_id)
        self.num_replicas_in_sync = int(num_replicas_in_sync)

    def get_per_replica_batch_size(self, global_batch_size: int) -> int:
        """``global_batch_size // num_replicas_in_sync``; a ValueError naming both when it does not divide."""
        check_global_batch_size(int(global_batch_size), self.num_replicas_in_sync, "get_per_replica_batch_size")
        return int(global_batch_size) // self.num_replicas_in_sync

    def __repr__(self):
        return (f"InputContext(num_input_pipelines={self.num_input_pipelines}, input_pipeline_id="
                f"{self.input_pipeline_id}, num_replicas_in_sync={self.num_replicas_in_sync})")


class DistributedDataset:
    """A dataset of global batches, seen by this replica as its share of each batch.

    Returned by ``strategy.experimental_distribute_dataset(dataset)``; iterate it (``for x, y in
    dist_dataset`` or ``iter``/``next``) and pass each element to ``strategy.run``. Iterating
    raises a ValueError naming both numbers when the first batch's size is not a multiple of
    the replicas, and when a batch has fewer rows than there are replicas.
    """

    _is_distributed_dataset = True  # fit takes it as it is: its batches are already this replica's

    def __init__(self, dataset, replica_id: int, num_replicas: int):
        self._dataset = dataset
        self._replica_id = int(replica_id)
        self._num_replicas = int(num_replicas)

    @property
    def element_spec(self):
        return getattr(self._dataset, "element_spec", None)

    def cardinality(self):
        """The number of batches (that of the global dataset)."""
        if hasattr(self._dataset, "cardinality"):
            return self._dataset.cardinality()
        return len(self._dataset)

    def __iter__(self):
        count = self._num_replicas
        for position, element in enumerate(self._dataset):
            if count == 1:
                yield element
                continue
            rows = rows_of(element)
            if rows is None:
                raise ValueError(f"experimental_distribute_dataset: element {position} has no batch dimension to "
                                 f"split across {count} replicas; batch the dataset first (dataset.batch(64)).")
            if position == 0:
                check_global_batch_size(rows, count, "experimental_distribute_dataset")
            check_enough_samples(rows, count, f"experimental_distribute_dataset: batch {position}")
            yield take_rows(element, *shard_bounds(rows, self._replica_id, count))


class PerReplicaDataset:
    """The dataset ``distribute_datasets_from_function`` built for this replica, iterated as it is."""

    _is_distributed_dataset = True

    def __init__(self, dataset):
        self._dataset = dataset

    @property
    def element_spec(self):
        return getattr(self._dataset, "element_spec", None)

    def cardinality(self):
        if hasattr(self._dataset, "cardinality"):
            return self._dataset.cardinality()
        return len(self._dataset)

    def __iter__(self):
        return iter(self._dataset)
