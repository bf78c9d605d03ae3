"""The one place that decides the default float type and holds the global seeded RNG.

The array module is numpy, everywhere: ops compute on numpy arrays directly.
(There is no GPU backend; adding one would mean changing the ops themselves.)
"""
from __future__ import annotations

import os
from typing import Any

import numpy

_FLOATX = "float32"
_VALID_FLOATX = ("float16", "float32", "float64")
_rng = numpy.random.default_rng()
_seed: int | None = None


def floatx() -> str:
    """The default float type name used for weights and converted data ('float32')."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float type: one of 'float16', 'float32', 'float64'."""
    global _FLOATX
    value = str(getattr(value, "name", value))
    if value not in _VALID_FLOATX:
        raise ValueError(f"set_floatx: unknown float type {value!r}; expected one of {_VALID_FLOATX}.")
    _FLOATX = value


_IMAGE_DATA_FORMAT = "channels_last"


def image_data_format() -> str:
    """The default ``data_format`` of image layers: ``'channels_last'`` (N, H, W, C) unless set otherwise."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Set the default ``data_format``: ``'channels_last'`` or ``'channels_first'``."""
    global _IMAGE_DATA_FORMAT
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"set_image_data_format: data_format must be 'channels_last' or 'channels_first', "
                         f"got {data_format!r}.")
    _IMAGE_DATA_FORMAT = value


_EPSILON = 1e-7


def epsilon() -> float:
    """The fuzz factor Keras uses to clip probabilities (default 1e-7; see :func:`set_epsilon`)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by :func:`epsilon` (``keras.backend.set_epsilon``)."""
    global _EPSILON
    _EPSILON = float(value)


def rng() -> numpy.random.Generator:
    """The global seeded ``numpy.random.Generator`` used by every random op."""
    return _rng


def set_seed(seed: int | None) -> None:
    """Reseed the global Generator so that a run repeats bit for bit."""
    global _rng, _seed
    _seed = None if seed is None else int(seed)
    _rng = numpy.random.default_rng(_seed)


def get_seed() -> int | None:
    """The last seed given to :func:`set_seed` (None if never seeded)."""
    return _seed


_kernel_streams: dict = {}


def kernel_rng(op_name: str, seed: int | None, attrs: tuple = ()) -> numpy.random.Generator:
    """The Generator a random op draws from: the global one (:func:`rng`) without an op ``seed``; with one, the
    stream of the op's kernel.

    TensorFlow keeps one kernel per op name and attributes (``RandomUniform`` of float32 with ``seed=1``), each
    with its own random state: a seeded op draws the same values from run to run, but each call continues where
    the last one stopped (two calls of ``tf.random.uniform([2], seed=1)`` differ), and ``set_seed`` starts every
    stream over. The stream here is ``default_rng(seed)`` (``default_rng([global seed, seed])`` after
    ``set_seed``), so the values are chainrule's, not TensorFlow's.
    """
    if seed is None:
        return _rng
    key = (op_name, int(seed), attrs)
    owner, stream = _kernel_streams.get(key, (None, None))
    if owner is not _rng:  # first use, or set_seed since then: a new stream
        stream = numpy.random.default_rng(int(seed) if _seed is None else [_seed & 0xFFFFFFFF, int(seed) & 0xFFFFFFFF])
        _kernel_streams[key] = (_rng, stream)
    return stream


def get_rng_state() -> dict[str, Any]:
    """A JSON-able snapshot of the global Generator, for BackupAndRestore."""
    return dict(_rng.bit_generator.state)


def set_rng_state(state: dict) -> None:
    """Restore a snapshot taken by :func:`get_rng_state`."""
    _rng.bit_generator.state = state


# ----------------------------------------------------------------------------- switches for the fast paths
# Every speed-only path checks one of these, so a user who suspects one can turn it off and get the plain,
# readable computation (``chainrule.config`` exposes them with TensorFlow's names where TF has one).

_run_functions_eagerly = False
_fast_paths = True


def run_functions_eagerly(run_eagerly: bool) -> None:
    """Make ``chainrule.function`` (and the compiled steps of ``fit``/``evaluate``/``predict``) run Python."""
    global _run_functions_eagerly
    _run_functions_eagerly = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    """True after ``run_functions_eagerly(True)`` or when fast paths are off."""
    return _run_functions_eagerly or not _fast_paths


