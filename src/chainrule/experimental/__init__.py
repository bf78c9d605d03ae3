"""``chainrule.experimental``: TensorFlow's ``tf.experimental`` namespace (``numpy`` so far)."""
from . import numpy  # noqa: F401
