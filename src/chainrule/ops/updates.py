"""State updates: the kernels that change a Variable's value (optimizer steps, moving averages, assignments).

They are ops without a gradient. ``Variable.apply_update(update, *inputs)`` runs
``update.forward(value, *input_arrays)`` and binds what it returns as the new
value, so a ``chainrule.function`` trace records the update and every replay
repeats it. ``forward`` may write into ``value`` in place and return it (the
optimizer kernels do, to avoid a copy per step); an update that writes into one
of its inputs too (an optimizer's slot, such as Adam's moments) names that
input's position in ``writes``. Each kernel is the Keras formula written out in
numpy, in float32, with its temporaries in a reusable workspace; over arrays of
``BLOCKED_FROM`` values or more its passes run block by block (:func:`_blocks`: the
same numbers, read from cache instead of memory).

The scalars of a step are inputs, not constants: ``lr`` is the learning rate
(a 0-d array, from a Variable or a schedule) and ``iterations`` the optimizer's
step count *before* this step, so a replayed step uses the current values.

Compiled kernels (optional, ``pip install 'chainrule[fast]'``): the optimizer steps
(``SGDStep``, ``AdagradStep``, ``RMSpropStep``, ``AdamStep``, ``AdamaxStep``,
``NadamStep``, ``WeightDecay``) run their numpy formulas until the tier-up rule of
:mod:`chainrule.ops.tier_up` says the work done (each update counts its elements) repays
numba's one-off load (4e8 element-updates in a process, or a ``fit`` whose first step's work
times its steps is that much), then, when numba is installed,
one compiled loop each (:mod:`chainrule.ops.kernels`) instead of their 2 to 14 numpy
passes: the same float operations in the same order, so the values are bit-identical
and a replayed step switches without changing a number. Only C-contiguous float32 and
float64 arrays of the variable's shape take the compiled loop; anything else stays on
numpy. ``chainrule.config.set_compiled_kernels(False)`` (or ``set_fast_paths(False)``)
keeps every update on numpy.
"""
from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

import numpy as np

from .. import backend as _backend
from .base import Op
from .tier_up import KERNEL_DTYPES, kernels_for


class StateUpdate(Op):
    """Base of the update kernels: ``forward(value, *inputs)`` returns the new value; no gradient."""

    differentiable = False
    #: positions (in ``inputs``, 0-based) of the inputs this update writes in place.
    writes: tuple[int, ...] = ()

    def __init__(self, workspace: dict | None = None) -> None:
        self._workspace = {} if workspace is None else workspace

    def scratch(self, like: np.ndarray, k: int = 0) -> np.ndarray:
        """A reusable temporary array shaped and typed like ``like`` (the ``k``-th one of that shape)."""
        key = (like.shape, like.dtype.str, k)
        buf = self._workspace.get(key)
        if buf is None:
            buf = self._workspace[key] = np.empty(like.shape, like.dtype)
        return buf

    def backward(self, dout: np.ndarray) -> None:
        raise TypeError(f"{self.name} is a state update: it has no gradient.")


# ----------------------------------------------------------------------------- compiled kernels


def _flat(var: np.ndarray, *others: Any) -> list | None:
    """``var`` and ``others`` as 1-D views for a compiled kernel, or None when the numpy path must run.

    Every array must be a C-contiguous ndarray of ``var``'s shape and dtype (float32 or float64), and
    ``var`` writable; a 1-D array is passed as it is (no new view object per step).
    """
    if var.dtype not in KERNEL_DTYPES or not var.flags.c_contiguous or not var.flags.writeable:
        return None
    shape, dtype = var.shape, var.dtype
    views = [var if var.ndim == 1 else var.reshape(-1)]
    for a in others:
        if (type(a) is not np.ndarray or a.shape != shape or a.dtype != dtype or not a.flags.c_contiguous
                or not a.flags.writeable):
            return None
        views.append(a if a.ndim == 1 else a.reshape(-1))
    return views


# ----------------------------------------------------------------------------- cache blocks (numpy path)

#: Elements per block when a numpy update works through large arrays (:func:`_blocks`): 128 KB of each
#: float32 array, so the five or six arrays of a step stay in L2 across its passes.
BLOCK_ELEMENTS = 1 << 15
#: Arrays of fewer elements run whole. Below this (512 KB of float32) a step's arrays are about L2's size,
#: they stay in cache between passes anyway, and each block's extra numpy calls cost more than they save:
#: W1's Adam over 101,770 values took ~30 us longer per step in 4 blocks.
BLOCKED_FROM = 4 * BLOCK_ELEMENTS


