"""The ``TensorBoard`` callback: training curves, weight histograms and images as TensorBoard event files.

The files are written with the ``tensorboard`` package's own event-file writer
and summary helpers (no TensorFlow needed): ``pip install 'chainrule[tensorboard]'``,
then ``tensorboard --logdir logs``. What is written follows tf.keras 2.11:

``log_dir/train/events.out.tfevents.*.v2``
    * ``epoch_<metric>`` at step ``epoch`` (0-based) for every training log
      (``epoch_loss``, ``epoch_accuracy``, ...; ``epoch_lr`` when a callback
      such as ``ReduceLROnPlateau`` put ``lr`` in the logs before this one).
    * ``epoch_learning_rate`` when the optimizer's learning rate is a
      ``LearningRateSchedule`` (its value at the end of the epoch), and
      ``epoch_steps_per_second`` with ``write_steps_per_second=True``.
    * ``batch_<metric>`` (the running epoch means fit reports) with
      ``update_freq='batch'`` or an integer N: the step is the batch count of
      this ``fit`` call starting at 1, written when it is a multiple of N;
      ``batch_steps_per_second`` too with ``write_steps_per_second=True``.
    * ``<weight name>/histogram`` every ``histogram_freq`` epochs (epochs
      0, N, 2N, ...; the weight name with ``:`` replaced, e.g.
      ``dense/kernel_0/histogram``) and, with ``write_images=True``,
      ``<weight name>/image`` for weights that make a 2-D picture.
    * ``keras`` (step 0, ``write_graph=True``): the model's JSON
      (``model.to_json()``) for TensorBoard's Graphs tab, which draws it as a
      conceptual graph of layers. chainrule has no TensorFlow op graph, so
      that is the only graph written.

``log_dir/validation/events.out.tfevents.*.v2``
    * ``epoch_<metric>`` from the ``val_*`` logs, without the ``val_`` prefix.
    * ``evaluation_<metric>_vs_iterations`` at step ``optimizer.iterations``,
      after every validation run and for ``evaluate(..., callbacks=[tb])``.

``embeddings_freq`` is accepted for signature compatibility with tf.keras 2 only: chainrule has
no ``Embedding`` layer, so there is nothing for the Projector (a value > 0 warns once, and
``embeddings_metadata`` naming a layer raises as in tf.keras). ``profile_batch`` is checked but
no profile is written: the TensorFlow profiler does not exist here.

A log directory that cannot be written makes ``fit`` stop at once with an
``OSError`` naming the folder; a write that fails later (disk full, folder
removed) only warns and turns logging off, so training goes on.
"""
from __future__ import annotations

import contextlib
import numbers
import os
import time
import warnings

import numpy as np

from .. import backend as _keras_backend
from ..optimizers.schedules import LearningRateSchedule
from .base import Callback

_INSTALL_HINT = ("The TensorBoard callback needs the `tensorboard` package (no TensorFlow required): "
                 "pip install 'chainrule[tensorboard]' or pip install tensorboard.")


def _require_tensorboard():
    try:
        import tensorboard  # noqa: F401
        from tensorboard.summary.writer.event_file_writer import EventFileWriter  # noqa: F401
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e


def _io_errors() -> tuple:
    """Exceptions that mean "the event file could not be written"."""
    errors = [OSError]
    try:
        from tensorboard.compat import tf
        errors.append(tf.errors.OpError)
    except Exception:  # pragma: no cover - depends on the tensorboard/TensorFlow install
        pass
    return tuple(errors)


def _as_numpy(value):
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value)


# ----------------------------------------------------------------------------- summary protos

def scalar_summary(tag, value):
    """A TF2-style scalar summary (float32 tensor, ``scalars`` plugin), via tensorboard's ``scalar_pb``."""
    from tensorboard.plugins.scalar.summary_v2 import scalar_pb
    return scalar_pb(tag, _as_numpy(value))


