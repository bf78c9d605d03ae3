"""Who is who in a job: ``strategy.cluster_resolver.task_type`` / ``task_id``, as in ``tf.distribute``.

Every process of an ``mpiexec`` job is a ``'worker'``; the worker with ``task_id == 0`` (MPI
rank 0) is the chief, which writes checkpoints and logs.
"""
from __future__ import annotations


class ClusterSpec:
    """The jobs of a cluster: ``{'worker': ['host:rank', ...]}`` (``as_dict``, ``jobs``, ``num_tasks``)."""

    def __init__(self, cluster: dict):
        self._cluster = {job: list(tasks) for job, tasks in cluster.items()}

    def as_dict(self) -> dict:
        return {job: list(tasks) for job, tasks in self._cluster.items()}

    @property
    def jobs(self) -> list:
        return list(self._cluster)

    def num_tasks(self, job_name: str) -> int:
        return len(self._cluster.get(job_name, ()))

    def task_address(self, job_name: str, task_index: int) -> str:
        return self._cluster[job_name][task_index]

    def __repr__(self):
        return f"ClusterSpec({self._cluster})"


class MPIClusterResolver:
    """The cluster of an ``mpiexec`` job: one ``'worker'`` task per process, ``task_id`` = MPI rank.

    ``task_type``, ``task_id``, ``cluster_spec()``, ``num_accelerators()`` ({} : CPU only),
    ``master()`` and ``rpc_layer`` (``'mpi'``) follow ``tf.distribute.cluster_resolver``.
    """

    rpc_layer = "mpi"
    environment = ""

    def __init__(self, task_id: int, hosts: list):
        self.task_type = "worker"
        self.task_id = int(task_id)
        self._hosts = list(hosts)

    def cluster_spec(self) -> ClusterSpec:
        return ClusterSpec({"worker": [f"{host}:{rank}" for rank, host in enumerate(self._hosts)]})

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None) -> dict:
        return {}

    def master(self, task_type=None, task_id=None, rpc_layer=None) -> str:
        return ""

    def __repr__(self):
        return f"<MPIClusterResolver task_type='worker' task_id={self.task_id} of {len(self._hosts)}>"