def _blocks(*arrays: Any) -> Iterator[tuple]:
    """The arrays of a numpy update (``var`` first, then the arrays of its shape it reads or writes), as the
    tuples of views its passes should run over, one after another.

    An update's formula is element-wise: each element's new value depends on that element of each array
    only. So over arrays of ``BLOCKED_FROM`` elements or more it runs block by block: its 3 to 14 passes
    then read a block still in cache from the pass before, instead of reading the whole arrays from memory
    each time (Adam over 673,000 float32 values: 2.1 -> 1.3 ms; RMSprop over 11.3 million in a fit step:
    40 -> 22 ms). The float operations are the same, in the same order for each element: bit for bit the
    numbers of the whole-array passes.

    Yields the arrays themselves, once, when they are small, not all C-contiguous float32/float64 arrays of
    ``var``'s shape (:func:`_flat`), when two of them overlap other than exactly (whole-array numpy reads an
    overlapping input before writing; block by block would not), or with ``set_fast_paths(False)``.
    """
    if arrays[0].size < BLOCKED_FROM or not _backend.fast_paths_enabled():
        yield arrays
        return
    flat = _flat(*arrays)
    if flat is None or not _apart_or_same(flat):
        yield arrays
        return
    for start in range(0, flat[0].size, BLOCK_ELEMENTS):
        stop = start + BLOCK_ELEMENTS
        yield tuple(a[start:stop] for a in flat)


def _apart_or_same(flat: list) -> bool:
    """Whether each two of the 1-D contiguous arrays ``flat`` (one dtype) use disjoint memory or the same."""
    spans = sorted({(a.__array_interface__["data"][0], a.nbytes) for a in flat})
    return all(start + size <= next_start for (start, size), (next_start, _) in zip(spans, spans[1:]))


# ----------------------------------------------------------------------------- assignments

class Assign(StateUpdate):
    """``value = new`` (a new array: ops that read the old value keep what they saw)."""

    def forward(self, value: np.ndarray, new: np.ndarray) -> np.ndarray:
        return np.array(new, dtype=value.dtype, copy=True)


class AssignSlice(StateUpdate):
    """``value[key] = new`` (a new array, as :class:`Assign`): ``v[0, 0].assign(3.0)`` in TensorFlow.

    ``key`` is a numpy index (ints, slices, ``Ellipsis``, ``None``); ``new`` broadcasts to the slice.
    """

    def __init__(self, key: Any) -> None:
        super().__init__()
        self.key = key

    def forward(self, value: np.ndarray, new: np.ndarray) -> np.ndarray:
        out = value.copy()
        out[self.key] = new
        return out


class AssignAdd(StateUpdate):
    """``value = value + delta`` (a new array)."""

    def forward(self, value: np.ndarray, delta: np.ndarray) -> np.ndarray:
        return value + np.asarray(delta, dtype=value.dtype)


class AssignSub(StateUpdate):
    """``value = value - delta`` (a new array)."""

    def forward(self, value: np.ndarray, delta: np.ndarray) -> np.ndarray:
        return value - np.asarray(delta, dtype=value.dtype)


class AddInPlace(StateUpdate):
    """``value += delta`` in place (accumulators such as an optimizer's step count or gradient sums)."""

    def forward(self, value: np.ndarray, delta: np.ndarray) -> np.ndarray:
        value += np.asarray(delta, dtype=value.dtype)
        return value


class MovingAverage(StateUpdate):
    """``value = momentum * value + (1 - momentum) * new`` in place (BatchNormalization's statistics, EMA).

    ``new`` may have the shape of ``value`` or any shape of the same size (a
    batch mean computed with kept axes).
    """

    def __init__(self, momentum: float, workspace: dict | None = None) -> None:
        super().__init__(workspace)
        self.momentum = float(momentum)

    def forward(self, value: np.ndarray, new: np.ndarray) -> np.ndarray:
        dt = value.dtype.type
        value *= dt(self.momentum)
        tmp = self.scratch(value)
        np.multiply(np.reshape(new, value.shape), dt(1.0 - self.momentum), out=tmp)
        value += tmp
        return value


