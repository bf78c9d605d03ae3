"""``MultiHeadAttention`` (Vaswani et al., 2017) with tf.keras 2's arguments, weights, masks and config."""
from __future__ import annotations

import math
import numbers
import string
from typing import Any

import numpy as np

from ..._types import ConstraintLike, InitializerLike, RegularizerLike
from .... import ops as _ops
from ....functions import cast, expand_dims, logical_and, transpose
from ....tensor import Tensor, apply_op
from ... import constraints, initializers, registry, regularizers
from ..base import KerasTensor, Layer
from ..einsum_dense import EinsumDense

_LETTERS = string.ascii_lowercase


def _projection_equation(free_dims, bound_dims, output_dims):
    """``(equation, bias_axes, output_rank)`` of an input projection, as tf.keras 2 writes them."""
    letters = iter(_LETTERS)
    free = "".join(next(letters) for _ in range(free_dims))
    bound = "".join(next(letters) for _ in range(bound_dims))
    out = "".join(next(letters) for _ in range(output_dims))
    return f"{free}{bound},{bound}{out}->{free}{out}", out, len(free + out)


def _attention_equations(rank, attention_axes):
    """The dot-product and combination einsums for projected tensors of ``rank`` (tf.keras 2's)."""
    target = _LETTERS[:rank]
    batch_dims = tuple(i for i in range(rank) if i not in attention_axes + (rank - 1,))
    source, offset = "", rank
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += _LETTERS[offset]
            offset += 1
    product = "".join([target[i] for i in batch_dims] + [target[i] for i in attention_axes] +
                      [source[i] for i in attention_axes])
    dot = f"{source},{target}->{product}"
    combine = f"{product},{source}->{target}"
    return dot, combine, len(product)


def _shape(value):
    if value is None:
        return None
    return tuple(value.shape) if hasattr(value, "shape") else tuple(value)


