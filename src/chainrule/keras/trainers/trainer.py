"""compile / fit / evaluate / predict, with tf.keras 2's extension points.

One training step is ``train_step(data)``, exactly tf.keras 2's default::

    x, y, sample_weight = unpack_x_y_sample_weight(data)
    with GradientTape() as tape:
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight)   # compiled_loss: losses + regularization
    self.optimizer.minimize(loss, self.trainable_variables, tape=tape)
    return self.compute_metrics(x, y, y_pred, sample_weight)   # {name: result}

Override ``train_step``/``test_step``/``predict_step`` (or ``compute_loss``,
``compute_metrics``, ``metrics``) as in tf.keras. ``fit`` runs the step through
``make_train_function()``: as tf.keras wraps it in ``tf.function``, chainrule wraps
it in ``chainrule.function``, which traces the step once per batch shape and then
replays the recorded ops, their backward and the updates, with no Python around
them. ``compile(run_eagerly=True)`` (or ``model.run_eagerly = True``, or
``chainrule.config.run_functions_eagerly(True)``) runs the Python step instead;
both give bit-identical weights.
"""
from __future__ import annotations

import inspect
import warnings
from typing import Any, Sequence

import numpy as np

from ... import backend as _backend
from ... import nest
from ..._fpenv import flushing
from ..._suggest import did_you_mean_argument
from ...autodiff import GradientTape
from ...function import function
from ...ops import tier_up as _tier_up
from ... import distribute as _distribute
from ... import sparse as _sparse
from ...tensor import Tensor
from .. import batch_sources as bs
from .. import data_adapter as da
from .. import optimizers
from ..callbacks.base import Callback
from ..callbacks.callback_list import CallbackList
from ..callbacks.history import History
from ..data_adapter import unpack_x_y_sample_weight
from ..layers.core import Dense
from . import arguments as args
from . import distributed as _distributed
from .compile_utils import LossesContainer, MetricsContainer

# tf.keras 2's Model.compile takes these through **kwargs, for compatibility only.
_LEGACY_COMPILE_KWARGS = ("sample_weight_mode", "cloning", "experimental_run_tf_function", "distribute",
                          "target_tensors", "experimental_steps_per_execution", "from_serialized")


def _compile_arguments() -> list:
    return [name for name in inspect.signature(Trainer.compile).parameters if name not in ("self", "kwargs")] + \
        list(_LEGACY_COMPILE_KWARGS)


def _python_logs(logs) -> dict:
    """A step's logs as callbacks see them: Python floats (arrays for non-scalar results)."""
    out = {}
    for name, value in (logs or {}).items():
        if isinstance(value, Tensor):
            value = value.numpy()
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        elif isinstance(value, np.generic):
            value = value.item()
        out[name] = value
    return out