def histogram_summary(tag, values, buckets=30):
    """A TF2-style histogram summary: a ``[buckets, 3]`` float64 tensor of (left, right, count).

    Same buckets as ``tensorboard.plugins.histogram.summary_v2.histogram_pb``
    (equal widths from min to max, the maximum in the last bucket), counted
    with ``np.bincount`` so that large weights need no ``size x buckets``
    one-hot matrix. Non-finite values are left out.
    """
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.histogram import metadata
    from tensorboard.util import tensor_util
    data = np.asarray(values, dtype=np.float64).ravel()
    data = data[np.isfinite(data)]
    if buckets == 0 or data.size == 0:
        table = np.zeros((buckets, 3))
    else:
        lo, hi = data.min(), data.max()
        if hi == lo:
            counts = np.zeros(buckets)
            counts[-1] = data.size
            table = np.stack([np.full(buckets, lo), np.full(buckets, lo), counts], axis=1)
        else:
            width = (hi - lo) / buckets
            index = np.minimum(np.floor((data - lo) / width).astype(np.int64), buckets - 1)
            counts = np.bincount(index, minlength=buckets)
            edges = np.linspace(lo, hi, buckets + 1)
            table = np.stack([edges[:-1], edges[1:], counts], axis=1)
    summary = summary_pb2.Summary()
    summary.value.add(tag=tag, metadata=metadata.create_summary_metadata(display_name=None, description=None),
                      tensor=tensor_util.make_tensor_proto(table.astype(np.float64), dtype=np.float64))
    return summary


def _encode_png(image) -> bytes:
    import io

    from PIL import Image
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[image.shape[-1]]
    buffer = io.BytesIO()
    Image.fromarray(image[..., 0] if mode == "L" else image, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def image_summary(tag, images, max_outputs=3):
    """A TF2-style image summary of ``images`` ``[k, h, w, c]`` (c in 1, 3, 4).

    Floats are converted like ``tf.image.convert_image_dtype(..., uint8,
    saturate=True)`` (``x * 255.5`` clipped to 0..255, so values outside
    [0, 1] saturate); the tensor holds width, height and up to ``max_outputs``
    PNGs, as ``tf.summary.image`` writes it.
    """
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.image import metadata
    from tensorboard.util import tensor_util
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = np.clip(images.astype(np.float64) * 255.5, 0, 255).astype(np.uint8)
    pngs = [_encode_png(img) for img in images[:max_outputs]]
    content = np.array([str(images.shape[2]).encode(), str(images.shape[1]).encode()] + pngs, dtype=object)
    summary = summary_pb2.Summary()
    summary.value.add(tag=tag, metadata=metadata.create_summary_metadata(display_name=None, description=None),
                      tensor=tensor_util.make_tensor_proto(content))
    return summary


def keras_model_summary(tag, json_string):
    """The model's JSON as a ``graph_keras_model`` summary: TensorBoard's Graphs tab draws it."""
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.graph import metadata
    from tensorboard.util import tensor_util
    meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
        plugin_name=metadata.PLUGIN_NAME_KERAS_MODEL, content=b"1"))
    summary = summary_pb2.Summary()
    summary.value.add(tag=tag, metadata=meta, tensor=tensor_util.make_tensor_proto(json_string))
    return summary


def _weight_image(weight, data_format="channels_last"):
    """A weight as ``[k, h, w, c]`` images the way tf.keras 2.11 draws it, or None when it does not fit."""
    w = np.squeeze(weight)
    if w.ndim == 1:  # bias
        w = w.reshape(1, w.shape[0], 1, 1)
    elif w.ndim == 2:  # dense kernel: the longer side across
        if w.shape[0] > w.shape[1]:
            w = w.T
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:  # conv kernel: one picture per channel
        if data_format == "channels_last":
            w = np.transpose(w, (2, 0, 1))
        w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
    if w.ndim == 4 and w.shape[-1] in (1, 3, 4):
        return w
    return None


# ----------------------------------------------------------------------------- the callback

