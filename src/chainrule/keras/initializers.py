"""``chainrule.keras.initializers``: weight initializers with tf.keras 2 names, defaults and formulas.

An initializer is called as ``init(shape, dtype=None)`` and returns a Tensor of
that shape and dtype (default ``chainrule.backend.floatx()``, float32).

Randomness: an initializer built with ``seed=None`` draws from the global
Generator ``chainrule.backend.rng()``, so ``chainrule.random.set_seed(s)``
makes a run repeat and two calls give different values; with an integer
``seed`` every call draws from a fresh ``numpy.random.default_rng(seed)`` and
returns the same values (as a seeded tf.keras 2 initializer does). Values are
drawn in float64 and then cast to ``dtype``.

An unseeded initializer also takes, on its first call, one number from Python's
``random`` module (``random.randint(1, 10**9)``), as tf.keras 2 does to seed its
draws, or from the ``random.Random`` that ``keras.utils.set_random_seed`` makes: a
program that seeds ``random`` and uses it after building a model gets the numbers
it gets under tf.keras 2. chainrule's values still come from its Generator.

Fans (tf.keras's rule): for a 2-D shape ``(fan_in, fan_out)``; for an N-D
kernel ``(..., in, out)`` both are multiplied by the receptive field
``prod(shape[:-2])``; a 1-D shape has ``fan_in = fan_out = shape[0]``, a scalar 1.
"""
from __future__ import annotations

from .._missing import missing_attribute as _missing_attribute
import math
import random as _random

import numpy as np

from chainrule import backend as _backend
from chainrule import dtypes as _dtypes
from chainrule.tensor import Tensor, constant as _constant
from . import registry

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal",
           "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal",
           "LecunUniform", "Orthogonal", "Identity", "get", "serialize", "deserialize"]

# The stddev of a standard normal truncated to [-2, 2]; VarianceScaling divides by it
# so that the truncated draws have the intended variance.
_TRUNCATED_STDDEV = .87962566103423978

_ALLOWED_KWARGS = ("partition_shape", "partition_offset", "layout")


def _get_dtype(dtype) -> _dtypes.DType:
    return _dtypes.as_dtype(_backend.floatx() if dtype is None else dtype)


def _as_shape(shape) -> tuple:
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _assert_float_dtype(dtype: _dtypes.DType) -> _dtypes.DType:
    if not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype.name}.")
    return dtype


def _validate_kwargs(cls_name, kwargs):
    for key in kwargs:
        if key not in _ALLOWED_KWARGS:
            raise TypeError(f"Unknown keyword arguments: {key}. Allowed keyword arguments: "
                            f"{list(_ALLOWED_KWARGS)} ({cls_name}).")


def _compute_fans(shape) -> tuple:
    """``(fan_in, fan_out)`` of a weight shape, by tf.keras's rule (see the module docstring)."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive_field = 1
    for dim in shape[:-2]:
        receptive_field *= dim
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


def _truncated_standard_normal(rng: np.random.Generator, shape) -> np.ndarray:
    """Standard normal float64 draws, each redrawn until it lies within two standard deviations."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return out


class Initializer(registry.ConfigObject):
    """Base class: ``__call__(shape, dtype=None)`` returns a Tensor; ``get_config``/``from_config`` round-trip."""

    def __call__(self, shape, dtype=None, **kwargs):
        raise NotImplementedError(f"Initializer subclasses must implement __call__() ({type(self).__name__}).")

    def get_config(self) -> dict:
        """The constructor arguments as a JSON-able dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Build an initializer from :meth:`get_config`'s output."""
        config = dict(config)
        config.pop("dtype", None)  # tf.keras drops it for backward compatibility
        return cls(**config)


# Where an unseeded initializer takes the seed tf.keras 2 would give its draws: Python's ``random`` module, or
# the ``random.Random(seed)`` that ``keras.utils.set_random_seed(seed)`` puts here (tf.keras 2's
# ``backend._SEED_GENERATOR``).
_seed_source = None


def set_seed_source(source: _random.Random | None) -> None:
    """Make unseeded initializers take their first-call number from ``source`` (None: Python's ``random``)."""
    global _seed_source
    _seed_source = source


class _Seeded(Initializer):
    """An initializer that draws random numbers (``seed``: None -> global Generator, int -> repeatable)."""

    seed = None
    _took_keras_seed = False

    def _rng(self) -> np.random.Generator:
        if self.seed is not None:
            return np.random.default_rng(self.seed)
        if not self._took_keras_seed:
            # tf.keras 2's RandomGenerator._create_seed, once per initializer: the number is not used, but the
            # program's own draws from ``random`` then continue where they do under tf.keras 2.
            self._took_keras_seed = True
            (_seed_source or _random).randint(1, int(1e9))
        return _backend.rng()


