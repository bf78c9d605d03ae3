"""Convolution layers: Conv1D/2D/3D, their transposes, DepthwiseConv1D/2D and SeparableConv1D/2D.

Each layer is tf.keras 2's (names, arguments, defaults, config keys, weight names and layouts) on
the convolution ops of :mod:`chainrule.ops.conv`:

=========================  ===========================================  ==========================
layer                      weights (tf.keras's layout)                  op
=========================  ===========================================  ==========================
``ConvND``                 ``kernel (*kernel_size, C_in // groups, filters)``, ``bias (filters,)``  ``ops.Conv``
``ConvNDTranspose``        ``kernel (*kernel_size, filters, C_in)``, ``bias (filters,)``  ``ops.ConvTranspose``
``DepthwiseConvND``        ``depthwise_kernel (*kernel_size, C_in, depth_multiplier)``,  ``ops.DepthwiseConv``
                           ``bias (C_in * depth_multiplier,)``
``SeparableConvND``        ``depthwise_kernel (*kernel_size, C_in, depth_multiplier)``,  ``ops.DepthwiseConv``
                           ``pointwise_kernel (*1, C_in * depth_multiplier, filters)``,  then a 1x1 ``ops.Conv``
                           ``bias (filters,)``
=========================  ===========================================  ==========================

so weights move between chainrule and tf.keras files unchanged. Data is ``channels_last``
``(batch, *spatial, channels)`` unless ``data_format='channels_first'`` (``None`` means
``keras.backend.image_data_format()``).
"""
from __future__ import annotations

from typing import Any

from .._types import ActivationLike, ConstraintLike, InitializerLike, IntOrTuple, RegularizerLike
from ... import ops as _ops
from ...functions import reshape
from ...tensor import apply_op
from .. import activations, constraints, initializers, registry, regularizers
from . import conv_utils
from .base import Layer


def _positive_filters(value, owner):
    if value is None:
        return None
    if isinstance(value, float):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{owner}: invalid value for argument `filters`; expected a strictly positive integer, "
                         f"received filters={value!r}.")
    return value