# ----------------------------------------------------------------------------- optimizer steps

class WeightDecay(StateUpdate):
    """Decoupled weight decay before a step: ``var -= var * weight_decay * lr``.

    Compiled (after the tier-up, with numba): :func:`chainrule.ops.kernels.weight_decay`, bit-identical.
    """

    def __init__(self, weight_decay: float, workspace: dict | None = None) -> None:
        super().__init__(workspace)
        self.weight_decay = float(weight_decay)

    def forward(self, var: np.ndarray, lr: np.ndarray) -> np.ndarray:
        dt = var.dtype.type
        lr_, weight_decay = dt(lr), dt(self.weight_decay)
        kernels = kernels_for(var.size)
        if kernels is not None and (flat := _flat(var)) is not None:
            kernels.weight_decay(*flat, lr_, weight_decay)
            return var
        for (var_,) in _blocks(var):
            tmp = self.scratch(var_)
            np.multiply(var_, weight_decay, out=tmp)
            tmp *= lr_
            var_ -= tmp
        return var


class SGDStep(StateUpdate):
    """SGD, Keras's form. ``forward(var, g, lr[, m])``::

        momentum == 0:  var -= lr * g
        otherwise:      m = momentum * m - lr * g
                        var += m                          (nesterov=False)
                        var += momentum * m - lr * g      (nesterov=True)

    Compiled (after the tier-up, with numba): ``kernels.sgd``, ``sgd_momentum``, ``sgd_nesterov``, bit-identical.
    """

    writes = (2,)

    def __init__(self, momentum: float = 0.0, nesterov: bool = False, workspace: Any = None) -> None:
        super().__init__(workspace)
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def forward(self, var: np.ndarray, g: np.ndarray, lr: np.ndarray, m: np.ndarray | None = None) -> np.ndarray:
        dt = var.dtype.type
        lr_, momentum = dt(lr), dt(self.momentum)
        kernels = kernels_for(var.size)
        if kernels is not None:
            if m is None:
                if (flat := _flat(var, g)) is not None:
                    kernels.sgd(*flat, lr_)
                    return var
            elif (flat := _flat(var, g, m)) is not None:
                step = kernels.sgd_nesterov if self.nesterov else kernels.sgd_momentum
                step(flat[0], flat[1], lr_, flat[2], momentum)
                return var
        if m is None:
            for var_, g_ in _blocks(var, g):
                lr_g = self.scratch(var_)
                np.multiply(g_, lr_, out=lr_g)
                var_ -= lr_g
            return var
        for var_, g_, m_ in _blocks(var, g, m):
            lr_g = self.scratch(var_)
            np.multiply(g_, lr_, out=lr_g)
            m_ *= momentum
            m_ -= lr_g
            if self.nesterov:
                step = self.scratch(var_, 1)
                np.multiply(m_, momentum, out=step)
                step -= lr_g
                var_ += step
            else:
                var_ += m_
        return var


class AdagradStep(StateUpdate):
    """Adagrad. ``forward(var, g, lr, acc)``: ``acc += g**2; var -= lr * g / sqrt(acc + epsilon)``.

    Compiled (after the tier-up, with numba): ``kernels.adagrad``, bit-identical.
    """

    writes = (2,)

    def __init__(self, epsilon: float = 1e-7, workspace: Any = None) -> None:
        super().__init__(workspace)
        self.epsilon = float(epsilon)

    def forward(self, var: np.ndarray, g: np.ndarray, lr: np.ndarray, acc: np.ndarray) -> np.ndarray:
        dt = var.dtype.type
        lr_, epsilon = dt(lr), dt(self.epsilon)
        kernels = kernels_for(var.size)
        if kernels is not None and (flat := _flat(var, g, acc)) is not None:
            kernels.adagrad(flat[0], flat[1], lr_, flat[2], epsilon)
            return var
        for var_, g_, acc_ in _blocks(var, g, acc):
            denom, step = self.scratch(var_), self.scratch(var_, 1)
            np.square(g_, out=step)
            acc_ += step
            np.add(acc_, epsilon, out=denom)
            np.sqrt(denom, out=denom)
            np.multiply(g_, lr_, out=step)
            step /= denom
            var_ -= step
        return var


