"""What every recurrent op shares: the cell core's protocol, input checks, masks, the outputs.

A *core* (``SimpleRNNCore``, ``LSTMCore``, ``GRUCore``) holds one cell's
weights in the layout its arithmetic wants and the time-major buffers of one
call; ``step(t)`` and ``step_backward(t, d_states)`` are one step forward and
one step back. The one-step ops (``LSTMStep`` ...) run one core step; the
sequence ops (``LSTMSequence`` ...) run the same steps in a loop over time and
walk them backwards in another loop (backpropagation through time, no
recursion, any length). Internally everything is time-major and each step's
arrays are column blocks ``(features, batch)`` (see :class:`RecurrentCore`).

The core protocol (states and gates are column blocks ``(features, batch)``)::

    core = Core(kernel, recurrent_kernel, bias, ...)   # weights in tf.keras layout
    core.start(xt, states)          # xt (T, B, D) time-major; states (B, U) each
    core.project(s, e)              # input projections of steps s:e, one batched GEMM
    core.step(t)                    # states t -> t + 1
    core.carry(t, keep)             # masked rows keep the previous states
    core.skip(t)                    # every row masked: the states are copied
    core.final_states()             # (B, U) each
    core.start_backward()
    core.step_backward(t, d_states) # d_states (U, B) each, in place: d(states t+1) -> d(states t)
    core.skip_backward(t)
    core.chunk_backward(s, e, needs)  # dx and the weight gradients of steps s:e (GEMMs)
    core.dxt                        # (T, B, D): gradient of the time-major inputs
    core.weight_grads(needs)        # (dkernel, drecurrent_kernel, dbias) in tf.keras layout

The outputs
-----------
A sequence op has several outputs (the tape gives ``backward`` one gradient per
output, ``None`` for an output nobody used): first the outputs of the T steps
``(B, T, U)`` (in processing order, so reversed with ``go_backwards``, as tf.keras
returns them), or with ``return_sequences=False`` only the last one ``(B, U)``,
which is what a layer that returns no sequence needs (the ``(B, T, U)`` array is
then never written); then each final state ``(B, U)`` (``h`` for SimpleRNN and
GRU; ``h`` then ``c`` for LSTM).

Masks (tf.keras ``backend.rnn``)
--------------------------------
``mask`` is ``(B, T)``, True where a step is real. On a masked step the
states are carried through unchanged; the output is the previous step's
output (zeros before the first real step), or zeros with
``zero_output_for_mask=True`` (what ``Bidirectional`` asks for). Both amount
to ``output_t = w_t * h_t`` with ``w_t`` = "a real step has been seen up to t"
(or "step t is real"), which is how backward routes the output gradients.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import workspace
from ..base import Op
from ..tier_up import KERNEL_DTYPES, kernels_for


def weight_dtype(*arrays: np.ndarray) -> Any:
    """The floating dtype the arrays compute in (float32 when none is floating)."""
    dtype = np.result_type(*arrays)
    return dtype if dtype.kind == "f" else np.dtype(np.float32)


def check_weights(op_name: Any, gates: Any, features: Any, kernel: np.ndarray, recurrent_kernel: Any, bias: np.ndarray,
                  bias_shape: Any) -> Any:
    """The number of units, after checking the tf.keras weight shapes; a ValueError naming the op otherwise."""
    if recurrent_kernel.ndim != 2 or recurrent_kernel.shape[1] != gates * recurrent_kernel.shape[0]:
        raise ValueError(f"{op_name}: recurrent_kernel must have shape (units, {gates} * units), got "
                         f"{recurrent_kernel.shape}.")
    units = recurrent_kernel.shape[0]
    if kernel.shape != (features, gates * units):
        raise ValueError(f"{op_name}: kernel has shape {kernel.shape}; for {features} input features and "
                         f"{units} units it must be ({features}, {gates * units}).")
    expected = bias_shape(units)
    if bias.shape != expected:
        raise ValueError(f"{op_name}: bias has shape {bias.shape}; it must be {expected}.")
    return units


class RecurrentCore:
    """Shared parts of the cores. Layout: states ``(T + 1, U, B)``, projections ``(T, G, B)``.

    Every per-step array is a column block ``(features, batch)``, so each gate
    is a contiguous ``(U, B)`` block (numpy's element-wise ops run 3-5x faster
    on contiguous blocks than on column slices of ``(B, G)`` rows), and the
    recurrence is ONE GEMM per step each way: ``z_t = R^T h_{t-1}``, ``dh_{t-1} = R dz_t``.
    The input projections and the weight gradients are GEMMs over chunks of a
    few steps, done just before (after) the chunk's steps while it is in cache.

    Subclasses set ``n_states``, ``state_names``, ``gates``, ``buffers``
    (names of the ``(T + 1, U, B)`` state arrays) and implement ``start``,
    ``project``, ``step``, ``start_backward``, ``step_backward`` and ``chunk_backward``.
    """

    n_states = 1
    state_names: tuple[str, ...] = ("h",)
    buffers: tuple[str, ...] = ("H",)
    gates: int  # gate blocks per step, set by each core
    #: Whether this cell's configuration has compiled step kernels (ops.kernels; see ``_compiled``).
    has_kernels = False
    H: np.ndarray  # (T + 1, U, B) hidden states, allocated by _allocate (as every buffer named in ``buffers``)

    # The protocol (see the module docstring); each core implements these.
    def start(self, xt: np.ndarray, states: Sequence[np.ndarray]) -> None:
        raise NotImplementedError

    def project(self, s: int, e: int) -> None:
        raise NotImplementedError

    def step(self, t: int) -> None:
        raise NotImplementedError

    def start_backward(self) -> None:
        raise NotImplementedError

    def step_backward(self, t: int, d_states: list[np.ndarray]) -> None:
        raise NotImplementedError

    def chunk_backward(self, s: int, e: int, needs: tuple[bool, ...]) -> None:
        raise NotImplementedError

    def weight_grads(self, needs: tuple[bool, ...]) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        raise NotImplementedError

    def _check_and_prepare(self, op_name: Any, kernel: np.ndarray, recurrent_kernel: Any, bias: np.ndarray,
                           features: Any, bias_shape: Any) -> None:
        self.op_name = op_name
        self.units = check_weights(op_name, self.gates, features, kernel, recurrent_kernel, bias, bias_shape)
        self.dtype = kernel.dtype

    def _allocate(self, xt: Any, states: Any) -> None:
        """``xt (T, B, D)`` time-major inputs; ``states`` ``(B, U)`` each, stored transposed at index 0."""
        steps, batch, _ = xt.shape
        self.xt = xt
        self.chunk = min(steps, chunk_length(batch, self.gates * self.units, self.dtype.itemsize))
        self.A = workspace.empty((steps, self.gates * self.units, batch), self.dtype)
        for name, s in zip(self.buffers, states):
            buf = workspace.empty((steps + 1, self.units, batch), self.dtype)
            buf[0] = s.T
            setattr(self, name, buf)

    def _project(self, s: int, e: int, kernel_t: Any, bias: np.ndarray) -> None:
        """Input projections of steps ``s:e``: ``A[t] = kernel^T x_t^T + bias`` (one batched GEMM)."""
        a = self.A[s:e]
        np.matmul(kernel_t, self.xt[s:e].transpose(0, 2, 1), out=a)
        a += bias

    def final_states(self) -> Any:
        """The last states, ``(B, U)`` each."""
        return [getattr(self, name)[-1].T for name in self.buffers]

    def carry(self, t: int, keep: Any) -> None:
        """``keep (1, B)``: True for the rows whose states are carried from step t."""
        for name in self.buffers:
            buf = getattr(self, name)
            np.copyto(buf[t + 1], buf[t], where=keep)

    def skip(self, t: int) -> None:
        for name in self.buffers:
            buf = getattr(self, name)
            buf[t + 1] = buf[t]

    def skip_backward(self, t: int) -> None:
        self.dA.step(t)[...] = 0

    def _start_backward(self) -> None:
        steps, batch, features = self.xt.shape
        g = self.gates * self.units
        self.dA = StepColumns(g, steps, batch, self.chunk, self.dtype)
        self.dxt = workspace.empty((steps, batch, features), self.dtype)
        self.d_kernel_t = np.zeros((g, features), dtype=self.dtype)

    def _compiled(self, work: int) -> Any:
        """The compiled kernels module (``ops.kernels``) when this call's steps should use it, else None (numpy).

        Only a cell whose configuration has kernels (``has_kernels``: the default activations, tanh and
        sigmoid) in float32 or float64 takes them. ``work`` is what the call counts toward the tier-up
        (``ops.tier_up``), in element-updates: a compiled step saves about one per unit and batch row
        forward, three backward (LSTM(64) at batch 64: ~3.5 and ~12 us a step), so callers pass
        ``steps * batch * units`` forward and three times that backward.
        """
        if not self.has_kernels or self.dtype not in KERNEL_DTYPES:
            return None
        return kernels_for(work)

    def _ones(self, n: Any) -> Any:
        """A ones vector of length n (bias gradients as GEMVs: ``dA_chunk @ ones``)."""
        ones = getattr(self, "_ones_vector", None)
        if ones is None or ones.shape[0] < n:
            ones = self._ones_vector = np.ones(n, dtype=self.dtype)
        return ones[:n]

    def _input_grads(self, s: int, e: int, kernel_t: Any, needs: Any) -> Any:
        """For steps ``s:e``: ``dx_t = dA_t^T kernel^T`` and the kernel's gradient ``sum_t dA_t x_t``.

        Returns ``dA`` of the chunk as one ``(G, K * B)`` matrix (a view) for the other weight gradients.
        """
        d_cat = self.dA.chunk(s, e)
        features = self.xt.shape[2]
        if needs[0]:
            np.matmul(d_cat.T, kernel_t, out=self.dxt[s:e].reshape(-1, features))
        if needs[1]:
            self.d_kernel_t += d_cat @ self.xt[s:e].reshape(-1, features)
        return d_cat


class StepColumns:
    """Per-step gradient blocks ``(G, B)`` of the chunk of steps being walked back, for its GEMMs.

    ``step(t)`` is block t (written once by backward); ``chunk(s, e)`` is the
    blocks of steps ``s:e`` side by side as one ``(G, (e - s) * B)`` matrix, a
    view into one contiguous buffer (a layout ``(G, T, B)`` spreads a chunk's rows
    over the whole buffer; its GEMMs measured slower). Backward consumes each chunk
    (``chunk_backward``) before it walks the steps of the next one, so one chunk's
    buffer serves them all: ~1 MB that stays in cache, where one buffer for every
    step (13.6 MB for LSTM(64) over 200 steps at batch 64) sent each step's writes
    to memory (the gate-gradient product took 29 us a step instead of 11).
    """

    def __init__(self, rows: Any, steps: Any, batch: Any, chunk: Any, dtype: Any) -> None:
        self.rows, self.k = rows, chunk
        self.data = workspace.empty((rows, min(chunk, steps), batch), dtype)

    def step(self, t: int) -> Any:
        return self.data[:, t % self.k]

    def chunk(self, s: int, e: int) -> Any:
        return self.data[:, :e - s].reshape(self.rows, -1)


def columns(blocks: Any) -> Any:
    """``(K, M, B)`` -> ``(M, K * B)``: K column blocks side by side, so a sum over steps is one GEMM."""
    return blocks.transpose(1, 0, 2).reshape(blocks.shape[1], -1)


#: Bytes of input projections per chunk of steps. For LSTM(64), batch 64, 200 steps, chunks of 4, 16 and 64
#: steps (256 KB, 1 MB, 4 MB) measured within 2 % of each other (forward + backward).
CHUNK_BYTES = 1024 * 1024


def chunk_length(batch: Any, width: Any, itemsize: Any) -> Any:
    """Steps per chunk, so a chunk's projections are still in cache when its steps run."""
    return max(1, CHUNK_BYTES // max(1, batch * width * itemsize))


class RecurrentOp(Op):
    """What the one-step and the sequence ops of a cell share: the core class and how to build a core."""

    core_class: type[RecurrentCore]

    def _core(self, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray,
              features: int) -> RecurrentCore:
        raise NotImplementedError(f"{type(self).__name__}._core")


class CellStep(RecurrentOp):
    """Base of the one-step ops: ``forward(x, *states, kernel, recurrent_kernel, bias)`` -> new state(s).

    ``x`` is ``(B, D)``, each state ``(B, U)``. Returns ``h`` ``(B, U)`` for a
    one-state cell, and the tuple of the S new states otherwise (LSTM: ``(h, c)``,
    two outputs). Backward (one gradient per output) returns
    ``(dx, d_states..., dkernel, drecurrent_kernel, dbias)``.
    """

    def forward(self, x: np.ndarray, *args: np.ndarray) -> np.ndarray | tuple[np.ndarray, ...]:
        n = self.core_class.n_states
        names = self.core_class.state_names
        if len(args) != n + 3:
            raise TypeError(f"{self.name}.forward takes (x, {', '.join(names)}, kernel, recurrent_kernel, bias); "
                            f"got {1 + len(args)} arrays.")
        x = np.asarray(x)
        if x.ndim != 2:
            raise ValueError(f"{self.name}: x must have shape (batch, features), got shape {x.shape}.")
        kernel, recurrent_kernel, bias = (np.asarray(a) for a in args[n:])
        dtype = weight_dtype(x, kernel, recurrent_kernel, bias)
        core = self._core(kernel.astype(dtype, copy=False), recurrent_kernel.astype(dtype, copy=False),
                          bias.astype(dtype, copy=False), x.shape[1])
        states = _check_states(self.name, names, args[:n], x.shape[0], core.units, dtype)
        core.start(x.astype(dtype, copy=False)[None], states)
        core.project(0, 1)
        core.step(0)
        if self.needs_backward:
            self.core = core
        new = [np.ascontiguousarray(s) for s in core.final_states()]
        return new[0] if n == 1 else tuple(new)

    def backward(self, *douts: np.ndarray | None) -> tuple[np.ndarray | None, ...]:
        core = self.core
        n = core.n_states
        batch, units = core.xt.shape[1], core.units
        d_states = [_column_grad(d, batch, units, core.dtype) for d in douts]
        needs = tuple(self._needs(i) for i in range(n + 4))
        core.start_backward()
        core.step_backward(0, d_states)
        core.chunk_backward(0, 1, (needs[0],) + needs[n + 1:])
        dx = core.dxt[0] if needs[0] else None
        return (dx, *[d.T.copy() if needs[1 + k] else None for k, d in enumerate(d_states)],
                *core.weight_grads(needs[n + 1:]))


def _column_grad(dout: np.ndarray | None, batch: Any, units: Any, dtype: Any) -> Any:
    """A state's gradient ``(B, U)`` (or None: zeros) as a fresh C-contiguous ``(U, B)`` column block."""
    if dout is None:
        return np.zeros((units, batch), dtype=dtype)
    return np.array(np.broadcast_to(np.asarray(dout, dtype=dtype), (batch, units)).T, order="C")


class RecurrentSequence(RecurrentOp):
    """Base of the sequence ops: ``forward(x, *initial_states, kernel, recurrent_kernel, bias[, mask])``.

    ``x`` is ``(B, T, D)`` (batch-major, as tf.keras's default), each initial
    state ``(B, U)``, ``mask`` an optional ``(B, T)`` boolean array. Returns the
    tuple ``(outputs, *final_states)`` described in this module's docstring
    (``outputs`` is ``(B, T, U)``, or the last output ``(B, U)`` with
    ``return_sequences=False``). Backward takes one gradient per output (None
    for unused ones) and returns one per input: ``dx``, the initial states',
    the three weights' (tf.keras layout), and ``None`` for the mask.
    """

    def __init__(self, go_backwards: bool = False, zero_output_for_mask: bool = False,
                 return_sequences: bool = True) -> None:
        self.go_backwards = bool(go_backwards)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.return_sequences = bool(return_sequences)

    # ------------------------------------------------------------------ forward
    def forward(self, x: np.ndarray, *args: np.ndarray) -> tuple[np.ndarray, ...]:
        n = self.core_class.n_states
        names = self.core_class.state_names
        if len(args) not in (n + 3, n + 4):
            raise TypeError(f"{self.name}.forward takes (x, {', '.join(names)}, kernel, recurrent_kernel, "
                            f"bias[, mask]); got {1 + len(args)} arrays.")
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError(f"{self.name}: x must have shape (batch, timesteps, features), got shape {x.shape}.")
        batch, steps, features = x.shape
        if steps == 0:
            raise ValueError(f"{self.name}: the input has 0 timesteps (shape {x.shape}); a recurrent op needs "
                             f"at least one step.")
        kernel, recurrent_kernel, bias = (np.asarray(a) for a in args[n:n + 3])
        dtype = weight_dtype(x, kernel, recurrent_kernel, bias)
        core = self._core(kernel.astype(dtype, copy=False), recurrent_kernel.astype(dtype, copy=False),
                          bias.astype(dtype, copy=False), features)
        states = _check_states(self.name, names, args[:n], batch, core.units, dtype)
        self._n_inputs = 1 + len(args)
        self.shape = (batch, steps, features, core.units)
        self._masks(args[n + 3] if len(args) == n + 4 else None, batch, steps, dtype)

        xt = x.astype(dtype, copy=False).transpose(1, 0, 2)
        xt_buffer = workspace.empty((steps, batch, features), dtype)
        np.copyto(xt_buffer, xt[::-1] if self.go_backwards else xt)
        core.start(xt_buffer, states)
        partial, skipped, keep = self.partial, self.skipped, self.keep
        self.chunk = core.chunk
        for s in range(0, steps, self.chunk):
            e = min(s + self.chunk, steps)
            core.project(s, e)
            for t in range(s, e):
                if skipped and skipped[t]:
                    core.skip(t)
                    continue
                core.step(t)
                if partial and partial[t]:
                    core.carry(t, keep[t])
        if self.needs_backward:  # the core holds every step's states and gates
            self.core = core
        return (self._outputs(core), *[np.ascontiguousarray(s) for s in core.final_states()])

    def _masks(self, mask: np.ndarray | None, batch: Any, steps: Any, dtype: Any) -> None:
        """Per-step mask bookkeeping: ``keep`` (T, 1, B), True where the previous state is carried."""
        self.keep = self.out_weight = None
        self.partial = self.skipped = ()
        if mask is None:
            return
        mask = np.asarray(mask)
        if mask.shape != (batch, steps):
            raise ValueError(f"{self.name}: mask has shape {mask.shape}; it must be (batch, timesteps) = "
                             f"({batch}, {steps}).")
        m = mask.astype(bool, copy=False).T
        m = np.ascontiguousarray(m[::-1] if self.go_backwards else m)
        if m.all():
            return
        real = m.sum(axis=1)
        self.partial = tuple(((real > 0) & (real < batch)).tolist())
        self.skipped = tuple((real == 0).tolist())
        self.keep = ~m[:, None, :]
        seen = m if self.zero_output_for_mask else np.logical_or.accumulate(m, axis=0)
        self.out_weight = seen[:, :, None].astype(dtype)   # (T, B, 1)

    def _outputs(self, core: Any) -> Any:
        """The outputs of every step ``(B, T, U)``, or of the last one ``(B, U)``."""
        batch, steps, _, units = self.shape
        if not self.return_sequences:
            last = core.H[steps].T
            return last * self.out_weight[-1] if self.out_weight is not None else np.ascontiguousarray(last)
        outputs = workspace.empty((batch, steps, units), core.dtype)
        hs = core.H[1:].transpose(2, 0, 1)
        if self.out_weight is None:
            np.copyto(outputs, hs)
        else:
            np.multiply(hs, self.out_weight.transpose(1, 0, 2), out=outputs)
        return outputs

    # ------------------------------------------------------------------ backward
    def backward(self, d_outputs: np.ndarray | None, *d_finals: np.ndarray | None) -> tuple[np.ndarray | None, ...]:
        batch, steps, features, units = self.shape
        core = self.core
        n = core.n_states
        d_states = [_column_grad(d, batch, units, core.dtype) for d in d_finals]
        # What each step's state h_t receives from the outputs (time-major, never written into), or None.
        d_steps, d_last = None, None
        if d_outputs is not None:
            d_outputs = np.asarray(d_outputs, dtype=core.dtype)
            if self.return_sequences:
                d_steps = np.broadcast_to(d_outputs, (batch, steps, units)).transpose(1, 0, 2)
                if self.out_weight is not None:
                    d_steps = d_steps * self.out_weight
            else:
                d_last = np.broadcast_to(d_outputs, (batch, units))
                if self.out_weight is not None:
                    d_last = d_last * self.out_weight[-1]
                d_states[0] += d_last.T
        needs = tuple(self._needs(i) for i in range(n + 4))
        grad_needs = (needs[0],) + needs[n + 1:]
        partial, skipped, keep = self.partial, self.skipped, self.keep
        core.start_backward()
        for s in range(((steps - 1) // self.chunk) * self.chunk, -1, -self.chunk):
            e = min(s + self.chunk, steps)
            for t in range(e - 1, s - 1, -1):
                if d_steps is not None:
                    d_states[0] += d_steps[t].T
                if skipped and skipped[t]:
                    core.skip_backward(t)
                    continue
                if partial and partial[t]:
                    # The masked rows' states were carried: their gradients go straight to step t - 1,
                    # and the cell sees zeros there (so its weights get nothing from those rows).
                    k = keep[t]
                    carried = [np.where(k, d, 0) for d in d_states]
                    for d in d_states:
                        np.copyto(d, 0, where=k)
                    core.step_backward(t, d_states)
                    for d, c in zip(d_states, carried):
                        d += c
                else:
                    core.step_backward(t, d_states)
            core.chunk_backward(s, e, grad_needs)
        dx = None
        if needs[0]:
            dxt = core.dxt
            dx = workspace.empty((batch, steps, features), core.dtype)
            np.copyto(dx, (dxt[::-1] if self.go_backwards else dxt).transpose(1, 0, 2))
        grads = (dx, *[d.T.copy() if needs[1 + k] else None for k, d in enumerate(d_states)],
                 *core.weight_grads(needs[n + 1:]))
        return grads + (None,) * (self._n_inputs - len(grads))


def _check_states(op_name: Any, names: Any, states: Any, batch: Any, units: Any, dtype: Any) -> Any:
    out = []
    for name, s in zip(names, states):
        s = np.asarray(s)
        if s.shape != (batch, units):
            raise ValueError(f"{op_name}: state {name} has shape {s.shape}; it must be (batch, units) = "
                             f"({batch}, {units}).")
        out.append(s.astype(dtype, copy=False))
    return out
