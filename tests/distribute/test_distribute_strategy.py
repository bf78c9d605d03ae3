"""chainrule.distribute in one process: the strategies' surface, the collective ops, sharding, errors.

The second replica is simulated by ``fake_comm.FakeComm`` where a test needs two; the real
two-process runs are in ``test_distribute_mpi.py``.
"""
import importlib.util
import os
import sys

import numpy as np
import pytest

import chainrule as tf
from chainrule.distribute import input as dinput
from chainrule.distribute import mpi as dmpi
from chainrule.distribute import sync as dsync
from chainrule.ops import collective
from chainrule.ops import updates

sys.path.insert(0, os.path.dirname(__file__))
from fake_comm import FakeComm, FakeTwoReplicaStrategy  # noqa: E402

HAVE_MPI4PY = importlib.util.find_spec("mpi4py") is not None


# ----------------------------------------------------------------------------- contexts

def test_default_strategy_is_one_replica_and_no_strategy():
    s = tf.distribute.get_strategy()
    assert s.num_replicas_in_sync == 1 and s.cluster_resolver is None
    assert not tf.distribute.has_strategy() and not tf.distribute.in_cross_replica_context()
    ctx = tf.distribute.get_replica_context()
    assert ctx is not None and ctx.num_replicas_in_sync == 1 and ctx.replica_id_in_sync_group == 0


def test_scope_and_run_set_the_cross_replica_and_replica_contexts():
    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        assert tf.distribute.has_strategy() and tf.distribute.get_strategy() is strategy
        assert tf.distribute.in_cross_replica_context() and tf.distribute.get_replica_context() is None

        def step(a):
            ctx = tf.distribute.get_replica_context()
            assert not tf.distribute.in_cross_replica_context() and ctx.strategy is strategy
            return ctx.all_reduce(tf.distribute.ReduceOp.SUM, a) * 2.0
        out = strategy.run(step, args=(tf.constant([1.0, 2.0]),))
    np.testing.assert_array_equal(out.numpy(), [2.0, 4.0])
    assert not tf.distribute.has_strategy()
    assert strategy.experimental_local_results(out) == (out,)


def test_mixing_two_strategies_is_refused():
    a, b = tf.distribute.MirroredStrategy(), tf.distribute.MirroredStrategy()
    with a.scope():
        with pytest.raises(ValueError, match="Mixing different chainrule.distribute strategies"):
            with b.scope():
                pass


def test_mirrored_strategy_with_several_devices_points_to_mpiexec():
    with pytest.raises(ValueError, match=r"mpiexec -n 2 python train.py.*MultiWorkerMirroredStrategy"):
        tf.distribute.MirroredStrategy(["/gpu:0", "/gpu:1"])


