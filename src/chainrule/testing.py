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
        lines = [f"{'input':<10}{'shape':<16}{'worst relative error':>22}"]
        for name, a, err in zip(self.names, self.analytic, self.errors):
            lines.append(f"{name:<10}{str(a.shape):<16}{err:>22.3e}")
        return "\n".join(lines)


def _relative_error(a, n) -> float:
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(n), initial=0.0)))
    if scale == 0.0:
        return 0.0
    return float(np.max(np.abs(a - n))) / scale


def check_gradients(fn, *inputs, eps=1e-6, tol=None, seed=0) -> GradientReport:
    """Compare tape gradients of ``fn(*inputs)`` with central differences, in float64.

    Float inputs are converted to float64 and checked; integer inputs (labels,
    indices) are passed through unchanged. Returns a :class:`GradientReport`;
    with ``tol`` it raises ``AssertionError`` when the worst error exceeds it.
    """
    values = []
    checked = []
    for i, v in enumerate(inputs):
        arr = np.array(to_array(v), copy=True)
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float64)
            checked.append(i)
        values.append(arr)

    def projected(arrays, weights):
        out = fn(*[Tensor(a) for a in arrays])
        out_arr = np.asarray(out._value if isinstance(out, Tensor) else out, dtype=np.float64)
        return out, out_arr, float(np.sum(out_arr * weights)) if weights is not None else None

    probe, probe_arr, _ = projected(values, None)
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=probe_arr.shape)

    tensors = [Tensor(a) for a in values]
    with GradientTape() as tape:
        for i in checked:
            tape.watch(tensors[i])
        out = fn(*tensors)
        target = out * Tensor(weights.astype(out._value.dtype)) if isinstance(out, Tensor) else out
    grads = tape.gradient(target, [tensors[i] for i in checked], unconnected_gradients="zero")

    report = GradientReport()
    for i, g in zip(checked, grads):
        def f(_):
            return projected(values, weights)[2]
        numeric = numerical_gradient(f, values[i], eps=eps)
        analytic = g.numpy() if isinstance(g, Tensor) else np.zeros_like(values[i])
        analytic = np.asarray(analytic, dtype=np.float64).reshape(values[i].shape)
        report.names.append(f"input {i}")
        report.analytic.append(analytic)
        report.numeric.append(numeric)
        report.errors.append(_relative_error(analytic, numeric))
    if tol is not None and report.max_error > tol:
        raise AssertionError(f"check_gradients: worst relative error {report.max_error:.3e} > {tol:.1e}\n{report}")
    return report
