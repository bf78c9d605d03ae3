"""Ops that move or select elements: Reshape, Transpose, GetItem, Concat, Stack, BroadcastTo, Cast."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import InvalidArgumentError, _IndexOutOfBoundsError
from .base import Op


class Reshape(Op):
    """Reshape to ``shape`` (one entry may be -1). Backward: reshape ``dout`` back."""

    returns_view = True

    def __init__(self, shape: Any) -> None:
        self.shape = tuple(map(int, shape))

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if self.needs_backward:
            self.in_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise _reshape_error(x, self.shape) from None

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.reshape(dout, self.in_shape)


def _reshape_error(x: np.ndarray, shape: Any) -> InvalidArgumentError:
    """TensorFlow's message for a failed reshape, then the shapes and the fix (built only after numpy failed)."""
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        return InvalidArgumentError(f"Only one input size may be -1, not both {unknown[0]} and {unknown[1]} "
                                    f"[Op:Reshape]: only one dimension may be -1, got shape {tuple(shape)} for a "
                                    f"tensor of shape {x.shape}; give every other dimension explicitly.")
    if any(s < -1 for s in shape):
        return InvalidArgumentError(f"Size {shape.index(min(shape))} must be non-negative, not {min(shape)} "
                                    "[Op:Reshape]")
    known = int(np.prod([s for s in shape if s != -1], dtype=np.int64))
    what = f"requires a multiple of {known}" if unknown else f"has {known}"
    return InvalidArgumentError(f"Input to reshape is a tensor with {x.size} values, but the requested shape "
                                f"{what} [Op:Reshape]: cannot reshape a tensor of shape {x.shape} into shape "
                                f"{tuple(shape)}; the number of values must stay the same.")


class Transpose(Op):
    """Permute axes by ``perm`` (default: reverse them). Backward: the inverse permutation."""

    returns_view = True

    def __init__(self, perm: Any = None) -> None:
        self.perm = None if perm is None else tuple(int(p) for p in perm)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.ndim = x.ndim
        try:
            return np.transpose(x, self.perm)
        except ValueError:  # numpy's AxisError is a ValueError too
            raise InvalidArgumentError(
                f"Transpose: perm {list(self.perm or ())} is not a permutation of the {x.ndim} axes of shape "
                f"{x.shape}; "
                f"it must list each of 0..{x.ndim - 1} once, e.g. {list(reversed(range(x.ndim)))}.") from None

    def backward(self, dout: np.ndarray) -> np.ndarray:
        perm = self.perm if self.perm is not None else tuple(reversed(range(self.ndim)))
        return np.transpose(dout, np.argsort(perm))


def _has_advanced_index(key: Any) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (np.ndarray, list)) for k in parts)


class GetItem(Op):
    """``x[key]`` for slices, ``...``, ``newaxis``, integer arrays and boolean masks.

    Backward: a zero array of ``x``'s shape with ``dout`` added at ``key``
    (``np.add.at`` when integer arrays may repeat an index).
    """

    returns_view = True

    def __init__(self, key: Any) -> None:
        self.key = key

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.in_shape, self.in_dtype = x.shape, x.dtype
        try:
            return x[self.key]
        except IndexError as e:
            raise _index_error(e, x.shape) from None

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = np.zeros(self.in_shape, dtype=dout.dtype)
        if _has_advanced_index(self.key):
            np.add.at(dx, self.key, dout)
        else:
            dx[self.key] = dout
        return dx


def _index_error(e: IndexError, shape: Any) -> InvalidArgumentError:
    """numpy's out-of-bounds IndexError as TensorFlow's InvalidArgumentError (still an IndexError)."""
    import re
    m = re.match(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)", str(e))
    if m:
        index, axis, size = m.groups()
        return _IndexOutOfBoundsError(f"slice index {index} of dimension {axis} out of bounds. [Op:StridedSlice] "
                                      f"(the tensor has shape {shape}; valid indices along dimension {axis} are "
                                      f"{-int(size)} to {int(size) - 1})")
    return _IndexOutOfBoundsError(f"{e} [Op:StridedSlice] (the tensor has shape {shape})")


class Concat(Op):
    """Join inputs along ``axis``. Backward: split ``dout`` back into the inputs' sizes."""

    def __init__(self, axis: int = 0) -> None:
        self.axis = axis

    def forward(self, *inputs: np.ndarray) -> np.ndarray:
        xs = [np.asarray(x) for x in inputs]
        try:
            self.sizes = [x.shape[self.axis] for x in xs]
            return np.concatenate(xs, axis=self.axis)
        except (ValueError, IndexError):
            raise _concat_error(xs, self.axis) from None

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        return tuple(np.split(dout, np.cumsum(self.sizes)[:-1], axis=self.axis))


