"""TensorFlow's ``tf.__operators__`` functions: ``add`` (the ``+`` operator) and ``getitem`` (``x[...]``).

They exist as functions so that ``+`` and indexing on a Keras tensor of the functional API can be
recorded as a layer (``tf.__operators__.add``, ``tf.__operators__.getitem``), as tf.keras 2 does;
on Tensors they are the operators themselves.
"""
from __future__ import annotations

from . import _dispatch
from . import ops as _ops
from .tensor import as_tensor, binary


def add(x, y, name=None):
    """``x + y`` with TensorFlow's operand rules (strings concatenate, as AddV2 does)."""
    return binary(_ops.Add, x, y, "AddV2")


def getitem(tensor, slice_spec, var=None):
    """``tensor[slice_spec]``: numpy-style indexing (ints, slices, ``...``, ``None``, index tensors)."""
    return as_tensor(tensor)[slice_spec]


# Called on Keras tensors of the functional API, these functions become layers of the model (TFOpLambda).
_dispatch.add_dispatch_support(globals())
