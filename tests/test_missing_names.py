"""A TensorFlow/Keras name chainrule does not provide says so, and points to the support table."""
import pytest

import chainrule as tf
from chainrule import keras

PUBLIC = [tf, tf.config, tf.math, tf.nn, tf.linalg, tf.random, tf.data, tf.io, tf.strings, tf.sparse, tf.summary,
          tf.debugging, keras, keras.layers, keras.losses, keras.metrics, keras.optimizers,
          keras.optimizers.schedules, keras.activations, keras.initializers, keras.callbacks, keras.models,
          keras.utils, keras.datasets, keras.regularizers, keras.constraints, keras.backend, keras.saving]


@pytest.mark.parametrize("module", PUBLIC, ids=lambda m: m.__name__)
def test_missing_name_explains_itself_and_hasattr_stays_false(module):
    with pytest.raises(AttributeError) as e:
        module.NotAThing  # noqa: B018
    message = str(e.value)
    tf_name = "tf" + module.__name__[len("chainrule"):] + ".NotAThing"
    assert f"module {module.__name__!r} has no attribute 'NotAThing'" in message
    assert f"If {tf_name} is a TensorFlow/Keras name, chainrule does not provide it yet" in message
    assert "docs/support.md" in message
    assert e.value.name == "NotAThing"
    assert not hasattr(module, "NotAThing")
    assert getattr(module, "NotAThing", 42) == 42


def test_names_tensorflow_programs_use_are_unaffected():
    assert hasattr(keras.layers, "Dense") and keras.layers.Dense is keras.layers.core.Dense
    assert tf.executing_eagerly() is True
    assert [d.device_type for d in tf.config.list_physical_devices()] == ["CPU"]
    assert tf.__version__.startswith("2.") and callable(tf.print)
    from chainrule.keras.layers import Dense  # noqa: F401
    with pytest.raises(ImportError, match="DenseFeatures"):
        from chainrule.keras.layers import DenseFeatures  # noqa: F401


def test_a_typo_suggests_the_provided_name():
    with pytest.raises(AttributeError, match="Did you mean 'Dense'"):
        keras.layers.Dens  # noqa: B018
    with pytest.raises(AttributeError, match="Did you mean 'reduce_sum'"):
        tf.reduce_summ  # noqa: B018


def test_private_and_dunder_probes_get_the_plain_message():
    with pytest.raises(AttributeError) as e:
        keras.layers.__wrapped__  # noqa: B018
    assert str(e.value) == "module 'chainrule.keras.layers' has no attribute '__wrapped__'"
    assert not hasattr(tf, "_pytest_probe")
    assert "missing_attribute" not in dir(keras.layers)
