"""The recurrent cells: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell`` (tf.keras 2), ``StackedRNNCells`` and
``AbstractRNNCell``, the base of a user's own cell.

A cell is one step: ``call(inputs, states, training=None)`` -> ``(output, new_states)`` with
``state_size`` (one int per state) and ``output_size``. The ``RNN`` layer runs a cell over a
sequence. A built-in cell whose activations the recurrent ops support (and that has no
recurrent dropout) also offers the whole-sequence op (``LSTMSequence`` ...) to ``RNN``, which
then runs the sequence as one op with backpropagation through time written out.

Weight layouts and formulas are tf.keras 2's (see ``chainrule.ops.recurrent``): ``kernel
(input_dim, G * units)``, ``recurrent_kernel (units, G * units)``, ``bias (G * units,)`` (GRU with
``reset_after``: ``(2, 3 * units)``), gate blocks LSTM i, f, c, o and GRU z, r, h.

Dropout (tf.keras 2's ``DropoutRNNCellMixin``): a cell draws its input mask (and its recurrent
mask) once per sequence and uses it at every step; ``RNN`` calls ``reset_dropout_mask()`` and
``reset_recurrent_dropout_mask()`` before each sequence. With ``recurrent_dropout`` tf.keras 2
switches LSTMCell and GRUCell to ``implementation=1``, which draws one mask per gate; so does
chainrule.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..._types import ActivationLike, ConstraintLike, InitializerLike, RegularizerLike
from ... import activations, constraints, initializers, registry, regularizers
from .... import nest
from .... import ops as _ops
from ...._suggest import accepts_argument
from ....functions import matmul
from ....tensor import Tensor, apply_op
from ....tensor_shape import TensorShape
from ..base import Layer
from ..serialization import deserialize as deserialize_layer
from ..serialization import serialize as serialize_layer


def _check_units(layer, units):
    if isinstance(units, bool) or not isinstance(units, numbers.Real) or units != int(units) or units <= 0:
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: received an invalid value for argument `units`, "
                         f"expected a positive integer, got {units!r}.")
    return int(units)


def _rate(value):
    return min(1.0, max(0.0, float(value)))


def recurrent_op_activation(fn):
    """The name the recurrent ops know ``fn`` by, or None when they cannot apply it."""
    try:
        name = activations.serialize(fn)
    except (TypeError, ValueError):
        return None
    if isinstance(name, str) and name in _ops.RECURRENT_ACTIVATIONS and activations.get(name) is fn:
        return name
    return None


def zeros_bias(shape, dtype):
    """A zero bias standing in for ``use_bias=False`` (a constant: the tape never differentiates it)."""
    return Tensor(np.zeros(shape, dtype=dtype))


class StateConvertingMixin:
    """A cell called directly takes its states as numpy arrays too, and casts float states to its dtype, as
    Layer.__call__ does for the inputs (tf.keras 2 converts only the inputs and fails on such states).
    Each cell's ``call`` starts with ``states = self._converted_states(states)``."""

    def _converted_states(self, states):
        return nest.map_structure(lambda s: s if s is None else self._convert_input(s), states)


class DropoutRNNCellMixin:
    """Per-sequence dropout masks of a cell (tf.keras 2's ``DropoutRNNCellMixin``)."""

    def _init_dropout(self, dropout, recurrent_dropout, seed=None):
        self.dropout = _rate(dropout)
        self.recurrent_dropout = _rate(recurrent_dropout)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self._dropout_masks = None
        self._recurrent_dropout_masks = None

    def _draw_masks(self, like, rate, count):
        # Each mask is a Dropout op on ones (not a number drawn in Python), so chainrule.function replays draw anew.
        ones = Tensor(np.ones(tuple(like.shape), dtype=like._value.dtype))
        return [apply_op(_ops.Dropout(rate, rng=self._rng), ones) for _ in range(count)]

    def get_dropout_mask_for_cell(self, inputs, training, count=1):
        """``count`` masks (scaled by ``1 / (1 - dropout)``) for the step inputs, drawn once per sequence;
        None outside training or without dropout."""
        if not training or not 0 < self.dropout < 1:
            return None
        if self._dropout_masks is None:
            self._dropout_masks = self._draw_masks(inputs, self.dropout, count)
        return self._dropout_masks

    def get_recurrent_dropout_mask_for_cell(self, inputs, training, count=1):
        """As :meth:`get_dropout_mask_for_cell`, for the previous output (``recurrent_dropout``)."""
        if not training or not 0 < self.recurrent_dropout < 1:
            return None
        if self._recurrent_dropout_masks is None:
            self._recurrent_dropout_masks = self._draw_masks(inputs, self.recurrent_dropout, count)
        return self._recurrent_dropout_masks

    def reset_dropout_mask(self):
        self._dropout_masks = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_masks = None


