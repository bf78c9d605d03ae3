"""Layers that merge several inputs: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum, Dot.

Masks combine as in tf.keras 2: an element-wise merge keeps a step where every masked input
keeps it (logical and); Concatenate joins the masks along its axis (an unmasked input counts
as all True) and keeps a position where all of them do.
"""
from __future__ import annotations

from typing import Any

from ...functions import cast, concat, expand_dims, matmul, ones_like, reduce_all, reshape, transpose
from ...functions import maximum as _maximum
from ...functions import minimum as _minimum
from ...math import l2_normalize
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


def _merged_dtype(layer, flat_inputs) -> str:
    """The symbolic output dtype: float inputs are cast to the layer's dtype (tf.keras 2's autocast, as the
    eager call does), other inputs (int ids) keep their own."""
    dtype = flat_inputs[0].dtype
    return layer.dtype if dtype.is_floating else dtype.name


class _Merge(Layer):
    """Element-wise merging of a list of inputs, with tf.keras 2's shape rules.

    Shapes broadcast (aligned from the right; an axis of 1 stretches); an input of lower rank
    gets axes of size 1 inserted after its batch axis first, so ``(N, 4)`` merges with
    ``(N, 3, 4)``; every known batch size must agree. Subclasses define ``_merge(a, b)``
    (folded over the list) or override ``_merge_all(inputs)``.
    """

    _EXACT_INPUTS: int | None = None  # Subtract: exactly 2

    def _count_error(self, got) -> ValueError:
        want = f"exactly {self._EXACT_INPUTS}" if self._EXACT_INPUTS else "at least 2"
        return ValueError(f"{type(self).__name__} {self.name!r}: should be called on a list of {want} inputs, "
                          f"got {got}.")

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
        if not isinstance(inputs, (list, tuple)):
            raise self._count_error(f"a single {type(inputs).__name__}")
        if len(inputs) < 2 or (self._EXACT_INPUTS and len(inputs) != self._EXACT_INPUTS):
            raise self._count_error(f"{len(inputs)} inputs")

    def build(self, input_shape: Any) -> None:
        if not isinstance(input_shape, list) or not all(isinstance(s, (tuple, list)) for s in input_shape):
            raise self._count_error(f"input shape {input_shape}")
        self._check(input_shape)
        self.compute_output_shape(input_shape)  # refuses incompatible shapes and batch sizes now
        self.built = True

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        batch_sizes = {s[0] for s in shapes if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(f"{type(self).__name__} {self.name!r}: cannot merge tensors with different batch "
                             f"sizes; got shapes {shapes}.")
        out = ()
        for s in shapes:
            out = self._broadcast(out, s[1:], shapes)
        return (batch_sizes.pop() if batch_sizes else None,) + out

    def _broadcast(self, a, b, shapes):
        if len(a) < len(b):
            a, b = b, a
        cut = len(a) - len(b)
        tail = []
        for x, y in zip(a[cut:], b):
            if x is None or y is None:
                known = y if x is None else x
                tail.append(None if known in (None, 1) else known)
            elif x == 1 or y == 1 or x == y:
                tail.append(y if x == 1 else x)
            else:
                raise ValueError(f"{type(self).__name__} {self.name!r}: inputs with incompatible shapes {shapes}; "
                                 "element-wise merging needs equal (or broadcastable) shapes.")
        return tuple(a[:cut]) + tuple(tail)

    def call(self, inputs: Any) -> Any:
        self._check(inputs)
        ranks = [x.ndim for x in inputs]
        top = max(ranks)
        if min(ranks) != top:  # tf.keras 2: lower-rank inputs get axes after the batch axis
            inputs = [reshape(x, tuple(x.shape[:1]) + (1,) * (top - x.ndim) + tuple(x.shape[1:])) for x in inputs]
        return self._merge_all(list(inputs))

    def _merge_all(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return out

    def _output_dtype(self, flat_inputs):
        return _merged_dtype(self, flat_inputs)


class Add(_Merge):
    """Element-wise sum of a list of inputs."""

    def _merge(self, a, b):
        return a + b


class Subtract(_Merge):
    """``inputs[0] - inputs[1]``; exactly two inputs."""

    _EXACT_INPUTS = 2

    def _merge(self, a, b):
        return a - b


class Multiply(_Merge):
    """Element-wise product of a list of inputs."""

    def _merge(self, a, b):
        return a * b


class Average(_Merge):
    """Element-wise mean of a list of inputs."""

    def _merge_all(self, inputs):
        return super()._merge_all(inputs) / float(len(inputs))

    def _merge(self, a, b):
        return a + b


class Maximum(_Merge):
    """Element-wise maximum of a list of inputs."""

    def _merge(self, a, b):
        return _maximum(a, b)


class Minimum(_Merge):
    """Element-wise minimum of a list of inputs."""

    def _merge(self, a, b):
        return _minimum(a, b)


class Concatenate(Layer):
    """Joins a list of inputs along ``axis`` (default -1); other axes must match.

    Args:
        axis: the axis joined along (default -1).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
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

    def build(self, input_shape: Any) -> None:
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

    def call(self, inputs: Any) -> Any:
        return concat(list(inputs), axis=self.axis)

    def _output_dtype(self, flat_inputs):
        return _merged_dtype(self, flat_inputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Dot(Layer):
    """The dot product of two samples along one axis each: ``(batch, n)`` with ``(batch, n)`` gives
    ``(batch, 1)``, ``(batch, m, k)`` with ``(batch, n, k)`` and ``axes=2`` gives ``(batch, m, n)``.

    As tf.keras 2's ``backend.batch_dot``: the output has the first input's remaining axes then the
    second's (both without the batch axis), and an output of just the batch axis gets an axis of 1.
    The batch axis itself cannot be contracted. The result has no mask.

    Args:
        axes: the axis contracted in both inputs (an int), or one per input (a list or tuple of two ints);
            negative axes count from the end.
        normalize: L2-normalize each input along its axis first, so the product is the cosine similarity.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        TypeError / ValueError: ``axes`` is not an int or a pair of ints; at build or call, not exactly two
            inputs, a contracted batch axis, or contracted axes of different sizes.
    """

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Dot {self.name!r}: invalid type for argument `axes`: it should be a list or an "
                                f"int. Received: axes={axes!r}")
            if len(axes) != 2:
                raise ValueError(f"Dot {self.name!r}: invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes}")
            if not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
                raise ValueError(f"Dot {self.name!r}: invalid format for argument `axes`: list elements should be "
                                 f"integers. Received: axes={axes}")
            axes = list(axes)
        self.axes = axes
        self.normalize = bool(normalize)
        self.supports_masking = True

    def _shapes(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or \
                not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"Dot {self.name!r}: a `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={input_shape}")
        return [tuple(s) for s in input_shape]

    def _resolved_axes(self, shapes):
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        axes = [a % len(s) if a < 0 else a for a, s in zip(pair, shapes)]
        for a, s in zip(axes, shapes):
            if a == 0 or a >= len(s):
                raise ValueError(f"Dot {self.name!r}: cannot contract axis {a} of an input of shape {s} (axis 0 is "
                                 f"the batch); axes={self.axes}.")
        (a0, a1), (s0, s1) = axes, shapes
        if s0[a0] is not None and s1[a1] is not None and s0[a0] != s1[a1]:
            raise ValueError(f"Dot {self.name!r}: incompatible input shapes: axis values {s0[a0]} (at axis {a0}) != "
                             f"{s1[a1]} (at axis {a1}). Full input shapes: {s0}, {s1}")
        return axes

    def build(self, input_shape: Any) -> None:
        self._resolved_axes(self._shapes(input_shape))
        self.built = True

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        shapes = self._shapes(input_shape)
        a0, a1 = self._resolved_axes(shapes)
        first = [d for i, d in enumerate(shapes[0]) if i != a0]
        second = [d for i, d in enumerate(shapes[1]) if i not in (0, a1)]
        out = first + second
        return tuple(out + [1] if len(out) == 1 else out)

    def call(self, inputs: Any) -> Any:
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"Dot {self.name!r}: a `Dot` layer should be called on exactly 2 inputs. Received: "
                             f"inputs={inputs}")
        x, y = inputs
        shapes = [tuple(x.shape), tuple(y.shape)]
        a0, a1 = self._resolved_axes(shapes)
        if self.normalize:
            x, y = l2_normalize(x, axis=a0), l2_normalize(y, axis=a1)
        # batch_dot as one batched GEMM: x -> (batch, m, k), y -> (batch, k, n)
        x_rest = [i for i in range(1, len(shapes[0])) if i != a0]
        y_rest = [i for i in range(1, len(shapes[1])) if i != a1]
        batch, k = shapes[0][0], shapes[0][a0]
        xm = reshape(transpose(x, [0] + x_rest + [a0]), (batch, -1, k))
        ym = reshape(transpose(y, [0, a1] + y_rest), (batch, k, -1))
        out_shape = (batch,) + tuple(shapes[0][i] for i in x_rest) + tuple(shapes[1][i] for i in y_rest)
        return reshape(matmul(xm, ym), out_shape if len(out_shape) > 1 else (batch, 1))

    def _output_dtype(self, flat_inputs):
        return _merged_dtype(self, flat_inputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(axes=self.axes, normalize=self.normalize)
        return config


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of :class:`Concatenate`.

    Args:
        inputs: the tensors to join, of equal shape except along ``axis``.
        axis: the axis joined along (default -1).
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """Functional form of :class:`Dot`.

    Args:
        inputs: the two tensors to multiply (a list).
        axes: the axis contracted in both inputs, or one per input.
        normalize: L2-normalize each input along its axis first (cosine similarity).
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


def add(inputs, **kwargs):
    """Functional form of :class:`Add`.

    Args:
        inputs: the tensors to merge (a list), all of the same shape (or broadcastable).
    """
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of :class:`Subtract`.

    Args:
        inputs: the tensors to merge (a list), all of the same shape (or broadcastable).
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of :class:`Multiply`.

    Args:
        inputs: the tensors to merge (a list), all of the same shape (or broadcastable).
    """
    return Multiply(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of :class:`Maximum`.

    Args:
        inputs: the tensors to merge (a list), all of the same shape (or broadcastable).
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of :class:`Minimum`.

    Args:
        inputs: the tensors to merge (a list), all of the same shape (or broadcastable).
    """
    return Minimum(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of :class:`Average`.

    Args:
        inputs: the tensors to merge (a list), all of the same shape (or broadcastable).
    """
    return Average(**kwargs)(inputs)


registry.register("layers", Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract)
