"""TensorBoard callback: event files read back with TensorBoard's own reader, tags and steps as tf.keras 2.11."""
import os
import warnings

import numpy as np
import pytest

pytest.importorskip("tensorboard")

from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.plugins.histogram.summary_v2 import histogram_pb  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

from chainrule import keras  # noqa: E402
from chainrule.keras.layers import Dense  # noqa: E402
from chainrule.keras.models import Sequential  # noqa: E402
from chainrule.keras.callbacks.tensorboard import TensorBoard, histogram_summary  # noqa: E402

STEPS_PER_EPOCH = 4  # 64 samples, batch_size 16


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int64")
    return x, y


def make_model(optimizer=None):
    keras.utils.set_random_seed(1)
    model = Sequential([Dense(5, activation="relu", input_shape=(3,)), Dense(2, activation="softmax")])
    model.compile(optimizer=optimizer or keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def fit(tb, model=None, epochs=3, validation=True, **kwargs):
    model = model or make_model()
    x, y = data()
    vx, vy = data(16, seed=1)
    history = model.fit(x, y, batch_size=16, epochs=epochs, shuffle=False, verbose=0, callbacks=[tb],
                        validation_data=(vx, vy) if validation else None, **kwargs)
    return model, history


def read_run(folder):
    """{tag: [(step, ndarray), ...]} and {tag: plugin name} for one run, via TensorBoard's EventAccumulator."""
    acc = ea.EventAccumulator(str(folder), size_guidance={ea.TENSORS: 0, ea.SCALARS: 0, ea.HISTOGRAMS: 0})
    acc.Reload()
    events = {tag: [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]
              for tag in acc.Tags()["tensors"]}
    plugins = {tag: acc.SummaryMetadata(tag).plugin_data.plugin_name for tag in events}
    return events, plugins


def steps(events, tag):
    return [s for s, _ in events[tag]]


def values(events, tag):
    return [v for _, v in events[tag]]


def test_epoch_scalars_match_history_in_train_and_validation_runs(tmp_path):
    tb = TensorBoard(log_dir=tmp_path / "logs", write_graph=False)
    model, history = fit(tb)
    train_dir, val_dir = tmp_path / "logs" / "train", tmp_path / "logs" / "validation"
    assert train_dir.is_dir() and val_dir.is_dir()
    assert all(name.startswith("events.out.tfevents.") and name.endswith(".v2") for name in os.listdir(train_dir))

    train, train_plugins = read_run(train_dir)
    assert set(train) == {"epoch_loss", "epoch_accuracy"}
    assert set(train_plugins.values()) == {"scalars"}
    for name in ("loss", "accuracy"):
        assert steps(train, f"epoch_{name}") == [0, 1, 2]
        np.testing.assert_array_equal(values(train, f"epoch_{name}"), np.float32(history.history[name]))

    val, val_plugins = read_run(val_dir)
    assert set(val) == {"epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations",
                        "evaluation_accuracy_vs_iterations"}
    for name in ("loss", "accuracy"):
        assert steps(val, f"epoch_{name}") == [0, 1, 2]
        np.testing.assert_array_equal(values(val, f"epoch_{name}"), np.float32(history.history[f"val_{name}"]))
        # tf.keras: evaluation metrics against optimizer.iterations after each validation run
        assert steps(val, f"evaluation_{name}_vs_iterations") == [4, 8, 12]
        np.testing.assert_array_equal(values(val, f"evaluation_{name}_vs_iterations"),
                                      np.float32(history.history[f"val_{name}"]))
    assert tb._writers == {}  # closed at train end


def test_no_validation_run_without_validation_data(tmp_path):
    fit(TensorBoard(log_dir=tmp_path, write_graph=False), validation=False)
    assert (tmp_path / "train").is_dir()
    assert not (tmp_path / "validation").exists()


@pytest.mark.parametrize("freq, expected", [(1, [0, 1, 2]), (2, [0, 2]), (0, None)])
def test_weight_histograms_every_histogram_freq_epochs(tmp_path, freq, expected):
    model, _ = fit(TensorBoard(log_dir=tmp_path, histogram_freq=freq, write_graph=False))
    train, plugins = read_run(tmp_path / "train")
    weights = {"dense/kernel_0": (3, 5), "dense/bias_0": (5,), "dense_1/kernel_0": (5, 2), "dense_1/bias_0": (2,)}
    tags = {name + "/histogram" for name in weights}
    if expected is None:
        assert not any(tag.endswith("/histogram") for tag in train)
        return
    assert tags <= set(train)
    for name, shape in weights.items():
        tag = name + "/histogram"
        assert plugins[tag] == "histograms"
        assert steps(train, tag) == expected
        for _, table in train[tag]:
            assert table.shape == (30, 3) and table.dtype == np.float64
            assert table[:, 2].sum() == np.prod(shape)
    # the last histogram is exactly TensorBoard's own histogram of the final weights
    final = dict(zip(weights, model.get_weights()))
    for name, value in final.items():
        expected_table = tensor_util.make_ndarray(histogram_pb("t", value).value[0].tensor)
        np.testing.assert_array_equal(train[name + "/histogram"][-1][1], expected_table)


@pytest.mark.parametrize("data_", [np.random.default_rng(0).normal(size=(7, 130)), np.full((4, 4), 2.5),
                                   np.arange(10.0), np.zeros(0)])
def test_histogram_buckets_equal_tensorboard_histogram_pb(data_):
    ours = tensor_util.make_ndarray(histogram_summary("t", data_).value[0].tensor)
    theirs = tensor_util.make_ndarray(histogram_pb("t", data_).value[0].tensor)
    np.testing.assert_array_equal(ours, theirs)


def test_histogram_leaves_out_non_finite_values():
    table = tensor_util.make_ndarray(histogram_summary("t", [1.0, np.nan, 2.0, np.inf]).value[0].tensor)
    assert table[:, 2].sum() == 2 and table[0, 0] == 1.0 and table[-1, 1] == 2.0


def test_batch_scalars_every_batch_with_update_freq_batch(tmp_path):
    _, history = fit(TensorBoard(log_dir=tmp_path, update_freq="batch", write_graph=False))
    train, _ = read_run(tmp_path / "train")
    assert {"batch_loss", "batch_accuracy", "epoch_loss", "epoch_accuracy"} == set(train)
    assert steps(train, "batch_loss") == list(range(1, 3 * STEPS_PER_EPOCH + 1))
    # the batch logs are running epoch means: the last batch of each epoch is the epoch value
    last_of_epoch = values(train, "batch_loss")[STEPS_PER_EPOCH - 1::STEPS_PER_EPOCH]
    np.testing.assert_array_equal(last_of_epoch, np.float32(history.history["loss"]))
    val, _ = read_run(tmp_path / "validation")
    assert not any(tag.startswith("batch_") for tag in val)


def test_batch_scalars_every_n_batches(tmp_path):
    fit(TensorBoard(log_dir=tmp_path, update_freq=5, write_graph=False))
    train, _ = read_run(tmp_path / "train")
    assert steps(train, "batch_loss") == [5, 10]


def test_no_batch_scalars_with_update_freq_epoch(tmp_path):
    fit(TensorBoard(log_dir=tmp_path, write_graph=False, write_steps_per_second=True))
    train, _ = read_run(tmp_path / "train")
    assert not any(tag.startswith("batch_") for tag in train)
    assert steps(train, "epoch_steps_per_second") == [0, 1, 2]
    assert all(v > 0 for v in values(train, "epoch_steps_per_second"))


def test_steps_per_second_per_batch(tmp_path):
    fit(TensorBoard(log_dir=tmp_path, write_graph=False, write_steps_per_second=True, update_freq=2))
    train, _ = read_run(tmp_path / "train")
    assert steps(train, "batch_steps_per_second") == [2, 4, 6, 8, 10, 12]


def test_learning_rate_logged_only_for_a_schedule(tmp_path):
    schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5)
    model = make_model(keras.optimizers.SGD(schedule))
    fit(TensorBoard(log_dir=tmp_path / "sched", write_graph=False), model=model)
    train, _ = read_run(tmp_path / "sched" / "train")
    assert steps(train, "epoch_learning_rate") == [0, 1, 2]
    np.testing.assert_allclose(values(train, "epoch_learning_rate"),
                               [schedule(4 * (e + 1)) for e in range(3)], rtol=1e-6)
    val, _ = read_run(tmp_path / "sched" / "validation")
    assert "epoch_learning_rate" not in val

    fit(TensorBoard(log_dir=tmp_path / "const", write_graph=False))
    train, _ = read_run(tmp_path / "const" / "train")
    assert "epoch_learning_rate" not in train