class _BaseConv(Layer):
    """What every convolution layer shares: argument normalization, input checks, output shapes, config."""

    _conv_rank = 2
    _allows_causal = False
    _exact_rank = True   # Conv accepts extra leading batch axes (tf.keras's min_ndim); the others do not

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: IntOrTuple = 1, groups: int = 1,
                 activation: ActivationLike = None, use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        rank, owner = self._conv_rank, f"{type(self).__name__} {self.name!r}"
        self.rank = rank
        self.filters = _positive_filters(filters, owner)
        self.groups = int(groups or 1)
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides", owner)
        allowed = ("valid", "same", "causal") if self._allows_causal else ("valid", "same")
        if isinstance(padding, str) and padding.lower() == "causal" and not self._allows_causal:
            raise ValueError(f"{owner}: causal padding is only supported for `Conv1D` and `SeparableConv1D`.")
        self.padding = conv_utils.normalize_padding(padding, owner, allowed)
        self.data_format = conv_utils.normalize_data_format(data_format, owner)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        if self.filters is not None and self.filters % self.groups:
            raise ValueError(f"{owner}: the number of filters must be evenly divisible by the number of groups; "
                             f"received groups={self.groups}, filters={self.filters}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: `strides > 1` not supported in conjunction with `dilation_rate > 1`; "
                             f"received strides={self.strides} and dilation_rate={self.dilation_rate}.")
        self._in_channels = None

    # -- shapes
    def _check_shape(self, shape):
        conv_utils.check_input_rank(self, shape, self.rank, self.data_format, exact=self._exact_rank)
        if self._in_channels is not None:
            conv_utils.check_channels(self, shape, self.data_format, self._in_channels)

    def _spatial_in(self, shape):
        n = len(shape)
        return list(shape[n - self.rank - 1:n - 1] if self.data_format == "channels_last" else shape[n - self.rank:])

    def _spatial_out(self, spatial):
        return [_ops.conv_output_length(n, k, self.padding, s, d)
                for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)]

    def _out_channels(self, in_channels):
        return self.filters

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        self._check_shape(shape)
        batch = shape[:len(shape) - self.rank - 1]
        channels = shape[-1] if self.data_format == "channels_last" else shape[len(batch)]
        spatial = self._spatial_out(self._spatial_in(shape))
        if any(d is not None and d <= 0 for d in spatial):
            raise ValueError(f"{type(self).__name__} {self.name!r}: one of the dimensions in the output is <= 0 due "
                             f"to downsampling; consider increasing the input size. Received input shape {shape}, "
                             f"which would produce the spatial output shape {tuple(spatial)}.")
        out_c = self._out_channels(channels)
        if self.data_format == "channels_last":
            return batch + tuple(spatial) + (out_c,)
        return batch + (out_c,) + tuple(spatial)

    def _add_bias(self, size):
        if not self.use_bias:
            self.bias = None
            return
        self.bias = self.add_weight("bias", (size,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _op_inputs(self, x, kernel):
        return (x, kernel, self.bias) if self.use_bias else (x, kernel)

    def _finish(self, outputs):
        return self._activate(outputs)

    def _base_config(self) -> dict:
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
                      data_format=self.data_format, dilation_rate=self.dilation_rate, groups=self.groups,
                      activation=activations.serialize(self.activation), use_bias=self.use_bias,
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer),
                      kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
                      bias_regularizer=regularizers.serialize(self.bias_regularizer),
                      activity_regularizer=regularizers.serialize(self.activity_regularizer),
                      kernel_constraint=constraints.serialize(self.kernel_constraint),
                      bias_constraint=constraints.serialize(self.bias_constraint))
        return config

    def get_config(self) -> dict:
        return self._base_config()


