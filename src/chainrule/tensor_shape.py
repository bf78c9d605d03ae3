"""``TensorShape``: a tensor's shape with TensorFlow's semantics (unknown sizes, unknown rank).

A known-rank shape is a tuple of ints with ``None`` for an unknown size, so
``t.shape == (2, 3)``, unpacking and indexing work as on a tuple, and
comparing with a list works as in TensorFlow (``TensorShape([None, 3]) == [None, 3]``).
``TensorShape(None)`` is the shape of unknown rank: it prints ``<unknown>``, has
``rank`` None, and ``as_list()``/``len()`` raise ``ValueError`` as TensorFlow's do.
"""
from __future__ import annotations

from typing import Any, Iterator

import numbers


def _dimension(d: Any) -> Any:
    if d is None:
        return None
    value = getattr(d, "value", d)  # a legacy Dimension-like object
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        try:
            as_int = int(value)
        except (TypeError, ValueError):
            raise TypeError(f"TensorShape: a dimension must be an int or None, got {d!r}.") from None
        if as_int != value:
            raise TypeError(f"TensorShape: a dimension must be an int or None, got {d!r}.")
        value = as_int
    value = int(value)
    if value < 0:
        raise ValueError(f"TensorShape: dimensions must be >= 0 (or None for unknown), got {value}.")
    return value


class TensorShape(tuple):
    """The shape of a tensor: ``TensorShape([None, 784])``, ``TensorShape([])`` (a scalar), ``TensorShape(None)``.

    ``dims`` is an iterable of ints/None, a single int (a vector's length), another
    TensorShape, or None for an unknown rank. Raises ``TypeError`` for a dimension
    that is not an integer and ``ValueError`` for a negative one.
    """

    __slots__ = ()

    def __new__(cls, dims: Any = ()) -> Any:
        if type(dims) is tuple and all(type(d) is int for d in dims):  # the fast path: a numpy shape
            return tuple.__new__(cls, dims)
        if dims is None:
            return _UNKNOWN
        if isinstance(dims, TensorShape):
            return dims
        if isinstance(dims, numbers.Integral):
            dims = (dims,)
        try:
            items = tuple(_dimension(d) for d in dims)
        except TypeError as e:
            if "dimension" in str(e):
                raise
            raise TypeError(f"TensorShape: expected a list of ints/None, an int or None, got {dims!r}.") from None
        return tuple.__new__(cls, items)

    # -- what TensorFlow exposes
    @property
    def rank(self) -> Any:
        """The number of dimensions, or None for an unknown rank."""
        return len(self)

    ndims = rank

    @property
    def dims(self) -> Any:
        """The dimensions as a list (None for an unknown rank)."""
        return list(self)

    def as_list(self) -> list:
        """The dimensions as a list (``[None, 784]``); raises ``ValueError`` for an unknown rank."""
        return list(self)

    def num_elements(self) -> Any:
        """The number of elements, or None when a dimension (or the rank) is unknown."""
        total = 1
        for d in self:
            if d is None:
                return None
            total *= d
        return total

    def is_fully_defined(self) -> bool:
        """True when the rank and every dimension are known."""
        return all(d is not None for d in self)

    def assert_is_fully_defined(self) -> None:
        """Raise ``ValueError`` unless the shape is fully defined."""
        if not self.is_fully_defined():
            raise ValueError(f"Shape {self} is not fully defined")

    def is_compatible_with(self, other: Any) -> bool:
        """True when the shapes could describe the same tensor (unknown sizes match any size)."""
        other = as_shape(other)
        if self.rank is None or other.rank is None:
            return True
        return len(self) == len(other) and all(a is None or b is None or a == b for a, b in zip(self, other))

    def assert_is_compatible_with(self, other: Any) -> None:
        """Raise ``ValueError`` (TensorFlow's message) unless compatible with ``other``."""
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are incompatible")

    def merge_with(self, other: Any) -> "TensorShape":
        """The most specific shape compatible with both; ``ValueError`` when they conflict.

        ``TensorShape([None, 3]).merge_with([5, None])`` is ``TensorShape([5, 3])``.
        """
        other = as_shape(other)
        if self.rank is None:
            return other
        if other.rank is None:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape([a if a is not None else b for a, b in zip(self, other)])

    def most_specific_compatible_shape(self, other: Any) -> "TensorShape":
        """The most specific shape that both shapes are compatible with (sizes that differ become None)."""
        other = as_shape(other)
        if self.rank is None or other.rank is None or len(self) != len(other):
            return _UNKNOWN
        return TensorShape([a if a == b else None for a, b in zip(self, other)])

    def concatenate(self, other: Any) -> "TensorShape":
        """This shape followed by ``other`` (unknown when either rank is unknown)."""
        other = as_shape(other)
        if self.rank is None or other.rank is None:
            return _UNKNOWN
        return TensorShape(tuple(self) + tuple(other))

    def with_rank(self, rank: int) -> "TensorShape":
        """This shape, checked to have ``rank`` dimensions (``ValueError`` otherwise)."""
        if self.rank is None:
            return TensorShape([None] * rank)
        if len(self) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self

    def with_rank_at_least(self, rank: int) -> "TensorShape":
        """This shape, checked to have at least ``rank`` dimensions (``ValueError`` otherwise)."""
        if self.rank is not None and len(self) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    # -- tuple behaviour with TensorFlow's twists
    def __getitem__(self, item: Any) -> Any:
        result = tuple.__getitem__(self, item)
        return TensorShape(result) if isinstance(item, slice) else result

    def __add__(self, other: Any) -> Any:
        return self.concatenate(other)

    def __radd__(self, other: Any) -> Any:
        return as_shape(other).concatenate(self)

    def __eq__(self, other: Any) -> Any:
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        if self.rank is None or other.rank is None:
            return self.rank is None and other.rank is None
        return tuple.__eq__(self, other)

    def __ne__(self, other: Any) -> Any:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__

    def __bool__(self) -> bool:
        """True when the rank is known (as in TensorFlow: a scalar's shape ``()`` is truthy)."""
        return self.rank is not None

    def __repr__(self) -> str:
        return f"TensorShape({list(self)})"

    def __str__(self) -> str:
        if len(self) == 1:
            return f"({self[0]},)"
        return "(" + ", ".join(str(d) for d in self) + ")"

    def __reduce__(self) -> Any:
        return TensorShape, (None if self.rank is None else list(self),)


