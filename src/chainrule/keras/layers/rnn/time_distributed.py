"""``TimeDistributed``: one layer applied to every timestep of a sequence (tf.keras 2)."""
from __future__ import annotations

from typing import Any

from .... import nest
from ...._suggest import accepts_argument
from ....functions import reduce_any, reshape
from ... import registry
from .wrapper import Wrapper


def _without_time(shape):
    return (shape[0],) + tuple(shape[2:])


class TimeDistributed(Wrapper):
    """Applies ``layer`` to each of the ``timesteps`` slices of ``(batch, timesteps, ...)`` inputs.

    The same weights serve every step (they are the inner layer's, named
    ``time_distributed/kernel:0`` as tf.keras names them). The steps are folded into the batch
    (``(batch * timesteps, ...)``), so the inner layer runs once. A mask ``(batch, timesteps)``
    goes to an inner layer whose ``call`` takes one, and passes through to the output.

    Args:
        layer: the layer applied to every timestep.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        several = isinstance(input_shape, list)
        shapes = [tuple(s) for s in input_shape] if several else [tuple(input_shape)]
        for shape in shapes:
            if len(shape) < 3:
                raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                                 f"dimensions, received: {shape}")
        child = [_without_time(s) for s in shapes] if several else _without_time(shapes[0])
        if not self.layer.built:
            self.layer._scope = self._weight_scope()
            self.layer.build(child)
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        steps = (input_shape[0] if isinstance(input_shape, list) else input_shape)[1]
        child = ([_without_time(tuple(s)) for s in input_shape] if isinstance(input_shape, list)
                 else _without_time(tuple(input_shape)))
        out = self.layer.compute_output_shape(child)
        if isinstance(out, list):
            return [(s[0], steps) + tuple(s[1:]) for s in out]
        return (out[0], steps) + tuple(out[1:])

    def _fold(self, x):
        return reshape(x, (-1,) + tuple(x.shape[2:]))

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        kwargs = {}
        if accepts_argument(self.layer.call, "training"):
            kwargs["training"] = training
        first = nest.flatten(inputs)[0]
        batch, steps = first.shape[0], first.shape[1]
        folded = nest.map_structure(self._fold, inputs)
        if mask is not None and accepts_argument(self.layer.call, "mask"):
            kwargs["mask"] = self._fold(nest.flatten(mask)[0])
        y = self.layer(folded, **kwargs)
        return nest.map_structure(lambda t: reshape(t, (batch, steps) + tuple(t.shape[1:])), y)

    def compute_mask(self, inputs, mask=None):
        first = nest.flatten(inputs)[0]
        inner_mask = None if mask is None else self._fold(nest.flatten(mask)[0])
        inner_inputs = nest.map_structure(self._fold, inputs)
        out = self.layer.compute_mask(inner_inputs, inner_mask)
        if out is None:
            if mask is None:
                return None
            out = nest.flatten(mask)[0]
            while out.ndim > 2:
                out = reduce_any(out, axis=-1)
            return out
        return reshape(out, (first.shape[0], first.shape[1]) + tuple(out.shape[1:]))


registry.register("layers", TimeDistributed)
