"""``CategoryEncoding`` and the encoding every lookup layer shares: integer ids -> one-hot / multi-hot /
count / tf-idf vectors (tf.keras 2)."""
from __future__ import annotations

import numbers

import numpy as np

from ....tensor import Tensor, to_array
from ... import registry
from ..base import Layer
from .preprocessing_layer import run_as_op

INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF = "int", "one_hot", "multi_hot", "count", "tf_idf"
_ALIASES = {"binary": MULTI_HOT, "tf-idf": TF_IDF}


def output_mode_name(layer_name, output_mode, allowed):
    """The canonical name of ``output_mode`` (``'binary'`` is tf.keras 2's old ``'multi_hot'``), or a ValueError."""
    mode = _ALIASES.get(output_mode, output_mode)
    if mode not in allowed:
        raise ValueError(f"Unknown value for `output_mode`. Allowed values are: {list(allowed)}. Received: "
                         f"{output_mode!r} (layer {layer_name!r}).")
    return mode


def encode_categorical(ids, output_mode, depth, dtype="float32", count_weights=None, idf_weights=None):
    """Integer ids -> ``(batch, depth)`` vectors (``(depth,)`` for one sample given as a 1-D array of ids).

    ``one_hot`` encodes each id (a trailing axis of 1 is added when missing); ``multi_hot`` marks the
    ids of each row; ``count`` counts them (weighted by ``count_weights``); ``tf_idf`` multiplies the
    counts by ``idf_weights``. Ids outside ``[0, depth)`` are left out (how a masked token disappears).
    """
    ids = np.asarray(ids)
    if ids.ndim == 0:
        ids = ids[None]
    if output_mode == ONE_HOT and ids.shape[-1] != 1:
        ids = ids[..., None]
    if ids.ndim > 2:
        raise ValueError(f"When output_mode is not 'int', maximum supported output rank is 2. Received "
                         f"output_mode {output_mode} and input shape {ids.shape}, which would result in output "
                         f"rank {ids.ndim}.")
    single = ids.ndim == 1
    rows = ids[None] if single else ids
    weights = None if count_weights is None else np.asarray(count_weights, dtype=np.float64)
    if weights is not None and single:
        weights = weights[None]
    out = np.zeros((rows.shape[0], depth), dtype=np.float64)
    valid = (rows >= 0) & (rows < depth)
    r = np.broadcast_to(np.arange(rows.shape[0])[:, None], rows.shape)[valid]
    c = rows[valid].astype(np.int64)
    if output_mode in (ONE_HOT, MULTI_HOT):
        out[r, c] = 1.0
    else:
        np.add.at(out, (r, c), 1.0 if weights is None else weights[valid])
        if output_mode == TF_IDF:
            out *= np.asarray(idf_weights, dtype=np.float64)[:depth]
    out = out.astype(dtype)
    return out[0] if single else out


class CategoryEncoding(Layer):
    """Encodes integer category ids in ``[0, num_tokens)`` as vectors of ``num_tokens`` values.

    ``output_mode``: ``'multi_hot'`` (default; 1 for each id present in a sample), ``'one_hot'``
    (one vector per id), ``'count'`` (how often each id occurs; ``count_weights`` in ``call`` weights
    the counts). Inputs of shape ``(batch,)`` or ``(batch, ids)``; ids outside the range raise a
    ValueError naming the value, as tf.keras raises InvalidArgumentError.

    Args:
        num_tokens: the number of categories; ids must lie in ``[0, num_tokens)``.
        output_mode: the output's form (see above).
        sparse: not supported (True raises ValueError): outputs are dense.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        kwargs.pop("max_tokens", None)
        super().__init__(**kwargs)
        if num_tokens is None or isinstance(num_tokens, bool) or not isinstance(num_tokens, numbers.Integral) \
                or num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError(f"CategoryEncoding {self.name!r}: sparse=True is not supported by chainrule.")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode_name(self.name, output_mode, (COUNT, ONE_HOT, MULTI_HOT))
        self.sparse = False

    def _convert_input(self, x):
        return x if isinstance(x, Tensor) else Tensor(to_array(x))

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != COUNT:
            raise ValueError(f"`count_weights` is not used when `output_mode` is not `'count'`. Received "
                             f"`count_weights={count_weights}`.")
        weights = [] if count_weights is None else [count_weights if isinstance(count_weights, Tensor)
                                                    else Tensor(to_array(count_weights))]
        return run_as_op(self._encode, inputs, *weights)

    def _encode(self, ids, weights=None):
        if ids.dtype.kind == "f":
            ids = ids.astype(np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_tokens):
            bad = ids.min() if ids.min() < 0 else ids.max()
            raise ValueError(f"CategoryEncoding {self.name!r}: input values must be in the range 0 <= values < "
                             f"num_tokens with num_tokens={self.num_tokens}; found {bad}.")
        return encode_categorical(ids, self.output_mode, self.num_tokens, self.dtype, count_weights=weights)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == ONE_HOT and input_shape[-1] != 1:
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(num_tokens=self.num_tokens, output_mode=self.output_mode, sparse=self.sparse)
        return config


registry.register("layers", CategoryEncoding)
