"""Compiled (numba) loops: an optional fast path for the optimizer updates of :mod:`chainrule.ops.updates`
and the element-wise part of the LSTM and GRU steps (:mod:`chainrule.ops.recurrent`), and 2-D max pooling.

Imported only by :mod:`chainrule.ops.tier_up` when its rule decides to (numba installed, fast paths
and ``chainrule.config.set_compiled_kernels`` on, enough work done to repay the import): never at
``import chainrule``. Each function is one pass over C-contiguous arrays of one float dtype that
does, element by element, exactly the float operations of the numpy code it stands for, in the same
order, rounding each to the arrays' dtype: the results are bit-identical to the numpy path
(``tests/ops/test_update_kernels.py``, ``tests/ops/test_recurrent_kernels.py``,
``tests/ops/test_pooling_kernels.py``), so switching between the two is invisible in the numbers.
(The recurrent steps' ``tanh`` stays numpy's: a compiled ``tanh`` is libm's, whose last bits differ.)

What keeps them identical:

* every scalar (``lr``, the bias-corrected ``alpha``, ``1 - beta_1``...) is computed by the op in
  Python exactly as its numpy path computes it and passed in as a scalar of the arrays' dtype; the
  loops hold no literal constant that could promote a float32 expression to float64;
* no fast-math: LLVM neither fuses a multiply and an add into one FMA nor reassociates, and ``sqrt``
  and ``/`` are IEEE-rounded as numpy's are; the CPU's flush-to-zero mode (``_fpenv``) applies to
  these loops as it does to numpy's, since they run on the calling thread;
* each statement is one of numpy's passes (or several that read nothing written in between), for one
  element: it reads the arrays after the previous statements wrote them, as numpy's next pass reads
  them, so even a gradient that is the very array of a slot gives numpy's numbers (LLVM checks that the
  arrays do not overlap before it runs the vectorized loop, so the rereads cost nothing);
* ``error_model='numpy'``: a division by zero gives inf/nan as numpy does instead of raising (the
  default 'python' model also checks every division, which stops LLVM from vectorizing the loop).

They write into ``var`` and the slots and allocate nothing. ``cache=True`` keeps the machine code in
numba's cache (``__pycache__`` beside this file, or the user's cache folder), so a later process loads
a function in a fraction of a second instead of compiling it.
"""
from __future__ import annotations

import numba
import numpy as np

Array = np.ndarray      # 1-D, C-contiguous, float32 or float64 (all of one call's arrays of one dtype)
Scalar = np.floating    # a numpy scalar of the arrays' dtype (a Python float would make float32 loops float64)

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def _maximum(a: Scalar, b: Scalar) -> Scalar:
    """``np.maximum(a, b)`` for one pair as numpy computes it: a NaN on either side wins (``a``'s if both),
    and a tie (``0.0`` against ``-0.0``) gives ``b``."""
    return a if (a > b or a != a) else b


@_jit
def weight_decay(var: Array, lr: Scalar, decay: Scalar) -> None:
    """WeightDecay: ``var -= (var * decay) * lr``."""
    for i in range(var.size):
        var[i] -= (var[i] * decay) * lr


@_jit
def sgd(var: Array, g: Array, lr: Scalar) -> None:
    """SGDStep without momentum: ``var -= g * lr``."""
    for i in range(var.size):
        var[i] -= g[i] * lr


@_jit
def sgd_momentum(var: Array, g: Array, lr: Scalar, m: Array, momentum: Scalar) -> None:
    """SGDStep with momentum: ``m = m * momentum - g * lr; var += m``."""
    for i in range(var.size):
        lr_g = g[i] * lr
        m[i] *= momentum
        m[i] -= lr_g
        var[i] += m[i]


