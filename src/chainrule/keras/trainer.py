"""compile / fit / evaluate / predict: the training loop, readable in one screen.

One training step is exactly what a user would write by hand::

    with GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = loss_fn(y, y_pred) + sum(model.losses)
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))

followed by metric updates. Speed comes from the ops, not from this loop.
"""
from __future__ import annotations

import inspect
import numbers

import numpy as np

from .. import backend as _backend
from .. import nest
from .._fpenv import flushing
from .._suggest import did_you_mean_argument
from ..autodiff import GradientTape
from .. import sparse as _sparse
from . import data_adapter as da
from . import losses as losses_mod
from . import metrics as metrics_mod
from . import optimizers
from .callbacks.base import Callback
from .callbacks.callback_list import CallbackList
from .layers.core import Dense


# tf.keras 2's Model.compile takes these through **kwargs, for compatibility only.
_LEGACY_COMPILE_KWARGS = ("sample_weight_mode", "cloning", "experimental_run_tf_function", "distribute",
                          "target_tensors", "experimental_steps_per_execution", "from_serialized")


def _compile_arguments() -> list:
    return [name for name in inspect.signature(Trainer.compile).parameters if name not in ("self", "kwargs")] + \
        list(_LEGACY_COMPILE_KWARGS)


def _names_for(model) -> list:
    return list(getattr(model, "output_names", None) or ["output_1"])


def _metrics_by_output(metrics, names):
    """A dict of metrics by output name as one list per output (a single output: its list)."""
    if not isinstance(metrics, dict):
        return metrics
    groups = [metrics.get(n, []) for n in names]
    groups = [m if isinstance(m, (list, tuple)) else [m] for m in groups]
    return groups[0] if len(names) == 1 else groups


class _Compiled:
    """What ``compile`` resolved: per output one loss, its metrics and its weighted metrics; the loss weights.

    Metric names follow tf.keras 2 (``compile_utils.MetricsContainer``): with several outputs each
    name gets the output's name as a prefix; a weighted metric whose name is taken becomes
    ``weighted_<name>`` (``<output>_weighted_<name>``). Logs list, per output, the metrics then the
    weighted metrics.
    """

    def __init__(self, model, loss, metrics, loss_weights, weighted_metrics=None):
        self.output_names = _names_for(model)
        n = len(self.output_names)
        self.multi = n > 1
        self.loss_fns = self._per_output(loss, "loss", n, lambda v: losses_mod.get(v) if v is not None else None)
        if all(fn is None for fn in self.loss_fns):
            self.loss_fns = [None] * n
        if loss_weights is None:
            self.loss_weights = [1.0] * n
        elif isinstance(loss_weights, dict):
            self.loss_weights = [float(loss_weights.get(name, 1.0)) for name in self.output_names]
        else:
            self.loss_weights = [float(w) for w in loss_weights]
        self.metrics = self._metric_objects(model, metrics)
        self.weighted_metrics = self._metric_objects(model, weighted_metrics)
        taken = set()
        for out, group, weighted in zip(self.output_names, self.metrics, self.weighted_metrics):
            for m in group:
                m.name = f"{out}_{m.name}" if self.multi else m.name
                if m.name in taken:
                    raise ValueError(f"Found two metrics with the same name: {m.name}. All the metrics added to "
                                     "the model need to have unique names.")
                taken.add(m.name)
            for m in weighted:
                if self.multi:
                    m.name = f"{out}_weighted_{m.name}" if f"{out}_{m.name}" in taken else f"{out}_{m.name}"
                elif m.name in taken:
                    m.name = f"weighted_{m.name}"
                if m.name in taken:
                    raise ValueError(f"Found two weighted metrics with the same name: {m.name}. All the metrics "
                                     "added to the model need to have unique names.")
                taken.add(m.name)
        self.loss_tracker = metrics_mod.Mean(name="loss")
        self.output_loss_trackers = [metrics_mod.Mean(name=f"{name}_loss") for name in self.output_names] \
            if self.multi else []

    @staticmethod
    def _per_output(value, what, n, resolve, list_means_shared=False):
        if n == 1:
            return [resolve(value)]
        if isinstance(value, (list, tuple)) and not list_means_shared:
            if len(value) != n:
                raise ValueError(f"compile: {what} has {len(value)} entries but the model has {n} outputs.")
            return [resolve(v) for v in value]
        if isinstance(value, (list, tuple)) and list_means_shared and value and all(
                isinstance(v, (list, tuple)) for v in value):
            return [resolve(v) for v in value]
        return [resolve(value) for _ in range(n)]

    def _metric_objects(self, model, metrics) -> list:
        """One list of Metric objects per output, from what ``compile`` was given."""
        shapes = [tuple(t.shape) for t in getattr(model, "outputs", [])] or [None] * len(self.output_names)
        groups = []
        for i, spec in enumerate(self._per_output(metrics, "metrics", len(shapes), lambda v: v,
                                                  list_means_shared=True)):
            items = spec if isinstance(spec, (list, tuple)) else ([] if spec is None else [spec])
            groups.append([metrics_mod.get_metric(item, loss=self.loss_fns[i], output_shape=shapes[i])
                           for item in items])
        return groups

    def all_metrics(self):
        return [m for group, weighted in zip(self.metrics, self.weighted_metrics) for m in group + weighted]

    def reset(self):
        self.loss_tracker.reset_state()
        for m in self.output_loss_trackers + self.all_metrics():
            m.reset_state()


