"""Sparse rows: a Tensor holding a scipy CSR matrix, and the rule for when data is worth storing so.

Only ``Dense`` consumes a :class:`SparseTensor` (through the ``SparseAffine``
op); ``fit``/``evaluate``/``predict`` convert a large, mostly-zero input to one
automatically when every layer it feeds is a ``Dense`` (the IMDB multi-hot
models of the seeds), and keep the dense path otherwise. scipy is optional:
without it everything stays dense.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor

#: Inputs smaller than this (in elements) or denser than this fraction stay dense.
MIN_ELEMENTS = 1_000_000
MAX_DENSITY = 0.1


def _scipy_sparse():
    try:
        import scipy.sparse as sp
    except ImportError:
        return None
    return sp


class SparseTensor(Tensor):
    """A 2-D tensor stored as a scipy CSR matrix ``(N, features)``; ``numpy()`` gives the dense array."""

    __slots__ = ()

    def __init__(self, csr):
        self._value = csr

    @property
    def ndim(self) -> int:
        return 2

    def numpy(self):
        return self._value.toarray()

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._value.toarray(), dtype=dtype)

    def __repr__(self) -> str:
        return f"<chainrule.SparseTensor: shape={self.shape}, dtype={self.dtype.name}, nnz={self._value.nnz}>"

    __str__ = __repr__


def is_sparse(x) -> bool:
    """Whether ``x`` is a SparseTensor or a scipy sparse matrix."""
    if isinstance(x, SparseTensor):
        return True
    if not type(x).__module__.startswith("scipy.sparse"):
        return False  # decided without importing scipy (which costs ~0.4 s)
    sp = _scipy_sparse()
    return sp is not None and sp.issparse(x)


def worth_sparse(x) -> bool:
    """True for a large 2-D float array whose sampled density is below ``MAX_DENSITY``."""
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.size < MIN_ELEMENTS or x.dtype.kind != "f":
        return False
    if _scipy_sparse() is None:
        return False
    rows = x[:: max(1, len(x) // 256)]  # a cheap estimate from ~256 rows
    return np.count_nonzero(rows) < MAX_DENSITY * rows.size


def to_csr(x, rows_per_chunk=4096):
    """``x`` (a dense 2-D array) as a CSR matrix of the same dtype.

    Built by hand from a boolean mask (a vectorized compare, then one pass to find
    the nonzeros): about 2.5x faster than ``scipy.sparse.csr_matrix(x)``, which
    matters because the conversion scans every element once per ``fit``.
    """
    sp = _scipy_sparse()
    n, m = x.shape
    values, columns, counts = [], [], []
    for start in range(0, n, rows_per_chunk):
        chunk = x[start:start + rows_per_chunk]
        mask = chunk != 0
        counts.append(np.count_nonzero(mask, axis=1))
        columns.append((np.flatnonzero(mask) % m).astype(np.int32))
        values.append(chunk[mask])
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.concatenate(counts), out=indptr[1:])
    return sp.csr_matrix((np.concatenate(values), np.concatenate(columns), indptr), shape=(n, m))
