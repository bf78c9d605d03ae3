"""``chainrule.onnx``: export Sequential and functional models to ONNX, to serve them with onnxruntime.

::

    import chainrule.onnx
    chainrule.onnx.export(model, "model.onnx")       # or model.export("model.onnx", format="onnx")

    import onnxruntime as ort
    session = ort.InferenceSession("model.onnx")
    probabilities = session.run(None, {session.get_inputs()[0].name: x.astype("float32")})[0]

The file holds the model's inference graph (Dropout is the identity, BatchNormalization uses its
moving statistics) with the weights as initializers, opset 17 by default, one input per model input
named after its ``Input`` layer and one output per model output named after the layer that makes it.
The batch axis (and any other axis the model leaves as ``None``) is a symbolic dimension, so any
batch size runs. Needs the optional ``onnx`` package: ``pip install 'chainrule[onnx]'``.

Converters: one function per layer class
-----------------------------------------
Each layer class is turned into ONNX nodes by a converter registered for it in one place,
:mod:`chainrule.onnx.layers` (a layer subclass without its own converter uses its closest base
class's). A converter has this contract::

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
  :meth:`~ConversionContext.weight`, :meth:`~ConversionContext.activation`), which keeps names unique
  and the opset known (``ctx.opset``).
- Convert inference behaviour only (``training=False``). Refuse what ONNX cannot express with
  :class:`ExportError` naming the layer and the setting.
- Add a test to ``tests/test_onnx_export.py`` that runs a model with the layer in onnxruntime and
  compares it with ``model.predict`` (float32 tolerance).
"""
from .context import ConversionContext, ExportError
from .registry import converter_for, register_converter, registered_layers
from . import layers  # noqa: F401  (registers the built-in converters)
from .export import DEFAULT_OPSET, export, to_model_proto

__all__ = ["ConversionContext", "ExportError", "DEFAULT_OPSET", "converter_for", "export", "register_converter",
           "registered_layers", "to_model_proto"]
