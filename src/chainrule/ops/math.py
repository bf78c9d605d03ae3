"""Element-wise arithmetic and transcendental ops.

Every backward is the textbook derivative for same-shaped operands; when the
inputs were broadcast, the GradientTape sums each gradient back to its input's
shape, so no op here deals with broadcasting.
"""
from __future__ import annotations

from typing import Any, Union

import numpy as np

from ..errors import InvalidArgumentError
from .base import Op

#: The seed's graph is computed by hand with Python numbers (``Mul().forward(100, 2)``) as well as arrays.
#: Their backward returns ``tuple[Any, Any]``: numbers or arrays by hand; under a tape, None for an input the
#: tape marks as not needed.
Scalar = Union[np.ndarray, float]


class Add(Op):
    """``x + y``. Backward: ``(dout, dout)``; nothing needs keeping."""

    def forward(self, x: Scalar, y: Scalar) -> Scalar:
        return x + y

    def backward(self, dout: Scalar) -> tuple[Any, Any]:
        return dout, dout


class Sub(Op):
    """``x - y``. Backward: ``(dout, -dout)``."""

    def forward(self, x: Scalar, y: Scalar) -> Scalar:
        return x - y

    def backward(self, dout: Scalar) -> tuple[Any, Any]:
        return dout, -dout


class Mul(Op):
    """``x * y``. Backward: ``(dout * y, dout * x)``; keeps both inputs."""

    def forward(self, x: Scalar, y: Scalar) -> Scalar:
        self.x, self.y = x, y
        return x * y

    def backward(self, dout: Scalar) -> tuple[Any, Any]:
        dx = dout * self.y if self._needs(0) else None
        dy = dout * self.x if self._needs(1) else None
        return dx, dy


class Div(Op):
    """``x / y``. Backward: ``(dout / y, -dout * x / y**2)``."""

    def forward(self, x: Scalar, y: Scalar) -> Scalar:
        self.x, self.y = x, y
        return x / y

    def backward(self, dout: Scalar) -> tuple[Any, Any]:
        dx = dout / self.y
        dy = -dx * self.x / self.y if self._needs(1) else None
        return (dx if self._needs(0) else None), dy


class Neg(Op):
    """``-x``. Backward: ``-dout``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return -x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return -dout


class Pow(Op):
    """``x ** y``. Backward: ``dout * y * x**(y-1)`` and ``dout * x**y * log(x)`` (0 where x <= 0)."""

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        self.x, self.y = x, y
        self.out = x ** y
        return self.out

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        x, y = self.x, self.y
        dx = dout * y * x ** (y - 1) if self._needs(0) else None
        dy = None
        if self._needs(1):
            with np.errstate(divide="ignore", invalid="ignore"):
                logx = np.where(x > 0, np.log(np.where(x > 0, x, 1)), 0)
            dy = dout * self.out * logx
        return dx, dy


class Square(Op):
    """``x ** 2``. Backward: ``2 * x * dout``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x * x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (2 * self.x)


class Sqrt(Op):
    """``sqrt(x)``. Backward: ``dout / (2 * sqrt(x))``; keeps the output."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.sqrt(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout / (2 * self.out)


class Exp(Op):
    """``exp(x)``. Backward: ``dout * exp(x)``; keeps the output."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.exp(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.out


class Log(Op):
    """Natural ``log(x)``. Backward: ``dout / x``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.log(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout / self.x


class Abs(Op):
    """``|x|``. Backward: ``dout * sign(x)`` (0 at 0, as TensorFlow)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.abs(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * np.sign(self.x)


class Maximum(Op):
    """Element-wise ``max(x, y)``. The gradient goes to ``x`` where ``x >= y``, else to ``y``."""

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.needs_backward:
            self.x_wins = x >= y
        return np.maximum(x, y)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        return dout * self.x_wins, dout * ~self.x_wins


class Minimum(Op):
    """Element-wise ``min(x, y)``. The gradient goes to ``x`` where ``x <= y``, else to ``y``."""

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.needs_backward:
            self.x_wins = x <= y
        return np.minimum(x, y)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        return dout * self.x_wins, dout * ~self.x_wins


class Where(Op):
    """``where(condition, x, y)``. Backward: ``(None, dout*cond, dout*~cond)``."""

    def forward(self, condition: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        self.condition = condition.astype(bool, copy=False)
        return np.where(self.condition, x, y)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        zero = dout.dtype.type(0)
        return None, np.where(self.condition, dout, zero), np.where(self.condition, zero, dout)


class Clip(Op):
    """``clip(x, clip_value_min, clip_value_max)``. The gradient passes where ``min <= x <= max``."""

    def __init__(self, clip_value_min: Any, clip_value_max: Any) -> None:
        self.clip_value_min = clip_value_min
        self.clip_value_max = clip_value_max

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.needs_backward:
            self.inside = (x >= self.clip_value_min) & (x <= self.clip_value_max)
        return np.clip(x, self.clip_value_min, self.clip_value_max)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.inside


def _integer_divisor(y: np.ndarray, op_name: str) -> None:
    """Raise TensorFlow's error for an integer division by zero (numpy would warn and give 0)."""
    if np.asarray(y).dtype.kind in "iu" and not np.all(y):
        raise InvalidArgumentError(
            f"Integer division by zero [Op:{op_name}]: the divisor holds a 0 at flat index "
            f"{int(np.flatnonzero(np.asarray(y).ravel() == 0)[0])}. Mask or replace the zeros first, or divide "
            "floats (x / y gives inf for a zero divisor).")


class FloorDiv(Op):
    """``x // y`` (no gradient, as in TensorFlow).

    Raises:
        InvalidArgumentError: an integer ``y`` holds a zero (a float one gives ``inf``/``nan``, as in TensorFlow).
    """

    differentiable = False

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        _integer_divisor(y, "FloorDiv")
        return x // y


class Mod(Op):
    """``x % y`` with the sign of ``y`` (TensorFlow's floormod; no gradient).

    Raises:
        InvalidArgumentError: an integer ``y`` holds a zero (a float one gives ``nan``, as in TensorFlow).
    """

    differentiable = False

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        _integer_divisor(y, "FloorMod")
        return x % y
