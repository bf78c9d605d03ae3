"""``chainrule.random``: random tensors from the one seeded backend Generator."""
from __future__ import annotations

import collections
import types
from typing import Any

from ._missing import missing_attribute as _missing_attribute
import numpy as np

from . import _integers, _philox, backend
from .errors import InvalidArgumentError
from ._tape_stack import note_side_effect
from . import dtypes as _dtypes
from .dtypes import DTypeLike
from .tensor import Tensor, TensorLike, as_tensor


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


def _seed_pair(seed: Any) -> tuple:
    """The two ints of a stateless ``seed`` (a shape-[2] int list, tuple, array or Tensor)."""
    values = np.asarray(seed._value if isinstance(seed, Tensor) else seed).ravel()
    if values.size != 2 or values.dtype.kind not in "iu":
        raise ValueError(f"stateless random ops need a seed of shape [2] (two integers), got {seed!r}.")
    return int(values[0]), int(values[1])


def _stateless_rng(seed: Any) -> Any:
    """A numpy generator fixed by ``seed=(a, b)``, for the draws chainrule does not make as TensorFlow does
    (truncated normals, categorical draws, the Keras layers' seeds): the same seed gives the same draws."""
    return np.random.default_rng([v & 0xFFFFFFFFFFFFFFFF for v in _seed_pair(seed)])


