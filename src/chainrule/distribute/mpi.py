"""The MPI world of a data-parallel job, opened on first use.

mpi4py (with an MPI library: the ``mpich`` wheel brings one, and ``mpiexec``) is the optional
extra ``chainrule[distributed]``; nothing imports it until a ``MultiWorkerMirroredStrategy`` is
created. A job is launched as ``mpiexec -n N python train.py``: every process runs the same
script, and process ``rank`` is replica ``rank`` (rank 0 is the chief).
"""
from __future__ import annotations

import sys

INSTALL_HINT = ("Install it with `pip install 'chainrule[distributed]'` (mpi4py and the MPICH runtime, "
                "which brings `mpiexec`), then launch the script with `mpiexec -n 2 python train.py`")

_world = None


def load_mpi(what: str):
    """The ``mpi4py.MPI`` module; an ImportError naming ``what`` and the extra to install when it is missing."""
    try:
        from mpi4py import MPI
    except (ImportError, RuntimeError, OSError) as e:
        raise ImportError(f"{what} needs mpi4py and an MPI library, and they could not be loaded ({e}). "
                          f"{INSTALL_HINT}.") from None
    return MPI


def world(what: str = "MultiWorkerMirroredStrategy"):
    """chainrule's communicator over every process of the job: a duplicate of ``COMM_WORLD``, made once.

    A duplicate keeps chainrule's collectives apart from any MPI messages the user's own code sends.
    With more than one process, an uncaught exception in any of them aborts the whole job (see
    :func:`abort_job_on_uncaught_error`).
    """
    global _world
    if _world is None:
        mpi = load_mpi(what)
        comm = mpi.COMM_WORLD.Dup()
        if comm.Get_size() > 1:
            abort_job_on_uncaught_error(comm)
        _world = comm
    return _world


def opened_world_size() -> int:
    """The number of processes of the job if :func:`world` was opened in this process, else 1."""
    return _world.Get_size() if _world is not None else 1


def abort_job_on_uncaught_error(comm) -> None:
    """Make an uncaught exception print its traceback and then abort every process of the job.

    Without it, a replica that raises would exit while the others wait for it forever in the
    next all-reduce. (A replica that is killed is handled by ``mpiexec``, which ends the job.)
    """
    previous = sys.excepthook

    def abort(kind, value, traceback):
        previous(kind, value, traceback)
        sys.stdout.flush()
        sys.stderr.flush()
        comm.Abort(1)

    sys.excepthook = abort