class _Fill(Initializer):
    _value = 0

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(type(self).__name__, kwargs)
        dt = _get_dtype(dtype)
        if dt is _dtypes.string:
            raise ValueError(f"Expected numeric or boolean dtype, got {dt.name}.")
        return Tensor(np.full(_as_shape(shape), self._value, dtype=dt.dtype))


class Zeros(_Fill):
    """All zeros. Accepts any numeric or bool dtype."""


class Ones(_Fill):
    """All ones. Accepts any numeric or bool dtype."""

    _value = 1


class Constant(Initializer):
    """Every value ``value`` (a scalar), or ``value`` reshaped to ``shape`` (a list or array of that size)."""

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(type(self).__name__, kwargs)
        return _constant(self.value, dtype=_get_dtype(dtype), shape=_as_shape(shape))

    def get_config(self) -> dict:
        value = self.value
        if isinstance(value, Tensor):
            value = value._value
        if isinstance(value, (np.ndarray, np.generic)):
            value = value.tolist()
        return {"value": value}


class _Normal(_Seeded):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomNormal(_Normal):
    """Normal draws with ``mean`` (0.0) and ``stddev`` (0.05)."""

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(type(self).__name__, kwargs)
        dt = _assert_float_dtype(_get_dtype(dtype))
        values = self._rng().normal(self.mean, self.stddev, size=_as_shape(shape))
        return Tensor(values.astype(dt.dtype))


