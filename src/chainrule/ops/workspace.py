"""Reusable large buffers, so an op that needs tens of MB per call does not pay page faults every call.

A fresh multi-MB numpy array is mapped by the kernel page by page on first
touch (glibc serves large requests with ``mmap`` and unmaps them on free); for
an LSTM over 200 steps that is ~50 MB and ~10 ms per training step. ``empty``
hands out an uninitialised array like ``np.empty``, taken when possible from a
per-thread pool of byte buffers that nothing else refers to any more.

"Nothing refers to it" is read from CPython's reference count: every array
handed out (and every view of it) keeps its pool buffer alive through
``.base``, so a buffer is reused only after all of them are gone. Arrays under
``MIN_BYTES`` come from ``np.empty`` (malloc's heap already recycles those).

``matmul`` and ``multiply`` are ``a @ b`` and ``a * b`` with a large result in a pooled buffer (Affine's
output and input gradient, Dropout's output and gradient: 2 MB each per step at batch 4,096, where
fresh arrays cost W7 ~250 page faults per step).
"""
from __future__ import annotations

import math
from typing import Any

import sys
import threading

import numpy as np

#: Requests smaller than this go straight to ``np.empty``.
MIN_BYTES = 1 << 20
#: Free buffers beyond this many bytes per thread are released.
MAX_POOL_BYTES = 512 << 20

_local = threading.local()


def _pool() -> list:
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = []
    return pool


def _references(pool: list, i: int) -> int:
    return sys.getrefcount(pool[i])


# What _references reports for a buffer only the pool holds (measured, not assumed).
_ONLY_THE_POOL = _references([np.empty(1, dtype=np.uint8)], 0)


def _is_free(pool: list, i: int) -> bool:
    return _references(pool, i) <= _ONLY_THE_POOL


def empty(shape: Any, dtype: Any) -> np.ndarray:
    """An uninitialised array of ``shape`` and ``dtype``: a free pooled buffer if one fits, else a new one."""
    dtype = np.dtype(dtype)
    if type(shape) is not tuple:
        shape = tuple(int(n) for n in shape) if np.ndim(shape) else (int(shape),)
    # math.prod on the Python ints of a shape: small requests (most of them) cost next to nothing here.
    nbytes = int(math.prod(shape)) * dtype.itemsize
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype=dtype)
    pool = _pool()
    best = None
    for i in range(len(pool)):
        size = pool[i].nbytes
        # A buffer at most twice the request, so a small array never pins a huge one.
        if nbytes <= size <= 2 * nbytes and (best is None or size < pool[best].nbytes) and _is_free(pool, i):
            best = i
    if best is None:
        _trim(pool, nbytes)
        buf = np.empty(nbytes, dtype=np.uint8)
        pool.append(buf)
    else:
        buf = pool.pop(best)
        pool.append(buf)  # most recently used last; trimming frees from the front
    return buf[:nbytes].view(dtype).reshape(shape)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``; a 2-D product of one dtype that takes ``MIN_BYTES`` or more goes into a pooled buffer.

    (Smaller products, and anything else, are plain ``a @ b``: their allocation is cheap, and the
    checks here cost less than half a microsecond.)
    """
    if a.ndim == 2 and b.ndim == 2 and a.dtype == b.dtype and a.shape[0] * b.shape[1] * a.itemsize >= MIN_BYTES:
        return np.matmul(a, b, out=empty((a.shape[0], b.shape[1]), a.dtype))
    return a @ b


def multiply(a: np.ndarray, b: Any) -> np.ndarray:
    """``a * b`` (numpy's result type) for an array ``a`` and a numpy array of its shape or a numpy scalar ``b``;
    a result of ``MIN_BYTES`` or more goes into a pooled buffer. Broadcasting, and smaller results, are plain
    ``a * b`` (the size is checked first: it is all a small call pays here)."""
    if a.size * max(a.itemsize, b.itemsize) >= MIN_BYTES and (b.shape == a.shape or not b.shape):
        return np.multiply(a, b, out=empty(a.shape, np.result_type(a, b)))
    return a * b


def _trim(pool: list, incoming: int) -> None:
    """Release free buffers, oldest first, until the pool plus ``incoming`` fits ``MAX_POOL_BYTES``."""
    total = sum(b.nbytes for b in pool) + incoming
    i = 0
    while total > MAX_POOL_BYTES and i < len(pool):
        if _is_free(pool, i):
            total -= pool[i].nbytes
            del pool[i]
        else:
            i += 1


def pooled_bytes() -> int:
    """Bytes held by this thread's pool (in use or free)."""
    return sum(b.nbytes for b in _pool())
