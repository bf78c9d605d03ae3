"""chainrule.train: Checkpoint, CheckpointManager, latest_checkpoint and the readers; save_weights in the
checkpoint format. Keys and printed lists follow what TensorFlow 2.21 gives for the same programs (noted)."""
import os

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras.saving import tensor_bundle


class Dense(tf.Module):
    def __init__(self, in_features, out_features, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.random.normal([in_features, out_features]), name="w")
        self.b = tf.Variable(tf.zeros([out_features]), name="b")

    def __call__(self, x):
        return tf.nn.relu(x @ self.w + self.b)


class TwoLayers(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = Dense(3, 3)
        self.dense_2 = Dense(3, 2)

    def __call__(self, x):
        return self.dense_2(self.dense_1(x))


def test_write_list_and_restore_a_module(tmp_path):
    model = TwoLayers()
    prefix = str(tmp_path / "my_checkpoint")
    assert tf.train.Checkpoint(model=model).write(prefix) == prefix
    assert sorted(os.listdir(tmp_path)) == ["my_checkpoint.data-00000-of-00001", "my_checkpoint.index"]
    # TensorFlow 2.21 lists exactly these keys and shapes for the intro_to_modules guide's model
    assert tf.train.list_variables(prefix) == [
        ("_CHECKPOINTABLE_OBJECT_GRAPH", []), ("model/dense_1/b/.ATTRIBUTES/VARIABLE_VALUE", [3]),
        ("model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 3]), ("model/dense_2/b/.ATTRIBUTES/VARIABLE_VALUE", [2]),
        ("model/dense_2/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 2])]
    fresh = TwoLayers()
    tf.train.Checkpoint(model=fresh).restore(prefix).assert_consumed()
    x = tf.constant([[2.0, 2.0, 2.0]])
    np.testing.assert_array_equal(fresh(x), model(x))
    np.testing.assert_array_equal(tf.train.load_variable(prefix, "model/dense_1/w"), model.dense_1.w.numpy())
    reader = tf.train.load_checkpoint(prefix)
    assert reader.get_variable_to_shape_map()["model/dense_2/b/.ATTRIBUTES/VARIABLE_VALUE"] == [2]
    assert reader.get_variable_to_dtype_map()["model/dense_2/b/.ATTRIBUTES/VARIABLE_VALUE"] == tf.float32


def test_save_numbers_checkpoints_and_records_the_latest(tmp_path):
    step = tf.Variable(1)
    ckpt = tf.train.Checkpoint(step=step)
    first = ckpt.save(str(tmp_path / "ckpt"))
    step.assign(5)
    second = ckpt.save(str(tmp_path / "ckpt"))
    assert (first, second) == (str(tmp_path / "ckpt-1"), str(tmp_path / "ckpt-2"))
    assert tf.train.latest_checkpoint(str(tmp_path)) == second
    assert 'model_checkpoint_path: "ckpt-2"' in (tmp_path / "checkpoint").read_text()
    other = tf.train.Checkpoint(step=tf.Variable(0))
    other.restore(first).assert_consumed()
    assert int(other.step.numpy()) == 1 and int(other.save_counter.numpy()) == 1
    other.restore(tf.train.latest_checkpoint(str(tmp_path)))
    assert int(other.step.numpy()) == 5 and int(other.save_counter.numpy()) == 2
    assert tf.train.latest_checkpoint(str(tmp_path / "nothing_here")) is None
    status = other.restore(None)  # TensorFlow's InitializationOnlyStatus: every assertion fails
    assert type(status).__name__ == "InitializationOnlyStatus" and status.expect_partial() is status
    for assertion in (status.assert_consumed, status.assert_existing_objects_matched, status.assert_nontrivial_match):
        with pytest.raises(AssertionError, match=r"No checkpoint specified \(save_path=None\)"):
            assertion()
    assert int(other.step.numpy()) == 5


def test_the_manager_keeps_max_to_keep_and_picks_up_a_folder(tmp_path):
    ckpt = tf.train.Checkpoint(step=tf.Variable(0))
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    assert manager.latest_checkpoint is None and manager.restore_or_initialize() is None
    for i in range(4):
        ckpt.step.assign(i)
        manager.save()
    assert manager.checkpoints == [str(tmp_path / "ckpt-3"), str(tmp_path / "ckpt-4")]
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "ckpt-3.data-00000-of-00001", "ckpt-3.index",
                                            "ckpt-4.data-00000-of-00001", "ckpt-4.index"]
    again = tf.train.CheckpointManager(tf.train.Checkpoint(step=tf.Variable(-1)), str(tmp_path), max_to_keep=2)
    assert again.checkpoints == manager.checkpoints
    assert again.restore_or_initialize() == str(tmp_path / "ckpt-4")
    assert int(again.checkpoint.step.numpy()) == 3
    assert manager.save(checkpoint_number=10) == str(tmp_path / "ckpt-10")
    counter = tf.Variable(0)
    spaced = tf.train.CheckpointManager(tf.train.Checkpoint(c=counter), str(tmp_path / "spaced"), max_to_keep=None,
                                        step_counter=counter, checkpoint_interval=5)
    saved = []
    for i in range(12):
        counter.assign(i)
        saved.append(spaced.save() is not None)
    assert saved == [True, False, False, False, False, True, False, False, False, False, True, False]


def test_a_dataset_iterator_resumes_where_it_was_saved(tmp_path):
    """The tf.data guide's cell: TensorFlow prints [0..4], [5..9], then [5..9] again after the restore."""
    iterator = iter(tf.data.Dataset.range(20))
    ckpt = tf.train.Checkpoint(step=tf.Variable(0), iterator=iterator)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path / "my_ckpt"), max_to_keep=3)
    assert [int(next(iterator)) for _ in range(5)] == [0, 1, 2, 3, 4]
    manager.save()
    assert [int(next(iterator)) for _ in range(5)] == [5, 6, 7, 8, 9]
    ckpt.restore(manager.latest_checkpoint)
    assert [int(next(iterator)) for _ in range(5)] == [5, 6, 7, 8, 9]


def _net():
    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)), keras.layers.Dense(1)])


