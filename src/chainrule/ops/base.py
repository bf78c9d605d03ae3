"""The op contract: one class per differentiable primitive, forward and backward side by side.

An op is the "layer" of the classic from-scratch teaching code::

    mul = Mul()
    price = mul.forward(100, 2)      # 200
    dx, dy = mul.backward(1.1)       # (2.2, 110.0)

* The constructor takes hyper-parameters only (axis, alpha, rate ...).
* ``forward(*inputs)`` takes every array input (numpy arrays or Python numbers,
  never Tensors), keeps on ``self`` only what ``backward`` needs, and returns
  the output array.
* ``needs_backward`` is set by ``apply_op`` before ``forward``: False when no
  GradientTape will record the call (an inference call, or any call outside a
  tape), so nothing will ever run its ``backward``. A forward then keeps
  nothing for one (no saved inputs, masks or caches) and computes the same
  output. Used by hand it is True and everything is kept.
* ``backward(dout)`` returns the gradient itself for a one-input op, and a tuple
  with one entry per input for a multi-input op (``None`` for an input that is
  not differentiable, such as labels).
* An instance is used for one call. The GradientTape stores the instance and
  calls ``backward`` on it; broadcasting is undone by the tape, so a backward
  is the textbook formula for same-shaped operands.
* ``needs_input_grad`` is set by the tape before ``backward`` (a tuple of bools,
  one per input); an op may skip work for inputs nobody asked about. Used by
  hand it is ``None`` and every gradient is computed.
* Floats follow IEEE-754 as TensorFlow's kernels do: ``1/0`` is ``inf``, ``log(-1)`` is ``nan``, and neither
  says anything. numpy warns for them (``RuntimeWarning: divide by zero encountered in divide``); those
  warnings, raised from chainrule's own code, are filtered below, once, instead of each op entering
  ``np.errstate`` (about 1 us a call). A user's own numpy code warns as before, and
  ``np.errstate(divide="raise")`` still turns chainrule's specials into errors (the tests use it to show that
  a stable formula never makes one).
"""
from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable, ClassVar, Optional, Union

import numpy as np

warnings.filterwarnings(
    "ignore", message=r"(divide by zero|overflow|underflow|invalid value) encountered in |Mean of empty slice",
    category=RuntimeWarning, module=r"chainrule(\.|$)")

#: What ``backward`` returns: the gradient itself (one-input op) or one entry per input (``None``: no gradient).
Gradients = Union[np.ndarray, None, tuple[Optional[np.ndarray], ...]]


class Op:
    """Base class of every primitive. Subclasses implement ``forward`` and ``backward``."""

    #: False for ops whose output carries no gradient (comparisons, argmax ...).
    differentiable = True
    #: True for ops whose forward may return a view of an input (reshape, slicing).
    returns_view = False
    #: Set by ``apply_op`` before ``forward``: whether a tape records this call, i.e. whether ``backward`` can
    #: run. When False, ``forward`` keeps nothing only ``backward`` reads (True when used by hand).
    needs_backward: bool = True
    #: Set by the tape before ``backward``: one bool per input (None when used by hand).
    needs_input_grad: Optional[tuple[bool, ...]] = None
    _returns_tuple: ClassVar[bool]  # cached per class by returns_tuple()

    # Subclasses narrow these to their own arrays (``forward(self, x, y)``); ``*inputs: Any, **kwargs: Any``
    # is how a type checker accepts any such override.
    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """Compute the output array from the input arrays, keeping what ``backward`` needs."""
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, *douts: Any, **kwargs: Any) -> Any:
        """The gradients of the inputs from the gradient of the output (one per output for a multi-output op)."""
        raise NotImplementedError(f"{type(self).__name__}.backward")

    @property
    def name(self) -> str:
        """The op's class name, used in error messages."""
        return type(self).__name__

    @classmethod
    def returns_tuple(cls) -> bool:
        """Whether ``backward`` returns a tuple (one entry per input) rather than the gradient itself.

        Decided by ``forward``'s signature, not by how many inputs a call had: a
        variadic op (``forward(self, *xs)``, such as Concat) returns a tuple even
        when called with one input; ``forward(self, x)`` returns a bare gradient.
        """
        cached = cls.__dict__.get("_returns_tuple")
        if cached is None:
            params = list(inspect.signature(cls.forward).parameters.values())[1:]
            variadic = any(p.kind is p.VAR_POSITIONAL for p in params)
            cached = variadic or len(params) != 1
            cls._returns_tuple = cached  # a per-class cache
        return bool(cached)

    def _needs(self, i: int) -> bool:
        """Whether the gradient of input ``i`` is wanted (always True when used by hand)."""
        return self.needs_input_grad is None or self.needs_input_grad[i]

    def __repr__(self) -> str:
        params = {k: v for k, v in vars(self).items() if not k.startswith("_") and not hasattr(v, "shape")}
        inner = ", ".join(f"{k}={v!r}" for k, v in params.items() if k not in ("needs_input_grad", "needs_backward"))
        return f"{type(self).__name__}({inner})"


