"""keras.utils: plot_model, to_categorical, pad_sequences, normalize, split_dataset, set_random_seed; and
keras.preprocessing.sequence's word2vec helpers skipgrams and make_sampling_table."""
import random

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


def test_make_sampling_table_is_tf_keras_zipf_table():
    # tf_keras 2.21's make_sampling_table(10)
    np.testing.assert_allclose(keras.preprocessing.sequence.make_sampling_table(10), [
        0.0031522478751942504, 0.0031522478751942504, 0.0054759726939176976, 0.007415564097374219,
        0.009128167456366161, 0.010684345040995184, 0.012123806302675509, 0.013471624356952072,
        0.014744868825042839, 0.01595580205967933], rtol=1e-15)


def test_skipgrams_draws_from_python_random_as_tf_keras():
    """The word2vec tutorial's skip-grams: tf_keras 2.21 printed these after random.seed(42), drawing the
    shuffle seed, the subsampling and the negative pairs from Python's random module in this order."""
    skipgrams, table = keras.preprocessing.sequence.skipgrams, keras.preprocessing.sequence.make_sampling_table
    random.seed(42)
    couples, labels = skipgrams([1, 2, 3, 4, 5, 1, 6, 7], vocabulary_size=8, window_size=2, negative_samples=0)
    assert couples == [[7, 6], [4, 3], [7, 1], [6, 1], [1, 3], [1, 6], [5, 3], [1, 7], [3, 2], [2, 3], [3, 5],
                       [4, 2], [3, 1], [3, 4], [4, 1], [4, 5], [1, 5], [5, 1], [1, 4], [6, 7], [2, 1], [6, 5],
                       [5, 4], [2, 4], [1, 2], [5, 6]] and labels == [1] * 26
    assert skipgrams([1, 0, 3, 4], vocabulary_size=8, window_size=1, negative_samples=1.0, categorical=True,
                     seed=3) == ([[4, 5], [3, 4], [3, 2], [4, 3]], [[1, 0], [0, 1], [1, 0], [0, 1]])
    assert skipgrams([1, 2, 3, 4, 5, 6], vocabulary_size=8, window_size=1, sampling_table=table(8, 1e-2),
                     shuffle=False) == ([[4, 3], [4, 5], [5, 4], [5, 6], [4, 2], [4, 6], [5, 4], [5, 5]],
                                        [1, 1, 1, 1, 0, 0, 0, 0])
    assert random.random() == 0.8364614512743888  # the same number of draws as tf_keras


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
