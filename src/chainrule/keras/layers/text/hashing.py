"""``Hashing``: strings or integers -> bucket ids by a hash, no vocabulary needed (tf.keras 2, bit-exact)."""
from __future__ import annotations

import numbers

import numpy as np

from ....string_hashes import hash_strings
from ....tensor import Tensor, to_array
from ... import registry
from ..base import Layer
from .preprocessing_layer import run_as_op
from .category_encoding import COUNT, INT, MULTI_HOT, ONE_HOT, encode_categorical, output_mode_name


class Hashing(Layer):
    """Hashes each value into one of ``num_bins`` buckets, as ``tf.keras.layers.Hashing``.

    Without ``salt`` the bucket is FarmHash ``Fingerprint64(value) % num_bins``
    (``tf.strings.to_hash_bucket_fast``); with ``salt`` (an int, or two ints) it is SipHash-2-4
    keyed by the salt (``to_hash_bucket_strong``). Integers are hashed as their decimal text, as
    tf.keras does. ``mask_value``: that value gets id 0 and the others ``1 + hash % (num_bins - 1)``.
    ``output_mode``: 'int' (default, int64 ids), 'one_hot', 'multi_hot' or 'count' (float32
    vectors of ``num_bins``).

    Args:
        num_bins: the number of buckets (including the mask's bucket 0 when ``mask_value`` is given).
        mask_value: a value that gets id 0 (None: none).
        salt: an int, or two ints, keying SipHash (None: FarmHash).
        output_mode: the output's form (see above).
        sparse: not supported (True raises ValueError): outputs are dense.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        if num_bins is None or isinstance(num_bins, bool) or not isinstance(num_bins, numbers.Integral) or \
                num_bins <= 0:
            raise ValueError(f"The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
                             f"num_bins={num_bins}.")
        output_mode = output_mode_name(kwargs.get("name") or "Hashing", output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT))
        if sparse:
            raise ValueError("Hashing: sparse=True (a SparseTensor output) is not supported by chainrule.")
        kwargs.setdefault("dtype", "int64" if output_mode == INT else "float32")
        super().__init__(**kwargs)
        self.num_bins, self.mask_value = int(num_bins), mask_value
        self.output_mode, self.sparse = output_mode, False
        if salt is None:
            self.salt = None
        elif isinstance(salt, numbers.Integral):
            self.salt = [int(salt), int(salt)]
        elif isinstance(salt, (list, tuple)) and len(salt) == 2:
            self.salt = [int(salt[0]), int(salt[1])]
        else:
            raise ValueError(f"The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a single "
                             f"integer. Received: salt={salt}.")

    def _convert_input(self, x):
        return x if isinstance(x, Tensor) else Tensor(to_array(x))

    def _bins(self, values):
        if values.dtype.kind == "U":  # a string Tensor made from Python str: compare and hash its UTF-8 bytes
            values = np.char.encode(values, "utf-8")
        bins, mask = self.num_bins, None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask_value = self.mask_value.encode("utf-8") if isinstance(self.mask_value, str) else self.mask_value
            mask = values == mask_value
        if values.dtype.kind in "iu":
            text = np.array([str(v).encode() for v in values.reshape(-1).tolist()], dtype=bytes).reshape(values.shape) \
                if values.size else np.zeros(values.shape, dtype="S1")
        elif values.dtype.kind == "S":
            text = values
        else:
            raise ValueError(f"Hashing {self.name!r}: expected strings or integers, got dtype {values.dtype}.")
        ids = hash_strings(text, bins, key=None if self.salt is None else tuple(self.salt))
        if mask is not None:
            ids = np.where(mask, 0, ids + 1)
        return ids

    def call(self, inputs):
        return run_as_op(self._hash, inputs)

    def _hash(self, values):
        ids = self._bins(values)
        if self.output_mode == INT:
            return ids.astype(np.int64)
        return encode_categorical(ids, self.output_mode, self.num_bins, self.dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == INT:
            return tuple(input_shape)
        return (input_shape[0] if len(input_shape) else None, self.num_bins)

    def _output_dtype(self, flat_inputs):
        return self.dtype

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(num_bins=self.num_bins, salt=self.salt, mask_value=self.mask_value, output_mode=self.output_mode,
                      sparse=self.sparse)
        return config


registry.register("layers", Hashing)