@_jit
def sgd_nesterov(var: Array, g: Array, lr: Scalar, m: Array, momentum: Scalar) -> None:
    """SGDStep, Nesterov: ``m = m * momentum - g * lr; var += m * momentum - g * lr``."""
    for i in range(var.size):
        lr_g = g[i] * lr
        m[i] *= momentum
        m[i] -= lr_g
        var[i] += m[i] * momentum - lr_g


@_jit
def adagrad(var: Array, g: Array, lr: Scalar, acc: Array, epsilon: Scalar) -> None:
    """AdagradStep: ``acc += g * g; var -= (g * lr) / sqrt(acc + epsilon)``."""
    for i in range(var.size):
        acc[i] += g[i] * g[i]
        var[i] -= (g[i] * lr) / np.sqrt(acc[i] + epsilon)


@_jit
def rmsprop(var: Array, g: Array, lr: Scalar, v: Array, rho: Scalar, one_minus_rho: Scalar, epsilon: Scalar) -> None:
    """RMSpropStep, plain: ``v = v * rho + (g * g) * (1 - rho); var -= (g * lr) / sqrt(v + epsilon)``."""
    for i in range(var.size):
        v[i] *= rho
        v[i] += g[i] * g[i] * one_minus_rho
        var[i] -= (g[i] * lr) / np.sqrt(v[i] + epsilon)


@_jit
def rmsprop_momentum(var: Array, g: Array, lr: Scalar, v: Array, m: Array, rho: Scalar, one_minus_rho: Scalar,
                     epsilon: Scalar, momentum: Scalar) -> None:
    """RMSpropStep with momentum: as :func:`rmsprop`, then ``m = m * momentum + increment; var -= m``."""
    for i in range(var.size):
        v[i] *= rho
        v[i] += g[i] * g[i] * one_minus_rho
        increment = (g[i] * lr) / np.sqrt(v[i] + epsilon)
        m[i] *= momentum
        m[i] += increment
        var[i] -= m[i]


@_jit
def rmsprop_centered(var: Array, g: Array, lr: Scalar, v: Array, mg: Array, rho: Scalar, one_minus_rho: Scalar,
                     epsilon: Scalar) -> None:
    """RMSpropStep, centered: ``mg = mg * rho + g * (1 - rho)``, the denominator ``sqrt((v - mg * mg) + epsilon)``."""
    for i in range(var.size):
        v[i] *= rho
        v[i] += g[i] * g[i] * one_minus_rho
        mg[i] *= rho
        mg[i] += g[i] * one_minus_rho
        var[i] -= (g[i] * lr) / np.sqrt((v[i] - mg[i] * mg[i]) + epsilon)


@_jit
def rmsprop_centered_momentum(var: Array, g: Array, lr: Scalar, v: Array, m: Array, mg: Array, rho: Scalar,
                              one_minus_rho: Scalar, epsilon: Scalar, momentum: Scalar) -> None:
    """RMSpropStep, centered and with momentum."""
    for i in range(var.size):
        v[i] *= rho
        v[i] += g[i] * g[i] * one_minus_rho
        mg[i] *= rho
        mg[i] += g[i] * one_minus_rho
        increment = (g[i] * lr) / np.sqrt((v[i] - mg[i] * mg[i]) + epsilon)
        m[i] *= momentum
        m[i] += increment
        var[i] -= m[i]


@_jit
def adam(var: Array, g: Array, m: Array, v: Array, alpha: Scalar, one_minus_beta_1: Scalar, one_minus_beta_2: Scalar,
         epsilon: Scalar) -> None:
    """AdamStep: ``m += (g - m) * (1 - beta_1); v += (g * g - v) * (1 - beta_2);
    var -= (m * alpha) / (sqrt(v) + epsilon)``."""
    for i in range(var.size):
        m[i] += (g[i] - m[i]) * one_minus_beta_1
        v[i] += (g[i] * g[i] - v[i]) * one_minus_beta_2
        var[i] -= (m[i] * alpha) / (np.sqrt(v[i]) + epsilon)


