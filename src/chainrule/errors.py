"""Exception types with TensorFlow's names.

``InvalidArgumentError`` subclasses ``ValueError`` so that code catching the
Python built-in keeps working.
"""


class OpError(Exception):
    """Base of the errors an op raises at run time (TensorFlow's ``tf.errors.OpError``)."""

    def __init__(self, message, op=None):
        super().__init__(message)
        self.message = message
        self.op = op


class InvalidArgumentError(OpError, ValueError):
    """An op received an argument it cannot compute with (wrong dtype, shape or value)."""


class ResourceExhaustedError(OpError):
    """An op ran out of memory."""
