"""``chainrule.onnx``: export Sequential and functional models to ONNX, to serve them with onnxruntime.

::

    import chainrule.onnx
    chainrule.onnx.export(model, "model.onnx")       # or model.export("model.onnx", format="onnx")

    import onnxruntime as ort
    session = ort.InferenceSession("model.onnx")
    probabilities = session.run(None, {session.get_inputs()[0].name: x.astype("float32")})[0]

The file holds the model's inference graph (Dropout and the random augmentation layers are the
identity, BatchNormalization uses its moving statistics) with the weights as initializers, opset 17 by
default, one input per model input named after its ``Input`` layer and one output per model output named
after the layer that makes it. The batch axis (and any other axis the model leaves as ``None``) is a
symbolic dimension, so any batch size runs. Needs the optional ``onnx`` package:
``pip install 'chainrule[onnx]'``.

What exports
------------
Sequential and functional models (nested models inlined; branches no output needs, such as
``add_loss`` ones, left out) built from:

- core: Dense, Activation and the activation layers, Dropout/SpatialDropout, Flatten, Reshape,
  Rescaling, Normalization, Discretization, CategoryEncoding, BatchNormalization, the merging layers,
  and the functional-API ops (``x + y``, ``x[:, 1:]``, ``chainrule.reduce_mean(x, axis=1)``, reshape,
  transpose, concat, matmul, cast, softmax...);
- images: Conv1D/2D/3D (strides, dilation, groups, 'valid'/'same'/'causal'), Conv1D/2D/3DTranspose
  (output_padding), DepthwiseConv1D/2D, SeparableConv1D/2D, Max/AveragePooling1D/2D/3D,
  GlobalMax/AveragePooling1D/2D/3D, ZeroPadding, Cropping, UpSampling ('nearest', 'bilinear'), in both
  data formats; Resizing (also ``crop_to_aspect_ratio``), CenterCrop and the Random* layers at inference;
- sequences: Embedding, Masking, SimpleRNN, LSTM, GRU (both ``reset_after``; ``go_backwards``,
  ``return_sequences``, ``return_state``, initial states, ``time_major``), RNN over their cells or a
  StackedRNNCells of them, Bidirectional (every merge mode), TimeDistributed, RepeatVector;
- attention: LayerNormalization, EinsumDense, MultiHeadAttention (masks, ``attention_mask``,
  ``use_causal_mask``, attention scores, any ``attention_axes``), Attention and AdditiveAttention.

``registered_layers()`` lists them.

Recurrent layers become ONNX's RNN/LSTM/GRU ops (gates reordered). Fed a mask, or using an activation
those ops lack (``selu``, ``gelu``...), a recurrent layer is written instead as a ``Scan`` whose body is
the cell's step: Keras skips masked steps wherever they are (states carried through), which ONNX's
``sequence_lens`` cannot express.

Masks made in the model (``Embedding(mask_zero=True)``, ``Masking``) are followed through the graph:
layers that keep their input's mask pass it on, merging layers and feature-axis Concatenate combine
masks, and the recurrent layers, Bidirectional, GlobalAveragePooling1D, MultiHeadAttention, Attention and
AdditiveAttention apply them.

Refused, with an :class:`ExportError` naming the layer and the reason: subclassed models and Sequential
models without an input shape, layers without a converter (custom ``Layer`` subclasses, Lambda, the
string preprocessing layers, an ``RNN`` of a custom cell), custom activation functions, functional-API
ops without a converter, stateful recurrent layers, a mask given as ``mask=``,
a mask that reaches a layer whose converter cannot apply it (a nested model, a mask the export could not
follow, such as the one of a time-axis Concatenate), Resizing(crop_to_aspect_ratio=True), CenterCrop and
RandomCrop on images of unknown size, causal attention masks over an unknown number of steps,
convolutions on inputs with extra batch axes, and TimeDistributed over a layer with several inputs.

Converters: one function per layer class
-----------------------------------------
Each layer class is turned into ONNX nodes by a converter registered for it in one table
(:mod:`chainrule.onnx.registry`); the built-in ones live in :mod:`chainrule.onnx.layers`, one module per
family (core, conv, sequence, attention, functional_ops, preprocessing). A layer subclass without its own
converter uses its closest base class's. A converter has this contract::

    @register_converter(Dense)
    def convert_dense(ctx: ConversionContext, layer: Dense, inputs: list[str], node: Node) -> list[str]:
        x = ctx.cast_to(inputs[0], node.input_tensors[0].dtype, layer.dtype)
        y = ctx.op("MatMul", [x, ctx.weight(layer.kernel, f"{layer.name}/kernel")])
        ...
        return [ctx.activation(layer.activation, y, layer)]

- ``layer`` is the built layer; read its weights with :meth:`ConversionContext.weight` (they become
  initializers) and its hyper-parameters from its attributes.
- ``inputs`` holds the ONNX value names of the call's inputs, one per tensor in
  ``node.input_tensors`` (flattened, in order: a merging layer gets several).
- ``node`` is the :class:`~chainrule.keras.layers.Node` of this call: ``node.input_tensors`` and
  ``node.output_tensors`` are KerasTensors with ``shape`` (``None`` for unknown axes) and ``dtype``;
  ``node.call_kwargs`` holds the call's keyword arguments. ``node`` is ``None`` when a layer is used
  as another layer's activation (``Dense(activation=LeakyReLU())``): such converters read only
  ``inputs``.
- Return one ONNX value name per tensor of ``node.output_tensors``, in order. Emit nodes only through
  ``ctx`` (:meth:`~ConversionContext.op`, :meth:`~ConversionContext.constant`,
  :meth:`~ConversionContext.ints`, :meth:`~ConversionContext.weight`,
  :meth:`~ConversionContext.activation`), which keeps names unique and the opset known (``ctx.opset``).
- A layer that holds other layers (a custom block, a wrapper) converts them with
  :meth:`~ConversionContext.convert_sublayer`, giving their input and output ``(shape, dtype)``; the
  tests convert the custom ``TransformerBlock`` and ``TokenAndPositionEmbedding`` of
  ``examples/imdb_transformer.py`` this way.
- Masks: a layer that makes one records it with :meth:`~ConversionContext.set_mask`; a layer that
  applies its inputs' masks reads them with :meth:`~ConversionContext.mask_of` (or declares it does
  not need them with :meth:`~ConversionContext.mask_not_needed`). A layer whose ``call`` takes ``mask``,
  fed a mask its converter did not read, is refused.
- Convert inference behaviour only (``training=False``). Refuse what ONNX cannot express with
  :class:`ExportError` naming the layer and the setting.
- Add a test to ``tests/test_onnx_export.py`` or ``tests/test_onnx_export_layers.py`` that runs a model
  with the layer in onnxruntime and compares it with ``model.predict`` (float32 tolerance).
"""
from .context import ConversionContext, ExportError
from .registry import converter_for, register_converter, registered_layers
from . import layers  # noqa: F401  (registers the built-in converters)
from .export import DEFAULT_OPSET, export, to_model_proto

__all__ = ["ConversionContext", "ExportError", "DEFAULT_OPSET", "converter_for", "export", "register_converter",
           "registered_layers", "to_model_proto"]