@_jit
def adam_amsgrad(var: Array, g: Array, m: Array, v: Array, v_hat: Array, alpha: Scalar, one_minus_beta_1: Scalar,
                 one_minus_beta_2: Scalar, epsilon: Scalar) -> None:
    """AdamStep with amsgrad: as :func:`adam`, with ``v_hat = maximum(v_hat, v)`` in the denominator."""
    for i in range(var.size):
        m[i] += (g[i] - m[i]) * one_minus_beta_1
        v[i] += (g[i] * g[i] - v[i]) * one_minus_beta_2
        v_hat[i] = _maximum(v_hat[i], v[i])
        var[i] -= (m[i] * alpha) / (np.sqrt(v_hat[i]) + epsilon)


@_jit
def adamax(var: Array, g: Array, lr: Scalar, m: Array, u: Array, one_minus_beta_1: Scalar, beta_2: Scalar,
           epsilon: Scalar, correction: Scalar) -> None:
    """AdamaxStep: ``u = maximum(u * beta_2, |g|); var -= (m * lr) / ((u + epsilon) * correction)``."""
    for i in range(var.size):
        m[i] += (g[i] - m[i]) * one_minus_beta_1
        u[i] *= beta_2
        u[i] = _maximum(u[i], np.abs(g[i]))
        var[i] -= (m[i] * lr) / ((u[i] + epsilon) * correction)


@_jit
def nadam(var: Array, g: Array, lr: Scalar, m: Array, v: Array, one_minus_beta_1: Scalar, one_minus_beta_2: Scalar,
          m_scale: Scalar, g_scale: Scalar, v_scale: Scalar, epsilon: Scalar) -> None:
    """NadamStep: ``var -= ((m * m_scale + g * g_scale) * lr) / (sqrt(v * v_scale) + epsilon)`` after the moments."""
    for i in range(var.size):
        m[i] += (g[i] - m[i]) * one_minus_beta_1
        v[i] += (g[i] * g[i] - v[i]) * one_minus_beta_2
        var[i] -= ((m[i] * m_scale + g[i] * g_scale) * lr) / (np.sqrt(v[i] * v_scale) + epsilon)


# ----------------------------------------------------------------------------- the LSTM step (tanh / sigmoid)
# ``LSTMCore`` (ops/recurrent/lstm.py) keeps its gates as column blocks: ``z`` is ``(4U, B)`` with the rows of
# i, f, o (sigmoid) then g (tanh); states are ``(U, B)``. Each element's statements below are the numpy passes
# of ``LSTMCore.step`` / ``step_backward`` for that element, in their order; ``one``/``half`` are 1 and 0.5 in
# the arrays' dtype (numpy's Python-int 1 and float 0.5 take the array's dtype too).

@_jit
def lstm_step_forward(z: np.ndarray, c_prev: np.ndarray, c: np.ndarray, half: Scalar) -> None:
    """LSTMCore.step after its one ``tanh`` over all of ``z``: the sigmoid rows ``z * 0.5 + 0.5``, then
    ``c = f * c_prev + i * g``. ``z (4U, B)``, ``c_prev`` and ``c`` ``(U, B)``, all C-contiguous."""
    u, b = c.shape
    for r in range(3 * u):
        for k in range(b):
            z[r, k] = z[r, k] * half + half
    for r in range(u):
        for k in range(b):
            c[r, k] = z[u + r, k] * c_prev[r, k] + z[r, k] * z[3 * u + r, k]


