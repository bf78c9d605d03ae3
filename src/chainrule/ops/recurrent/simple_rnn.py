"""SimpleRNN: the one-step op ``SimpleRNNStep`` and the sequence op ``SimpleRNNSequence`` (``SimpleRNNCore``).

tf.keras's math and layout: ``kernel (D, U)``, ``recurrent_kernel (U, U)``, ``bias (U,)``::

    h = act(x @ kernel + h_prev @ recurrent_kernel + bias)       (act: tanh by default)

Backward: ``da = dh * act'(h)``, ``dh_prev = da @ recurrent_kernel.T``,
``dkernel = x.T @ da``, ``drecurrent_kernel = h_prev.T @ da``, ``dbias = sum(da)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .activations import resolve
from .sequence import CellStep, RecurrentCore, RecurrentOp, RecurrentSequence, columns


class SimpleRNNCore(RecurrentCore):
    """The SimpleRNN arithmetic on column blocks (see ``sequence.py`` for the protocol and the layout)."""

    gates = 1

    def __init__(self, kernel: np.ndarray, recurrent_kernel: Any, bias: np.ndarray, activation: Any, op_name: Any,
                 features: Any) -> None:
        self._check_and_prepare(op_name, kernel, recurrent_kernel, bias, features, lambda u: (u,))
        self.act, self.act_d = resolve(activation, op_name, "activation")
        self.kernel_t = np.ascontiguousarray(kernel.T)
        self.recurrent = recurrent_kernel
        self.recurrent_t = np.ascontiguousarray(recurrent_kernel.T)
        self.bias = bias.reshape(-1, 1)

    def start(self, xt: Any, states: Any) -> None:
        self._allocate(xt, states)

    def project(self, s: int, e: int) -> None:
        self._project(s, e, self.kernel_t, self.bias)

    def step(self, t: int) -> None:
        h = self.H[t + 1]
        np.matmul(self.recurrent_t, self.H[t], out=h)
        h += self.A[t]
        self.act(h, h)

    def start_backward(self) -> None:
        self._start_backward()
        u = self.units
        self.d_recurrent_t = np.zeros((u, u), dtype=self.dtype)
        self.d_bias = np.zeros(u, dtype=self.dtype)
        self._deriv = np.empty((u, self.xt.shape[1]), dtype=self.dtype)

    def step_backward(self, t: int, d_states: Any) -> None:
        dh = d_states[0]
        da = self.dA.step(t)
        self.act_d(self.H[t + 1], self._deriv)
        np.multiply(self._deriv, dh, out=da)
        np.matmul(self.recurrent, da, out=dh)

    def chunk_backward(self, s: int, e: int, needs: Any) -> None:
        d_cat = self._input_grads(s, e, self.kernel_t, needs)
        if needs[2]:
            self.d_recurrent_t += d_cat @ columns(self.H[s:e]).T
        if needs[3]:
            self.d_bias += d_cat @ self._ones(d_cat.shape[1])

    def weight_grads(self, needs: Any) -> Any:
        return (self.d_kernel_t.T if needs[0] else None, self.d_recurrent_t.T if needs[1] else None,
                self.d_bias if needs[2] else None)


class _SimpleRNNOptions(RecurrentOp):
    core_class = SimpleRNNCore

    def _set(self, activation: Any) -> None:
        self.activation = "linear" if activation is None else activation
        resolve(self.activation, self.name, "activation")

    def _core(self, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray,
              features: int) -> RecurrentCore:
        return SimpleRNNCore(kernel, recurrent_kernel, bias, self.activation, self.name, features)


class SimpleRNNStep(_SimpleRNNOptions, CellStep):
    """One SimpleRNN step: ``forward(x, h_prev, kernel, recurrent_kernel, bias)`` -> ``h (B, U)``.

    Backward returns ``(dx, dh_prev, dkernel, drecurrent_kernel, dbias)``.
    """

    def __init__(self, activation: str = "tanh") -> None:
        self._set(activation)


class SimpleRNNSequence(_SimpleRNNOptions, RecurrentSequence):
    """A SimpleRNN over a sequence: ``forward(x, h0, kernel, recurrent_kernel, bias[, mask])``.

    ``x (B, T, D)``, ``h0 (B, U)``, ``mask (B, T)`` booleans (optional). Returns
    ``(outputs, h)``: ``outputs (B, T, U)`` (the last one, ``(B, U)``, with
    ``return_sequences=False``) and the final ``h (B, U)``.
    Backward returns ``(dx, dh0, dkernel, drecurrent_kernel, dbias[, None])``.
    """

    def __init__(self, activation: str = "tanh", go_backwards: bool = False, zero_output_for_mask: bool = False,
                 return_sequences: bool = True) -> None:
        RecurrentSequence.__init__(self, go_backwards, zero_output_for_mask, return_sequences)
        self._set(activation)
