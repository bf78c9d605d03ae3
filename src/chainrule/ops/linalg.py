"""Matrix multiplication, batched over leading axes (numpy ``matmul`` semantics, rank >= 2)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from .base import Op


def _t(a: np.ndarray) -> Any:
    return np.swapaxes(a, -1, -2)


def _dims(shape: Any) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


class MatMul(Op):
    """``op(a) @ op(b)`` where ``op`` transposes the last two axes when asked.

    Shapes: ``(..., n, k) @ (..., k, m) -> (..., n, m)``; leading axes broadcast.
    Backward with ``A = op(a)``, ``B = op(b)``: ``dA = dout @ B.T``, ``dB = A.T @ dout``,
    transposed back where the input was transposed.
    """

    def __init__(self, transpose_a: bool = False, transpose_b: bool = False) -> None:
        self.transpose_a, self.transpose_b = transpose_a, transpose_b

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a, b = np.asarray(a), np.asarray(b)
        if a.ndim < 2 or b.ndim < 2:
            which = 0 if a.ndim < 2 else 1
            raise InvalidArgumentError(
                f"In[{which}] ndims must be >= 2 [Op:MatMul]: both inputs need rank >= 2, got shapes {a.shape} and "
                f"{b.shape}; reshape vectors to (1, n) or (n, 1), use linalg.matvec, or multiply for element-wise "
                "products.")
        A = _t(a) if self.transpose_a else a
        B = _t(b) if self.transpose_b else b
        if A.shape[-1] != B.shape[-2]:
            raise InvalidArgumentError(
                f"Matrix size-incompatible: In[0]: {_dims(a.shape)}, In[1]: {_dims(b.shape)} [Op:MatMul]: the inner "
                f"dimensions do not match: {A.shape} @ {B.shape} ({A.shape[-1]} != {B.shape[-2]}).")
        if self.needs_backward:
            self.A, self.B = A, B
        try:
            return A @ B
        except ValueError:
            raise InvalidArgumentError(
                f"In[0] and In[1] must have compatible batch dimensions: {_dims(a.shape)} vs. {_dims(b.shape)} "
                "[Op:BatchMatMulV2]; the leading axes must be equal or 1.") from None

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        da = db = None
        if self._needs(0):
            dA = dout @ _t(self.B)
            da = _t(dA) if self.transpose_a else dA
        if self._needs(1):
            dB = _t(self.A) @ dout
            db = _t(dB) if self.transpose_b else dB
        return da, db


# ----------------------------------------------------------------------------- inverses, determinants, solves
# Every op here works on the last two axes and batches over the leading ones (numpy.linalg semantics).

def _linalg_error(op_name: str, message: str) -> Any:
    return InvalidArgumentError(f"{message} [Op:{op_name}]")


def _check_square(a: np.ndarray, op_name: Any) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise _linalg_error(op_name, f"{op_name}: input must be a square matrix or a batch of them (shape "
                                     f"[..., M, M]), got shape {list(a.shape)}")


class Inv(Op):
    """``inv(a)``. Backward: ``da = -inv(a).T @ dout @ inv(a).T``; keeps the output.

    Raises ``InvalidArgumentError`` ("Input is not invertible.", as TensorFlow) for a singular matrix.
    """

    def forward(self, a: np.ndarray) -> np.ndarray:
        _check_square(a, "MatrixInverse")
        try:
            self.out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _linalg_error("MatrixInverse", "Input is not invertible.") from None
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        inv_t = _t(self.out)
        return -(inv_t @ dout @ inv_t)


class Det(Op):
    """``det(a)``, shape ``[...]``. Backward: ``da = dout * det(a) * inv(a).T`` (needs an invertible ``a``)."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        _check_square(a, "MatrixDeterminant")
        self.a = a
        self.out = np.linalg.det(a)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        scale = (dout * self.out)[..., None, None]
        return scale * _t(np.linalg.inv(self.a))


