"""``chainrule.random``: random tensors from the one seeded backend Generator."""
from __future__ import annotations

import collections
import types
from typing import Any

from ._missing import missing_attribute as _missing_attribute
import numpy as np

from . import _integers, backend
from ._tape_stack import note_side_effect
from . import dtypes as _dtypes
from .dtypes import DTypeLike
from .errors import InvalidArgumentError
from .tensor import Tensor, TensorLike


def set_seed(seed: int | None) -> None:
    """Seed the global Generator so that random ops (and initializers) repeat bit for bit."""
    backend.set_seed(seed)


def _shape(shape: Any, op_name: str = "RandomUniform") -> Any:
    """A shape argument as ints; floats raise TensorFlow's InvalidArgumentError (never truncated)."""
    return _integers.integers(shape, "shape", op_name, "T")


def _rng(seed: Any, op_name: str, attrs: tuple = ()) -> Any:
    """The Generator of one call of the random op ``op_name`` (TensorFlow's kernel name; see
    ``backend.kernel_rng``): a seeded op continues its stream from call to call, as in TensorFlow."""
    note_side_effect("a random draw")  # a traced function must draw anew on every call
    return backend.kernel_rng(op_name, seed, attrs)


def uniform(shape: Any, minval: int = 0, maxval: Any = None, dtype: DTypeLike = _dtypes.float32,
            seed: int | None = None, name: str | None = None) -> Tensor:
    """Uniform values in ``[minval, maxval)`` (maxval default 1 for floats)."""
    dt = _dtypes.as_dtype(dtype)
    rng = _rng(seed, "RandomUniformInt" if dt.is_integer else "RandomUniform", (dt.name,))
    if dt.is_integer:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dt!r} (random.uniform).")
        low = _integers.integer(minval, "minval", "RandomUniformInt", dt.name)
        high = _integers.integer(maxval, "maxval", "RandomUniformInt", dt.name)
        return Tensor(rng.integers(low, high, size=_shape(shape)).astype(dt.dtype))
    maxval = 1 if maxval is None else maxval
    u = rng.random(_shape(shape), dtype=np.float64)
    return Tensor((minval + (maxval - minval) * u).astype(dt.dtype))


def normal(shape: Any, mean: TensorLike = 0.0, stddev: float = 1.0, dtype: DTypeLike = _dtypes.float32,
           seed: int | None = None, name: str | None = None) -> Tensor:
    """Normally distributed values."""
    dt = _dtypes.as_dtype(dtype)
    rng = _rng(seed, "RandomStandardNormal", (dt.name,))
    return Tensor(rng.normal(mean, stddev, size=_shape(shape, "RandomStandardNormal")).astype(dt.dtype))


def truncated_normal(shape: Any, mean: TensorLike = 0.0, stddev: float = 1.0, dtype: DTypeLike = _dtypes.float32,
                     seed: int | None = None, name: str | None = None) -> Tensor:
    """Normal values redrawn until within two standard deviations of the mean."""
    dt = _dtypes.as_dtype(dtype)
    rng = _rng(seed, "TruncatedNormal", (dt.name,))
    size = _shape(shape)
    out = rng.standard_normal(size)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return Tensor((mean + stddev * out).astype(dt.dtype))


def shuffle(value: TensorLike, seed: int | None = None, name: str | None = None) -> Tensor:
    """A copy of ``value`` with its first axis randomly permuted."""
    v = value._value if isinstance(value, Tensor) else np.asarray(value)
    return Tensor(v[_rng(seed, "RandomShuffle").permutation(len(v))])


def categorical(logits: TensorLike, num_samples: Any, dtype: DTypeLike | None = None, seed: int | None = None,
                name: str | None = None) -> Tensor:
    """Draw ``num_samples`` class indices per row of ``logits`` ``[batch, classes]`` (unnormalized log-probabilities).

    Returns ``[batch, num_samples]`` int64 (or ``dtype``). A class with logit ``-inf`` is never drawn.
    """
    return _categorical(_rng(seed, "Multinomial"), logits, num_samples, dtype)


