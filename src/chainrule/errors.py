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


class NotFoundError(OpError, FileNotFoundError):
    """A file or other entity was not found (``tf.io.gfile`` on a missing path); also a ``FileNotFoundError``."""


class AlreadyExistsError(OpError, FileExistsError):
    """An entity that was to be created already exists; also a ``FileExistsError``."""


class PermissionDeniedError(OpError, PermissionError):
    """The caller may not perform the operation; also a ``PermissionError``."""


class FailedPreconditionError(OpError):
    """The system is not in a state the operation needs (e.g. reading an uninitialized value)."""


class OutOfRangeError(OpError):
    """An iterator or a read went past the end of its input."""


class UnimplementedError(OpError, NotImplementedError):
    """The operation is not implemented (e.g. casting a string to a number); also a ``NotImplementedError``."""


class InternalError(OpError):
    """An internal invariant broke."""


class UnknownError(OpError):
    """An error of no other kind."""


class DataLossError(OpError):
    """Unrecoverable data loss or corruption (e.g. a truncated serialized tensor)."""


class AbortedError(OpError):
    """The operation was aborted."""


class CancelledError(OpError):
    """The operation was cancelled."""


class DeadlineExceededError(OpError):
    """A deadline expired before the operation completed."""


class UnavailableError(OpError):
    """The runtime is currently unavailable."""


class UnauthenticatedError(OpError):
    """The request has no valid credentials."""


class _IndexOutOfBoundsError(InvalidArgumentError, IndexError):
    """TensorFlow's error for an index past the end, also an ``IndexError`` for code written for numpy."""


_IndexOutOfBoundsError.__name__ = _IndexOutOfBoundsError.__qualname__ = "InvalidArgumentError"  # as printed by TF
