"""Model: a Layer with training methods, built three ways.

* Functional: ``Model(inputs=..., outputs=...)`` over a graph of layer calls
  recorded from ``Input`` tensors; it runs the recorded nodes in order.
* Subclassing: ``class MyModel(Model)`` with layers as attributes and a ``call``.
* Sequential (see ``sequential.py``): a functional graph grown one layer at a time.
"""
from __future__ import annotations

import collections
import warnings

import numpy as np

from ... import nest
from ...dtypes import string
from ...functions import cast, expand_dims, squeeze
from ...tensor import Tensor
from ..layers.base import KerasTensor, Layer, _for_user_code
from ..layers.core import Input, InputLayer
from ..layers.graph_losses import AddLoss, AddMetric
from .. import registry
from ..trainers import Trainer
from ..utils.summary import print_summary
from .functional import functional_config, functional_from_config, map_graph
from ..._suggest import did_you_mean, did_you_mean_argument, init_arguments



def _unique_output_names(names):
    """The output layers' names, a repeated one suffixed ``_1``, ``_2`` ... (two outputs of one layer, such as
    an RNN returning a tuple), as tf.keras 2 names them: ``['rnn', 'rnn_1']``."""
    unique, counts = [], {}
    for name in names:
        proposal = name
        while proposal in unique:
            counts[name] = counts.get(name, 1)
            proposal = f"{name}_{counts[name]}"
            counts[name] += 1
        unique.append(proposal)
    return unique

