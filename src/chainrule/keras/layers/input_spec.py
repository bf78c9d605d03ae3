"""``InputSpec`` (tf.keras 2): what a layer accepts, checked at every call before ``build``.

A layer sets ``self.input_spec`` (one ``InputSpec``, or a list with one per input; None entries accept
anything) in ``__init__`` or ``build``; ``Layer.__call__`` then checks each input's rank (``ndim``,
``min_ndim``, ``max_ndim``), ``dtype``, the sizes of named ``axes`` and a full ``shape`` (None: any size),
eagerly and on ``keras.Input``, with tf.keras 2's error texts. Unknown (None) sizes of a symbolic input
pass.
"""
from __future__ import annotations

from typing import Any

from ... import dtypes as _dtypes
from ... import nest


class InputSpec:
    """The rank, dtype and sizes a layer's input must have (every field optional).

    Args:
        dtype: the expected dtype name (e.g. ``'float32'``).
        shape: the expected shape, batch axis included, None for any size (sets ``ndim`` too).
        ndim: the expected rank.
        max_ndim: the highest rank accepted.
        min_ndim: the lowest rank accepted.
        axes: ``{axis: size}`` for axes whose size is fixed (negative axes count from the end).
        allow_last_axis_squeeze: accept an input one rank off because of a last axis of size 1.
        name: the input's name, to pick it out of a dict of inputs.

    Raises:
        TypeError: ``axes`` is not a dict with integer keys.
        ValueError: an axis beyond the rank that ``ndim`` or ``max_ndim`` allows.
    """

    def __init__(self, dtype: Any = None, shape: Any = None, ndim: int | None = None, max_ndim: int | None = None,
                 min_ndim: int | None = None, axes: dict | None = None, allow_last_axis_squeeze: bool = False,
                 name: str | None = None) -> None:
        self.dtype = _dtypes.as_dtype(dtype).name if dtype is not None else None
        if shape is not None:
            self.shape: tuple | None = tuple(None if d is None else int(d) for d in shape)
            self.ndim: int | None = len(self.shape)
        else:
            self.shape, self.ndim = None, ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.name = name
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            axes = axes or {}
            self.axes = {int(k): axes[k] for k in axes}
        except (ValueError, TypeError):
            raise TypeError(f"Argument `axes` must be a dict with integer keys. Received: axes={axes}") from None
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            max_dim = (self.ndim if self.ndim else self.max_ndim) - 1  # type: ignore[operator]
            max_axis = max(self.axes)
            if max_axis > max_dim:
                raise ValueError(f"Axis {max_axis} is greater than the maximum allowed value: {max_dim}")

    def __repr__(self) -> str:
        fields = [f"dtype={self.dtype}" if self.dtype else "", f"shape={self.shape}" if self.shape else "",
                  f"ndim={self.ndim}" if self.ndim else "", f"max_ndim={self.max_ndim}" if self.max_ndim else "",
                  f"min_ndim={self.min_ndim}" if self.min_ndim else "", f"axes={self.axes}" if self.axes else ""]
        return f"InputSpec({', '.join(f for f in fields if f)})"

    def get_config(self) -> dict:
        """The constructor arguments (without ``name`` and ``allow_last_axis_squeeze``, as tf.keras 2)."""
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config: dict) -> InputSpec:
        """An ``InputSpec`` from :meth:`get_config`'s dict."""
        return cls(**config)


def _incompatible(index: int, layer_name: str, what: str) -> ValueError:
    return ValueError(f'Input {index} of layer "{layer_name}" is incompatible with the layer: {what}')


def assert_input_compatibility(input_spec: Any, inputs: Any, layer_name: str) -> None:
    """Raise ``ValueError`` (tf.keras 2's texts) where ``inputs`` do not meet ``input_spec``.

    Args:
        input_spec: an ``InputSpec``, a list of them (None entries accept anything), or None.
        inputs: the call's first argument: a tensor, a list of tensors, or a dict (matched by the specs' names).
        layer_name: the layer's name, for the messages.
    """
    if not input_spec:
        return
    specs = nest.flatten(input_spec)
    if isinstance(inputs, dict):
        names = [spec.name for spec in specs]
        if all(names):
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f'Missing data for input "{missing[0]}". You passed a data dictionary with keys '
                                 f"{list(inputs)}. Expected the following keys: {names}")
            inputs = [inputs[n] for n in names]
    flat = nest.flatten(inputs)
    if len(flat) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} input '
                         f"tensors. Inputs received: {flat}")
    for index, (x, spec) in enumerate(zip(flat, specs)):
        if spec is None or not hasattr(x, "shape"):
            continue
        shape = tuple(x.shape)
        ndim = len(shape)
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            raise _incompatible(index, layer_name, f"expected ndim={spec.ndim}, found ndim={ndim}. Full shape "
                                                   f"received: {shape}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise _incompatible(index, layer_name, f"expected max_ndim={spec.max_ndim}, found ndim={ndim}")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise _incompatible(index, layer_name, f"expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full "
                                                   f"shape received: {shape}")
        if spec.dtype is not None:
            dtype = getattr(x.dtype, "name", str(x.dtype))
            if dtype != spec.dtype:
                raise _incompatible(index, layer_name, f"expected dtype={spec.dtype}, found dtype={dtype}")
        for axis, value in spec.axes.items():
            if value is not None and -ndim <= axis < ndim and shape[axis] not in (value, None):
                raise _incompatible(index, layer_name, f"expected axis {axis} of input shape to have value {value}, "
                                                       f"but received input with shape {shape}")
        if spec.shape is not None:
            spec_shape = spec.shape
            if spec.allow_last_axis_squeeze:
                shape = shape[:-1] if shape and shape[-1] == 1 else shape
                spec_shape = spec_shape[:-1] if spec_shape and spec_shape[-1] == 1 else spec_shape
            for spec_dim, dim in zip(spec_shape, shape):
                if spec_dim is not None and dim is not None and spec_dim != dim:
                    raise _incompatible(index, layer_name, f"expected shape={spec.shape}, found shape={tuple(x.shape)}")