def _philox_words(seed: Any, size: int, per_element: int, key_counter: Any = None) -> np.ndarray:
    """The Philox words ``size`` elements of ``per_element`` words take, for ``seed=(a, b)`` (or an explicit
    ``(key, counter)``), whole calls of 4 words as TensorFlow makes them."""
    key, counter = key_counter or _philox.key_counter(_seed_pair(seed))
    return _philox.words(key, counter, -(-size * per_element // 4) * 4)


def _philox_uniform(shape: tuple, dt: Any, minval: Any, maxval: Any, key_counter: Any) -> np.ndarray:
    """TensorFlow's uniform draws under ``key_counter``: floats ``minval + u * (maxval - minval)`` in ``dt``,
    ints ``minval + word % (maxval - minval)``, or all of ``dt``'s ints when both bounds are None."""
    size = int(np.prod(shape, dtype=np.int64))
    w = _philox_words(None, size, _philox.per_element(dt.dtype), key_counter)
    if dt.is_integer:
        if minval is None:
            return _philox.full_ints(w, dt.dtype)[:size].reshape(shape)
        low = _integers.integer(minval, "minval", "StatelessRandomUniformIntV2", dt.name)
        high = _integers.integer(maxval, "maxval", "StatelessRandomUniformIntV2", dt.name)
        if high <= low:
            raise InvalidArgumentError(f"Need minval < maxval: {low} >= {high} [Op:StatelessRandomUniformIntV2]")
        return _philox.bounded_ints(w, low, high, dt.dtype)[:size].reshape(shape)
    u = _philox.unit_floats(w, dt.dtype)[:size].reshape(shape)
    bottom, top = np.asarray(minval, dt.dtype), np.asarray(maxval, dt.dtype)
    return (u * (top - bottom) + bottom).astype(dt.dtype)


def stateless_normal(shape: Any, seed: Any, mean: TensorLike = 0.0, stddev: float = 1.0,
                     dtype: DTypeLike = _dtypes.float32, name: str | None = None, alg: str = "auto_select") -> Tensor:
    """Normal values that depend only on ``seed`` (two ints): TensorFlow's numbers (Philox and Box-Muller, see
    ``chainrule._philox``; float32 ``log``/``sin``/``cos`` may differ in the last bit).

    Args:
        shape: the output shape.
        seed: two ints (a list, tuple or Tensor of shape [2]).
        mean: added to the draws (the output is ``draws * stddev + mean``).
        stddev: the draws' scale.
        dtype: a floating dtype.
        name: ignored.
        alg: ignored (TensorFlow's CPU algorithm, Philox, is the one used).

    Returns:
        A Tensor of ``shape`` and ``dtype``.

    Raises:
        ValueError: a seed that is not two ints.
    """
    dt = _dtypes.as_dtype(dtype)
    size = _shape(shape)
    count = int(np.prod(size, dtype=np.int64))
    w = _philox_words(seed, count + count % 2, _philox.per_element(dt.dtype))
    draws = _philox.normals(w, count, dt.dtype).reshape(size)
    return Tensor((draws * np.asarray(stddev, dt.dtype) + np.asarray(mean, dt.dtype)).astype(dt.dtype))


def stateless_uniform(shape: Any, seed: Any, minval: Any = 0, maxval: Any = None,
                      dtype: DTypeLike = _dtypes.float32, name: str | None = None, alg: str = "auto_select") -> Tensor:
    """Uniform values in ``[minval, maxval)`` that depend only on ``seed``: TensorFlow's numbers (Philox, see
    ``chainrule._philox``).

    Args:
        shape: the output shape.
        seed: two ints (a list, tuple or Tensor of shape [2]).
        minval: the lower bound; for ints both bounds are needed, or both None for integers over the dtype's
            whole range.
        maxval: the upper bound (1 by default for floats).
        dtype: float16/32/64, int32 or int64 (and the other int types, drawn as int32 and cast).
        name: ignored.
        alg: ignored.

    Returns:
        A Tensor of ``shape`` and ``dtype``.

    Raises:
        ValueError: an int dtype with only one bound, a seed that is not two ints.
        InvalidArgumentError: int bounds with ``maxval <= minval``.
    """
    dt = _dtypes.as_dtype(dtype)
    if dt.is_integer and (minval is None) != (maxval is None):
        raise ValueError(f"For integer `dtype` argument {dt!r}, argument `minval` and `maxval` must be both "
                         f"None or not None. Got `minval`={minval} and `maxval`={maxval}.")
    if not dt.is_integer and maxval is None:
        maxval = 1
    return Tensor(_philox_uniform(_shape(shape), dt, minval, maxval, _philox.key_counter(_seed_pair(seed))))


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

    Draws do not touch the global generator, so they repeat for a given seed whatever else the program does.
    ``from_seed(seed)`` with TensorFlow's default algorithm (``alg=None`` or ``'philox'``) gives TensorFlow's
    numbers in ``uniform``, ``normal``, ``uniform_full_int`` and ``make_seeds``: its state is TensorFlow's
    ``[counter low, counter high, key]`` (the seed cut into 64-bit parts), each draw of ``n`` values is Philox
    (``chainrule._philox``) from that counter and moves it on by ``256 * n`` as TensorFlow's stateful kernels do.
    Other generators (``alg='threefry'``, ``from_non_deterministic_state``) and ``truncated_normal`` draw from
    numpy.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._rng = np.random.default_rng(seed)
        self._philox: list | None = None

    @classmethod
    def from_seed(cls, seed: int, alg: Any = None) -> Generator:
        generator = cls(int(seed) % (1 << 192))  # numpy needs a non-negative seed (TensorFlow cuts it mod 2**192)
        if alg is None or str(getattr(alg, "name", alg)).lower() in ("philox", "1", "auto_select", "3"):
            mask = (1 << 64) - 1
            generator._philox = [int(seed) & mask, (int(seed) >> 64) & mask, (int(seed) >> 128) & mask]
        return generator

    @classmethod
    def from_non_deterministic_state(cls, alg: Any = None) -> Generator:
        return cls(None)

    def _philox_key_counter(self, shape: tuple) -> tuple:
        """The Philox key and counter of the next draw of ``shape``, the state moved on past it."""
        note_side_effect("a random draw")
        state = self._philox
        assert state is not None, "a Philox draw from a generator without Philox state"
        low, high, key = state
        step = (low | high << 64) + 256 * int(np.prod(shape, dtype=np.int64))
        state[0], state[1] = step & ((1 << 64) - 1), (step >> 64) & ((1 << 64) - 1)
        return (key & 0xFFFFFFFF, key >> 32), (low, high)

    def normal(self, shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: DTypeLike = _dtypes.float32,
               name: str | None = None) -> Tensor:
        dt = _dtypes.as_dtype(dtype)
        if self._philox is None:
            return Tensor(self._rng.normal(mean, stddev, size=_shape(shape)).astype(dt.dtype))
        size = _shape(shape)
        count = int(np.prod(size, dtype=np.int64))
        w = _philox_words(None, count + count % 2, _philox.per_element(dt.dtype), self._philox_key_counter(size))
        draws = _philox.normals(w, count, dt.dtype).reshape(size)
        return Tensor((draws * np.asarray(stddev, dt.dtype) + np.asarray(mean, dt.dtype)).astype(dt.dtype))

    def uniform(self, shape: Any, minval: int = 0, maxval: Any = None, dtype: DTypeLike = _dtypes.float32,
                name: str | None = None) -> Tensor:
        dt = _dtypes.as_dtype(dtype)
        if dt.is_integer and maxval is None:
            raise ValueError("Generator.uniform: maxval is required for integer dtypes.")
        maxval = 1 if maxval is None else maxval
        if self._philox is not None:
            size = _shape(shape)
            return Tensor(_philox_uniform(size, dt, minval, maxval, self._philox_key_counter(size)))
        if dt.is_integer:
            return Tensor(self._rng.integers(minval, maxval, size=_shape(shape)).astype(dt.dtype))
        return Tensor((minval + (maxval - minval) * self._rng.random(_shape(shape))).astype(dt.dtype))

    def uniform_full_int(self, shape: Any, dtype: DTypeLike = _dtypes.uint64, name: str | None = None) -> Tensor:
        """Integers over the whole range of ``dtype`` (int32, int64, uint32, uint64)."""
        dt = _dtypes.as_dtype(dtype)
        size = _shape(shape)
        if self._philox is not None:
            return Tensor(_philox_uniform(size, dt, None, None, self._philox_key_counter(size)))
        info = np.iinfo(dt.dtype)
        return Tensor(self._rng.integers(info.min, info.max, size=size, dtype=dt.dtype, endpoint=True))

    def make_seeds(self, count: int = 1) -> Tensor:
        """``count`` seeds for the stateless functions, as TensorFlow's: an int64 Tensor of shape ``[2, count]``,
        row 0 ``uniform_full_int([count], int64)`` and row 1 zeros (TensorFlow scrambles the two halves together,
        so one is enough).

        Args:
            count: how many seeds (columns).

        Returns:
            int64 ``(2, count)``; column ``i`` is one ``seed=(a, b)``.
        """
        keys = self.uniform_full_int([int(count)], _dtypes.int64)._value
        return Tensor(np.stack([keys, np.zeros_like(keys)]))

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
    g._philox = None
    return g

def stateless_split(seed: Any, num: int = 2, alg: Any = "auto_select") -> Tensor:
    """``num`` new seeds derived from ``seed=(a, b)``, TensorFlow's: ``stateless_uniform([num, 2], seed,
    minval=None, maxval=None)`` in the seed's dtype (int32 for a list of Python ints).

    Args:
        seed: two ints.
        num: how many seeds.
        alg: ignored.

    Returns:
        ``(num, 2)`` in the seed's integer dtype; row ``i`` is one new seed.

    Raises:
        ValueError: a seed that is not two ints.
    """
    seed_t = as_tensor(seed)
    return stateless_uniform([int(num), 2], seed_t, minval=None, maxval=None, dtype=seed_t.dtype)


def stateless_fold_in(seed: Any, data: Any, alg: Any = "auto_select") -> Tensor:
    """A new seed from ``seed=(a, b)`` and an integer ``data``, TensorFlow's: ``[stateless_uniform([], seed,
    minval=None, maxval=None) in data's dtype, data]``.

    Args:
        seed: two ints.
        data: an int (int32 unless a Tensor says otherwise).
        alg: ignored.

    Returns:
        ``(2,)`` in ``data``'s dtype.

    Raises:
        ValueError: a seed that is not two ints.
    """
    data_t = as_tensor(data)
    first = stateless_uniform([], seed, minval=None, maxval=None, dtype=data_t.dtype)
    return Tensor(np.stack([first._value, data_t._value]))


split = stateless_split  # tf.random.split
fold_in = stateless_fold_in  # tf.random.fold_in


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
