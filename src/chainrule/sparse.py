"""``chainrule.sparse``: TensorFlow's ``tf.sparse`` (SparseTensor and its functions), and sparse rows for ``Dense``.

A :class:`SparseTensor` is TensorFlow's (``indices``, ``values``, ``dense_shape``);
the functions below (``to_dense``, ``from_dense``, ``sparse_dense_matmul`` ...) take it.

Among layers only ``Dense`` consumes a :class:`SparseTensor` (through the ``SparseAffine``
op); ``fit``/``evaluate``/``predict`` convert a large, mostly-zero input to one
automatically when every layer it feeds is a ``Dense`` (the IMDB multi-hot
models of the seeds), and keep the dense path otherwise. scipy is optional:
without it everything stays dense.
"""
from __future__ import annotations

from ._missing import missing_attribute as _missing_attribute
import numpy as np

from . import dtypes
from .errors import InvalidArgumentError
from .functions import matmul
from .functions import reduce_sum as _dense_reduce_sum
from .tensor import Tensor, TensorShape, to_array

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
    """A sparse tensor: ``SparseTensor(indices, values, dense_shape)`` as TensorFlow's, or a scipy CSR matrix.

    ``indices`` ``[nnz, rank]`` (int64) are the coordinates of the ``values`` ``[nnz]``
    in a tensor of ``dense_shape``; every other entry is 0. ``to_dense``,
    ``from_dense``, ``sparse_dense_matmul``, ``reorder``, ``reduce_sum``, ``add`` and
    ``transpose`` in this module work on it. A 2-D one is also stored as a scipy
    CSR matrix (when scipy is installed), which is what ``Dense`` multiplies when it
    is fed sparse rows; ``SparseTensor(csr)`` wraps such a matrix directly.
    Arithmetic operators are not defined: convert with ``to_dense`` first.
    """

    __slots__ = ("_indices", "_values", "_dense_shape")
    _is_chainrule_composite = True  # a structure leaf that is not one array (Dataset elements, is_tensor)

    def __init__(self, indices, values=None, dense_shape=None):
        if values is None and dense_shape is None and hasattr(indices, "tocoo"):  # a scipy sparse matrix
            self._value = indices
            self._indices = self._values = self._dense_shape = None
            return
        if values is None or dense_shape is None:
            raise TypeError("SparseTensor: give indices, values and dense_shape (or one scipy sparse matrix).")
        idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices, dtype=np.int64)
        vals = values._value if isinstance(values, Tensor) else to_array(values)
        shape = np.asarray(dense_shape._value if isinstance(dense_shape, Tensor) else dense_shape, dtype=np.int64)
        if idx.ndim != 2 or vals.ndim != 1 or shape.ndim != 1 or idx.shape[0] != vals.shape[0] or \
                idx.shape[1] != shape.shape[0]:
            raise ValueError(f"SparseTensor: indices must be [nnz, rank], values [nnz] and dense_shape [rank]; got "
                             f"shapes {idx.shape}, {vals.shape} and {shape.shape}.")
        self._indices, self._values, self._dense_shape = idx, vals, shape
        self._value = None
        if shape.size == 2 and vals.dtype.kind in "biuf":
            sp = _scipy_sparse()
            if sp is not None:
                self._value = sp.csr_matrix((vals, (idx[:, 0], idx[:, 1])), shape=tuple(int(d) for d in shape))

    def _coo(self):
        if self._indices is None:  # from a CSR matrix
            coo = self._value.tocoo()
            order = np.lexsort((coo.col, coo.row))
            self._indices = np.stack([coo.row[order], coo.col[order]], axis=1).astype(np.int64)
            self._values = np.asarray(coo.data[order])
            self._dense_shape = np.asarray(coo.shape, dtype=np.int64)
        return self._indices, self._values, self._dense_shape

    @property
    def indices(self) -> Tensor:
        """The coordinates of the stored values, ``[nnz, rank]`` int64."""
        return Tensor(self._coo()[0])

    @property
    def values(self) -> Tensor:
        """The stored values, ``[nnz]``."""
        return Tensor(self._coo()[1])

    @property
    def dense_shape(self) -> Tensor:
        """The shape of the dense tensor, int64."""
        return Tensor(self._coo()[2])

    @property
    def shape(self):
        """The dense shape as a TensorShape."""
        if self._dense_shape is None:  # a CSR matrix (the Dense fast path reads this per batch: no conversion)
            return TensorShape(tuple(int(d) for d in self._value.shape))
        return TensorShape([int(d) for d in self._dense_shape])

    @property
    def dtype(self):
        """The values' dtype."""
        return dtypes.as_dtype(self._value.dtype if self._values is None else self._values.dtype)

    @property
    def ndim(self) -> int:
        """The rank of the dense tensor."""
        return 2 if self._dense_shape is None else int(self._dense_shape.size)

    def numpy(self):
        """The dense array."""
        idx, vals, shape = self._coo()
        out = np.zeros(tuple(int(d) for d in shape), dtype=object if vals.dtype.kind in "SO" else vals.dtype)
        if len(vals):
            out[tuple(idx.T)] = vals
        return out

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.numpy(), dtype=dtype)

    def get_shape(self):
        """``shape``."""
        return self.shape

    def _no_arithmetic(self, *args):
        raise TypeError("SparseTensor has no arithmetic operators in chainrule: use chainrule.sparse.to_dense(st) "
                        "(or sparse_dense_matmul for products).")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _no_arithmetic
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __neg__ = _no_arithmetic
    __getitem__ = _no_arithmetic

    def __repr__(self) -> str:
        idx, vals, shape = self._coo()
        return (f"SparseTensor(indices={Tensor(idx)!s}, values={Tensor(vals)!s}, "
                f"dense_shape={Tensor(shape)!s})")

    __str__ = __repr__


