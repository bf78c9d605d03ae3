"""The ONNX converters of chainrule's layers, one module per family, all registered in one table.

Every function here follows the converter contract of :mod:`chainrule.onnx`:
``convert(ctx, layer, inputs, node) -> output names``, registered with ``@register_converter(TheLayer)``
in :mod:`chainrule.onnx.registry`:

- :mod:`.core`: Dense, Activation, Dropout, Flatten, Reshape, Rescaling, BatchNormalization, the
  activation layers, the merging layers and nested models;
- :mod:`.conv`: convolutions (plain, transposed, depthwise, separable), pooling, padding, cropping,
  up-sampling, spatial dropout and the image preprocessing layers;
- :mod:`.sequence`: Embedding, Masking, SimpleRNN/LSTM/GRU, Bidirectional, TimeDistributed,
  RepeatVector and 1-D global pooling;
- :mod:`.attention`: LayerNormalization, EinsumDense, MultiHeadAttention, Attention, AdditiveAttention;
- :mod:`.functional_ops`: the functional-API op layers (``x + y``, ``x[:, 1:]``, ``reduce_mean``...);
- :mod:`.preprocessing`: Discretization and CategoryEncoding.
"""
from . import attention, conv, core, functional_ops, preprocessing, sequence  # noqa: F401  (registers them)