@_jit
def lstm_step_backward(z: np.ndarray, ac: np.ndarray, c_prev: np.ndarray, dh: np.ndarray, dc: np.ndarray,
                       d_gates: np.ndarray, slot: int, one: Scalar) -> None:
    """LSTMCore.step_backward's element-wise part (tanh activation, sigmoid recurrent activation)::

        dc += dh * o * (1 - tanh(c)**2)
        d_gates[:, slot] = (dc * g, dc * c_prev, dh * tanh(c), dc * i) * (i', f', o', g')
        dc *= f

    with ``i' = (1 - i) * i`` (sigmoid's derivative from its output) and ``g' = 1 - g * g`` (tanh's).
    ``z (4U, B)`` the step's activated gates, ``ac = tanh(c)``, ``c_prev``, ``dh``, ``dc`` ``(U, B)``;
    ``d_gates`` is ``StepColumns.data`` ``(4U, K, B)``, whose block ``slot`` receives the gate gradients
    (passing the whole C-contiguous buffer lets the loop store with unit stride).
    """
    u, b = dh.shape
    for r in range(u):
        for k in range(b):
            i = z[r, k]
            f = z[u + r, k]
            o = z[2 * u + r, k]
            g = z[3 * u + r, k]
            a = ac[r, k]
            h = dh[r, k]
            s = one - a * a
            s = s * o
            s = s * h
            c = dc[r, k] + s
            d_gates[r, slot, k] = (c * g) * ((one - i) * i)
            d_gates[u + r, slot, k] = (c * c_prev[r, k]) * ((one - f) * f)
            d_gates[2 * u + r, slot, k] = (h * a) * ((one - o) * o)
            d_gates[3 * u + r, slot, k] = (c * i) * (one - g * g)
            dc[r, k] = c * f


# --------------------------------------------------------------------------- the GRU step (reset_after, tanh / sigmoid)
# ``GRUCore`` keeps ``a (3U, B)``: the rows of z, r (sigmoid) then the candidate hh (tanh); ``rec (3U, B)`` is the
# step's recurrent projection ``R^T h_prev + bias[1]``. Three forward loops around numpy's two ``tanh`` calls,
# one backward loop; each element's statements are the numpy passes of ``GRUCore.step`` / ``step_backward``.

@_jit
def gru_step_gates_in(rec: np.ndarray, bias_rec: np.ndarray, a: np.ndarray) -> None:
    """Before the gates' ``tanh``: ``rec += bias_rec`` (``(3U, 1)``, over the batch), then ``a[:2U] += rec[:2U]``."""
    g3, b = rec.shape
    u = g3 // 3
    for r in range(g3):
        for k in range(b):
            rec[r, k] = rec[r, k] + bias_rec[r, 0]
    for r in range(2 * u):
        for k in range(b):
            a[r, k] = a[r, k] + rec[r, k]


@_jit
def gru_step_candidate_in(a: np.ndarray, rec: np.ndarray, half: Scalar) -> None:
    """After the gates' ``tanh``: z and r rows ``a * 0.5 + 0.5``, then the candidate ``a_h += r * rec_h``."""
    g3, b = a.shape
    u = g3 // 3
    for r in range(2 * u):
        for k in range(b):
            a[r, k] = a[r, k] * half + half
    for r in range(u):
        for k in range(b):
            a[2 * u + r, k] = a[2 * u + r, k] + a[u + r, k] * rec[2 * u + r, k]


@_jit
def gru_step_state(a: np.ndarray, h_prev: np.ndarray, h: np.ndarray) -> None:
    """After the candidate's ``tanh``: ``h = hh + (h_prev - hh) * z``."""
    u, b = h.shape
    for r in range(u):
        for k in range(b):
            hh = a[2 * u + r, k]
            h[r, k] = hh + (h_prev[r, k] - hh) * a[r, k]


