"""The strategies: ``MultiWorkerMirroredStrategy`` (one replica per MPI process), ``MirroredStrategy``
and the default strategy (one replica: this process), with ``tf.distribute``'s surface.

Data parallelism, as in TensorFlow's guides: every process holds the whole model; each step,
each replica computes the gradients of its share of the global batch, one all-reduce combines
them, and every replica applies the same update, so the replicas stay identical::

    strategy = chainrule.distribute.MultiWorkerMirroredStrategy()   # first thing in the script
    with strategy.scope():
        model = build_model()
        model.compile(...)
    model.fit(x, y, batch_size=64 * strategy.num_replicas_in_sync)   # the global batch

launched as ``mpiexec -n 2 python train.py`` (the same script runs unchanged as one process).
"""
from __future__ import annotations

import enum
import os
import socket
import warnings

import numpy as np

from .. import nest
from ..functions import reduce_sum
from ..ops.collective import AllGather, AllReduce
from ..tensor import Tensor, apply_op, as_tensor
from . import context as _context
from . import mpi as _mpi
from . import sync as _sync
from .cluster_resolver import MPIClusterResolver
from .input import DistributedDataset, InputContext, PerReplicaDataset


class ReduceOp(enum.Enum):
    """How ``strategy.reduce`` and ``ReplicaContext.all_reduce`` combine the replicas' values."""

    SUM = "SUM"
    MEAN = "MEAN"


def _reduce_op(reduce_op) -> ReduceOp:
    if isinstance(reduce_op, ReduceOp):
        return reduce_op
    if isinstance(reduce_op, str) and reduce_op.upper() in ("SUM", "MEAN"):
        return ReduceOp[reduce_op.upper()]
    raise ValueError(f"reduce_op must be chainrule.distribute.ReduceOp.SUM or ReduceOp.MEAN (or 'SUM'/'MEAN'), got "
                     f"{reduce_op!r}.")


class ReplicaContext:
    """The context of one replica's step: where ``strategy.run``'s function (and a ``fit`` step) runs.

    Attributes:
        strategy: the strategy the replica belongs to.
        replica_id_in_sync_group: this replica's index (the MPI rank; 0 is the chief).
        num_replicas_in_sync: how many replicas compute together.

    ``gradient_weight`` says how ``apply_gradients`` combines the replicas' gradients: None sums
    them (``strategy.run``: TensorFlow's contract for custom loops, whose loss is divided by the
    global batch size, e.g. with ``nn.compute_average_loss``); a number is this replica's weight
    in a weighted mean (``fit``: the number of samples in its share of the batch, so the result is
    the gradient of the whole global batch's mean loss).
    """

    def __init__(self, strategy, gradient_weight=None):
        self.strategy = strategy
        self.gradient_weight = gradient_weight
        self._previous = None

    @property
    def replica_id_in_sync_group(self) -> int:
        return self.strategy._replica_id

    @property
    def num_replicas_in_sync(self) -> int:
        return self.strategy.num_replicas_in_sync

    def all_reduce(self, reduce_op, value, options=None):
        """``value`` (a tensor or nested tensors) combined over the replicas: their SUM or MEAN."""
        return self.strategy._all_reduce(_reduce_op(reduce_op), value)

    def __enter__(self):
        self._previous = _context.replica_context()
        _context.set_replica_context(self)
        return self

    def __exit__(self, *exc):
        _context.set_replica_context(self._previous)
        self._previous = None


class _Scope:
    def __init__(self, strategy):
        self.strategy = strategy

    def __enter__(self):
        stack = _context.scopes()
        if any(s is not self.strategy for s in stack):
            raise ValueError(f"Mixing different chainrule.distribute strategies: {self.strategy!r} cannot be entered "
                             f"inside the scope of {stack[-1]!r}. Use one strategy for the whole program.")
        stack.append(self.strategy)
        return self.strategy

    def __exit__(self, *exc):
        _context.scopes().pop()


class StrategyExtended:
    """``strategy.extended``: what the chief does (``should_checkpoint``, ``should_save_summary``)."""

    def __init__(self, strategy):
        self._strategy = strategy

    @property
    def should_checkpoint(self) -> bool:
        return self._strategy._replica_id == 0

    should_save_summary = should_checkpoint

    @property
    def worker_devices(self) -> tuple:
        return ("/job:localhost/replica:0/task:0/device:CPU:0",)


