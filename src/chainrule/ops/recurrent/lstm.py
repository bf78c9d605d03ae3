"""LSTM: the one-step op ``LSTMStep`` and the sequence op ``LSTMSequence``, both running ``LSTMCore``.

tf.keras's math and layout: ``kernel (D, 4U)``, ``recurrent_kernel (U, 4U)``,
``bias (4U,)``, column blocks in gate order i, f, c, o::

    z = x @ kernel + h_prev @ recurrent_kernel + bias
    i = rec_act(z_i)   f = rec_act(z_f)   g = act(z_c)   o = rec_act(z_o)
    c = f * c_prev + i * g
    h = o * act(c)

(``act`` tanh and ``rec_act`` sigmoid by default, as tf.keras 2.) Backward,
with ``dc`` the total gradient of ``c`` (``dc_next + dh * o * act'(c)``)::

    dz_i = dc * g * rec_act'   dz_f = dc * c_prev * rec_act'
    dz_o = dh * act(c) * rec_act'   dz_c = dc * i * act'
    dc_prev = dc * f   dh_prev = dz @ recurrent_kernel.T

Inside the core (column blocks, see ``sequence.py``) the gate blocks are
reordered to i, f, o, c so the three sigmoid gates are one block; with a sigmoid
``rec_act`` their weights are halved up front, so ONE ``tanh`` over all 4U rows
yields every gate (``sigmoid(z) = (1 + tanh(z / 2)) / 2``). Gradients come back
in tf.keras's order.

With those default activations, once the tier-up rule says so (``ops.tier_up``: numba installed,
enough work done), the element-wise part of a step runs as one compiled loop
(``ops.kernels.lstm_step_forward`` / ``lstm_step_backward``): the same float operations in the
same order, so the same bits; numpy still computes the ``tanh`` and the GEMMs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import workspace
from .activations import resolve
from .sequence import CellStep, RecurrentCore, RecurrentOp, RecurrentSequence, columns


def _internal_order(units: Any) -> Any:
    """Column indices taking tf.keras's (i, f, c, o) to the core's (i, f, o, c); the map is its own inverse."""
    u = units
    return np.r_[0:2 * u, 3 * u:4 * u, 2 * u:3 * u]


class LSTMCore(RecurrentCore):
    """The LSTM arithmetic on column blocks (see ``sequence.py`` for the protocol and the layout)."""

    n_states = 2
    state_names = ("h", "c")
    buffers = ("H", "C")
    gates = 4
    C: np.ndarray  # (T + 1, U, B) cell states

    def __init__(self, kernel: np.ndarray, recurrent_kernel: Any, bias: np.ndarray, activation: Any,
                 recurrent_activation: Any, op_name: Any, features: Any) -> None:
        self._check_and_prepare(op_name, kernel, recurrent_kernel, bias, features, lambda u: (4 * u,))
        u = self.units
        self.act, self.act_d = resolve(activation, op_name, "activation")
        self.rec, self.rec_d = resolve(recurrent_activation, op_name, "recurrent_activation")
        self.order = _internal_order(u)
        kernel_t = np.ascontiguousarray(kernel[:, self.order].T)            # (4U, D)
        recurrent_t = np.ascontiguousarray(recurrent_kernel[:, self.order].T)  # (4U, U)
        bias = bias[self.order].reshape(-1, 1)
        self.kernel_t = kernel_t
        self.recurrent = np.ascontiguousarray(recurrent_t.T)                # (U, 4U): dh_prev = R dz
        self.halved = recurrent_activation == "sigmoid"
        self.tanh_everywhere = self.halved and activation == "tanh"
        self.has_kernels = self.tanh_everywhere
        self._half, self._one = self.dtype.type(0.5), self.dtype.type(1)  # the kernels' constants
        if self.halved:  # the forward pass sees z/2 in the sigmoid rows
            half = np.ones((4 * u, 1), dtype=self.dtype)
            half[:3 * u] = 0.5
            self.kernel_fwd_t, self.recurrent_fwd_t, self.bias_fwd = kernel_t * half, recurrent_t * half, bias * half
        else:
            self.kernel_fwd_t, self.recurrent_fwd_t, self.bias_fwd = kernel_t, recurrent_t, bias

    def start(self, xt: Any, states: Any) -> None:
        self._allocate(xt, states)
        steps, batch, _ = xt.shape
        u = self.units
        self.AC = workspace.empty((steps, u, batch), self.dtype)  # act(c_t), used again by backward
        self._z_rec = np.empty((4 * u, batch), dtype=self.dtype)
        self._scratch = np.empty((u, batch), dtype=self.dtype)
        self._kernels = self._compiled(steps * batch * u)

    def project(self, s: int, e: int) -> None:
        self._project(s, e, self.kernel_fwd_t, self.bias_fwd)

    def step(self, t: int) -> None:
        u = self.units
        z = self.A[t]
        np.matmul(self.recurrent_fwd_t, self.H[t], out=self._z_rec)
        z += self._z_rec
        sig, g = z[:3 * u], z[3 * u:]
        if self.tanh_everywhere:
            np.tanh(z, out=z)
        elif self.halved:
            np.tanh(sig, out=sig)
            self.act(g, g)
        else:
            self.rec(sig, sig)
            self.act(g, g)
        c = self.C[t + 1]
        if self._kernels is not None:  # the same float operations as below, in one loop
            self._kernels.lstm_step_forward(z, self.C[t], c, self._half)
        else:
            if self.halved:
                sig *= 0.5
                sig += 0.5
            i, f = z[:u], z[u:2 * u]
            np.multiply(f, self.C[t], out=c)
            np.multiply(i, g, out=self._scratch)
            c += self._scratch
        o = z[2 * u:3 * u]
        self.act(c, self.AC[t])
        np.multiply(o, self.AC[t], out=self.H[t + 1])

    def start_backward(self) -> None:
        self._start_backward()
        u, batch = self.units, self.xt.shape[1]
        self._raw = np.empty((4 * u, batch), dtype=self.dtype)
        self._deriv = np.empty((4 * u, batch), dtype=self.dtype)
        self.d_recurrent_t = np.zeros((4 * u, u), dtype=self.dtype)
        self.d_bias = np.zeros(4 * u, dtype=self.dtype)
        self._kernels = self._compiled(3 * self.xt.shape[0] * batch * u)

    def step_backward(self, t: int, d_states: Any) -> None:
        dh, dc = d_states
        if self._kernels is not None and dh.flags.c_contiguous and dc.flags.c_contiguous:
            # The numpy passes below, element by element in one loop (ops/kernels.py); same bits.
            d_a = self.dA.data
            slot = t % self.dA.k
            self._kernels.lstm_step_backward(self.A[t], self.AC[t], self.C[t], dh, dc, d_a, slot, self._one)
            np.matmul(self.recurrent, d_a[:, slot], out=dh)
            return
        u = self.units
        z, ac, raw, deriv = self.A[t], self.AC[t], self._raw, self._deriv
        i, f, o, g = z[:u], z[u:2 * u], z[2 * u:3 * u], z[3 * u:]
        scratch = deriv[:u]
        self.act_d(ac, scratch)          # dc += dh * o * act'(c)
        scratch *= o
        scratch *= dh
        dc += scratch
        np.multiply(dc, g, out=raw[:u])
        np.multiply(dc, self.C[t], out=raw[u:2 * u])
        np.multiply(dh, ac, out=raw[2 * u:3 * u])
        np.multiply(dc, i, out=raw[3 * u:])
        self.rec_d(z[:3 * u], deriv[:3 * u])
        self.act_d(g, deriv[3 * u:])
        d_a = self.dA.step(t)
        np.multiply(raw, deriv, out=d_a)
        dc *= f
        np.matmul(self.recurrent, d_a, out=dh)

    def chunk_backward(self, s: int, e: int, needs: Any) -> None:
        d_cat = self._input_grads(s, e, self.kernel_t, needs)
        if needs[2]:
            self.d_recurrent_t += d_cat @ columns(self.H[s:e]).T
        if needs[3]:
            self.d_bias += d_cat @ self._ones(d_cat.shape[1])

    def weight_grads(self, needs: Any) -> Any:
        order = self.order
        return (self.d_kernel_t.T[:, order] if needs[0] else None,
                self.d_recurrent_t.T[:, order] if needs[1] else None,
                self.d_bias[order] if needs[2] else None)


class _LSTMOptions(RecurrentOp):
    core_class = LSTMCore

    def _set(self, activation: Any, recurrent_activation: Any) -> None:
        self.activation = "linear" if activation is None else activation
        self.recurrent_activation = "linear" if recurrent_activation is None else recurrent_activation
        resolve(self.activation, self.name, "activation")
        resolve(self.recurrent_activation, self.name, "recurrent_activation")

    def _core(self, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray,
              features: int) -> RecurrentCore:
        return LSTMCore(kernel, recurrent_kernel, bias, self.activation, self.recurrent_activation,
                        self.name, features)


class LSTMStep(_LSTMOptions, CellStep):
    """One LSTM step: ``forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias)`` -> ``(h, c)``.

    Two outputs, ``(B, U)`` each: the new ``h`` (also the cell's output) and the new ``c``.
    ``x (B, D)``, states ``(B, U)``, weights in tf.keras layout (gate order i, f, c, o).
    Backward (``dh, dc``, either may be None) returns ``(dx, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias)``.
    """

    def __init__(self, activation: str = "tanh", recurrent_activation: str = "sigmoid") -> None:
        self._set(activation, recurrent_activation)


class LSTMSequence(_LSTMOptions, RecurrentSequence):
    """An LSTM over a whole sequence: ``forward(x, h0, c0, kernel, recurrent_kernel, bias[, mask])``.

    ``x (B, T, D)``, ``h0``/``c0`` ``(B, U)``, ``mask (B, T)`` booleans (optional).
    Returns ``(outputs, h, c)``: ``outputs (B, T, U)`` (with ``return_sequences=False``
    only the last one, ``(B, U)``), the final ``h`` and ``c`` ``(B, U)``. ``go_backwards``
    processes the steps last to first (outputs in that order); ``zero_output_for_mask``
    gives zeros instead of the previous output on masked steps.
    Backward returns ``(dx, dh0, dc0, dkernel, drecurrent_kernel, dbias[, None])``.
    """

    def __init__(self, activation: str = "tanh", recurrent_activation: str = "sigmoid", go_backwards: bool = False,
                 zero_output_for_mask: bool = False, return_sequences: bool = True) -> None:
        RecurrentSequence.__init__(self, go_backwards, zero_output_for_mask, return_sequences)
        self._set(activation, recurrent_activation)