def test_lr_put_in_the_logs_by_an_earlier_callback_is_logged(tmp_path):
    model = make_model()
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=2, verbose=0,
              callbacks=[keras.callbacks.ReduceLROnPlateau(monitor="loss"),
                         TensorBoard(log_dir=tmp_path, write_graph=False)])
    train, _ = read_run(tmp_path / "train")
    np.testing.assert_allclose(values(train, "epoch_lr"), [0.01, 0.01], rtol=1e-6)


def test_write_graph_writes_the_model_json_for_the_graphs_tab(tmp_path, monkeypatch):
    model = make_model()
    config = '{"class_name": "Sequential", "config": {"name": "sequential"}}'
    monkeypatch.setattr(model, "to_json", lambda **kwargs: config, raising=False)
    fit(TensorBoard(log_dir=tmp_path), model=model)
    train, plugins = read_run(tmp_path / "train")
    assert plugins["keras"] == "graph_keras_model"
    assert steps(train, "keras") == [0]
    assert values(train, "keras")[0].item() == config.encode()


def test_a_model_that_cannot_serialize_warns_and_trains(tmp_path, monkeypatch):
    model = make_model()

    def broken(**kwargs):
        raise NotImplementedError("no config")
    monkeypatch.setattr(model, "to_json", broken, raising=False)
    with pytest.warns(RuntimeWarning, match="failed to serialize as JSON"):
        _, history = fit(TensorBoard(log_dir=tmp_path), model=model)
    assert len(history.history["loss"]) == 3
    train, _ = read_run(tmp_path / "train")
    assert "keras" not in train and "epoch_loss" in train


