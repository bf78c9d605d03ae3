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

import numpy as np

from .. import backend as _backend
from ..autodiff import GradientTape
from ..tensor import Tensor
from . import data_adapter as da
from .layers.base import flatten


def _names_for(model) -> list:
    return list(getattr(model, "output_names", None) or ["output_1"])


class _Compiled:
    """What ``compile`` resolved: one loss and a list of metrics per output, plus loss weights."""

    def __init__(self, model, loss, metrics, loss_weights, weighted_metrics=None):
        from . import losses as losses_mod
        from . import metrics as metrics_mod
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
        raw_metrics = self._per_output(metrics, "metrics", n, lambda v: v, list_means_shared=True)
        shapes = [tuple(t.shape) for t in getattr(model, "outputs", [])] or [None] * n
        self.metrics = []
        for i, spec in enumerate(raw_metrics):
            items = spec if isinstance(spec, (list, tuple)) else ([] if spec is None else [spec])
            objs = []
            for item in items:
                m = metrics_mod.get_metric(item, loss=self.loss_fns[i], output_shape=shapes[i])
                if self.multi:
                    m.name = f"{self.output_names[i]}_{m.name}"
                objs.append(m)
            self.metrics.append(objs)
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

    def all_metrics(self):
        return [m for group in self.metrics for m in group]

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
                run_eagerly=None, steps_per_execution=None, jit_compile=None, **kwargs):
        """Configure training: optimizer (name or instance), loss (per output as list/dict), metrics."""
        from . import optimizers
        self.optimizer = optimizers.get(optimizer)
        names = _names_for(self)
        if isinstance(loss, dict) or isinstance(metrics, dict):  # per-output configs by output name
            if isinstance(loss, dict):
                loss = [loss.get(n) for n in names] if len(names) > 1 else loss.get(names[0])
            if isinstance(metrics, dict):
                metrics = [metrics.get(n, []) for n in names]
                metrics = [m if isinstance(m, (list, tuple)) else [m] for m in metrics]
                if len(names) == 1:
                    metrics = metrics[0]
        self.compiled = _Compiled(self, loss, metrics, loss_weights)
        self._compile_config = dict(loss=loss, metrics=metrics, loss_weights=loss_weights)
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
        x = da.normalize_structure(x, self._n_inputs())
        y = da.normalize_structure(y, self._n_outputs()) if y is not None else None
        if isinstance(y, dict):
            y = [y[name] for name in _names_for(self)] if self._n_outputs() > 1 else y[_names_for(self)[0]]
        sample_weight = da.to_numpy(sample_weight) if sample_weight is not None else None
        da.check_finite_numeric(x, f"{what}: x")
        if y is not None:
            da.check_finite_numeric(y, f"{what}: y")
        da.check_cardinality(x, y, sample_weight)
        x = da.cast_floats(x, np.dtype(self.dtype))
        return x, y, sample_weight

    def _batches(self, x, y, sample_weight, batch_size, shuffle=False, steps=None):
        if da.is_dataset(x):
            return da.DatasetBatches(x, steps)
        if batch_size is not None and int(batch_size) <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
        return da.ArrayBatches(x, y, sample_weight, batch_size or 32, shuffle=shuffle, steps=steps)

    # ------------------------------------------------------------------ one step
    def _outputs_list(self, y_pred):
        return flatten(y_pred) if self.compiled.multi else [y_pred]

    def _targets_list(self, y):
        if y is None:
            return [None] * self._n_outputs()
        return list(y) if self.compiled.multi else [y]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """Total loss: weighted per-output losses plus the model's regularization losses.

        Returns ``(total, per_output_list)``.
        """
        from . import losses as losses_mod
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
        for group, yt, yp in zip(c.metrics, self._targets_list(y), self._outputs_list(y_pred)):
            for m in group:
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
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False):
        """Train for ``epochs`` passes over the data; returns a ``History`` (``.history`` dict of lists)."""
        from .callbacks import CallbackList
        self._require_compiled("training/testing")
        if x is None:
            raise ValueError("fit: no training data; pass x (and y).")
        if int(epochs) < 0:
            raise ValueError(f"fit: epochs must be >= 0, got {epochs}.")
        if not 0.0 <= float(validation_split) < 1.0:
            raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split}.")
        verbose = 1 if verbose == "auto" else int(verbose)

        if da.is_dataset(x):
            if validation_split:
                raise ValueError("fit: validation_split is not supported for datasets; pass validation_data.")
            train = self._batches(x, None, None, batch_size, steps=steps_per_epoch)
        else:
            x, y, sample_weight = self._prepare(x, y, sample_weight)
            if y is None:
                raise ValueError("fit: y (the targets) is missing; pass fit(x, y, ...).")
            if class_weight is not None:
                sample_weight = _class_weights_to_sample_weight(y, class_weight, sample_weight)
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
                vx, vy, *vsw = validation_data
                vx, vy, vsw = self._prepare(vx, vy, vsw[0] if vsw else None, what="validation_data")
                val = self._batches(vx, vy, vsw, validation_batch_size or batch_size or 32, steps=validation_steps)

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
            if val is not None and (epoch + 1) % int(validation_freq) == 0:
                val_logs = self._run_evaluation(val, callbacks=None, verbose=0)
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

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, max_queue_size=10, workers=1, use_multiprocessing=False, return_dict=False):
        """Loss (and metrics) on the data: a float, or ``[loss, *metrics]``, or a dict with ``return_dict``."""
        from .callbacks import CallbackList
        self._require_compiled("training/testing")
        verbose = 1 if verbose == "auto" else int(verbose)
        if da.is_dataset(x):
            batches = self._batches(x, None, None, None, steps=steps)
        else:
            x, y, sample_weight = self._prepare(x, y, sample_weight, what="evaluate")
            if y is None:
                raise ValueError("evaluate: y (the targets) is missing; pass evaluate(x, y).")
            batches = self._batches(x, y, sample_weight, batch_size, steps=steps)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
                           steps=len(batches) or None, _mode="evaluate")
        cbs.on_test_begin()
        logs = self._run_evaluation(batches, cbs, verbose)
        cbs.on_test_end(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, max_queue_size=10,
                workers=1, use_multiprocessing=False):
        """Model outputs for ``x`` as numpy arrays (a list for several outputs), batch by batch."""
        from .callbacks import CallbackList
        verbose = 1 if verbose == "auto" else int(verbose)
        if da.is_dataset(x):
            batches = self._batches(x, None, None, None, steps=steps)
        else:
            x, _, _ = self._prepare(x, what="predict")
            batches = self._batches(x, None, None, batch_size, steps=steps)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
                           steps=len(batches) or None)
        cbs.on_predict_begin()
        chunks = []
        for step, (xb, _, _) in enumerate(batches.epoch(None)):
            cbs.on_predict_batch_begin(step)
            out = self(xb, training=False)
            chunks.append([o._value for o in flatten(out)])
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
            sample_weight = _class_weights_to_sample_weight(y, class_weight, sample_weight)
        if reset_metrics:
            self.compiled.reset()
        self.train_step(x, y, sample_weight)
        logs = self._logs()
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        """Loss (and metrics) on one batch, without training."""
        self._require_compiled("training/testing")
        x, y, sample_weight = self._prepare(x, y, sample_weight, what="test_on_batch")
        if reset_metrics:
            self.compiled.reset()
        self.test_step(x, y, sample_weight)
        logs = self._logs()
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict_on_batch(self, x):
        """Model outputs for one batch as numpy arrays."""
        x, _, _ = self._prepare(x, what="predict_on_batch")
        out = self(x, training=False)
        outs = [o._value for o in flatten(out)]
        return outs[0] if len(outs) == 1 else outs


def _class_weights_to_sample_weight(y, class_weight, sample_weight):
    y = np.asarray(y if not isinstance(y, list) else y[0])
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y)).round().astype(int)
    weights = np.array([class_weight.get(int(c), 1.0) for c in labels], dtype=np.float32)
    return weights if sample_weight is None else weights * sample_weight
