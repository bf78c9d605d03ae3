"""Graph code walks with loops and stacks: a 2,000-layer functional model builds, prints, saves and loads.

Python's recursion limit is 1,000 frames, so any walk that recursed once per layer would fail here.
"""
import sys

import numpy as np
import pytest

from chainrule import keras
from chainrule.keras.layers import Dense, Input

DEPTH = 2000


@pytest.mark.slow
def test_a_chain_of_2000_dense_layers_round_trips(tmp_path):
    assert sys.getrecursionlimit() < DEPTH
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    inp = Input((2,))
    x = inp
    for _ in range(DEPTH):
        x = Dense(2, kernel_initializer="identity", bias_initializer="ones")(x)
    model = keras.Model(inp, x)
    assert len(model.layers) == DEPTH + 1
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == f'Model: "{model.name}"' and lines[-2] == "Non-trainable params: 0"
    assert lines[-4] == f"Total params: {DEPTH * 6:,}"
    assert len(lines) == 4 + 2 * (DEPTH + 1) + 5

    data = np.arange(6, dtype="float32").reshape(3, 2)
    expected = model.predict(data, verbose=0)
    np.testing.assert_allclose(expected, data + DEPTH)  # identity kernels, a bias of one per layer
    model.save(tmp_path / "deep.keras")
    model.save(tmp_path / "deep.h5")
    for restored in (keras.models.load_model(tmp_path / "deep.keras"), keras.models.load_model(tmp_path / "deep.h5")):
        assert [layer.name for layer in restored.layers] == [layer.name for layer in model.layers]
        np.testing.assert_allclose(restored.predict(data, verbose=0), expected)
    text = model.to_json()
    assert text.count('"class_name": "Dense"') == DEPTH
    assert len(keras.models.model_from_json(text).layers) == DEPTH + 1
