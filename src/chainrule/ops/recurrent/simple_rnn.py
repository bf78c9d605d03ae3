"""SimpleRNN: the one-step op ``SimpleRNNStep`` and the sequence op ``SimpleRNNSequence`` (``SimpleRNNCore``).

tf.keras's math and layout: ``kernel (D, U)``, ``recurrent_kernel (U, U)``, ``bias (U,)``::

    h = act(x @ kernel + h_prev @ recurrent_kernel + bias)       (act: tanh by default)

Backward: ``da = dh * act'(h)``, ``dh_prev = da @ recurrent_kernel.T``,
``dkernel = x.T @ da``, ``drecurrent_kernel = h_prev.T @ da``, ``dbias = sum(da)``.
"""
from __future__ import annotations

import numpy as np

from .activations import resolve
from .sequence import CellStep, RecurrentCore, RecurrentSequence


class SimpleRNNCore(RecurrentCore):
    """The SimpleRNN arithmetic on time-major buffers (see ``sequence.py`` for the protocol)."""

    state_names = ("h",)
    gates = 1

    def __init__(self, kernel, recurrent_kernel, bias, activation, op_name, features):
        self._check_and_prepare(op_name, kernel, recurrent_kernel, bias, features, lambda u: (u,))
        self.act, self.act_d = resolve(activation, op_name, "activation")
        self.kernel, self.recurrent_kernel, self.bias = kernel, recurrent_kernel, bias
        self.recurrent_t = np.ascontiguousarray(recurrent_kernel.T)

    def start(self, xt, states):
        self._allocate_states(xt, states)
        self.A = self.input_gemm(self.kernel, self.bias)

    def step(self, t):
        h = self.H[t + 1]
        np.matmul(self.H[t], self.recurrent_kernel, out=h)
        h += self.A[t]
        self.act(h, h)

    def start_backward(self):
        self.dA = np.empty_like(self.A)

    def step_backward(self, t, d_states):
        dh = d_states[0]
        da = self.dA[t]
        self.act_d(self.H[t + 1], da)
        da *= dh
        np.matmul(da, self.recurrent_t, out=dh)

    def weight_grads(self, needs):
        d_a = self.dA.reshape(-1, self.units)
        dk = self.flat_inputs().T @ d_a if needs[0] else None
        dr = self.previous_states().T @ d_a if needs[1] else None
        db = d_a.sum(axis=0) if needs[2] else None
        return dk, dr, db


class _SimpleRNNOptions:
    core_class = SimpleRNNCore

    def _set(self, activation):
        self.activation = "linear" if activation is None else activation
        resolve(self.activation, self.name, "activation")

    def _core(self, kernel, recurrent_kernel, bias, features):
        return SimpleRNNCore(kernel, recurrent_kernel, bias, self.activation, self.name, features)


class SimpleRNNStep(_SimpleRNNOptions, CellStep):
    """One SimpleRNN step: ``forward(x, h_prev, kernel, recurrent_kernel, bias)`` -> ``h (B, U)``.

    Backward returns ``(dx, dh_prev, dkernel, drecurrent_kernel, dbias)``.
    """

    def __init__(self, activation="tanh"):
        self._set(activation)


class SimpleRNNSequence(_SimpleRNNOptions, RecurrentSequence):
    """A SimpleRNN over a sequence: ``forward(x, h0, kernel, recurrent_kernel, bias[, mask])``.

    ``x (B, T, D)``, ``h0 (B, U)``, ``mask (B, T)`` booleans (optional). Returns the
    packed ``(B, T + 1, U)``: outputs ``[:, :T]``, final ``h`` ``[:, T]``.
    Backward returns ``(dx, dh0, dkernel, drecurrent_kernel, dbias[, None])``.
    """

    def __init__(self, activation="tanh", go_backwards=False, zero_output_for_mask=False):
        RecurrentSequence.__init__(self, go_backwards, zero_output_for_mask)
        self._set(activation)
