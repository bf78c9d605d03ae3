"""Fixtures shared by the compiled-kernel tests (``test_*_kernels.py``)."""
import pytest


@pytest.fixture
def fresh_tier_up(monkeypatch):
    """The compiled-kernel switches restored after the test, which starts as a fresh process would: numba's
    kernels not loaded yet (``ops.tier_up._kernels``), whatever earlier tests in this worker did."""
    from chainrule import backend
    from chainrule.ops import tier_up
    saved = backend._compiled_kernels, backend.compiled_kernels_after(), backend.fast_paths_enabled()
    monkeypatch.setattr(tier_up, "_kernels", None)
    yield
    backend.set_compiled_kernels(saved[0], after=saved[1])
    backend.set_fast_paths(saved[2])


@pytest.fixture
def kernel_calls(monkeypatch):
    """Counts the calls of each compiled kernel of ``chainrule.ops.kernels`` (by name) while the test runs."""
    numba = pytest.importorskip("numba")
    from chainrule.ops import kernels
    calls = {}

    def counting(name, kernel):
        def counted(*args):
            calls[name] = calls.get(name, 0) + 1
            return kernel(*args)
        return counted

    for name, kernel in list(vars(kernels).items()):
        if isinstance(kernel, numba.core.registry.CPUDispatcher) and not name.startswith("_"):
            monkeypatch.setattr(kernels, name, counting(name, kernel))
    return calls


class _CallsOf:
    """The part of a ``kernel_calls`` count that concerns ``names``: compares equal to a dict, indexes like one."""

    def __init__(self, calls, names):
        self._calls, self._names = calls, frozenset(names)

    def _view(self):
        return {k: v for k, v in self._calls.items() if k in self._names}

    def __eq__(self, other):
        return self._view() == other

    def __getitem__(self, name):
        return self._view()[name]

    def __repr__(self):
        return repr(self._view())


@pytest.fixture
def kernel_calls_of(kernel_calls):
    """``kernel_calls_of(names)``: the calls of those kernels only (a fit's optimizer kernels left out)."""
    return lambda names: _CallsOf(kernel_calls, names)