class _UnknownRankShape(TensorShape):
    """``TensorShape(None)``: nothing is known, not even the number of dimensions."""

    __slots__ = ()

    @property
    def rank(self) -> None:
        return None

    ndims = rank

    @property
    def dims(self) -> None:
        return None

    def as_list(self) -> list[Any]:
        raise ValueError("as_list() is not defined on an unknown TensorShape.")

    def num_elements(self) -> None:
        return None

    def is_fully_defined(self) -> bool:
        return False

    def __len__(self) -> int:
        raise ValueError("Cannot take the length of shape with unknown rank.")

    def __iter__(self) -> Iterator[Any]:
        raise ValueError("Cannot iterate over a shape with unknown rank.")

    def __getitem__(self, item: Any) -> Any:
        return None if not isinstance(item, slice) else self

    def __repr__(self) -> str:
        return "TensorShape(None)"

    def __str__(self) -> str:
        return "<unknown>"

    def __hash__(self) -> Any:
        return hash(("TensorShape", None))


_UNKNOWN = tuple.__new__(_UnknownRankShape, ())


def as_shape(shape: Any) -> TensorShape:
    """``shape`` (a TensorShape, list, tuple, int or None) as a TensorShape."""
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(rank: Any = None) -> TensorShape:
    """A shape of unknown rank, or of ``rank`` unknown dimensions."""
    return _UNKNOWN if rank is None else TensorShape([None] * rank)