class _Conv(_BaseConv):
    """N-d convolution (``ops.Conv``): kernel ``(*kernel_size, C_in // groups, filters)``."""

    _exact_rank = False

    def build(self, input_shape):
        shape = tuple(input_shape)
        self._check_shape(shape)
        cin = conv_utils.defined_channels(self, shape, self.data_format)
        if cin % self.groups:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the number of input channels must be evenly "
                             f"divisible by the number of groups; received groups={self.groups}, but the input has "
                             f"{cin} channels (full input shape is {shape}).")
        self.compute_output_shape(shape)
        self.kernel = self.add_weight("kernel", self.kernel_size + (cin // self.groups, self.filters),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self._add_bias(self.filters)
        self._in_channels = cin
        self.built = True

    def _conv_op(self):
        return _ops.Conv(strides=self.strides, padding=self.padding, dilation_rate=self.dilation_rate,
                         groups=self.groups, data_format=self.data_format)

    def convolution_op(self, inputs: Any, kernel: Any) -> Any:
        """The convolution alone (no bias, no activation) of ``inputs`` with ``kernel``, as tf.keras 2's
        ``Conv.convolution_op``: a subclass may override it (a standardized kernel, say), and ``call``
        then uses it; the layer itself runs ``ops.Conv`` with the bias fused in."""
        return apply_op(self._conv_op(), inputs, kernel)

    def call(self, inputs: Any) -> Any:
        shape = tuple(inputs.shape)
        self._check_shape(shape)
        extra = len(shape) - (self.rank + 2)
        x = reshape(inputs, (-1,) + shape[extra + 1:]) if extra else inputs   # extra batch axes: folded in
        if type(self).convolution_op is _Conv.convolution_op:
            y = apply_op(self._conv_op(), *self._op_inputs(x, self.kernel))
        else:  # a subclass's own convolution, then the bias as tf.keras adds it
            y = self.convolution_op(x, self.kernel)
            if self.use_bias:
                y = y + (self.bias if self.data_format == "channels_last" else
                         reshape(self.bias, (-1,) + (1,) * self.rank))
        if extra:
            y = reshape(y, shape[:extra + 1] + tuple(y.shape[1:]))
        return self._finish(y)


class Conv1D(_Conv):
    """1-D convolution over ``(batch, steps, channels)``: ``activation(conv1d(inputs, kernel) + bias)``.

    ``Conv1D(filters, kernel_size, strides=1, padding='valid', data_format='channels_last',
    dilation_rate=1, groups=1, activation=None, use_bias=True, ...)``; padding may also be 'causal'
    (``(kernel_size - 1) * dilation_rate`` zeros in front). Kernel ``(kernel_size, C_in // groups, filters)``.

    Args:
        filters: the number of output channels.
        kernel_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis).
        padding: ``'valid'``, ``'same'`` or ``'causal'`` (left-padded: no output sees the future).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        dilation_rate: the spacing between the window's taps (an int or one per axis).
        groups: split the input channels into this many groups, each convolved separately.
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: bad arguments, or inputs of the wrong rank (naming the layer, the rank expected and,
            for a missing channels axis, how to add it).
    """

    _conv_rank = 1
    _allows_causal = True

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = 1, padding: str = "valid",
                 data_format: str | None = "channels_last", dilation_rate: IntOrTuple = 1, groups: int = 1,
                 activation: ActivationLike = None, use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv2D(_Conv):
    """2-D convolution over ``(batch, height, width, channels)``: ``activation(conv2d(inputs, kernel) + bias)``.

    ``Conv2D(filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
    dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, ...)``.
    Kernel ``(kh, kw, C_in // groups, filters)``, bias ``(filters,)``. A 28x28 grayscale image needs
    its channels axis: input ``(batch, 28, 28, 1)``.

    Args:
        filters: the number of output channels.
        kernel_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis); strides > 1
            cannot be combined with dilation_rate > 1.
        padding: ``'valid'`` (no padding) or ``'same'`` (TensorFlow's rule: the extra pad at the end).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        dilation_rate: the spacing between the window's taps (an int or one per axis).
        groups: split the input channels into this many groups, each convolved separately.
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: bad arguments, or inputs of the wrong rank (naming the layer, the rank expected and,
            for a missing channels axis, how to add it).
    """

    _conv_rank = 2

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: IntOrTuple = (1, 1), groups: int = 1,
                 activation: ActivationLike = None, use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv3D(_Conv):
    """3-D convolution over ``(batch, depth, height, width, channels)``.

    ``Conv3D(filters, kernel_size, strides=(1, 1, 1), padding='valid', data_format=None,
    dilation_rate=(1, 1, 1), groups=1, ...)``; kernel ``(kd, kh, kw, C_in // groups, filters)``.

    Args:
        filters: the number of output channels.
        kernel_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis); strides > 1
            cannot be combined with dilation_rate > 1.
        padding: ``'valid'`` (no padding) or ``'same'`` (TensorFlow's rule: the extra pad at the end).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        dilation_rate: the spacing between the window's taps (an int or one per axis).
        groups: split the input channels into this many groups, each convolved separately.
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: bad arguments, or inputs of the wrong rank (naming the layer, the rank expected and,
            for a missing channels axis, how to add it).
    """

    _conv_rank = 3

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = (1, 1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: IntOrTuple = (1, 1, 1), groups: int = 1,
                 activation: ActivationLike = None, use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


# ----------------------------------------------------------------------------- transposed convolutions

class _ConvTranspose(_BaseConv):
    """Transposed convolution (``ops.ConvTranspose``): kernel ``(*kernel_size, filters, C_in)``."""

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple, padding: Any, output_padding: Any,
                 data_format: str | None, dilation_rate: IntOrTuple, activation: ActivationLike, use_bias: Any,
                 kernel_initializer: InitializerLike, bias_initializer: InitializerLike,
                 kernel_regularizer: RegularizerLike, bias_regularizer: RegularizerLike,
                 activity_regularizer: RegularizerLike, kernel_constraint: ConstraintLike,
                 bias_constraint: ConstraintLike, groups: int = 1, **kwargs: Any) -> None:
        if int(groups or 1) != 1:
            raise ValueError(f"{type(self).__name__}: groups must be 1 for a transposed convolution, got {groups!r}.")
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        owner = f"{type(self).__name__} {self.name!r}"
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = conv_utils.normalize_tuple(output_padding, self.rank, "output_padding", owner,
                                                             allow_zero=True)
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError(f"{owner}: strides must be greater than output padding; received "
                                 f"strides={self.strides}, output_padding={self.output_padding}.")

    def _spatial_out(self, spatial):
        pads = self.output_padding or (None,) * self.rank
        return [_ops.deconv_output_length(n, k, self.padding, p, s, d)
                for n, k, p, s, d in zip(spatial, self.kernel_size, pads, self.strides, self.dilation_rate)]

    def build(self, input_shape):
        shape = tuple(input_shape)
        self._check_shape(shape)
        cin = conv_utils.defined_channels(self, shape, self.data_format)
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, cin),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self._add_bias(self.filters)
        self._in_channels = cin
        self.built = True

    def call(self, inputs: Any) -> Any:
        self._check_shape(tuple(inputs.shape))
        op = _ops.ConvTranspose(strides=self.strides, padding=self.padding, output_padding=self.output_padding,
                                dilation_rate=self.dilation_rate, data_format=self.data_format)
        return self._finish(apply_op(op, *self._op_inputs(inputs, self.kernel)))

    def get_config(self) -> dict:
        config = self._base_config()
        config["output_padding"] = self.output_padding
        return config


class Conv1DTranspose(_ConvTranspose):
    """Transposed 1-D convolution ("deconvolution"): ``(batch, steps, C_in)`` -> ``(batch, new_steps, filters)``.

    ``Conv1DTranspose(filters, kernel_size, strides=1, padding='valid', output_padding=None,
    data_format=None, dilation_rate=1, ...)``. Output length: ``steps * strides + max(k - strides, 0)``
    ('valid'), ``steps * strides`` ('same'), or with ``output_padding`` (each < its stride)
    ``(steps - 1) * strides + k - 2 * pad + output_padding``. Kernel ``(kernel_size, filters, C_in)``.

    Args:
        filters: the number of output channels.
        kernel_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis); strides > 1
            cannot be combined with dilation_rate > 1.
        padding: ``'valid'`` (no padding) or ``'same'`` (TensorFlow's rule: the extra pad at the end).
        output_padding: extra rows/columns on one side of the output (each in ``[0, stride)``; None: derived).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        dilation_rate: the spacing between the window's taps (an int or one per axis).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: bad arguments, or inputs of the wrong rank (naming the layer, the rank expected and,
            for a missing channels axis, how to add it).
    """

    _conv_rank = 1

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = 1, padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: IntOrTuple = 1,
                 activation: ActivationLike = None, use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution: ``(batch, H, W, C_in)`` -> ``(batch, H', W', filters)``.

    Kernel ``(kh, kw, filters, C_in)``.

    ``Conv2DTranspose(filters, kernel_size, strides=(1, 1), padding='valid', output_padding=None,
    data_format=None, dilation_rate=(1, 1), ...)``; output sizes as :class:`Conv1DTranspose` per axis.

    Args:
        filters: the number of output channels.
        kernel_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis); strides > 1
            cannot be combined with dilation_rate > 1.
        padding: ``'valid'`` (no padding) or ``'same'`` (TensorFlow's rule: the extra pad at the end).
        output_padding: extra rows/columns on one side of the output (each in ``[0, stride)``; None: derived).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        dilation_rate: the spacing between the window's taps (an int or one per axis).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: bad arguments, or inputs of the wrong rank (naming the layer, the rank expected and,
            for a missing channels axis, how to add it).
    """

    _conv_rank = 2

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = (1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: IntOrTuple = (1, 1),
                 activation: ActivationLike = None, use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution; kernel ``(kd, kh, kw, filters, C_in)``. Arguments as :class:`Conv2DTranspose`.

    tf.keras 2 computes this layer without dilation and leaves ``dilation_rate`` out of its config,
    so ``dilation_rate`` other than 1 is refused here rather than silently ignored.

    Args:
        filters: the number of output channels.
        kernel_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis); strides > 1
            cannot be combined with dilation_rate > 1.
        padding: ``'valid'`` (no padding) or ``'same'`` (TensorFlow's rule: the extra pad at the end).
        output_padding: extra rows/columns on one side of the output (each in ``[0, stride)``; None: derived).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        dilation_rate: the spacing between the window's taps (an int or one per axis).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: bad arguments, or inputs of the wrong rank (naming the layer, the rank expected and,
            for a missing channels axis, how to add it).
    """

    _conv_rank = 3

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = (1, 1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: IntOrTuple = (1, 1, 1),
                 activation: ActivationLike = None, use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        if max(self.dilation_rate) > 1:
            raise ValueError(f"Conv3DTranspose {self.name!r}: dilation_rate={dilation_rate!r} is not supported "
                             f"(tf.keras 2 ignores it for this layer); use dilation_rate=1.")

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("dilation_rate")
        return config


# ----------------------------------------------------------------------------- depthwise and separable

class _DepthwiseConv(_BaseConv):
    """Depthwise convolution (``ops.DepthwiseConv``): ``depthwise_kernel (*kernel_size, C_in, depth_multiplier)``."""

    def __init__(self, kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate, activation,
                 use_bias, depthwise_initializer, bias_initializer, depthwise_regularizer, bias_regularizer,
                 activity_regularizer, depthwise_constraint, bias_constraint, groups=1, **kwargs):
        if int(groups or 1) != 1:
            raise ValueError(f"{type(self).__name__}: groups must be 1 (each channel is its own group already), "
                             f"got {groups!r}.")
        super().__init__(None, kernel_size, strides, padding, data_format, dilation_rate, 1, activation, use_bias,
                         "glorot_uniform", bias_initializer, None, bias_regularizer, activity_regularizer, None,
                         bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        if self.depth_multiplier < 1:
            raise ValueError(f"{type(self).__name__} {self.name!r}: depth_multiplier must be >= 1, "
                             f"got {depth_multiplier!r}.")
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def _out_channels(self, in_channels):
        return None if in_channels is None else in_channels * self.depth_multiplier

    def build(self, input_shape):
        shape = tuple(input_shape)
        self._check_shape(shape)
        cin = conv_utils.defined_channels(self, shape, self.data_format)
        self.depthwise_kernel = self.add_weight("depthwise_kernel", self.kernel_size + (cin, self.depth_multiplier),
                                                initializer=self.depthwise_initializer,
                                                regularizer=self.depthwise_regularizer,
                                                constraint=self.depthwise_constraint)
        self._add_bias(cin * self.depth_multiplier)
        self._in_channels = cin
        self.built = True

    def call(self, inputs: Any) -> Any:
        self._check_shape(tuple(inputs.shape))
        op = _ops.DepthwiseConv(strides=self.strides, padding=self.padding, dilation_rate=self.dilation_rate,
                                data_format=self.data_format)
        return self._finish(apply_op(op, *self._op_inputs(inputs, self.depthwise_kernel)))

    def get_config(self) -> dict:
        config = self._base_config()
        for key in ("filters", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        config.update(depth_multiplier=self.depth_multiplier,
                      depthwise_initializer=initializers.serialize(self.depthwise_initializer),
                      depthwise_regularizer=regularizers.serialize(self.depthwise_regularizer),
                      depthwise_constraint=constraints.serialize(self.depthwise_constraint))
        return config


class DepthwiseConv1D(_DepthwiseConv):
    """Depthwise 1-D convolution: each input channel convolved with its own ``depth_multiplier`` filters.

    ``DepthwiseConv1D(kernel_size, strides=1, padding='valid', depth_multiplier=1, data_format=None,
    dilation_rate=1, ...)``: ``(batch, steps, C)`` -> ``(batch, new_steps, C * depth_multiplier)``, output
    channel ``c * depth_multiplier + m``. Weights ``depthwise_kernel (k, C, depth_multiplier)``, bias.

    Args:
        kernel_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis); strides > 1
            cannot be combined with dilation_rate > 1.
        padding: ``'valid'`` (no padding) or ``'same'`` (TensorFlow's rule: the extra pad at the end).
        depth_multiplier: output channels per input channel of the depthwise step.
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        dilation_rate: the spacing between the window's taps (an int or one per axis).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        depthwise_initializer: initializer of the depthwise kernel.
        bias_initializer: initializer of the bias (default ``'zeros'``).
        depthwise_regularizer: a regularizer for the depthwise kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        depthwise_constraint: a constraint on the depthwise kernel.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: bad arguments, or inputs of the wrong rank (naming the layer, the rank expected and,
            for a missing channels axis, how to add it).
    """

    _conv_rank = 1

    def __init__(self, kernel_size: IntOrTuple, strides: IntOrTuple = 1, padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None, dilation_rate: IntOrTuple = 1,
                 activation: ActivationLike = None, use_bias: bool = True,
                 depthwise_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 depthwise_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, depthwise_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate, activation,
                         use_bias, depthwise_initializer, bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)


class DepthwiseConv2D(_DepthwiseConv):
    """Depthwise 2-D convolution: ``(batch, H, W, C)`` -> ``(batch, H', W', C * depth_multiplier)``.

    ``DepthwiseConv2D(kernel_size, strides=(1, 1), padding='valid', depth_multiplier=1,
    data_format=None, dilation_rate=(1, 1), ...)``; ``depthwise_kernel (kh, kw, C, depth_multiplier)``.

    Args:
        kernel_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis); strides > 1
            cannot be combined with dilation_rate > 1.
        padding: ``'valid'`` (no padding) or ``'same'`` (TensorFlow's rule: the extra pad at the end).
        depth_multiplier: output channels per input channel of the depthwise step.
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        dilation_rate: the spacing between the window's taps (an int or one per axis).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        depthwise_initializer: initializer of the depthwise kernel.
        bias_initializer: initializer of the bias (default ``'zeros'``).
        depthwise_regularizer: a regularizer for the depthwise kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        depthwise_constraint: a constraint on the depthwise kernel.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: bad arguments, or inputs of the wrong rank (naming the layer, the rank expected and,
            for a missing channels axis, how to add it).
    """

    _conv_rank = 2

    def __init__(self, kernel_size: IntOrTuple, strides: IntOrTuple = (1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None, dilation_rate: IntOrTuple = (1, 1),
                 activation: ActivationLike = None, use_bias: bool = True,
                 depthwise_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 depthwise_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, depthwise_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate, activation,
                         use_bias, depthwise_initializer, bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)


class _SeparableConv(_BaseConv):
    """Depthwise convolution then a 1x1 convolution mixing the channels (bias and activation after it)."""

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple, padding: Any,
                 data_format: str | None, dilation_rate: IntOrTuple, depth_multiplier: int, activation: ActivationLike,
                 use_bias: Any, depthwise_initializer: InitializerLike, pointwise_initializer: InitializerLike,
                 bias_initializer: InitializerLike, depthwise_regularizer: RegularizerLike,
                 pointwise_regularizer: RegularizerLike, bias_regularizer: RegularizerLike,
                 activity_regularizer: RegularizerLike, depthwise_constraint: ConstraintLike,
                 pointwise_constraint: ConstraintLike, bias_constraint: ConstraintLike, groups: int = 1,
                 kernel_initializer: InitializerLike = "glorot_uniform", kernel_regularizer: RegularizerLike = None,
                 kernel_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        # groups and kernel_* are in tf.keras 2's config of this layer (inherited from Conv) but unused.
        if int(groups or 1) != 1:
            raise ValueError(f"{type(self).__name__}: groups must be 1, got {groups!r}.")
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        if self.depth_multiplier < 1:
            raise ValueError(f"{type(self).__name__} {self.name!r}: depth_multiplier must be >= 1, "
                             f"got {depth_multiplier!r}.")
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        shape = tuple(input_shape)
        self._check_shape(shape)
        cin = conv_utils.defined_channels(self, shape, self.data_format)
        self.depthwise_kernel = self.add_weight("depthwise_kernel", self.kernel_size + (cin, self.depth_multiplier),
                                                initializer=self.depthwise_initializer,
                                                regularizer=self.depthwise_regularizer,
                                                constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight("pointwise_kernel",
                                                (1,) * self.rank + (cin * self.depth_multiplier, self.filters),
                                                initializer=self.pointwise_initializer,
                                                regularizer=self.pointwise_regularizer,
                                                constraint=self.pointwise_constraint)
        self._add_bias(self.filters)
        self._in_channels = cin
        self.built = True

    def call(self, inputs):
        self._check_shape(tuple(inputs.shape))
        padding = self.padding
        if padding == "causal":   # zeros in front, as Conv1D's 'causal'
            padding = (((self.kernel_size[0] - 1) * self.dilation_rate[0], 0),)
        depthwise = _ops.DepthwiseConv(strides=self.strides, padding=padding, dilation_rate=self.dilation_rate,
                                       data_format=self.data_format)
        mixed = apply_op(depthwise, inputs, self.depthwise_kernel)
        pointwise = _ops.Conv(data_format=self.data_format)
        return self._finish(apply_op(pointwise, *self._op_inputs(mixed, self.pointwise_kernel)))

    def get_config(self) -> dict:
        config = self._base_config()   # tf.keras 2 keeps Conv's groups and kernel_* keys here (at their defaults)
        config.update(depth_multiplier=self.depth_multiplier,
                      depthwise_initializer=initializers.serialize(self.depthwise_initializer),
                      pointwise_initializer=initializers.serialize(self.pointwise_initializer),
                      depthwise_regularizer=regularizers.serialize(self.depthwise_regularizer),
                      pointwise_regularizer=regularizers.serialize(self.pointwise_regularizer),
                      depthwise_constraint=constraints.serialize(self.depthwise_constraint),
                      pointwise_constraint=constraints.serialize(self.pointwise_constraint))
        return config


class SeparableConv1D(_SeparableConv):
    """Depthwise-separable 1-D convolution: :class:`DepthwiseConv1D` then a 1x1 :class:`Conv1D` (bias, activation).

    ``SeparableConv1D(filters, kernel_size, strides=1, padding='valid', data_format=None, dilation_rate=1,
    depth_multiplier=1, ...)``; padding may be 'causal'. Weights ``depthwise_kernel (k, C, m)``,
    ``pointwise_kernel (1, C * m, filters)``, ``bias (filters,)``.

    Args:
        filters: the number of output channels.
        kernel_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis); strides > 1
            cannot be combined with dilation_rate > 1.
        padding: ``'valid'`` (no padding) or ``'same'`` (TensorFlow's rule: the extra pad at the end).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        dilation_rate: the spacing between the window's taps (an int or one per axis).
        depth_multiplier: output channels per input channel of the depthwise step.
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        depthwise_initializer: initializer of the depthwise kernel.
        pointwise_initializer: initializer of the 1x1 pointwise kernel.
        bias_initializer: initializer of the bias (default ``'zeros'``).
        depthwise_regularizer: a regularizer for the depthwise kernel.
        pointwise_regularizer: a regularizer for the pointwise kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        depthwise_constraint: a constraint on the depthwise kernel.
        pointwise_constraint: a constraint on the pointwise kernel.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: bad arguments, or inputs of the wrong rank (naming the layer, the rank expected and,
            for a missing channels axis, how to add it).
    """

    _conv_rank = 1
    _allows_causal = True

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: IntOrTuple = 1, depth_multiplier: int = 1,
                 activation: ActivationLike = None, use_bias: bool = True,
                 depthwise_initializer: InitializerLike = "glorot_uniform",
                 pointwise_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 depthwise_regularizer: RegularizerLike = None, pointwise_regularizer: RegularizerLike = None,
                 bias_regularizer: RegularizerLike = None, activity_regularizer: RegularizerLike = None,
                 depthwise_constraint: ConstraintLike = None, pointwise_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                         activation, use_bias, depthwise_initializer, pointwise_initializer, bias_initializer,
                         depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs)


class SeparableConv2D(_SeparableConv):
    """Depthwise-separable 2-D convolution: :class:`DepthwiseConv2D` then a 1x1 :class:`Conv2D` (bias, activation).

    ``SeparableConv2D(filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
    dilation_rate=(1, 1), depth_multiplier=1, ...)``. Weights ``depthwise_kernel (kh, kw, C, m)``,
    ``pointwise_kernel (1, 1, C * m, filters)``, ``bias (filters,)``.

    Args:
        filters: the number of output channels.
        kernel_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis); strides > 1
            cannot be combined with dilation_rate > 1.
        padding: ``'valid'`` (no padding) or ``'same'`` (TensorFlow's rule: the extra pad at the end).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        dilation_rate: the spacing between the window's taps (an int or one per axis).
        depth_multiplier: output channels per input channel of the depthwise step.
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        depthwise_initializer: initializer of the depthwise kernel.
        pointwise_initializer: initializer of the 1x1 pointwise kernel.
        bias_initializer: initializer of the bias (default ``'zeros'``).
        depthwise_regularizer: a regularizer for the depthwise kernel.
        pointwise_regularizer: a regularizer for the pointwise kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        depthwise_constraint: a constraint on the depthwise kernel.
        pointwise_constraint: a constraint on the pointwise kernel.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: bad arguments, or inputs of the wrong rank (naming the layer, the rank expected and,
            for a missing channels axis, how to add it).
    """

    _conv_rank = 2

    def __init__(self, filters: int, kernel_size: IntOrTuple, strides: IntOrTuple = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: IntOrTuple = (1, 1), depth_multiplier: int = 1,
                 activation: ActivationLike = None, use_bias: bool = True,
                 depthwise_initializer: InitializerLike = "glorot_uniform",
                 pointwise_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 depthwise_regularizer: RegularizerLike = None, pointwise_regularizer: RegularizerLike = None,
                 bias_regularizer: RegularizerLike = None, activity_regularizer: RegularizerLike = None,
                 depthwise_constraint: ConstraintLike = None, pointwise_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                         activation, use_bias, depthwise_initializer, pointwise_initializer, bias_initializer,
                         depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs)


# tf.keras's other names for the same classes.
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (Conv1DTranspose, Conv2DTranspose,
                                                                          Conv3DTranspose)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D

registry.register("layers", Conv1D, Conv2D, Conv3D, Conv1DTranspose, Conv2DTranspose, Conv3DTranspose,
                  DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D,
                  aliases={"Convolution1D": Conv1D, "Convolution2D": Conv2D, "Convolution3D": Conv3D,
                           "Convolution1DTranspose": Conv1DTranspose, "Convolution2DTranspose": Conv2DTranspose,
                           "Convolution3DTranspose": Conv3DTranspose, "SeparableConvolution1D": SeparableConv1D,
                           "SeparableConvolution2D": SeparableConv2D})
