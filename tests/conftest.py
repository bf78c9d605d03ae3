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
