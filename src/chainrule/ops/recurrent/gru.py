"""GRU: the one-step op ``GRUStep`` and the sequence op ``GRUSequence``, both running ``GRUCore``.

tf.keras's math and layout: ``kernel (D, 3U)``, ``recurrent_kernel (U, 3U)``,
column blocks in gate order z (update), r (reset), h (candidate).

``reset_after=True`` (the TF 2 default; cuDNN's and PyTorch's convention),
``bias (2, 3U)``: row 0 for the input projection, row 1 for the recurrent one::

    x_z, x_r, x_h = split(x @ kernel + bias[0])
    r_z, r_r, r_h = split(h_prev @ recurrent_kernel + bias[1])
    z = rec_act(x_z + r_z)   r = rec_act(x_r + r_r)
    hh = act(x_h + r * r_h)                       # reset applied AFTER the matmul
    h = z * h_prev + (1 - z) * hh

``reset_after=False``, ``bias (3U,)``::

    z, r as above with r_z, r_r = split(h_prev @ recurrent_kernel[:, :2U])
    hh = act(x_h + (r * h_prev) @ recurrent_kernel[:, 2U:])   # reset applied BEFORE

Backward (``dh`` the gradient of ``h``)::

    dz = dh * (h_prev - hh) * rec_act'    dhh = dh * (1 - z) * act'
    after:  dr = dhh * r_h * rec_act'    d r_h = dhh * r
    before: d(r * h_prev) = dhh @ recurrent_kernel[:, 2U:].T,  dr = that * h_prev * rec_act'
    dh_prev = dh * z + (recurrent part of the gate gradients) @ recurrent_kernel.T

With a sigmoid ``rec_act`` the z and r weights are halved up front, so one
``tanh`` gives both gates (``sigmoid(a) = (1 + tanh(a / 2)) / 2``).

With ``reset_after`` and the default activations (tanh, sigmoid), once the tier-up rule says so
(``ops.tier_up``: numba installed, enough work done), the element-wise passes of a step run as
compiled loops (``ops.kernels.gru_step_*``): the same float operations in the same order, so the
same bits; numpy still computes the ``tanh`` and the GEMMs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import workspace
from .activations import resolve
from .sequence import CellStep, RecurrentCore, RecurrentOp, RecurrentSequence, StepColumns, columns


class GRUCore(RecurrentCore):
    """The GRU arithmetic on column blocks (see ``sequence.py`` for the protocol and the layout)."""

    gates = 3

    def __init__(self, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray, activation: Any,
                 recurrent_activation: Any, reset_after: bool, op_name: str, features: int) -> None:
        self.reset_after = reset_after
        self._check_and_prepare(op_name, kernel, recurrent_kernel, bias, features,
                                (lambda u: (2, 3 * u)) if reset_after else (lambda u: (3 * u,)))
        u = self.units
        self.act, self.act_d = resolve(activation, op_name, "activation")
        self.rec, self.rec_d = resolve(recurrent_activation, op_name, "recurrent_activation")
        self.halved = recurrent_activation == "sigmoid"
        self.has_kernels = reset_after and self.halved and activation == "tanh"
        self._half, self._one = self.dtype.type(0.5), self.dtype.type(1)  # the kernels' constants
        half = np.ones((3 * u, 1), dtype=self.dtype)
        if self.halved:  # the forward pass sees a/2 in the z and r rows
            half[:2 * u] = 0.5
        self.kernel_t = np.ascontiguousarray(kernel.T)                      # (3U, D)
        self.kernel_fwd_t = self.kernel_t * half
        recurrent_t = np.ascontiguousarray(recurrent_kernel.T)              # (3U, U)
        if reset_after:
            self.bias_in, self.bias_rec = bias[0].reshape(-1, 1) * half, bias[1].reshape(-1, 1) * half
            self.recurrent_fwd_t = recurrent_t * half
            self.recurrent = recurrent_kernel                                # dh_prev = R d(rec)
        else:
            self.bias_in = bias.reshape(-1, 1) * half
            self.recurrent_zr_fwd_t = recurrent_t[:2 * u] * half[:2 * u]
            self.recurrent_h_t = np.ascontiguousarray(recurrent_t[2 * u:])
            self.recurrent_zr = np.ascontiguousarray(recurrent_kernel[:, :2 * u])
            self.recurrent_h = np.ascontiguousarray(recurrent_kernel[:, 2 * u:])

    def start(self, xt: Any, states: Any) -> None:
        self._allocate(xt, states)
        steps, batch, _ = xt.shape
        u = self.units
        if self.reset_after:
            self.R = workspace.empty((steps, 3 * u, batch), self.dtype)  # R^T h_prev + bias[1]
        else:
            self.RH = workspace.empty((steps, u, batch), self.dtype)     # r * h_prev
            self._zr = np.empty((2 * u, batch), dtype=self.dtype)
        self._scratch = np.empty((u, batch), dtype=self.dtype)
        self._kernels = self._compiled(steps * batch * u)

    def project(self, s: int, e: int) -> None:
        self._project(s, e, self.kernel_fwd_t, self.bias_in)

    def skip(self, t: int) -> None:
        super().skip(t)
        if not self.reset_after:
            self.RH[t] = 0  # it enters the recurrent kernel's gradient GEMM

    def step(self, t: int) -> None:
        u = self.units
        a, h_prev, scratch = self.A[t], self.H[t], self._scratch
        if self._kernels is not None:  # the numpy passes below in three loops around the two tanh; same bits
            rec = self.R[t]
            np.matmul(self.recurrent_fwd_t, h_prev, out=rec)
            self._kernels.gru_step_gates_in(rec, self.bias_rec, a)
            np.tanh(a[:2 * u], out=a[:2 * u])
            self._kernels.gru_step_candidate_in(a, rec, self._half)
            np.tanh(a[2 * u:], out=a[2 * u:])
            self._kernels.gru_step_state(a, h_prev, self.H[t + 1])
            return
        zr, ah = a[:2 * u], a[2 * u:]
        if self.reset_after:
            rec = self.R[t]
            np.matmul(self.recurrent_fwd_t, h_prev, out=rec)
            rec += self.bias_rec
            zr += rec[:2 * u]
        else:
            np.matmul(self.recurrent_zr_fwd_t, h_prev, out=self._zr)
            zr += self._zr
        if self.halved:
            np.tanh(zr, out=zr)
            zr *= 0.5
            zr += 0.5
        else:
            self.rec(zr, zr)
        z, r = a[:u], a[u:2 * u]
        if self.reset_after:
            np.multiply(r, rec[2 * u:], out=scratch)
        else:
            np.multiply(r, h_prev, out=self.RH[t])
            np.matmul(self.recurrent_h_t, self.RH[t], out=scratch)
        ah += scratch
        self.act(ah, ah)
        np.subtract(h_prev, ah, out=scratch)     # h = hh + z * (h_prev - hh)
        scratch *= z
        np.add(ah, scratch, out=self.H[t + 1])

    def start_backward(self) -> None:
        self._start_backward()
        u, batch = self.units, self.xt.shape[1]
        if self.reset_after:
            self.dR = StepColumns(3 * u, self.xt.shape[0], batch, self.chunk, self.dtype)
            self.d_bias = np.zeros((2, 3 * u), dtype=self.dtype)
        else:
            self.d_bias = np.zeros(3 * u, dtype=self.dtype)
        self.d_recurrent_t = np.zeros((3 * u, u), dtype=self.dtype)
        self._direct = np.empty((u, batch), dtype=self.dtype)
        self._deriv = np.empty((3 * u, batch), dtype=self.dtype)
        self._raw = np.empty((3 * u, batch), dtype=self.dtype)
        self._kernels = self._compiled(3 * self.xt.shape[0] * batch * u)

    def skip_backward(self, t: int) -> None:
        self.dA.step(t)[...] = 0
        if self.reset_after:
            self.dR.step(t)[...] = 0

    def step_backward(self, t: int, d_states: Any) -> None:
        dh = d_states[0]
        if self._kernels is not None and dh.flags.c_contiguous:
            # The numpy passes below, element by element in one loop (ops/kernels.py); same bits.
            slot = t % self.dA.k
            self._kernels.gru_step_backward(self.A[t], self.H[t], self.R[t], dh, self._direct, self.dA.data,
                                            self.dR.data, slot, self._one)
            np.matmul(self.recurrent, self.dR.data[:, slot], out=dh)
            dh += self._direct
            return
        u = self.units
        a, da, h_prev, deriv, direct = self.A[t], self._raw, self.H[t], self._deriv, self._direct
        z, r, hh = a[:u], a[u:2 * u], a[2 * u:]
        dz, dr, dhh = da[:u], da[u:2 * u], da[2 * u:]
        np.subtract(h_prev, hh, out=dz)
        dz *= dh
        np.multiply(dh, z, out=direct)            # the part of dh_prev that skips the gates
        np.subtract(dh, direct, out=dhh)
        self.act_d(hh, deriv[2 * u:])
        dhh *= deriv[2 * u:]                      # now the gradient of the candidate's pre-activation
        if self.reset_after:
            np.multiply(dhh, self.R[t][2 * u:], out=dr)
        else:
            d_rh = self._scratch
            np.matmul(self.recurrent_h, dhh, out=d_rh)
            np.multiply(d_rh, h_prev, out=dr)
            d_rh *= r
            direct += d_rh
        self.rec_d(a[:2 * u], deriv[:2 * u])
        da[:2 * u] *= deriv[:2 * u]
        self.dA.step(t)[...] = da
        if self.reset_after:
            d_rec = self.dR.step(t)
            d_rec[:2 * u] = da[:2 * u]
            np.multiply(dhh, r, out=d_rec[2 * u:])
            np.matmul(self.recurrent, d_rec, out=dh)
        else:
            np.matmul(self.recurrent_zr, da[:2 * u], out=dh)
        dh += direct

    def chunk_backward(self, s: int, e: int, needs: Any) -> None:
        u = self.units
        d_cat = self._input_grads(s, e, self.kernel_t, needs)
        if self.reset_after:
            d_rec = self.dR.chunk(s, e)
            if needs[2]:
                self.d_recurrent_t += d_rec @ columns(self.H[s:e]).T
            if needs[3]:
                ones = self._ones(d_cat.shape[1])
                self.d_bias[0] += d_cat @ ones
                self.d_bias[1] += d_rec @ ones
        else:
            if needs[2]:
                self.d_recurrent_t[:2 * u] += d_cat[:2 * u] @ columns(self.H[s:e]).T
                self.d_recurrent_t[2 * u:] += d_cat[2 * u:] @ columns(self.RH[s:e]).T
            if needs[3]:
                self.d_bias += d_cat @ self._ones(d_cat.shape[1])

    def weight_grads(self, needs: Any) -> Any:
        return (self.d_kernel_t.T if needs[0] else None, self.d_recurrent_t.T if needs[1] else None,
                self.d_bias if needs[2] else None)


class _GRUOptions(RecurrentOp):
    core_class = GRUCore

    def _set(self, activation: Any, recurrent_activation: Any, reset_after: Any) -> None:
        self.activation = "linear" if activation is None else activation
        self.recurrent_activation = "linear" if recurrent_activation is None else recurrent_activation
        self.reset_after = bool(reset_after)
        resolve(self.activation, self.name, "activation")
        resolve(self.recurrent_activation, self.name, "recurrent_activation")

    def _core(self, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray,
              features: int) -> RecurrentCore:
        return GRUCore(kernel, recurrent_kernel, bias, self.activation, self.recurrent_activation,
                       self.reset_after, self.name, features)


class GRUStep(_GRUOptions, CellStep):
    """One GRU step: ``forward(x, h_prev, kernel, recurrent_kernel, bias)`` -> ``h (B, U)``.

    ``bias`` is ``(2, 3U)`` with ``reset_after=True`` (default) and ``(3U,)`` otherwise.
    Backward returns ``(dx, dh_prev, dkernel, drecurrent_kernel, dbias)``.
    """

    def __init__(self, activation: str = "tanh", recurrent_activation: str = "sigmoid",
                 reset_after: bool = True) -> None:
        self._set(activation, recurrent_activation, reset_after)


class GRUSequence(_GRUOptions, RecurrentSequence):
    """A GRU over a sequence: ``forward(x, h0, kernel, recurrent_kernel, bias[, mask])``.

    ``x (B, T, D)``, ``h0 (B, U)``, ``mask (B, T)`` booleans (optional). Returns
    ``(outputs, h)``: ``outputs (B, T, U)`` (the last one, ``(B, U)``, with
    ``return_sequences=False``) and the final ``h (B, U)``.
    Backward returns ``(dx, dh0, dkernel, drecurrent_kernel, dbias[, None])``.
    """

    def __init__(self, activation: str = "tanh", recurrent_activation: str = "sigmoid", reset_after: bool = True,
                 go_backwards: bool = False, zero_output_for_mask: bool = False, return_sequences: bool = True) -> None:
        RecurrentSequence.__init__(self, go_backwards, zero_output_for_mask, return_sequences)
        self._set(activation, recurrent_activation, reset_after)
