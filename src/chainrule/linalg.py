"""``chainrule.linalg``: TensorFlow's ``tf.linalg`` namespace (and ``tf.einsum``, ``tf.tensordot``, ``tf.norm``).

Matrices are the last two axes of a tensor; the leading axes are a batch, as in
TensorFlow. ``inv``, ``det``, ``slogdet``, ``solve``, ``cholesky`` and ``einsum``
are ops with their own backward (:mod:`chainrule.ops.linalg`); ``tensordot``,
``norm``, ``trace``, ``matvec``, ``logdet``, ``triangular_solve`` ... are exact
compositions of ops, so they are differentiable too. ``qr``, ``svd`` and ``eigh``
have no gradient in chainrule. Singular or non-positive-definite inputs raise
``InvalidArgumentError`` as in TensorFlow.
"""
from __future__ import annotations

from typing import Any, cast

from ._missing import missing_attribute as _missing_attribute
import collections

import numpy as np

from . import _integers
from . import _dispatch
from . import ops as _ops
from .errors import InvalidArgumentError
from .functions import (_axis, _same_dtype, abs, expand_dims, eye, log, matmul, maximum,  # noqa: F401
                        reduce_max, reduce_sum, sqrt, square, squeeze, stack, transpose)
from .math import l2_normalize  # noqa: F401
from .tensor import AxisLike, Tensor, TensorLike, apply_op, as_tensor

Qr = collections.namedtuple("Qr", ["q", "r"])
LogMatrixDeterminant = collections.namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])
Eigh = collections.namedtuple("Eigh", ["eigenvalues", "eigenvectors"])


def _float_matrix(x: Any, op_name: Any, min_rank: int = 2) -> Any:
    t = as_tensor(x)
    if t._value.dtype.kind not in "fc":
        raise InvalidArgumentError(f"{op_name}: expected a floating-point tensor, got {t.dtype.name} of shape "
                                   f"{t.shape}; cast it first, e.g. chainrule.cast(x, chainrule.float32).")
    if t.ndim < min_rank:
        raise InvalidArgumentError(f"{op_name}: input must have rank >= {min_rank}, got shape {t.shape} "
                                   f"[Op:{op_name}]")
    return t


# ----------------------------------------------------------------------------- products

def matvec(a: TensorLike, b: TensorLike, transpose_a: bool = False, adjoint_a: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, name: str | None = None) -> Tensor:
    """``a @ b`` for matrices ``a`` ``[..., M, N]`` and vectors ``b`` ``[..., N]``: result ``[..., M]``."""
    b = as_tensor(b)
    product = matmul(a, apply_op(_ops.Reshape(tuple(b.shape) + (1,)), b),
                     transpose_a=bool(transpose_a or adjoint_a))
    return squeeze(product, axis=-1)


def matrix_transpose(a: TensorLike, name: str = "matrix_transpose", conjugate: bool = False) -> Tensor:
    """Swap the last two axes: ``[..., M, N] -> [..., N, M]``; raises ``ValueError`` below rank 2."""
    t = as_tensor(a)
    if t.ndim < 2:
        raise ValueError(f"matrix_transpose: the argument must have rank >= 2, got shape {t.shape}.")
    perm = list(range(t.ndim - 2)) + [t.ndim - 1, t.ndim - 2]
    return transpose(t, perm)


def adjoint(matrix: TensorLike, name: str | None = None) -> Tensor:
    """The conjugate transpose of the last two axes (the transpose for real tensors)."""
    return matrix_transpose(matrix, conjugate=True)


def einsum(equation: Any, *inputs: TensorLike, **kwargs: Any) -> Tensor:
    """Einstein summation, as ``numpy.einsum``: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``.

    Supports ``...`` broadcast axes, implicit outputs (``'ij,jk'``), traces and diagonals
    (``'ii'``, ``'ii->i'``). All inputs must share one dtype. Differentiable in every input.
    Raises ``InvalidArgumentError`` (a ``ValueError``) when a subscript's rank or a label's size does
    not fit the inputs' shapes, as TensorFlow, and ``ValueError`` for a malformed equation.
    """
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    tensors = _same_dtype(inputs, "Einsum")
    try:
        return apply_op(_ops.Einsum(equation), *tensors)
    except ValueError as e:
        if isinstance(e, InvalidArgumentError) or str(e).startswith("einsum:"):
            raise
        raise ValueError(f"einsum: {e} (equation {equation!r}, shapes "
                         f"{[tuple(t.shape) for t in tensors]}).") from None


