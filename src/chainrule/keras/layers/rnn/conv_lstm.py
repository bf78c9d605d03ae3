"""Convolutional LSTMs: ``ConvLSTM1D``, ``ConvLSTM2D``, ``ConvLSTM3D`` (tf.keras 2, Shi et al. 2015).

An LSTM whose input and recurrent transforms are convolutions: the inputs are sequences of images,
``(batch, time, *spatial, channels)`` (``channels_last``) or ``(batch, time, channels, *spatial)``, and
the states ``h`` and ``c`` are feature maps ``(batch, *out_spatial, filters)``. ``ConvLSTMCell`` is one
step; ``ConvRNN`` runs it with the ``RNN`` layer's step loop, every gradient the backward of the ops a
step uses (``ops.Conv``, the activations, ``*``/``+``).

tf.keras 2's math, defaults and layout: ``kernel (*kernel_size, channels, 4 * filters)``,
``recurrent_kernel (*kernel_size, filters, 4 * filters)``, ``bias (4 * filters,)``, gate blocks i, f, c, o;
``z = conv(x, kernel, strides, padding, dilation) + bias + conv(h_prev, recurrent_kernel, 'same')``,
``c = f * c_prev + i * activation(z_c)``, ``h = o * activation(c)``, with ``recurrent_activation``
(default ``'hard_sigmoid'``, not the LSTM's sigmoid) for i, f and o. The weights are named
``conv_lstm2d/kernel:0`` ... (no cell scope), as tf.keras names them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..._types import ActivationLike, ConstraintLike, InitializerLike, IntOrTuple, RegularizerLike
from ... import activations, constraints, initializers, registry, regularizers
from .... import nest
from .... import ops as _ops
from ....functions import split
from ....tensor import Tensor, apply_op
from ..base import Layer
from .. import conv_utils
from .base_rnn import RNN
from .cells import DropoutRNNCellMixin, StateConvertingMixin, forget_gate_bias


class ConvLSTMCell(StateConvertingMixin, DropoutRNNCellMixin, Layer):
    """One step of a convolutional LSTM of ``rank`` spatial dimensions (1, 2 or 3); see the module doc.

    Args:
        rank: the number of spatial dimensions of each step's input.
        filters: the number of output channels (of ``h`` and ``c``).
        kernel_size: the convolution window, an int or ``rank`` ints.
        strides: the input convolution's strides (the recurrent one uses 1), an int or ``rank`` ints.
        padding: the input convolution's ``'valid'`` or ``'same'`` (the recurrent one always ``'same'``).
        data_format: ``'channels_last'`` (default, from ``keras.backend.image_data_format()``) or
            ``'channels_first'``.
        dilation_rate: the input convolution's dilation, an int or ``rank`` ints.
        activation: for the cell input and the output (default ``'tanh'``).
        recurrent_activation: for the gates i, f, o (default ``'hard_sigmoid'``, as tf.keras 2).
        use_bias: whether the gates have a bias.
        kernel_initializer: initializer of the input kernel (default ``'glorot_uniform'``).
        recurrent_initializer: initializer of the recurrent kernel (default ``'orthogonal'``).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        unit_forget_bias: start the forget gate's bias at 1 (default True).
        kernel_regularizer: a regularizer of the input kernel.
        recurrent_regularizer: a regularizer of the recurrent kernel.
        bias_regularizer: a regularizer of the bias.
        kernel_constraint: a constraint on the input kernel.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint on the bias.
        dropout: the fraction of the input dropped in training.
        recurrent_dropout: the fraction of ``h`` dropped in training.
        **kwargs: the base ``Layer`` arguments.

    ``state_size`` is ``(filters, filters)`` (tf.keras 2's: the channels of the two state maps).

    Raises:
        ValueError: a rank other than 1-3, invalid filters, kernel size, strides, padding or data format, or
            an input whose channel axis is unknown.
    """

    def __init__(self, rank: int, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = 1,
                 padding: str = "valid", data_format: str | None = None, dilation_rate: IntOrTuple = 1,
                 activation: ActivationLike = "tanh", recurrent_activation: ActivationLike = "hard_sigmoid",
                 use_bias: bool = True, kernel_initializer: InitializerLike = "glorot_uniform",
                 recurrent_initializer: InitializerLike = "orthogonal", bias_initializer: InitializerLike = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: RegularizerLike = None,
                 recurrent_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 kernel_constraint: ConstraintLike = None, recurrent_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} {self.name!r}"
        if rank not in (1, 2, 3):
            raise ValueError(f"{owner}: rank {rank} convolutions are not implemented; the rank is 1, 2 or 3.")
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"{owner}: invalid value for argument `filters`; expected a strictly positive integer, "
                             f"received filters={filters!r}.")
        self.rank, self.filters = int(rank), int(filters)
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides", owner)
        self.padding = conv_utils.normalize_padding(padding, owner)
        self.data_format = conv_utils.normalize_data_format(data_format, owner)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_dropout(dropout, recurrent_dropout)
        self.state_size = (self.filters, self.filters)

    # -- shapes
    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def output_spatial(self, spatial) -> tuple:
        """The spatial dimensions of ``h`` and ``c`` for a step input's spatial dimensions (None stays None)."""
        return tuple(_ops.conv_output_length(n, k, self.padding, s, d)
                     for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def state_shape(self, step_shape) -> tuple:
        """The shape of each state for a step input of ``step_shape`` (batch first)."""
        step_shape = tuple(step_shape)
        if self.data_format == "channels_last":
            return (step_shape[0],) + self.output_spatial(step_shape[1:-1]) + (self.filters,)
        return (step_shape[0], self.filters) + self.output_spatial(step_shape[2:])

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        if len(shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: each step's input must have {self.rank + 2} "
                             f"dimensions (batch, {self.rank} spatial, channels), got shape {shape}.")
        channels = shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the channel dimension of the inputs should be "
                             f"defined. Found None. Full input shape received: {shape}")
        gates = 4 * self.filters
        self.kernel = self.add_weight("kernel", self.kernel_size + (int(channels), gates),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", self.kernel_size + (self.filters, gates),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            init = forget_gate_bias(self.bias_initializer, self.filters) if self.unit_forget_bias \
                else self.bias_initializer
            self.bias = self.add_weight("bias", (gates,), initializer=init, regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    # -- one step
    def input_conv(self, x, kernel, bias=None):
        """``conv(x, kernel) + bias`` with the cell's strides, padding and dilation."""
        op = _ops.Conv(strides=self.strides, padding=self.padding, dilation_rate=self.dilation_rate,
                       data_format=self.data_format)
        return apply_op(op, x, kernel) if bias is None else apply_op(op, x, kernel, bias)

    def recurrent_conv(self, h, kernel):
        """``conv(h, kernel)`` with strides 1 and ``'same'`` padding (the state keeps its size)."""
        return apply_op(_ops.Conv(padding="same", data_format=self.data_format), h, kernel)

    def call(self, inputs: Any, states: Any, training: bool | None = None) -> Any:
        states = self._converted_states(states)
        h_prev, c_prev = states[0], states[1]
        dp = self.get_dropout_mask_for_cell(inputs, training, count=4)
        rec_dp = self.get_recurrent_dropout_mask_for_cell(h_prev, training, count=4)
        axis = self._channel_axis
        if dp is None and rec_dp is None:
            # The four gates' convolutions as one (each output channel is its own window sum, the same numbers).
            z = self.input_conv(inputs, self.kernel, self.bias) + self.recurrent_conv(h_prev, self.recurrent_kernel)
            z_i, z_f, z_c, z_o = split(z, 4, axis=axis)
        else:  # a dropout mask per gate, as tf.keras 2: four convolutions each way
            xs = [inputs * m for m in dp] if dp is not None else [inputs] * 4
            hs = [h_prev * m for m in rec_dp] if rec_dp is not None else [h_prev] * 4
            kernels = split(self.kernel, 4, axis=-1)
            recurrent_kernels = split(self.recurrent_kernel, 4, axis=-1)
            biases = split(self.bias, 4) if self.use_bias else [None] * 4
            z_i, z_f, z_c, z_o = [self.input_conv(xs[k], kernels[k], biases[k])
                                  + self.recurrent_conv(hs[k], recurrent_kernels[k]) for k in range(4)]
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_prev + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(_cell_config(self))
        return config


def _cell_config(cell) -> dict:
    """The cell's arguments, in tf.keras 2's order (the layer's config carries the same keys)."""
    return {"filters": cell.filters, "kernel_size": cell.kernel_size, "strides": cell.strides,
            "padding": cell.padding, "data_format": cell.data_format, "dilation_rate": cell.dilation_rate,
            "activation": activations.serialize(cell.activation),
            "recurrent_activation": activations.serialize(cell.recurrent_activation),
            "use_bias": cell.use_bias, "kernel_initializer": initializers.serialize(cell.kernel_initializer),
            "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
            "bias_initializer": initializers.serialize(cell.bias_initializer),
            "unit_forget_bias": cell.unit_forget_bias,
            "kernel_regularizer": regularizers.serialize(cell.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(cell.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(cell.bias_regularizer)}


class ConvRNN(RNN):
    """An ``RNN`` over sequences of images for a convolutional cell: states shaped as feature maps.

    What differs from ``RNN``: the inputs have ``rank + 3`` dimensions; the zero initial states are
    ``(batch, *out_spatial, filters)`` maps sized by the cell's input convolution (unknown spatial
    dimensions are read from the inputs at call time); the output shape follows the convolution; the cell
    cannot be a stack and ``unroll`` is refused (both ``TypeError``, as tf.keras 2).
    """

    def __init__(self, rank: int, cell: Any, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False, **kwargs: Any) -> None:
        if unroll:
            raise TypeError(f"Unrolling is not possible with convolutional RNNs. Received: unroll={unroll}")
        if isinstance(cell, (list, tuple)):
            raise TypeError("It is not possible at the moment to stack convolutional cells. Only pass a single cell "
                            f"instance as the `cell` argument. Received: cell={cell}")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=False, **kwargs)
        self.rank = int(rank)
        self._step_shape: tuple | None = None

    def _check_rank(self, shape) -> None:
        if len(shape) != self.rank + 3:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected "
                             f"ndim={self.rank + 3}, found ndim={len(shape)}. Full shape received: {tuple(shape)}. "
                             f"{type(self).__name__} reads (batch, time, {self.rank} spatial dims, channels).")

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape[0] if isinstance(input_shape, list) and not _is_one_shape(input_shape)
                      else input_shape)
        self._check_rank(shape)
        self._step_shape = (shape[0],) + shape[2:]
        if not self.cell.built:
            self.cell._scope = self._weight_scope()  # tf.keras names them conv_lstm2d/kernel:0 (no cell scope)
            self.cell.build(self._step_shape)
            self.cell.built = True
        self._batch_size = shape[0]
        if self.stateful:
            self.reset_states()
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0] if isinstance(input_shape, list) and not _is_one_shape(input_shape)
                      else input_shape)
        self._check_rank(shape)
        state = self.cell.state_shape((shape[0],) + shape[2:])
        output = (state[0], shape[1]) + state[1:] if self.return_sequences else state
        return [output, state, state] if self.return_state else output

    def get_initial_state(self, inputs):
        """Zero ``h`` and ``c`` maps for ``inputs`` ``(batch, time, ...)``: ``[h0, c0]``."""
        inputs = nest.flatten(inputs)[0]
        step = (inputs.shape[0],) + tuple(inputs.shape[2:])
        zeros = np.zeros(self.cell.state_shape(step), dtype=inputs._value.dtype)
        return [Tensor(zeros), Tensor(zeros.copy())]

    def _state_shapes(self) -> list:
        """``h`` and ``c``'s shape, the cell's maps for the built input (RNN.reset_states makes and sets them).

        Raises:
            ValueError: the batch size or a spatial dimension is unknown.
        """
        shape = self.cell.state_shape(self._step_shape) if self._step_shape is not None else (None,)
        if None in shape:
            raise ValueError(
                f"RNN layer {self.name!r}: if a RNN is stateful, it needs to know its batch size. Specify the batch "
                "size of your input tensors: \n- If using a Sequential model, specify the batch size by passing a "
                "`batch_input_shape` argument to your first layer.\n- If using the functional API, specify the time "
                "dimension by passing a `batch_shape` argument to your Input layer.\nThe same thing goes for the "
                f"number of rows and columns (state shape {shape}).")
        return [shape, shape]