@_jit
def gru_step_backward(a: np.ndarray, h_prev: np.ndarray, rec: np.ndarray, dh: np.ndarray, direct: np.ndarray,
                      d_gates: np.ndarray, d_rec: np.ndarray, slot: int, one: Scalar) -> None:
    """GRUCore.step_backward's element-wise part (reset_after, tanh activation, sigmoid recurrent activation)::

        dz = (h_prev - hh) * dh * z'          direct = dh * z
        dhh = (dh - direct) * (1 - hh * hh)    dr = dhh * rec_h * r'
        d_gates[:, slot] = (dz, dr, dhh)       d_rec[:, slot] = (dz, dr, dhh * r)

    with ``z' = (1 - z) * z`` (sigmoid's derivative from its output). ``d_gates`` and ``d_rec`` are the
    ``StepColumns.data`` buffers ``(3U, K, B)``; the caller then adds ``recurrent @ d_rec[:, slot]`` and
    ``direct`` into ``dh``.
    """
    u, b = dh.shape
    for r in range(u):
        for k in range(b):
            z = a[r, k]
            rr = a[u + r, k]
            hh = a[2 * u + r, k]
            g = dh[r, k]
            dz = (h_prev[r, k] - hh) * g
            d = g * z
            direct[r, k] = d
            dhh = g - d
            dhh = dhh * (one - hh * hh)
            dr = dhh * rec[2 * u + r, k]
            dz = dz * ((one - z) * z)
            dr = dr * ((one - rr) * rr)
            d_gates[r, slot, k] = dz
            d_gates[u + r, slot, k] = dr
            d_gates[2 * u + r, slot, k] = dhh
            d_rec[r, slot, k] = dz
            d_rec[u + r, slot, k] = dr
            d_rec[2 * u + r, slot, k] = dhh * rr


# --------------------------------------------------------------------------- 2-D max pooling (channels_last)
# ``MaxPool`` (ops/pooling.py) on a padded ``(N, H, W, C)`` input, its window offsets ``k`` in row-major order
# (``k // pw``, ``k % pw``). The numpy path runs one whole-array pass per offset; these loops visit each
# output once, with the same comparisons, so the output, the argmax and the gradient are the same bits.

@_jit
def max_pool2d_forward(xp: np.ndarray, out: np.ndarray, argmax: np.ndarray, ph: int, pw: int, sh: int,
                       sw: int) -> None:
    """``out = maximum(...maximum(slab_0, slab_1)..., slab_last)`` (numpy's ``maximum``: NaN wins, and a
    tie of 0.0 and -0.0 gives the later slab) and ``argmax`` = the first offset whose value equals it
    (``last`` when none does, as a NaN window has it)."""
    n, oh, ow, c = out.shape
    last = ph * pw - 1
    for i in range(n):
        for y in range(oh):
            for x in range(ow):
                y0 = y * sh
                x0 = x * sw
                for ch in range(c):
                    out[i, y, x, ch] = xp[i, y0, x0, ch]
                for k in range(1, ph * pw):
                    for ch in range(c):
                        out[i, y, x, ch] = _maximum(out[i, y, x, ch], xp[i, y0 + k // pw, x0 + k % pw, ch])
                for ch in range(c):
                    argmax[i, y, x, ch] = last
                for k in range(last - 1, -1, -1):  # backwards, so the first equal offset is written last
                    for ch in range(c):
                        if not (xp[i, y0 + k // pw, x0 + k % pw, ch] != out[i, y, x, ch]):
                            argmax[i, y, x, ch] = k


@_jit
def max_pool2d_backward(dy: np.ndarray, argmax: np.ndarray, dxp: np.ndarray, ph: int, pw: int, sh: int, sw: int,
                        zero: Scalar, one: Scalar) -> None:
    """For windows that do not overlap: each window position ``k`` gets ``dy * (argmax == k)`` (numpy's
    product with a boolean, so a non-finite ``dy`` leaves NaN on the losers too). ``dxp`` is the padded
    input's gradient; positions no window covers are the caller's to zero."""
    n, oh, ow, c = dy.shape
    for i in range(n):
        for y in range(oh):
            for x in range(ow):
                y0 = y * sh
                x0 = x * sw
                for k in range(ph * pw):
                    for ch in range(c):
                        won = one if argmax[i, y, x, ch] == k else zero
                        dxp[i, y0 + k // pw, x0 + k % pw, ch] = dy[i, y, x, ch] * won