def set_fast_paths(enabled: bool) -> None:
    """Turn every speed-only path on or off (default on).

    Off, chainrule runs its reference computations only: functions and training
    steps run eagerly (no replay), no sparse conversion of inputs, no fused loss,
    no denormal flushing. Results agree within float32 rounding; only speed changes.
    """
    global _fast_paths
    _fast_paths = bool(enabled)


def fast_paths_enabled() -> bool:
    """Whether speed-only paths are on (see :func:`set_fast_paths`)."""
    return _fast_paths


_flush_denormals = True


def set_flush_denormals(enabled: bool) -> None:
    """Whether training calls and compiled replays run with flush-to-zero (default True, as TensorFlow)."""
    global _flush_denormals
    _flush_denormals = bool(enabled)


def flush_denormals_enabled() -> bool:
    """True when flush-to-zero is on and fast paths are enabled."""
    return _flush_denormals and _fast_paths


# Element-updates (one element of one variable updated once) the numpy formulas of the optimizer updates do in a
# process before those updates switch to their compiled kernels (``ops/kernels.py``). The switch costs, once per
# process, ~0.2 s to import numba plus ~0.2 s to load a cached kernel; a fused kernel then saves ~1.1 ns per
# element-update (Adam over 101,770 float32 weights: ~150 us for numpy's 12 passes, ~41 us for one loop). It
# repays itself after 0.42 s / 1.1 ns ~ 4e8 element-updates, so the numpy path does that much work first (as a
# JIT tiers up a hot loop; rent or buy, at most twice the best choice made in hindsight). A ``fit`` knows its
# length, so it decides after its first step (``ops.tier_up.planned_work``): a 1-epoch MNIST MLP (1,875 steps x
# 101,770 weights = 1.9e8) never pays for numba, a 5-epoch run (9.5e8) runs every step but the first on the kernel.
# The LSTM and GRU steps' and max pooling's kernels count their work in the same unit (``ops.tier_up``).
COMPILED_KERNELS_AFTER = 400_000_000


def _after_from_environment() -> int:
    text = os.environ.get("CHAINRULE_COMPILED_KERNELS_AFTER", "").strip()
    try:
        return max(0, int(float(text))) if text else COMPILED_KERNELS_AFTER
    except ValueError:
        return COMPILED_KERNELS_AFTER


_compiled_kernels = True
_compiled_kernels_after = _after_from_environment()


def set_compiled_kernels(enabled: bool, after: int | None = None) -> None:
    """Whether optimizer updates, recurrent steps and max pooling may switch to compiled kernels (numba).

    Default on. When numba is installed (``pip install 'chainrule[fast]'``), the update kernels of
    ``chainrule.ops.updates`` (``AdamStep``, ``RMSpropStep``, ``SGDStep``, ``AdagradStep``,
    ``AdamaxStep``, ``NadamStep``, ``WeightDecay``), the LSTM and GRU steps with their default
    activations and 2-D max pooling run their numpy formulas until the process has done ``after``
    units of work (element-updates: elements of variables, summed over steps; the other ops count
    what they save in that unit), or, in a ``fit``, from its second step when its first step's work
    times its steps is that many (a fit never switches in its middle), then run compiled loops
    instead (and, once loaded, everywhere after in the process): the same float operations in the
    same order, so the numbers are bit-identical and only the speed changes. Without numba, or off
    (or with every fast path off, :func:`set_fast_paths`), the numpy formulas run.

    Args:
        enabled: allow the compiled kernels.
        after: the element-updates before the switch; ``None`` keeps the current value (default
            :data:`COMPILED_KERNELS_AFTER`, 4e8, about where numba's one-off import and load cost of
            ~0.4 s is repaid; the ``CHAINRULE_COMPILED_KERNELS_AFTER`` environment variable sets it at
            start-up). 0 uses them from the first update.

    Raises:
        ValueError: a negative ``after``.
    """
    global _compiled_kernels, _compiled_kernels_after
    if after is not None:
        if int(after) < 0:
            raise ValueError(f"set_compiled_kernels: after must be 0 or more element-updates, got {after!r}.")
        _compiled_kernels_after = int(after)
    _compiled_kernels = bool(enabled)


def compiled_kernels_enabled() -> bool:
    """True when compiled update kernels are allowed (:func:`set_compiled_kernels`) and fast paths are on."""
    return _compiled_kernels and _fast_paths


def compiled_kernels_after() -> int:
    """The element-updates done with numpy before the compiled kernels take over (:func:`set_compiled_kernels`)."""
    return _compiled_kernels_after
