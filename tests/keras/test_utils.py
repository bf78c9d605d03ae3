"""keras.utils: plot_model, to_categorical, pad_sequences, normalize, split_dataset, set_random_seed."""
import numpy as np
import pytest

from chainrule import keras
from chainrule.keras.layers import Concatenate, Dense, Input
from chainrule.keras.models import Model, Sequential
from chainrule.keras.utils import (normalize, pad_sequences, plot_model, split_dataset, to_categorical)


def multi_io_model():
    input_1, input_2 = Input(shape=(10, 10), name="input_1"), Input(shape=(10, 28), name="input_2")
    hidden1 = Dense(100, activation="relu", name="hidden1")(input_2)
    hidden2 = Dense(10, activation="relu", name="hidden2")(hidden1)
    output = Dense(1, activation="sigmoid", name="main_output")(Concatenate()([input_1, hidden2]))
    return Model(inputs=[input_1, input_2], outputs=[output, Dense(1, name="sum_output")(hidden2)])


def test_plot_model_writes_a_png_for_a_multi_input_model(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "model.png"
    assert plot_model(multi_io_model(), to_file=str(path), show_shapes=True) == str(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000


def test_plot_graph_has_one_node_per_layer_and_the_model_edges():
    from chainrule.keras.utils.vis_utils import graph_of
    keras.backend.clear_session()
    model = multi_io_model()
    nodes, edges = graph_of(model, show_shapes=True)
    labels = [label for _, label in nodes]
    assert len(nodes) == 7 and labels[0].startswith("input_2: InputLayer")
    assert "output: (None, 10, 20)" in labels[4] and labels[4].startswith("concatenate")
    names = {node_id: label.split(":")[0] for node_id, label in nodes}
    named_edges = {(names[a], names[b]) for a, b in edges}
    assert {("input_2", "hidden1"), ("hidden1", "hidden2"), ("input_1", "concatenate"), ("hidden2", "concatenate"),
            ("concatenate", "main_output"), ("hidden2", "sum_output")} == named_edges
    assert len(edges) == 6


def test_plot_model_of_a_sequential_chains_layers(tmp_path):
    from chainrule.keras.utils.vis_utils import graph_of
    model = Sequential([Dense(4, input_shape=(3,)), Dense(2), Dense(1)])
    nodes, edges = graph_of(model)
    assert len(nodes) == 3 and len(edges) == 2


def test_to_categorical():
    np.testing.assert_array_equal(to_categorical([0, 2, 1]), [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert to_categorical(np.array([[1], [0]]), num_classes=3).shape == (2, 3)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        to_categorical([0, 3], num_classes=3)


def test_pad_sequences_pre_and_post():
    seqs = [[1, 2, 3], [4], []]
    np.testing.assert_array_equal(pad_sequences(seqs), [[1, 2, 3], [0, 0, 4], [0, 0, 0]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2, padding="post", truncating="post"),
                                  [[1, 2], [4, 0], [0, 0]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2), [[2, 3], [0, 4], [0, 0]])


def test_normalize_and_split_dataset():
    np.testing.assert_allclose(normalize(np.array([[3.0, 4.0], [0.0, 0.0]])), [[0.6, 0.8], [0.0, 0.0]])
    x, y = np.arange(10), np.arange(10) * 2
    left, right = split_dataset((x, y), left_size=0.8)
    assert len(list(left)) == 8 and [int(a) for a, _ in right.as_numpy_iterator()] == [8, 9]
    with pytest.raises(ValueError, match="fractional size"):
        split_dataset(x, left_size=1.5)


def test_set_random_seed_repeats_initializers():
    keras.utils.set_random_seed(5)
    a = Dense(3)
    a.build((None, 4))
    keras.utils.set_random_seed(5)
    b = Dense(3)
    b.build((None, 4))
    np.testing.assert_array_equal(a.kernel.numpy(), b.kernel.numpy())


def test_unpack_and_pack_x_y_sample_weight_follow_tf_keras():
    from chainrule.keras import utils
    x, y, w = np.zeros(3), np.ones(3), np.full(3, 2.0)
    assert utils.unpack_x_y_sample_weight(x) == (x, None, None)
    assert utils.unpack_x_y_sample_weight((x,)) == (x, None, None)
    assert utils.unpack_x_y_sample_weight([x, y]) == (x, y, None)  # a list is read as a tuple
    assert utils.unpack_x_y_sample_weight((x, y, w)) == (x, y, w)
    with pytest.raises(ValueError, match="found a tuple of 4 elements"):
        utils.unpack_x_y_sample_weight((x, y, w, w))
    assert utils.pack_x_y_sample_weight(x) is x
    assert utils.pack_x_y_sample_weight(x, y) == (x, y)
    assert utils.pack_x_y_sample_weight(x, y, w) == (x, y, w)
    assert utils.pack_x_y_sample_weight((x, y)) == ((x, y),)  # a tuple x is wrapped, so it unpacks as x
    assert utils.unpack_x_y_sample_weight(utils.pack_x_y_sample_weight((x, y)))[0] == (x, y)