class TensorBoard(Callback):
    """Write TensorBoard logs: metric curves, weight histograms/images, the model graph.

    ``TensorBoard(log_dir='logs', histogram_freq=0, write_graph=True,
    write_images=False, write_steps_per_second=False, update_freq='epoch',
    profile_batch=0, embeddings_freq=0, embeddings_metadata=None)``; the tags
    and files are those of tf.keras 2.11 (see this module's docstring). View
    them with ``tensorboard --logdir <log_dir>``.

    Args:
        log_dir: folder for the logs; ``train/`` and ``validation/`` runs go
            inside. Do not share it with another callback.
        histogram_freq: log weight histograms every this many epochs (0: never).
        write_graph: log the model's JSON for the Graphs tab.
        write_images: with ``histogram_freq``, also log weights as images.
        write_steps_per_second: log training steps per second (per epoch, and
            per batch when ``update_freq`` is not ``'epoch'``).
        update_freq: ``'epoch'``, ``'batch'`` (= 1) or N: also log ``batch_*``
            scalars every N training batches.
        profile_batch: validated like tf.keras (an int >= 0, a pair, or
            ``'start,stop'``) but nothing is profiled.
        embeddings_freq: kept for signature compatibility only (no embedding
            projector is written; see the module docstring).
        embeddings_metadata: kept for signature compatibility only.
    """

    _V1_KWARGS = ("write_grads", "embeddings_layer_names", "embeddings_data", "batch_size")

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None, **kwargs):
        super().__init__()
        _require_tensorboard()
        self._validate_kwargs(kwargs)
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = self._check_freq("histogram_freq", histogram_freq)
        self.write_graph = bool(write_graph)
        self.write_images = bool(write_images)
        self.write_steps_per_second = bool(write_steps_per_second)
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (isinstance(update_freq, bool) or not isinstance(update_freq, numbers.Integral)
                                       or update_freq < 1):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a positive integer, got "
                             f"{update_freq!r}.")
        self.update_freq = update_freq if update_freq == "epoch" else int(update_freq)
        self.embeddings_freq = self._check_freq("embeddings_freq", embeddings_freq)
        self.embeddings_metadata = embeddings_metadata
        self._init_profile_batch(profile_batch)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers: dict = {}
        self._failed = False
        self._in_fit = False
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._epoch_start_time = time.time()
        self._batch_start_time = time.time()
        self._evaluated_this_epoch = False
        self._warned: set = set()

    # ------------------------------------------------------------------ arguments
    def _validate_kwargs(self, kwargs):
        for name in self._V1_KWARGS:
            if kwargs.get(name):
                warnings.warn(f"TensorBoard: `{name}` was a TensorFlow 1 argument and is ignored.", stacklevel=3)
        unknown = sorted(set(kwargs) - set(self._V1_KWARGS))
        if unknown:
            raise ValueError(f"Unrecognized arguments in `TensorBoard` Callback: {unknown}. Supported kwargs are: "
                             f"{sorted(self._V1_KWARGS)}")

    @staticmethod
    def _check_freq(name, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"TensorBoard: {name} must be an integer >= 0 (0 turns it off), got {value!r}.")
        return int(value)

    def _init_profile_batch(self, profile_batch):
        message = ("profile_batch must be a non-negative integer or 2-tuple of positive integers. A pair of positive "
                   f"integers signifies a range of batches to profile. Found: {profile_batch}")
        value = profile_batch
        if isinstance(value, str):
            try:
                value = [int(part) for part in value.split(",")]
            except ValueError:
                raise ValueError(message) from None
            value = value[0] if len(value) == 1 else tuple(value)
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            start = stop = int(value)
        elif isinstance(value, (tuple, list)) and len(value) == 2 and all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
            start, stop = int(value[0]), int(value[1])
        else:
            raise ValueError(message)
        if start < 0 or stop < start:
            raise ValueError(message)
        self._start_batch, self._stop_batch = start, stop
        self._should_trace = not (start == 0 and stop == 0)

    # ------------------------------------------------------------------ writers
    def set_model(self, model):
        super().set_model(model)
        self._close_writers(quiet=True)

    def _writer(self, name):
        """The EventFileWriter of run ``name`` ('train' or 'validation'), opened on first use."""
        if name not in self._writers:
            from tensorboard.summary.writer.event_file_writer import EventFileWriter
            folder = self._train_dir if name == "train" else self._val_dir
            try:
                self._writers[name] = EventFileWriter(folder, filename_suffix=".v2")
            except Exception as e:
                raise OSError(f"TensorBoard: cannot write event files to the folder {folder!r} "
                              f"({type(e).__name__}: {e}). Pass a writable `log_dir` to TensorBoard.") from e
        return self._writers[name]

    def _emit(self, run, summary, step):
        from tensorboard.compat.proto import event_pb2
        self._writer(run).add_event(event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    def _scalar(self, run, tag, value, step):
        try:
            summary = scalar_summary(tag, value)
        except (TypeError, ValueError) as e:
            self._warn_once(("scalar", tag), f"TensorBoard: `{tag}` is not a number ({e}); it is not logged.")
            return
        self._emit(run, summary, step)

    def _flush(self):
        for writer in self._writers.values():
            writer.flush()

    def _close_writers(self, quiet=False):
        writers, self._writers = self._writers, {}
        for writer in writers.values():
            try:
                writer.close()
            except _io_errors() as e:
                if not quiet:
                    warnings.warn(f"TensorBoard: closing the event file in {writer.get_logdir()!r} failed "
                                  f"({type(e).__name__}: {e}); its last events may be lost.", RuntimeWarning,
                                  stacklevel=2)

    @contextlib.contextmanager
    def _io_guard(self):
        """A failed write warns and turns logging off instead of stopping training."""
        try:
            yield
        except _io_errors() as e:
            self._failed = True
            warnings.warn(f"TensorBoard: writing the logs under {self.log_dir!r} failed ({type(e).__name__}: {e}); "
                          "TensorBoard logging is off for the rest of this run.", RuntimeWarning, stacklevel=4)

    def _warn_once(self, key, message):
        if key not in self._warned:
            self._warned.add(key)
            warnings.warn(message, RuntimeWarning, stacklevel=4)

    # ------------------------------------------------------------------ model facts
    def _optimizer(self):
        return getattr(self.model, "optimizer", None)

    def _iterations(self):
        opt = self._optimizer()
        if opt is None or not hasattr(opt, "iterations"):
            return None
        return int(_as_numpy(opt.iterations))

    def _collect_learning_rate(self, logs):
        opt = self._optimizer()
        schedule = getattr(opt, "_learning_rate", None)
        if isinstance(schedule, LearningRateSchedule):
            logs["learning_rate"] = float(_as_numpy(schedule(opt.iterations)))
        return logs

    def _compute_steps_per_second(self):
        iterations = self._iterations() or 0
        elapsed = max(time.time() - self._epoch_start_time, 1e-9)
        return (iterations - self._previous_epoch_iterations) / elapsed

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        self._in_fit = True
        self._failed = False
        self._global_train_batch = 0
        self._previous_epoch_iterations = self._iterations() or 0
        self._close_writers(quiet=True)
        try:
            self._writer("train")  # an unwritable log_dir fails here, before any training
            if self.embeddings_freq or self.embeddings_metadata:
                self._check_embeddings()
            if self.write_graph:
                self._write_keras_model_summary()
        except BaseException:
            self._close_writers(quiet=True)  # fit stops here: leave no writer thread behind
            raise
        if self._should_trace:
            warnings.warn(f"TensorBoard: profile_batch={self._start_batch},{self._stop_batch} asks for the "
                          "TensorFlow profiler, which chainrule does not have; no profile is written.",
                          RuntimeWarning, stacklevel=3)
        with self._io_guard():
            self._flush()

    def on_train_end(self, logs=None):
        self._in_fit = False
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        self._evaluated_this_epoch = False
        if self.write_steps_per_second:
            self._previous_epoch_iterations = self._iterations() or 0
            self._epoch_start_time = time.time()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch" or self._failed or self._global_train_batch % self.update_freq:
            return
        step = self._global_train_batch
        with self._io_guard():
            if self.write_steps_per_second:
                elapsed = max(time.time() - self._batch_start_time, 1e-9)
                self._scalar("train", "batch_steps_per_second", 1.0 / elapsed, step)
            if isinstance(logs, dict):
                for name, value in logs.items():
                    self._scalar("train", "batch_" + name, value, step)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._failed = False

    def on_test_end(self, logs=None):
        """After validation (or ``evaluate(callbacks=[tb])``): ``evaluation_<metric>_vs_iterations``."""
        if self._failed:
            return
        self._evaluated_this_epoch = True
        with self._io_guard():
            self._log_evaluation(logs or {})
            if not self._in_fit:
                self._close_writers()

    def on_epoch_end(self, epoch, logs=None):
        if self._failed:
            return
        logs = logs or {}
        with self._io_guard():
            if not self._evaluated_this_epoch:
                # fit validates without calling on_test_end on user callbacks; log what it would have.
                self._log_evaluation({k[4:]: v for k, v in logs.items() if k.startswith("val_")})
            self._log_epoch_metrics(epoch, logs)
            if self.histogram_freq and epoch % self.histogram_freq == 0:
                self._log_weights(epoch)
            self._flush()

    # ------------------------------------------------------------------ what gets written
    def _log_evaluation(self, logs):
        step = self._iterations()
        if step is None or not logs:
            return
        for name, value in logs.items():
            self._scalar("validation", f"evaluation_{name}_vs_iterations", value, step)

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k: v for k, v in logs.items() if k.startswith("val_")}
        train_logs = self._collect_learning_rate(train_logs)
        if self.write_steps_per_second:
            train_logs["steps_per_second"] = self._compute_steps_per_second()
        for name, value in train_logs.items():
            self._scalar("train", "epoch_" + name, value, epoch)
        for name, value in val_logs.items():
            self._scalar("validation", "epoch_" + name[4:], value, epoch)

    def _log_weights(self, epoch):
        data_format = getattr(_keras_backend, "image_data_format", lambda: "channels_last")()
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.name.replace(":", "_")
                value = _as_numpy(weight)
                self._emit("train", histogram_summary(name + "/histogram", value), epoch)
                if self.write_images:
                    images = _weight_image(value, data_format)
                    if images is not None:
                        self._log_image(name + "/image", images, epoch)

    def _log_image(self, tag, images, epoch):
        try:
            summary = image_summary(tag, images)
        except ImportError:
            self._warn_once("pil", "TensorBoard: write_images needs Pillow to encode PNGs (pip install pillow); "
                                   "no weight images are written.")
            return
        self._emit("train", summary, epoch)

    def _write_keras_model_summary(self):
        model = self.model
        if not getattr(model, "_is_layer_graph", False):
            return  # like tf.keras: a subclassed model has no layer graph to draw
        try:
            json_string = model.to_json()
        except Exception as e:  # a model that cannot be serialized must not stop training
            warnings.warn(f"TensorBoard: the model failed to serialize as JSON, so no graph is written "
                          f"({type(e).__name__}: {e}).", RuntimeWarning, stacklevel=4)
            return
        with self._io_guard():
            self._emit("train", keras_model_summary("keras", json_string), 0)

    def _check_embeddings(self):
        """tf.keras 2 writes each Embedding layer's matrix for the Projector; chainrule has no Embedding layer."""
        if isinstance(self.embeddings_metadata, dict) and self.embeddings_metadata:
            raise ValueError("Unrecognized `Embedding` layer names passed to `keras.callbacks.TensorBoard` "
                             f"`embeddings_metadata` argument: {sorted(self.embeddings_metadata)}")
        self._warn_once("embeddings", f"TensorBoard: embeddings_freq={self.embeddings_freq} writes nothing: chainrule "
                                      "has no Embedding layer whose matrix the Projector could show.")
