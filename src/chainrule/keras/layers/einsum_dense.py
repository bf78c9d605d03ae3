"""``EinsumDense``: a dense layer written as an einsum, so the kernel may have several axes (tf.keras 2)."""
from __future__ import annotations

import re
from typing import Any

from .._types import ActivationLike, ConstraintLike, InitializerLike, RegularizerLike
from ... import ops as _ops
from ...tensor import apply_op
from .. import activations, constraints, initializers, registry, regularizers
from .base import Layer


def analyze_einsum_string(equation, bias_axes, input_shape, output_shape):
    """``(kernel_shape, bias_shape or None, full_output_shape)`` for an EinsumDense equation, as tf.keras 2.

    ``output_shape`` gives the output's dimensions after the batch axis (None where the input's
    size is kept); the equation has one of the forms ``ab,bc->ac``, ``...b,bc->...c`` or
    ``ab...,bc->ac...``.
    """
    eq = re.sub(r"\.\.\.", "0", equation.replace(" ", ""))
    left_elided = False
    split = re.match("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", eq)
    if not split:
        split = re.match("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", eq)
        left_elided = bool(split)
    if not split:
        split = re.match("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", eq)
    if not split:
        raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], "
                         "...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")
    input_spec, weight_spec, output_spec = split.groups()
    input_shape = list(input_shape)
    elided = len(input_shape) - len(input_spec)
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0:
        output_shape.extend(input_shape[len(input_shape) - elided:])
    if left_elided:
        input_map = {d: i + elided - len(input_shape) for i, d in enumerate(input_spec)}
        output_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        input_map = {d: i for i, d in enumerate(input_spec)}
        output_map = {d: i for i, d in enumerate(output_spec)}
    for d in input_spec:
        if d in output_map:
            want, got = output_shape[output_map[d]], input_shape[input_map[d]]
            if want is not None and want != got:
                raise ValueError(f"Input shape and output shape do not match at shared dimension '{d}'. Input shape "
                                 f"is {got}, and output shape is {want}.")
            output_shape[output_map[d]] = got
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(f"Dimension '{d}' was specified in the output '{output_spec}' but has no corresponding "
                             f"dim in the input spec '{input_spec}' or weight spec '{weight_spec}'")
    kernel_shape = []
    for d in weight_spec:
        if d in input_map:
            kernel_shape.append(input_shape[input_map[d]])
        elif d in output_map:
            kernel_shape.append(output_shape[output_map[d]])
        else:
            raise ValueError(f"Weight dimension '{d}' did not have a match in either the input spec '{input_spec}' "
                             f"or the output spec '{output_spec}'. For this layer, the weight must be fully "
                             "specified.")
    bias_shape = None
    if bias_axes is not None:
        offset = elided if left_elided else 0
        sizes = {c: output_shape[i + offset] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(f"Bias dimension '{c}' was requested, but is not part of the output spec "
                                 f"'{output_spec}'")
        first = min(output_spec.find(c) for c in bias_axes)
        bias_shape = [sizes[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left_elided:
            bias_shape.extend([1] * max(elided, 0))
    return kernel_shape, bias_shape, output_shape


class EinsumDense(Layer):
    """``activation(einsum(equation, inputs, kernel) + bias)``: a dense layer whose kernel has several axes.

    ``EinsumDense("abc,cde->abde", output_shape=(None, 2, 8), bias_axes="de")`` maps ``(batch, T, 16)``
    to ``(batch, T, 2, 8)`` with a ``(16, 2, 8)`` kernel and a ``(2, 8)`` bias (how
    ``MultiHeadAttention`` projects its inputs). ``output_shape`` leaves out the batch axis; None
    keeps the input's size there. The gradient of the einsum is ``chainrule.ops.Einsum``'s.

    Args:
        equation: the einsum equation ``'inputs,kernel->output'`` (such as ``'abc,cd->abd'``).
        output_shape: the output's shape without the batch axis (None entries keep the input's size).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        bias_axes: the output letters the bias spans (None: no bias).
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, equation: Any, output_shape: Any, activation: ActivationLike = None, bias_axes: Any = None,
                 kernel_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.equation = equation
        self.partial_output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape: Any) -> None:
        kernel_shape, bias_shape, self.full_output_shape = analyze_einsum_string(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        if any(d is None for d in kernel_shape):
            raise ValueError(f"EinsumDense {self.name!r}: the kernel shape {kernel_shape} has an unknown dimension; "
                             f"the input shape {tuple(input_shape)} must define the axes the kernel reads.")
        self.kernel = self.add_weight("kernel", kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", bias_shape, initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint) \
            if bias_shape is not None else None
        self.built = True

    def call(self, inputs: Any) -> Any:
        out = apply_op(_ops.Einsum(self.equation), inputs, self.kernel)
        if self.bias is not None:
            out = out + self.bias
        return self._activate(out)

    def compute_output_shape(self, input_shape):
        return tuple(analyze_einsum_string(self.equation, self.bias_axes, input_shape, self.partial_output_shape)[2])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(output_shape=self.partial_output_shape, equation=self.equation,
                      activation=activations.serialize(self.activation), bias_axes=self.bias_axes,
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer),
                      kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
                      bias_regularizer=regularizers.serialize(self.bias_regularizer),
                      activity_regularizer=regularizers.serialize(self.activity_regularizer),
                      kernel_constraint=constraints.serialize(self.kernel_constraint),
                      bias_constraint=constraints.serialize(self.bias_constraint))
        return config


registry.register("layers", EinsumDense)