def tensordot(a: TensorLike, b: TensorLike, axes: Any, name: str | None = None) -> Tensor:
    """Sum the products of ``a`` and ``b`` over the given axes (``numpy.tensordot``).

    ``axes``: an int N (the last N axes of ``a`` with the first N of ``b``), or a pair
    ``[a_axes, b_axes]`` of equal-length lists (or ints). The result's axes are ``a``'s
    free axes then ``b``'s. Raises ``InvalidArgumentError`` when the contracted sizes differ.
    Differentiable (it is an einsum).
    """
    a, b = as_tensor(a), as_tensor(b)
    if isinstance(axes, Tensor):
        axes = axes._value.tolist()
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: axes = {n} must be between 0 and the ranks of a ({a.ndim}) and b "
                             f"({b.ndim}).")
        a_axes, b_axes = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        a_axes, b_axes = axes
        a_axes = [int(a_axes)] if isinstance(a_axes, (int, np.integer)) else list(a_axes)
        b_axes = [int(b_axes)] if isinstance(b_axes, (int, np.integer)) else list(b_axes)
        if len(a_axes) != len(b_axes):
            raise ValueError(f"tensordot: a_axes {a_axes} and b_axes {b_axes} must have the same length.")
    a_axes = [int(x) % a.ndim for x in a_axes]
    b_axes = [int(x) % b.ndim for x in b_axes]
    for i, j in zip(a_axes, b_axes):
        if a.shape[i] != b.shape[j]:
            raise InvalidArgumentError(f"tensordot: the contracted dimensions do not match: a.shape[{i}] = "
                                       f"{a.shape[i]} vs. b.shape[{j}] = {b.shape[j]} (shapes {a.shape} and "
                                       f"{b.shape}) [Op:TensorDot]")
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    a_sub = [next(letters) for _ in range(a.ndim)]
    b_sub = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(a_axes, b_axes):
        b_sub[j] = a_sub[i]
    out = [c for i, c in enumerate(a_sub) if i not in a_axes] + [c for j, c in enumerate(b_sub) if j not in b_axes]
    return einsum(f"{''.join(a_sub)},{''.join(b_sub)}->{''.join(out)}", a, b)


# ----------------------------------------------------------------------------- inverses and determinants

def inv(input: TensorLike, adjoint: bool = False, name: str | None = None) -> Tensor:  # noqa: A002
    """The inverse of each square matrix ``[..., M, M]``; ``InvalidArgumentError`` when one is singular."""
    t = _float_matrix(input, "MatrixInverse")
    out = apply_op(_ops.Inv(), t)
    return matrix_transpose(out) if adjoint else out


