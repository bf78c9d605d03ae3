"""``chainrule.distribute``: data-parallel training over MPI, with ``tf.distribute``'s names.

``MultiWorkerMirroredStrategy`` makes every process of an ``mpiexec -n N`` job one replica:
``fit`` splits each global batch across them, averages the gradients with one all-reduce per
step and keeps the replicas identical; only the chief (rank 0) prints and writes files. A
custom loop uses ``strategy.run`` / ``strategy.reduce`` as in TensorFlow's guide.
``MirroredStrategy`` and the default strategy are the one-process case.

Modules: ``strategy`` (the strategies, ``get_strategy`` ...), ``context`` (the per-thread
scope and replica state), ``sync`` (all-reduce of gradients, broadcasts, metric sums),
``input`` (sharding a global batch, distributed datasets), ``mpi`` (opening the MPI world;
mpi4py is the optional ``chainrule[distributed]`` extra, imported only when a
MultiWorkerMirroredStrategy is created), ``cluster_resolver``.
"""
from . import cluster_resolver  # noqa: F401
from .input import InputContext  # noqa: F401
from .strategy import (MirroredStrategy, MultiWorkerMirroredStrategy, ReduceOp, ReplicaContext,  # noqa: F401
                       Strategy, StrategyExtended, get_replica_context, get_strategy, has_strategy,
                       in_cross_replica_context)

__all__ = ["MirroredStrategy", "MultiWorkerMirroredStrategy", "ReduceOp", "ReplicaContext", "Strategy",
           "StrategyExtended", "InputContext", "get_replica_context", "get_strategy", "has_strategy",
           "in_cross_replica_context", "cluster_resolver"]