def _categorical(rng: Any, logits: Any, num_samples: Any, dtype: Any) -> Any:
    lg = np.asarray(logits._value if isinstance(logits, Tensor) else logits, dtype=np.float64)
    if lg.ndim != 2:
        raise ValueError(f"categorical: logits must be 2-D [batch, classes], got shape {lg.shape}.")
    p = np.exp(lg - lg.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    # Inverse-CDF sampling, one uniform draw per sample (vectorized over the batch).
    cdf = np.cumsum(p, axis=1)
    u = rng.random((lg.shape[0], int(num_samples)))
    draws = np.minimum((u[:, :, None] >= cdf[:, None, :]).sum(axis=2), lg.shape[1] - 1)
    return Tensor(draws.astype(_dtypes.as_dtype(dtype or _dtypes.int64).dtype))


def gamma(shape: Any, alpha: TensorLike, beta: Any = None, dtype: DTypeLike = _dtypes.float32, seed: int | None = None,
          name: str | None = None) -> Tensor:
    """Gamma draws: shape ``shape + broadcast(alpha, beta).shape`` (``beta`` is the rate, default 1)."""
    a = np.asarray(alpha._value if isinstance(alpha, Tensor) else alpha, dtype=np.float64)
    b = 1.0 if beta is None else np.asarray(beta._value if isinstance(beta, Tensor) else beta, dtype=np.float64)
    size = _shape(shape) + np.broadcast_shapes(np.shape(a), np.shape(b))
    return Tensor((_rng(seed, "RandomGamma").gamma(a, size=size) / b).astype(_dtypes.as_dtype(dtype).dtype))


def poisson(shape: Any, lam: Any, dtype: DTypeLike = _dtypes.float32, seed: int | None = None,
            name: str | None = None) -> Tensor:
    """Poisson draws: shape ``shape + lam.shape``, in ``dtype`` (float32 by default, as TensorFlow)."""
    lam_arr = np.asarray(lam._value if isinstance(lam, Tensor) else lam, dtype=np.float64)
    size = _shape(shape) + lam_arr.shape
    return Tensor(_rng(seed, "RandomPoissonV2").poisson(lam_arr, size=size).astype(_dtypes.as_dtype(dtype).dtype))


def _stateless_rng(seed: Any) -> Any:
    """A generator fixed by the shape-[2] integer ``seed``: the same seed gives the same draws, always."""
    values = np.asarray(seed._value if isinstance(seed, Tensor) else seed).ravel()
    if values.size != 2:
        raise ValueError(f"stateless random ops need a seed of shape [2] (two integers), got {seed!r}.")
    return np.random.default_rng([int(v) & 0xFFFFFFFFFFFFFFFF for v in values])


def stateless_normal(shape: Any, seed: int | None, mean: TensorLike = 0.0, stddev: float = 1.0,
                     dtype: DTypeLike = _dtypes.float32, name: str | None = None, alg: str = "auto_select") -> Tensor:
    """Normal values that depend only on ``seed`` (two ints): the same call always gives the same tensor."""
    rng = _stateless_rng(seed)
    return Tensor((mean + stddev * rng.standard_normal(_shape(shape))).astype(_dtypes.as_dtype(dtype).dtype))


def stateless_uniform(shape: Any, seed: int | None, minval: int = 0, maxval: Any = None,
                      dtype: DTypeLike = _dtypes.float32, name: str | None = None, alg: str = "auto_select") -> Tensor:
    """Uniform values in ``[minval, maxval)`` that depend only on ``seed``; ints need both bounds (ValueError)."""
    dt = _dtypes.as_dtype(dtype)
    rng = _stateless_rng(seed)
    if dt.is_integer:
        if maxval is None:
            raise ValueError(f"For integer `dtype` argument {dt!r}, argument `minval` and `maxval` must be both "
                             f"None or not None. Got `minval`={minval} and `maxval`={maxval}.")
        return Tensor(rng.integers(minval, maxval, size=_shape(shape)).astype(dt.dtype))
    maxval = 1 if maxval is None else maxval
    return Tensor((minval + (maxval - minval) * rng.random(_shape(shape))).astype(dt.dtype))


def stateless_truncated_normal(shape: Any, seed: int | None, mean: TensorLike = 0.0, stddev: float = 1.0,
                               dtype: DTypeLike = _dtypes.float32, name: str | None = None,
                               alg: str = "auto_select") -> Tensor:
    """Normal values within two standard deviations that depend only on ``seed``."""
    rng = _stateless_rng(seed)
    out = rng.standard_normal(_shape(shape))
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return Tensor((mean + stddev * out).astype(_dtypes.as_dtype(dtype).dtype))


def stateless_categorical(logits: TensorLike, num_samples: Any, seed: int | None, dtype: DTypeLike = _dtypes.int64,
                          name: str | None = None) -> Tensor:
    """``categorical`` draws that depend only on ``seed``."""
    return _categorical(_stateless_rng(seed), logits, num_samples, dtype)


class Generator:
    """A random generator with its own state: ``Generator.from_seed(1).normal([2, 3])``.

    Draws do not touch the global generator, so they repeat for a given seed
    whatever else the program does.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._rng = np.random.default_rng(seed)

    @classmethod
    def from_seed(cls, seed: int, alg: Any = None) -> Generator:
        return cls(int(seed))

    @classmethod
    def from_non_deterministic_state(cls, alg: Any = None) -> Generator:
        return cls(None)

    def normal(self, shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: DTypeLike = _dtypes.float32,
               name: str | None = None) -> Tensor:
        return Tensor(self._rng.normal(mean, stddev, size=_shape(shape)).astype(_dtypes.as_dtype(dtype).dtype))

    def uniform(self, shape: Any, minval: int = 0, maxval: Any = None, dtype: DTypeLike = _dtypes.float32,
                name: str | None = None) -> Tensor:
        dt = _dtypes.as_dtype(dtype)
        if dt.is_integer:
            if maxval is None:
                raise ValueError("Generator.uniform: maxval is required for integer dtypes.")
            return Tensor(self._rng.integers(minval, maxval, size=_shape(shape)).astype(dt.dtype))
        maxval = 1 if maxval is None else maxval
        return Tensor((minval + (maxval - minval) * self._rng.random(_shape(shape))).astype(dt.dtype))

    def make_seeds(self, count: int = 1) -> Tensor:
        """``count`` seeds for the stateless functions, as TensorFlow's: an int64 Tensor of shape ``[2, count]``.

        Args:
            count: how many seeds (columns).

        Returns:
            int64 ``(2, count)``; column ``i`` is one ``seed=(a, b)``.
        """
        return Tensor(self._rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, size=(2, int(count)),
                                         dtype=np.int64))

    def truncated_normal(self, shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: DTypeLike = _dtypes.float32,
                         name: str | None = None) -> Tensor:
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

def stateless_split(seed: Any, num: int = 2) -> Tensor:
    """``num`` new seeds derived from ``seed=(a, b)``: the same seed gives the same ones (not TensorFlow's values).

    Args:
        seed: two ints.
        num: how many seeds.

    Returns:
        int64 ``(num, 2)``; row ``i`` is one new seed.

    Raises:
        ValueError: a seed that is not two ints.
    """
    return Tensor(_stateless_rng(seed).integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max,
                                                size=(int(num), 2), dtype=np.int64))


def stateless_fold_in(seed: Any, data: Any, alg: Any = "auto_select") -> Tensor:
    """A new seed from ``seed=(a, b)`` and an integer ``data`` (deterministic; not TensorFlow's values).

    Args:
        seed: two ints.
        data: an int mixed into the seed.
        alg: ignored.

    Returns:
        int64 ``(2,)``.

    Raises:
        ValueError: a seed that is not two ints.
    """
    values = np.asarray(seed._value if isinstance(seed, Tensor) else seed).ravel()
    if values.size != 2:
        raise ValueError(f"stateless random ops need a seed of shape [2] (two integers), got {seed!r}.")
    mixed = np.random.default_rng([int(v) & 0xFFFFFFFFFFFFFFFF for v in values] + [int(data) & 0xFFFFFFFFFFFFFFFF])
    return Tensor(mixed.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, size=2, dtype=np.int64))


LogUniformCandidateSampler = collections.namedtuple(
    "LogUniformCandidateSampler", ["sampled_candidates", "true_expected_count", "sampled_expected_count"])

def log_uniform_candidate_sampler(true_classes: TensorLike, num_true: int, num_sampled: int, unique: bool,
                                  range_max: int, seed: int | None = None,
                                  name: str | None = None) -> LogUniformCandidateSampler:
    """Sample ``num_sampled`` classes from ``[0, range_max)`` with probability
    ``P(class) = log((class + 2) / (class + 1)) / log(range_max + 1)`` (frequent words first, Zipf-like), as
    TensorFlow's sampler for negative sampling.

    Each draw is ``floor(exp(u * log(range_max + 1))) - 1`` for a uniform ``u``; with ``unique`` a class drawn
    again is rejected until ``num_sampled`` distinct classes are found. ``true_classes`` (int64
    ``[batch, num_true]``) are not excluded; only their expected counts are computed. Returns the namedtuple
    ``(sampled_candidates int64 [num_sampled], true_expected_count float32 [batch, num_true],
    sampled_expected_count float32 [num_sampled])``; an expected count is ``P * num_sampled``, or with
    rejections ``1 - (1 - P) ** tries``. With ``seed``, the draws repeat from run to run, each call continuing
    the last (TensorFlow's kernel streams; not TensorFlow's values).

    Raises:
        InvalidArgumentError: ``true_classes`` not an int64 matrix with ``num_true`` columns, or ``unique`` with
            ``num_sampled > range_max`` (``Sampler's range is too small.``).
    """
    op = "[Op:LogUniformCandidateSampler]"
    if isinstance(true_classes, Tensor):
        if true_classes.dtype != _dtypes.int64:
            raise InvalidArgumentError(f"cannot compute LogUniformCandidateSampler as input #0(zero-based) was "
                                       f"expected to be a int64 tensor but is a {true_classes.dtype.name} tensor {op}")
        true = np.asarray(true_classes._value)
    else:
        true = np.asarray(true_classes, dtype=np.int64)
    if true.ndim != 2:
        raise InvalidArgumentError(f"true_classes must be a matrix {op}")
    if true.shape[1] != int(num_true):
        raise InvalidArgumentError(f"true_classes must have num_true columns, expected: {true.shape[1]} was: "
                                   f"{int(num_true)} {op}")
    num_sampled, range_max = int(num_sampled), int(range_max)
    if unique and num_sampled > range_max:
        raise InvalidArgumentError(f"Sampler's range is too small. {op}")
    rng = _rng(seed, "LogUniformCandidateSampler", (int(num_true), num_sampled, bool(unique), range_max))
    log_range = np.log(range_max + 1.0)
    sampled: list = []
    seen: set = set()
    tries = 0
    while len(sampled) < num_sampled:
        for u in rng.random(num_sampled - len(sampled)):
            value = int(np.exp(u * log_range)) - 1
            value = min(max(value, 0), range_max - 1)  # exp rounding at u near 1
            tries += 1
            if unique:
                if value in seen:
                    continue
                seen.add(value)
            sampled.append(value)
            if len(sampled) == num_sampled:
                break

    def expected_count(classes: Any) -> Any:
        p = (np.log((classes + 2.0) / (classes + 1.0)) / log_range).astype(np.float32)
        if tries == num_sampled:
            return (p * np.float32(num_sampled)).astype(np.float32)
        return (-np.expm1(tries * np.log1p(-p.astype(np.float64)))).astype(np.float32)

    candidates = np.asarray(sampled, dtype=np.int64)
    return LogUniformCandidateSampler(Tensor(candidates), Tensor(expected_count(true.astype(np.float64))),
                                      Tensor(expected_count(candidates.astype(np.float64))))


# tf.random.experimental
experimental = types.SimpleNamespace(Generator=Generator, get_global_generator=get_global_generator,
                                     stateless_split=stateless_split, stateless_fold_in=stateless_fold_in)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
