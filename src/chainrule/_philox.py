"""TensorFlow's Philox4x32-10 counter-based generator, so that seeded stateless draws give TensorFlow's numbers.

TensorFlow's stateless random functions (``tf.random.stateless_uniform(shape, seed=(a, b))``, the
``tf.image.stateless_random_*`` functions, ``tf.random.split``) and ``tf.random.Generator`` with ``alg='philox'``
(its default) are deterministic: the same seed gives the same numbers on every machine. They are Philox4x32-10
(Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", 2011) as ``tensorflow/core/lib/random/philox_random.h``
writes it, and the conversions of ``random_distributions.h``:

* a ``(key, counter)`` pair makes 4 uint32 words per call; element ``i`` of an output takes the next words in
  order (a float32 one word, an int64 or float64 two), each call on the counter after the last;
* ``seed=(a, b)`` becomes a key and counter as ``StatelessRandomGetKeyCounter`` scrambles it: the two 64-bit seeds
  are the counter of one Philox call under the fixed key ``(0x3ec8f720, 0x02461e29)``, whose 4 words are the new
  key (words 0, 1) and the high half of the new counter (words 2, 3);
* a float in [0, 1) is the word's low 23 bits as the mantissa of a float in [1, 2), minus 1 (a double: 52 bits of
  two words); an int in ``[lo, hi)`` is ``lo + word % (hi - lo)`` (64-bit: two words); a normal pair is
  Box-Muller on two uniform floats (``log``/``sin``/``cos`` computed in float64 and rounded, where TensorFlow
  calls the C library's float functions: an occasional last-bit difference).
"""
from __future__ import annotations

import numpy as np

_MUL_A, _MUL_B = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_WEYL_A, _WEYL_B = 0x9E3779B9, 0xBB67AE85
_LOW32 = np.uint64(0xFFFFFFFF)
_U64 = (1 << 64) - 1
_SEED_KEY = (0x3EC8F720, 0x02461E29)


def _rounds(c0, c1, c2, c3, key):
    """Ten Philox rounds on uint64 arrays holding uint32 counter words; the 4 output words."""
    k0, k1 = key[0] & 0xFFFFFFFF, key[1] & 0xFFFFFFFF
    shift = np.uint64(32)
    for _ in range(10):
        p0, p1 = _MUL_A * c0, _MUL_B * c2
        c0, c1, c2, c3 = ((p1 >> shift) ^ c1 ^ np.uint64(k0), p1 & _LOW32,
                          (p0 >> shift) ^ c3 ^ np.uint64(k1), p0 & _LOW32)
        k0, k1 = (k0 + _WEYL_A) & 0xFFFFFFFF, (k1 + _WEYL_B) & 0xFFFFFFFF
    return c0, c1, c2, c3


def words(key: tuple, counter: tuple, count: int) -> np.ndarray:
    """The first ``count`` uint32 words of Philox under ``key`` (two 32-bit ints) from the 128-bit ``counter``
    (``(low 64 bits, high 64 bits)``), 4 words per counter value."""
    calls = -(-int(count) // 4)
    low, high = counter[0] & _U64, counter[1] & _U64
    steps = np.arange(calls, dtype=np.uint64)
    lows = np.uint64(low) + steps  # wraps modulo 2**64, as the counter's low half
    highs = np.full(calls, high, dtype=np.uint64)
    wrapped = lows < np.uint64(low)
    highs[wrapped] += np.uint64(1)
    out = _rounds(lows & _LOW32, lows >> np.uint64(32), highs & _LOW32, highs >> np.uint64(32), key)
    return np.stack(out, axis=1).astype(np.uint32).reshape(-1)[:count]


def key_counter(seed) -> tuple:
    """``(key, counter)`` for a stateless ``seed=(a, b)``, as TensorFlow scrambles it (see the module doc)."""
    a, b = (int(v) & _U64 for v in seed)
    mixed = words(_SEED_KEY, (a, b), 4)
    return (int(mixed[0]), int(mixed[1])), (0, int(mixed[2]) | int(mixed[3]) << 32)


def per_element(dtype: np.dtype) -> int:
    """How many words one element of ``dtype`` takes: 2 for 64-bit types, else 1."""
    return 2 if np.dtype(dtype).itemsize == 8 else 1


def _pairs(w: np.ndarray) -> np.ndarray:
    return w[0::2].astype(np.uint64) | (w[1::2].astype(np.uint64) << np.uint64(32))


def unit_floats(w: np.ndarray, dtype) -> np.ndarray:
    """Uniform floats in [0, 1) from words: float64 from pairs of words, float32 (and narrower, rounded from
    float32) from one word each."""
    if np.dtype(dtype) == np.float64:  # the first word of a pair holds the mantissa's upper 20 bits
        high = (w[0::2].astype(np.uint64) & np.uint64(0xFFFFF)) << np.uint64(32)
        return (high | w[1::2].astype(np.uint64) | np.uint64(1023 << 52)).view(np.float64) - 1.0
    floats = ((w & np.uint32(0x7FFFFF)) | np.uint32(127 << 23)).view(np.float32) - np.float32(1.0)
    return floats.astype(dtype)


def full_ints(w: np.ndarray, dtype) -> np.ndarray:
    """Integers over ``dtype``'s whole range from words (``tf.random.stateless_uniform(..., minval=None)``)."""
    dt = np.dtype(dtype)
    bits = _pairs(w) if dt.itemsize == 8 else w.astype(np.uint32)
    return bits.view(np.int64 if dt.itemsize == 8 else np.int32).astype(dt)


def bounded_ints(w: np.ndarray, low: int, high: int, dtype) -> np.ndarray:
    """Integers in ``[low, high)``: ``low + word % (high - low)`` (64-bit types from pairs of words)."""
    dt = np.dtype(dtype)
    if dt.itemsize == 8:
        span = np.uint64((int(high) - int(low)) & _U64)
        return (np.int64(low) + (_pairs(w) % span).astype(np.int64)).astype(dt)
    span32 = np.uint32((int(high) - int(low)) & 0xFFFFFFFF)
    return (np.int64(low) + (w.astype(np.uint32) % span32).astype(np.int64)).astype(dt)


def normals(w: np.ndarray, count: int, dtype) -> np.ndarray:
    """``count`` standard normal values by Box-Muller: float32 pairs from two words, float64 pairs from four."""
    wide = np.dtype(dtype) == np.float64
    u = unit_floats(w, np.float64 if wide else np.float32)
    u1, u2 = u[0::2], u[1::2]
    eps = 1e-7
    u1 = np.maximum(u1, u1.dtype.type(eps))
    angle = (2.0 * np.pi * u2.astype(np.float64)).astype(u2.dtype)
    radius = np.sqrt(u1.dtype.type(-2.0) * np.log(u1.astype(np.float64)).astype(u1.dtype))
    out = np.empty(2 * len(u1), dtype=u1.dtype)
    out[0::2] = np.sin(angle.astype(np.float64)).astype(u1.dtype) * radius
    out[1::2] = np.cos(angle.astype(np.float64)).astype(u1.dtype) * radius
    return out[:count].astype(dtype)