def _train(model, optimizer, x, y, steps):
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))


def test_a_keras_model_and_its_optimizer_resume_training_exactly(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")
    model, optimizer = _net(), keras.optimizers.Adam(0.01)
    _train(model, optimizer, x, y, 3)
    path = tf.train.Checkpoint(step=tf.Variable(3), optimizer=optimizer, net=model).save(str(tmp_path / "ckpt"))
    keys = [k for k, _ in tf.train.list_variables(path)]
    assert "net/layer-0/kernel/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "optimizer/_variables/0/.ATTRIBUTES/VARIABLE_VALUE" in keys  # the iteration count
    model2, optimizer2 = _net(), keras.optimizers.Adam(0.01)  # same architecture, slots not built yet
    ckpt2 = tf.train.Checkpoint(step=tf.Variable(0), optimizer=optimizer2, net=model2)
    ckpt2.restore(tf.train.latest_checkpoint(str(tmp_path))).assert_consumed()
    assert int(optimizer2.iterations.numpy()) == 3 and int(ckpt2.step.numpy()) == 3
    _train(model, optimizer, x, y, 2)
    _train(model2, optimizer2, x, y, 2)
    for a, b in zip(model.get_weights(), model2.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_restore_checks_every_shape_before_assigning_anything(tmp_path):
    prefix = str(tmp_path / "c")
    tf.train.Checkpoint(a=tf.Variable([1.0, 2.0]), b=tf.Variable([3.0])).write(prefix)
    a, b = tf.Variable([0.0, 0.0]), tf.Variable([0.0, 0.0])
    with pytest.raises(ValueError, match="shapes differ"):
        tf.train.Checkpoint(a=a, b=b).restore(prefix)
    np.testing.assert_array_equal(a.numpy(), [0.0, 0.0])


def test_the_status_says_what_did_not_match(tmp_path):
    prefix = str(tmp_path / "c")
    tf.train.Checkpoint(a=tf.Variable(1.0), extra=tf.Variable(2.0)).write(prefix)
    status = tf.train.Checkpoint(a=tf.Variable(0.0), missing=tf.Variable(0.0)).restore(prefix)
    with pytest.raises(AssertionError, match="missing"):
        status.assert_existing_objects_matched()
    with pytest.raises(AssertionError):
        status.assert_consumed()
    assert status.expect_partial() is status
    status.assert_nontrivial_match()
    status = tf.train.Checkpoint(a=tf.Variable(0.0)).restore(prefix)
    status.assert_existing_objects_matched()
    with pytest.raises(AssertionError, match="extra"):
        status.assert_consumed()


def test_damaged_or_foreign_files_are_refused(tmp_path):
    prefix = str(tmp_path / "c")
    tf.train.Checkpoint(v=tf.Variable(np.arange(8, dtype="float32"))).write(prefix)
    data = tensor_bundle.data_path(prefix)
    raw = bytearray(open(data, "rb").read())
    raw[3] ^= 0xFF
    open(data, "wb").write(bytes(raw))
    with pytest.raises(ValueError, match="checksum"):
        tf.train.Checkpoint(v=tf.Variable(np.zeros(8, "float32"))).restore(prefix)
    open(data, "wb").write(bytes(raw[:10]))
    with pytest.raises(ValueError, match="truncated|do not belong"):
        tf.train.load_variable(prefix, "v")
    open(tensor_bundle.index_path(prefix), "wb").write(b"\x00\x01leveldb-like TensorFlow index")
    with pytest.raises(ValueError, match="not a chainrule checkpoint"):
        tf.train.list_variables(prefix)
    with pytest.raises(ValueError, match="does not exist"):
        tf.train.Checkpoint(v=tf.Variable(0.0)).restore(str(tmp_path / "nope"))


def test_checkpoint_arguments_are_checked():
    with pytest.raises(ValueError, match="should be a Variable"):
        tf.train.Checkpoint(lr=0.1)
    with pytest.raises(ValueError, match="max_to_keep"):
        tf.train.CheckpointManager(tf.train.Checkpoint(), "/tmp/x", max_to_keep=0)


def test_save_weights_without_an_extension_writes_checkpoint_files(tmp_path):
    """The 'Save and load models' tutorial's model.save_weights('./checkpoints/my_checkpoint')."""
    model = _net()
    model.compile("adam", "mse")
    prefix = str(tmp_path / "checkpoints" / "my_checkpoint")
    model.save_weights(prefix)
    model.save_weights(str(tmp_path / "w.h5"), save_format="tf")  # save_format='tf' wins over the name
    assert os.path.exists(tmp_path / "w.h5.index")
    assert sorted(os.listdir(tmp_path / "checkpoints")) == ["checkpoint", "my_checkpoint.data-00000-of-00001",
                                                            "my_checkpoint.index"]
    fresh = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)), keras.layers.Dense(1)])
    fresh.load_weights(prefix).expect_partial()
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(FileExistsError):
        model.save_weights(prefix, overwrite=False)
    unbuilt = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
    unbuilt.load_weights(prefix)  # kept until the layers are built, as TensorFlow's deferred restoration
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(unbuilt(x), model(x))
    with pytest.raises(ValueError, match="shapes differ"):
        keras.Sequential([keras.layers.Dense(4, input_shape=(7,))]).load_weights(str(tmp_path / "w.h5"))
    inputs = keras.Input((3,))
    other = keras.Model(inputs, keras.layers.Dense(4)(inputs))  # its Dense is layer-1, the file's are layer-0/1
    with pytest.raises(ValueError, match="none of its values fits"):
        other.layers[1].kernel.assign(np.zeros((3, 4), "float32"))
        tf.train.Checkpoint(unrelated=tf.Variable(1.0)).write(str(tmp_path / "unrelated"))
        other.load_weights(str(tmp_path / "unrelated"))