class RMSpropStep(StateUpdate):
    """RMSprop. ``forward(var, g, lr, v[, m][, mg])`` (momentum slot when momentum > 0, mg when centered)::

        v = rho * v + (1 - rho) * g**2
        centered:  mg = rho * mg + (1 - rho) * g;  denom = v - mg**2 + epsilon
        otherwise: denom = v + epsilon
        increment = lr * g / sqrt(denom)
        momentum > 0: m = momentum * m + increment;  var -= m
        otherwise:    var -= increment

    Compiled (after the tier-up, with numba): ``kernels.rmsprop``, ``rmsprop_momentum``, ``rmsprop_centered``,
    ``rmsprop_centered_momentum``, bit-identical.
    """

    writes = (2, 3, 4)

    def __init__(self, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7, centered: bool = False,
                 workspace: Any = None) -> None:
        super().__init__(workspace)
        self.rho, self.momentum, self.epsilon, self.centered = float(rho), float(momentum), float(epsilon), centered

    def forward(self, var: np.ndarray, g: np.ndarray, lr: np.ndarray, v: np.ndarray, *slots: np.ndarray) -> np.ndarray:
        dt = var.dtype.type
        rho, one_minus_rho = dt(self.rho), dt(1.0 - self.rho)
        lr_, epsilon, momentum = dt(lr), dt(self.epsilon), dt(self.momentum)
        kernels = kernels_for(var.size)
        if kernels is not None and (flat := _flat(var, g, v, *slots)) is not None:
            args = (lr_, *flat[2:], rho, one_minus_rho, epsilon)
            if self.momentum > 0:
                step = kernels.rmsprop_centered_momentum if self.centered else kernels.rmsprop_momentum
                step(flat[0], flat[1], *args, momentum)
            else:
                (kernels.rmsprop_centered if self.centered else kernels.rmsprop)(flat[0], flat[1], *args)
            return var
        for var_, g_, v_, *slots_ in _blocks(var, g, v, *slots):
            denom, inc = self.scratch(var_), self.scratch(var_, 1)
            v_ *= rho
            np.square(g_, out=denom)
            denom *= one_minus_rho
            v_ += denom
            if self.centered:
                mg = slots_[-1]
                mg *= rho
                np.multiply(g_, one_minus_rho, out=denom)
                mg += denom
                np.square(mg, out=denom)
                np.subtract(v_, denom, out=denom)
                denom += epsilon
            else:
                np.add(v_, epsilon, out=denom)
            np.sqrt(denom, out=denom)
            np.multiply(g_, lr_, out=inc)
            inc /= denom
            if self.momentum > 0:
                m = slots_[0]
                m *= momentum
                m += inc
                var_ -= m
            else:
                var_ -= inc
        return var


def _update_moments(g: np.ndarray, m: np.ndarray, v: np.ndarray, tmp: np.ndarray, one_minus_beta_1: Any,
                    one_minus_beta_2: Any) -> None:
    """Adam's and Nadam's moments in place, as Keras writes them: ``m += (g - m) * (1 - beta_1)``,
    ``v += (g**2 - v) * (1 - beta_2)`` (``tmp``: a scratch array of their shape)."""
    np.subtract(g, m, out=tmp)
    tmp *= one_minus_beta_1
    m += tmp
    np.square(g, out=tmp)
    tmp -= v
    tmp *= one_minus_beta_2
    v += tmp