class MultiHeadAttention(Layer):
    """Multi-head attention: ``num_heads`` scaled dot-product attentions over projections of the inputs.

    Call ``layer(query, value, key=None, attention_mask=None, return_attention_scores=False,
    training=None, use_causal_mask=False)``: ``query (batch, T, dim)``, ``value``/``key``
    ``(batch, S, dim)`` (``key`` defaults to ``value``). Returns ``(batch, T, dim)`` (or
    ``output_shape``), and with ``return_attention_scores`` also the weights
    ``(batch, num_heads, T, S)``.

    Weights as tf.keras 2 (``EinsumDense`` sub-layers ``query``, ``key``, ``value``,
    ``attention_output``, created at the first call): kernels ``(dim, num_heads, key_dim)`` (value:
    ``value_dim``), biases ``(num_heads, key_dim)``, output kernel ``(num_heads, value_dim,
    output_dim)`` and bias ``(output_dim,)``.

    Masks: ``attention_mask (batch, T, S)`` (True = may attend), combined with the inputs' own masks
    (query ``(batch, T)``, value/key ``(batch, S)``, e.g. from ``Embedding(mask_zero=True)``) and
    with the causal mask ``use_causal_mask=True`` (step ``t`` sees steps ``<= t``). Masked scores
    get -1e9 before the softmax. ``dropout`` drops attention weights in training. With the default
    ``attention_axes`` on sequences the attention is one ``ScaledDotProductAttention`` op.

    Args:
        num_heads: the number of attention heads.
        key_dim: the size of each head for the query and key.
        value_dim: the size of each head for the value (default ``key_dim``).
        dropout: the dropout rate of the attention weights.
        use_bias: whether the layer adds a bias vector.
        output_shape: the last axes of the output (default the query's feature size).
        attention_axes: the axes attended over (default the sequence axis).
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        bias_constraint: a constraint applied to the bias after each update.
        softmax_robust_masking: not supported (True raises ValueError).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None, dropout: float = 0.0,
                 use_bias: bool = True, output_shape: Any = None, attention_axes: Any = None,
                 kernel_initializer: InitializerLike = "glorot_uniform", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, softmax_robust_masking: bool = False, **kwargs: Any) -> None:
        shapes = [kwargs.pop(k, None) for k in ("query_shape", "key_shape", "value_shape")]
        super().__init__(**kwargs)
        for arg, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"MultiHeadAttention {self.name!r}: `{arg}` must be a positive integer, got "
                                 f"{value!r}.")
        if softmax_robust_masking:
            raise ValueError(f"MultiHeadAttention {self.name!r}: softmax_robust_masking=True is not supported by "
                             "chainrule; the masked scores get -1e9 (the default).")
        self.supports_masking = True
        self._num_heads, self._key_dim = int(num_heads), int(key_dim)
        self._value_dim = int(value_dim) if value_dim else self._key_dim
        self._dropout = float(dropout)
        self._use_bias = bool(use_bias)
        self._output_shape = output_shape
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self._softmax_robust_masking = False
        if attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            attention_axes = (attention_axes,)
        self._attention_axes = tuple(attention_axes) if attention_axes is not None else None
        self._built_from_signature = False
        self._query_shape = self._key_shape = self._value_shape = None
        self._rng = None
        if None not in shapes:
            self._build_from_signature(shapes[0], shapes[2], shapes[1])

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # ------------------------------------------------------------------ building
    def build(self, input_shape: Any) -> None:
        self.built = True  # the weights need the value's shape too: they are made at the first call
        if not self._built_from_signature:  # so weights=[...] waits for them (Layer would set them now)
            self.__dict__["_pending_weights"], self._initial_weights = self._initial_weights, None

    def _sublayer(self, equation, output_shape, bias_axes, name, input_shape):
        layer = EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes if self._use_bias else None,
                            name=name, kernel_initializer=self._kernel_initializer.__class__.from_config(
                                self._kernel_initializer.get_config()),
                            bias_initializer=self._bias_initializer.__class__.from_config(
                                self._bias_initializer.get_config()),
                            kernel_regularizer=self._kernel_regularizer, bias_regularizer=self._bias_regularizer,
                            activity_regularizer=self._activity_regularizer,
                            kernel_constraint=self._kernel_constraint, bias_constraint=self._bias_constraint,
                            dtype=self.dtype)
        layer._scope = f"{self._weight_scope()}/{name}"
        layer.build(input_shape)
        layer.built = True
        return layer

    def _build_from_signature(self, query, value, key=None):
        """Create the four projections for inputs of these shapes (tensors or shapes)."""
        self._built_from_signature = True
        self._query_shape, self._value_shape = _shape(query), _shape(value)
        self._key_shape = self._value_shape if key is None else _shape(key)
        q_rank = len(self._query_shape)

        def heads(rank, size):
            return [None] * (rank - 1 - 2) + [self._num_heads, size]
        eq, bias_axes, rank = _projection_equation(q_rank - 1, 1, 2)
        self._query_dense = self._sublayer(eq, heads(rank, self._key_dim), bias_axes, "query", self._query_shape)
        eq, bias_axes, rank = _projection_equation(len(self._key_shape) - 1, 1, 2)
        self._key_dense = self._sublayer(eq, heads(rank, self._key_dim), bias_axes, "key", self._key_shape)
        eq, bias_axes, rank = _projection_equation(len(self._value_shape) - 1, 1, 2)
        self._value_dense = self._sublayer(eq, heads(rank, self._value_dim), bias_axes, "value", self._value_shape)
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        self._dot_equation, self._combine_equation, scores_rank = _attention_equations(rank, self._attention_axes)
        self._norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        if self._output_shape:
            output_shape = list(self._output_shape) if isinstance(self._output_shape, (list, tuple)) \
                else [self._output_shape]
        else:
            output_shape = [self._query_shape[-1]]
        eq, bias_axes, out_rank = _projection_equation(q_rank - 1, 2, len(output_shape))
        projected = self._query_shape[:-1] + (self._num_heads, self._value_dim)
        self._output_dense = self._sublayer(eq, [None] * (out_rank - 1 - len(output_shape)) + output_shape,
                                            bias_axes, "attention_output", projected)
        pending = self.__dict__.pop("_pending_weights", None)
        if pending is not None:
            self.set_weights(pending)

    def _symbolic_call(self, inputs, rest, kwargs):
        if not self._built_from_signature:  # from the symbolic shapes (None stays None in the config)
            value = rest[0] if rest else kwargs.get("value")
            key = rest[1] if len(rest) > 1 else kwargs.get("key")
            if isinstance(inputs, KerasTensor) and isinstance(value, KerasTensor):
                self._build_from_signature(inputs, value, key if isinstance(key, KerasTensor) else None)
        return super()._symbolic_call(inputs, rest, kwargs)

    # ------------------------------------------------------------------ masks
    def _compute_attention_mask(self, query, value, key, attention_mask, use_causal_mask):
        """tf.keras 2's merge: query mask ``(B, T, 1)``, value and key masks ``(B, 1, S)``, the causal
        mask ``(1, T, S)`` and ``attention_mask``, combined with logical and."""
        auto = None
        for tensor, axis in ((query, -1), (value, -2), (key, -2)):
            m = getattr(tensor, "_keras_mask", None)
            if m is not None:
                m = expand_dims(cast(m, "bool"), axis)
                auto = m if auto is None else logical_and(auto, m)
        if use_causal_mask:
            t, s = query.shape[1], value.shape[1]
            causal = Tensor(np.tril(np.ones((1, t, s), dtype=bool)))
            auto = causal if auto is None else logical_and(auto, causal)
        if auto is not None:
            attention_mask = auto if attention_mask is None else logical_and(cast(attention_mask, "bool"), auto)
        return attention_mask

    # ------------------------------------------------------------------ calling
    def call(self, query: Any, value: Any, key: Any = None, attention_mask: Any = None,
             return_attention_scores: Any = False, training: bool | None = None, use_causal_mask: Any = False) -> Any:
        if not self._built_from_signature:
            self._build_from_signature(query, value, key)
        if key is None:
            key = value
        mask = self._compute_attention_mask(query, value, key, attention_mask, use_causal_mask)
        q, k, v = self._query_dense(query), self._key_dense(key), self._value_dense(value)
        rate = self._dropout if training else 0.0
        if self._attention_axes == (1,) and q.ndim == 4 and not return_attention_scores:
            # (B, T, N, H) -> (B, N, T, H): one fused op for the scores, softmax, dropout and combination.
            heads_first = (0, 2, 1, 3)
            extra = [expand_dims(cast(mask, "bool"), 1)] if mask is not None else []
            out = apply_op(_ops.ScaledDotProductAttention(scale=1.0 / math.sqrt(self._key_dim), dropout=rate,
                                                          rng=self._rng),
                           transpose(q, heads_first), transpose(k, heads_first), transpose(v, heads_first), *extra)
            return self._output_dense(transpose(out, heads_first))
        out, scores = self._compute_attention(q, k, v, mask, rate)
        out = self._output_dense(out)
        return (out, scores) if return_attention_scores else out

    def _compute_attention(self, query, key, value, attention_mask, rate):
        query = query * (1.0 / math.sqrt(float(self._key_dim)))
        scores = apply_op(_ops.Einsum(self._dot_equation), key, query)
        if attention_mask is not None:
            attention_mask = cast(attention_mask, "bool")
            for _ in range(scores.ndim - attention_mask.ndim):
                attention_mask = expand_dims(attention_mask, -len(self._attention_axes) * 2 - 1)
            scores = apply_op(_ops.MaskedSoftmax(self._norm_axes), scores, attention_mask)
            scores._keras_mask = attention_mask  # tf.keras 2's softmax layer leaves it on the scores
        else:
            scores = apply_op(_ops.MaskedSoftmax(self._norm_axes), scores)
        dropped = apply_op(_ops.Dropout(rate, rng=self._rng), scores) if rate else scores
        return apply_op(_ops.Einsum(self._combine_equation), dropped, value), scores

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            value_shape = query_shape
        if key_shape is None:
            key_shape = value_shape
        query_shape, value_shape, key_shape = tuple(query_shape), tuple(value_shape), tuple(key_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(f"The last dimension of `query_shape` and `value_shape` must be equal, but are "
                             f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                             f"value_shape={value_shape}")
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"All dimensions of `value` and `key`, except the last one, must be equal. Received "
                             f"{value_shape} and {key_shape}")
        if self._output_shape:
            extra = self._output_shape if isinstance(self._output_shape, (list, tuple)) else (self._output_shape,)
            return query_shape[:-1] + tuple(extra)
        return query_shape

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        config = super().get_config()

        def listed(shape):
            return None if shape is None else list(shape)
        config.update(num_heads=self._num_heads, key_dim=self._key_dim, value_dim=self._value_dim,
                      dropout=self._dropout, use_bias=self._use_bias, output_shape=self._output_shape,
                      attention_axes=list(self._attention_axes) if self._attention_axes is not None else None,
                      kernel_initializer=initializers.serialize(self._kernel_initializer),
                      bias_initializer=initializers.serialize(self._bias_initializer),
                      kernel_regularizer=regularizers.serialize(self._kernel_regularizer),
                      bias_regularizer=regularizers.serialize(self._bias_regularizer),
                      activity_regularizer=regularizers.serialize(self._activity_regularizer),
                      kernel_constraint=constraints.serialize(self._kernel_constraint),
                      bias_constraint=constraints.serialize(self._bias_constraint),
                      query_shape=listed(self._query_shape), key_shape=listed(self._key_shape),
                      value_shape=listed(self._value_shape), softmax_robust_masking=False)
        return config


registry.register("layers", MultiHeadAttention)
