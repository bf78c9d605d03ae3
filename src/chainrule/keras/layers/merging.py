"""Layers that merge several inputs: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum.

Masks combine as in tf.keras 2: an element-wise merge keeps a step where every masked input
keeps it (logical and); Concatenate joins the masks along its axis (an unmasked input counts
as all True) and keeps a position where all of them do.
"""
from __future__ import annotations

from ...functions import cast, concat, expand_dims, maximum, minimum, ones_like, reduce_all
from .. import registry
from .base import Layer


def _check_mask_list(layer, inputs, mask):
    if not isinstance(mask, (tuple, list)):
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: `mask` should be a list. Received: mask={mask}")
    if not isinstance(inputs, (tuple, list)):
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: `inputs` should be a list. Received: "
                         f"inputs={inputs}")
    if len(mask) != len(inputs):
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: the lists `inputs` and `mask` should have the "
                         f"same length. Received: {len(inputs)} inputs and {len(mask)} masks.")


class _Merge(Layer):
    # Defining compute_mask makes the layer support masking (Layer.__init__).
    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        _check_mask_list(self, inputs, mask)
        masks = [expand_dims(cast(m, "bool"), 0) for m in mask if m is not None]
        if not masks:
            return None
        return reduce_all(concat(masks, axis=0), axis=0)

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected a list of at least 2 inputs, got "
                             f"{type(inputs).__name__}.")

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"{type(self).__name__} {self.name!r}: should be called on a list of at least 2 "
                             f"inputs, got input shape {input_shape}.")
        self.built = True

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        out = list(shapes[0])
        for s in shapes[1:]:
            if len(s) != len(out):
                raise ValueError(f"{type(self).__name__} {self.name!r}: inputs of different ranks {shapes}.")
            for i, (a, b) in enumerate(zip(out, s)):
                if a is None or b is None:
                    out[i] = a if b is None else b if a is None else a
                elif a == 1:
                    out[i] = b
                elif b != 1 and a != b:
                    raise ValueError(f"{type(self).__name__} {self.name!r}: inputs with incompatible shapes "
                                     f"{shapes}; element-wise merging needs equal (or broadcastable) shapes.")
        return tuple(out)

    def call(self, inputs):
        self._check(inputs)
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return out

    def _output_dtype(self, flat_inputs):
        return flat_inputs[0].dtype.name


class Add(_Merge):
    """Element-wise sum of a list of same-shaped inputs."""

    def _merge(self, a, b):
        return a + b


class Subtract(_Merge):
    """``inputs[0] - inputs[1]``."""

    def call(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f"Subtract {self.name!r}: expected exactly 2 inputs, got {len(inputs)}.")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Element-wise product of a list of same-shaped inputs."""

    def _merge(self, a, b):
        return a * b


class Average(_Merge):
    """Element-wise mean of a list of same-shaped inputs."""

    def call(self, inputs):
        self._check(inputs)
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / float(len(inputs))


class Maximum(_Merge):
    """Element-wise maximum of a list of inputs."""

    def _merge(self, a, b):
        return maximum(a, b)


class Minimum(_Merge):
    """Element-wise minimum of a list of inputs."""

    def _merge(self, a, b):
        return minimum(a, b)


class Concatenate(Layer):
    """Joins a list of inputs along ``axis`` (default -1); other axes must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.axis = int(axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        _check_mask_list(self, inputs, mask)
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(cast(ones_like(x), "bool"))
            elif m.ndim < x.ndim:
                masks.append(expand_dims(cast(m, "bool"), -1))
            else:
                masks.append(cast(m, "bool"))
        return reduce_all(concat(masks, axis=self.axis), axis=-1)

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"Concatenate {self.name!r}: should be called on a list of at least 2 inputs, "
                             f"got input shape {input_shape}.")
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        shapes = [list(s) for s in input_shape]
        rank = len(shapes[0])
        axis = self.axis % rank
        out = list(shapes[0])
        for s in shapes[1:]:
            if len(s) != rank or any(a is not None and b is not None and a != b
                                     for i, (a, b) in enumerate(zip(out, s)) if i != axis):
                raise ValueError(
                    f"Concatenate {self.name!r}: a Concatenate layer requires inputs with matching shapes "
                    f"except for the concatenation axis {self.axis}. Received: input_shape="
                    f"{[tuple(x) for x in input_shape]}")
            out[axis] = None if out[axis] is None or s[axis] is None else out[axis] + s[axis]
        return tuple(out)

    def call(self, inputs):
        return concat(list(inputs), axis=self.axis)

    def _output_dtype(self, flat_inputs):
        return flat_inputs[0].dtype.name

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of :class:`Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs, **kwargs):
    """Functional form of :class:`Add`."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of :class:`Subtract`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of :class:`Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of :class:`Average`."""
    return Average(**kwargs)(inputs)


registry.register("layers", Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract)