class AdamStep(StateUpdate):
    """Adam with Keras's "epsilon hat" bias correction. ``forward(var, g, lr, iterations, m, v[, v_hat])``::

        t = iterations + 1
        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m += (g - m) * (1 - beta_1)
        v += (g**2 - v) * (1 - beta_2)
        amsgrad: v_hat = max(v_hat, v); v = v_hat
        var -= m * alpha / (sqrt(v) + epsilon)

    Compiled (after the tier-up, with numba): ``kernels.adam``, ``adam_amsgrad``, bit-identical.
    """

    writes = (3, 4, 5)

    def __init__(self, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False,
                 workspace: Any = None) -> None:
        super().__init__(workspace)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = float(beta_1), float(beta_2), float(epsilon), amsgrad

    def forward(self, var: np.ndarray, g: np.ndarray, lr: np.ndarray, iterations: np.ndarray, m: np.ndarray,
                v: np.ndarray, v_hat: np.ndarray | None = None) -> np.ndarray:
        dt = var.dtype.type
        t = dt(float(iterations) + 1.0)
        # As tf.keras 2: the betas pass through float32 (tf.cast of a Python float) and the bias correction is
        # computed in the variable's dtype. float32's 0.999 is 0.99900001, so 1 - beta_2 differs from float64's
        # by 1.3e-5 and every step by 6.4e-6 (enough to move a convnet's loss by 3e-3 within one epoch).
        beta_1, beta_2 = dt(np.float32(self.beta_1)), dt(np.float32(self.beta_2))
        alpha = dt(lr) * np.sqrt(dt(1.0) - beta_2 ** t) / (dt(1.0) - beta_1 ** t)
        one_minus_beta_1, one_minus_beta_2, epsilon = dt(1.0 - self.beta_1), dt(1.0 - self.beta_2), dt(self.epsilon)
        kernels = kernels_for(var.size)
        if kernels is not None:
            if v_hat is None:
                if (flat := _flat(var, g, m, v)) is not None:
                    kernels.adam(*flat, alpha, one_minus_beta_1, one_minus_beta_2, epsilon)
                    return var
            elif (flat := _flat(var, g, m, v, v_hat)) is not None:
                kernels.adam_amsgrad(*flat, alpha, one_minus_beta_1, one_minus_beta_2, epsilon)
                return var
        for var_, g_, m_, v_, *v_hat_ in _blocks(var, g, m, v, *([] if v_hat is None else [v_hat])):
            a, b = self.scratch(var_), self.scratch(var_, 1)
            _update_moments(g_, m_, v_, a, one_minus_beta_1, one_minus_beta_2)
            if v_hat_:
                np.maximum(v_hat_[0], v_, out=v_hat_[0])
                v_ = v_hat_[0]
            np.sqrt(v_, out=a)
            a += epsilon
            np.multiply(m_, alpha, out=b)
            b /= a
            var_ -= b
        return var


class AdamaxStep(StateUpdate):
    """Adamax, Adam with the infinity norm. ``forward(var, g, lr, iterations, m, u)``::

        t = iterations + 1
        m += (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        var -= lr * m / ((1 - beta_1**t) * (u + epsilon))

    Compiled (after the tier-up, with numba): ``kernels.adamax``, bit-identical.
    """

    writes = (3, 4)

    def __init__(self, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 workspace: Any = None) -> None:
        super().__init__(workspace)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def forward(self, var: np.ndarray, g: np.ndarray, lr: np.ndarray, iterations: np.ndarray, m: np.ndarray,
                u: np.ndarray) -> np.ndarray:
        dt = var.dtype.type
        t = dt(float(iterations) + 1.0)
        beta_1 = dt(np.float32(self.beta_1))  # as AdamStep: tf.keras 2 casts the beta to float32 first
        lr_, one_minus_beta_1, beta_2, epsilon = dt(lr), dt(1.0 - self.beta_1), dt(self.beta_2), dt(self.epsilon)
        correction = dt(1.0) - beta_1 ** t
        kernels = kernels_for(var.size)
        if kernels is not None and (flat := _flat(var, g, m, u)) is not None:
            kernels.adamax(flat[0], flat[1], lr_, flat[2], flat[3], one_minus_beta_1, beta_2, epsilon, correction)
            return var
        for var_, g_, m_, u_ in _blocks(var, g, m, u):
            a, b = self.scratch(var_), self.scratch(var_, 1)
            np.subtract(g_, m_, out=a)
            a *= one_minus_beta_1
            m_ += a
            u_ *= beta_2
            np.abs(g_, out=a)
            np.maximum(u_, a, out=u_)
            np.add(u_, epsilon, out=a)
            a *= correction
            np.multiply(m_, lr_, out=b)
            b /= a
            var_ -= b
        return var


def _nadam_u(beta_1: float, t: float) -> float:
    return beta_1 * (1.0 - 0.5 * 0.96 ** t)


class NadamProduct(StateUpdate):
    """Nadam's running product, once per step: ``u_product *= beta_1 * (1 - 0.5 * 0.96**t)``.

    ``forward(u_product, iterations)`` with ``t = iterations + 1``.
    """

    def __init__(self, beta_1: float = 0.9, workspace: Any = None) -> None:
        super().__init__(workspace)
        self.beta_1 = float(beta_1)

    def forward(self, u_product: np.ndarray, iterations: np.ndarray) -> np.ndarray:
        u_product *= u_product.dtype.type(_nadam_u(self.beta_1, float(iterations) + 1.0))
        return u_product