class Strategy:
    """Base of the strategies, and the default strategy: one replica, in this process.

    ``scope()``, ``run``, ``reduce``, ``gather``, ``experimental_distribute_dataset``,
    ``distribute_datasets_from_function``, ``num_replicas_in_sync`` and ``cluster_resolver``
    behave as ``tf.distribute.Strategy``'s. Code that calls them runs unchanged with one replica.
    """

    def __init__(self):
        self._comm = None  # the communicator of the replicas; None: this process alone
        self._replica_id = 0
        self._num_replicas = 1
        self._cluster_resolver = None
        self.extended = StrategyExtended(self)

    @property
    def num_replicas_in_sync(self) -> int:
        """How many replicas compute each step together (1 here; the MPI processes for MultiWorkerMirroredStrategy)."""
        return self._num_replicas

    @property
    def cluster_resolver(self):
        """``task_type``/``task_id`` of this process in its job (None for a one-process strategy)."""
        return self._cluster_resolver

    def scope(self):
        """``with strategy.scope():`` build and compile the model (and create optimizers and metrics) in it."""
        return _Scope(self)

    def run(self, fn, args=(), kwargs=None, options=None):
        """Run ``fn(*args, **kwargs)`` as this process's replica and return its result.

        Inside, ``apply_gradients`` sums the gradients of every replica (one all-reduce), so the
        loss must be divided by the global batch size (``nn.compute_average_loss``), as in
        TensorFlow's custom-training-loop guide.
        """
        with self.scope(), ReplicaContext(self, gradient_weight=None):
            return fn(*args, **(kwargs or {}))

    def reduce(self, reduce_op, value, axis=None):
        """Combine a per-replica ``value`` (a tensor, or nested tensors) over the replicas.

        ``axis=None``: element-wise SUM or MEAN of the replicas' values. ``axis=k``: also reduced
        along that axis, MEAN then being the mean over every element of that axis on every
        replica (``reduce(MEAN, per_example_losses, axis=0)`` is the global batch's mean).
        Returns Tensors (recorded as ops, so a compiled function repeats the all-reduce).
        """
        op = _reduce_op(reduce_op)
        if axis is None:
            return self._all_reduce(op, value)
        leaves = [as_tensor(v) for v in nest.flatten(value)]
        sums = [reduce_sum(t, axis=axis) for t in leaves]
        if op is ReduceOp.SUM:
            return nest.pack_sequence_as(value, self._combine(sums, weight=None))
        counts = [Tensor(np.asarray(t.shape[axis], dtype=s._value.dtype if s._value.dtype.kind == "f" else "float64"))
                  for t, s in zip(leaves, sums)]
        totals = self._combine(sums + counts, weight=None)
        n = len(sums)
        means = [total / count for total, count in zip(totals[:n], totals[n:])]
        return nest.pack_sequence_as(value, means)

    def gather(self, value, axis):
        """Every replica's ``value`` joined along ``axis`` (their sizes along it may differ), in replica order."""
        def one(v):
            t = as_tensor(v)
            return t if self._comm is None or self._num_replicas == 1 else apply_op(AllGather(self._comm, axis), t)
        return nest.map_structure(one, value)

    def experimental_local_results(self, value) -> tuple:
        """The values of this process's replicas: ``(value,)`` (one replica per process)."""
        return (value,)

    def experimental_distribute_dataset(self, dataset, options=None):
        """A dataset of global batches, iterated as this replica's share of each (see :class:`DistributedDataset`)."""
        return DistributedDataset(dataset, self._replica_id, self._num_replicas)

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        """``dataset_fn(InputContext)`` builds this replica's dataset (sharded and batched per replica by itself)."""
        context = InputContext(num_input_pipelines=self._num_replicas, input_pipeline_id=self._replica_id,
                               num_replicas_in_sync=self._num_replicas)
        return PerReplicaDataset(dataset_fn(context))

    # ---------------------------------------------------------------- for chainrule's own use
    def _all_reduce(self, op, value):
        leaves = [as_tensor(v) for v in nest.flatten(value)]
        out = self._combine(leaves, weight=None if op is ReduceOp.SUM else 1.0)
        return nest.pack_sequence_as(value, out)

    def _combine(self, tensors, weight):
        """One AllReduce op over every tensor (the tensors themselves with one replica)."""
        if self._comm is None or self._num_replicas == 1 or not tensors:
            return list(tensors)
        return list(apply_op(AllReduce(self._comm, weight), *tensors))

    def __repr__(self):
        return f"<chainrule.distribute.{type(self).__name__} num_replicas_in_sync={self._num_replicas}>"


