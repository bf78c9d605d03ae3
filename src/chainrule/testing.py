"""Gradient checking: the seed's central-difference ``numerical_gradient`` and ``check_gradients``.

``check_gradients`` runs ``fn`` under a GradientTape in float64, projects a
non-scalar output on fixed random weights (so every output element is
checked, not only their sum), and compares each input's tape gradient with
central differences.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .autodiff import GradientTape
from .tensor import Tensor, to_array


def numerical_gradient(f, x, eps=1e-4):
    """Central-difference gradient of the scalar function ``f`` at ``x``, as in the seed.

    ``x`` (a float numpy array or Variable) is perturbed in place one element at
    a time and restored; ``f(x)`` must return a number. Returns an array shaped like ``x``.
    """
    arr = x._value if isinstance(x, Tensor) else x
    if not isinstance(arr, np.ndarray) or arr.dtype.kind != "f":
        raise TypeError("numerical_gradient: x must be a float numpy array or Variable (it is perturbed in place).")
    grad = np.zeros_like(arr)
    it = np.nditer(arr, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        saved = arr[idx].copy()
        arr[idx] = saved + eps
        f_plus = float(f(x))
        arr[idx] = saved - eps
        f_minus = float(f(x))
        grad[idx] = (f_plus - f_minus) / (2 * eps)
        arr[idx] = saved
        it.iternext()
    return grad


@dataclass
class GradientReport:
    """Result of :func:`check_gradients`: per checked input, the worst relative error and both gradients."""

    errors: list = field(default_factory=list)
    analytic: list = field(default_factory=list)
    numeric: list = field(default_factory=list)
    names: list = field(default_factory=list)

    @property
    def max_error(self) -> float:
        return max(self.errors, default=0.0)

    def __str__(self) -> str:
        width = max([10] + [len(n) + 2 for n in self.names])
        lines = [f"{'input':<{width}}{'shape':<16}{'worst relative error':>22}"]
        for name, a, err in zip(self.names, self.analytic, self.errors):
            lines.append(f"{name:<{width}}{a.shape!s:<16}{err:>22.3e}")
        return "\n".join(lines)


def _relative_error(a, n) -> float:
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(n), initial=0.0)))
    if scale == 0.0:
        return 0.0
    return float(np.max(np.abs(a - n))) / scale


def check_gradients(fn, *inputs, variables=(), eps=1e-6, tol=None, seed=0) -> GradientReport:
    """Compare tape gradients of ``fn(*inputs)`` with central differences, in float64.

    Float inputs are converted to float64 and checked; integer inputs (labels,
    indices) are passed through unchanged. ``variables`` (float64 Variables that
    ``fn`` reads, e.g. a layer's weights) are checked too, perturbed in place and
    restored. ``fn`` returns a Tensor or a list/tuple of Tensors (each output is
    projected on its own fixed random weights). Returns a :class:`GradientReport`
    (inputs named ``input i``, variables by their name); with ``tol`` it raises
    ``AssertionError`` when the worst error exceeds it.
    """
    values = []
    checked = []
    for i, v in enumerate(inputs):
        arr = np.array(to_array(v), copy=True)
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float64)
            checked.append(i)
        values.append(arr)
    variables = list(variables)
    for v in variables:
        if not isinstance(v, Tensor) or v._value.dtype != np.float64:
            raise TypeError(f"check_gradients: variables must be float64 Variables, got {v!r}; build the layer "
                            "with dtype='float64' for a gradient check.")

    def outputs_of(arrays):
        out = fn(*[Tensor(a) for a in arrays])
        return list(out) if isinstance(out, (list, tuple)) else [out]

    def as_float64(out):
        return np.asarray(out._value if isinstance(out, Tensor) else out, dtype=np.float64)

    rng = np.random.default_rng(seed)
    weights = [rng.uniform(0.5, 1.5, size=as_float64(o).shape) for o in outputs_of(values)]

    def projected(_):
        return sum(float(np.sum(as_float64(o) * w)) for o, w in zip(outputs_of(values), weights))

    tensors = [Tensor(a) for a in values]
    with GradientTape() as tape:
        for i in checked:
            tape.watch(tensors[i])
        for v in variables:
            tape.watch(v)
        outs = fn(*tensors)
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        targets = [o * Tensor(w.astype(o._value.dtype)) for o, w in zip(outs, weights)
                   if isinstance(o, Tensor) and o._value.dtype.kind == "f"]
    sources = [tensors[i] for i in checked] + variables
    grads = tape.gradient(targets, sources, unconnected_gradients="zero")

    report = GradientReport()
    names = [f"input {i}" for i in checked] + [v.name for v in variables]
    perturbed = [values[i] for i in checked] + variables
    for name, where, g in zip(names, perturbed, grads):
        numeric = numerical_gradient(projected, where, eps=eps)
        shape = numeric.shape
        analytic = g.numpy() if isinstance(g, Tensor) else np.zeros(shape)
        analytic = np.asarray(analytic, dtype=np.float64).reshape(shape)
        report.names.append(name)
        report.analytic.append(analytic)
        report.numeric.append(numeric)
        report.errors.append(_relative_error(analytic, numeric))
    if tol is not None and report.max_error > tol:
        raise AssertionError(f"check_gradients: worst relative error {report.max_error:.3e} > {tol:.1e}\n{report}")
    return report