def test_reduce_on_one_replica_sum_and_mean_with_and_without_axis():
    s = tf.distribute.MirroredStrategy()
    v = tf.constant([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_array_equal(s.reduce("SUM", v, axis=None).numpy(), v.numpy())
    np.testing.assert_array_equal(s.reduce(tf.distribute.ReduceOp.SUM, v, axis=0).numpy(), [4.0, 7.0])
    np.testing.assert_allclose(s.reduce(tf.distribute.ReduceOp.MEAN, v, axis=0).numpy(), [2.0, 3.5])
    nested = s.reduce("MEAN", {"a": v, "b": [tf.constant([2.0])]}, axis=None)
    np.testing.assert_array_equal(nested["b"][0].numpy(), [2.0])
    with pytest.raises(ValueError, match="ReduceOp.SUM or ReduceOp.MEAN"):
        s.reduce("MAX", v)


def test_reduce_mean_along_the_batch_axis_weights_each_replica_by_its_rows():
    mine = np.array([1.0, 2.0, 3.0], np.float32)  # replica 0: 3 rows; replica 1 (fake): 1 row of value 10

    def partner(send):  # [sum, count] of the other replica, laid out as this replica's buffer
        return np.array([10.0, 1.0], np.float32)
    s = FakeTwoReplicaStrategy(FakeComm(partner))
    out = s.reduce("MEAN", tf.constant(mine), axis=0)
    assert out.numpy() == pytest.approx((1 + 2 + 3 + 10) / 4)


# ----------------------------------------------------------------------------- collective ops

def test_all_reduce_uses_one_buffer_and_returns_each_input_shaped():
    comm = FakeComm()
    a, b = np.arange(6, dtype=np.float32).reshape(2, 3), np.array(1.5, np.float32)
    out = collective.AllReduce(comm).forward(a, b)
    assert len(comm.allreduce_calls) == 1 and comm.allreduce_calls[0].shape == (7,)
    np.testing.assert_array_equal(out[0], 2 * a)
    assert out[1].shape == () and out[1] == 3.0 and out[0].dtype == np.float32


def test_weighted_all_reduce_is_the_mean_of_the_global_batch():
    # replica 0 holds the mean gradient of 30 rows, replica 1 of 29: the result is the mean over 59 rows
    g0, g1 = np.array([1.0, -2.0], np.float32), np.array([4.0, 1.0], np.float32)
    comm = FakeComm(lambda send: np.concatenate([g1 * 29, [29.0]]).astype(np.float32))
    (out,) = collective.AllReduce(comm, weight=30).forward(g0)
    np.testing.assert_allclose(out, (30 * g0 + 29 * g1) / 59, rtol=1e-6)
    # equal power-of-two shards: exactly the mean of the two
    comm = FakeComm(lambda send: np.concatenate([g1 * 32, [32.0]]).astype(np.float32))
    (out,) = collective.AllReduce(comm, weight=32).forward(g0)
    np.testing.assert_array_equal(out, (g0 + g1) / np.float32(2))


def test_all_reduce_keeps_each_input_dtype():
    out = collective.AllReduce(FakeComm()).forward(np.array([1], np.int64), np.array([0.5], np.float32))
    assert out[0].dtype == np.int64 and out[1].dtype == np.float32
    np.testing.assert_array_equal(out[0], [2])


def test_all_gather_joins_in_replica_order():
    out = collective.AllGather(FakeComm(), axis=0).forward(np.ones((2, 3)))
    assert out.shape == (4, 3)


def test_concatenate_flat_takes_the_all_reduce_buffer_without_a_copy():
    grads = [np.ones((3, 2), np.float32), np.full(4, 2.0, np.float32)]
    views = collective.AllReduce(FakeComm(), weight=1.0).forward(*grads)
    flat = updates.ConcatenateFlat().forward(*views)
    assert np.shares_memory(flat, views[0]) and flat.shape == (10,)
    np.testing.assert_array_equal(flat, np.concatenate([v.reshape(-1) for v in views]))
    # out of order, or separate arrays: a copy, same values
    flat = updates.ConcatenateFlat().forward(views[1], views[0])
    assert not np.shares_memory(flat, views[0])
    np.testing.assert_array_equal(flat, np.concatenate([views[1], views[0].reshape(-1)]))
    # a Variable given as an input is never aliased
    v = tf.Variable(np.ones(3, np.float32))
    out = tf.tensor.apply_op(updates.ConcatenateFlat(), v)
    assert not np.shares_memory(out.numpy(), v._value)


# ----------------------------------------------------------------------------- sharding

@pytest.mark.parametrize("rows,count", [(64, 2), (59, 2), (7, 3), (5, 5), (10, 4)])
def test_shard_bounds_split_the_rows_in_order_and_evenly(rows, count):
    bounds = [dinput.shard_bounds(rows, i, count) for i in range(count)]
    assert bounds[0][0] == 0 and bounds[-1][1] == rows
    assert all(bounds[i][1] == bounds[i + 1][0] for i in range(count - 1))
    sizes = [b - a for a, b in bounds]
    assert max(sizes) - min(sizes) <= 1 and sizes == sorted(sizes, reverse=True)


def test_batch_size_and_too_small_errors_name_both_numbers():
    with pytest.raises(ValueError, match=r"global batch size 63 is not divisible by the 2 replicas.*e\.g\. 64 "
                                         r"\(32 per replica\)"):
        dinput.check_global_batch_size(63, 2, "fit")
    with pytest.raises(ValueError, match=r"too small to shard: 1 sample\(s\) for 4 replicas"):
        dinput.check_enough_samples(1, 4, "fit")
    ctx = tf.distribute.InputContext(2, 1, 2)
    assert ctx.get_per_replica_batch_size(64) == 32
    with pytest.raises(ValueError, match="global batch size 9 is not divisible by the 2 replicas"):
        ctx.get_per_replica_batch_size(9)


def test_distributed_dataset_gives_this_replica_its_share_of_each_batch():
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    ds = tf.data.Dataset.from_tensor_slices((x, x[:, 0])).batch(4)
    batches = list(dinput.DistributedDataset(ds, 1, 2))
    assert [b[0].numpy()[:, 0].tolist() for b in batches] == [[2, 3], [6, 7], [9]]
    assert len(list(tf.distribute.MirroredStrategy().experimental_distribute_dataset(ds))) == 3
    with pytest.raises(ValueError, match="global batch size 3 is not divisible by the 2 replicas"):
        list(dinput.DistributedDataset(tf.data.Dataset.from_tensor_slices(x).batch(3), 0, 2))
    with pytest.raises(ValueError, match=r"batch 1: the data set is too small to shard: 1 sample"):
        list(dinput.DistributedDataset(tf.data.Dataset.from_tensor_slices(x[:5]).batch(4), 0, 2))


def test_distribute_datasets_from_function_passes_the_input_context():
    seen = []

    def dataset_fn(ctx):
        seen.append((ctx.num_input_pipelines, ctx.input_pipeline_id, ctx.num_replicas_in_sync))
        return tf.data.Dataset.range(4).batch(ctx.get_per_replica_batch_size(2))
    ds = tf.distribute.MirroredStrategy().distribute_datasets_from_function(dataset_fn)
    assert seen == [(1, 0, 1)] and len(list(ds)) == 2


# ----------------------------------------------------------------------------- two (fake) replicas

def test_compute_average_loss_divides_by_the_global_batch_in_a_replica_step():
    strategy = FakeTwoReplicaStrategy()
    losses = tf.constant([1.0, 2.0, 3.0, 6.0])
    assert float(tf.nn.compute_average_loss(losses)) == 3.0
    out = strategy.run(lambda: (tf.nn.compute_average_loss(losses), tf.nn.scale_regularization_loss(4.0)))
    assert float(out[0]) == 12.0 / 8 and float(out[1]) == 2.0
    assert float(strategy.run(lambda: tf.nn.compute_average_loss(losses, global_batch_size=6))) == 2.0


def test_apply_gradients_sums_in_run_and_refuses_the_cross_replica_context():
    strategy = FakeTwoReplicaStrategy()
    with strategy.scope():
        v = tf.Variable([1.0, 1.0])
        opt = tf.keras.optimizers.SGD(0.5)
    strategy.run(lambda: opt.apply_gradients([(tf.constant([1.0, 2.0]), v)]))  # the partner sends the same
    np.testing.assert_array_equal(v.numpy(), [0.0, -1.0])  # 1 - 0.5 * (1 + 1), 1 - 0.5 * (2 + 2)
    with strategy.scope():
        with pytest.raises(RuntimeError, match=r"cross-replica context.*strategy.run"):
            opt.apply_gradients([(tf.constant([1.0, 2.0]), v)])
        opt.apply_gradients([(tf.constant([1.0, 2.0]), v)], skip_gradients_aggregation=True)
    np.testing.assert_array_equal(v.numpy(), [-0.5, -2.0])


def test_a_metric_made_in_scope_counts_every_replica_when_read_outside_a_step():
    strategy = FakeTwoReplicaStrategy()
    with strategy.scope():
        total = tf.keras.metrics.Sum()
        mean = tf.keras.metrics.Mean()
    local = tf.keras.metrics.Sum()  # made outside: this replica's only
    for m in (total, mean, local):
        m.update_state([1.0, 2.0])
    assert float(total.result()) == 6.0 and float(mean.result()) == 1.5 and float(local.result()) == 3.0
    assert float(strategy.run(total.result)) == 3.0  # inside a replica step: this replica's batches
    assert float(total.result()) == 6.0 and float(total.total.numpy()) == 3.0  # the state itself stays local


def test_fit_under_two_fake_replicas_trains_on_this_replicas_half_of_every_global_batch():
    # The fake partner contributes exactly what this replica does, so the combined gradient is this
    # replica's own: training must equal a one-process run on rank 0's rows of each global batch.
    x = np.random.default_rng(0).normal(size=(128, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)

    def model():
        tf.keras.utils.set_random_seed(3)
        m = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(2, activation="softmax")])
        m.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
        return m
    def batch_logs(seen):  # a callback reading every batch's logs: they are then made global every step
        return tf.keras.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: seen.append(dict(logs)))

    rows = np.concatenate([np.arange(i, i + 16) for i in range(0, 128, 32)])
    for per_batch in (False, True):
        seen, seen_alone = [], []
        with FakeTwoReplicaStrategy().scope():
            replicated = model()
        history = replicated.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0,
                                 callbacks=[batch_logs(seen)] if per_batch else None)
        alone = model()
        reference = alone.fit(x[rows], y[rows], batch_size=16, epochs=2, shuffle=False, verbose=0,
                              callbacks=[batch_logs(seen_alone)] if per_batch else None)
        for a, b in zip(replicated.get_weights(), alone.get_weights()):
            np.testing.assert_array_equal(a, b)
        assert history.history == reference.history
        assert seen == seen_alone
    assert replicated.distribute_strategy.num_replicas_in_sync == 2
    with pytest.raises(ValueError, match="fit: the global batch size 33 is not divisible by the 2 replicas"):
        replicated.fit(x, y, batch_size=33, verbose=0)