class NoGradient(Op):
    """A computation with no gradient (comparisons, argmax, logic): ``forward`` applies ``fn`` to the arrays.

    It still runs through ``apply_op`` so that a traced ``chainrule.function``
    replays it; tapes never record it, which is also how ``stop_gradient`` works.
    """

    differentiable = False

    def __init__(self, fn: Callable[..., Any], **kwargs: Any) -> None:
        self.fn, self.kwargs = fn, kwargs

    def forward(self, *inputs: np.ndarray) -> np.ndarray:
        return np.asarray(self.fn(*inputs, **self.kwargs))


class CustomGradient(Op):
    """A computation whose gradient the user writes (``chainrule.custom_gradient``).

    ``forward_fn(*arrays) -> array`` computes the value; ``backward_fn(dout)`` returns a tuple with one
    gradient per input (None where there is none; the op is variadic, so a tuple even for one input)
    and is called by the tape in place of a formula of ours. The tensor floor builds both from the
    user's function, which works on Tensors.
    """

    def __init__(self, forward_fn: Callable[..., np.ndarray], backward_fn: Callable[[np.ndarray], Any]) -> None:
        self.forward_fn, self.backward_fn = forward_fn, backward_fn

    def forward(self, *inputs: np.ndarray) -> np.ndarray:
        return self.forward_fn(*inputs)

    def backward(self, dout: np.ndarray) -> Any:
        return self.backward_fn(dout)


class GradientResult(Op):
    """Marks a gradient computed while an outer GradientTape was recording (nested tapes).

    ``forward`` returns the gradient already computed (given to the constructor); the outer tape
    records it with the tensors the gradient came from as inputs. chainrule's ops have first-order
    ``backward`` formulas written on arrays, so differentiating a gradient again (a second derivative,
    a Hessian, a gradient penalty) is not possible: ``backward`` raises a ``NotImplementedError`` that
    says so, instead of the outer tape silently returning ``None``. An outer target that does not
    depend on the gradient (logging it, say) never reaches this backward.
    """

    def __init__(self, value: Any) -> None:
        self.value = value

    def forward(self, *inputs: Any) -> Any:
        return self.value

    def backward(self, dout: Any) -> Any:
        raise NotImplementedError(
            "GradientTape.gradient: the target depends on a gradient computed by an inner GradientTape, so this "
            "asks for a second-order derivative (a Hessian, a gradient penalty, d2y/dx2). chainrule's ops have "
            "first-order backward formulas only and cannot differentiate a gradient again (TensorFlow can). "
            "Compute the second derivative another way, e.g. with central differences of the first "
            "(chainrule.testing.numerical_gradient), or restructure the loss so that it does not depend on a gradient.")

    def __repr__(self) -> str:
        return "GradientResult()"