class _DefaultStrategy(Strategy):
    """What ``get_strategy()`` returns outside any scope: one replica, nothing distributed."""


class MirroredStrategy(Strategy):
    """Synchronous training on the devices of one machine: here one replica on the CPU.

    TensorFlow mirrors a model over a machine's GPUs; chainrule computes on the CPU with one
    replica per process. For several replicas, launch several processes with ``mpiexec`` and use
    :class:`MultiWorkerMirroredStrategy` (the script stays the same).

    Raises:
        ValueError: ``devices`` names more than one device.
    """

    def __init__(self, devices=None, cross_device_ops=None):
        super().__init__()
        devices = list(devices or [])
        if len(devices) > 1:
            raise ValueError(f"MirroredStrategy: chainrule runs one replica per process, on the CPU; got devices="
                             f"{devices}. For several replicas, launch several processes (mpiexec -n "
                             f"{len(devices)} python train.py) and use MultiWorkerMirroredStrategy.")


class MultiWorkerMirroredStrategy(Strategy):
    """Synchronous data-parallel training over the processes of an MPI job: one replica per process.

    Launch the script with ``mpiexec -n N python train.py`` (``mpiexec`` comes with the
    ``chainrule[distributed]`` extra); run as plain ``python train.py`` it is one replica. Create
    the strategy first thing in the script, on every process. What it does:

    * ``num_replicas_in_sync`` is N; ``cluster_resolver.task_id`` is the MPI rank (0: the chief).
    * Every process starts from the chief's random state, so models built after the strategy
      start identical; ``fit`` also broadcasts the chief's weights before its first step.
    * In ``fit`` under ``strategy.scope()``, each replica takes its share of every global batch,
      the gradients are averaged with one all-reduce per step over one contiguous buffer, the
      logs are those of the global batch, and only the chief prints and writes files.
    * An uncaught exception in any process aborts the whole job instead of leaving the others
      waiting in an all-reduce.

    Args:
        cluster_resolver: None (the job is ``mpiexec``'s), or an ``MPIClusterResolver``.
        communication_options: accepted for compatibility; MPI chooses the all-reduce algorithm.

    Raises:
        ImportError: mpi4py (or its MPI library) is not installed; the message says what to install.
    """

    def __init__(self, cluster_resolver=None, communication_options=None):
        super().__init__()
        if cluster_resolver is not None and not isinstance(cluster_resolver, MPIClusterResolver):
            raise ValueError(f"MultiWorkerMirroredStrategy: the workers are the processes of the mpiexec job, so "
                             f"cluster_resolver must be None; got {cluster_resolver!r}.")
        comm = _mpi.world("MultiWorkerMirroredStrategy")
        self._comm = comm
        self._replica_id = comm.Get_rank()
        self._num_replicas = comm.Get_size()
        hosts = comm.allgather(socket.gethostname()) if self._num_replicas > 1 else [socket.gethostname()]
        self._cluster_resolver = cluster_resolver or MPIClusterResolver(self._replica_id, hosts)
        if self._num_replicas > 1:
            _sync.share_random_state(comm)  # models built next start identical
        elif os.environ.get("TF_CONFIG"):
            warnings.warn("MultiWorkerMirroredStrategy: TF_CONFIG is set, but chainrule's workers are the processes "
                          "of an mpiexec job, and this process runs alone (1 replica). Launch the script with "
                          "`mpiexec -n N python train.py`.", stacklevel=2)


_DEFAULT = _DefaultStrategy()
_DEFAULT_REPLICA = ReplicaContext(_DEFAULT)


def get_strategy() -> Strategy:
    """The strategy in effect: that of the replica step or entered scope, else the default strategy."""
    context = _context.replica_context()
    if context is not None:
        return context.strategy
    stack = _context.scopes()
    return stack[-1] if stack else _DEFAULT


def has_strategy() -> bool:
    """True inside the scope (or a replica step) of a strategy other than the default one."""
    return get_strategy() is not _DEFAULT


def in_cross_replica_context() -> bool:
    """True inside a (non-default) strategy's scope but outside a replica step (``strategy.run``, a ``fit`` step)."""
    return _context.replica_context() is None and has_strategy()


def get_replica_context():
    """The replica step's context; None in the cross-replica context; the default one elsewhere."""
    context = _context.replica_context()
    if context is not None:
        return context
    return None if has_strategy() else _DEFAULT_REPLICA