def det(input: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002
    """The determinant of each square matrix: ``[..., M, M] -> [...]``."""
    return apply_op(_ops.Det(), _float_matrix(input, "MatrixDeterminant"))


def slogdet(input: TensorLike, name: str | None = None) -> LogMatrixDeterminant:  # noqa: A002
    """``(sign, log_abs_determinant)`` of each square matrix, finite where ``det`` overflows."""
    return LogMatrixDeterminant(*apply_op(_ops.Slogdet(), _float_matrix(input, "LogMatrixDeterminant")))


def logdet(matrix: TensorLike, name: str | None = None) -> Tensor:
    """``log(det(matrix))`` for Hermitian positive-definite matrices: ``2 * sum(log(diag(cholesky(matrix))))``."""
    chol = cholesky(matrix)
    return 2.0 * reduce_sum(log(diag_part(chol)), axis=-1)


def solve(matrix: TensorLike, rhs: TensorLike, adjoint: bool = False, name: str | None = None) -> Tensor:
    """``x`` with ``matrix @ x = rhs`` (``matrix.T @ x = rhs`` when ``adjoint``).

    ``matrix`` ``[..., M, M]``, ``rhs`` ``[..., M, K]``. Raises ``InvalidArgumentError``
    for a singular matrix or mismatched rows.
    """
    return _solve(matrix, rhs, adjoint, "MatrixSolve")


def _check_systems(a: Any, b: Any, op_name: Any) -> None:
    """``InvalidArgumentError`` naming the op and both shapes when ``rhs`` does not fit ``matrix``: the rows
    must match and the batch (leading) axes broadcast (numpy's own error would not say which op)."""
    sa, sb = tuple(a._value.shape), tuple(b._value.shape)
    if len(sb) < 2 or sb[-2] != sa[-2]:
        raise InvalidArgumentError(f"Input matrix and right-hand side must have the same number of rows: "
                                   f"{list(sa)} vs. {list(sb)} [Op:{op_name}]")
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise InvalidArgumentError(f"In[0] and In[1] must have compatible batch dimensions: {list(sa)} vs. "
                                   f"{list(sb)} [Op:{op_name}]; the leading (batch) axes must be equal or 1.") from None


def _solve(matrix: Any, rhs: Any, adjoint: Any, op_name: Any) -> Any:
    a = _float_matrix(matrix, op_name)
    b = as_tensor(rhs)
    if b._value.dtype != a._value.dtype:
        raise InvalidArgumentError(f"{op_name}: matrix is {a.dtype.name} but rhs is {b.dtype.name}; cast one.")
    _check_systems(a, b, op_name)
    return apply_op(_ops.Solve(adjoint), a, b)


def triangular_solve(matrix: TensorLike, rhs: TensorLike, lower: bool = True, adjoint: bool = False,
                     name: str | None = None) -> Tensor:
    """``solve`` using only the lower (``lower=True``) or upper triangle of ``matrix``."""
    tri = band_part(matrix, -1, 0) if lower else band_part(matrix, 0, -1)
    return _solve(tri, rhs, adjoint, "MatrixTriangularSolve")


def cholesky(input: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002
    """The lower-triangular Cholesky factor ``l`` (``l @ l.T = input``) of symmetric positive-definite matrices.

    Only the lower triangle of ``input`` is read. Raises ``InvalidArgumentError`` when a matrix
    is not positive definite.
    """
    return apply_op(_ops.Cholesky(), _float_matrix(input, "Cholesky"))


def cholesky_solve(chol: Any, rhs: TensorLike, name: str | None = None) -> Tensor:
    """``x`` with ``(chol @ chol.T) @ x = rhs``, given the Cholesky factor ``chol``."""
    y = triangular_solve(chol, rhs, lower=True)
    return triangular_solve(chol, y, lower=True, adjoint=True)


def pinv(a: TensorLike, rcond: Any = None, validate_args: bool = False, name: str | None = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse (no gradient in chainrule)."""
    t = _float_matrix(a, "Pinv")
    cutoff = 10 * max(t.shape[-2:]) * np.finfo(t._value.dtype).eps if rcond is None else rcond
    return apply_op(_ops.NoGradient(lambda v: np.linalg.pinv(v, rcond=cutoff).astype(v.dtype)), t)


def lstsq(matrix: TensorLike, rhs: TensorLike, l2_regularizer: float = 0.0, fast: bool = True,
          name: str | None = None) -> Tensor:
    """The least-squares solution of ``matrix @ x = rhs`` (no gradient in chainrule)."""
    a, b = _float_matrix(matrix, "MatrixSolveLs"), as_tensor(rhs)
    _check_systems(a, b, "MatrixSolveLs")

    def solve_ls(av: Any, bv: Any) -> np.ndarray:
        if l2_regularizer:
            n = av.shape[-1]
            gram = np.swapaxes(av, -1, -2) @ av + l2_regularizer * np.eye(n, dtype=av.dtype)
            return np.linalg.solve(gram, np.swapaxes(av, -1, -2) @ bv)
        if av.ndim == 2:
            return np.linalg.lstsq(av, bv, rcond=None)[0]
        return np.linalg.pinv(av) @ bv
    return apply_op(_ops.NoGradient(solve_ls), a, b)


# ----------------------------------------------------------------------------- factorizations

def qr(input: TensorLike, full_matrices: bool = False, name: str | None = None) -> Qr:  # noqa: A002
    """``Qr(q, r)`` with ``input = q @ r``: q ``[..., M, K]`` orthonormal columns, r ``[..., K, N]`` upper
    triangular, ``K = min(M, N)`` (``full_matrices=True``: q is ``[..., M, M]``). No gradient in chainrule.
    """
    q, r = apply_op(_ops.Qr(full_matrices), _float_matrix(input, "Qr"))
    return Qr(q, r)


def svd(tensor: TensorLike, full_matrices: bool = False, compute_uv: bool = True,
        name: str | None = None) -> Tensor | tuple[Tensor, Tensor, Tensor]:
    """Singular values ``s`` (descending), and with ``compute_uv`` ``(s, u, v)`` with ``tensor = u @ diag(s) @ v.T``.

    TensorFlow's order and convention (``v``, not ``v.T``). No gradient in chainrule.
    """
    s, u, v = apply_op(_ops.Svd(full_matrices), _float_matrix(tensor, "Svd"))
    return (s, u, v) if compute_uv else s


def eigh(tensor: TensorLike, name: str | None = None) -> Eigh:
    """``(eigenvalues, eigenvectors)`` of symmetric matrices (lower triangle read), ascending. No gradient."""
    w, v = apply_op(_ops.Eigh(), _float_matrix(tensor, "SelfAdjointEigV2"))
    return Eigh(w, v)


def eigvalsh(tensor: TensorLike, name: str | None = None) -> Tensor:
    """The eigenvalues of symmetric matrices, ascending. No gradient."""
    return eigh(tensor)[0]


def matrix_rank(a: TensorLike, tol: Any = None, validate_args: bool = False, name: str | None = None) -> Tensor:
    """The number of singular values above ``tol`` (default ``max(M, N) * eps * max(s)``), int32."""
    s = cast(Tensor, svd(a, compute_uv=False))  # compute_uv=False: the singular values alone

    def rank(sv: Any) -> np.ndarray:
        cutoff = (max(a.shape[-2:]) * np.finfo(sv.dtype).eps * sv.max(axis=-1, initial=0))[..., None] \
            if tol is None else tol
        return np.sum(sv > cutoff, axis=-1).astype(np.int32)
    return apply_op(_ops.NoGradient(rank), s)


# ----------------------------------------------------------------------------- diagonals, bands, traces

def diag(diagonal: TensorLike, name: str = "diag", k: TensorLike = 0, num_rows: int = -1, num_cols: int = -1,
         padding_value: int = 0, align: str = "RIGHT_LEFT") -> Tensor:
    """A batch of diagonal matrices ``[..., N, N]`` from diagonals ``[..., N]`` (``k=0`` only)."""
    if k != 0 or num_rows != -1 or num_cols != -1:
        raise NotImplementedError("linalg.diag: only the main diagonal (k=0, square) is supported in chainrule.")
    t = as_tensor(diagonal)
    if t.ndim < 1:
        raise ValueError(f"linalg.diag: diagonal must have rank >= 1, got shape {t.shape}.")
    return apply_op(_ops.MatrixDiag(), t)


def diag_part(input: TensorLike, name: str = "diag_part", k: TensorLike = 0, padding_value: int = 0,
              align: str = "RIGHT_LEFT") -> Tensor:
    """The main diagonal of the last two axes: ``[..., M, N] -> [..., min(M, N)]`` (``k=0`` only)."""
    if k != 0:
        raise NotImplementedError("linalg.diag_part: only the main diagonal (k=0) is supported in chainrule.")
    t = as_tensor(input)
    if t.ndim < 2:
        raise ValueError(f"linalg.diag_part: input must have rank >= 2, got shape {t.shape}.")
    return apply_op(_ops.MatrixDiagPart(), t)


def set_diag(input: TensorLike, diagonal: TensorLike, name: str = "set_diag", k: TensorLike = 0,
             align: str = "RIGHT_LEFT") -> Tensor:
    """``input`` with its main diagonal replaced by ``diagonal`` (square matrices)."""
    t = as_tensor(input)
    return t - diag(diag_part(t)) + diag(diagonal)


def band_part(input: TensorLike, num_lower: Any, num_upper: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Keep ``num_lower`` sub-diagonals and ``num_upper`` super-diagonals (negative: all), zero the rest.

    ``band_part(a, -1, 0)`` is the lower triangle, ``band_part(a, 0, 0)`` the diagonal.
    """
    t = as_tensor(input)
    if t.ndim < 2:
        raise ValueError(f"linalg.band_part: input must have rank >= 2, got shape {t.shape}.")
    lower = _integers.integer(num_lower, "num_lower", "MatrixBandPart", "int64")
    upper = _integers.integer(num_upper, "num_upper", "MatrixBandPart", "int64")
    return apply_op(_ops.BandPart(lower, upper), t)


def trace(x: TensorLike, name: str | None = None) -> Tensor:
    """The sum of the main diagonal of the last two axes: ``[..., M, N] -> [...]``."""
    return reduce_sum(diag_part(x), axis=-1)


def cross(a: TensorLike, b: TensorLike, name: str | None = None) -> Tensor:
    """The cross product of 3-vectors along the last axis (both ``[..., 3]``)."""
    a, b = as_tensor(a), as_tensor(b)
    if a.shape[-1:] != (3,) or b.shape[-1:] != (3,):
        raise InvalidArgumentError(f"cross: both inputs need a last axis of size 3, got {a.shape} and {b.shape}.")
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)


# ----------------------------------------------------------------------------- norms

def norm(tensor: TensorLike, ord: str = "euclidean", axis: AxisLike = None, keepdims: Any = None,
         name: str | None = None) -> Tensor:
    """The vector or matrix norm of ``tensor``.

    ``axis=None``: the whole tensor as one vector; an int: vector norms along that axis;
    a pair: matrix norms over those two axes. ``ord``: ``'euclidean'`` (the square root
    of the sum of squares), ``1``, ``2``, ``np.inf`` or any ``p > 0`` for vectors
    (``(sum |x|**p)**(1/p)``); ``'fro'``, ``'euclidean'``, ``1`` (largest column sum),
    ``np.inf`` (largest row sum) or ``2`` (largest singular value, no gradient) for matrices.
    Raises ``ValueError`` for other ``ord`` values, as TensorFlow.
    """
    t = as_tensor(tensor)
    keep = bool(keepdims)
    if isinstance(axis, Tensor):
        axis = axis._value.tolist()
    if isinstance(axis, (list, tuple)) and len(axis) == 1:
        axis = int(axis[0])
    is_matrix = isinstance(axis, (list, tuple))
    if is_matrix:
        if len(axis) != 2 or axis[0] % t.ndim == axis[1] % t.ndim:
            raise ValueError(f"norm: axis must be None, an int or a pair of distinct ints, got {axis!r}.")
        if ord not in ("fro", "euclidean", 1, 2, np.inf):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, 2, inf], got {ord!r}.")
    elif not (ord in ("euclidean", np.inf) or (isinstance(ord, (int, float, np.number)) and
                                                not isinstance(ord, bool) and ord > 0)):
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}.")
    if ord in ("euclidean", "fro"):
        return sqrt(reduce_sum(square(t), axis=_axis(axis), keepdims=keep))
    if not is_matrix:
        if ord == np.inf:
            return reduce_max(abs(t), axis=axis, keepdims=keep)
        if ord == 1:
            return reduce_sum(abs(t), axis=axis, keepdims=keep)
        if ord == 2:
            return sqrt(reduce_sum(square(t), axis=axis, keepdims=keep))
        return reduce_sum(abs(t) ** float(ord), axis=axis, keepdims=keep) ** (1.0 / float(ord))
    rows, cols = axis[0] % t.ndim, axis[1] % t.ndim
    if ord == 1:  # the largest absolute column sum
        out = reduce_max(reduce_sum(abs(t), axis=rows, keepdims=True), axis=cols, keepdims=True)
    elif ord == np.inf:  # the largest absolute row sum
        out = reduce_max(reduce_sum(abs(t), axis=cols, keepdims=True), axis=rows, keepdims=True)
    else:  # the spectral norm
        perm = [i for i in range(t.ndim) if i not in (rows, cols)] + [rows, cols]
        s = svd(transpose(t, perm), compute_uv=False)
        out = reduce_max(s, axis=-1)
        for ax in sorted((rows, cols)):
            out = expand_dims(out, ax)
    return out if keep else squeeze(out, axis=[rows, cols])


def global_norm(t_list: Any, name: str | None = None) -> Tensor:
    """``sqrt(sum of the squares of every entry of every tensor in t_list)`` (None entries skipped)."""
    if isinstance(t_list, Tensor) or not isinstance(t_list, (list, tuple)):
        raise TypeError(f"global_norm: t_list must be a list of tensors, got {type(t_list).__name__}.")
    parts = [reduce_sum(square(as_tensor(t))) for t in t_list if t is not None]
    if not parts:
        return Tensor(np.asarray(0.0, dtype=np.float32))
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return sqrt(total)


def normalize(tensor: TensorLike, ord: str = "euclidean", axis: AxisLike = None,
              name: str | None = None) -> tuple[Tensor, Tensor]:
    """``(tensor / norm(tensor), norm(tensor))`` along ``axis`` (the norm kept for broadcasting)."""
    n = norm(tensor, ord=ord, axis=axis, keepdims=True)
    return as_tensor(tensor) / n, n

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so

# Called on Keras tensors of the functional API, these functions become layers of the model (TFOpLambda).
_dispatch.add_dispatch_support(globals())
