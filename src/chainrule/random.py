"""``chainrule.random``: random tensors from the one seeded backend Generator."""
from __future__ import annotations

import numpy as np

from . import backend
from ._tape_stack import note_side_effect
from . import dtypes as _dtypes
from .tensor import Tensor


def set_seed(seed):
    """Seed the global Generator so that random ops (and initializers) repeat bit for bit."""
    backend.set_seed(seed)


def _shape(shape):
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    return (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)


def _rng(seed):
    note_side_effect("a random draw")  # a traced function must draw anew on every call
    return np.random.default_rng(seed) if seed is not None else backend.rng()


def uniform(shape, minval=0, maxval=None, dtype=_dtypes.float32, seed=None, name=None):
    """Uniform values in ``[minval, maxval)`` (maxval default 1 for floats)."""
    dt = _dtypes.as_dtype(dtype)
    rng = _rng(seed)
    if dt.is_integer:
        if maxval is None:
            raise ValueError("random.uniform: maxval is required for integer dtypes.")
        return Tensor(rng.integers(minval, maxval, size=_shape(shape)).astype(dt.dtype))
    maxval = 1 if maxval is None else maxval
    u = rng.random(_shape(shape), dtype=np.float64)
    return Tensor((minval + (maxval - minval) * u).astype(dt.dtype))


def normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None, name=None):
    """Normally distributed values."""
    dt = _dtypes.as_dtype(dtype)
    return Tensor(_rng(seed).normal(mean, stddev, size=_shape(shape)).astype(dt.dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None, name=None):
    """Normal values redrawn until within two standard deviations of the mean."""
    dt = _dtypes.as_dtype(dtype)
    rng = _rng(seed)
    size = _shape(shape)
    out = rng.standard_normal(size)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return Tensor((mean + stddev * out).astype(dt.dtype))


def shuffle(value, seed=None, name=None):
    """A copy of ``value`` with its first axis randomly permuted."""
    v = value._value if isinstance(value, Tensor) else np.asarray(value)
    return Tensor(v[_rng(seed).permutation(len(v))])


class Generator:
    """A random generator with its own state: ``Generator.from_seed(1).normal([2, 3])``.

    Draws do not touch the global generator, so they repeat for a given seed
    whatever else the program does.
    """

    def __init__(self, seed=None):
        self._rng = np.random.default_rng(seed)

    @classmethod
    def from_seed(cls, seed, alg=None):
        return cls(int(seed))

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        return cls(None)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, name=None):
        return Tensor(self._rng.normal(mean, stddev, size=_shape(shape)).astype(_dtypes.as_dtype(dtype).dtype))

    def uniform(self, shape, minval=0, maxval=None, dtype=_dtypes.float32, name=None):
        dt = _dtypes.as_dtype(dtype)
        if dt.is_integer:
            if maxval is None:
                raise ValueError("Generator.uniform: maxval is required for integer dtypes.")
            return Tensor(self._rng.integers(minval, maxval, size=_shape(shape)).astype(dt.dtype))
        maxval = 1 if maxval is None else maxval
        return Tensor((minval + (maxval - minval) * self._rng.random(_shape(shape))).astype(dt.dtype))

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, name=None):
        out = self._rng.standard_normal(_shape(shape))
        bad = np.abs(out) > 2
        while bad.any():
            out[bad] = self._rng.standard_normal(int(bad.sum()))
            bad = np.abs(out) > 2
        return Tensor((mean + stddev * out).astype(_dtypes.as_dtype(dtype).dtype))


def get_global_generator() -> Generator:
    """A Generator view of the global seeded generator."""
    g = Generator.__new__(Generator)
    g._rng = backend.rng()
    return g
