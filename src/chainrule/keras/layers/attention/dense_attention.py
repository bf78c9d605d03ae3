"""``Attention`` (Luong-style dot product) and ``AdditiveAttention`` (Bahdanau-style), tf.keras 2's layers.

Both take ``[query, value]`` or ``[query, value, key]`` (``key`` defaults to ``value``):
``query (batch, Tq, dim)``, ``value``/``key`` ``(batch, Tv, dim)``. Scores ``(batch, Tq, Tv)``
go through a softmax over ``Tv`` (masked positions pushed down by 1e9), then weight ``value``.
Masks ``[query_mask, value_mask]`` (from the inputs or given): a masked value step gets no weight,
a masked query step outputs zeros; the output carries the query's mask.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .... import ops as _ops
from ....functions import cast, expand_dims, logical_and, matmul, reduce_sum, tanh
from ....tensor import Tensor, apply_op
from ... import registry
from ..base import Layer


class BaseDenseAttention(Layer):
    """What ``Attention`` and ``AdditiveAttention`` share: masks, the softmax, dropout, the weighted sum."""

    def __init__(self, dropout: float = 0.0, **kwargs: Any) -> None:
        self.causal = bool(kwargs.pop("causal", False))  # deprecated in tf.keras 2: use_causal_mask in call
        super().__init__(**kwargs)
        self.dropout = float(dropout)
        self.supports_masking = True
        self._rng = None

    def _calculate_scores(self, query, key):
        raise NotImplementedError

    def _validate_call_args(self, inputs, mask):
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, value] or "
                             f"[query, value, key]. Received: {inputs}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                             f"[query, value, key]. Received length: {len(inputs)}.")
        if mask:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, value_mask]. Received: "
                                 f"{mask}.")
            if len(mask) < 2 or len(mask) > len(inputs):
                raise ValueError(f"{name} layer mask must be a list of length 2, namely [query_mask, value_mask]. "
                                 f"Received length: {len(mask)}.")

    def call(self, inputs: Any, mask: Any = None, training: bool | None = None, return_attention_scores: Any = False,
             use_causal_mask: Any = False) -> Any:
        self._validate_call_args(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(q, k)
        scores_mask = expand_dims(cast(v_mask, "bool"), -2) if v_mask is not None else None
        if self.causal or use_causal_mask:
            t, s = scores.shape[-2], scores.shape[-1]
            causal = Tensor(np.tril(np.ones((1,) * (scores.ndim - 2) + (t, s), dtype=bool)))
            scores_mask = causal if scores_mask is None else logical_and(scores_mask, causal)
        extra = [scores_mask] if scores_mask is not None else []
        weights = apply_op(_ops.MaskedSoftmax(-1), scores, *extra)
        used = weights
        if training and self.dropout > 0:
            used = apply_op(_ops.Dropout(self.dropout, rng=self._rng), weights)
        result = matmul(used, v)
        if q_mask is not None:
            result = result * cast(expand_dims(q_mask, -1), result.dtype)
        return (result, weights) if return_attention_scores else result

    def compute_mask(self, inputs, mask=None):
        self._validate_call_args(inputs, mask)
        if mask:
            return mask[0]
        return None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self) -> dict:
        config = super().get_config()
        config["dropout"] = self.dropout
        return config


class Attention(BaseDenseAttention):
    """Dot-product attention: ``scores = query @ key^T`` (times a learned scalar ``scale`` with
    ``use_scale=True``), or with ``score_mode='concat'``
    ``scores = concat_score_weight * sum(tanh(scale * (query_i + key_j)))``.
    Weights: ``scale ()`` (ones) with ``use_scale``, ``concat_score_weight ()`` (ones) for 'concat'.

    Args:
        use_scale: learn a scalar ``scale`` of the scores.
        score_mode: ``'dot'`` (default) or ``'concat'``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Received: score_mode={score_mode}. Acceptable values are: [\"dot\", \"concat\"]")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode

    def build(self, input_shape: Any) -> None:
        self.scale = self.add_weight("scale", (), initializer="ones") if self.use_scale else None
        self.concat_score_weight = self.add_weight("concat_score_weight", (), initializer="ones") \
            if self.score_mode == "concat" else None
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = matmul(query, key, transpose_b=True)
            return scores * self.scale if self.scale is not None else scores
        summed = expand_dims(query, -2) + expand_dims(key, -3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * reduce_sum(tanh(summed), axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(use_scale=self.use_scale, score_mode=self.score_mode)
        return config


class AdditiveAttention(BaseDenseAttention):
    """Additive (Bahdanau) attention: ``scores = sum(scale * tanh(query_i + key_j))`` over the features.

    ``use_scale=True`` (default) learns ``scale (dim,)`` (glorot-uniform); otherwise the scale is 1.

    Args:
        use_scale: learn the ``scale`` vector (default True).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, use_scale: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)

    def build(self, input_shape: Any) -> None:
        dim = tuple(input_shape[1])[-1]
        self.scale = self.add_weight("scale", (dim,), initializer="glorot_uniform") if self.use_scale else None
        self.built = True

    def _calculate_scores(self, query, key):
        summed = tanh(expand_dims(query, -2) + expand_dims(key, -3))
        if self.scale is not None:
            summed = self.scale * summed
        return reduce_sum(summed, axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config["use_scale"] = self.use_scale
        return config


registry.register("layers", Attention, AdditiveAttention)