class _GatedCell(StateConvertingMixin, DropoutRNNCellMixin, Layer):
    """What the three built-in cells share: weights, regularizers, constraints, config, dropout."""

    gates = 1
    _config_keys = ()

    def __init__(self, units: int, activation: ActivationLike = "tanh", use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform",
                 recurrent_initializer: InitializerLike = "orthogonal", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, recurrent_regularizer: RegularizerLike = None,
                 bias_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 recurrent_constraint: ConstraintLike = None, bias_constraint: ConstraintLike = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None, **kwargs: Any) -> None:
        kwargs.pop("enable_caching_device", None)
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        self.units = _check_units(self, units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_dropout(dropout, recurrent_dropout, seed)
        # tf.keras 2: recurrent dropout forces implementation 1 (one dropout mask per gate).
        self.implementation = 1 if self.recurrent_dropout != 0 and self.gates > 1 else int(implementation or 1)
        self.state_size = self.units
        self.output_size = self.units

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape: Any) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the last dimension of the inputs (the features "
                             f"per step) must be known, got input shape {tuple(input_shape)}.")
        g = self.gates * self.units
        self.kernel = self.add_weight("kernel", (int(input_dim), g), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, g),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight("bias", self._bias_shape(), initializer=self._bias_initializer(),
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint) \
            if self.use_bias else None
        self.built = True

    # -- the fused ops
    def _op_activations(self):
        """The activation names for the recurrent ops, or None when one of them is not supported."""
        name = recurrent_op_activation(self.activation)
        return None if name is None else (name,)

    def fused_weights(self):
        """``(kernel, recurrent_kernel, bias)`` as the ops take them (a zero bias for ``use_bias=False``)."""
        bias = self.bias if self.use_bias else zeros_bias(self._bias_shape(), self.kernel._value.dtype)
        return self.kernel, self.recurrent_kernel, bias

    def can_fuse(self) -> bool:
        """Whether a whole sequence of this cell can run as one op: the built-in cell's own ``call`` (not a
        subclass's), activations the recurrent ops support, and no recurrent dropout."""
        builtin: type[Layer] = next(cls for cls in type(self).__mro__ if "_make_sequence_op" in cls.__dict__)
        return type(self).call is builtin.call and not self.recurrent_dropout and self._op_activations() is not None

    def sequence_op(self, go_backwards, zero_output_for_mask, return_sequences):
        """The whole-sequence op for this cell (see ``can_fuse``)."""
        return self._make_sequence_op(self._op_activations(), go_backwards=go_backwards,
                                      zero_output_for_mask=zero_output_for_mask, return_sequences=return_sequences)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            batch_size, dtype = inputs.shape[0], inputs.dtype
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        states = [Tensor(np.zeros((batch_size, s), dtype=np.dtype(getattr(dtype, "name", dtype) or self.dtype)))
                  for s in sizes]
        return states if isinstance(self.state_size, (list, tuple)) else states[0]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(units=self.units, activation=activations.serialize(self.activation))
        config.update(self._extra_config_before())
        config.update(use_bias=self.use_bias,
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      recurrent_initializer=initializers.serialize(self.recurrent_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer))
        config.update(self._extra_config_middle())
        config.update(kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
                      recurrent_regularizer=regularizers.serialize(self.recurrent_regularizer),
                      bias_regularizer=regularizers.serialize(self.bias_regularizer),
                      kernel_constraint=constraints.serialize(self.kernel_constraint),
                      recurrent_constraint=constraints.serialize(self.recurrent_constraint),
                      bias_constraint=constraints.serialize(self.bias_constraint),
                      dropout=self.dropout, recurrent_dropout=self.recurrent_dropout)
        config.update(self._extra_config_after())
        return config

    def _extra_config_before(self):
        return {}

    def _extra_config_middle(self):
        return {}

    def _extra_config_after(self):
        return {}