def _concat_error(xs: Sequence[np.ndarray], axis: Any) -> InvalidArgumentError:
    """Why ``np.concatenate`` failed, in TensorFlow's terms (only built after it has failed)."""
    shapes = [np.shape(x) for x in xs]
    rank = len(shapes[0])
    for i, s in enumerate(shapes[1:], 1):
        if len(s) != rank:
            return InvalidArgumentError(f"ConcatV2: input #{i} has rank {len(s)} (shape {s}) but input #0 has "
                                        f"rank {rank} (shape {shapes[0]}); all inputs must have the same rank.")
    if not -rank <= axis < rank:
        return InvalidArgumentError(f"ConcatV2: axis {axis} is out of range for inputs of rank {rank} (shape "
                                    f"{shapes[0]}); valid axes are {-rank} to {rank - 1}.")
    a = axis % rank
    for i, s in enumerate(shapes[1:], 1):
        if s[:a] + s[a + 1:] != shapes[0][:a] + shapes[0][a + 1:]:
            return InvalidArgumentError(f"ConcatV2: input #{i} has shape {s} but input #0 has shape {shapes[0]}; "
                                        f"all dimensions except axis {axis} must match.")
    return InvalidArgumentError(f"ConcatV2: cannot concatenate shapes {shapes} along axis {axis}.")


def _stack_error(xs: Sequence[np.ndarray], axis: Any) -> InvalidArgumentError:
    """Why ``np.stack`` failed, in TensorFlow's terms (only built after it has failed)."""
    shapes = [np.shape(x) for x in xs]
    for i, s in enumerate(shapes[1:], 1):
        if s != shapes[0]:
            return InvalidArgumentError(f"Pack: all inputs must have the same shape; input #{i} has shape {s}, "
                                        f"input #0 has {shapes[0]}.")
    rank = len(shapes[0]) + 1
    return InvalidArgumentError(f"Pack: axis {axis} is out of range for stacking inputs of shape {shapes[0]}; "
                                f"valid axes are {-rank} to {rank - 1}.")


class Stack(Op):
    """Stack same-shaped inputs along a new ``axis``. Backward: take each slice back."""

    def __init__(self, axis: int = 0) -> None:
        self.axis = axis

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        self.n = len(xs)
        try:
            return np.stack(xs, axis=self.axis)
        except ValueError:  # includes numpy's AxisError
            raise _stack_error(xs, self.axis) from None

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        return tuple(np.take(dout, i, axis=self.axis) for i in range(self.n))


class BroadcastTo(Op):
    """Broadcast to ``shape``. Backward: ``dout`` itself; the tape sums it back to the input shape."""

    returns_view = True

    def __init__(self, shape: Any) -> None:
        self.shape = tuple(int(s) for s in shape)

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            return np.broadcast_to(x, self.shape)
        except ValueError:
            raise InvalidArgumentError(f"Incompatible shapes: {list(np.shape(x))} vs. {list(self.shape)} "
                                       "[Op:BroadcastTo]; each axis of the input, aligned from the right, must equal "
                                       "the target's or be 1.") from None

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout


class Cast(Op):
    """Convert to ``dtype`` (a numpy dtype). Backward: ``dout`` cast back to the input's dtype."""

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        if self.in_dtype.kind not in "fc":
            return None
        return dout.astype(self.in_dtype)


