"""Embedding: integer ids -> rows of a trainable ``(input_dim, output_dim)`` table (tf.keras 2)."""
from __future__ import annotations

import numbers
from typing import Any

from .._types import ConstraintLike, InitializerLike, RegularizerLike
from ... import ops as _ops
from ...functions import cast, not_equal
from ...tensor import apply_op
from .. import constraints, initializers, registry, regularizers
from .base import Layer


class Embedding(Layer):
    """Turns ids ``(batch, ...)`` into vectors ``(batch, ..., output_dim)``: ``embeddings[ids]``.

    Args:
        input_dim: the vocabulary size; ids must lie in ``[0, input_dim)`` (an InvalidArgumentError, as
            TensorFlow raises, names the first id outside and the range).
        output_dim: the size of each vector.
        embeddings_initializer: default ``'uniform'``, tf.keras 2's ``RandomUniform(-0.05, 0.05)``.
        embeddings_regularizer: a regularizer of the embedding matrix, as for ``Dense``.
        activity_regularizer: a regularizer of the output, as for ``Dense``.
        embeddings_constraint: a constraint on the embedding matrix, as for ``Dense``.
        mask_zero: id 0 is padding: the output carries the mask ``ids != 0`` (so id 0 must not be a
            word; the vocabulary then needs ``input_dim = words + 1``).
        input_length: the sequence length, when fixed (it lets ``Flatten -> Dense`` follow in a
            ``Sequential``); the layer's input shape becomes ``(None, input_length)``.
        sparse: not supported (True raises ValueError): outputs are dense.

    The weight is ``embeddings`` of shape ``(input_dim, output_dim)``, as in tf.keras files. Float
    ids are truncated to integers (tf.keras casts them); the gradient adds up each id's rows
    without a dense one-hot (``chainrule.ops.Embedding``).
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: InitializerLike = "uniform",
                 embeddings_regularizer: RegularizerLike = None, activity_regularizer: RegularizerLike = None,
                 embeddings_constraint: ConstraintLike = None, mask_zero: bool = False, input_length: int | None = None,
                 sparse: bool = False, **kwargs: Any) -> None:
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            if input_length:
                kwargs["input_shape"] = tuple(input_length) if isinstance(input_length, (list, tuple)) \
                    else (input_length,)
            else:
                kwargs["input_shape"] = (None,)
        kwargs.pop("autocast", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        for value in (input_dim, output_dim):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"Embedding {self.name!r}: both `input_dim` and `output_dim` should be positive "
                                 f"integers. Received input_dim = {input_dim} and output_dim = {output_dim}.")
        if sparse:
            raise ValueError(f"Embedding {self.name!r}: sparse=True (a SparseTensor output) is not supported by "
                             "chainrule; use the default dense output.")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length
        self.sparse = False

    def build(self, input_shape: Any = None) -> None:
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs: Any) -> Any:
        if inputs.dtype.is_floating or inputs.dtype.is_bool:
            inputs = cast(inputs, "int32")
        return apply_op(_ops.Embedding(), self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.input_length is None:
            return input_shape + (self.output_dim,)
        lengths = list(self.input_length) if isinstance(self.input_length, (list, tuple)) else [self.input_length]
        if len(lengths) != len(input_shape) - 1:
            raise ValueError(f'Embedding {self.name!r}: "input_length" is {self.input_length}, but received input '
                             f"has shape {input_shape}")
        for i, (want, got) in enumerate(zip(lengths, input_shape[1:])):
            if want is not None and got is not None and want != got:
                raise ValueError(f'Embedding {self.name!r}: "input_length" is {self.input_length}, but received '
                                 f"input has shape {input_shape}")
            if want is None:
                lengths[i] = got
        return (input_shape[0],) + tuple(lengths) + (self.output_dim,)

    def _output_dtype(self, flat_inputs):
        return self._dtype

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(input_dim=self.input_dim, output_dim=self.output_dim,
                      embeddings_initializer=initializers.serialize(self.embeddings_initializer),
                      embeddings_regularizer=regularizers.serialize(self.embeddings_regularizer),
                      activity_regularizer=regularizers.serialize(self.activity_regularizer),
                      embeddings_constraint=constraints.serialize(self.embeddings_constraint),
                      mask_zero=self.mask_zero, input_length=self.input_length)
        return config


registry.register("layers", Embedding)
