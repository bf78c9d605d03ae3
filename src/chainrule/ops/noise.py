"""Random noise ops for training-time regularization: AlphaDropout, GaussianNoise, GaussianDropout.

Each draws its noise in ``forward`` (from ``rng``, a new Generator seeded with ``seed``, or the global
seeded backend one, as :class:`~chainrule.ops.Dropout`), so a ``chainrule.function`` replay draws anew,
and keeps it for ``backward``. The noise is float32 for float32 inputs and float64 for float64 ones.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op
from .nn import generator, keep_mask, noise_shape_of

#: SELU's negative saturation value ``-alpha * scale`` (tf.keras 2's ``alpha_p``).
SELU_ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


def _float_dtype(x: np.ndarray) -> np.dtype:
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)


def _draw_dtype(dtype: np.dtype) -> type:
    return np.float64 if dtype == np.float64 else np.float32  # Generator draws float32 or float64 only


class AlphaDropout(Op):
    """Dropout that keeps SELU's self-normalization: dropped values go to ``alpha_p`` (SELU's saturation,
    -1.7580993408473766), then ``a * x + b`` restores zero mean and unit variance.

    ``a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5``, ``b = -a * alpha_p * rate``; a value is kept
    where a uniform draw is ``>= rate`` (tf.keras 2's formula). ``noise_shape`` as :class:`Dropout`.
    Backward: ``dout * a * keep``.

    Raises:
        ValueError: ``rate`` outside [0, 1).
    """

    def __init__(self, rate: float, noise_shape: Any = None, seed: Any = None, rng: Any = None) -> None:
        if not 0 <= rate < 1:
            raise ValueError(f"AlphaDropout: rate must be in [0, 1), got {rate}.")
        self.rate, self.noise_shape, self.seed, self._rng = float(rate), noise_shape, seed, rng

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        dtype = _float_dtype(x)
        rate = self.rate
        shape = noise_shape_of(x.shape, self.noise_shape)
        keep = keep_mask(generator(self._rng, self.seed), shape, rate, _draw_dtype(dtype))
        a = ((1 - rate) * (1 + rate * SELU_ALPHA_P ** 2)) ** -0.5
        b = -a * SELU_ALPHA_P * rate
        self.scale = keep.astype(dtype) * dtype.type(a)
        # a * (x * keep + alpha_p * (1 - keep)) + b, with the constant part worked out once per mask value
        offset = np.where(keep, dtype.type(b), dtype.type(a * SELU_ALPHA_P + b)).astype(dtype, copy=False)
        return (x * self.scale + offset).astype(dtype, copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.scale


class GaussianNoise(Op):
    """Additive zero-centred Gaussian noise: ``x + stddev * N(0, 1)``. Backward: ``dout``."""

    def __init__(self, stddev: float, seed: Any = None, rng: Any = None) -> None:
        self.stddev, self.seed, self._rng = float(stddev), seed, rng

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        dtype = _float_dtype(x)
        noise = generator(self._rng, self.seed).standard_normal(x.shape, dtype=_draw_dtype(dtype))
        return (x + dtype.type(self.stddev) * noise.astype(dtype, copy=False)).astype(dtype, copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout


class GaussianDropout(Op):
    """Multiplicative Gaussian noise of mean 1: ``x * (1 + sqrt(rate / (1 - rate)) * N(0, 1))``.

    Backward: ``dout * noise`` (the same draw).

    Raises:
        ValueError: ``rate`` outside [0, 1).
    """

    def __init__(self, rate: float, seed: Any = None, rng: Any = None) -> None:
        if not 0 <= rate < 1:
            raise ValueError(f"GaussianDropout: rate must be in [0, 1), got {rate}.")
        self.rate, self.seed, self._rng = float(rate), seed, rng

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        dtype = _float_dtype(x)
        stddev = np.sqrt(self.rate / (1.0 - self.rate))
        draw = generator(self._rng, self.seed).standard_normal(x.shape, dtype=_draw_dtype(dtype))
        self.noise = (dtype.type(1) + dtype.type(stddev) * draw).astype(dtype, copy=False)
        return (x * self.noise).astype(dtype, copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.noise
