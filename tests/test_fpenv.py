"""Flush-to-zero: on inside fit/evaluate/predict and compiled replays, the caller's mode restored after."""
import numpy as np
import pytest

import chainrule as tf
from chainrule import _fpenv

pytestmark = pytest.mark.skipif(not _fpenv.supported(), reason="flush-to-zero needs x86-64 or AArch64 with glibc")

_TINY = np.float32(1e-39)  # a float32 subnormal


def _flushes() -> bool:
    """Whether the current thread flushes subnormals (a subnormal input reads as zero)."""
    return float(np.array([_TINY], np.float32)[0] * np.float32(1.0)) == 0.0


class _Probe(tf.keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(_flushes())

    on_test_batch_end = on_predict_batch_end = on_train_batch_end


def _model():
    model = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
    model.compile("sgd", "mse")
    return model


def test_fit_evaluate_predict_flush_inside_and_restore_after():
    assert not _flushes()
    model, probe = _model(), _Probe()
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    model.fit(x, y, batch_size=4, verbose=0, callbacks=[probe])
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[probe])
    model.predict(x, batch_size=4, verbose=0, callbacks=[probe])
    assert probe.seen and all(probe.seen)
    assert not _flushes()


def test_the_mode_is_restored_when_fit_raises():
    class Boom(tf.keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        _model().fit(np.ones((4, 3), "float32"), np.zeros((4, 2), "float32"), verbose=0, callbacks=[Boom()])
    assert not _flushes()


def test_a_caller_that_already_flushes_keeps_flushing():
    with _fpenv.flush_denormals():
        _model().fit(np.ones((4, 3), "float32"), np.zeros((4, 2), "float32"), verbose=0)
        assert _flushes()
    assert not _flushes()


def test_the_switch_turns_it_off():
    probe = _Probe()
    tf.config.set_flush_denormals(False)
    try:
        _model().fit(np.ones((4, 3), "float32"), np.zeros((4, 2), "float32"), verbose=0, callbacks=[probe])
    finally:
        tf.config.set_flush_denormals(True)
    assert probe.seen == [False]


def test_compiled_replays_flush_and_restore():
    @tf.function
    def times_one(x):
        return x * 1.0

    x = tf.constant([_TINY])
    assert float(times_one.python_function(x).numpy()[0]) != 0.0  # plain eager code does not flush
    assert float(times_one(x).numpy()[0]) == 0.0  # the trace flushes
    assert float(times_one(x).numpy()[0]) == 0.0  # and so does every replay
    assert times_one.trace_count == 1
    assert not _flushes()
