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
"""
from __future__ import annotations

import numpy as np

from .activations import resolve
from .sequence import CellStep, RecurrentCore, RecurrentSequence


class GRUCore(RecurrentCore):
    """The GRU arithmetic on time-major buffers (see ``sequence.py`` for the protocol)."""

    state_names = ("h",)
    gates = 3

    def __init__(self, kernel, recurrent_kernel, bias, activation, recurrent_activation, reset_after,
                 op_name, features):
        self.reset_after = reset_after
        self._check_and_prepare(op_name, kernel, recurrent_kernel, bias, features,
                                (lambda u: (2, 3 * u)) if reset_after else (lambda u: (3 * u,)))
        u = self.units
        self.act, self.act_d = resolve(activation, op_name, "activation")
        self.rec, self.rec_d = resolve(recurrent_activation, op_name, "recurrent_activation")
        self.halved = recurrent_activation == "sigmoid"
        half = np.ones(3 * u, dtype=self.dtype)
        if self.halved:  # the forward pass sees a/2 in the z and r columns
            half[:2 * u] = 0.5
        self.kernel = kernel
        self.kernel_fwd = kernel * half
        if reset_after:
            self.bias_in, self.bias_rec = bias[0] * half, bias[1] * half
            self.recurrent_fwd = recurrent_kernel * half
            self.recurrent_t = np.ascontiguousarray(recurrent_kernel.T)
        else:
            self.bias_in = bias * half
            self.recurrent_zr_fwd = np.ascontiguousarray(recurrent_kernel[:, :2 * u] * half[:2 * u])
            self.recurrent_h = np.ascontiguousarray(recurrent_kernel[:, 2 * u:])
            self.recurrent_zr_t = np.ascontiguousarray(recurrent_kernel[:, :2 * u].T)
            self.recurrent_h_t = np.ascontiguousarray(self.recurrent_h.T)

    def start(self, xt, states):
        self._allocate_states(xt, states)
        steps, batch, _ = xt.shape
        u = self.units
        self.A = self.input_gemm(self.kernel_fwd, self.bias_in)
        if self.reset_after:
            self.R = np.empty((steps, batch, 3 * u), dtype=self.dtype)  # h_prev @ recurrent_kernel + bias[1]
        else:
            self.RH = np.empty((steps, batch, u), dtype=self.dtype)     # r * h_prev
            self._zr = np.empty((batch, 2 * u), dtype=self.dtype)
        self._scratch = np.empty((batch, u), dtype=self.dtype)

    def skip(self, t):
        super().skip(t)
        if not self.reset_after:
            self.RH[t] = 0  # it enters the recurrent kernel's gradient GEMM

    def step(self, t):
        u = self.units
        a, h_prev, scratch = self.A[t], self.H[t], self._scratch
        zr, ah = a[:, :2 * u], a[:, 2 * u:]
        if self.reset_after:
            rec = self.R[t]
            np.matmul(h_prev, self.recurrent_fwd, out=rec)
            rec += self.bias_rec
            zr += rec[:, :2 * u]
        else:
            np.matmul(h_prev, self.recurrent_zr_fwd, out=self._zr)
            zr += self._zr
        if self.halved:
            np.tanh(zr, out=zr)
            zr *= 0.5
            zr += 0.5
        else:
            self.rec(zr, zr)
        z, r = a[:, :u], a[:, u:2 * u]
        if self.reset_after:
            np.multiply(r, rec[:, 2 * u:], out=scratch)
        else:
            np.multiply(r, h_prev, out=self.RH[t])
            np.matmul(self.RH[t], self.recurrent_h, out=scratch)
        ah += scratch
        self.act(ah, ah)
        np.subtract(h_prev, ah, out=scratch)     # h = hh + z * (h_prev - hh)
        scratch *= z
        np.add(ah, scratch, out=self.H[t + 1])

    def start_backward(self):
        batch, u = self.H.shape[1], self.units
        self.dA = np.empty_like(self.A)
        if self.reset_after:
            self.dR = np.empty_like(self.R)
        self._direct = np.empty((batch, u), dtype=self.dtype)
        self._deriv = np.empty((batch, 3 * u), dtype=self.dtype)

    def skip_backward(self, t):
        self.dA[t] = 0
        if self.reset_after:
            self.dR[t] = 0

    def step_backward(self, t, d_states):
        dh = d_states[0]
        u = self.units
        a, da, h_prev, deriv, direct = self.A[t], self.dA[t], self.H[t], self._deriv, self._direct
        z, r, hh = a[:, :u], a[:, u:2 * u], a[:, 2 * u:]
        dz, dr, dhh = da[:, :u], da[:, u:2 * u], da[:, 2 * u:]
        np.subtract(h_prev, hh, out=dz)
        dz *= dh
        np.multiply(dh, z, out=direct)            # the part of dh_prev that skips the gates
        np.subtract(dh, direct, out=dhh)
        self.act_d(hh, deriv[:, 2 * u:])
        dhh *= deriv[:, 2 * u:]                   # now the gradient of the candidate's pre-activation
        if self.reset_after:
            np.multiply(dhh, self.R[t][:, 2 * u:], out=dr)
        else:
            d_rh = self._scratch
            np.matmul(dhh, self.recurrent_h_t, out=d_rh)
            np.multiply(d_rh, h_prev, out=dr)
            d_rh *= r
            direct += d_rh
        self.rec_d(a[:, :2 * u], deriv[:, :2 * u])
        da[:, :2 * u] *= deriv[:, :2 * u]
        if self.reset_after:
            d_rec = self.dR[t]
            d_rec[:, :2 * u] = da[:, :2 * u]
            np.multiply(dhh, r, out=d_rec[:, 2 * u:])
            np.matmul(d_rec, self.recurrent_t, out=dh)
        else:
            np.matmul(da[:, :2 * u], self.recurrent_zr_t, out=dh)
        dh += direct

    def weight_grads(self, needs):
        u = self.units
        d_a = self.dA.reshape(-1, 3 * u)
        dk = self.flat_inputs().T @ d_a if needs[0] else None
        dr = db = None
        if self.reset_after:
            d_rec = self.dR.reshape(-1, 3 * u)
            if needs[1]:
                dr = self.previous_states().T @ d_rec
            if needs[2]:
                db = np.stack([d_a.sum(axis=0), d_rec.sum(axis=0)])
        else:
            if needs[1]:
                dr = np.empty((u, 3 * u), dtype=self.dtype)
                np.matmul(self.previous_states().T, d_a[:, :2 * u], out=dr[:, :2 * u])
                np.matmul(self.RH.reshape(-1, u).T, d_a[:, 2 * u:], out=dr[:, 2 * u:])
            if needs[2]:
                db = d_a.sum(axis=0)
        return dk, dr, db


class _GRUOptions:
    core_class = GRUCore

    def _set(self, activation, recurrent_activation, reset_after):
        self.activation = "linear" if activation is None else activation
        self.recurrent_activation = "linear" if recurrent_activation is None else recurrent_activation
        self.reset_after = bool(reset_after)
        resolve(self.activation, self.name, "activation")
        resolve(self.recurrent_activation, self.name, "recurrent_activation")

    def _core(self, kernel, recurrent_kernel, bias, features):
        return GRUCore(kernel, recurrent_kernel, bias, self.activation, self.recurrent_activation,
                       self.reset_after, self.name, features)


class GRUStep(_GRUOptions, CellStep):
    """One GRU step: ``forward(x, h_prev, kernel, recurrent_kernel, bias)`` -> ``h (B, U)``.

    ``bias`` is ``(2, 3U)`` with ``reset_after=True`` (default) and ``(3U,)`` otherwise.
    Backward returns ``(dx, dh_prev, dkernel, drecurrent_kernel, dbias)``.
    """

    def __init__(self, activation="tanh", recurrent_activation="sigmoid", reset_after=True):
        self._set(activation, recurrent_activation, reset_after)


class GRUSequence(_GRUOptions, RecurrentSequence):
    """A GRU over a sequence: ``forward(x, h0, kernel, recurrent_kernel, bias[, mask])``.

    ``x (B, T, D)``, ``h0 (B, U)``, ``mask (B, T)`` booleans (optional). Returns the packed
    ``(B, T + 1, U)``: outputs ``[:, :T]``, final ``h`` ``[:, T]`` (see :func:`split_packed`).
    Backward returns ``(dx, dh0, dkernel, drecurrent_kernel, dbias[, None])``.
    """

    def __init__(self, activation="tanh", recurrent_activation="sigmoid", reset_after=True, go_backwards=False,
                 zero_output_for_mask=False):
        RecurrentSequence.__init__(self, go_backwards, zero_output_for_mask)
        self._set(activation, recurrent_activation, reset_after)
