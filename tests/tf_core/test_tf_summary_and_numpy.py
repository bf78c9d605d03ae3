"""tf.summary writers over the tensorboard package (the files are read back with tensorboard's own reader),
and tf.experimental.numpy basics."""
import numpy as np
import pytest

import chainrule as tf

tensorboard = pytest.importorskip("tensorboard")


def read_events(logdir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(logdir), size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def test_scalar_histogram_text_image_written_and_read_back(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=0):
        for step in range(3):
            assert tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
        tf.summary.histogram("weights", tf.random.normal([100]), step=1)
        tf.summary.text("note", "hello", step=2)
        tf.summary.image("pic", np.ones((1, 4, 4, 3), dtype=np.float32), step=0)
        assert tf.summary.scalar("default_step", 5.0)     # the step from as_default
    writer.flush()
    files = list(tmp_path.glob("events.out.tfevents.*"))
    assert len(files) == 1 and files[0].name.endswith(".v2")
    acc = read_events(tmp_path)
    assert sorted(acc.Tags()["tensors"]) == ["default_step", "loss", "note", "pic", "weights"]
    loss = acc.Tensors("loss")
    assert [e.step for e in loss] == [0, 1, 2]
    from tensorboard.util.tensor_util import make_ndarray
    np.testing.assert_allclose([float(make_ndarray(e.tensor_proto)) for e in loss], [1.0, 0.5, 1 / 3], rtol=1e-6)
    hist = acc.Tensors("weights")[0].tensor_proto
    assert [d.size for d in hist.tensor_shape.dim] == [30, 3]
    writer.close()


def test_summaries_need_a_step_and_a_writer():
    assert tf.summary.scalar("x", 1.0) is False   # no default writer: nothing written, no error (as TF)


def test_missing_step_raises_tensorflows_error(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        with pytest.raises(ValueError, match="No step set"):
            tf.summary.scalar("x", 1.0)
        tf.summary.experimental.set_step(7)
        try:
            assert tf.summary.scalar("x", 1.0)
        finally:
            tf.summary.experimental.set_step(None)
    with tf.summary.record_if(False), writer.as_default(step=1):
        assert not tf.summary.should_record_summaries() and tf.summary.scalar("y", 1.0) is False


def test_numpy_api_basics_and_gradients():
    tnp = tf.experimental.numpy
    x = tnp.reshape(tnp.arange(6.0), (2, 3))
    assert isinstance(x, tnp.ndarray) and x.dtype == tf.float64       # NumPy's rule: Python floats are float64
    assert tnp.sum(x).numpy() == 15.0 and tnp.mean(x, axis=0).numpy().tolist() == [1.5, 2.5, 3.5]
    assert tnp.matmul(x, tnp.ones((3, 1))).numpy().tolist() == [[3.0], [12.0]]
    assert tnp.dot(tnp.ones(3), tnp.arange(3.0)).numpy() == 3.0
    assert tnp.argsort(tnp.asarray([3, 1, 2])).numpy().tolist() == [1, 2, 0]   # NumPy's, wrapped
    assert tnp.add(tf.constant([1.0], tf.float32), 1).dtype == tf.float32
    w = tf.Variable(np.array([1.0, 2.0]))
    with tf.GradientTape() as tape:
        y = tnp.sum(tnp.multiply(w, w))
    assert tape.gradient(y, w).numpy().tolist() == [2.0, 4.0]
    tnp.experimental_enable_numpy_behavior()
    t = tf.constant([[1., 2.], [3., 4.]])
    assert t.T.numpy().tolist() == [[1, 3], [2, 4]] and t.reshape(4).shape == (4,)
    assert t.astype(tf.int32).dtype == tf.int32 and float(t.sum()) == 10.0 and t.tolist()[0] == [1.0, 2.0]