class SparseTensorSpec:
    """The type of a SparseTensor: ``SparseTensorSpec(shape, dtype)`` (an element of ``Dataset.element_spec``)."""

    value_type = SparseTensor

    def __init__(self, shape=None, dtype="float32"):
        self.shape = TensorShape(shape)
        self.dtype = dtypes.as_dtype(dtype)

    @classmethod
    def from_value(cls, value: SparseTensor) -> "SparseTensorSpec":
        return cls(value.shape, value.dtype)

    def __eq__(self, other):
        return isinstance(other, SparseTensorSpec) and other.shape == self.shape and other.dtype == self.dtype

    def __hash__(self):
        return hash((tuple(self.shape) if self.shape.rank is not None else None, self.dtype.name))

    def __repr__(self) -> str:
        return f"SparseTensorSpec({self.shape!r}, chainrule.{self.dtype.name})"


# ----------------------------------------------------------------------------- tf.sparse's functions

def _check_sparse(sp_input, what="sp_input") -> SparseTensor:
    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"{what} must be a SparseTensor, got {type(sp_input).__name__}.")
    return sp_input


def to_dense(sp_input, default_value=None, validate_indices=True, name=None) -> Tensor:
    """The dense tensor (``default_value``, 0 by default, where nothing is stored).

    With ``validate_indices`` the indices must be in row-major order and in range
    (``InvalidArgumentError`` otherwise, naming ``reorder``), as TensorFlow.
    """
    idx, vals, shape = _check_sparse(sp_input)._coo()
    if validate_indices and len(idx):
        if np.any((idx < 0) | (idx >= shape)):
            bad = int(np.flatnonzero(np.any((idx < 0) | (idx >= shape), axis=1))[0])
            raise InvalidArgumentError(f"indices[{bad}] = {idx[bad].tolist()} is out of bounds: need 0 <= index < "
                                       f"{shape.tolist()} [Op:SparseToDense]")
        flat = np.ravel_multi_index(tuple(idx.T), tuple(int(d) for d in shape))
        if np.any(np.diff(flat) <= 0):
            bad = int(np.flatnonzero(np.diff(flat) <= 0)[0]) + 1
            raise InvalidArgumentError(f"indices[{bad}] = [{','.join(str(i) for i in idx[bad])}] is out of order. "
                                       "Many sparse ops require sorted indices.\n    Use `tf.sparse.reorder` to "
                                       "create a correctly ordered copy. [Op:SparseToDense]")
    out = np.zeros(tuple(int(d) for d in shape), dtype=vals.dtype)
    if default_value is not None:
        out[...] = default_value
    if len(vals):
        out[tuple(idx.T)] = vals
    return Tensor(out)


def from_dense(tensor, name=None) -> SparseTensor:
    """The non-zero entries of a dense tensor as a SparseTensor (indices in row-major order)."""
    arr = tensor._value if isinstance(tensor, Tensor) else to_array(tensor)
    nonzero = arr != (b"" if arr.dtype.kind in "SO" else 0)
    idx = np.argwhere(nonzero).astype(np.int64)
    return SparseTensor(idx.reshape(-1, arr.ndim), arr[nonzero], np.asarray(arr.shape, dtype=np.int64))


def reorder(sp_input, name=None) -> SparseTensor:
    """The same SparseTensor with its indices in row-major (C) order."""
    idx, vals, shape = _check_sparse(sp_input)._coo()
    order = np.lexsort(tuple(idx[:, k] for k in reversed(range(idx.shape[1])))) if len(idx) else np.arange(0)
    return SparseTensor(idx[order], vals[order], shape)