class Trainer:
    """Mixed into Model: the compile state, the step methods and the loops."""

    # What the loops read from the Model they are mixed into.
    inputs: Any
    _network_node_ids: Any
    _all_layers: Any
    _match_inputs: Any
    trainable_variables: Any

    def __init__(self):
        self.optimizer = None
        self.loss = None
        self.compiled_loss = None
        self.compiled_metrics = None
        self.stop_training = False
        self.history = None
        self._is_compiled = False
        self._compile_config = None
        self._run_eagerly = None
        self._distribute_strategy = None
        self.train_function = self.test_function = self.predict_function = None

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer: str | optimizers.Optimizer = "rmsprop", loss: Any = None, metrics: Any = None,
                loss_weights: Any = None, weighted_metrics: Any = None, run_eagerly: bool | None = None,
                steps_per_execution: Any = None, jit_compile: Any = None, pss_evaluation_shards: int = 0,
                **kwargs: Any) -> None:
        """Configure training, with tf.keras 2's signature.

        Args:
            optimizer: a name (``'adam'``) or an Optimizer instance.
            loss: a name, function or Loss instance; with several outputs, a list or a dict by output
                name. May be None when the model adds its losses itself (``add_loss``) or overrides
                ``train_step``.
            metrics: metrics computed on every batch, *without* sample weights (as tf.keras 2); per
                output as a list of lists or a dict.
            loss_weights: a list or dict of factors for the outputs' losses.
            weighted_metrics: metrics computed with ``sample_weight`` (and ``class_weight``); logged as
                their name, or ``weighted_<name>`` when a plain metric has that name.
            run_eagerly: True runs ``train_step`` as Python on every batch instead of replaying its
                compiled trace (for debugging; the results are bit-identical).
            steps_per_execution: accepted for signature compatibility only; chainrule runs one
                batch per step (callbacks see every batch).
            jit_compile: accepted for signature compatibility only (there is no XLA).
            pss_evaluation_shards: accepted for signature compatibility only (there are no
                parameter servers).
            **kwargs: tf.keras 2's legacy keywords (``sample_weight_mode``, ``cloning``,
                ``experimental_run_tf_function``, ``experimental_steps_per_execution``,
                ``from_serialized``; ``distribute`` and ``target_tensors`` only as None), accepted for
                compatibility only. Any other keyword raises ``TypeError`` naming it and the closest
                valid one.

        Raises:
            ValueError: an unknown optimizer, loss or metric name (with the closest valid one), or losses that
                do not match the outputs.
            TypeError: an unknown keyword argument (naming the closest valid one).
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
        self.loss = loss
        self.compiled_loss = LossesContainer(loss, loss_weights, model=self)
        self.compiled_metrics = MetricsContainer(metrics, weighted_metrics, model=self)
        # Set directly: the Metric objects in these arguments are the compiled metrics' business, not metrics the
        # model holds as attributes (Layer.__setattr__ would track them, and they would outlive a new compile).
        self.__dict__["_compile_config"] = dict(loss=loss, metrics=metrics, loss_weights=loss_weights,
                                                weighted_metrics=weighted_metrics)
        self._run_eagerly = run_eagerly
        # As tf.keras: compiled inside `strategy.scope()`, the model trains with that strategy's replicas.
        self._distribute_strategy = _distribute.get_strategy()
        self.train_function = self.test_function = self.predict_function = None
        self._is_compiled = True
        self.stop_training = False

    @property
    def distribute_strategy(self):
        """The ``chainrule.distribute`` strategy the model was compiled under (the default strategy if none)."""
        return self._distribute_strategy or _distribute.get_strategy()

    @property
    def run_eagerly(self) -> bool:
        """Whether the step functions run as Python on every batch (no compiled replay)."""
        return bool(self._run_eagerly) or _backend.functions_run_eagerly()

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = value
        self.train_function = self.test_function = self.predict_function = None

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self) -> list:
        """The metrics ``fit`` resets every epoch and logs: the compiled loss trackers, the compiled
        metrics (both once they have seen data), then metrics added by layers (``add_metric``) and
        Metric objects held as attributes of the model or its layers."""
        out = []
        if self._is_compiled:
            out += self.compiled_loss.metrics + self.compiled_metrics.metrics
        for layer in [self] + self._all_layers():
            out += [m for m in layer.__dict__.get("_metrics", ()) if all(m is not o for o in out)]
        return out

    @property
    def metrics_names(self) -> list:
        """The names of :attr:`metrics`, in log order (``['loss', ...]`` once the model has seen data)."""
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        """Reset every metric in :attr:`metrics` (``fit`` does it at the start of every epoch)."""
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict:
        """``{name: result}`` for every metric in :attr:`metrics` (a dict result is merged in)."""
        out = {}
        for m in self.metrics:
            result = m.result()
            if isinstance(result, dict):
                out.update(result)
            else:
                out[m.name] = result
        return out

    # ------------------------------------------------------------------ the steps
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """The total loss of a batch: the compiled losses, weighted, plus ``self.losses`` (None if none)."""
        del x  # the default does not use it
        if self.compiled_loss is None:
            losses = self.losses
            return None if not losses else sum(losses[1:], losses[0])
        return self.compiled_loss(y, y_pred, sample_weight, regularization_losses=self.losses)

    def compute_metrics(self, x, y, y_pred, sample_weight):
        """Update the compiled metrics with a batch and return :meth:`get_metrics_result`."""
        del x
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _validate_target_and_loss(self, y, loss):
        if self.loss and y is None:
            raise ValueError(f"Target data is missing. Your model was compiled with loss={self.loss!r}, and "
                             "therefore expects target data to be passed in `fit()`: the targets y are missing, "
                             "pass fit(x, y, ...).")
        if loss is None:
            raise ValueError("No loss found. You may have forgotten to provide a `loss` argument in the "
                             "`compile()` method, e.g. model.compile(optimizer='adam', "
                             "loss='sparse_categorical_crossentropy').")

    def train_step(self, data):
        """One optimization step on ``data`` (``x``, ``(x, y)`` or ``(x, y, sample_weight)``); returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        self._validate_target_and_loss(y, loss)
        self.optimizer.minimize(loss, self.trainable_variables, tape=tape)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        """The loss and metrics of one batch, without training; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs for one batch."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _step_function(self, step):
        return step if self.run_eagerly else function(step)

    def make_train_function(self, force=False):
        """The function ``fit`` calls on each batch: ``train_step``, compiled unless ``run_eagerly``."""
        if self.train_function is None or force:
            self.train_function = self._step_function(lambda data: self.train_step(data))
        return self.train_function

    def make_test_function(self, force=False):
        """The function ``evaluate`` calls on each batch: ``test_step``, compiled unless ``run_eagerly``."""
        if self.test_function is None or force:
            self.test_function = self._step_function(lambda data: self.test_step(data))
        return self.test_function

    def make_predict_function(self, force=False):
        """The function ``predict`` calls on each batch: ``predict_step``, compiled unless ``run_eagerly``."""
        if self.predict_function is None or force:
            self.predict_function = self._step_function(lambda data: self.predict_step(data))
        return self.predict_function

    # ------------------------------------------------------------------ data
    def _n_inputs(self):
        return len(getattr(self, "inputs", None) or [None]) if getattr(self, "_is_graph_network", False) else None

    def _output_names(self):
        names = getattr(self, "output_names", None)
        if names:
            return list(names)
        loss = self.loss
        n = len(loss) if isinstance(loss, (list, tuple, dict)) else 1
        return list(loss) if isinstance(loss, dict) else [f"output_{i + 1}" for i in range(n)]

    def _prepare(self, x, y=None, sample_weight=None, what="fit"):
        names = self._output_names()
        sparse_ok = self._sparse_input_ok()
        if _sparse.is_sparse(x) and not isinstance(x, Tensor):  # a scipy sparse matrix, as tf.keras takes one
            x = x.tocsr() if sparse_ok else x.toarray()
        else:
            x = da.normalize_structure(x, self._n_inputs(), f"{what}: x", self.name,
                                       getattr(self, "input_names", None))
            if sparse_ok and _sparse.worth_sparse(x):
                # Mostly-zero rows (multi-hot text): one scan now costs less than one dense epoch; every
                # batch is then a row slice of the nonzeros and Dense multiplies only those.
                x = _sparse.to_csr(x)
        n_outputs = len(names)
        if not getattr(self, "output_names", None) and not isinstance(self.loss, (list, tuple, dict)):
            n_outputs = None  # a subclassed model not called yet, one loss for all: y's structure tells
        y = da.normalize_structure(y, n_outputs, f"{what}: y", self.name, names,
                                   kind="output") if y is not None else None
        if isinstance(y, dict) and getattr(self, "_is_graph_network", False):
            y = [y[name] for name in names] if len(names) > 1 else y[names[0]]
        sample_weight = da.to_numpy(sample_weight) if sample_weight is not None else None
        finite = not what.startswith("predict")  # predict passes NaN through: its outputs then show it
        string_inputs = self._string_input_positions() if hasattr(self, "_string_input_positions") else ()
        da.check_finite_numeric(x, f"{what}: x", finite, string_inputs)  # CSR: its stored values only
        if y is not None:
            da.check_finite_numeric(y, f"{what}: y", finite)
        da.check_cardinality(x, y, sample_weight)
        x = da.cast_floats(x, np.dtype(self.dtype))
        return x, y, sample_weight

    def _batches(self, x, y, sample_weight, batch_size, shuffle=False, steps=None, what="fit"):
        if da.is_dataset(x):
            return da.DatasetBatches(x, steps)
        if bs.is_sequence(x) or bs.is_generator(x):
            return self._python_batches(x, shuffle, steps, what)
        if batch_size is not None:
            batch_size = args.count_argument(batch_size, "batch_size", what, "the number of samples per batch")
        return da.ArrayBatches(x, y, sample_weight, batch_size or 32, shuffle=shuffle, steps=steps)

    @staticmethod
    def _batch_source(x):
        """'dataset', 'python generator' or '`keras.utils.Sequence`' when ``x`` hands out batches; else None."""
        if da.is_dataset(x):
            return "dataset"
        if bs.is_sequence(x):
            return "`keras.utils.Sequence`"
        return "python generator" if bs.is_generator(x) else None

    def _check_batch_source(self, x, y, sample_weight, what):
        """tf.keras's refusals of ``y``/``sample_weight`` next to a source of whole batches; the source's name."""
        kind = self._batch_source(x)
        if kind is not None:
            for name, value in (("y", y), ("sample_weight", sample_weight)):
                if value is not None:
                    raise ValueError(f"{what}: `{name}` argument is not supported when using {kind} as input; its "
                                     f"batches carry it: yield (x, y) or (x, y, sample_weight).")
        return kind

    def _python_batches(self, x, shuffle, steps, what):
        """Batches of a generator or a Sequence; the model is built on the first one, as tf.keras does."""
        dtype = np.dtype(self.dtype)
        if bs.is_sequence(x):
            batches = bs.SequenceBatches(x, steps, shuffle, what, dtype)
        else:
            batches = bs.GeneratorBatches(x, steps, what, dtype)
        if not self.built or (self._is_graph_network is False and not self.weights):
            first = batches.peek_x()
            if first is not None:
                self._build_for(first)
        return batches

    def _sparse_input_ok(self) -> bool:
        """True when the model has one input and every layer reading it is a Dense (which takes sparse rows)."""
        if not _backend.fast_paths_enabled() or not getattr(self, "_is_graph_network", False) or \
                len(self.inputs) != 1:
            return False
        source = self.inputs[0]._keras_history[0]
        readers = [n.layer for n in source._outbound_nodes if id(n) in self._network_node_ids]
        return bool(readers) and all(type(layer) is Dense for layer in readers)

    def _defines_call(self) -> bool:
        """Whether calling the model computes something (a model with only a train_step has no call)."""
        return True

    def _build_for(self, x):
        if self._defines_call() and (not self.built or (self._is_graph_network is False and not self.weights)):
            self(da.take(x, slice(0, 1)))  # build before collecting trainable weights
        if self.compiled_loss is not None:
            self.compiled_loss.plan_heads()  # a Sequential built just now has its output layer

    # ------------------------------------------------------------------ fit
    @flushing
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: str | int = "auto", callbacks: Sequence[Callback] | None = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, class_weight: dict[int, float] | None = None,
            sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int | Sequence[int] = 1, max_queue_size: int = 10, workers: int = 1,
            use_multiprocessing: bool = False) -> History:
        """Train for ``epochs`` passes over the data, printing tf.keras 2's progress bar.

        ``x`` may be arrays/Tensors (with ``y``), a ``chainrule.data.Dataset``, a Python generator
        or a ``keras.utils.Sequence`` yielding ``(x, y)`` or ``(x, y, sample_weight)`` batches
        (see :mod:`chainrule.keras.batch_sources`); ``validation_data`` likewise.

        Args:
            x: the inputs: an array, a list/dict of arrays (several inputs), a Dataset, a generator or a
                Sequence.
            y: the targets (arrays), or None when ``x`` yields them.
            batch_size: samples per step for array inputs (default 32).
            epochs: the epoch to stop at (training runs ``initial_epoch .. epochs - 1``).
            verbose: ``'auto'``/1 a progress bar, 2 one line per epoch, 0 silent.
            callbacks: ``keras.callbacks.Callback`` objects called during training.
            validation_split: the fraction of the array data (the last rows) held out for validation.
            validation_data: ``(x_val, y_val)``, ``(x_val, y_val, sample_weight)``, a Dataset or a generator
                evaluated at the end of each epoch.
            shuffle: shuffle array data before each epoch.
            class_weight: ``{class index: weight}`` multiplying each sample's loss by its class's weight.
            sample_weight: one weight per training sample.
            initial_epoch: the epoch to start from (to resume a run).
            steps_per_epoch: batches per epoch (None: the whole data; a repeating Dataset needs it).
            validation_steps: validation batches per epoch (None: all).
            validation_batch_size: the validation batch size (default ``batch_size``).
            validation_freq: validate every N epochs, or at the epochs listed.
            max_queue_size: accepted for compatibility (batches are produced in the training thread).
            workers: accepted for compatibility.
            use_multiprocessing: accepted for compatibility.

        Returns:
            A ``History`` callback: ``history.history`` maps each logged name (``loss``, metrics,
            ``val_*``) to its list of per-epoch values.

        Raises:
            RuntimeError: the model is not compiled.
            ValueError: no data, inputs or targets that do not fit the model (naming the layer and
                shapes), ``validation_split`` outside [0, 1) or with non-array data, or bad counts.
            TypeError: a callback that is not a ``Callback``, or a float where a count goes.
        """
        self._require_compiled()
        if x is None:
            raise ValueError("fit: no training data; pass x (and y).")
        epochs = args.count_argument(epochs, "epochs", "fit", minimum=0)
        if not 0.0 <= float(validation_split) < 1.0:
            raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split}.")
        verbose = args.verbosity(verbose, "fit")
        args.check_callbacks(callbacks, "fit")
        validate_on = args.validation_epochs(validation_freq)
        if steps_per_epoch is not None:
            steps_per_epoch = args.count_argument(steps_per_epoch, "steps_per_epoch", "fit",
                                                  "the number of batches per epoch; None uses all the data")
        if validation_steps is not None:
            validation_steps = args.count_argument(validation_steps, "validation_steps", "fit",
                                                   "the number of validation batches; None uses all of them")

        source = self._check_batch_source(x, y, sample_weight, "fit")
        if source is not None:
            if validation_split:
                raise ValueError(f"fit: validation_split is only supported for arrays and Tensors, not for a "
                                 f"{source.strip('`')}; pass validation_data.")
            train = self._batches(x, None, None, batch_size, shuffle=shuffle, steps=steps_per_epoch)
            if class_weight is not None:
                table = args.class_weight_table(class_weight, "fit")
                train = bs.ClassWeightedBatches(
                    train, lambda y_, sw: args.class_weights_to_sample_weight(y_, table, sw, "fit"))
        else:
            x, y, sample_weight = self._prepare(x, y, sample_weight)
            if class_weight is not None:
                sample_weight = args.class_weights_to_sample_weight(y, class_weight, sample_weight, "fit")
            if validation_split and validation_data is None:
                (x, y, sample_weight), validation_data = da.split_validation(x, y, sample_weight, validation_split)
            self._build_for(x)
            train = self._batches(x, y, sample_weight, batch_size, shuffle=shuffle, steps=steps_per_epoch)

        val = None
        if validation_data is not None:
            if self._batch_source(validation_data) is not None:
                val = self._batches(validation_data, None, None, None, steps=validation_steps,
                                    what="fit: validation_data")
            else:
                args.check_validation_structure(validation_data)
                vx, vy, *vsw = validation_data
                try:
                    vx, vy, vsw = self._prepare(vx, vy, vsw[0] if vsw else None, what="fit: validation_data")
                    if getattr(self, "_is_graph_network", False):  # shapes checked now, not after the first epoch
                        self._match_inputs(_sparse.SparseTensor(vx) if _sparse.is_sparse(vx) else vx)
                except (ValueError, TypeError) as e:
                    args.raise_prefixed(e, "fit: validation_data: ")
                val = self._batches(vx, vy, vsw, validation_batch_size or batch_size or 32, steps=validation_steps,
                                    what="fit: validation")

        replicas = _distributed.for_model(self)  # None unless compiled in the scope of a multi-replica strategy
        if replicas is not None:  # each replica takes its share of every global batch; only the chief writes
            train = replicas.shard(train, "fit", training=True)
            val = replicas.shard(val, "fit: validation_data") if val is not None else None
            callbacks = replicas.callbacks(callbacks, verbose)
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0 and _distributed.prints(replicas),
                           model=self, verbose=verbose, epochs=int(epochs), steps=len(train) or None)
        train_function = self.make_train_function()
        self.stop_training = False
        rng = _backend.rng()
        cbs.on_train_begin()
        if replicas is not None:
            replicas.broadcast_model()  # every replica starts from the chief's (possibly restored) state
        logs = {}
        resume = getattr(self, "_initial_epoch_override", None)  # set by BackupAndRestore after a crash
        self._initial_epoch_override = None
        start = int(initial_epoch) if resume is None else int(resume)
        # The steps this fit will run, so a compiled-kernel tier-up is decided once, after its first step
        # (ops.tier_up.planned_work), never in its middle; 0 when the number of steps is unknown.
        with _tier_up.planned_work(len(train) * max(0, int(epochs) - start)) as plan:
            for epoch in range(start, int(epochs)):
                self.reset_metrics()
                cbs.on_epoch_begin(epoch)
                step = -1
                for step, batch in enumerate(train.epoch(rng)):
                    cbs.on_train_batch_begin(step)
                    if replicas is None:
                        logs = _python_logs(train_function(da.pack_x_y_sample_weight(*batch)))
                    else:  # this replica's step: one all-reduce of the gradients; the logs are the global batch's
                        logs = _python_logs(replicas.run(train_function, batch))
                    if plan is not None:
                        plan.step_done()
                    cbs.on_train_batch_end(step, logs)
                    if self.stop_training:
                        break
                if step < 0:
                    if getattr(train, "ran_out", False):  # a generator exhausted by the epochs before (warned)
                        break
                    raise ValueError("fit: the training data produced no batches.")
                if replicas is not None:
                    logs = _python_logs(replicas.final_logs(logs, train_function))  # global, if not made every step
                    replicas.average_statistics()  # e.g. BatchNormalization's moving statistics
                epoch_logs = dict(logs)
                if val is not None and validate_on(epoch + 1):
                    try:
                        cbs.on_test_begin({})  # as tf.keras 2: callbacks see the validation pass
                        val_logs = self._run_evaluation(val, cbs, replicas=replicas and replicas.validation())
                        cbs.on_test_end(val_logs)
                    except (ValueError, TypeError) as e:
                        args.raise_prefixed(e, "fit: validation_data: ")
                    epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                logs = epoch_logs  # on_train_end receives the last epoch's logs, validation included
                cbs.on_epoch_end(epoch, epoch_logs)
                if replicas is not None:  # wait for the chief's checkpoints; stop together
                    self.stop_training = replicas.barrier(self.stop_training)
                if self.stop_training or getattr(train, "ran_out", False):
                    break
        cbs.on_train_end(logs)
        if replicas is not None:
            replicas.barrier()
        self.history = cbs.history
        return cbs.history

    def _require_compiled(self):
        if not self._is_compiled:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")

    # ------------------------------------------------------------------ evaluate / predict
    def _run_evaluation(self, batches, callbacks=None, replicas=None):
        test_function = self.make_test_function()
        self.reset_metrics()
        logs = {}
        for step, batch in enumerate(batches.epoch(None)):
            if callbacks is not None:
                callbacks.on_test_batch_begin(step)
            if replicas is None:
                logs = _python_logs(test_function(da.pack_x_y_sample_weight(*batch)))
            else:  # this replica's rows (maybe none), then the global batch's logs
                logs = _python_logs(replicas.run(test_function, batch))
            if callbacks is not None:
                callbacks.on_test_batch_end(step, logs)
        return logs if replicas is None else _python_logs(replicas.final_logs(logs, test_function))

    def _inference_batches(self, x, y, sample_weight, batch_size, steps, what):
        """The batches of evaluate/predict (``steps`` checked)."""
        if steps is not None:
            steps = args.count_argument(steps, "steps", what, "the number of batches; None uses all the data")
        if self._check_batch_source(x, y, sample_weight, what) is not None:
            return self._batches(x, None, None, None, steps=steps, what=what)
        x, y, sample_weight = self._prepare(x, y, sample_weight, what=what)
        self._build_for(x)
        return self._batches(x, y, sample_weight, batch_size, steps=steps, what=what)

    @flushing
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: str | int = "auto",
                 sample_weight: Any = None, steps: int | None = None, callbacks: Sequence[Callback] | None = None,
                 max_queue_size: int = 10, workers: int = 1, use_multiprocessing: bool = False,
                 return_dict: bool = False) -> Any:
        """Loss (and metrics) on the data, batch by batch, as tf.keras 2 computes them.

        Args:
            x: the inputs (as for ``fit``).
            y: the targets, or None when ``x`` yields them.
            batch_size: samples per batch for array inputs (default 32).
            verbose: ``'auto'``/1 a progress bar, 2 one line, 0 silent.
            sample_weight: one weight per sample.
            steps: the number of batches (None: all the data).
            callbacks: Callbacks whose ``on_test_*`` hooks run.
            max_queue_size: accepted for compatibility.
            workers: accepted for compatibility.
            use_multiprocessing: accepted for compatibility.
            return_dict: return ``{name: value}`` instead of a list.

        Returns:
            The loss as a float when nothing else is logged, else ``[loss, *metrics]`` in the logged
            order, or a dict with ``return_dict=True``.

        Raises:
            RuntimeError: the model is not compiled.
            ValueError: no batches, or inputs/targets that do not fit the model.
        """
        self._require_compiled()
        verbose = args.verbosity(verbose, "evaluate")
        args.check_callbacks(callbacks, "evaluate")
        batches = self._inference_batches(x, y, sample_weight, batch_size, steps, "evaluate")
        replicas = _distributed.for_model(self)
        if replicas is not None:  # each replica evaluates its share of every batch; only the chief prints
            batches = replicas.shard(batches, "evaluate")
            callbacks = replicas.callbacks(callbacks, verbose)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0 and _distributed.prints(replicas),
                           model=self, verbose=verbose, epochs=1, steps=len(batches) or None, _mode="evaluate")
        cbs.on_test_begin()
        logs = self._run_evaluation(batches, cbs, replicas)
        if not logs:
            raise ValueError("evaluate: the input produced no batches (is it empty, or an exhausted generator?).")
        cbs.on_test_end(logs)
        return _results(logs, return_dict)

    @flushing
    def predict(self, x: Any, batch_size: int | None = None, verbose: str | int = "auto", steps: int | None = None,
                callbacks: Sequence[Callback] | None = None, max_queue_size: int = 10, workers: int = 1,
                use_multiprocessing: bool = False) -> Any:
        """Model outputs for ``x``, batch by batch (inference mode: dropout off, moving statistics used).

        Args:
            x: the inputs: an array, a list/dict of arrays, a Dataset, a generator or a Sequence.
            batch_size: samples per batch for array inputs (default 32).
            verbose: ``'auto'``/1 a progress bar, 2 one line, 0 silent.
            steps: the number of batches (None: all the data).
            callbacks: Callbacks whose ``on_predict_*`` hooks run.
            max_queue_size: accepted for compatibility.
            workers: accepted for compatibility.
            use_multiprocessing: accepted for compatibility.

        Returns:
            A numpy array of outputs (first axis: the samples), or a list (dict, tuple: the nesting of the
            outputs) of arrays for a model with several outputs.

        Raises:
            ValueError: no batches, or inputs that do not fit the model.
        """
        verbose = args.verbosity(verbose, "predict")
        args.check_callbacks(callbacks, "predict")
        batches = self._inference_batches(x, None, None, batch_size, steps, "predict")
        replicas = _distributed.for_model(self)
        if replicas is not None:  # each replica predicts its share of every batch; gathered below
            batches = replicas.shard(batches, "predict")
            callbacks = replicas.callbacks(callbacks, verbose)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0 and _distributed.prints(replicas),
                           model=self, verbose=verbose, epochs=1, steps=len(batches) or None)
        predict_function = self.make_predict_function()
        cbs.on_predict_begin()
        chunks: list[Any]
        structure: Any
        chunks, structure = [], None
        for step, batch in enumerate(batches.epoch(None)):
            if batch is None:  # this replica has no rows of this batch
                chunks.append(None)
                continue
            cbs.on_predict_batch_begin(step)
            out = predict_function(da.pack_x_y_sample_weight(*batch))
            structure = out
            chunks.append([o._value for o in nest.flatten(out)])
            cbs.on_predict_batch_end(step, {"outputs": out})
        cbs.on_predict_end()
        if replicas is not None:
            chunks = replicas.gather(chunks)
        if not chunks:
            raise ValueError("predict: the input produced no batches (is it empty?).")
        outs = [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]
        if isinstance(structure, (dict, tuple)):  # as tf.keras 2: a tuple of outputs (an RNN's) stays a tuple
            return nest.pack_sequence_as(structure, outs)
        return outs[0] if len(outs) == 1 else outs

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Deprecated (tf.keras 2): ``fit`` takes generators itself; this calls it."""
        warnings.warn("`Model.fit_generator` is deprecated and will be removed in a future version. Please use "
                      "`Model.fit`, which supports generators.", DeprecationWarning, stacklevel=2)
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                        callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
                        validation_freq=validation_freq, class_weight=class_weight, max_queue_size=max_queue_size,
                        workers=workers, use_multiprocessing=use_multiprocessing, shuffle=shuffle,
                        initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """Deprecated (tf.keras 2): ``evaluate`` takes generators itself; this calls it."""
        warnings.warn("`Model.evaluate_generator` is deprecated and will be removed in a future version. Please "
                      "use `Model.evaluate`, which supports generators.", DeprecationWarning, stacklevel=2)
        return self.evaluate(generator, steps=steps, callbacks=callbacks, max_queue_size=max_queue_size,
                             workers=workers, use_multiprocessing=use_multiprocessing, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """Deprecated (tf.keras 2): ``predict`` takes generators itself; this calls it."""
        warnings.warn("`Model.predict_generator` is deprecated and will be removed in a future version. Please "
                      "use `Model.predict`, which supports generators.", DeprecationWarning, stacklevel=2)
        return self.predict(generator, steps=steps, callbacks=callbacks, max_queue_size=max_queue_size,
                            workers=workers, use_multiprocessing=use_multiprocessing, verbose=verbose)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        """One training step on one batch; returns the loss (and metrics) for it."""
        self._require_compiled()
        x, y, sample_weight = self._prepare(x, y, sample_weight, what="train_on_batch")
        if class_weight is not None:
            sample_weight = args.class_weights_to_sample_weight(y, class_weight, sample_weight, "train_on_batch")
        self._build_for(x)
        if reset_metrics:
            self.reset_metrics()
        replicas = _distributed.for_model(self)
        if replicas is None:
            logs = _python_logs(self.make_train_function()(da.pack_x_y_sample_weight(x, y, sample_weight)))
        else:  # this replica's share of the global batch
            batch = replicas.shard_batch(x, y, sample_weight, "train_on_batch", training=True)
            logs = _python_logs(replicas.run(self.make_train_function(), batch))
        return _results(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        """Loss (and metrics) on one batch, without training."""
        self._require_compiled()
        x, y, sample_weight = self._prepare(x, y, sample_weight, what="test_on_batch")
        self._build_for(x)
        if reset_metrics:
            self.reset_metrics()
        replicas = _distributed.for_model(self)
        if replicas is None:
            logs = _python_logs(self.make_test_function()(da.pack_x_y_sample_weight(x, y, sample_weight)))
        else:  # this replica's share of the batch
            batch = replicas.shard_batch(x, y, sample_weight, "test_on_batch")
            logs = _python_logs(replicas.run(self.make_test_function(), batch))
        return _results(logs, return_dict)

    def predict_on_batch(self, x):
        """Model outputs for one batch as numpy arrays."""
        x, _, _ = self._prepare(x, what="predict_on_batch")
        replicas = _distributed.for_model(self)
        if replicas is not None:  # each replica predicts its rows; every replica returns all of them
            x = replicas.shard_batch(x, None, None, "predict_on_batch")[0]
        out = self.make_predict_function()(da.pack_x_y_sample_weight(x))
        outs = [o._value for o in nest.flatten(out)]
        if replicas is not None:
            outs = replicas.gather([outs])[0]
        return outs[0] if len(outs) == 1 else outs


def _results(logs, return_dict):
    """What evaluate/train_on_batch/test_on_batch return: the logs dict, the loss alone, or ``[loss, *metrics]``."""
    values = list(logs.values())
    return logs if return_dict else values[0] if len(values) == 1 else values