# ----------------------------------------------------------------------------- MPI in this process

def test_multi_worker_strategy_without_mpi4py_says_what_to_install(monkeypatch):
    monkeypatch.setattr(dmpi, "_world", None)
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(ImportError, match=r"MultiWorkerMirroredStrategy needs mpi4py.*pip install "
                                          r"'chainrule\[distributed\]'.*mpiexec -n 2 python train.py"):
        tf.distribute.MultiWorkerMirroredStrategy()


def test_importing_chainrule_does_not_import_mpi4py():
    import subprocess
    code = "import sys, chainrule; print('mpi4py' in sys.modules)"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.skipif(not HAVE_MPI4PY, reason="needs the chainrule[distributed] extra (mpi4py, mpich)")
def test_multi_worker_strategy_in_one_process_is_one_worker_and_trains_as_without_it():
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    assert strategy.num_replicas_in_sync == 1
    resolver = strategy.cluster_resolver
    assert (resolver.task_type, resolver.task_id) == ("worker", 0)
    assert resolver.cluster_spec().as_dict()["worker"][0].endswith(":0")
    assert strategy.extended.should_checkpoint
    x = np.random.default_rng(1).normal(size=(40, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)

    def train(scope):
        tf.keras.utils.set_random_seed(5)
        with scope:
            m = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
            m.compile(optimizer="adam", loss="mse")
        m.fit(x, y, batch_size=8, epochs=2, verbose=0)
        return m.get_weights()
    import contextlib
    for a, b in zip(train(strategy.scope()), train(contextlib.nullcontext())):
        np.testing.assert_array_equal(a, b)


def test_sync_helpers_are_noops_without_replicas():
    grads = [tf.constant([1.0])]
    assert dsync.aggregate_gradients(grads) is grads
    assert dsync.multi_replica_strategy() is None


def test_a_custom_train_step_and_the_on_batch_methods_under_two_fake_replicas():
    class Custom(tf.keras.Model):
        def train_step(self, data):
            logs = super().train_step(data)
            return {**logs, "rows": tf.cast(tf.shape(data[0])[0], "float32")}  # not a metric: averaged

    x = np.random.default_rng(2).normal(size=(64, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    with FakeTwoReplicaStrategy().scope():
        inputs = tf.keras.Input(shape=(3,))
        model = Custom(inputs, tf.keras.layers.Dense(1)(inputs))
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert history.history["rows"] == [16.0]  # each replica's share of the last global batch
    assert set(history.history) == {"loss", "mae", "rows"}
    logs = model.train_on_batch(x[:8], y[:8], return_dict=True)
    assert logs["rows"] == 4.0 and np.isfinite(logs["loss"])
    assert model.predict_on_batch(x[:6]).shape == (6, 1)  # 3 rows here, gathered with the partner's 3
    with pytest.raises(ValueError, match="train_on_batch: the global batch size 7 is not divisible"):
        model.train_on_batch(x[:7], y[:7])