def _is_one_shape(shape) -> bool:
    return all(d is None or isinstance(d, (int, np.integer)) for d in shape)


class _ConvLSTM(ConvRNN):
    """``ConvRNN`` around a ``ConvLSTMCell`` built from the layer's own arguments (tf.keras 2's ``ConvLSTM``)."""

    conv_rank = 2

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: IntOrTuple = 1, activation: ActivationLike = "tanh",
                 recurrent_activation: ActivationLike = "hard_sigmoid", use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform",
                 recurrent_initializer: InitializerLike = "orthogonal", bias_initializer: InitializerLike = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: RegularizerLike = None,
                 recurrent_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 recurrent_constraint: ConstraintLike = None, bias_constraint: ConstraintLike = None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 **kwargs: Any) -> None:
        kwargs.pop("time_major", None)
        cell = ConvLSTMCell(self.conv_rank, filters, kernel_size, strides=strides, padding=padding,
                            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                            recurrent_activation=recurrent_activation, use_bias=use_bias,
                            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                            dropout=dropout, recurrent_dropout=recurrent_dropout, name="conv_lstm_cell",
                            dtype=kwargs.get("dtype"))
        super().__init__(self.conv_rank, cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, activity_regularizer=activity_regularizer,
                         **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        config.update(_cell_config(self.cell))
        config.update(activity_regularizer=regularizers.serialize(self.activity_regularizer),
                      kernel_constraint=constraints.serialize(self.cell.kernel_constraint),
                      recurrent_constraint=constraints.serialize(self.cell.recurrent_constraint),
                      bias_constraint=constraints.serialize(self.cell.bias_constraint),
                      dropout=self.cell.dropout, recurrent_dropout=self.cell.recurrent_dropout)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


_CELL_ATTRIBUTES = frozenset(("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                              "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                              "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
                              "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
                              "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout"))


def _cell_property(name: str) -> property:
    """A read-only property reading the cell's attribute ``name`` (tf.keras 2's ``layer.filters`` ...)."""
    def get(self):
        return getattr(self.cell, name)
    return property(get, doc=f"The cell's ``{name}``.")


for _name in _CELL_ATTRIBUTES:
    setattr(_ConvLSTM, _name, _cell_property(_name))


_LAYER_DOC = """A convolutional LSTM over sequences of {what} ``{shape}`` (tf.keras 2's ``{name}``).

    Output ``{out}``, or with ``return_sequences`` the same with the time axis after the batch;
    ``return_state`` adds the last ``h`` and ``c`` maps. The spatial sizes follow the input convolution
    (``padding='same'`` keeps them at stride 1, ``'valid'`` loses ``kernel_size - 1``). See the module doc for
    the math; ``channels_first`` puts the channels before the spatial axes.

    Args:
        filters: the number of output channels (of ``h`` and ``c``).
        kernel_size: the convolution window, an int or {rank} ints.
        strides: the input convolution's strides, an int or {rank} ints (the recurrent one uses 1).
        padding: ``'valid'`` (default) or ``'same'``, for the input convolution (the recurrent one is ``'same'``).
        data_format: ``'channels_last'`` or ``'channels_first'`` (default ``keras.backend.image_data_format()``).
        dilation_rate: the input convolution's dilation, an int or {rank} ints.
        activation: for the cell input and the output (default ``'tanh'``).
        recurrent_activation: for the gates i, f and o (default ``'hard_sigmoid'``, as tf.keras 2).
        use_bias: whether the gates have a bias.
        kernel_initializer: initializer of the input kernel (default ``'glorot_uniform'``).
        recurrent_initializer: initializer of the recurrent kernel (default ``'orthogonal'``).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        unit_forget_bias: start the forget gate's bias at 1 (default True).
        kernel_regularizer: a regularizer of the input kernel.
        recurrent_regularizer: a regularizer of the recurrent kernel.
        bias_regularizer: a regularizer of the bias.
        activity_regularizer: a regularizer of the layer's output.
        kernel_constraint: a constraint on the input kernel.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint on the bias.
        return_sequences: return the output of every step, not only the last.
        return_state: also return the last ``h`` and ``c``.
        go_backwards: process the steps last to first.
        stateful: each call starts from the previous call's last states (needs a fixed batch and spatial shape).
        dropout: the fraction of the input dropped in training (one mask per gate and sequence).
        recurrent_dropout: the fraction of ``h`` dropped in training (one mask per gate and sequence).
        **kwargs: the base ``Layer`` arguments (``name``, ``input_shape`` ...).

    Raises:
        TypeError: ``unroll=True``.
        ValueError: inputs that are not {ndim}-D, an unknown channel axis, or invalid convolution arguments.
    """


class ConvLSTM1D(_ConvLSTM):
    __doc__ = _LAYER_DOC.format(what="1-D maps", shape="(batch, time, steps, channels)", name="ConvLSTM1D",
                                out="(batch, new_steps, filters)", rank=1, ndim=4)
    conv_rank = 1


class ConvLSTM2D(_ConvLSTM):
    __doc__ = _LAYER_DOC.format(what="images", shape="(batch, time, rows, cols, channels)", name="ConvLSTM2D",
                                out="(batch, new_rows, new_cols, filters)", rank=2, ndim=5)
    conv_rank = 2


class ConvLSTM3D(_ConvLSTM):
    __doc__ = _LAYER_DOC.format(what="volumes", shape="(batch, time, d1, d2, d3, channels)", name="ConvLSTM3D",
                                out="(batch, new_d1, new_d2, new_d3, filters)", rank=3, ndim=6)
    conv_rank = 3


registry.register("layers", ConvLSTMCell, ConvLSTM1D, ConvLSTM2D, ConvLSTM3D)