def forget_gate_bias(init, units: int):
    """An LSTM bias initializer with ``unit_forget_bias``: ``init`` for the i, c and o blocks of ``(4 * units,)``,
    ones for the forget gate's block (tf.keras 2's, for ``LSTMCell`` and the convolutional LSTM cells)."""
    def forget_gate_ones(shape, dtype=None):
        parts = [init((units,), dtype=dtype), np.ones((units,)), init((2 * units,), dtype=dtype)]
        return np.concatenate([np.asarray(p.numpy() if isinstance(p, Tensor) else p) for p in parts])
    return forget_gate_ones


def _first_state(states):
    return states[0] if isinstance(states, (list, tuple)) else states


class SimpleRNNCell(_GatedCell):
    """One step of a fully connected RNN: ``h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)``.

    ``state_size = output_size = units``. Defaults as tf.keras 2: tanh, glorot-uniform kernel,
    orthogonal recurrent kernel, zero bias.

    Args:
        units: the size of the output (of the hidden state for a recurrent layer).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        recurrent_initializer: initializer of the recurrent kernel (default ``'orthogonal'``).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        recurrent_regularizer: a regularizer for the recurrent kernel.
        bias_regularizer: a regularizer for the bias.
        kernel_constraint: a constraint applied to the kernel after each update.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint applied to the bias after each update.
        dropout: the fraction of the inputs dropped in training.
        recurrent_dropout: the fraction of the recurrent state dropped in training.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, units: int, activation: ActivationLike = "tanh", use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform",
                 recurrent_initializer: InitializerLike = "orthogonal", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, recurrent_regularizer: RegularizerLike = None,
                 bias_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 recurrent_constraint: ConstraintLike = None, bias_constraint: ConstraintLike = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)

    def _make_sequence_op(self, names, **options):
        return _ops.SimpleRNNSequence(activation=names[0], **options)

    def call(self, inputs: Any, states: Any, training: bool | None = None) -> Any:
        states = self._converted_states(states)
        prev = _first_state(states)
        dp = self.get_dropout_mask_for_cell(inputs, training)
        rec_dp = self.get_recurrent_dropout_mask_for_cell(prev, training)
        x = inputs * dp[0] if dp is not None else inputs
        h_in = prev * rec_dp[0] if rec_dp is not None else prev
        names = self._op_activations()
        if names is not None:
            output = apply_op(_ops.SimpleRNNStep(activation=names[0]), x, h_in, *self.fused_weights())
        else:
            h = matmul(x, self.kernel)
            if self.use_bias:
                h = h + self.bias
            output = self.activation(h + matmul(h_in, self.recurrent_kernel))
        return output, ([output] if isinstance(states, (list, tuple)) else output)


class LSTMCell(_GatedCell):
    """One LSTM step (Hochreiter 1997), tf.keras 2's math and layout.

    ``z = x @ kernel + h_prev @ recurrent_kernel + bias`` split into gates i, f, c, o;
    ``c = f * c_prev + i * activation(z_c)``, ``h = o * activation(c)`` with ``i, f, o`` through
    ``recurrent_activation``. ``state_size = [units, units]`` (h, c); the output is ``h``.
    ``unit_forget_bias=True`` (default) starts the forget gate's bias at 1.

    Args:
        units: the size of the output (of the hidden state for a recurrent layer).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        recurrent_activation: the activation of the gates (default ``'sigmoid'``).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        recurrent_initializer: initializer of the recurrent kernel (default ``'orthogonal'``).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        unit_forget_bias: start the forget gate's bias at 1.
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        recurrent_regularizer: a regularizer for the recurrent kernel.
        bias_regularizer: a regularizer for the bias.
        kernel_constraint: a constraint applied to the kernel after each update.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint applied to the bias after each update.
        dropout: the fraction of the inputs dropped in training.
        recurrent_dropout: the fraction of the recurrent state dropped in training.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    gates = 4

    def __init__(self, units: int, activation: ActivationLike = "tanh",
                 recurrent_activation: ActivationLike = "sigmoid", use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform",
                 recurrent_initializer: InitializerLike = "orthogonal", bias_initializer: InitializerLike = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: RegularizerLike = None,
                 recurrent_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 kernel_constraint: ConstraintLike = None, recurrent_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def _bias_initializer(self):
        return forget_gate_bias(self.bias_initializer, self.units) if self.unit_forget_bias else self.bias_initializer

    def _op_activations(self):
        names = (recurrent_op_activation(self.activation), recurrent_op_activation(self.recurrent_activation))
        return None if None in names else names

    def _make_sequence_op(self, names, **options):
        return _ops.LSTMSequence(activation=names[0], recurrent_activation=names[1], **options)

    def call(self, inputs, states, training=None):
        states = self._converted_states(states)
        h_prev, c_prev = states[0], states[1]
        count = 4 if self.implementation == 1 else 1
        dp = self.get_dropout_mask_for_cell(inputs, training, count=count)
        rec_dp = self.get_recurrent_dropout_mask_for_cell(h_prev, training, count=count)
        names = self._op_activations()
        if self.implementation != 1 and names is not None:
            x = inputs * dp[0] if dp is not None else inputs
            h, c = apply_op(_ops.LSTMStep(activation=names[0], recurrent_activation=names[1]), x, h_prev, c_prev,
                            *self.fused_weights())
            return h, [h, c]
        u = self.units
        xs = [inputs * m for m in dp] if dp is not None else [inputs] * 4
        hs = [h_prev * m for m in rec_dp] if rec_dp is not None else [h_prev] * 4
        if self.implementation == 1:
            z = [matmul(xs[k], self.kernel[:, k * u:(k + 1) * u]) +
                 matmul(hs[k], self.recurrent_kernel[:, k * u:(k + 1) * u]) for k in range(4)]
            if self.use_bias:
                z = [z[k] + self.bias[k * u:(k + 1) * u] for k in range(4)]
        else:
            zz = matmul(xs[0], self.kernel) + matmul(hs[0], self.recurrent_kernel)
            if self.use_bias:
                zz = zz + self.bias
            z = [zz[:, k * u:(k + 1) * u] for k in range(4)]
        i, f = self.recurrent_activation(z[0]), self.recurrent_activation(z[1])
        c = f * c_prev + i * self.activation(z[2])
        o = self.recurrent_activation(z[3])
        h = o * self.activation(c)
        return h, [h, c]

    def _extra_config_before(self):
        return {"recurrent_activation": activations.serialize(self.recurrent_activation)}

    def _extra_config_middle(self):
        return {"unit_forget_bias": self.unit_forget_bias}

    def _extra_config_after(self):
        return {"implementation": self.implementation}


class GRUCell(_GatedCell):
    """One GRU step (Cho 2014), tf.keras 2's math and layout (gates z, r, h).

    ``reset_after=True`` (the TF 2 default; cuDNN's convention) applies the reset gate after the
    recurrent matmul and has a bias ``(2, 3 * units)`` (input and recurrent rows);
    ``reset_after=False`` applies it before, with a bias ``(3 * units,)``.
    ``h = z * h_prev + (1 - z) * hh``. ``state_size = output_size = units``.

    Args:
        units: the size of the output (of the hidden state for a recurrent layer).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        recurrent_activation: the activation of the gates (default ``'sigmoid'``).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        recurrent_initializer: initializer of the recurrent kernel (default ``'orthogonal'``).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        recurrent_regularizer: a regularizer for the recurrent kernel.
        bias_regularizer: a regularizer for the bias.
        kernel_constraint: a constraint applied to the kernel after each update.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint applied to the bias after each update.
        dropout: the fraction of the inputs dropped in training.
        recurrent_dropout: the fraction of the recurrent state dropped in training.
        reset_after: apply the reset gate after the recurrent matrix product (tf.keras 2's default, True).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    gates = 3

    def __init__(self, units: int, activation: ActivationLike = "tanh",
                 recurrent_activation: ActivationLike = "sigmoid", use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform",
                 recurrent_initializer: InitializerLike = "orthogonal", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, recurrent_regularizer: RegularizerLike = None,
                 bias_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 recurrent_constraint: ConstraintLike = None, bias_constraint: ConstraintLike = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _op_activations(self):
        names = (recurrent_op_activation(self.activation), recurrent_op_activation(self.recurrent_activation))
        return None if None in names else names

    def _make_sequence_op(self, names, **options):
        return _ops.GRUSequence(activation=names[0], recurrent_activation=names[1], reset_after=self.reset_after,
                                **options)

    def call(self, inputs, states, training=None):
        states = self._converted_states(states)
        h_prev = _first_state(states)
        count = 3 if self.implementation == 1 else 1
        dp = self.get_dropout_mask_for_cell(inputs, training, count=count)
        rec_dp = self.get_recurrent_dropout_mask_for_cell(h_prev, training, count=count)
        wrap = isinstance(states, (list, tuple))
        names = self._op_activations()
        if self.implementation != 1 and names is not None:
            x = inputs * dp[0] if dp is not None else inputs
            h = apply_op(_ops.GRUStep(activation=names[0], recurrent_activation=names[1],
                                      reset_after=self.reset_after), x, h_prev, *self.fused_weights())
            return h, ([h] if wrap else h)
        u, k, rk = self.units, self.kernel, self.recurrent_kernel
        xs = [inputs * m for m in dp] if dp is not None else [inputs] * 3
        hs = [h_prev * m for m in rec_dp] if rec_dp is not None else [h_prev] * 3
        if self.use_bias:
            in_bias, rec_bias = (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, None)
        x_parts = [matmul(xs[g], k[:, g * u:(g + 1) * u]) for g in range(3)]
        if self.use_bias:
            x_parts = [x_parts[g] + in_bias[g * u:(g + 1) * u] for g in range(3)]
        rec_z = matmul(hs[0], rk[:, :u])
        rec_r = matmul(hs[1], rk[:, u:2 * u])
        if self.reset_after and self.use_bias:
            rec_z, rec_r = rec_z + rec_bias[:u], rec_r + rec_bias[u:2 * u]
        z = self.recurrent_activation(x_parts[0] + rec_z)
        r = self.recurrent_activation(x_parts[1] + rec_r)
        if self.reset_after:
            rec_h = matmul(hs[2], rk[:, 2 * u:])
            if self.use_bias:
                rec_h = rec_h + rec_bias[2 * u:]
            rec_h = r * rec_h
        else:
            rec_h = matmul(r * hs[2], rk[:, 2 * u:])
        hh = self.activation(x_parts[2] + rec_h)
        h = z * h_prev + (1 - z) * hh
        return h, ([h] if wrap else h)

    def _extra_config_before(self):
        return {"recurrent_activation": activations.serialize(self.recurrent_activation)}

    def _extra_config_after(self):
        return {"implementation": self.implementation, "reset_after": self.reset_after}


def is_multiple_state(state_size) -> bool:
    """tf.keras 2's test: a ``state_size`` with a length (a list/tuple) describes several states; a
    ``TensorShape`` is the size of one state of several dimensions."""
    return hasattr(state_size, "__len__") and not isinstance(state_size, TensorShape)


def map_sizes(fn, size):
    """``fn`` applied to each state's (or output's) size in ``size``, in its nesting.

    A size is an int or a ``TensorShape`` (one tensor of several dimensions, kept whole as
    ``tf.nest`` keeps it); lists, tuples and dicts nest sizes.
    """
    if isinstance(size, TensorShape) or not nest.is_nested(size):
        return fn(size)
    if isinstance(size, dict):
        return {k: map_sizes(fn, v) for k, v in size.items()}
    items = [map_sizes(fn, s) for s in size]
    return type(size)(*items) if hasattr(size, "_fields") else type(size)(items)


def size_dims(size) -> tuple:
    """The dimensions (batch excluded) of a tensor of ``size``: ``10`` -> ``(10,)``,
    ``TensorShape([20, 30])`` -> ``(20, 30)``."""
    if isinstance(size, TensorShape):
        return tuple(size)
    return (None if size is None else int(size),)


def flat_size_dims(size) -> list:
    """The dimensions of each tensor ``size`` describes, flattened: ``[10, TensorShape([20, 30])]`` ->
    ``[(10,), (20, 30)]``."""
    dims = []
    map_sizes(lambda s: dims.append(size_dims(s)), size)
    return dims


def output_size_of(cell):
    """The size of a cell's output: ``output_size``, else its first state's size."""
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    return cell.state_size[0] if is_multiple_state(cell.state_size) else cell.state_size


class StackedRNNCells(StateConvertingMixin, Layer):
    """Cells applied one after the other within each step: the output of one is the input of the next.

    ``state_size`` is the tuple of the cells' state sizes, ``output_size`` the last cell's.
    ``RNN([cell_1, cell_2])`` wraps its list in this class.

    Args:
        cells: the cells, run one after the other at each step.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, cells: Any, **kwargs: Any) -> None:
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError(f"StackedRNNCells: all cells must have a `call` method. Received cell without a "
                                 f"`call` method: {cell!r}")
            if not hasattr(cell, "state_size"):
                raise ValueError(f"StackedRNNCells: all cells must have a `state_size` attribute. Received cell "
                                 f"without a `state_size`: {cell!r}")
        if kwargs.pop("reverse_state_order", False):
            raise ValueError("StackedRNNCells: reverse_state_order=True (deprecated in tf.keras 2) is not supported.")
        super().__init__(**kwargs)
        self.cells = list(cells)

    @property
    def state_size(self):
        return tuple(c.state_size for c in self.cells)

    @property
    def output_size(self):
        return output_size_of(self.cells[-1])

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        out = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                out.append(fn(inputs=inputs, batch_size=batch_size, dtype=dtype))
            else:
                out.append(zero_states(cell.state_size, batch_size, dtype))
        return tuple(out)

    def build(self, input_shape: Any) -> None:
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        batch = input_shape[0]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.__dict__["_scope"] = f"{self._weight_scope()}/{cell.name}"
                cell.build(tuple(input_shape))
                cell.built = True
            input_shape = (batch,) + size_dims(output_size_of(cell))
        self.built = True

    def call(self, inputs: Any, states: Any, constants: Any = None, training: bool | None = None, **kwargs: Any) -> Any:
        states = self._converted_states(states)
        structure = map_sizes(lambda _: None, list(self.state_size))  # a TensorShape size is one state
        nested = nest.pack_sequence_as(structure, nest.flatten(states))
        new_states = []
        for cell, cell_states in zip(self.cells, nested):
            cell_states = cell_states if isinstance(cell_states, (list, tuple)) else [cell_states]
            extra = {}
            if _accepts(cell, "training"):
                extra["training"] = training
            if constants is not None and _accepts(cell, "constants"):
                extra["constants"] = constants
            inputs, cell_states = cell(inputs, cell_states, **extra)
            new_states.append(cell_states)
        return inputs, nest.pack_sequence_as(structure, nest.flatten(new_states))

    def get_config(self) -> dict:
        config = super().get_config()
        config["cells"] = [serialize_layer(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_layer(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


def _accepts(cell, name):
    return accepts_argument(cell.call, name)


class AbstractRNNCell(Layer):
    """The base of a custom RNN cell (tf.keras 2): subclass it and define ``state_size``, ``output_size``
    (properties) and ``call(inputs, states)`` -> ``(output, new_states)``; ``RNN(cell)`` runs it over a
    sequence. ``get_initial_state`` gives zero states of ``state_size``.

    Example::

        class MinimalRNNCell(keras.layers.AbstractRNNCell):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.units = units

            @property
            def state_size(self):
                return self.units

            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
                self.built = True

            def call(self, inputs, states):
                output = tf.matmul(inputs, self.kernel) + states[0]
                return output, output

    Args:
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ...).
    """

    def call(self, inputs, states):
        """One step: ``(output, new_states)`` from ``inputs`` ``(batch, features)`` and the previous ``states``."""
        raise NotImplementedError(f"{type(self).__name__}: a subclass of AbstractRNNCell must define "
                                  "call(inputs, states) -> (output, new_states).")

    @property
    def state_size(self):
        """The size of each state: an int, or a list with one per state."""
        raise NotImplementedError(f"{type(self).__name__}: a subclass of AbstractRNNCell must define the "
                                  "state_size property.")

    @property
    def output_size(self):
        """The size of the output (default: the first state's size)."""
        size = self.state_size
        return nest.flatten(size)[0] if is_multiple_state(size) else size

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zeros ``(batch, size)`` for each state; ``inputs`` gives the batch size and dtype when passed."""
        if inputs is not None:
            batch_size, dtype = inputs.shape[0], inputs.dtype
        return zero_states(self.state_size, batch_size, dtype or self.dtype)


def zero_states(state_size, batch_size, dtype):
    """Zeros ``(batch, *dims)`` for each state in ``state_size`` (in its nesting; a ``TensorShape`` size gives
    a state of its dimensions)."""
    dtype = np.dtype(getattr(dtype, "name", dtype) or "float32")

    def zeros(size):
        return Tensor(np.zeros((batch_size,) + size_dims(size), dtype=dtype))
    if is_multiple_state(state_size):
        return map_sizes(zeros, list(state_size))
    return zeros(state_size)


registry.register("layers", SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells, AbstractRNNCell)
