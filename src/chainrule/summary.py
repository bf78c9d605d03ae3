"""``chainrule.summary``: TensorFlow's ``tf.summary`` writers for TensorBoard, over the ``tensorboard`` package.

No TensorFlow is needed: the event files are written with the ``tensorboard``
package's own writer and summary protos (``pip install tensorboard``), in the
format ``tf.summary`` writes (``events.out.tfevents.*.v2``), so ``tensorboard
--logdir`` shows them::

    writer = chainrule.summary.create_file_writer("logs/run1")
    with writer.as_default(step=0):
        chainrule.summary.scalar("loss", 0.25)            # step from as_default
        chainrule.summary.histogram("weights", w, step=3)

``scalar``, ``histogram``, ``text`` and ``image`` need a step: the ``step=``
argument, ``as_default(step=...)`` or ``experimental.set_step``; without one they
raise ``ValueError`` as TensorFlow does. Without a default writer they write
nothing and return False. Graph tracing (``trace_on``/``trace_export``) has no
graph to record in chainrule: accepted, writes nothing.
"""
from __future__ import annotations

from ._missing import missing_attribute as _missing_attribute
import contextlib
import io as _pyio
import threading
import time
import types

import numpy as np

from . import _name_scope
from .tensor import Tensor

_INSTALL_HINT = ("chainrule.summary needs the `tensorboard` package (no TensorFlow required): "
                 "pip install tensorboard")

_state = threading.local()


def _default_writer():
    return getattr(_state, "writer", None)


def _require_tensorboard():
    try:
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    return EventFileWriter


def _as_numpy(value):
    if isinstance(value, Tensor):
        return value.numpy()
    return np.asarray(value)


class SummaryWriter:
    """Writes summaries to one event file in ``logdir`` (``create_file_writer`` makes one).

    ``as_default(step=None)`` makes it the writer ``scalar``/``histogram``/... use inside a
    ``with`` block (``set_as_default`` without one); ``flush()`` writes pending events to
    disk; ``close()`` flushes and closes the file.
    """

    def __init__(self, logdir, max_queue=None, flush_millis=None, filename_suffix=None):
        event_file_writer = _require_tensorboard()
        self.logdir = str(logdir)
        flush_secs = 120 if flush_millis is None else max(flush_millis / 1000.0, 0.001)
        try:
            self._writer = event_file_writer(self.logdir, max_queue_size=10 if max_queue is None else int(max_queue),
                                             flush_secs=flush_secs,
                                             filename_suffix=".v2" if filename_suffix is None else filename_suffix)
        except Exception as e:
            raise OSError(f"summary.create_file_writer: cannot write event files to {self.logdir!r} "
                          f"({type(e).__name__}: {e}).") from e
        self._closed = False

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Make this the default writer inside the ``with`` block (and ``step`` the default step, if given)."""
        previous_writer, previous_step = _default_writer(), getattr(_state, "step", None)
        _state.writer = self
        if step is not None:
            _state.step = step
        try:
            yield self
        finally:
            self.flush()
            _state.writer = previous_writer
            if step is not None:
                _state.step = previous_step

    def set_as_default(self, step=None):
        """Make this the default writer from now on (and ``step`` the default step, if given)."""
        _state.writer = self
        if step is not None:
            _state.step = step

    def init(self):
        """Nothing to do: the file is opened when the writer is made."""

    def _write(self, summary, step):
        if self._closed:
            raise RuntimeError(f"summary: the writer for {self.logdir!r} is closed.")
        from tensorboard.compat.proto import event_pb2
        self._writer.add_event(event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    def flush(self):
        """Write pending events to disk."""
        if not self._closed:
            self._writer.flush()

    def close(self):
        """Flush and close the event file."""
        if not self._closed:
            self._writer.close()
            self._closed = True


class _NoopWriter:
    """A writer that writes nothing (``create_noop_writer``)."""

    @contextlib.contextmanager
    def as_default(self, step=None):
        previous = _default_writer()
        _state.writer = None
        try:
            yield self
        finally:
            _state.writer = previous

    def set_as_default(self, step=None):
        _state.writer = None

    def init(self):
        pass

    def flush(self):
        pass

    def close(self):
        pass


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None,
                       experimental_trackable=False, experimental_mesh=None) -> SummaryWriter:
    """A :class:`SummaryWriter` for ``logdir`` (created if missing)."""
    return SummaryWriter(logdir, max_queue=max_queue, flush_millis=flush_millis, filename_suffix=filename_suffix)


def create_noop_writer():
    """A writer whose summaries go nowhere."""
    return _NoopWriter()


def flush(writer=None, name=None):
    """Flush ``writer`` (the default writer when None)."""
    w = writer if writer is not None else _default_writer()
    if w is not None:
        w.flush()


# ----------------------------------------------------------------------------- steps and recording switches

def _resolve_step(step):
    if step is None:
        step = getattr(_state, "step", None)
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument or through "
                         "tf.summary.experimental.set_step()")
    return int(_as_numpy(step))


def _set_step(step):
    """The step summaries use when none is given (a number or an int Variable, read when writing)."""
    _state.step = step


def _get_step():
    return getattr(_state, "step", None)


_recording = [True]


@contextlib.contextmanager
def record_if(condition):
    """Write summaries inside the block only when ``condition`` (a bool or a callable returning one) holds."""
    previous = _recording[0]
    _recording[0] = condition
    try:
        yield
    finally:
        _recording[0] = previous


def should_record_summaries() -> bool:
    """Whether a summary written now would be recorded (a default writer and ``record_if`` true)."""
    condition = _recording[0]
    condition = condition() if callable(condition) else condition
    return _default_writer() is not None and bool(_as_numpy(condition))


def _emit(summary_fn, step):
    writer = _default_writer()
    if writer is None or not should_record_summaries():
        return False
    writer._write(summary_fn(), _resolve_step(step))
    return True


# ----------------------------------------------------------------------------- summary kinds

def _tag(name):
    return _name_scope.current() + name


def scalar(name, data, step=None, description=None) -> bool:
    """Write the real number ``data`` under ``name`` at ``step``; True when written."""
    def build():
        from tensorboard.plugins.scalar.summary_v2 import scalar_pb
        value = _as_numpy(data)
        if value.size != 1:
            raise ValueError(f"summary.scalar: data must be a scalar, got shape {value.shape}.")
        return scalar_pb(_tag(name), np.asarray(value, dtype=np.float32).reshape(()), description)
    if _default_writer() is not None:
        _resolve_step(step)
    return _emit(build, step)


def histogram(name, data, step=None, buckets=None, description=None) -> bool:
    """Write a histogram of ``data``'s values (``buckets`` equal-width buckets, 30 by default)."""
    def build():
        from tensorboard.plugins.histogram.summary_v2 import histogram_pb
        return histogram_pb(_tag(name), np.asarray(_as_numpy(data), dtype=np.float64),
                            buckets=30 if buckets is None else int(buckets), description=description)
    if _default_writer() is not None:
        _resolve_step(step)
    return _emit(build, step)


