"""Sequential: a plain stack of layers, each taking the previous layer's output."""
from __future__ import annotations

import numpy as np

from ... import nest
from ...tensor import Tensor
from ..layers.base import KerasTensor, Layer
from ..layers.core import Input, InputLayer
from .. import registry
from ..layers.serialization import deserialize as deserialize_layer
from ..layers.serialization import serialize as serialize_layer
from .model import Model


def _is_text(value) -> bool:
    """Whether ``value`` (a Tensor, numpy array or Python data) holds strings."""
    if isinstance(value, Tensor):
        return value.dtype.name == "string"
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    if arr.dtype.kind == "O" and arr.size:
        return isinstance(arr.reshape(-1)[0], (str, bytes))
    return arr.dtype.kind in "SU"


def _declared_batch_shape(layer):
    """The input shape a layer added first gives the model, as tf.keras 2's ``get_input_shape_and_dtype``: its
    ``input_shape=``/``batch_input_shape=``; a functional model's Input; for a Sequential, that of its own first
    layer (recursively), so a Sequential that only inferred its Input from a call (an unbatched image, say) leaves
    the outer model deferred until its first call."""
    while isinstance(layer, Sequential) and layer._seq_layers:
        layer = layer._seq_layers[0]
    batch_shape = layer._batch_input_shape
    model_inputs = getattr(layer, "inputs", None) if getattr(layer, "_is_graph_network", False) else None
    if batch_shape is None and model_inputs is not None and len(model_inputs) == 1:
        batch_shape = model_inputs[0].shape  # a functional model first: its input, as tf.keras 2
    return batch_shape


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Dense(16, input_shape=(10000,)), Dense(1)])`` or ``.add()``.

    With an input shape (an ``Input`` first, or ``input_shape=`` on the first
    layer) the model is built as layers are added; otherwise it builds on the
    first call, fit or ``build(input_shape)``.

    Args:
        layers: the layers, in order (more with ``add``).
        name: the model's name (default ``'sequential'``, made unique).
        **kwargs: the ``Model`` keyword arguments (``trainable``, ``dtype`` ...).

    Raises:
        TypeError: an entry that is not a Layer.
        ValueError: two layers with the same name, or an ``Input`` that is not the first entry.
    """

    _scopes_sublayers = False  # tf.keras 2 builds the stack in a graph of its own: its layers keep their names

    def __init__(self, layers=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._seq_layers = []
        self._input_tensor = None
        self._inferred_input = False  # the Input came from build() or the first call, not from the user
        self._last_output = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list:
        """The added layers (without the InputLayer), in order; a layer added twice is listed once."""
        out: list = []
        for layer in self._seq_layers:
            if all(layer is not seen for seen in out):
                out.append(layer)
        return out

    def add(self, layer) -> None:
        """Append a layer (or, first, an ``Input`` tensor / ``InputLayer``)."""
        if isinstance(layer, KerasTensor) or isinstance(layer, InputLayer):
            if self._seq_layers or self._input_tensor is not None:
                raise ValueError(f"Sequential {self.name!r}: an Input can only be the first element of the model.")
            tensor = layer if isinstance(layer, KerasTensor) else layer._inbound_nodes[0].output_tensors[0]
            if not isinstance(tensor._keras_history[0], InputLayer):
                raise ValueError(f"Sequential {self.name!r}: only tensors from keras.Input can be added; to add "
                                 "a functional model, add the Model object itself.")
            self._set_input(tensor)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Received: layer={layer!r} of "
                            f"type {type(layer).__name__}.")
        if any(existing.name == layer.name and existing is not layer for existing in self._seq_layers):
            raise ValueError(f"All layers added to a Sequential model should have unique names. Name "
                             f"{layer.name!r} is already the name of a layer in this model. Update the `name` "
                             "argument to pass a unique name.")
        # The same instance may come twice (tf.keras allows it): it is applied twice, its weights shared.
        self._seq_layers.append(layer)
        if all(layer is not t for t in self._tracked_layers):
            self._tracked_layers.append(layer)
        batch_shape = _declared_batch_shape(layer)
        if self._input_tensor is None and len(self._seq_layers) == 1 and batch_shape is not None:
            self._set_input(Input(batch_shape=batch_shape, dtype=layer.dtype, name=f"{layer.name}_input"),
                            connect=False)
        if self._input_tensor is not None:
            self._last_output = layer(self._last_output)
            self._init_graph_network(self._input_tensor, self._last_output)

    def _set_input(self, tensor, connect=True):
        self._input_tensor = tensor
        self._last_output = tensor
        if connect:
            for layer in self._seq_layers:
                self._last_output = layer(self._last_output)
        if self._seq_layers:
            self._init_graph_network(self._input_tensor, self._last_output)
        else:
            self.built = False

    def pop(self):
        """Remove the last layer."""
        if not self._seq_layers:
            raise TypeError("There are no layers in the model.")
        layer = self._seq_layers.pop()
        if all(layer is not t for t in self._seq_layers):
            self._tracked_layers = [t for t in self._tracked_layers if t is not layer]
        if self._input_tensor is not None:
            self._set_input(self._input_tensor)
        return layer

    def _init_graph_network(self, inputs, outputs):
        super()._init_graph_network(inputs, outputs)
        self._graph_layers = self.layers

    def build(self, input_shape=None):
        """Build for inputs of ``input_shape`` (batch axis included, may be None)."""
        self._build_input(input_shape, self.dtype)

    def _build_input(self, input_shape, dtype):
        if self._input_tensor is None:
            if input_shape is None:
                raise ValueError("You must provide an `input_shape` argument.")
            input_shape = tuple(input_shape)
            self._set_input(Input(batch_shape=(None,) + input_shape[1:], dtype=dtype,
                                  name=f"{self._seq_layers[0].name}_input" if self._seq_layers else None))
            self._inferred_input = True
        self.built = True

    def __call__(self, *args, **kwargs):
        if self._inferred_input and args and not any(isinstance(x, KerasTensor) for x in nest.flatten(args[0])):
            self._relax_inferred_input(nest.flatten(args[0])[0])
        return super().__call__(*args, **kwargs)

    def _relax_inferred_input(self, data):
        """Rebuild for data of another shape, as tf.keras 2 does when the input shape was inferred (not given).

        A model built on ``(None, 1, 19)`` and called on ``(32, 24, 19)`` gets the Input ``(None, None, 19)``:
        the axes that differ become unknown. When the layers cannot take the relaxed shape (a ``Flatten`` before
        a built ``Dense``) or the rank differs, the model keeps its Input and the call runs the layers on the data
        (``call``), whose own checks decide, as in tf.keras 2.
        """
        shape = tuple(data.shape) if hasattr(data, "shape") else np.shape(data)
        current = self._input_tensor
        if len(shape) != len(current.shape):
            return
        relaxed = tuple(c if c == s else None for c, s in zip(current.shape, shape))
        if relaxed == tuple(current.shape):
            return
        self._forget_graph_nodes()
        try:
            self._set_input(Input(batch_shape=relaxed, dtype=current.dtype, name=current.name))
        except (ValueError, TypeError):
            self._forget_graph_nodes()
            self._set_input(current)

    def _forget_graph_nodes(self):
        """Take the nodes of the model's current graph off its layers before a rebuild (as tf.keras 2 does), so
        that each layer's ``output_shape`` is the new graph's; only a layer's latest nodes (node indices stay
        valid)."""
        ids = getattr(self, "_network_node_ids", set())
        for layer in reversed(self._seq_layers):
            while layer._inbound_nodes and id(layer._inbound_nodes[-1]) in ids:
                node = layer._inbound_nodes.pop()
                for x in node.input_tensors:
                    upstream = x._keras_history[0]._outbound_nodes
                    upstream[:] = [n for n in upstream if n is not node]

    def _build_on_call(self, inputs):
        if self._input_tensor is None and self._seq_layers:
            first = nest.flatten(inputs)[0]
            shape = tuple(np.shape(first)) if not hasattr(first, "shape") else tuple(first.shape)
            # text (a TextVectorization first) gets a string Input, as tf.keras 2 takes the data's dtype
            self._build_input((None,) + shape[1:], "string" if _is_text(first) else self.dtype)

    def _string_input_positions(self) -> tuple:
        """As ``Model``'s; before the first call, text is accepted when the first layer takes strings (a
        ``TextVectorization``, or a lookup layer with a string vocabulary)."""
        if self._input_tensor is None:
            first = self._seq_layers[0] if self._seq_layers else None
            takes_text = first is not None and (first.dtype == "string" or (
                getattr(first, "vocabulary_dtype", None) == "string" and not getattr(first, "invert", False)))
            return (0,) if takes_text else ()
        return super()._string_input_positions()

    def call(self, inputs, training=None, mask=None):
        if not self._seq_layers:
            raise ValueError(f"Sequential {self.name!r} has no layers; add some before calling it.")
        if self._input_tensor is not None:
            # An Input inferred from a first call (not given) is no contract, as in tf.keras 2: a stack built on
            # an unbatched image (H, W, C) also takes batches (N, H, W, C), as its layers do.
            inputs = self._match_inputs(inputs, check_shapes=not self._inferred_input)[0]
        x = inputs
        if mask is not None and isinstance(x, Tensor):
            x._keras_mask = mask if isinstance(mask, Tensor) else Tensor(np.asarray(mask, dtype=bool))
        for layer in self._seq_layers:
            x = layer(x, training=training)
        return x

    @property
    def _is_layer_graph(self) -> bool:
        return True

    def get_build_config(self):
        if not self.built:
            return None
        return {"input_shape": list(self.input_shape) if self._input_tensor is not None else None}

    def get_config(self) -> dict:
        """``{"name", "layers"}``: the InputLayer (when there is one) then each layer's ``{"class_name", "config"}``."""
        layers = [serialize_layer(self._input_tensor._keras_history[0])] if self._input_tensor is not None else []
        # One entry per position: a layer added twice is written twice (its later entries name the same layer,
        # which from_config reuses); tf.keras 2 writes it once and so loses the second application.
        layers.extend(serialize_layer(layer) for layer in self._seq_layers)
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        entries = config.get("layers")
        if not isinstance(entries, list):
            raise ValueError("Sequential config is invalid: 'layers' should be a list of layer configs.")
        model = cls(name=config.get("name"))
        for entry in entries:
            name = (entry.get("config") or {}).get("name") if isinstance(entry, dict) else None
            earlier = [la for la in model._seq_layers if name is not None and la.name == name]
            if earlier:  # the same layer added twice (see get_config)
                model.add(earlier[0])
                continue
            layer = deserialize_layer(entry, custom_objects)
            model.add(layer._inbound_nodes[0].output_tensors[0] if isinstance(layer, InputLayer) else layer)
        shape = config.get("build_input_shape")
        if not model.built and isinstance(shape, (list, tuple)) and model.layers:
            model.build(tuple(shape))
        return model


registry.register("models", Sequential)
registry.register("layers", Sequential)