def transpose(sp_input, perm=None, name=None) -> SparseTensor:
    """Permute the axes (reverse them by default); the result is reordered."""
    idx, vals, shape = _check_sparse(sp_input)._coo()
    perm = list(reversed(range(len(shape)))) if perm is None else [int(p) for p in perm]
    return reorder(SparseTensor(idx[:, perm], vals, shape[perm]))


def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None) -> Tensor:
    """The sum of the stored values over ``axis`` (all axes when None), as a dense tensor."""
    return _reduce_dense(to_dense(_check_sparse(sp_input), validate_indices=False), axis, keepdims)


def _reduce_dense(dense, axis, keepdims):
    return _dense_reduce_sum(dense, axis=axis, keepdims=bool(keepdims))


def add(a, b, threshold=0, name=None):
    """``a + b`` for two SparseTensors (a SparseTensor) or a SparseTensor and a dense tensor (a dense tensor)."""
    if isinstance(a, SparseTensor) and isinstance(b, SparseTensor):
        return from_dense(to_dense(a, validate_indices=False) + to_dense(b, validate_indices=False))
    sparse, dense = (a, b) if isinstance(a, SparseTensor) else (b, a)
    return to_dense(_check_sparse(sparse), validate_indices=False) + dense


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None) -> Tensor:
    """``sp_a @ b`` for a 2-D SparseTensor ``sp_a`` and a dense matrix ``b`` (differentiable in ``b``).

    ``adjoint_a``/``adjoint_b`` transpose the operand first. Either argument may be the sparse one.
    """
    if isinstance(b, SparseTensor) and not isinstance(sp_a, SparseTensor):
        return matmul(sp_a, to_dense(b, validate_indices=False), transpose_a=adjoint_a, transpose_b=adjoint_b)
    dense_a = to_dense(_check_sparse(sp_a, "sp_a"), validate_indices=False)
    if dense_a.ndim != 2:
        raise ValueError(f"sparse_dense_matmul: sp_a must be 2-D, got dense_shape {dense_a.shape}.")
    return matmul(dense_a, b, transpose_a=adjoint_a, transpose_b=adjoint_b)


def eye(num_rows, num_columns=None, dtype="float32", name=None) -> SparseTensor:
    """A sparse identity matrix."""
    n = int(num_rows)
    m = n if num_columns is None else int(num_columns)
    k = min(n, m)
    idx = np.stack([np.arange(k), np.arange(k)], axis=1).astype(np.int64)
    return SparseTensor(idx, np.ones(k, dtype=dtypes.as_dtype(dtype).dtype), [n, m])


def is_sparse(x) -> bool:
    """Whether ``x`` is a SparseTensor or a scipy sparse matrix."""
    if isinstance(x, SparseTensor):
        return True
    if not type(x).__module__.startswith("scipy.sparse"):
        return False  # decided without importing scipy (which costs ~0.4 s)
    sp = _scipy_sparse()
    return sp is not None and sp.issparse(x)


def worth_sparse(x) -> bool:
    """True for a large 2-D float array whose sampled density is below ``MAX_DENSITY`` (and scipy installed).

    The density is sampled before scipy is imported (the import costs ~0.5 s), so dense data never pays it.
    """
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.size < MIN_ELEMENTS or x.dtype.kind != "f":
        return False
    rows = x[:: max(1, len(x) // 256)]  # a cheap estimate from ~256 rows
    return bool(np.count_nonzero(rows) < MAX_DENSITY * rows.size) and _scipy_sparse() is not None


def to_csr(x, rows_per_chunk=1024):
    """``x`` (a dense 2-D array) as a CSR matrix of the same dtype.

    Built by hand, one chunk of rows at a time with a reused boolean mask (``np.not_equal(out=)``,
    then ``flatnonzero``): about 4x faster than ``scipy.sparse.csr_matrix(x)``, which matters
    because the conversion scans every element once per ``fit``.
    """
    sp = _scipy_sparse()
    n, m = x.shape
    mask = np.empty((min(rows_per_chunk, n), m), dtype=bool)
    values, columns, counts = [], [], []
    for start in range(0, n, rows_per_chunk):
        chunk = x[start:start + rows_per_chunk]
        chunk_mask = mask[:len(chunk)]
        np.not_equal(chunk, 0, out=chunk_mask)
        flat = np.flatnonzero(chunk_mask)
        counts.append(np.bincount(flat // m, minlength=len(chunk)))
        columns.append((flat % m).astype(np.int32))
        values.append(chunk.reshape(-1)[flat])
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.concatenate(counts), out=indptr[1:])
    return sp.csr_matrix((np.concatenate(values), np.concatenate(columns), indptr), shape=(n, m))

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