class RandomUniform(_Seeded):
    """Uniform draws in ``[minval, maxval)`` (default ``[-0.05, 0.05)``); integer dtypes draw integers."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(type(self).__name__, kwargs)
        dt = _get_dtype(dtype)
        if dt.is_integer:
            values = self._rng().integers(self.minval, self.maxval, size=_as_shape(shape))
            return Tensor(values.astype(dt.dtype))
        if not dt.is_floating:
            raise ValueError(f"Expected float or integer dtype, got {dt.name}.")
        values = self._rng().uniform(self.minval, self.maxval, size=_as_shape(shape))
        return Tensor(values.astype(dt.dtype))

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_Normal):
    """Normal draws with ``mean`` (0.0) and ``stddev`` (0.05), redrawn beyond two stddevs from the mean.

    (The result's own standard deviation is about ``0.88 * stddev``.)
    """

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(type(self).__name__, kwargs)
        dt = _assert_float_dtype(_get_dtype(dtype))
        values = self.mean + self.stddev * _truncated_standard_normal(self._rng(), _as_shape(shape))
        return Tensor(values.astype(dt.dtype))


class VarianceScaling(_Seeded):
    """Draws scaled to the weight's fans: ``n`` = fan_in, fan_out or their mean (``mode``).

    * ``distribution='truncated_normal'`` (default; ``'normal'`` means the same):
      truncated at 2 stddevs, ``stddev = sqrt(scale / n) / .87962566103423978`` so the
      values' standard deviation is ``sqrt(scale / n)``.
    * ``'untruncated_normal'``: normal with ``stddev = sqrt(scale / n)``.
    * ``'uniform'``: uniform in ``[-limit, limit]``, ``limit = sqrt(3 * scale / n)``.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive float. Received: scale={scale}.")
        allowed_modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in allowed_modes:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of the {sorted(allowed_modes)}.")
        distribution = distribution.lower()
        if distribution == "normal":  # Compatibility with the keras 1 name
            distribution = "truncated_normal"
        allowed_distributions = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in allowed_distributions:
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. Allowed distributions: "
                             f"{sorted(allowed_distributions)}.")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def _n(self, shape) -> float:
        fan_in, fan_out = _compute_fans(shape)
        if self.mode == "fan_in":
            n = fan_in
        elif self.mode == "fan_out":
            n = fan_out
        else:
            n = (fan_in + fan_out) / 2.0
        return max(1.0, n)

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(type(self).__name__, kwargs)
        dt = _assert_float_dtype(_get_dtype(dtype))
        shape = _as_shape(shape)
        scale = self.scale / self._n(shape)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV
            values = stddev * _truncated_standard_normal(rng, shape)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(scale), size=shape)
        else:
            limit = math.sqrt(3.0 * scale)
            values = rng.uniform(-limit, limit, size=shape)
        return Tensor(values.astype(dt.dtype))

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class _Preset(VarianceScaling):
    """A VarianceScaling with fixed ``scale``/``mode``/``distribution``; only ``seed`` is configurable."""

    _scale, _mode, _distribution = 1.0, "fan_in", "truncated_normal"

    def __init__(self, seed=None):
        super().__init__(scale=self._scale, mode=self._mode, distribution=self._distribution, seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform: uniform in ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))``."""

    _scale, _mode, _distribution = 1.0, "fan_avg", "uniform"


class GlorotNormal(_Preset):
    """Glorot (Xavier) normal: truncated normal with standard deviation ``sqrt(2 / (fan_in + fan_out))``."""

    _scale, _mode, _distribution = 1.0, "fan_avg", "truncated_normal"


class HeNormal(_Preset):
    """He normal: truncated normal with standard deviation ``sqrt(2 / fan_in)``."""

    _scale, _mode, _distribution = 2.0, "fan_in", "truncated_normal"


class HeUniform(_Preset):
    """He uniform: uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``."""

    _scale, _mode, _distribution = 2.0, "fan_in", "uniform"


class LecunNormal(_Preset):
    """LeCun normal: truncated normal with standard deviation ``sqrt(1 / fan_in)`` (use with selu)."""

    _scale, _mode, _distribution = 1.0, "fan_in", "truncated_normal"


class LecunUniform(_Preset):
    """LeCun uniform: uniform in ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``."""

    _scale, _mode, _distribution = 1.0, "fan_in", "uniform"


class Orthogonal(_Seeded):
    """A (semi-)orthogonal matrix times ``gain``, from the QR decomposition of a normal matrix.

    The shape is viewed as ``(prod(shape[:-1]), shape[-1])``: the columns are
    orthonormal when there are at least as many rows, the rows otherwise.
    Signs follow ``diag(R)`` so the result is uniformly distributed. Needs rank >= 2.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(type(self).__name__, kwargs)
        dt = _assert_float_dtype(_get_dtype(dtype))
        shape = _as_shape(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: "
                             f"shape={shape} of rank {len(shape)}.")
        num_rows = 1
        for dim in shape[:-1]:
            num_rows *= dim
        num_cols = shape[-1]
        flat_shape = (max(num_cols, num_rows), min(num_cols, num_rows))
        a = self._rng().standard_normal(flat_shape)
        q, r = np.linalg.qr(a)  # reduced: q is flat_shape, orthonormal columns
        d = np.sign(np.diag(r))
        d[d == 0] = 1
        q = q * d
        if num_rows < num_cols:
            q = q.T
        return Tensor((self.gain * q.reshape(shape)).astype(dt.dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; a non-square shape gets ones on the main diagonal)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(type(self).__name__, kwargs)
        dt = _assert_float_dtype(_get_dtype(dtype))
        shape = _as_shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. Received: "
                             f"shape={shape} of rank {len(shape)}.")
        return Tensor((self.gain * np.eye(*shape)).astype(dt.dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}


# tf.keras's lowercase aliases (the names used as strings: 'glorot_uniform', 'zeros' ...).
zeros = Zeros
ones = Ones
constant = Constant
random_normal = normal = RandomNormal
random_uniform = uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
identity = Identity

registry.register("initializers", Initializer, listed=False)
registry.register("initializers", Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
                  GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal, Identity,
                  aliases={"zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
                           "normal": RandomNormal, "random_uniform": RandomUniform, "uniform": RandomUniform,
                           "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
                           "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_normal": HeNormal,
                           "he_uniform": HeUniform, "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
                           "orthogonal": Orthogonal, "identity": Identity})


def serialize(initializer):
    """``{'class_name': 'GlorotUniform', 'config': {'seed': None}}`` for an initializer (tf.keras 2's form).

    A plain function serializes to its name; ``None`` to ``None``.
    """
    return registry.serialize(initializer, "initializer")


def deserialize(config, custom_objects=None):
    """An initializer from its serialized form: a name (``'he_normal'``) or ``{'class_name', 'config'}``.

    Keras 3's extra keys (``module``, ``registered_name``) are checked, never imported. An
    unknown name raises ``ValueError`` suggesting the closest valid one.
    """
    return registry.deserialize("initializers", config, custom_objects)


def get(identifier):
    """Resolve an initializer: ``None`` -> None, a name or dict -> :func:`deserialize`,
    a class -> a new instance, an instance or any callable ``(shape, dtype)`` -> itself."""
    return registry.get("initializers", identifier)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
