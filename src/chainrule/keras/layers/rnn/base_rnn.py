"""``RNN(cell)``: a cell run over the timesteps of a sequence, with tf.keras 2's arguments and semantics.

Two ways to run, same numbers:

* one whole-sequence op (``LSTMSequence``, ``GRUSequence``, ``SimpleRNNSequence``, or one per
  cell of a ``StackedRNNCells`` of them) when the cell is a built-in one whose activations the
  recurrent ops support and that has no recurrent dropout; its backward is backpropagation
  through time written out (``chainrule.ops.recurrent``);
* otherwise step by step: the cell's ``call`` once per timestep through the tape (user-defined
  cells, ``recurrent_dropout``, activations such as gelu, ``constants``).

Masks follow tf.keras 2's ``backend.rnn``: on a masked step every state is carried over and the
output is the previous step's output (zeros before the first real step), or zeros with
``zero_output_for_mask`` (what ``Bidirectional`` sets when it returns sequences).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .... import nest
from .... import ops as _ops
from ...._suggest import accepts_argument
from ....functions import reshape, stack, transpose, where, zeros_like
from ....tensor import Tensor, Variable, apply_op
from ... import registry
from ..base import KerasTensor, Layer, _shape_of
from ..serialization import deserialize as deserialize_layer
from ..serialization import serialize as serialize_layer
from .cells import (StackedRNNCells, _GatedCell, flat_size_dims, is_multiple_state, map_sizes, output_size_of,
                    zero_states)


def standardize_args(inputs, initial_state, constants, num_constants):
    """``(inputs, initial_state, constants)`` from a call that may pass them all in one list
    ``[inputs, *initial_state, *constants]`` (how a functional graph records them)."""
    if isinstance(inputs, list):
        if initial_state is not None or constants is not None:
            raise ValueError("RNN: pass the initial state and constants either in the inputs list or as arguments, "
                             "not both.")
        if num_constants:
            constants = inputs[-num_constants:]
            inputs = inputs[:-num_constants]
        if len(inputs) > 1:
            initial_state = inputs[1:]
        inputs = inputs[0]

    def as_list(x):
        if x is None or isinstance(x, list):
            return x
        return list(x) if isinstance(x, tuple) else [x]
    return inputs, as_list(initial_state), as_list(constants)


def _is_shape(shape) -> bool:
    """Whether ``shape`` is one tensor's shape (ints and None), not a nesting of shapes."""
    return isinstance(shape, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in shape)


def _map_shapes(fn, shapes):
    """``fn`` applied to each shape in a nesting of shapes (a shape, a tuple of shapes, a dict ...)."""
    if _is_shape(shapes):
        return fn(tuple(shapes))
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    return type(shapes)(_map_shapes(fn, s) for s in shapes)


def _first_shape(shapes):
    """The first shape of a nesting of shapes."""
    while not _is_shape(shapes):
        shapes = next(iter(shapes.values())) if isinstance(shapes, dict) else shapes[0]
    return tuple(shapes)


def _expand_to(keep, like):
    """A step mask with trailing axes of 1 up to the rank of ``like``, to select along it: ``(batch,)`` ->
    ``(batch, 1, ...)``; a per-pixel ``(batch, rows, cols)`` mask (``Masking`` before a ``ConvLSTM2D``) ->
    ``(batch, rows, cols, 1)``, as tf.keras 2's ``backend.rnn`` expands it."""
    return reshape(keep, tuple(keep.shape) + (1,) * (like.ndim - keep.ndim))


def _fused_cells(cell):
    """The cells of a sequence that can run as whole-sequence ops, or None (step by step)."""
    cells = cell.cells if isinstance(cell, StackedRNNCells) else [cell]
    return cells if all(isinstance(c, _GatedCell) and c.can_fuse() for c in cells) else None


