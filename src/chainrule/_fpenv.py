"""Flush-to-zero for the length of a training call, as TensorFlow runs its kernels.

Subnormal floats (below 1.2e-38 in float32) are handled by a slow path in the
CPU, tens of times slower than normal numbers. Training produces them: Adam's
moment estimates of units that stopped receiving gradient decay into them, and
an update over a mostly-subnormal slot can take eight times as long. TensorFlow
sets the CPU's flush-to-zero and denormals-are-zero modes in every kernel;
chainrule sets them around ``fit``/``evaluate``/``predict`` and compiled
replays, and gives the caller back exactly the mode it had.

Values that would be subnormal become 0 — a change below float32's smallest
normal number, far under any training signal. The mode is per thread (it
covers numpy's work; with several BLAS threads, their own threads keep theirs).
x86-64 (MXCSR FTZ+DAZ) and AArch64 (FPCR.FZ) through glibc's
``fegetenv``/``fesetenv``; a no-op elsewhere. Turn it off with
``chainrule.config.set_flush_denormals(False)`` (or every fast path with
``set_fast_paths(False)``).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import platform
import struct
import threading

from . import backend as _backend

_ENV_BYTES = 64  # larger than glibc's fenv_t on either architecture


def _load():
    """``(fegetenv, fesetenv, patch)`` where ``patch(raw) -> raw`` sets the flush bits, or None."""
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        offset, bits = 28, 0x8040  # fenv_t.__mxcsr; FTZ (bit 15) | DAZ (bit 6)
    elif machine in ("aarch64", "arm64"):
        offset, bits = 0, 1 << 24  # fenv_t.__fpcr; FZ
    else:
        return None
    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        get, put = libm.fegetenv, libm.fesetenv
    except (OSError, AttributeError):
        return None
    probe = ctypes.create_string_buffer(_ENV_BYTES)
    if get(probe) != 0:
        return None
    if machine in ("x86_64", "amd64") and struct.unpack_from("<I", probe.raw, offset)[0] & 0xFFFF0000:
        return None  # not the glibc layout we know: leave the mode alone

    def patch(raw: bytes):
        buf = ctypes.create_string_buffer(raw, _ENV_BYTES)
        struct.pack_into("<I", buf, offset, struct.unpack_from("<I", raw, offset)[0] | bits)
        return buf
    return get, put, patch


_FUNCS = _load()


def supported() -> bool:
    """Whether this CPU and C library let chainrule set flush-to-zero."""
    return _FUNCS is not None


class _Thread(threading.local):
    """Per-thread state: whether a block is active, the caller's saved mode, and the flushing mode made from it."""

    def __init__(self):
        self.active = False
        self.saved = ctypes.create_string_buffer(_ENV_BYTES) if _FUNCS is not None else None
        self.patched_from = None
        self.patched = None


_local = _Thread()


class _FlushDenormals:
    """The context manager :func:`flush_denormals` returns (a class: it is entered once per compiled replay).

    The mode is set by the outermost block of a thread and restored when that block exits; a block
    inside it (a replay inside ``fit``) finds the mode set and does nothing.
    """

    __slots__ = ("_saved",)

    def __init__(self):
        self._saved = None

    def __enter__(self):
        local = _local
        if local.active or _FUNCS is None or not _backend.flush_denormals_enabled():
            return self
        # One buffer per thread for the caller's mode (only the outermost block of a thread saves it), and
        # the flushing mode made from it kept until the caller's mode changes: a replay costs three C calls.
        saved = local.saved
        _FUNCS[0](saved)
        raw = saved.raw
        if raw != local.patched_from:
            local.patched, local.patched_from = _FUNCS[2](raw), raw
        _FUNCS[1](local.patched)
        self._saved = saved
        local.active = True
        return self

    def __exit__(self, *exc):
        saved = self._saved
        if saved is not None:
            self._saved = None
            _local.active = False
            _FUNCS[1](saved)
        return False


def flush_denormals():
    """Within the block, subnormal float inputs and results are zero; the caller's mode comes back after.

    A no-op when unsupported or switched off (``chainrule.config.set_flush_denormals(False)``), and
    inside another such block of the same thread (the mode is already set; the outer block restores it).
    """
    return _FlushDenormals()


def flushing(method):
    """Decorator: run ``method`` inside :func:`flush_denormals` (used on fit, evaluate and predict)."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with flush_denormals():
            return method(*args, **kwargs)
    return wrapper