class NadamStep(StateUpdate):
    """Nadam (Keras's form). ``forward(var, g, lr, iterations, u_product, m, v)``, after :class:`NadamProduct`::

        u_t = beta_1 * (1 - 0.5 * 0.96**t);  u_t1 = beta_1 * (1 - 0.5 * 0.96**(t + 1))
        m += (g - m) * (1 - beta_1)
        v += (g**2 - v) * (1 - beta_2)
        m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2**t)
        var -= lr * m_hat / (sqrt(v_hat) + epsilon)

    Compiled (after the tier-up, with numba): ``kernels.nadam``, bit-identical.
    """

    writes = (5, 6)

    def __init__(self, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 workspace: Any = None) -> None:
        super().__init__(workspace)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def forward(self, var: np.ndarray, g: np.ndarray, lr: np.ndarray, iterations: np.ndarray, u_product: np.ndarray,
                m: np.ndarray, v: np.ndarray) -> np.ndarray:
        dt = var.dtype.type
        t = float(iterations) + 1.0
        beta_1, beta_2 = self.beta_1, self.beta_2
        u_t, u_t1 = _nadam_u(beta_1, t), _nadam_u(beta_1, t + 1.0)
        u_prod = float(u_product)
        lr_, one_minus_beta_1, one_minus_beta_2, epsilon = dt(lr), dt(1.0 - beta_1), dt(1.0 - beta_2), dt(self.epsilon)
        m_scale, g_scale = dt(u_t1 / (1.0 - u_prod * u_t1)), dt((1.0 - u_t) / (1.0 - u_prod))
        v_scale = dt(1.0 / (1.0 - beta_2 ** t))
        kernels = kernels_for(var.size)
        if kernels is not None and (flat := _flat(var, g, m, v)) is not None:
            kernels.nadam(flat[0], flat[1], lr_, flat[2], flat[3], one_minus_beta_1, one_minus_beta_2,
                          m_scale, g_scale, v_scale, epsilon)
            return var
        for var_, g_, m_, v_ in _blocks(var, g, m, v):
            a, b = self.scratch(var_), self.scratch(var_, 1)
            _update_moments(g_, m_, v_, a, one_minus_beta_1, one_minus_beta_2)
            np.multiply(m_, m_scale, out=b)  # b = m_hat
            np.multiply(g_, g_scale, out=a)
            b += a
            np.multiply(v_, v_scale, out=a)  # a = sqrt(v_hat) + epsilon
            np.sqrt(a, out=a)
            a += epsilon
            b *= lr_
            b /= a
            var_ -= b
        return var


# ----------------------------------------------------------------------------- gradients as one buffer

class ConcatenateFlat(Op):
    """The inputs raveled and joined into one 1-D array (an optimizer's gradients, for one kernel call).

    Inputs that already lie one after another at the start of one 1-D buffer (the gradients an
    all-reduce returns as views of its result) are that buffer's slice: no copy.
    """

    differentiable = False
    returns_view = True  # of its inputs' buffer, sometimes: apply_op copies it when an input is a Variable

    def forward(self, *arrays: np.ndarray) -> np.ndarray:
        joined = _consecutive_views(arrays)
        return joined if joined is not None else np.concatenate([a.reshape(-1) for a in arrays])