class RNN(Layer):
    """Runs ``cell`` over the timesteps of ``(batch, timesteps, features)`` inputs.

    Args:
        cell: a cell (``call(inputs, states)`` -> ``(output, new_states)`` and ``state_size``) or a
            list of cells (stacked, see :class:`StackedRNNCells`).
        return_sequences: return every step's output ``(batch, timesteps, units)`` rather than the
            last one ``(batch, units)``.
        return_state: also return the final states: ``[output, *states]``.
        go_backwards: process the steps last to first (the outputs then come in that order).
        stateful: each call starts from the previous call's final states (batch ``i`` continues batch
            ``i``); needs a fixed batch size (``batch_input_shape`` / ``Input(batch_size=...)``);
            ``reset_states()`` zeroes them.
        unroll: accepted (tf.keras's graph-building option); the computation is the same.
        time_major: inputs (and outputs) are ``(timesteps, batch, features)``.

    Call arguments: ``inputs``, ``mask`` (``(batch, timesteps)`` booleans, usually the inputs' own
    mask from ``Embedding(mask_zero=True)`` or ``Masking``), ``training`` (dropout),
    ``initial_state`` (a list of ``(batch, size)`` tensors, one per state) and ``constants``
    (passed to a cell whose ``call`` takes ``constants``).
    """

    def __init__(self, cell: Any, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False, time_major: bool = False,
                 **kwargs: Any) -> None:
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call"):
            raise ValueError(f"Argument `cell` should have a `call` method. The RNN was passed: cell={cell!r}")
        if not hasattr(cell, "state_size"):
            raise ValueError(f"The RNN cell should have a `state_size` attribute (tuple of integers, one integer per "
                             f"RNN state). Received: cell={cell!r}")
        self.zero_output_for_mask = bool(kwargs.pop("zero_output_for_mask", False))
        num_constants = int(kwargs.pop("num_constants", 0) or 0)
        nested_inputs = int(kwargs.pop("nested_inputs", 0) or 0)
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs and (
                "input_dim" in kwargs or "input_length" in kwargs):
            kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim", None))
        kwargs.pop("input_length", None)
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.time_major = bool(time_major)
        self.supports_masking = True
        self._states = None
        self._num_constants = num_constants
        self._nested_inputs = nested_inputs
        self._batch_size = None

    # ------------------------------------------------------------------ states
    @property
    def states(self):
        """The stateful layer's state Variables (one per state); ``[None, ...]`` before they exist."""
        if self._states is None:
            return self._state_structure()
        return self._states

    @states.setter
    def states(self, states):
        object.__setattr__(self, "_states", states)  # not weights (tf.keras 2 does not track them either)

    def _state_sizes(self):
        """The cell's ``state_size`` as a list: one entry per state (nested for a stack of cells)."""
        size = self.cell.state_size
        return list(size) if is_multiple_state(size) else [size]

    def _state_structure(self):
        """The nesting of the states, a None per state (a ``TensorShape`` size is one state)."""
        return map_sizes(lambda _: None, self._state_sizes())

    def get_initial_state(self, inputs):
        """Zero states (or the cell's ``get_initial_state``) for a batch of ``inputs`` (the first of nested
        inputs gives the batch size and dtype): a list, one ``(batch, *dims)`` tensor per state."""
        inputs = nest.flatten(inputs)[0]
        batch = inputs.shape[1] if self.time_major else inputs.shape[0]
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            states = fn(inputs=None, batch_size=batch, dtype=inputs.dtype)
        else:
            states = zero_states(self.cell.state_size, batch, inputs.dtype)
        return list(states) if isinstance(states, (list, tuple)) else [states]

    def _state_shapes(self) -> list:
        """The shape of each state of a stateful layer, batch first; ValueError when the batch size is unknown."""
        batch = self._batch_size
        if not batch:
            raise ValueError(
                f"RNN layer {self.name!r}: if a RNN is stateful, it needs to know its batch size. Specify the batch "
                "size of your input tensors: \n- If using a Sequential model, specify the batch size by passing a "
                "`batch_input_shape` argument to your first layer.\n- If using the functional API, specify the "
                "batch size by passing a `batch_shape` argument to your Input layer.")
        return [(batch,) + d for d in flat_size_dims(self._state_sizes())]

    def reset_states(self, states=None):
        """Zero the states of a stateful layer, or set them to ``states`` (numpy arrays, one per state)."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        shapes = self._state_shapes()
        dtype = np.dtype(self.dtype)
        if self._states is None:
            variables = [Variable(np.zeros(shape, dtype=dtype), trainable=False, name=f"{self.name}/state_{i}")
                         for i, shape in enumerate(shapes)]
            object.__setattr__(self, "_states", nest.pack_sequence_as(self._state_structure(), variables))
        if states is None:
            for v in nest.flatten(self._states):
                v.assign(np.zeros(tuple(v.shape), dtype=dtype))
            return
        given = nest.flatten(states)
        current = nest.flatten(self._states)
        if len(given) != len(current):
            raise ValueError(f"Layer {self.name} expects {len(current)} states, but it received {len(given)} state "
                             f"values. States received: {states}")
        for i, (value, v) in enumerate(zip(given, current)):
            value = np.asarray(value.numpy() if isinstance(value, Tensor) else value)
            if value.shape != tuple(v.shape):
                raise ValueError(f"State {i} is incompatible with layer {self.name}: expected shape="
                                 f"{tuple(v.shape)} but found shape={value.shape}")
            v.assign(value.astype(dtype))

    # ------------------------------------------------------------------ building
    def build(self, input_shape: Any) -> None:
        """Build the cell for one step's input shape (the time axis dropped), in the inputs' nesting:
        ``(batch, steps, features)`` gives ``(batch, features)``, a tuple of shapes a tuple of step shapes."""
        if isinstance(input_shape, list) and not _is_shape(input_shape):
            input_shape = input_shape[0]  # [inputs, *initial_state, *constants]
        batch_axis = 1 if self.time_major else 0

        def step_shape(shape):
            if len(shape) < 3:
                raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: expected ndim=3, "
                                 f"found ndim={len(shape)}. Full shape received: {shape}. A recurrent layer reads "
                                 "(batch, timesteps, features); add an Embedding, a Reshape or a time axis first.")
            return (shape[batch_axis],) + shape[2:]
        step_shape = _map_shapes(step_shape, input_shape)
        input_shape = _first_shape(input_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._scope = f"{self._weight_scope()}/{self.cell.name}"
            self.cell.build(step_shape)
            self.cell.built = True
        self._batch_size = input_shape[batch_axis]
        if self.stateful:
            self.reset_states()
        self.built = True

    def compute_output_shape(self, input_shape):
        """The output shape; with a nested ``output_size`` a list of shapes (one per output, as tf.keras 2);
        with ``return_state`` a list ``[*outputs, *states]``."""
        if isinstance(input_shape, list) and not _is_shape(input_shape):
            input_shape = input_shape[0]
        input_shape = _first_shape(input_shape)
        batch, steps = input_shape[0], input_shape[1]
        if self.time_major:
            batch, steps = steps, batch

        def output_shape(dims):
            if self.return_sequences:
                return (steps, batch, *dims) if self.time_major else (batch, steps, *dims)
            return (batch, *dims)
        outputs = [output_shape(d) for d in flat_size_dims(output_size_of(self.cell))]
        if not self.return_state:
            return outputs[0] if len(outputs) == 1 else outputs
        return outputs + [(batch, *d) for d in flat_size_dims(self._state_sizes())]

    def compute_mask(self, inputs, mask):
        mask = nest.flatten(mask)[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(nest.flatten(self._state_structure()))
        return output_mask

    def _infer_output(self, inputs, rest, kwargs):
        # Nested inputs or outputs: the outputs come in the nesting the cell returns them in, as a run of
        # tf.keras 2's call on symbolic tensors gives them.
        step_inputs = inputs[0] if isinstance(inputs, list) else inputs
        if nest.is_nested(step_inputs) or is_multiple_state(output_size_of(self.cell)):
            return self._infer_output_by_running(inputs, rest, kwargs)
        return super()._infer_output(inputs, rest, kwargs)

    # ------------------------------------------------------------------ calling
    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        n = self._nested_inputs
        if isinstance(inputs, list) and n and len(inputs) >= n and not nest.is_nested(inputs[0]):
            # A saved model replays the call on the flat list of its tensors: the first n are the tuple.
            inputs = [tuple(inputs[:n])] + inputs[n:] if len(inputs) > n else tuple(inputs)
        inputs, initial_state, constants = standardize_args(inputs, initial_state, constants, self._num_constants)
        if isinstance(inputs, tuple) and not any(nest.is_nested(x) for x in inputs):
            self._nested_inputs = len(inputs)  # written in the config: the call is replayed so on loading
        if not self.built and nest.is_nested(inputs):
            # Nested inputs (a tuple or dict): the cell builds on the nesting of their step shapes, which the
            # flat shapes Layer.__call__ builds on do not tell.
            self._maybe_build([nest.map_structure(_shape_of, inputs)])
        if initial_state is None and constants is None:
            return super().__call__(inputs, **kwargs)
        extra = (initial_state or []) + (constants or [])
        symbolic = [isinstance(t, KerasTensor) for t in nest.flatten(extra)]
        if any(symbolic) and not all(symbolic):
            raise ValueError(f"RNN layer {self.name!r}: the initial state or constants cannot be a mix of Keras "
                             "tensors (from Input or a layer) and other tensors.")
        if symbolic and all(symbolic):
            if constants:
                self._num_constants = len(constants)
            # As tf.keras 2: the graph records one list input [inputs, *initial_state, *constants].
            return super().__call__([inputs] + extra, **kwargs)
        if initial_state is not None:
            kwargs["initial_state"] = initial_state
        if constants is not None:
            kwargs["constants"] = constants
        return super().__call__(inputs, **kwargs)

    def _process_inputs(self, inputs, initial_state, constants):
        if isinstance(inputs, list):
            if self._num_constants:
                initial_state = inputs[1:-self._num_constants]
                constants = inputs[-self._num_constants:]
            else:
                initial_state = inputs[1:]
            initial_state = initial_state or None
            inputs = inputs[0]
        if self.stateful:
            current = [Tensor(np.array(v.numpy())) for v in nest.flatten(self.states)]
            if initial_state is None or any(np.any(s._value) for s in current):
                initial_state = current
        elif initial_state is None:
            initial_state = self.get_initial_state(inputs)
        flat = [s if isinstance(s, Tensor) else Tensor(np.asarray(s, dtype=self.dtype))
                for s in nest.flatten(initial_state)]
        expected = len(nest.flatten(self._state_structure()))
        if len(flat) != expected:
            raise ValueError(f"Layer {self.name!r} has {expected} states but was passed {len(flat)} initial states. "
                             f"Received: initial_state={initial_state}")
        return inputs, flat, constants

    def call(self, inputs: Any, mask: Any = None, training: bool | None = None, initial_state: Any = None,
             constants: Any = None) -> Any:
        inputs, states, constants = self._process_inputs(inputs, initial_state, constants)
        for i, leaf in enumerate(nest.flatten(inputs)):
            if leaf.ndim < 3:
                raise ValueError(f"Input {i} of layer {self.name!r} is incompatible with the layer: expected ndim=3, "
                                 f"found ndim={leaf.ndim}. Full shape received: {tuple(leaf.shape)}.")
        if isinstance(mask, (list, tuple)):
            mask = nest.flatten(mask)[0]  # one mask for every input, as tf.keras 2
        x = inputs
        if self.time_major:
            x = nest.map_structure(lambda a: transpose(a, (1, 0) + tuple(range(2, a.ndim))), x)
            if mask is not None:
                mask = transpose(mask, (1, 0))
        first = nest.flatten(x)[0]
        if first.shape[1] == 0:
            raise ValueError(f"RNN layer {self.name!r}: the input has 0 timesteps (shape {tuple(first.shape)}).")
        if mask is not None and mask.dtype.name != "bool":
            mask = Tensor(mask._value.astype(bool))
        cells = None if constants or nest.is_nested(x) else _fused_cells(self.cell)
        if cells is not None:
            output, states = self._run_fused(cells, x, states, mask, training)
        else:
            output, states = self._run_steps(x, states, mask, training, constants)
        if self.stateful:
            for v, s in zip(nest.flatten(self._states), states):
                v.assign(s._value)
        if self.return_sequences and self.time_major:
            output = nest.map_structure(lambda a: transpose(a, (1, 0) + tuple(range(2, a.ndim))), output)
        if self.return_state:
            return [output] + nest.pack_sequence_as(self._state_structure(), states)
        return output

    def _input_dropout(self, cell, x, training):
        """``x`` with the cell's input dropout: one mask per sequence (``(B, 1, D)``), as a cell draws it;
        a layer may draw a fresh mask at every step instead (tf.keras 2's LSTM and GRU do)."""
        if not training or not 0 < cell.dropout < 1:
            return x
        noise = None if self._iid_input_dropout() else (x.shape[0], 1, x.shape[2])
        return apply_op(_ops.Dropout(cell.dropout, noise_shape=noise, rng=cell._rng), x)

    def _iid_input_dropout(self) -> bool:
        return False

    def _run_fused(self, cells, x, states, mask, training):
        """Each cell over the whole sequence as one op; a stack feeds each cell's outputs to the next."""
        outputs, finals, offset = x, [], 0
        for i, cell in enumerate(cells):
            last = i == len(cells) - 1
            n = len(nest.flatten(cell.state_size))
            # After the first cell the outputs are already in processing order (reversed by go_backwards).
            backwards = self.go_backwards and i == 0
            cell_mask = mask if mask is None or i == 0 or not self.go_backwards else mask[:, ::-1]
            op = cell.sequence_op(backwards, self.zero_output_for_mask, self.return_sequences or not last)
            inputs = self._input_dropout(cell, outputs, training)
            extra = [cell_mask] if cell_mask is not None else []
            outs = apply_op(op, inputs, *states[offset:offset + n], *cell.fused_weights(), *extra)
            outputs, offset = outs[0], offset + n
            finals.extend(outs[1:])
        return outputs, finals

    def _run_steps(self, x, states, mask, training, constants):
        """The cell's ``call`` at every step, through the tape (tf.keras 2's ``backend.rnn`` loop)."""
        cell = self.cell
        for c in (cell.cells if isinstance(cell, StackedRNNCells) else [cell]):
            if hasattr(c, "reset_dropout_mask"):
                c.reset_dropout_mask()
                c.reset_recurrent_dropout_mask()
        kwargs = {}
        call = cell if callable(cell) else cell.call
        if accepts_argument(cell.call, "training"):
            kwargs["training"] = training
        if constants:
            if not accepts_argument(cell.call, "constants"):
                raise ValueError(f"RNN cell {cell!r} does not support constants. Received: constants={constants}")
            kwargs["constants"] = constants
        structure = self._state_structure()
        steps = nest.flatten(x)[0].shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        # The outputs are handled flat: the cell may return a nesting of them (a tuple of tensors of any rank).
        outputs, previous, out_structure = [], None, None
        for t in order:
            out, new = call(nest.map_structure(lambda a, t=t: a[:, t], x), nest.pack_sequence_as(structure, states),
                            **kwargs)
            flat_out, new = nest.flatten(out), nest.flatten(new)
            if out_structure is None:
                out_structure = out
                self._check_step_structure(flat_out, new, states)
            if mask is not None:
                keep = mask[:, t]
                if previous is None or self.zero_output_for_mask:
                    previous = [zeros_like(o) for o in flat_out]
                flat_out = [where(_expand_to(keep, o), o, p) for o, p in zip(flat_out, previous)]
                new = [where(_expand_to(keep, n), n, s) for n, s in zip(new, states)]
            states, previous = new, flat_out
            if self.return_sequences:
                outputs.append(flat_out)
        flat_output = [stack(list(each), axis=1) for each in zip(*outputs)] if self.return_sequences else previous
        return nest.pack_sequence_as(out_structure, flat_output), states

    def _check_step_structure(self, flat_out, new_states, states):
        """A clear error when the cell's first step returns outputs or states that its ``output_size`` or
        ``state_size`` does not describe (their number, or a state's shape)."""
        size = getattr(self.cell, "output_size", None)
        if size is not None:
            expected = flat_size_dims(size)
            got = [tuple(o.shape[1:]) for o in flat_out]
            if len(got) != len(expected) or any(None not in e and e != g for e, g in zip(expected, got)):
                raise ValueError(f"RNN layer {self.name!r}: the cell returned outputs of shapes (batch excluded) "
                                 f"{got}, but its output_size {size!r} describes {expected}. Make the cell's "
                                 "call return outputs matching output_size.")
        if len(new_states) != len(states):
            raise ValueError(f"RNN layer {self.name!r}: the cell returned {len(new_states)} states, but its "
                             f"state_size describes {len(states)}.")
        expected = [tuple(s.shape[1:]) for s in states]
        got = [tuple(n.shape[1:]) for n in new_states]
        if got != expected:
            raise ValueError(f"RNN layer {self.name!r}: the cell returned states of shapes (batch excluded) {got}, "
                             f"but its state_size {self.cell.state_size!r} describes {expected}. Make the cell's "
                             "call return new states matching state_size.")

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        config = super().get_config()
        config.update(return_sequences=self.return_sequences, return_state=self.return_state,
                      go_backwards=self.go_backwards, stateful=self.stateful, unroll=self.unroll,
                      time_major=self.time_major)
        if self._num_constants:
            config["num_constants"] = self._num_constants
        if self._nested_inputs:  # chainrule's: tf.keras 2 cannot load a model whose RNN takes a tuple of inputs
            config["nested_inputs"] = self._nested_inputs
        if self.zero_output_for_mask:
            config["zero_output_for_mask"] = self.zero_output_for_mask
        config["cell"] = serialize_layer(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = deserialize_layer(config.pop("cell"), custom_objects)
        return cls(cell, **config)


registry.register("layers", RNN)
