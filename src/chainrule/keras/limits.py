"""Resource bounds on what a file may make chainrule read or allocate: every limit lives here.

A model file is untrusted input. A few kilobytes can declare gigabytes (a zip member that
inflates 1000-fold, an HDF5 dataset whose shape is declared but whose data is absent, a
config asking for ``Dense(10**9)``), so every declared size is checked *before* anything is
decompressed or allocated, and the check raises ``ValueError`` naming the file and the entry.

The limits (module constants; a program that really needs more may raise them):

* ``MAX_JSON_BYTES`` (64 MiB): the largest JSON config (``config.json``, ``metadata.json``,
  the ``model_config``/``training_config`` attributes, ``model_from_json`` text).
* ``MAX_JSON_DEPTH`` (100): the deepest nesting of lists/objects in a JSON config (real
  configs stay below 40, even with models nested in models); deeper is a ``ValueError``, not a
  ``RecursionError``.
* ``MAX_COMPRESSION_RATIO`` (100) above ``COMPRESSION_CHECK_FLOOR`` (16 MiB): a zip member or
  a filtered HDF5 dataset larger than the floor may not declare more than 100 times the
  bytes it occupies in the file (float weights compress by less than 2; zeros by ~1000, which
  is what a decompression bomb uses). An unfiltered HDF5 dataset must occupy at least its
  declared size in the file: data that is declared but not stored is refused.
* ``max_member_bytes()``: a zip member is read into memory, so it may not declare more than
  the machine's physical memory.
* Weights a loaded config may create: while a model is built from a file's config, the
  values of all the weights its layers create may not exceed the values stored in the file
  plus ``WEIGHT_SLACK_VALUES`` (2**20), checked in ``Layer.add_weight`` before the
  initializer allocates anything (:func:`weight_budget`, :func:`charge_weight`).

This module imports nothing from ``chainrule.keras``: layers and saving both use it.
"""
from __future__ import annotations

import contextlib
import contextvars
import os

MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 100
MAX_COMPRESSION_RATIO = 100
COMPRESSION_CHECK_FLOOR = 16 * 1024 * 1024
WEIGHT_SLACK_VALUES = 1 << 20
_FALLBACK_MEMORY_BYTES = 64 * 1024 ** 3


def max_member_bytes() -> int:
    """The largest zip member (uncompressed) a load reads into memory: the physical memory size."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # not a POSIX system
        return _FALLBACK_MEMORY_BYTES


def check_compressed_size(declared: int, stored: int, what: str) -> None:
    """Refuse ``declared`` bytes that inflate from only ``stored`` bytes by more than the ratio limit."""
    if declared > COMPRESSION_CHECK_FLOOR and declared > MAX_COMPRESSION_RATIO * max(int(stored), 1):
        raise ValueError(f"{what} declares {declared} bytes once decompressed but occupies only {stored} bytes in "
                         f"the file (more than {MAX_COMPRESSION_RATIO} times as much, the limit in "
                         "chainrule.keras.limits); refusing a likely decompression bomb before decompressing it")


# ----------------------------------------------------------------------------- weight budget

class _Budget:
    __slots__ = ("left", "total", "source")

    def __init__(self, total: int, source: str):
        self.left = self.total = int(total)
        self.source = source


_budget: contextvars.ContextVar = contextvars.ContextVar("chainrule_weight_budget", default=None)


@contextlib.contextmanager
def weight_budget(stored_values: int, source: str):
    """While active, the weights created (``Layer.add_weight``) may hold at most ``stored_values`` values
    plus ``WEIGHT_SLACK_VALUES`` in all; ``source`` (the file) is named in the error."""
    token = _budget.set(_Budget(int(stored_values) + WEIGHT_SLACK_VALUES, source))
    try:
        yield
    finally:
        _budget.reset(token)


def charge_weight(shape, owner: str, weight: str) -> None:
    """Count a weight of ``shape`` against the active budget (no-op without one); ``ValueError`` when over."""
    budget = _budget.get()
    if budget is None:
        return
    values = 1
    for dim in shape:
        values *= int(dim)
    if values > budget.left:
        raise ValueError(
            f"Cannot load the model from {budget.source!r}: layer {owner!r} asks for the weight {weight!r} of shape "
            f"{tuple(int(d) for d in shape)} ({values} values), but the file stores only "
            f"{budget.total - WEIGHT_SLACK_VALUES} weight values in all; its config does not match its weights "
            "(a unit count or shape far too large?). Refusing to allocate it.")
    budget.left -= values
