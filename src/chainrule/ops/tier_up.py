"""When the compiled kernels (numba, optional) take over from the numpy formulas: the tier-up rule.

The ops with a compiled kernel (:mod:`chainrule.ops.kernels`: the optimizer updates of
:mod:`chainrule.ops.updates`, the LSTM and GRU steps of :mod:`chainrule.ops.recurrent`, 2-D max
pooling in :mod:`chainrule.ops.pooling`) ask
:func:`kernels_for` before each call, saying how much work the call is. Importing numba and
loading the kernels costs ~0.4 s once per process; a kernel then saves about 1 ns per unit of work
(one **element-update**: one value of a variable updated once by an optimizer; the other ops count
what they save in the same unit). So the numpy formulas run until the work they have done would have
repaid the load, then the kernels run (as a JIT tiers up a hot loop; rent or buy, at most twice the
best choice made in hindsight), at :func:`chainrule.backend.compiled_kernels_after` units (4e8).

A training loop that knows its length (``fit``) announces its steps (:func:`planned_work`). It
measures the work of its first step and decides once, after that step: the kernels from the second
step on when the first step's work times the steps repays the load, or from the first step when
the process had already done that much; never in its middle (the rest of a loop may be too short
to repay the load). Once a process has loaded the kernels, everything after uses them. A 1-epoch
MNIST MLP (1,875 steps x 101,770 weights = 1.9e8) never loads numba;
5 epochs of it (9.5e8), or one epoch of an IMDB LSTM (Adam over 673,000 weights and 200 LSTM steps a
batch: 1.5e9), do.

The kernels compute exactly the numpy formulas' float operations in their order, so a switch never
changes a number. ``chainrule.config.set_compiled_kernels(False)`` (or ``set_fast_paths(False)``)
keeps everything on numpy; without numba nothing changes.
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any, Iterator

import numpy as np

from .. import backend as _backend

#: The dtypes the compiled kernels take (every array of one call in one of them).
KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

_done = 0            # units of work run by the numpy formulas of the kernel-backed ops, in this process
_kernels: Any = None  # chainrule.ops.kernels once imported; False when it cannot be (numba missing or broken)


class Plan:
    """A training loop's announcement (:func:`planned_work`): its steps, and the tier-up decided after the first.

    ``step_done()`` is called after each step; the first call measures that step's work and decides.
    """

    __slots__ = ("steps", "done_at_start", "decided", "tiered")

    def __init__(self, steps: int, done_at_start: int) -> None:
        self.steps, self.done_at_start = steps, done_at_start
        self.decided = False
        self.tiered = False

    def step_done(self) -> None:
        """End of a step: after the first one, decide whether the rest of the loop runs the kernels."""
        if self.decided:
            return
        self.decided = True
        after = _backend.compiled_kernels_after()
        per_step = _done - self.done_at_start
        self.tiered = bool(_kernels) or per_step * self.steps >= after or self.done_at_start >= after
        if self.tiered and _backend.compiled_kernels_enabled():
            _kernels_module()  # loaded now, between two steps


_plan: Plan | None = None  # the running loop's announcement, if any


def _tiered() -> bool:
    """Whether the work done, or announced by the running loop, has reached the tier-up threshold.

    Once the kernels are loaded in this process, always: their cost is paid. Before that, without an
    announced loop, the rent-or-buy rule: switch once the numpy path has done as much work as the load
    costs. Within one: what its first step decided (:class:`Plan`); during that first step, only when the
    process had already done that much before the loop began.
    """
    if _kernels:
        return True
    after = _backend.compiled_kernels_after()
    plan = _plan
    if plan is None:
        return _done >= after
    return plan.tiered if plan.decided else plan.done_at_start >= after


def kernels_for(work: int) -> Any:
    """The compiled kernels module when an op's call now starting (``work`` units) should use it, else None.

    Counts the numpy path's work until the tier-up (:func:`_tiered`), then imports
    :mod:`chainrule.ops.kernels` once (None from then on if numba cannot be imported).
    """
    global _done
    if not _backend.compiled_kernels_enabled():
        return None
    if not _tiered():
        _done += work
        return None
    return _kernels_module()


@contextlib.contextmanager
def planned_work(steps: int) -> Iterator[Plan | None]:
    """Announce a training loop of ``steps`` steps for its duration (0: its length is unknown, no plan).

    Yields the :class:`Plan` (None for 0 steps); the loop calls its ``step_done()`` after every step,
    and the tier-up is decided after the first (see the module's docstring).
    """
    global _plan
    previous = _plan
    _plan = Plan(int(steps), _done) if int(steps) > 0 else None
    try:
        if _plan is not None and _backend.compiled_kernels_enabled() and _tiered():
            _kernels_module()  # loaded now, before the loop's first step
        yield _plan
    finally:
        _plan = previous


def _kernels_module() -> Any:
    """:mod:`chainrule.ops.kernels`, imported on the first call; None when numba cannot be imported."""
    return _kernels or (_load_kernels() if _kernels is None else None)


def _load_kernels() -> Any:
    """Import :mod:`chainrule.ops.kernels` (once): the module, or None when numba is missing or broken."""
    global _kernels
    try:
        # Imported only here: numba's import and kernel load cost ~0.4 s per process, paid once the ops
        # have done enough work to repay it (see backend.COMPILED_KERNELS_AFTER).
        from . import kernels
    except Exception as e:  # no numba, a broken install, no writable cache: stay on numpy
        if not (isinstance(e, ModuleNotFoundError) and e.name == "numba"):
            warnings.warn(f"chainrule: the compiled kernels are unavailable ({type(e).__name__}: {e}); "
                          f"every op stays on numpy.", RuntimeWarning, stacklevel=4)
        _kernels = False
        return None
    _kernels = kernels
    return kernels


def compiled_kernels_in_use() -> bool:
    """Whether the next kernel-backed call would run a compiled kernel: switched on, its threshold of work
    reached and numba importable (imports it when the rest holds). Its arrays must still suit each op."""
    return _backend.compiled_kernels_enabled() and _tiered() and _kernels_module() is not None