def text(name, data, step=None, description=None) -> bool:
    """Write a string (or a tensor of strings, shown as a table) under ``name``."""
    def build():
        from tensorboard.plugins.text.summary_v2 import text_pb
        value = _as_numpy(data)
        if value.dtype.kind == "U":
            value = np.char.encode(value, "utf-8")
        return text_pb(_tag(name), value.astype(object) if value.dtype.kind == "S" else value, description)
    if _default_writer() is not None:
        _resolve_step(step)
    return _emit(build, step)


def image(name, data, step=None, max_outputs=3, description=None) -> bool:
    """Write up to ``max_outputs`` images from ``data`` ``[k, height, width, channels]`` (1, 3 or 4 channels).

    Floats are taken as [0, 1] and scaled to 0..255 (values outside saturate); uint8 is written as is.
    Raises ``ValueError`` for another rank or channel count.
    """
    def build():
        from PIL import Image
        from tensorboard.compat.proto import summary_pb2
        from tensorboard.plugins.image import metadata
        from tensorboard.util import tensor_util
        images = _as_numpy(data)
        if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
            raise ValueError(f"summary.image: data must be [k, height, width, channels] with 1, 3 or 4 channels, "
                             f"got shape {images.shape}.")
        if images.dtype != np.uint8:
            images = np.clip(images.astype(np.float64) * 255.5, 0, 255).astype(np.uint8)
        pngs = []
        for img in images[:max_outputs]:
            buffer = _pyio.BytesIO()
            Image.fromarray(img[..., 0] if img.shape[-1] == 1 else img).save(buffer, format="PNG")
            pngs.append(buffer.getvalue())
        content = np.array([str(images.shape[2]).encode(), str(images.shape[1]).encode()] + pngs, dtype=object)
        summary = summary_pb2.Summary()
        summary.value.add(tag=_tag(name), metadata=metadata.create_summary_metadata(display_name=None,
                                                                                    description=description),
                          tensor=tensor_util.make_tensor_proto(content))
        return summary
    if _default_writer() is not None:
        _resolve_step(step)
    return _emit(build, step)


def write(tag, tensor, step=None, metadata=None, name=None) -> bool:
    """Write ``tensor`` under ``tag`` with optional ``SummaryMetadata`` (the generic summary)."""
    def build():
        from tensorboard.compat.proto import summary_pb2
        from tensorboard.util import tensor_util
        summary = summary_pb2.Summary()
        value = summary.value.add(tag=_tag(tag), tensor=tensor_util.make_tensor_proto(_as_numpy(tensor)))
        if metadata is not None:
            value.metadata.CopyFrom(metadata)
        return summary
    return _emit(build, step)


def trace_on(graph=True, profiler=False, profiler_outdir=None):
    """Accepted: chainrule has no graph to trace (functions replay recorded ops)."""


def trace_off():
    """Accepted: see ``trace_on``."""


def trace_export(name, step=None, profiler_outdir=None):
    """Accepted; writes nothing (chainrule has no graph to export)."""


def graph(graph_data):
    """Accepted; writes nothing (chainrule has no graphs)."""
    return False


experimental = types.SimpleNamespace(set_step=_set_step, get_step=_get_step)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