class Identity(Op):
    """``x`` unchanged (a copy, so later in-place updates of a Variable do not leak into it)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.array(x, copy=True)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout


class Tile(Op):
    """Repeat ``x`` ``multiples[i]`` times along axis i. Backward: sum the copies back together."""

    def __init__(self, multiples: Any) -> None:
        self.multiples = tuple(int(m) for m in multiples)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if len(self.multiples) != x.ndim:
            raise InvalidArgumentError(f"Expected multiples argument to be a vector of length {x.ndim} but got "
                                       f"length {len(self.multiples)} [Op:Tile]; give one multiple per axis of the "
                                       f"input (shape {x.shape}).")
        self.in_shape = x.shape
        return np.tile(x, self.multiples)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        # Split every axis into (copies, original) and sum over the copies.
        split: list[int] = []
        for m, n in zip(self.multiples, self.in_shape):
            split.extend((m, n))
        summed = dout.reshape(split).sum(axis=tuple(range(0, 2 * len(self.in_shape), 2)))
        return summed


class Gather(Op):
    """``take(params, indices, axis)``: rows (or slices along ``axis``) picked by integer ``indices``.

    ``forward(params, indices)``; backward scatters ``dout`` back with ``np.add.at``
    (repeated indices add up); the indices get no gradient.
    """

    def __init__(self, axis: int = 0) -> None:
        self.axis = axis

    def forward(self, params: np.ndarray, indices: np.ndarray) -> np.ndarray:
        params = np.asarray(params)
        self.in_shape, self.indices = params.shape, np.asarray(indices).astype(np.intp)
        n = params.shape[self.axis]
        if self.indices.size and (self.indices.min() < 0 or self.indices.max() >= n):
            flat = self.indices.ravel()
            bad = int(np.flatnonzero((flat < 0) | (flat >= n))[0])
            raise _IndexOutOfBoundsError(
                f"indices[{bad}] = {flat[bad]} is not in [0, {n}) [Op:GatherV2] (gathering along axis "
                f"{self.axis} of a tensor of shape {params.shape}; negative indices are not allowed, as in "
                "TensorFlow)")
        return np.take(params, self.indices, axis=self.axis)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        dx = np.zeros(self.in_shape, dtype=dout.dtype)
        axis = self.axis % len(self.in_shape)
        moved = np.moveaxis(dx, axis, 0)
        d_moved = np.moveaxis(dout.reshape(self.in_shape[:axis] + self.indices.shape + self.in_shape[axis + 1:]),
                              tuple(range(axis, axis + self.indices.ndim)), tuple(range(self.indices.ndim)))
        np.add.at(moved, self.indices, d_moved)
        return dx, None


class TakeAlongAxis(Op):
    """``take_along_axis(x, indices, axis)`` (used by sort and top_k). Backward scatters ``dout`` back."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray, indices: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.in_shape, self.indices = x.shape, np.asarray(indices).astype(np.intp)
        return np.take_along_axis(x, self.indices, axis=self.axis)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        dx = np.zeros(self.in_shape, dtype=dout.dtype)
        _add_along_axis(dx, self.indices, dout, self.axis)
        return dx, None


def _add_along_axis(dx: np.ndarray, indices: np.ndarray, values: np.ndarray, axis: Any) -> None:
    axis = axis % dx.ndim
    grids = list(np.meshgrid(*[np.arange(n) for n in indices.shape], indexing="ij"))
    grids[axis] = indices
    np.add.at(dx, tuple(grids), values)


class CumSum(Op):
    """Cumulative sum along ``axis`` (``exclusive``/``reverse`` as TensorFlow). Backward: the reverse cumsum."""

    def __init__(self, axis: int = 0, exclusive: bool = False, reverse: bool = False) -> None:
        self.axis, self.exclusive, self.reverse = axis, exclusive, reverse

    def _cumsum(self, x: np.ndarray, reverse: Any) -> Any:
        if reverse:
            x = np.flip(x, self.axis)
        out = np.cumsum(x, axis=self.axis, dtype=x.dtype)
        if self.exclusive:
            out = np.roll(out, 1, axis=self.axis)
            idx: list[slice | int] = [slice(None)] * out.ndim
            idx[self.axis] = 0
            out[tuple(idx)] = 0
        return np.flip(out, self.axis) if reverse else out

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self._cumsum(np.asarray(x), self.reverse)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return self._cumsum(dout, not self.reverse)


class GatherNd(Op):
    """``params[indices[..., 0], indices[..., 1], ...]``: slices of ``params`` at the index tuples in ``indices``.

    ``indices`` ``[..., k]`` picks along the first k axes of ``params``; the output is
    ``indices.shape[:-1] + params.shape[k:]``. Backward scatters ``dout`` back with
    ``np.add.at`` (repeated index tuples add up); the indices get no gradient. An index
    outside ``[0, size)`` raises TensorFlow's ``InvalidArgumentError``.
    """

    def forward(self, params: np.ndarray, indices: np.ndarray) -> np.ndarray:
        params, indices = np.asarray(params), np.asarray(indices).astype(np.intp)
        k = indices.shape[-1] if indices.ndim else 0
        if indices.ndim == 0 or k > params.ndim:
            raise InvalidArgumentError(f"indices.shape[-1] must be <= params.rank, but saw indices shape "
                                       f"{list(indices.shape)} and params shape {list(params.shape)} [Op:GatherNd]")
        bounds = np.asarray(params.shape[:k])
        bad = np.any((indices < 0) | (indices >= bounds), axis=-1)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise _IndexOutOfBoundsError(
                f"indices{list(where)} = {indices[where].tolist()} does not index into param shape "
                f"{list(params.shape)} [Op:GatherNd]")
        self.in_shape, self.key = params.shape, tuple(np.moveaxis(indices, -1, 0))
        return params[self.key]

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        dx = np.zeros(self.in_shape, dtype=dout.dtype)
        np.add.at(dx, self.key, dout)
        return dx, None
