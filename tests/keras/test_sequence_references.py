"""Sequence layers against real tf.keras 2: outputs, masks and gradients of the models in ``sequence_cases.py``.

The numbers come from ``fixtures/sequence_tf_keras.npz`` (made by ``fixtures/make_sequence_fixtures.py``
with tensorflow 2.21 + tf_keras): the same model built from the same lines with tf.keras, random
weights set in both, masked steps included (sample 2 of most cases has no real step at all).
"""
import json
import os

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras

from sequence_cases import CASES, mask_summary

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "sequence_tf_keras.npz")
DATA = np.load(FIXTURE)
META = json.loads(str(DATA["meta"]))


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def _case(name):
    build, _, _ = CASES[name]
    meta = META[name]
    get = lambda key: DATA[f"{name}/{key}"]  # noqa: E731
    model = build(keras, tf)
    model.set_weights([get(f"weight_{i}") for i in range(meta["n_weights"])])
    inputs = [get(f"input_{i}") for i in range(meta["n_inputs"])]
    return model, inputs, meta, get


@pytest.mark.parametrize("name", sorted(META))
def test_outputs_masks_and_gradients_match_tf_keras(name):
    model, inputs, meta, get = _case(name)
    tensors = [tf.constant(x) for x in inputs]
    with tf.GradientTape() as tape:
        for t in tensors:
            if t.dtype.is_floating:
                tape.watch(t)
        outs = tf.nest.flatten(model(tensors if len(tensors) > 1 else tensors[0], training=False))
        assert len(outs) == meta["n_outputs"]
        loss = tf.add_n([tf.reduce_sum(o * get(f"proj_{i}")) for i, o in enumerate(outs)])
    for i, out in enumerate(outs):
        np.testing.assert_allclose(out.numpy(), get(f"output_{i}"), rtol=2e-5, atol=2e-6, err_msg=f"output {i}")
        key = f"{name}/mask_{i}"
        mask = getattr(out, "_keras_mask", None)
        if key in DATA:
            assert mask is not None, f"output {i} should carry a mask"
            np.testing.assert_array_equal(mask.numpy(), DATA[key])
        else:
            assert mask is None, f"output {i} should carry no mask"
    float_inputs = [t for t in tensors if t.dtype.is_floating]
    grads = tape.gradient(loss, float_inputs + model.trainable_weights)
    for i, g in enumerate(grads):
        want = get(f"grad_{i}")
        if want.size == 0:
            assert g is None or not np.any(g.numpy())
            continue
        np.testing.assert_allclose(g.numpy(), want, rtol=5e-5, atol=5e-6, err_msg=f"gradient {i}")


@pytest.mark.parametrize("name", sorted(META))
def test_weight_names_and_graph_masks_match_tf_keras(name):
    model, _, meta, _ = _case(name)
    assert [w.name for w in model.weights] == meta["weight_names"]
    assert mask_summary(model) == meta["graph_masks"]
