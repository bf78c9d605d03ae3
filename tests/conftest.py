"""Shared fixtures for the engine tests.

Gradient checks run in float64 through ``chainrule.testing.check_gradients``;
every test that needs random numbers takes the ``rng`` fixture, so a failure
repeats exactly.
"""
import numpy as np
import pytest

import chainrule
from chainrule import _tape_stack


@pytest.fixture
def rng():
    """A fresh, fixed-seed numpy Generator per test."""
    return np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _isolate_global_state():
    """Each test ends with no active GradientTape and floatx back at 'float32'.

    A test that leaves a tape active fails (later tests would record on it);
    a test may set floatx freely, it is restored here.
    """
    yield
    chainrule.backend.set_floatx("float32")
    leaked = list(_tape_stack.active_tapes())
    _tape_stack.active_tapes().clear()
    assert leaked == [], "the test left a GradientTape active"


@pytest.fixture(params=["numpy", "compiled"])
def update_kernels(request):
    """Run the test twice: the optimizer updates on their numpy formulas, then on the compiled (numba) kernels
    from the very first step (``set_compiled_kernels(True, after=0)``; skipped when numba is not installed).
    The value is ``'numpy'`` or ``'compiled'``; the switch is restored afterwards."""
    from chainrule import backend
    if request.param == "compiled":
        pytest.importorskip("numba")
    saved = backend._compiled_kernels, backend.compiled_kernels_after()
    backend.set_compiled_kernels(request.param == "compiled", after=0)
    try:
        yield request.param
    finally:
        backend.set_compiled_kernels(saved[0], after=saved[1])