def _consecutive_views(arrays: Sequence[np.ndarray]) -> np.ndarray | None:
    """``base[:total]`` when the arrays are C-contiguous views filling the start of one 1-D ``base`` in
    order; else None."""
    base = arrays[0].base
    if base is None or base.ndim != 1 or not base.flags.c_contiguous:
        return None
    if any(a.base is not base or a.dtype != base.dtype or not a.flags.c_contiguous for a in arrays):
        return None
    start = position = base.__array_interface__["data"][0]
    for a in arrays:
        if a.__array_interface__["data"][0] != position:
            return None
        position += a.nbytes
    return base[:(position - start) // base.itemsize]


# ----------------------------------------------------------------------------- gradient clipping (no gradient)

class ClipGradientByNorm(Op):
    """An optimizer's ``clipnorm``: ``g * clipnorm / max(||g||, clipnorm)`` (the norm summed in float64)."""

    differentiable = False

    def __init__(self, clipnorm: float) -> None:
        self.clipnorm = float(clipnorm)

    def forward(self, g: np.ndarray) -> np.ndarray:
        norm = math.sqrt(float(np.square(g, dtype=np.float64).sum()))
        if norm <= self.clipnorm:
            return g
        dt = g.dtype.type
        return g * dt(self.clipnorm) / dt(norm)


class GlobalNorm(Op):
    """``sqrt(sum over every gradient of sum(g**2))`` as a 0-d float64 array, for ``global_clipnorm``."""

    differentiable = False

    def forward(self, *grads: np.ndarray) -> np.ndarray:
        return np.asarray(math.sqrt(sum(float(np.square(g, dtype=np.float64).sum()) for g in grads)))


class ClipGradientByGlobalNorm(Op):
    """``g * clipnorm / max(global_norm, clipnorm)``; NaN everywhere when the global norm is not finite."""

    differentiable = False

    def __init__(self, clipnorm: float) -> None:
        self.clipnorm = float(clipnorm)

    def forward(self, g: np.ndarray, global_norm: np.ndarray) -> np.ndarray:
        norm = float(global_norm)
        if norm <= self.clipnorm:
            return g
        scale = self.clipnorm / norm if math.isfinite(norm) else float("nan")
        return g * g.dtype.type(scale)


class ClipGradientByValue(Op):
    """An optimizer's ``clipvalue``: each element clipped to ``[-clipvalue, clipvalue]``."""

    differentiable = False

    def __init__(self, clipvalue: float) -> None:
        self.clipvalue = float(clipvalue)

    def forward(self, g: np.ndarray) -> np.ndarray:
        dt = g.dtype.type
        return np.clip(g, dt(-self.clipvalue), dt(self.clipvalue))


class TakeAverageEvery(StateUpdate):
    """EMA overwrite: ``var = average`` when ``(iterations + 1) % frequency == 0``, else unchanged.

    ``forward(var, average, iterations)``.
    """

    def __init__(self, frequency: int, workspace: dict | None = None) -> None:
        super().__init__(workspace)
        self.frequency = int(frequency)

    def forward(self, var: np.ndarray, average: np.ndarray, iterations: np.ndarray) -> np.ndarray:
        if (int(iterations) + 1) % self.frequency == 0:
            np.copyto(var, average)
        return var


# ----------------------------------------------------------------------------- metric state

def _align_weights(values: np.ndarray, weights: np.ndarray, reduction: str) -> Any:
    """tf.keras's weight alignment for metrics: ``(values, weights)`` of one shape.

    A trailing 1 is dropped from the weights (or added) to match the values; when the
    weights still do not broadcast, the values are reduced (summed or averaged) to the
    weights' rank first.
    """
    if weights.ndim == values.ndim + 1 and weights.shape[-1] == 1:
        weights = weights[..., 0]
    elif values.ndim == weights.ndim + 1:
        weights = weights[..., None]
    try:
        return values, np.broadcast_to(weights, values.shape)
    except ValueError:
        axes = tuple(range(weights.ndim, values.ndim))
        values = values.sum(axis=axes) if reduction == "sum" else values.mean(axis=axes)
        try:
            return values, np.broadcast_to(weights, np.broadcast_shapes(weights.shape, values.shape))
        except ValueError:
            raise ValueError(f"sample_weight of shape {weights.shape} does not match values of shape "
                             f"{values.shape}.") from None


class MetricAccumulate(StateUpdate):
    """A ``Mean``/``Sum`` metric's update: ``total += sum(values * weights)``; ``count += sum(weights)``.

    ``forward(total, values[, weights][, count])``: ``reduction`` is ``'sum'``
    (no count) or ``'weighted_mean'``; without weights every value weighs 1 and
    ``count`` grows by the number of values. The sums are taken in float64 and
    added to the float32 state, as tf.keras's float32 variables hold them.
    """

    def __init__(self, reduction: str, weighted: bool) -> None:
        super().__init__()
        self.reduction, self.weighted = reduction, weighted
        self.writes = (2,) if weighted else (1,)

    def forward(self, total: np.ndarray, values: np.ndarray, *rest: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        if self.weighted:
            values, weights = _align_weights(values, np.asarray(rest[0], dtype=np.float64), self.reduction)
            total += total.dtype.type((values * weights).sum())
            n = weights.sum()
        else:
            total += total.dtype.type(values.sum())
            n = values.size
        if self.reduction != "sum":
            count = rest[-1]
            count += count.dtype.type(n)
        return total
