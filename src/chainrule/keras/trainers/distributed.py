"""``fit`` / ``evaluate`` / ``predict`` with several replicas: what the Trainer does under a strategy.

A model compiled inside ``strategy.scope()`` of a ``MultiWorkerMirroredStrategy`` whose job has
N > 1 processes gets a :class:`Replicas` object in each of these calls (``for_model``); with one
replica there is none and the loops run exactly as without a strategy. The Trainer calls it at
marked points:

* **batches** (:meth:`Replicas.shard`): every batch of the data is a *global* batch; replica ``i``
  takes the ``i``-th of N equal row ranges (``distribute.input.shard_bounds``). Every training
  epoch starts from the chief's random state, so every replica shuffles (arrays, or a
  ``Dataset.shuffle``) in the same order. The global batch size must be a multiple of N, and
  the data must have at least N samples (clear errors otherwise). A last training batch too
  small to give every replica a sample is skipped (with a warning); in evaluation a replica
  without rows skips that step.
* **steps** (:meth:`Replicas.run`): the step runs in a replica context whose gradient weight is
  this replica's number of samples, so the optimizer's one all-reduce gives the gradient of the
  global batch's mean loss; the logs are the global batch's: the metrics' states are summed over
  the replicas (one small all-reduce) before their results are read. That is done every step
  when the progress bar or a callback may read the logs of a batch, else once at the end of the
  epoch or evaluation (:meth:`Replicas.final_logs`): one synchronisation less per step.
* **callbacks** (:meth:`Replicas.callbacks`): only the chief prints the progress bar and writes
  checkpoints, TensorBoard logs, CSV logs and ``BackupAndRestore`` state; the other replicas
  restore from the chief's backup but never write it.
* **barriers** (:meth:`Replicas.barrier`): after every epoch's callbacks and at the end of
  training everyone waits for the chief (so no replica reads a half-written file) and they
  agree on stopping.
* **start** (:meth:`Replicas.broadcast_model`): the chief's weights (and optimizer state) are
  broadcast before the first step; BatchNormalization-style statistics each replica updates
  from its own batches are averaged before validation (:meth:`Replicas.average_statistics`).
* **predict** (:meth:`Replicas.gather`): each replica predicts its rows; the outputs are
  gathered in order, so every replica returns the whole prediction.
"""
from __future__ import annotations

import warnings

import numpy as np

from ... import nest
from ...distribute import input as _input
from ...distribute import mpi as _mpi
from ...distribute import sync as _sync
from ...distribute.strategy import ReplicaContext
from ...ops.collective import AllReduce
from ...sparse import SparseTensor
from ..callbacks.base import Callback
from ..callbacks.checkpoint import BackupAndRestore, ModelCheckpoint
from ..callbacks.early_stopping import EarlyStopping
from ..callbacks.history import History, ProgbarLogger
from ..callbacks.lr_schedulers import LearningRateScheduler, ReduceLROnPlateau
from ..callbacks.simple import CSVLogger
from ..callbacks.tensorboard import TensorBoard
from .. import data_adapter as da

#: Callbacks that only the chief runs: they print or write files.
CHIEF_ONLY = (ModelCheckpoint, TensorBoard, CSVLogger, ProgbarLogger)
#: Callbacks that read the logs only at the end of an epoch (or of an evaluation).
EPOCH_LEVEL = (History, BackupAndRestore, EarlyStopping, LearningRateScheduler, ReduceLROnPlateau, CSVLogger)


def _reads_batch_logs(callback) -> bool:
    """Whether ``callback`` may read the logs of a batch in the middle of an epoch (unknown ones may)."""
    if isinstance(callback, EPOCH_LEVEL):
        return False
    if isinstance(callback, ModelCheckpoint):
        return callback.save_freq != "epoch"
    if isinstance(callback, TensorBoard):
        return callback.update_freq != "epoch"
    return True


def for_model(model):
    """The :class:`Replicas` of ``model``'s strategy, or None when it has one replica."""
    strategy = getattr(model, "_distribute_strategy", None)
    if strategy is not None and strategy.num_replicas_in_sync > 1:
        return Replicas(model, strategy)
    processes = _mpi.opened_world_size()
    if processes > 1 and not getattr(model, "_warned_unreplicated", False):
        model._warned_unreplicated = True
        warnings.warn(f"Model {model.name!r} was compiled outside the scope of the MultiWorkerMirroredStrategy of this "
                      f"{processes}-process job, so this process trains it alone on all the data. Build and compile "
                      "it inside `with strategy.scope():`.", stacklevel=3)
    return None


def prints(replicas) -> bool:
    """Whether this process shows progress bars: without replicas, or as the chief."""
    return replicas is None or replicas.is_chief


