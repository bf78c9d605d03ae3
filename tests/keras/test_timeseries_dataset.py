"""keras.utils.timeseries_dataset_from_array against tf.keras 2.21's output (fixtures/timeseries_tf_keras.json)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import chainrule as tf

HERE = os.path.dirname(__file__)


def test_windows_targets_and_errors_match_tf_keras():
    script = os.path.join(HERE, "fixtures", "make_timeseries_fixture.py")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    ours = json.loads(subprocess.run([sys.executable, script, "cr"], capture_output=True, text=True, env=env,
                                     check=True).stdout)
    with open(os.path.join(HERE, "fixtures", "timeseries_tf_keras.json")) as f:
        expected = json.load(f)
    assert ours == expected


def test_the_first_window_and_target_as_the_docstring_example():
    data = np.arange(15)
    ds = tf.keras.utils.timeseries_dataset_from_array(data, data[10:], sequence_length=10)
    inputs, targets = next(iter(ds))
    assert inputs.shape == (5, 10) and np.array_equal(inputs[0], data[:10]) and int(targets[0]) == 10


def test_shuffle_with_a_seed_repeats_and_the_old_path_is_the_same_function():
    data = np.arange(200, dtype=np.float32)
    make = lambda: [b[1].numpy().tolist() for b in tf.keras.utils.timeseries_dataset_from_array(
        data, data, 5, shuffle=True, seed=7, batch_size=16)]
    assert make() == make()
    assert tf.keras.preprocessing.timeseries_dataset_from_array is tf.keras.utils.timeseries_dataset_from_array


def test_a_model_trains_on_the_windows():
    t = np.linspace(0, 20, 400).astype(np.float32)
    series = np.sin(t)[:, None]
    ds = tf.keras.utils.timeseries_dataset_from_array(series[:-8], series[8:, 0], sequence_length=8, batch_size=32)
    model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(8, 1)), tf.keras.layers.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(ds, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("kwargs, message", [
    (dict(sequence_stride=0), "`sequence_stride` must be higher than 0"),
    (dict(sampling_rate=50), "`sampling_rate` must be lower than the length of the data"),
    (dict(start_index=60), "`start_index` must be lower than the length"),
    (dict(start_index=10, end_index=5), "`end_index` must be higher than `start_index`"),
])
def test_bad_positions_raise_tf_keras_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tf.keras.utils.timeseries_dataset_from_array(np.zeros((50, 2)), None, 5, **kwargs)
