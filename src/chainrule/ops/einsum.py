"""Einsum of two operands (``tf.einsum(equation, a, b)``), with the gradient of each as another einsum.

For ``out = einsum("ij,jk->ik", a, b)`` the gradients are the same contraction with the roles
swapped: ``da = einsum("ik,jk->ij", dout, b)`` and ``db = einsum("ij,ik->jk", a, dout)``. An index
of one operand found neither in the output nor in the other operand was summed over by the
forward pass: its gradient is the contraction without it, broadcast back along that axis.
"""
from __future__ import annotations

import re
import string

import numpy as np

from .base import Op


def expand_ellipsis(equation: str, ndims) -> str:
    """``equation`` with each ``...`` replaced by letters it does not use (as many as the operand needs)."""
    equation = equation.replace(" ", "")
    if "..." not in equation:
        return equation
    lhs, _, rhs = equation.partition("->")
    terms = lhs.split(",")
    spare = [c for c in string.ascii_letters if c not in equation]
    width = max(nd - (len(t) - 3) for t, nd in zip(terms, ndims) if "..." in t)
    fill = "".join(spare[:width])
    out_terms = []
    for term, nd in zip(terms, ndims):
        if "..." in term:
            n = nd - (len(term) - 3)
            term = term.replace("...", fill[width - n:])
        out_terms.append(term)
    rhs = rhs.replace("...", fill)
    return ",".join(out_terms) + "->" + rhs


def _parse(equation: str, ndims):
    equation = expand_ellipsis(equation, ndims)
    match = re.fullmatch(r"([a-zA-Z]*),([a-zA-Z]*)->([a-zA-Z]*)", equation)
    if match is None:
        raise ValueError(f"Einsum: the equation {equation!r} must have the form 'ab,bc->ac' (two operands, an "
                         f"explicit output, letters and '...').")
    a, b, out = match.groups()
    for term in (a, b, out):
        if len(set(term)) != len(term):
            raise ValueError(f"Einsum: repeated index in {term!r} of {equation!r} (a diagonal) is not supported.")
    if len(a) != ndims[0] or len(b) != ndims[1]:
        raise ValueError(f"Einsum: {equation!r} names {len(a)} and {len(b)} axes but the operands have {ndims[0]} "
                         f"and {ndims[1]}.")
    return a, b, out


def _grad(dout, out, other, other_spec, spec, shape):
    """The gradient of the operand ``spec`` (of ``shape``) from ``dout`` and the other operand."""
    kept = "".join(c for c in spec if c in out or c in other_spec)
    g = np.einsum(f"{out},{other_spec}->{kept}", dout, other, optimize=True)
    if kept != spec:  # axes summed by the forward pass only: the gradient is the same along them
        g = np.expand_dims(g, tuple(i for i, c in enumerate(spec) if c not in kept))
        g = np.broadcast_to(g, shape)
    return g


class Einsum(Op):
    """``forward(a, b)`` -> ``np.einsum(equation, a, b)`` for an explicit two-operand equation (``'...'`` allowed).

    Backward returns ``(da, db)``, each an einsum of ``dout`` with the other operand.
    """

    def __init__(self, equation: str):
        self.equation = equation

    def forward(self, a, b):
        a, b = np.asarray(a), np.asarray(b)
        self.specs = _parse(self.equation, (a.ndim, b.ndim))
        sa, sb, so = self.specs
        self.a, self.b = a, b
        return np.einsum(f"{sa},{sb}->{so}", a, b, optimize=True)

    def backward(self, dout):
        sa, sb, so = self.specs
        dout = np.asarray(dout)
        da = _grad(dout, so, self.b, sb, sa, self.a.shape) if self._needs(0) else None
        db = _grad(dout, so, self.a, sa, sb, self.b.shape) if self._needs(1) else None
        return da, db
