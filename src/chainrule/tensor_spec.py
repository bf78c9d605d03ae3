"""``TensorSpec``: the shape and dtype a tensor must have (``None`` for any size along an axis)."""
from __future__ import annotations

import numpy as np

from . import dtypes as _dtypes
from .tensor import Tensor, TensorShape


class TensorSpec:
    """Describes a tensor: ``TensorSpec(shape, dtype=float32, name=None)``.

    ``shape`` is a list/tuple of ints with ``None`` for an unknown size, or
    ``None`` for an unknown rank. Used by ``chainrule.function(input_signature=...)``
    and ``Dataset.element_spec``.
    """

    __slots__ = ("_shape", "_dtype", "name")

    def __init__(self, shape, dtype=_dtypes.float32, name=None):
        if shape is None:
            self._shape = None
        else:
            try:
                dims = [shape] if isinstance(shape, (int, np.integer)) else list(shape)
                self._shape = TensorShape(None if d is None else int(d) for d in dims)
            except (TypeError, ValueError):
                raise TypeError(f"TensorSpec: shape must be a list of ints or None (e.g. [None, 3]), got "
                                f"{shape!r}.") from None
        self._dtype = _dtypes.as_dtype(dtype)
        self.name = name

    @property
    def shape(self) -> TensorShape:
        """The shape as a TensorShape (``TensorShape(None)`` for an unknown rank, as TensorFlow)."""
        return TensorShape(None) if self._shape is None else self._shape

    @property
    def dtype(self) -> _dtypes.DType:
        return self._dtype

    @classmethod
    def from_tensor(cls, tensor, name=None) -> "TensorSpec":
        """The spec of a concrete tensor (or array)."""
        arr = tensor._value if isinstance(tensor, Tensor) else np.asarray(tensor)
        return cls(arr.shape, arr.dtype, name)

    def _shape_compatible(self, shape) -> bool:
        if self._shape is None:
            return True
        if shape is None or getattr(shape, "rank", 0) is None:
            return False
        return len(shape) == len(self._shape) and all(
            a is None or b is None or a == b for a, b in zip(self._shape, shape))

    def is_compatible_with(self, spec_or_tensor) -> bool:
        """True when the dtypes are equal and every known dimension agrees."""
        if isinstance(spec_or_tensor, TensorSpec):
            return spec_or_tensor.dtype == self._dtype and self._shape_compatible(spec_or_tensor._shape)
        arr = spec_or_tensor._value if isinstance(spec_or_tensor, Tensor) else np.asarray(spec_or_tensor)
        return _dtypes.as_dtype(arr.dtype) == self._dtype and self._shape_compatible(arr.shape)

    def __eq__(self, other) -> bool:
        return (isinstance(other, TensorSpec) and other._shape == self._shape and other._dtype == self._dtype
                and other.name == self.name)

    def __hash__(self) -> int:
        return hash((self._shape, self._dtype.name, self.name))

    def __repr__(self) -> str:
        shape = "<unknown>" if self._shape is None else str(tuple(self._shape))
        return f"TensorSpec(shape={shape}, dtype=chainrule.{self._dtype.name}, name={self.name!r})"