def test_write_images_logs_weights_as_pictures(tmp_path):
    import io

    from PIL import Image
    model, _ = fit(TensorBoard(log_dir=tmp_path, histogram_freq=1, write_images=True, write_graph=False))
    train, plugins = read_run(tmp_path / "train")
    assert plugins["dense/kernel_0/image"] == "images"
    assert steps(train, "dense/kernel_0/image") == [0, 1, 2]
    # kernel (3, 5): drawn 3 high and 5 wide; bias (5,): 5 high, 1 wide
    for tag, (width, height), final in (("dense/kernel_0/image", (5, 3), model.get_weights()[0]),
                                        ("dense/bias_0/image", (1, 5), model.get_weights()[1])):
        content = values(train, tag)[-1]
        assert content[0] == str(width).encode() and content[1] == str(height).encode() and len(content) == 3
        picture = np.asarray(Image.open(io.BytesIO(content[2])))
        assert picture.shape == (height, width)
        expected = np.clip(final.reshape(height, width) * 255.5, 0, 255).astype(np.uint8)
        np.testing.assert_array_equal(picture, expected)


def test_unwritable_log_dir_fails_at_train_begin_naming_the_folder(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the log folder should be")
    model = make_model()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(OSError, match="not_a_folder") as info:
        fit(TensorBoard(log_dir=blocker / "logs"), model=model)
    assert "log_dir" in str(info.value)
    for w, w0 in zip(model.get_weights(), before):  # no training step ran
        np.testing.assert_array_equal(w, w0)


def test_a_write_failing_during_training_warns_and_training_goes_on(tmp_path):
    tb = TensorBoard(log_dir=tmp_path, write_graph=False)

    class BreakDisk(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                def fail(event):
                    raise OSError(28, "No space left on device")
                tb._writers["train"].add_event = fail

    model = make_model()
    x, y = data()
    with pytest.warns(RuntimeWarning, match="logging is off"):
        history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[BreakDisk(), tb])
    assert len(history.history["loss"]) == 3
    train, _ = read_run(tmp_path / "train")
    assert steps(train, "epoch_loss") == [0]


def test_evaluate_with_the_callback_logs_evaluation_vs_iterations(tmp_path):
    model, _ = fit(TensorBoard(log_dir=tmp_path / "fit", write_graph=False), validation=False)
    x, y = data()
    tb = TensorBoard(log_dir=tmp_path / "eval", write_graph=False)
    result = model.evaluate(x, y, verbose=0, callbacks=[tb], return_dict=True)
    val, _ = read_run(tmp_path / "eval" / "validation")
    assert steps(val, "evaluation_loss_vs_iterations") == [12]
    np.testing.assert_array_equal(values(val, "evaluation_loss_vs_iterations"), [np.float32(result["loss"])])
    assert tb._writers == {}


def test_second_fit_writes_new_files_and_keeps_epoch_steps(tmp_path):
    tb = TensorBoard(log_dir=tmp_path, write_graph=False)
    model, _ = fit(tb, epochs=2)
    fit(tb, model=model, epochs=4, initial_epoch=2)
    assert len(os.listdir(tmp_path / "train")) == 2
    train, _ = read_run(tmp_path / "train")
    assert steps(train, "epoch_loss") == [0, 1, 2, 3]


def test_embeddings_freq_is_only_signature_compatibility(tmp_path):
    """chainrule has no Embedding layer: embeddings_freq warns and writes nothing for the Projector."""
    with pytest.warns(RuntimeWarning, match="embeddings_freq=1 writes nothing: chainrule has no Embedding layer"):
        _, history = fit(TensorBoard(log_dir=tmp_path, embeddings_freq=1, write_graph=False), validation=False)
    assert len(history.history["loss"]) == 3
    assert not (tmp_path / "projector_config.pbtxt").exists()
    assert sorted(os.listdir(tmp_path / "train")) == [n for n in os.listdir(tmp_path / "train") if "tfevents" in n]
    with pytest.raises(ValueError, match=r"Unrecognized `Embedding` layer names .* \['nope'\]"):
        fit(TensorBoard(log_dir=tmp_path / "bad", embeddings_freq=1, embeddings_metadata={"nope": "x.tsv"},
                        write_graph=False), validation=False)


@pytest.mark.parametrize("kwargs, match", [
    (dict(update_freq=0), "update_freq"), (dict(update_freq="sometimes"), "update_freq"),
    (dict(histogram_freq=-1), "histogram_freq"), (dict(embeddings_freq=1.5), "embeddings_freq"),
    (dict(profile_batch=-1), "profile_batch"), (dict(profile_batch=(5, 2)), "profile_batch"),
    (dict(profile_batch="a,b"), "profile_batch"), (dict(unknown_arg=1), "Unrecognized arguments"),
])
def test_bad_arguments_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TensorBoard(**kwargs)


def test_v1_arguments_warn_and_profiling_is_not_available(tmp_path):
    with pytest.warns(UserWarning, match="write_grads"):
        TensorBoard(log_dir=tmp_path, write_grads=True)
    tb = TensorBoard(log_dir=tmp_path, profile_batch="2,3", write_graph=False)
    assert (tb._start_batch, tb._stop_batch) == (2, 3)
    with pytest.warns(RuntimeWarning, match="profiler"):
        fit(tb, epochs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(TensorBoard(log_dir=tmp_path / "quiet", write_graph=False), epochs=1)