class Trainer:
    """Mixed into Model: holds the compile state and runs the training loop."""

    def __init__(self):
        self.optimizer = None
        self.compiled = None
        self.stop_training = False
        self.history = None
        self._is_compiled = False
        self._compile_config = None

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                run_eagerly=None, steps_per_execution=None, jit_compile=None, pss_evaluation_shards=0, **kwargs):
        """Configure training, with tf.keras 2's signature.

        Args:
            optimizer: a name (``'adam'``) or an Optimizer instance.
            loss: a name, function or Loss instance; with several outputs, a list or a dict by output name.
            metrics: metrics computed on every batch, *without* sample weights (as tf.keras 2); per
                output as a list of lists or a dict.
            loss_weights: a list or dict of factors for the outputs' losses.
            weighted_metrics: metrics computed with ``sample_weight`` (and ``class_weight``); logged as
                their name, or ``weighted_<name>`` when a plain metric has that name.
            run_eagerly, steps_per_execution, jit_compile, pss_evaluation_shards: accepted for signature
                compatibility only; chainrule always runs eagerly, one batch per step (callbacks see every
                batch) and has no XLA or parameter servers.
            **kwargs: tf.keras 2's legacy keywords (``sample_weight_mode``, ``cloning``,
                ``experimental_run_tf_function``, ``experimental_steps_per_execution``,
                ``from_serialized``; ``distribute`` and ``target_tensors`` only as None), accepted for
                compatibility only. Any other keyword raises ``TypeError`` naming it and the closest
                valid one.
        """
        unknown = sorted(set(kwargs) - set(_LEGACY_COMPILE_KWARGS))
        if unknown:
            hint = did_you_mean_argument(_compile_arguments(), unknown)
            raise TypeError(f"compile() got an unexpected keyword argument {unknown[0]!r}"
                            f"{f' (and {unknown[1:]})' if len(unknown) > 1 else ''}.{hint} Valid keyword arguments: "
                            f"{', '.join(_compile_arguments())}.")
        for name in ("distribute", "target_tensors"):
            if kwargs.get(name) is not None:
                raise ValueError(f"compile: `{name}` is not supported (a TensorFlow 1 argument); received "
                                 f"{name}={kwargs[name]!r}.")
        self.optimizer = optimizers.get(optimizer)
        names = _names_for(self)
        if isinstance(loss, dict):  # per-output configs by output name
            loss = [loss.get(n) for n in names] if len(names) > 1 else loss.get(names[0])
        metrics, weighted_metrics = (_metrics_by_output(m, names) for m in (metrics, weighted_metrics))
        self.compiled = _Compiled(self, loss, metrics, loss_weights, weighted_metrics)
        self._compile_config = dict(loss=loss, metrics=metrics, loss_weights=loss_weights,
                                    weighted_metrics=weighted_metrics)
        self._is_compiled = True
        self.stop_training = False

    @property
    def metrics_names(self) -> list:
        """``['loss', ...per-output losses, ...metrics]`` in log order."""
        if self.compiled is None:
            return []
        return ["loss"] + [t.name for t in self.compiled.output_loss_trackers] + \
            [m.name for m in self.compiled.all_metrics()]

    @property
    def metrics(self) -> list:
        if self.compiled is None:
            return []
        return [self.compiled.loss_tracker] + self.compiled.output_loss_trackers + self.compiled.all_metrics()

    def _require_compiled(self, what):
        if not self._is_compiled:
            raise RuntimeError(f"You must compile your model before {what}. Call `model.compile(optimizer, loss)`.")
        if what == "training/testing" and all(fn is None for fn in self.compiled.loss_fns):
            raise ValueError("No loss to compute: provide a `loss` argument in `compile()`, e.g. "
                             "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy').")

    # ------------------------------------------------------------------ data
    def _n_inputs(self):
        return len(getattr(self, "inputs", None) or [None]) if getattr(self, "_is_graph_network", False) else None

    def _n_outputs(self):
        return len(_names_for(self))

    def _prepare(self, x, y=None, sample_weight=None, what="fit"):
        x = da.normalize_structure(x, self._n_inputs(), f"{what}: x", self.name, getattr(self, "input_names", None))
        y = da.normalize_structure(y, self._n_outputs(), f"{what}: y", self.name, _names_for(self),
                                   kind="output") if y is not None else None
        if isinstance(y, dict):
            y = [y[name] for name in _names_for(self)] if self._n_outputs() > 1 else y[_names_for(self)[0]]
        sample_weight = da.to_numpy(sample_weight) if sample_weight is not None else None
        finite = not what.startswith("predict")  # predict passes NaN through: its outputs then show it
        da.check_finite_numeric(x, f"{what}: x", finite)
        if y is not None:
            da.check_finite_numeric(y, f"{what}: y", finite)
        da.check_cardinality(x, y, sample_weight)
        x = da.cast_floats(x, np.dtype(self.dtype))
        return x, y, sample_weight

    def _batches(self, x, y, sample_weight, batch_size, shuffle=False, steps=None, what="fit"):
        if da.is_dataset(x):
            return da.DatasetBatches(x, steps)
        if batch_size is not None:
            batch_size = _count_argument(batch_size, "batch_size", what, "the number of samples per batch")
        if self._sparse_input_ok() and _sparse.worth_sparse(x):
            # Mostly-zero rows (multi-hot text): one scan now costs less than one dense epoch; every
            # batch is then a row slice of the nonzeros and Dense multiplies only those.
            x = _sparse.to_csr(x)
        return da.ArrayBatches(x, y, sample_weight, batch_size or 32, shuffle=shuffle, steps=steps)

    def _sparse_input_ok(self) -> bool:
        """True when the model has one input and every layer reading it is a Dense (which takes sparse rows)."""
        if not getattr(self, "_is_graph_network", False) or len(self.inputs) != 1:
            return False
        source = self.inputs[0]._keras_history[0]
        readers = [n.layer for n in source._outbound_nodes if id(n) in self._network_node_ids]
        return bool(readers) and all(type(layer) is Dense for layer in readers)

    # ------------------------------------------------------------------ one step
    def _outputs_list(self, y_pred):
        return nest.flatten(y_pred) if self.compiled.multi else [y_pred]

    def _targets_list(self, y):
        if y is None:
            return [None] * self._n_outputs()
        return list(y) if self.compiled.multi else [y]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """Total loss: weighted per-output losses plus the model's regularization losses.

        Returns ``(total, per_output_list)``.
        """
        total = None
        per_output = []
        for fn, weight, yt, yp in zip(self.compiled.loss_fns, self.compiled.loss_weights,
                                      self._targets_list(y), self._outputs_list(y_pred)):
            if fn is None:
                per_output.append(None)
                continue
            value = losses_mod.compute_loss(fn, yt, yp, sample_weight)
            per_output.append(value)
            term = value * weight if weight != 1.0 else value
            total = term if total is None else total + term
        reg = self.losses
        if reg:
            extra = reg[0]
            for r in reg[1:]:
                extra = extra + r
            total = extra if total is None else total + extra
        return total, per_output

    def _update_metrics(self, y, y_pred, total, per_output, sample_weight, batch_n):
        c = self.compiled
        c.loss_tracker.update_state(float(total._value), sample_weight=batch_n)
        for tracker, value in zip(c.output_loss_trackers, per_output):
            if value is not None:
                tracker.update_state(float(value._value), sample_weight=batch_n)
        for group, weighted, yt, yp in zip(c.metrics, c.weighted_metrics, self._targets_list(y),
                                           self._outputs_list(y_pred)):
            for m in group:  # as tf.keras 2: `metrics` ignore sample weights, `weighted_metrics` use them
                m.update_state(yt, yp._value)
            for m in weighted:
                m.update_state(yt, yp._value, sample_weight=sample_weight)

    def _logs(self) -> dict:
        return {m.name: float(m.result()) for m in self.metrics}

    def train_step(self, x, y, sample_weight=None):
        """One optimization step on a batch; returns nothing (metrics hold the results)."""
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            total, per_output = self.compute_loss(x, y, y_pred, sample_weight)
        variables = self.trainable_weights
        grads = tape.gradient(total, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        self._update_metrics(y, y_pred, total, per_output, sample_weight, da.num_samples(x))

    def test_step(self, x, y, sample_weight=None):
        y_pred = self(x, training=False)
        total, per_output = self.compute_loss(x, y, y_pred, sample_weight)
        self._update_metrics(y, y_pred, total, per_output, sample_weight, da.num_samples(x))

    # ------------------------------------------------------------------ fit
    @flushing
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False):
        """Train for ``epochs`` passes over the data; returns a ``History`` (``.history`` dict of lists)."""
        self._require_compiled("training/testing")
        if x is None:
            raise ValueError("fit: no training data; pass x (and y).")
        epochs = _count_argument(epochs, "epochs", "fit", minimum=0)
        if not 0.0 <= float(validation_split) < 1.0:
            raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split}.")
        verbose = _verbosity(verbose, "fit")
        _check_callbacks(callbacks, "fit")
        validate_on = _validation_epochs(validation_freq)
        if steps_per_epoch is not None:
            steps_per_epoch = _count_argument(steps_per_epoch, "steps_per_epoch", "fit",
                                              "the number of batches per epoch; None uses all the data")
        if validation_steps is not None:
            validation_steps = _count_argument(validation_steps, "validation_steps", "fit",
                                               "the number of validation batches; None uses all of them")

        if da.is_dataset(x):
            if validation_split:
                raise ValueError("fit: validation_split is not supported for datasets; pass validation_data.")
            train = self._batches(x, None, None, batch_size, steps=steps_per_epoch)
        else:
            x, y, sample_weight = self._prepare(x, y, sample_weight)
            if y is None:
                raise ValueError("fit: y (the targets) is missing; pass fit(x, y, ...).")
            if class_weight is not None:
                sample_weight = _class_weights_to_sample_weight(y, class_weight, sample_weight, "fit")
            if validation_split and validation_data is None:
                (x, y, sample_weight), validation_data = da.split_validation(x, y, sample_weight, validation_split)
            if not self.built or (self._is_graph_network is False and not self.weights):
                self(da.take(x, slice(0, 1)))  # build before collecting trainable weights
            train = self._batches(x, y, sample_weight, batch_size, shuffle=shuffle, steps=steps_per_epoch)

        val = None
        if validation_data is not None:
            if da.is_dataset(validation_data):
                val = self._batches(validation_data, None, None, None, steps=validation_steps)
            else:
                _check_validation_structure(validation_data)
                vx, vy, *vsw = validation_data
                try:
                    vx, vy, vsw = self._prepare(vx, vy, vsw[0] if vsw else None, what="fit: validation_data")
                    if getattr(self, "_is_graph_network", False):
                        self._match_inputs(vx)  # shapes checked now, not after the first epoch
                except (ValueError, TypeError) as e:
                    _raise_prefixed(e, "fit: validation_data: ")
                val = self._batches(vx, vy, vsw, validation_batch_size or batch_size or 32, steps=validation_steps,
                                    what="fit: validation")

        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=int(epochs), steps=len(train) or None)
        self.stop_training = False
        rng = _backend.rng()
        cbs.on_train_begin()
        logs = {}
        resume = getattr(self, "_initial_epoch_override", None)  # set by BackupAndRestore after a crash
        self._initial_epoch_override = None
        start = int(initial_epoch) if resume is None else int(resume)
        for epoch in range(start, int(epochs)):
            self.compiled.reset()
            cbs.on_epoch_begin(epoch)
            step = -1
            for step, (xb, yb, swb) in enumerate(train.epoch(rng)):
                cbs.on_train_batch_begin(step)
                self.train_step(xb, yb, swb)
                logs = self._logs()
                cbs.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if step < 0:
                raise ValueError("fit: the training data produced no batches.")
            epoch_logs = dict(logs)
            if val is not None and validate_on(epoch + 1):
                try:
                    val_logs = self._run_evaluation(val, callbacks=None, verbose=0)
                except (ValueError, TypeError) as e:
                    _raise_prefixed(e, "fit: validation_data: ")
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        self.history = cbs.history
        return cbs.history

    # ------------------------------------------------------------------ evaluate / predict
    def _run_evaluation(self, batches, callbacks=None, verbose=0):
        self.compiled.reset()
        for step, (xb, yb, swb) in enumerate(batches.epoch(None)):
            if callbacks is not None:
                callbacks.on_test_batch_begin(step)
            self.test_step(xb, yb, swb)
            if callbacks is not None:
                callbacks.on_test_batch_end(step, self._logs())
        return self._logs()

    def _inference_batches(self, x, y, sample_weight, batch_size, steps, what):
        """The batches of evaluate/predict (``steps`` checked); evaluating needs ``y``."""
        if steps is not None:
            steps = _count_argument(steps, "steps", what, "the number of batches; None uses all the data")
        if da.is_dataset(x):
            return self._batches(x, None, None, None, steps=steps)
        x, y, sample_weight = self._prepare(x, y, sample_weight, what=what)
        if what == "evaluate" and y is None:
            raise ValueError("evaluate: y (the targets) is missing; pass evaluate(x, y).")
        return self._batches(x, y, sample_weight, batch_size, steps=steps, what=what)

    @flushing
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, max_queue_size=10, workers=1, use_multiprocessing=False, return_dict=False):
        """Loss (and metrics) on the data: a float, or ``[loss, *metrics]``, or a dict with ``return_dict``."""
        self._require_compiled("training/testing")
        verbose = _verbosity(verbose, "evaluate")
        _check_callbacks(callbacks, "evaluate")
        batches = self._inference_batches(x, y, sample_weight, batch_size, steps, "evaluate")
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
                           steps=len(batches) or None, _mode="evaluate")
        cbs.on_test_begin()
        logs = self._run_evaluation(batches, cbs, verbose)
        cbs.on_test_end(logs)
        return _results(logs, return_dict)

    @flushing
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, max_queue_size=10,
                workers=1, use_multiprocessing=False):
        """Model outputs for ``x`` as numpy arrays (a list for several outputs), batch by batch."""
        verbose = _verbosity(verbose, "predict")
        _check_callbacks(callbacks, "predict")
        batches = self._inference_batches(x, None, None, batch_size, steps, "predict")
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
                           steps=len(batches) or None)
        cbs.on_predict_begin()
        chunks = []
        for step, (xb, _, _) in enumerate(batches.epoch(None)):
            cbs.on_predict_batch_begin(step)
            out = self(xb, training=False)
            chunks.append([o._value for o in nest.flatten(out)])
            cbs.on_predict_batch_end(step, {"outputs": out})
        cbs.on_predict_end()
        if not chunks:
            raise ValueError("predict: the input produced no batches (is it empty?).")
        outs = [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]
        return outs[0] if len(outs) == 1 else outs

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        """One training step on one batch; returns the loss (and metrics) for it."""
        self._require_compiled("training/testing")
        x, y, sample_weight = self._prepare(x, y, sample_weight, what="train_on_batch")
        if class_weight is not None:
            sample_weight = _class_weights_to_sample_weight(y, class_weight, sample_weight, "train_on_batch")
        if reset_metrics:
            self.compiled.reset()
        self.train_step(x, y, sample_weight)
        return _results(self._logs(), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        """Loss (and metrics) on one batch, without training."""
        self._require_compiled("training/testing")
        x, y, sample_weight = self._prepare(x, y, sample_weight, what="test_on_batch")
        if reset_metrics:
            self.compiled.reset()
        self.test_step(x, y, sample_weight)
        return _results(self._logs(), return_dict)

    def predict_on_batch(self, x):
        """Model outputs for one batch as numpy arrays."""
        x, _, _ = self._prepare(x, what="predict_on_batch")
        out = self(x, training=False)
        outs = [o._value for o in nest.flatten(out)]
        return outs[0] if len(outs) == 1 else outs


def _results(logs, return_dict):
    """What evaluate/train_on_batch/test_on_batch return: the logs dict, the loss alone, or ``[loss, *metrics]``."""
    values = list(logs.values())
    return logs if return_dict else values[0] if len(values) == 1 else values


def _class_weights_to_sample_weight(y, class_weight, sample_weight, what="fit"):
    y = np.asarray(y if not isinstance(y, list) else y[0])
    if y.ndim > 1 and y.shape[-1] > 1:
        labels = np.argmax(y, axis=-1)
    else:
        flat = y.reshape(len(y))
        if flat.dtype.kind in "fc":
            fractional = flat != np.round(flat)
            if fractional.any():
                example = float(flat[fractional][0].real)
                raise ValueError(f"{what}: class_weight needs integer class labels (or one-hot rows), but y has "
                                 f"non-integer values such as {example:.4g}; for regression pass sample_weight "
                                 "instead.")
        labels = flat.round().astype(int)
    weights = np.array([class_weight.get(int(c), 1.0) for c in labels], dtype=np.float32)
    return weights if sample_weight is None else weights * sample_weight


# ----------------------------------------------------------------------------- argument checks (once per call)

def _count_argument(value, name, what, meaning="", minimum=1):
    """``value`` as an int >= ``minimum``: TypeError for strings and fractions, ValueError when too small."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or (
            not isinstance(value, numbers.Integral) and not float(value).is_integer()):
        shown = f"{value!r} ({type(value).__name__})"
        raise TypeError(f"{what}: {name} must be an integer, got {shown}"
                        f"{'; pass an int such as ' + repr(int(float(value))) if _looks_numeric(value) else ''}.")
    value = int(value)
    if value < minimum:
        rule = "a positive integer" if minimum == 1 else f">= {minimum}"
        raise ValueError(f"{what}: {name} must be {rule}{f' ({meaning})' if meaning else ''}, got {value}.")
    return value


def _looks_numeric(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _verbosity(verbose, what) -> int:
    """``'auto'`` -> 1; otherwise an int (0 silent, 1 progress bar, 2 one line per epoch)."""
    if verbose == "auto":
        return 1
    if isinstance(verbose, numbers.Integral) or (isinstance(verbose, numbers.Real) and float(verbose).is_integer()):
        return int(verbose)
    raise TypeError(f"{what}: verbose must be 'auto', 0 (silent), 1 (progress bar) or 2 (one line per epoch), "
                    f"got {verbose!r}.")


def _check_callbacks(callbacks, what):
    """``callbacks`` must be a list (or tuple) of Callback instances."""
    if callbacks is None:
        return
    if isinstance(callbacks, CallbackList):
        return
    if isinstance(callbacks, Callback):
        name = type(callbacks).__name__
        raise TypeError(f"{what}: callbacks must be a list of Callback instances, got {name}; wrap it: "
                        f"callbacks=[{name}(...)].")
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"{what}: callbacks must be a list of Callback instances, got {type(callbacks).__name__}.")
    for i, c in enumerate(nest.flatten(list(callbacks))):  # nested lists are flattened, as in tf.keras
        if isinstance(c, type) and issubclass(c, Callback):
            raise TypeError(f"{what}: callbacks[{i}] is the class {c.__name__}, not an instance; create it: "
                            f"callbacks=[{c.__name__}(...)].")
        if not isinstance(c, Callback) and not hasattr(c, "set_model"):
            raise TypeError(f"{what}: callbacks[{i}] is a {type(c).__name__}, not a Callback instance; subclass "
                            "keras.callbacks.Callback (or use keras.callbacks.LambdaCallback).")


def _validation_epochs(validation_freq):
    """A predicate on 1-based epoch numbers: every N epochs (an int), or the epochs listed (a container)."""
    if isinstance(validation_freq, numbers.Integral) and not isinstance(validation_freq, bool):
        if validation_freq < 1:
            raise ValueError(f"fit: validation_freq must be a positive integer (validate every N epochs), got "
                             f"{validation_freq}.")
        freq = int(validation_freq)
        return lambda epoch: epoch % freq == 0
    if isinstance(validation_freq, (list, tuple, set, frozenset, range)):
        epochs = set(validation_freq)
        return lambda epoch: epoch in epochs
    raise TypeError(f"fit: validation_freq must be a positive integer (validate every N epochs) or a list of "
                    f"epochs such as [1, 5, 10], got {validation_freq!r}.")


def _check_validation_structure(validation_data):
    if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
        return
    if isinstance(validation_data, np.ndarray):
        got = f"an ndarray of shape {validation_data.shape}"
    elif isinstance(validation_data, (tuple, list)):
        n = len(validation_data)
        got = f"a {type(validation_data).__name__} of {n} element{'s' if n != 1 else ''}"
    else:
        got = f"a {type(validation_data).__name__}"
    raise ValueError(f"fit: validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val), "
                     f"got {got}.")


def _raise_prefixed(error, prefix):
    """Raise ``error`` again with ``prefix`` before its message (same type, same traceback)."""
    message = str(error)
    if message.startswith(prefix):
        raise error
    try:
        new = type(error)(prefix + message)
    except Exception:
        raise error from None
    raise new.with_traceback(error.__traceback__) from None