class Replicas:
    """This process's replica among ``strategy.num_replicas_in_sync``, for one model (see the module doc)."""

    def __init__(self, model, strategy):
        self.model = model
        self.strategy = strategy
        self.comm = strategy._comm
        self.index = strategy._replica_id
        self.count = strategy.num_replicas_in_sync
        self.is_chief = self.index == 0
        self._keys = {}  # per step function: its log keys, fixed by its first step
        self._extras = {}  # per step function: whether it returns values that are not metric results
        self._local = {}  # per step function: the logs of its last step on this replica
        # Whether the logs of every step are made global (an all-reduce per step), or only the last ones of a
        # loop (final_logs), when no callback reads them in between (see callbacks()).
        self.batch_logs = True

    # ------------------------------------------------------------------ data
    def shard(self, batches, what, training=False):
        """This replica's share of ``batches`` (an ArrayBatches or DatasetBatches of global batches)."""
        if isinstance(batches, da.DatasetBatches) and getattr(batches.dataset, "_is_distributed_dataset", False):
            return batches  # strategy.experimental_distribute_dataset(...): already this replica's share
        return ShardedBatches(batches, self, what, training)

    def shard_batch(self, x, y, sample_weight, what, training=False):
        """This replica's rows of one global batch (``train_on_batch`` & co.); None when it has none."""
        rows = _input.rows_of(x)
        _input.check_enough_samples(rows, self.count, what)
        if training:
            _input.check_global_batch_size(rows, self.count, what)
        start, stop = _input.shard_bounds(rows, self.index, self.count)
        return da.take(x, slice(start, stop)), da.take(y, slice(start, stop)), da.take(sample_weight,
                                                                                        slice(start, stop))

    # ------------------------------------------------------------------ steps
    def run(self, function, batch):
        """Run ``function`` (a step) on this replica's ``batch`` and return the global batch's logs.

        ``batch`` is ``(x, y, sample_weight)``, or None when this replica has no rows in this
        step of an evaluation (it then only joins the all-reduce of the logs).
        """
        if batch is None:
            local = {}
        else:
            with ReplicaContext(self.strategy, gradient_weight=_input.rows_of(batch[0])):
                local = self._local[function] = function(da.pack_x_y_sample_weight(*batch))
        return self.global_logs(local, function) if self.batch_logs else local

    def final_logs(self, logs, function):
        """The last logs of a loop over ``function``'s steps as the global batch's (made now unless every step's
        were)."""
        return logs if self.batch_logs else self.global_logs(self._local.get(function, {}), function)

    def validation(self):
        """These replicas for fit's validation: nobody reads its logs before the end."""
        other = Replicas(self.model, self.strategy)
        other.batch_logs = False
        return other

    def global_logs(self, local, function=None):
        """The logs of the global batch: every metric's result over the replicas' summed states.

        A value the step returned that is not a metric's result (a custom ``train_step``'s own
        tensors) is averaged over the replicas.
        """
        variables = [v for m in self.model.metrics for v in m.variables]
        with _sync.summed_states(variables, self.comm):
            results = {k: _numpy(v) for k, v in self.model.get_metrics_result().items()}
        local = dict(local or {})
        if function not in self._keys:  # the first step: every replica decides the same (one small all-reduce)
            self._extras[function] = self.barrier(any(k not in results for k in local))
            self._keys[function] = list(local) or list(results)
        if self._extras[function]:
            results.update(self._mean_of_extras({k: _numpy(v) for k, v in local.items() if k not in results}))
        return {k: results[k] for k in self._keys[function] if k in results}

    def _mean_of_extras(self, extras):
        gathered = [d for d in self.comm.allgather(extras) if d]
        keys = list(dict.fromkeys(k for d in gathered for k in d))
        return {k: np.mean([np.asarray(d[k], dtype=np.float64) for d in gathered if k in d], axis=0) for k in keys}

    # ------------------------------------------------------------------ callbacks and files
    def callbacks(self, callbacks, verbose):
        """The callbacks this replica runs: all of them on the chief; on the others, none that print or
        write, and ``BackupAndRestore`` only to restore the chief's backup.

        Also decides, the same way on every replica, whether every step's logs must be global: when the
        progress bar shows them (``verbose=1``) or a callback may read them during the epoch.
        """
        self.batch_logs = verbose == 1 or any(_reads_batch_logs(c) for c in nest.flatten(list(callbacks or [])))
        if self.is_chief:
            return callbacks
        kept = []
        for c in nest.flatten(list(callbacks or [])):
            if isinstance(c, CHIEF_ONLY):
                continue
            kept.append(_RestoreOnly(c) if isinstance(c, BackupAndRestore) else c)
        return kept

    def barrier(self, stop=False) -> bool:
        """Wait until every replica is here (after the chief wrote its files); True if any wants to stop."""
        flags = AllReduce(self.comm).forward(np.asarray([int(bool(stop))], dtype=np.int64))[0]
        return bool(flags[0])

    # ------------------------------------------------------------------ state
    def broadcast_model(self):
        """Every replica takes the chief's weights (and optimizer state, once it exists)."""
        variables = list(self.model.weights)
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and getattr(optimizer, "built", False):
            variables += list(optimizer.variables)
        seen, unique = set(), []
        for v in variables:
            if id(v) not in seen:
                seen.add(id(v))
                unique.append(v)
        _sync.broadcast_variables(unique, self.comm)

    def average_statistics(self):
        """Non-trainable float weights each replica updated from its own batches take their mean."""
        _sync.average_variables(self.model.non_trainable_weights, self.comm)

    def gather(self, chunks):
        """Per batch, every replica's outputs joined in replica order (the rows of the global batch)."""
        everyone = self.comm.allgather(chunks)
        joined = []
        for step in range(len(chunks)):
            parts = [rank_chunks[step] for rank_chunks in everyone if rank_chunks[step] is not None]
            joined.append([np.concatenate([p[i] for p in parts]) for i in range(len(parts[0]))])
        return joined


