"""Collective ops: the replicas of a data-parallel job combine arrays over MPI (no gradient).

They are ops, not Python, so that a compiled step (``chainrule.function``, ``fit``'s
train step) records them and every replay repeats the communication. Each op holds a
communicator: an ``mpi4py`` ``Comm`` (``chainrule.distribute`` opens it), or any object with
its ``Allreduce(send, recv)``, ``allgather(obj)`` and ``Get_size()`` methods. This module
never imports mpi4py, so the ops floor works without the optional ``chainrule[distributed]``
extra.

One all-reduce per call, whatever the number of inputs: the inputs are copied into ONE
contiguous buffer, reduced with one ``Allreduce``, and returned as views of the result.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op


class AllReduce(Op):
    """The sum over the replicas of every input, in one ``Allreduce`` over one contiguous buffer.

    ``forward(*arrays)`` returns a tuple with one array per input, same shape and dtype:
    views of the one reduced buffer (the buffer has the inputs' common dtype).

    Args:
        comm: the communicator of the replicas (see the module doc).
        weight: None for the plain sum (``ReduceOp.SUM``). A number ``w`` for a weighted mean:
            this replica's inputs count ``w`` times (``fit`` passes its number of samples), the
            buffer carries ``w`` as one more element, and the sums are divided by the summed
            weights. Equal weights give the mean over the replicas; for equal shards with a
            power-of-two size ``(g0 * w + g1 * w) / (2 * w)`` is exactly ``(g0 + g1) / 2``.

    Every replica must call it with the same number of inputs, shapes and dtypes (a
    collective: a replica that does not call it makes the others wait).
    """

    differentiable = False

    def __init__(self, comm: Any, weight: Any = None) -> None:
        self.comm = comm
        self.weight = None if weight is None else float(weight)

    def forward(self, *inputs: np.ndarray) -> tuple[np.ndarray, ...]:
        arrays = [np.asarray(a) for a in inputs]
        dtype = np.result_type(*arrays)
        if self.weight is not None and dtype.kind not in "fc":
            dtype = np.dtype(np.float64)  # a weighted mean of integers is a fraction
        sizes = [a.size for a in arrays]
        n = sum(sizes)
        weighted = self.weight is not None
        send = np.empty(n + weighted, dtype=dtype)
        weight = dtype.type(self.weight if weighted else 0)
        offset = 0
        for a, size in zip(arrays, sizes):  # one pass: copied (and weighted) into the buffer
            part = send[offset:offset + size]
            if weighted:
                np.multiply(a.reshape(-1), weight, out=part, casting="unsafe")
            else:
                np.copyto(part, a.reshape(-1), casting="unsafe")
            offset += size
        if weighted:
            send[n] = weight
        recv = np.empty_like(send)
        self.comm.Allreduce(send, recv)
        if weighted:
            recv[:n] /= recv[n]
        out, offset = [], 0
        for a, size in zip(arrays, sizes):
            part = recv[offset:offset + size].reshape(a.shape)
            out.append(part if a.dtype == dtype else part.astype(a.dtype))
            offset += size
        return tuple(out)


class AllGather(Op):
    """Every replica's ``x`` joined along ``axis``, in replica order (sizes along ``axis`` may differ).

    The other axes must match on every replica. A collective, like :class:`AllReduce`.
    """

    differentiable = False

    def __init__(self, comm: Any, axis: int = 0) -> None:
        self.comm = comm
        self.axis = int(axis)

    def forward(self, x: np.ndarray) -> np.ndarray:
        parts = self.comm.allgather(np.asarray(x))
        return np.concatenate(parts, axis=self.axis)