class Slogdet(Op):
    """``(sign, log|det(a)|)``, two outputs of shape ``[...]``, finite where ``det`` would overflow.

    Backward (log|det| only; the sign has no gradient): ``da = dlogabsdet * inv(a).T``.
    """

    def forward(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        _check_square(a, "LogMatrixDeterminant")
        self.a = a
        sign, logabsdet = np.linalg.slogdet(a)
        return sign.astype(a.dtype, copy=False), logabsdet.astype(a.dtype, copy=False)

    def backward(self, dsign: np.ndarray, dlogabsdet: np.ndarray) -> np.ndarray:
        if dlogabsdet is None:
            return np.zeros_like(self.a)
        return dlogabsdet[..., None, None] * _t(np.linalg.inv(self.a))


class Solve(Op):
    """``x`` with ``a @ x = rhs`` (``adjoint``: ``a.T @ x = rhs``); ``a`` ``[..., M, M]``, ``rhs`` ``[..., M, K]``.

    Backward: ``drhs = solve(a.T, dout)`` (``solve(a, dout)`` when adjoint) and
    ``da = -drhs @ x.T`` (``-x @ drhs.T`` when adjoint).
    """

    def __init__(self, adjoint: bool = False) -> None:
        self.adjoint = bool(adjoint)

    def forward(self, a: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        _check_square(a, "MatrixSolve")
        if rhs.ndim < 2 or rhs.shape[-2] != a.shape[-1]:
            raise _linalg_error("MatrixSolve", f"Input matrix and right-hand side must have the same number of "
                                               f"rows: {list(a.shape)} vs. {list(rhs.shape)}")
        self.a = a
        try:
            self.out = np.linalg.solve(_t(a) if self.adjoint else a, rhs)
        except np.linalg.LinAlgError:
            raise _linalg_error("MatrixSolve", "Input matrix is not invertible.") from None
        return self.out

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        drhs = np.linalg.solve(self.a if self.adjoint else _t(self.a), dout)
        da = -(self.out @ _t(drhs)) if self.adjoint else -(drhs @ _t(self.out))
        return da, drhs


class Cholesky(Op):
    """The lower-triangular ``l`` with ``l @ l.T = a`` for a symmetric positive-definite ``a``
    (its lower triangle is read).

    Backward (TensorFlow's symmetric formula): with ``P = phi(l.T @ dout)`` (the
    lower triangle, diagonal halved), ``da = sym(inv(l).T @ P @ inv(l))`` where
    ``sym(m) = (m + m.T) / 2``. Raises ``InvalidArgumentError`` when ``a`` is not positive definite.
    """

    def forward(self, a: np.ndarray) -> np.ndarray:
        _check_square(a, "Cholesky")
        try:
            self.out = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise _linalg_error("Cholesky", "Cholesky decomposition was not successful. The input might not be "
                                            "valid.") from None
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        l = self.out
        n = l.shape[-1]
        eye = np.broadcast_to(np.eye(n, dtype=l.dtype), l.shape)
        l_inv = np.linalg.solve(l, eye)
        middle = np.tril(_t(l) @ dout)
        diag = np.arange(n)
        middle[..., diag, diag] *= 0.5
        grad = _t(l_inv) @ middle @ l_inv
        return 0.5 * (grad + _t(grad))


# ----------------------------------------------------------------------------- diagonals and bands

class MatrixDiagPart(Op):
    """The main diagonal of the last two axes: ``[..., M, N] -> [..., min(M, N)]``.

    Backward: ``dout`` on the diagonal."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.shape = a.shape
        return np.diagonal(a, axis1=-2, axis2=-1).copy()

    def backward(self, dout: np.ndarray) -> np.ndarray:
        da = np.zeros(self.shape, dtype=dout.dtype)
        k = dout.shape[-1]
        idx = np.arange(k)
        da[..., idx, idx] = dout
        return da


class MatrixDiag(Op):
    """A diagonal matrix from its diagonal: ``[..., N] -> [..., N, N]``. Backward: the diagonal of ``dout``."""

    def forward(self, d: np.ndarray) -> np.ndarray:
        n = d.shape[-1]
        out = np.zeros(d.shape + (n,), dtype=d.dtype)
        idx = np.arange(n)
        out[..., idx, idx] = d
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.diagonal(dout, axis1=-2, axis2=-1).copy()


class BandPart(Op):
    """Keep the band ``-num_lower <= j - i <= num_upper`` of the last two axes (negative: keep all), zero the rest.

    Backward: ``dout`` times the same 0/1 mask.
    """

    def __init__(self, num_lower: Any, num_upper: Any) -> None:
        self.num_lower, self.num_upper = int(num_lower), int(num_upper)

    def forward(self, a: np.ndarray) -> np.ndarray:
        m, n = a.shape[-2:]
        offset = np.arange(n)[None, :] - np.arange(m)[:, None]
        keep = np.ones((m, n), dtype=bool)
        if self.num_lower >= 0:
            keep &= offset >= -self.num_lower
        if self.num_upper >= 0:
            keep &= offset <= self.num_upper
        self.keep = keep
        return np.where(keep, a, np.zeros((), dtype=a.dtype))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.where(self.keep, dout, np.zeros((), dtype=dout.dtype))


# ----------------------------------------------------------------------------- einsum

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def parse_einsum(equation: str, shapes: Any) -> tuple:
    """``(input_subscripts, output_subscript)`` with ``...`` replaced by letters and the implicit output made explicit.

    Follows numpy/TensorFlow: without ``->`` the output is the letters used once, in
    alphabetical order, after the broadcast (``...``) axes.
    """
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum: the equation {equation!r} names {len(inputs)} operands but {len(shapes)} were "
                         "given.")
    free = iter(c for c in _LETTERS if c not in eq)
    ell_ranks = [len(shape) - (len(s) - 3) for s, shape in zip(inputs, shapes) if "..." in s]
    ell = "".join(next(free) for _ in range(max(ell_ranks, default=0)))
    resolved: list = []
    sizes: dict = {}
    for i, (s, shape) in enumerate(zip(inputs, shapes)):
        if "..." in s:
            k = len(shape) - (len(s) - 3)
            s = s.replace("...", ell[len(ell) - k:] if k else "")
        if not all(c in _LETTERS for c in s):
            raise ValueError(f"einsum: the subscript {s!r} does not fit an operand of shape {tuple(shape)} in "
                             f"{equation!r}.")
        if len(s) != len(shape):  # TensorFlow's InvalidArgumentError and text
            raise InvalidArgumentError(f"Expected input {i} to have rank {len(s)} but got: {len(shape)} [Op:Einsum]: "
                                       f"the subscript {s!r} does not fit an operand of shape {tuple(shape)} in "
                                       f"{equation!r}.")
        for axis, (c, n) in enumerate(zip(s, shape)):
            if c in ell:  # broadcast (...) axes may differ where one is 1
                continue
            first = sizes.setdefault(c, (n, i))
            if n != first[0]:
                shown = ",".join(map(str, shape))
                raise InvalidArgumentError(
                    f"Expected dimension {first[0]} at axis {axis} of the input shaped [{shown}] but got dimension {n} "
                    f"[Op:Einsum]: the label {c!r} of {equation!r} is {first[0]} in input {first[1]} and {n} in input "
                    f"{i}.")
        resolved.append(s)
    if arrow:
        out = out.replace("...", ell)
    else:
        counts: dict[str, int] = {}
        for s in resolved:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return resolved, out


class Einsum(Op):
    """``numpy.einsum(equation, *operands)`` with TensorFlow's equation syntax (``'ij,jk->ik'``, ``'...ij->...ji'``).

    Backward for operand i: the einsum of ``dout`` with the other operands onto
    operand i's subscript; a letter only operand i has (summed away) is
    broadcast back, and a repeated letter (a diagonal, ``'ii->i'``) is written
    back onto the diagonal.
    """

    def __init__(self, equation: Any) -> None:
        self.equation = equation

    def forward(self, *operands: np.ndarray) -> np.ndarray:
        self.operands = operands
        self.inputs, self.output = parse_einsum(self.equation, [np.shape(o) for o in operands])
        spec = ",".join(self.inputs) + "->" + self.output
        return np.einsum(spec, *operands, optimize=len(operands) > 2 or "greedy")

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        return tuple(self._grad(i, dout) if self._needs(i) else None for i in range(len(self.operands)))

    def _grad(self, i: Any, dout: np.ndarray) -> Any:
        sub, operand = self.inputs[i], self.operands[i]
        others = [s for j, s in enumerate(self.inputs) if j != i]
        arrays = [o for j, o in enumerate(self.operands) if j != i]
        unique = "".join(dict.fromkeys(sub))
        available = set(self.output).union(*others)
        target = "".join(c for c in unique if c in available)
        spec = ",".join([self.output] + others) + "->" + target
        g = np.einsum(spec, dout, *arrays, optimize="greedy" if arrays else False)
        sizes = dict(zip(sub, np.shape(operand)))
        if target != unique:  # letters summed away in the forward come back as a broadcast
            g = g.reshape([sizes[c] if c in target else 1 for c in unique])
            g = np.broadcast_to(g, [sizes[c] for c in unique])
        if unique == sub:
            return g
        full = np.zeros(np.shape(operand), dtype=dout.dtype)
        np.einsum(sub + "->" + unique, full)[...] = g
        return full


# ----------------------------------------------------------------------------- factorizations (no gradient)

class Qr(Op):
    """``(q, r)`` with ``a = q @ r`` (``full_matrices``: q square); batched. No gradient in chainrule."""

    differentiable = False

    def __init__(self, full_matrices: bool = False) -> None:
        self.full_matrices = bool(full_matrices)

    def forward(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        q, r = np.linalg.qr(a, mode="complete" if self.full_matrices else "reduced")
        return q, r


class Svd(Op):
    """``(s, u, v)`` with ``a = u @ diag(s) @ v.T``, TensorFlow's order (v, not v.T); batched. No gradient."""

    differentiable = False

    def __init__(self, full_matrices: bool = False) -> None:
        self.full_matrices = bool(full_matrices)

    def forward(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        u, s, vh = np.linalg.svd(a, full_matrices=self.full_matrices)
        return s, u, np.swapaxes(vh, -1, -2).conj()


class Eigh(Op):
    """``(eigenvalues, eigenvectors)`` of a symmetric matrix (its lower triangle), ascending; batched. No gradient."""

    differentiable = False

    def forward(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w, v = np.linalg.eigh(a)
        return w, v
