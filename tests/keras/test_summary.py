"""Every model the seeds define builds with the seeds' parameter counts and prints tf.keras 2's table."""
import json
from pathlib import Path

import pytest

from chainrule import keras
from chainrule.keras import layers
from chainrule.keras.layers import (Activation, BatchNormalization, Concatenate, Dense, Dropout, Flatten,
                                    Input)
from chainrule.keras.models import Model, Sequential
from chainrule.keras.regularizers import l1, l1_l2, l2


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def summary_text(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def imdb_model(units, **dense_kwargs):
    return Sequential([Dense(units, activation="relu", input_shape=(10000,), **dense_kwargs),
                       Dense(units, activation="relu", **dense_kwargs),
                       Dense(1, activation="sigmoid")])


def test_imdb_model_summary_matches_seed_exactly():
    model = Sequential([Dense(16, activation="relu", input_shape=(10000,), name="input"),
                        Dense(16, activation="relu", name="hidden"),
                        Dense(1, activation="sigmoid", name="output")], name="sequential_2")
    expected = """Model: "sequential_2"
_________________________________________________________________
 Layer (type)                Output Shape              Param #   
=================================================================
 input (Dense)               (None, 16)                160016    
                                                                 
 hidden (Dense)              (None, 16)                272       
                                                                 
 output (Dense)              (None, 1)                 17        
                                                                 
=================================================================
Total params: 160,305
Trainable params: 160,305
Non-trainable params: 0
_________________________________________________________________"""
    assert summary_text(model) == expected


@pytest.mark.parametrize("units, total", [(16, 160_305), (7, 70_071), (1024, 11_291_649)])
def test_imdb_model_sizes(units, total):
    assert imdb_model(units).count_params() == total


@pytest.mark.parametrize("reg", [l1(0.001), l2(0.001), l1_l2(l1=0.001, l2=0.001)])
def test_regularized_models_have_same_size(reg):
    assert imdb_model(16, kernel_regularizer=reg).count_params() == 160_305


def test_dropout_model_size():
    model = Sequential([Dense(16, activation="relu", input_shape=(10000,)), Dropout(0.5),
                        Dense(16, activation="relu"), Dropout(0.5), Dense(1, activation="sigmoid")])
    assert model.count_params() == 160_305


def test_batchnorm_model_counts_and_wrapped_name():
    model = Sequential()
    model.add(Dense(32, input_shape=(28 * 28,), kernel_initializer="he_normal"))
    model.add(BatchNormalization())
    model.add(Activation("relu"))
    text = summary_text(model)
    assert "Total params: 25,248\nTrainable params: 25,184\nNon-trainable params: 64" in text
    # tf.keras 2 wraps a name longer than the column onto the next line.
    assert " batch_normalization (BatchN  (None, 32)               128       \n ormalization)" in text


def test_dense_on_2d_samples_keeps_middle_axis():
    model = Sequential()
    model.add(Input(shape=(28, 28)))
    model.add(Dense(300, activation="relu"))
    model.add(Dense(100, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    assert model.output_shape == (None, 28, 10)
    assert model.layers[0].output_shape == (None, 28, 300)
    assert model.count_params() == 39_810
    assert len(model.layers) == 3  # the Input is not a layer of a Sequential


def test_dense_30_on_10x10_with_leaky_relu():
    from chainrule.keras.layers import LeakyReLU
    model = Sequential([Dense(30, kernel_initializer="he_normal", input_shape=[10, 10]), LeakyReLU(alpha=0.2),
                        Dense(1, kernel_initializer="he_normal"), Activation("softmax")])
    text = summary_text(model)
    assert " dense (Dense)               (None, 10, 30)            330       " in text
    assert " leaky_re_lu (LeakyReLU)     (None, 10, 30)            0         " in text
    assert " activation (Activation)     (None, 10, 1)             0         " in text
    assert "Total params: 361" in text


def test_functional_flatten_model_lists_input_layer():
    inputs = Input(shape=(28, 28, 1))
    x = Flatten(input_shape=(28, 28, 1))(inputs)
    x = Dense(300, activation="relu")(x)
    x = Dense(100, activation="relu")(x)
    x = Dense(10, activation="softmax")(x)
    model = Model(inputs=inputs, outputs=x)
    text = summary_text(model)
    assert " input_1 (InputLayer)        [(None, 28, 28, 1)]       0         " in text
    assert " flatten (Flatten)           (None, 784)               0         " in text
    assert "Total params: 266,610" in text
    assert model.layers[2] is model.get_layer(model.layers[2].name)
    assert [type(la).__name__ for la in model.layers] == ["InputLayer", "Flatten", "Dense", "Dense", "Dense"]


def test_wide_and_deep_connected_to_column():
    input_layer = Input(shape=(28, 28))
    hidden1 = Dense(100, activation="relu")(input_layer)
    hidden2 = Dense(30, activation="relu")(hidden1)
    concat = Concatenate()([input_layer, hidden2])
    output = Dense(1)(concat)
    model = Model(inputs=[input_layer], outputs=[output])
    expected_rows = [
        " Layer (type)                   Output Shape         Param #     Connected to                     ",
        " input_1 (InputLayer)           [(None, 28, 28)]     0           []                               ",
        " dense (Dense)                  (None, 28, 100)      2900        ['input_1[0][0]']                ",
        " concatenate (Concatenate)      (None, 28, 58)       0           ['input_1[0][0]',                ",
        "                                                                  'dense_1[0][0]']                ",
        " dense_2 (Dense)                (None, 28, 1)        59          ['concatenate[0][0]']            ",
    ]
    lines = summary_text(model).splitlines()
    for row in expected_rows:
        assert row in lines
    assert "Total params: 5,989" in lines
    assert len(lines[1]) == 98


def test_multi_input_multi_output_order_and_counts():
    input_1 = Input(shape=(10, 10), name="input_1")
    input_2 = Input(shape=(10, 28), name="input_2")
    hidden1 = Dense(100, activation="relu")(input_2)
    hidden2 = Dense(10, activation="relu")(hidden1)
    concat = Concatenate()([input_1, hidden2])
    output = Dense(1, activation="sigmoid", name="main_output")(concat)
    sub_out = Dense(1, name="sum_output")(hidden2)
    model = Model(inputs=[input_1, input_2], outputs=[output, sub_out])
    # tf.keras 2 orders layers by depth, then by discovery from the outputs.
    assert [la.name for la in model.layers] == ["input_2", "dense", "input_1", "dense_1", "concatenate",
                                                 "main_output", "sum_output"]
    assert model.count_params() == 3_942


def test_multi_input_and_multi_output_counts():
    input_1 = Input(shape=(10, 10), name="input_1")
    input_2 = Input(shape=(10, 28), name="input_2")
    hidden2 = Dense(10, activation="relu")(Dense(100, activation="relu")(input_2))
    output = Dense(1, activation="sigmoid", name="output")(Concatenate()([input_1, hidden2]))
    assert Model(inputs=[input_1, input_2], outputs=[output]).count_params() == 3_931

    inp = Input(shape=(10, 10), name="input_")
    h = Dense(10, activation="relu")(Dense(100, activation="relu")(inp))
    model = Model(inputs=[inp], outputs=[Dense(1, activation="sigmoid", name="main_output")(h),
                                         Dense(1, name="sum_output")(h)])
    assert model.count_params() == 2_132


def test_seed_regression_and_classification_sizes():
    fashion_in = Input(shape=(784,))
    x = fashion_in
    for units in (256, 128, 64, 32):
        x = Dense(units, activation="relu")(x)
    assert Model(fashion_in, Dense(10, activation="softmax")(x)).count_params() == 244_522

    auto_mpg = Sequential([Dense(64, activation="relu", input_shape=(9,)), Dense(64, activation="relu"), Dense(1)])
    assert auto_mpg.count_params() == 4_865
    boston = Sequential([Dense(100, activation="relu", input_shape=(13,), name="dense1"),
                         Dense(64, activation="relu", name="dense2"), Dense(32, activation="relu", name="dense3"),
                         Dense(1, name="output")])
    assert boston.count_params() == 9_977


def test_mnist_sequential_with_input_and_flatten():
    model = Sequential([Input(shape=(28, 28), name="input"), Flatten(input_shape=[28, 28], name="flatten"),
                        Dense(100, activation="relu", name="dense1"), Dense(64, activation="relu", name="dense2"),
                        Dense(32, activation="relu", name="dense3"), Dense(10, activation="softmax", name="output")])
    text = summary_text(model)
    assert " flatten (Flatten)           (None, 784)               0         " in text
    assert " dense1 (Dense)              (None, 100)               78500     " in text
    assert "Total params: 87,374" in text


def test_xor_model():
    model = Sequential([Dense(units=2, activation="sigmoid", input_shape=(2,)), Dense(units=1, activation="sigmoid")])
    assert model.count_params() == 9


def test_unbuilt_sequential_summary_raises_keras_error():
    model = Sequential([Dense(4), Dense(1)])
    with pytest.raises(ValueError, match="This model has not yet been built"):
        model.summary()
    model.build((None, 3))
    assert model.count_params() == 3 * 4 + 4 + 5


def test_sequential_builds_on_first_call_and_then_summarizes():
    import numpy as np
    model = Sequential([Dense(4), Dense(1)])
    out = model(np.ones((2, 3)))
    assert out.shape == (2, 1)
    assert "(None, 4)" in summary_text(model)


def test_a_sequential_built_on_its_first_call_relaxes_its_input_for_data_of_another_shape():
    # The time series tutorial: Dense(1) built on (batch, 1, 19) windows, then called on (batch, 24, 19)
    import numpy as np
    model = Sequential([Dense(1)])
    assert model(np.ones((32, 1, 19), "float32")).shape == (32, 1, 1)
    assert model(np.ones((32, 24, 19), "float32")).shape == (32, 24, 1)
    assert tuple(model.inputs[0].shape) == (None, None, 19)
    assert "(None, None, 1)" in summary_text(model)  # the old graph's nodes are gone (not "multiple")
    assert model.predict(np.ones((3, 5, 19), "float32"), verbose=0).shape == (3, 5, 1)
    flat = Sequential([Flatten(), Dense(2)])
    flat(np.ones((4, 3, 19), "float32"))
    with pytest.raises(ValueError, match="expected last axis 57"):  # tf.keras 2: a ValueError from the Dense
        flat(np.ones((4, 24, 19), "float32"))


def test_a_sequential_built_on_one_unbatched_image_takes_batches_and_leaves_an_outer_sequential_deferred():
    # The data augmentation tutorial: Sequential([Resizing, Rescaling]) called on one (H, W, C) photo, then on
    # batches, and added first to a model (tf.keras 2 runs the layers without checking an inferred Input, and
    # takes the outer model's Input only from a first layer's declared input_shape)
    import numpy as np
    inner = Sequential([layers.Resizing(4, 4), layers.Rescaling(0.5)])
    assert inner(np.ones((6, 8, 3), "float32")).shape == (4, 4, 3)
    assert inner(np.ones((2, 6, 8, 3), "float32")).shape == (2, 4, 4, 3)
    model = Sequential([inner, layers.Conv2D(2, 3)])
    assert not model.built
    assert model(np.ones((1, 6, 8, 3), "float32")).shape == (1, 2, 2, 2)
    declared = Sequential([Sequential([Dense(2, input_shape=(3,))]), Dense(1)])
    assert declared.built and tuple(declared.inputs[0].shape) == (None, 3)


MNIST_CONVNET_SUMMARY = """Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #   
=================================================================
 conv2d (Conv2D)             (None, 26, 26, 32)        320       
                                                                 
 max_pooling2d (MaxPooling2D  (None, 13, 13, 32)       0         
 )                                                               
                                                                 
 conv2d_1 (Conv2D)           (None, 11, 11, 64)        18496     
                                                                 
 max_pooling2d_1 (MaxPooling  (None, 5, 5, 64)         0         
 2D)                                                             
                                                                 
 flatten (Flatten)           (None, 1600)              0         
                                                                 
 dropout (Dropout)           (None, 1600)              0         
                                                                 
 dense (Dense)               (None, 10)                16010     
                                                                 
=================================================================
Total params: 34,826
Trainable params: 34,826
Non-trainable params: 0
_________________________________________________________________"""


def test_mnist_convnet_summary_is_tf_keras_table():
    """keras.io's mnist_convnet as tf.keras 2.11 prints it (the format every chainrule summary uses; the
    shapes and counts are also those tf_keras 2.21 printed in the fixture run, whose table layout is newer)."""
    model = Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    assert summary_text(model) == MNIST_CONVNET_SUMMARY
    theirs = json.loads((Path(__file__).parent / "fixtures" / "conv_layers_tf.json").read_text())[
        "mnist_convnet_summary"]
    for row in ["conv2d (Conv2D)             (None, 26, 26, 32)        320",
                "conv2d_1 (Conv2D)           (None, 11, 11, 64)        18496",
                "(None, 5, 5, 64)", "dense (Dense)               (None, 10)                16010",
                "Total params: 34826"]:
        assert row in theirs
