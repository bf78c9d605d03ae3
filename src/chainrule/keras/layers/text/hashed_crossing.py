"""``HashedCrossing``: categorical features crossed by the hashing trick (tf.keras 2, bit-exact)."""
from __future__ import annotations

import numbers

import numpy as np

from ....string_hashes import cross_hash
from ....tensor import Tensor, to_array
from ... import registry
from ..base import Layer
from .category_encoding import INT, ONE_HOT, encode_categorical, output_mode_name
from .preprocessing_layer import run_as_op


class HashedCrossing(Layer):
    """Crosses two or more categorical features into ``num_bins`` buckets, as ``tf.keras.layers.HashedCrossing``.

    Each sample's bucket is ``tf.sparse.cross_hashed``'s: the values' fingerprints (an integer is itself, a
    string its FarmHash ``Fingerprint64``) combined in order by TensorFlow's ``FingerprintCat64``, modulo
    ``num_bins``; so ``HashedCrossing(5)((['A', 'B'], [101, 101]))`` gives ``[1, 4]`` as in TensorFlow.

    Args:
        num_bins: the number of buckets.
        output_mode: ``'int'`` (default: int64 bucket ids, the inputs' shape) or ``'one_hot'`` (float32
            vectors of ``num_bins``).
        sparse: not supported (True raises ValueError): outputs are dense.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype`` ...).

    Call on a list or tuple of at least two integer or string tensors of one shape: ``()``, ``(batch,)`` or
    ``(batch, 1)``; the ids have that shape. Raises ValueError for fewer inputs, other shapes or dtypes.
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, **kwargs):
        if num_bins is None or isinstance(num_bins, bool) or not isinstance(num_bins, numbers.Integral) or \
                num_bins <= 0:
            raise ValueError(f"`num_bins` must be a positive integer. Received: num_bins={num_bins}.")
        output_mode = output_mode_name(kwargs.get("name") or "HashedCrossing", output_mode, (INT, ONE_HOT))
        if sparse:
            raise ValueError("HashedCrossing: sparse=True (a SparseTensor output) is not supported by chainrule.")
        kwargs.setdefault("dtype", "int64" if output_mode == INT else "float32")
        if kwargs["dtype"] is None:
            kwargs["dtype"] = "int64" if output_mode == INT else "float32"
        super().__init__(**kwargs)
        if output_mode == INT and not np.issubdtype(np.dtype(self.dtype), np.integer):
            raise ValueError(f"When `output_mode='int'`, `dtype` should be an integer type. Received: "
                             f"dtype={kwargs['dtype']}")
        self.num_bins, self.output_mode, self.sparse = int(num_bins), output_mode, False

    def _convert_input(self, x):
        return x if isinstance(x, Tensor) else Tensor(to_array(x))

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"`HashedCrossing` should be called on a list or tuple of inputs. Received: "
                             f"inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at least two inputs. Received: inputs={inputs}")
        shape = tuple(inputs[0].shape)
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(f"All `HashedCrossing` inputs should have shape `[]`, `[batch_size]` or "
                             f"`[batch_size, 1]`. Received: inputs={inputs}")
        if any(tuple(x.shape) != shape for x in inputs[1:]):
            raise ValueError(f"All `HashedCrossing` inputs should have equal shape. Received: inputs={inputs}")
        return run_as_op(self._cross, *inputs)

    def _cross(self, *values):
        columns = []
        for v in values:
            if v.dtype.kind == "U" or (v.dtype.kind == "O" and v.size and isinstance(v.reshape(-1)[0], str)):
                v = np.char.encode(v.astype(str), "utf-8")
            if v.dtype.kind not in "iuSO":
                raise ValueError(f"All `HashedCrossing` inputs should have an integer or string dtype. Received "
                                 f"dtype {v.dtype}.")
            columns.append(v.reshape(-1))
        ids = cross_hash(columns, self.num_bins).reshape(values[0].shape)
        if self.output_mode == INT:
            return ids.astype(self.dtype)
        return encode_categorical(ids, ONE_HOT, self.num_bins, self.dtype)

    def compute_output_shape(self, input_shape):
        first = tuple(input_shape[0])
        if self.output_mode == INT:
            return first
        if not first:
            return (self.num_bins,)
        return (first[0], self.num_bins)

    def _output_dtype(self, flat_inputs):
        return self.dtype

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(num_bins=self.num_bins, output_mode=self.output_mode, sparse=self.sparse)
        return config


registry.register("layers", HashedCrossing)