def _numpy(value):
    if hasattr(value, "_value"):
        return np.array(value._value)
    return value


class ShardedBatches:
    """This replica's share of every global batch of an ``ArrayBatches`` or ``DatasetBatches``.

    Yields ``(x, y, sample_weight)`` like them, or None for a step of an evaluation in which this
    replica has no rows. ``len()`` is the number of steps, the same on every replica.
    """

    def __init__(self, batches, replicas, what, training):
        self.batches = batches
        self.replicas = replicas
        self.what = what
        self.training = training
        count = replicas.count
        self.steps = len(batches)
        if isinstance(batches, da.ArrayBatches):
            _input.check_enough_samples(batches.n, count, what)
            if training:
                _input.check_global_batch_size(batches.batch_size, count, what)
                last = batches.n - (batches.steps - 1) * batches.batch_size
                if batches.steps * batches.batch_size >= batches.n and 0 < last < count:
                    self.steps -= 1  # the last batch cannot give every replica a sample
                    if replicas.is_chief:
                        warnings.warn(f"{what}: the last batch holds {last} sample(s), fewer than the {count} "
                                      f"replicas; it is skipped in every epoch.", stacklevel=4)

    def __len__(self):
        return self.steps

    def epoch(self, rng):
        if self.training:  # every replica draws the chief's shuffle order
            _sync.share_random_state(self.replicas.comm)
        if isinstance(self.batches, da.ArrayBatches):
            return self._array_epoch(rng)
        return self._dataset_epoch(rng)

    def _array_epoch(self, rng):
        b, index, count = self.batches, self.replicas.index, self.replicas.count
        order = rng.permutation(b.n) if b.shuffle else None
        bs = b.batch_size
        for step in range(self.steps):
            lo, hi = step * bs, min((step + 1) * bs, b.n)
            start, stop = _input.shard_bounds(hi - lo, index, count)
            if start == stop:
                yield None
                continue
            if order is None:
                idx = slice(lo + start, lo + stop)
            else:
                idx = np.sort(order[lo:hi]) if b.shuffle == "sorted" else order[lo:hi]
                idx = idx[start:stop]
            xb = SparseTensor(b.x[idx]) if b.sparse else da.take(b.x, idx)
            yield xb, da.take(b.y, idx), da.take(b.sample_weight, idx)

    def _dataset_epoch(self, rng):
        index, count, what = self.replicas.index, self.replicas.count, self.what
        for position, (x, y, sample_weight) in enumerate(self.batches.epoch(rng)):
            rows = _input.rows_of(x)
            if position == 0:
                _input.check_enough_samples(rows, count, what)
                if self.training:
                    _input.check_global_batch_size(rows, count, f"{what} (the dataset's batch size)")
            if rows < count and self.training:
                if self.replicas.is_chief:
                    warnings.warn(f"{what}: batch {position} holds {rows} sample(s), fewer than the {count} replicas; "
                                  "it is skipped.", stacklevel=2)
                continue
            start, stop = _input.shard_bounds(rows, index, count)
            if start == stop:
                yield None
                continue
            part = slice(start, stop)
            yield da.take(x, part), da.take(y, part), da.take(sample_weight, part)


class _RestoreOnly(Callback):
    """A non-chief replica's ``BackupAndRestore``: it restores the chief's backup when training starts and
    never writes or deletes it (the chief does, and the barrier after each epoch makes the others wait)."""

    def __init__(self, backup):
        super().__init__()
        self.backup = backup

    def set_model(self, model):
        super().set_model(model)
        self.backup.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        self.backup.set_params(params)

    def on_train_begin(self, logs=None):
        self.backup.on_train_begin(logs)