class Model(Trainer, Layer):
    """A group of layers with ``compile``/``fit``/``evaluate``/``predict``, ``summary`` and saving.

    ``Model(inputs, outputs, name=None)`` builds a functional model; subclass it
    and define ``call(inputs, training=None)`` for a subclassed model.

    Args:
        *args: ``inputs`` and ``outputs`` positionally, for a functional model.
        **kwargs: ``inputs``: the ``keras.Input`` tensor(s); ``outputs``: the tensor(s) computed from them
            (a functional model); ``name``; ``trainable``; ``dtype``; ``input_shape``/``input_dim``/
            ``batch_input_shape`` for a subclassed model.

    Raises:
        TypeError: an unknown keyword argument (naming the closest valid one).
        ValueError: outputs that are not computed from the inputs.
    """

    # The layers inside put the masks on the outputs while the graph runs (tf.keras 2's Functional).
    _compute_output_and_mask_jointly = True

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", None)
        outputs = kwargs.pop("outputs", None)
        if len(args) == 1 and inputs is None and outputs is None and not any(
                isinstance(t, KerasTensor) for t in nest.flatten(args[0])):
            # tf.keras 2 reads one positional argument without outputs as a subclassed model's and drops it:
            # TensorFlow's text-generation tutorial writes super().__init__(self).
            args = ()
        if args:
            inputs = args[0] if inputs is None else inputs
            if len(args) > 1:
                outputs = args[1] if outputs is None else outputs
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        layer_kwargs = {k: kwargs.pop(k) for k in ("dtype", "input_shape", "input_dim", "batch_input_shape")
                        if k in kwargs}
        if kwargs:
            hint = did_you_mean_argument(init_arguments(type(self)) + ["inputs", "outputs", "input_shape", "input_dim",
                                                                       "batch_input_shape"], sorted(kwargs))
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}.{hint}")
        Layer.__init__(self, name=name, trainable=trainable, **layer_kwargs)
        Trainer.__init__(self)
        self._is_graph_network = False
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("Model: give both `inputs` and `outputs` for a functional model.")
            self._init_graph_network(inputs, outputs)

    # ------------------------------------------------------------------ functional graph
    def _init_graph_network(self, inputs, outputs):
        # As tf.keras 2: a model built from a list of one tensor takes and returns a single tensor.
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            inputs = inputs[0]
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        for i, t in enumerate(nest.flatten(inputs)):
            if not isinstance(t, KerasTensor):
                raise ValueError(f"Model {self.name!r}: input #{i} must come from `keras.Input(...)`, got "
                                 f"{t!r}. Create the inputs with Input(shape=...) and build the graph from them.")
        for i, t in enumerate(nest.flatten(outputs)):
            if not isinstance(t, KerasTensor):
                raise ValueError(f"Model {self.name!r}: output #{i} must be the result of calling layers on "
                                 f"Input tensors, got {type(t).__name__}.")
        inputs, outputs = self._from_fresh_inputs(inputs, outputs)
        self._nested_inputs, self._nested_outputs = inputs, outputs
        self.inputs = nest.flatten(inputs)
        self.outputs = nest.flatten(outputs)
        nodes, layers, by_depth = map_graph(self.inputs, self.outputs, self.name)
        self._execution_nodes = [n for n in nodes if not n.is_input]
        self._nodes_by_depth = by_depth
        self._network_node_ids = {id(n) for n in nodes}
        self._graph_layers = layers  # tracked as sub-layers by Layer.__setattr__
        counts = collections.Counter(layer.name for layer in layers)
        dupes = sorted(name for name, count in counts.items() if count > 1)
        if dupes:
            raise ValueError(f"Model {self.name!r}: the name {dupes[0]!r} is used {counts[dupes[0]]} times "
                             "in the model. All layer names should be unique; pass distinct `name=` arguments.")
        self.input_names = [t._keras_history[0].name for t in self.inputs]
        self.output_names = _unique_output_names([t._keras_history[0].name for t in self.outputs])
        self._is_graph_network = True
        self.built = True

    def _from_fresh_inputs(self, inputs, outputs):
        """``(inputs, outputs)`` with every input that is a layer's output (not an ``Input``) replaced, as tf.keras 2
        does (``clone_graph_nodes``, with a logged warning): a fresh ``Input`` of its shape and dtype takes its
        place, and the calls between it and the outputs are made again on it, so the model is an ordinary graph
        (its summary starts with the new ``input_N``; it saves and loads). keras.io's FeatureSpace example trains a
        ``Model(inputs=encoded_features)`` so."""
        flat = nest.flatten(inputs)
        inner = [t for t in flat if not isinstance(t._keras_history[0], InputLayer)]
        if not inner:
            return inputs, outputs
        for t in inner:
            warnings.warn(
                "Model inputs must come from `tf.keras.Input` (thus holding past layer metadata). They cannot be the "
                f"output of a previous non-Input layer. Here, a tensor specified as input to \"{self.name}\" was not "
                f"an Input tensor, it was generated by layer \"{t._keras_history[0].name}\".\nNote that input tensors "
                f"are instantiated via `tensor = tf.keras.Input(shape)`.\nThe tensor that caused the issue was: {t}",
                stacklevel=4)
        nodes, _, _ = map_graph(flat, nest.flatten(outputs), self.name)
        values = {id(t): t if isinstance(t._keras_history[0], InputLayer)
                  else Input(batch_shape=tuple(t.shape), dtype=t.dtype.name) for t in flat}
        for node in nodes:
            if node.is_input or all(id(t) in values for t in node.output_tensors):
                continue
            out = node.replay(lambda t: values[id(t)], None)
            for t, v in zip(node.output_tensors, nest.flatten(out)):
                values[id(t)] = v
        return (nest.map_structure(lambda t: values[id(t)], inputs),
                nest.map_structure(lambda t: values.get(id(t), t), outputs))

    def _extend_graph(self, tensor) -> None:
        """Run the calls that produce ``tensor`` (a KerasTensor computed from this model's inputs) in every
        forward pass too, after the model's own (tf.keras 2's ``_insert_layers``): how ``add_loss`` and
        ``add_metric`` of Keras tensors join the model."""
        nodes, _, _ = map_graph(self.inputs, [tensor], self.name)
        new_nodes = [n for n in nodes if id(n) not in self._network_node_ids and not n.is_input]
        if not new_nodes:
            return
        known = {id(layer) for layer in self._graph_layers}
        new_layers = []
        for node in new_nodes:
            if id(node.layer) not in known:
                known.add(id(node.layer))
                new_layers.append(node.layer)
        self._execution_nodes = self._execution_nodes + new_nodes
        self._network_node_ids = self._network_node_ids | {id(n) for n in new_nodes}
        lowest = min(self._nodes_by_depth) if self._nodes_by_depth else 0
        for i, node in enumerate(new_nodes):
            self._nodes_by_depth[lowest - 1 - i] = [node]
        self._graph_layers = self._graph_layers + new_layers  # assigned: the new layers are tracked

    def _add_graph_endpoint(self, layer, tensor, what):
        if not self._is_graph_network:
            raise ValueError(f"Model {self.name!r}: {what} takes a Keras tensor only in a functional model (built "
                             "from keras.Input). In a subclassed model, call it inside call() with a tensor.")
        self._extend_graph(layer(tensor))

    def add_loss(self, losses) -> None:
        """Add a loss: a tensor computed in ``call``, or (functional model) a Keras tensor of the graph, such as
        ``model.add_loss(chainrule.reduce_sum(x1) * 0.1)``, computed on every forward pass (an ``AddLoss`` layer)."""
        if isinstance(losses, KerasTensor):
            return self._add_graph_endpoint(AddLoss(unconditional=False), losses, "add_loss")
        return Layer.add_loss(self, losses)

    def add_metric(self, value, name=None, aggregation=None, **kwargs) -> None:
        """As :meth:`Layer.add_metric`; a Keras tensor of a functional model is averaged on every forward pass
        (an ``AddMetric`` layer), as ``model.add_metric(keras.backend.std(x1), name='std_of_activation')``."""
        if isinstance(value, KerasTensor):
            if name is None:
                raise ValueError(f"Model {self.name!r}: please provide a name for your metric, like "
                                 "`model.add_metric(tensor, name='mean_activation')`.")
            return self._add_graph_endpoint(AddMetric(aggregation=aggregation, metric_name=name), value, "add_metric")
        return Layer.add_metric(self, value, name=name, aggregation=aggregation, **kwargs)

    def _run_graph(self, inputs, training=None, mask=None):
        flat_in = self._match_inputs(inputs)
        if mask is not None:  # an explicit mask for the inputs (tf.keras: Functional.call(inputs, mask=...))
            for x, m in zip(flat_in, nest.flatten(mask)):
                if m is not None:
                    x._keras_mask = m if isinstance(m, Tensor) else Tensor(np.asarray(m, dtype=bool))
        values = {id(t): v for t, v in zip(self.inputs, flat_in)}
        for node in self._execution_nodes:
            out = node.replay(lambda t: values[id(t)], training)
            for t, v in zip(node.output_tensors, nest.flatten(out)):
                values[id(t)] = v
        return nest.map_structure(lambda t: values[id(t)], self._nested_outputs)

    def _match_inputs(self, inputs, check_shapes=True) -> list:
        """The given inputs in the order of ``self.inputs`` (accepts one tensor, a list or a dict by name);
        ``check_shapes=False`` passes data whose shape does not fit an Input on unchanged (a Sequential's Input
        inferred from an earlier call: tf.keras 2 checks no input spec there)."""
        n = len(self.inputs)
        if isinstance(inputs, dict):
            missing = [name for name in self.input_names if name not in inputs]
            if missing:
                raise ValueError(f"Model {self.name!r}: missing data for input(s) {missing}; expected keys "
                                 f"{self.input_names}, got {sorted(inputs)}.")
            flat = [inputs[name] for name in self.input_names]
        elif isinstance(inputs, (list, tuple)) and n > 1:
            flat = list(inputs)
        elif isinstance(inputs, (list, tuple)) and n == 1 and len(inputs) == 1 and not np.isscalar(inputs[0]) \
                and np.ndim(inputs[0]) >= 1:
            flat = [inputs[0]]
        else:
            flat = [inputs]
        if len(flat) != n:
            raise ValueError(f"Model {self.name!r} expects {n} input(s) {self.input_names}, but received "
                             f"{len(flat)} input tensors.")
        out = []
        for i, (t, x) in enumerate(zip(self.inputs, flat)):
            layer = t._keras_history[0]
            mask = getattr(x, "_keras_mask", None)
            x = layer._convert_input(x)
            if isinstance(x, Tensor) and not isinstance(x, KerasTensor) and x.dtype != t.dtype and \
                    x.dtype != string and t.dtype != string:
                x = cast(x, t.dtype)  # as tf.keras 2's Functional: the data takes its Input's dtype (int64 -> float32)
            if mask is not None and getattr(x, "_keras_mask", None) is None:  # a cast copy keeps the mask
                x._keras_mask = mask
            expected = t.shape
            got = tuple(x.shape)
            # As tf.keras 2: a column of shape (N,) feeds an Input(shape=(1,)), and (N, 1) an Input(shape=()).
            if len(got) == len(expected) - 1 and expected[-1] == 1:
                x, got = expand_dims(x, -1), got + (1,)
            elif len(got) == len(expected) + 1 and got[-1] == 1:
                x, got = squeeze(x, axis=-1), got[:-1]
            if check_shapes and (len(got) != len(expected)
                                 or any(e is not None and e != g for e, g in zip(expected, got))):
                raise ValueError(
                    f"Input {i} of layer {self.name!r} is incompatible with the layer: expected "
                    f"shape={expected}, found shape={got}. Reshape the data to {expected[1:]} per sample "
                    f"(input {layer.name!r}).")
            out.append(x)
        return out

    # ------------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        if not self.built and not self._is_graph_network and args and not any(
                isinstance(x, KerasTensor) for x in nest.flatten(args[0])):
            self._build_on_call(args[0])
        return Layer.__call__(self, *args, **kwargs)

    def _build_on_call(self, inputs):
        """Hook for Sequential's deferred build; subclassed models build their layers on the fly."""

    def _defines_call(self) -> bool:
        # A subclass that only overrides train_step/test_step (keras.io's Distiller) is never called by fit,
        # as in tf.keras.
        return self._is_graph_network or type(self).call is not Model.call

    def call(self, inputs, training=None, mask=None):
        if self._is_graph_network:
            return self._run_graph(inputs, training=training, mask=mask)
        # tf.keras 2's text first, then which model and what to do
        raise NotImplementedError(
            "Unimplemented `tf.keras.Model.call()`: if you intend to create a `Model` with the Functional API, "
            "please provide `inputs` and `outputs` arguments. Otherwise, subclass `Model` with an overridden "
            f"`call()` method. (Model {self.name!r}: a subclassed Model must implement `call(self, inputs)`.)")

    def _convert_input(self, x):
        if self._is_graph_network:
            return x  # each Input converts its own data with its dtype
        return Layer._convert_input(self, x)

    def build(self, input_shape):
        """Build a subclassed model by calling it on zeros of ``input_shape`` (batch axis may be None)."""
        if self._is_graph_network:
            self.built = True
            return
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        dummies = [np.zeros(tuple(1 if d is None else d for d in s), dtype=self.dtype) for s in shapes]
        self.built = True
        self._build_input_shape = input_shape
        Layer.__call__(self, dummies if isinstance(input_shape, list) else dummies[0], training=False)

    def _maybe_build(self, input_shapes):
        if not self.built:
            shapes = input_shapes[0] if len(input_shapes) == 1 else input_shapes
            self._build_input_shape = shapes
            self._scope_sublayers()
            if not self._is_graph_network and type(self).build is not Model.build:
                # A subclass's own build(input_shape) (creating layers that depend on the input size), called
                # on the first call as tf.keras calls it; its super().build(shape) runs Model.build below.
                self.build(_for_user_code(type(self).build, shapes))
            self.built = True

    def compute_mask(self, inputs, mask=None):
        """The output masks of a functional model for ``inputs`` (runs the graph, as tf.keras 2 does)."""
        if not self._is_graph_network:
            return Layer.compute_mask(self, inputs, mask)
        outputs = self._run_graph(inputs, training=False, mask=mask)
        return nest.map_structure(lambda t: getattr(t, "_keras_mask", None), outputs)

    def _string_input_positions(self) -> tuple:
        """The positions of the model's string inputs (``Input(dtype='string')`` before a ``TextVectorization``),
        where ``fit``/``predict`` data may be text (``data_adapter.check_finite_numeric(string_inputs=...)``)."""
        if not self._is_graph_network:
            return ()
        return tuple(i for i, t in enumerate(self.inputs) if t.dtype.name == "string")

    def reset_states(self):
        """Reset the states of every stateful layer (stateful RNNs), as tf.keras 2's ``Model.reset_states``."""
        for layer in self.layers:
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()

    # ------------------------------------------------------------------ introspection
    @property
    def layers(self) -> list:
        """The model's layers: graph order for functional models, attribute order for subclassed ones."""
        if self._is_graph_network:
            return list(self._graph_layers)
        return list(self._tracked_layers)

    def get_layer(self, name=None, index=None):
        """The layer named ``name`` or at position ``index`` of ``layers``."""
        if index is not None and name is not None:
            raise ValueError("get_layer: provide only `name` or `index`, not both.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model {self.name!r} only "
                                 f"has {len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            hint = did_you_mean(str(name), [la.name for la in layers])
            raise ValueError(f"No such layer: {name}. Existing layers are: {[la.name for la in layers]}.{hint}")
        raise ValueError("get_layer: provide either a layer name or a layer index.")

    @property
    def input(self):
        """The model's Keras input tensor(s) (a functional model), as given to ``Model(inputs=...)``."""
        if self._is_graph_network:
            return self._nested_inputs
        return Layer.input.fget(self)

    @property
    def output(self):
        """The model's Keras output tensor(s) (a functional model)."""
        if self._is_graph_network:
            return self._nested_outputs
        return Layer.output.fget(self)

    @property
    def input_shape(self):
        if self._is_graph_network:
            shapes = [tuple(t.shape) for t in self.inputs]
            return shapes[0] if len(shapes) == 1 else shapes
        return Layer.input_shape.fget(self)

    @property
    def output_shape(self):
        if self._is_graph_network:  # in the nesting the outputs were given in (a tuple stays a tuple), as tf.keras 2
            return nest.map_structure(lambda t: tuple(t.shape), self._nested_outputs)
        return Layer.output_shape.fget(self)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print the layer table with output shapes and parameter counts, as tf.keras 2 does."""
        if not self.built:
            if hasattr(self, "_seq_layers"):
                how = ("give the first layer input_shape=... or start with keras.Input(shape=...), or call "
                       "model.build((None, n_features))")
            else:
                how = "call model.build((None, n_features)) or run the model once on data, model(x[:1])"
            raise ValueError("This model has not yet been built. Build the model first by calling `build()` or "
                             f"by calling the model on a batch of data. (model {self.name!r}: {how}.)")
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)

    # ------------------------------------------------------------------ saving (keras/saving/)
    # The saving package is a floor above the models (it writes and reads them), so these façades
    # import it when called.
    def save(self, filepath, overwrite=True, save_format=None, include_optimizer=True, **kwargs):
        """Save architecture, weights and compile state: ``.keras`` (zip), ``.h5`` (legacy HDF5), or for any other
        name (``save_format='tf'``) a SavedModel-like directory that chainrule loads back (TensorFlow cannot)."""
        from ..saving import save_model  # façade: saving is a higher floor
        save_model(self, filepath, overwrite=overwrite, save_format=save_format,
                   include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, save_format=None, **kwargs):
        """Save only the weights: ``.weights.h5``/``.h5``, or for any other name tf.keras 2's checkpoint files
        (``<name>.index``, ``<name>.data-00000-of-00001``; chainrule's content)."""
        from ..saving import save_weights  # façade: saving is a higher floor
        save_weights(self, filepath, overwrite=overwrite, save_format=save_format)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, **kwargs):
        """Load weights saved by ``save_weights`` (or a full ``.h5``/``.keras`` file, or a saved directory) into
        this model; for checkpoint files, returns the restore status (``.expect_partial()``...)."""
        from ..saving import load_weights  # façade: saving is a higher floor
        return load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs) -> str:
        """The architecture as a JSON string (``keras.models.model_from_json`` rebuilds it)."""
        from ..saving import model_to_json  # façade: saving is a higher floor
        return model_to_json(self, **kwargs)

    def export(self, filepath, format="tf_saved_model", verbose=True, **kwargs):
        """Export the inference graph for serving elsewhere, as Keras 3's ``model.export``.

        Args:
            filepath: the file to write (``"model.onnx"``).
            format: ``"onnx"`` (an ONNX file for onnxruntime; needs ``pip install 'chainrule[onnx]'``).
                ``"tf_saved_model"``, Keras's default, is not provided by chainrule.
            verbose: print where the file went.
            **kwargs: passed to :func:`chainrule.onnx.export` (``opset=17``).

        Returns:
            The absolute path written.

        Raises:
            ValueError: an unknown ``format``, or a model or layer that cannot be exported (the message
                names it).
            ImportError: the ``onnx`` package is not installed.
        """
        if format != "onnx":
            raise ValueError(f"Model {self.name!r}: export format {format!r} is not provided by chainrule; use "
                             "format='onnx' (an ONNX file that onnxruntime serves), or model.save(...) for a "
                             "'.keras'/'.h5' file that tf.keras reads.")
        from ...onnx import export as export_onnx  # façade: chainrule.onnx is a higher floor (optional onnx)
        return export_onnx(self, filepath, verbose=verbose, **kwargs)

    def get_config(self) -> dict:
        if not self._is_graph_network:
            if type(self).get_config is Model.get_config:
                raise NotImplementedError(
                    f"Model {type(self).__name__!r} is a subclassed model: to save its architecture, implement "
                    "`get_config()` returning its constructor arguments (and `from_config` if needed), or save "
                    "only its weights with `save_weights(...)`.")
        return functional_config(self)

    def get_build_config(self):
        """``{"input_shape": ...}`` to rebuild the weights of a loaded model (None when unbuilt or not needed)."""
        if not self.built:
            return None
        if self._is_graph_network:
            return {"input_shape": None}
        shape = self._build_input_shape
        if shape is None:
            return None
        if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
            return {"input_shape": [list(s) for s in shape]}
        return {"input_shape": list(shape)}

    @property
    def _is_layer_graph(self) -> bool:
        """True when ``layers`` is a graph (or stack) that files record as a list; False for a subclassed model,
        saved attribute by attribute."""
        return self._is_graph_network

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "layers" in config and "input_layers" in config:
            return functional_from_config(cls, config, custom_objects)
        return cls(**config)


registry.register("models", Model, aliases={"Functional": Model}, base=Model)
registry.register("layers", Model, aliases={"Functional": Model})