class Lazy(tf.Module):
    """Creates its variables on first call, as the intro_to_modules guide's FlexibleDenseModule."""

    def __init__(self):
        super().__init__()
        self.built = False

    def __call__(self, x):
        if not self.built:
            self.w = tf.Variable(tf.random.normal([x.shape[-1], 2]), name="w")
            self.built = True
        return x @ self.w


def test_a_restore_before_the_variables_exist_is_applied_when_they_are_created(tmp_path):
    """TensorFlow's deferred restoration: the guide restores into a fresh model whose layers build lazily."""
    model = Lazy()
    x = tf.constant([[1.0, 2.0, 3.0]])
    expected = model(x)
    prefix = tf.train.Checkpoint(model=model).write(str(tmp_path / "lazy"))
    fresh = Lazy()
    tf.train.Checkpoint(model=fresh).restore(prefix)
    np.testing.assert_array_equal(fresh(x), expected)
    wrong = Lazy()
    tf.train.Checkpoint(model=wrong).restore(prefix)
    with pytest.raises(ValueError, match="shape"):
        wrong(tf.constant([[1.0, 2.0]]))

    class SubclassedNet(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(3)

        def call(self, x):
            return self.hidden(x)

    net = SubclassedNet()
    net(np.ones((1, 2), "float32"))
    path = tf.train.Checkpoint(net=net).save(str(tmp_path / "net"))
    fresh_net = SubclassedNet()  # not built: its Dense makes kernel and bias on the first call
    tf.train.Checkpoint(net=fresh_net).restore(path)
    np.testing.assert_array_equal(fresh_net(np.ones((1, 2), "float32")), net(np.ones((1, 2), "float32")))


def test_the_checkpoint_state_and_reader_helpers(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0]))
    first = ckpt.save(str(tmp_path / "c"), options=tf.train.CheckpointOptions())
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state["model_checkpoint_path"] == first and state["all_model_checkpoint_paths"] == [first]
    assert tf.train.get_checkpoint_state(str(tmp_path / "none")) is None
    reader = tf.train.load_checkpoint(str(tmp_path))  # a folder: its latest checkpoint
    assert reader.has_tensor("v/.ATTRIBUTES/VARIABLE_VALUE") and not reader.has_tensor("w")
    np.testing.assert_array_equal(reader.get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE"), [1.0, 2.0])
    assert ckpt.read(first).assigned == 2  # v and the save counter


def test_add_variable_is_add_weight():
    layer = keras.layers.Layer()
    v = layer.add_variable("kernel", shape=(2, 3))
    assert tuple(v.shape) == (2, 3) and layer.trainable_weights == [v]
