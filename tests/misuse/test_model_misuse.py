"""Misuse corpus, models: Sequential and functional graphs built or fed wrongly.

Each test checks the exception type and that the message names the model or layer,
the offending shapes/names/counts, and the fix (an instruction, or the rule broken).
``xfail(strict=True, reason="NEEDS: ...")`` marks the behaviour chainrule still lacks.

A cyclic functional graph is not in this corpus: the public API cannot build one
(every layer call makes a new tensor from existing ones), and calling a layer on its
own output is a legal shared-layer graph, not a cycle.
"""
import re

import numpy as np
import pytest

from chainrule import keras
from chainrule.keras import layers


def assert_mentions(excinfo, *patterns):
    """Every regex in ``patterns`` occurs in the exception message."""
    text = str(excinfo.value)
    missing = [p for p in patterns if not re.search(p, text)]
    assert not missing, f"the message lacks {missing}:\n{text}"


def two_input_model():
    a = layers.Input(shape=(4,), name="age")
    b = layers.Input(shape=(3,), name="bmi")
    out = layers.Dense(1, name="risk")(layers.Concatenate()([a, b]))
    return keras.Model([a, b], out, name="clinic")


# ----------------------------------------------------------------------------- incompatible consecutive layers

def test_sequential_reshape_that_does_not_fit_the_previous_layer():
    with pytest.raises(ValueError) as e:
        keras.Sequential([layers.Input(shape=(4,)), layers.Dense(3), layers.Reshape((2, 2), name="grid")])
    assert_mentions(e, r"Reshape 'grid'", r"\(3,\)", r"\(2, 2\)", r"3 values", r"4 values")


def test_functional_reshape_that_does_not_fit_the_previous_layer():
    inputs = layers.Input(shape=(4,))
    hidden = layers.Dense(6, name="hidden")(inputs)
    with pytest.raises(ValueError) as e:
        layers.Reshape((4, 2), name="grid")(hidden)
    assert_mentions(e, r"Reshape 'grid'", r"\(6,\)", r"\(4, 2\)", r"6 values", r"8 values")


def test_functional_add_of_branches_with_different_widths():
    inputs = layers.Input(shape=(4,))
    left = layers.Dense(8)(inputs)
    right = layers.Dense(5)(inputs)
    with pytest.raises(ValueError) as e:
        layers.Add(name="merge")([left, right])
    assert_mentions(e, r"Add 'merge'", r"\(None, 8\)", r"\(None, 5\)", r"equal \(or broadcastable\)")


def test_functional_reuse_of_a_built_layer_on_an_incompatible_tensor():
    shared = layers.Dense(3, name="shared")
    shared(layers.Input(shape=(5,)))
    other = layers.Dense(6)(layers.Input(shape=(4,)))
    with pytest.raises(ValueError) as e:
        shared(other)
    assert_mentions(e, r"Dense 'shared'", r"\b5\b", r"\(None, 6\)")


def test_sequential_with_a_prebuilt_layer_of_another_input_size():
    pretrained = layers.Dense(3, name="pretrained")
    pretrained(np.ones((2, 5), np.float32))
    with pytest.raises(ValueError) as e:
        keras.Sequential([layers.Input(shape=(4,)), pretrained])
    assert_mentions(e, r"Dense 'pretrained'", r"\b5\b", r"\(None, 4\)")


# ----------------------------------------------------------------------------- graph structure

def test_duplicate_layer_names_in_a_sequential_model():
    with pytest.raises(ValueError) as e:
        keras.Sequential([layers.Dense(3, name="block", input_shape=(4,)), layers.Dense(3, name="block")])
    assert_mentions(e, r"'block'", r"unique names", r"`name` argument")


def test_duplicate_layer_names_in_a_functional_model():
    inputs = layers.Input(shape=(4,))
    hidden = layers.Dense(3, name="block")(inputs)
    outputs = layers.Dense(2, name="block")(hidden)
    with pytest.raises(ValueError) as e:
        keras.Model(inputs, outputs, name="net")
    assert_mentions(e, r"Model 'net'", r"'block' is used 2 times", r"distinct `name=`")


def test_disconnected_functional_graph_names_the_missing_input():
    a = layers.Input(shape=(4,), name="used")
    b = layers.Input(shape=(3,), name="forgotten")
    out = layers.Concatenate()([layers.Dense(2)(a), layers.Dense(2)(b)])
    with pytest.raises(ValueError) as e:
        keras.Model(a, out)
    assert_mentions(e, r"Graph disconnected", r"'forgotten'", r"\(None, 3\)", r"'used'",
                    r"Model\(inputs=\[\.\.\.\]\)")


def test_model_input_that_is_not_an_input_tensor():
    inputs = layers.Input(shape=(4,))
    hidden = layers.Dense(3, name="hidden")(inputs)
    out = layers.Dense(2)(hidden)
    with pytest.raises(ValueError) as e:
        keras.Model(hidden, out, name="net")
    assert_mentions(e, r"Model 'net'", r"input #0", r"'hidden'", r"Input\(shape=\.\.\.\)")


def test_model_output_that_is_a_numpy_array():
    with pytest.raises(ValueError) as e:
        keras.Model(layers.Input(shape=(4,)), np.ones(3), name="net")
    assert_mentions(e, r"Model 'net'", r"output #0", r"ndarray", r"calling layers on Input tensors")


def test_model_with_output_instead_of_outputs_suggests_outputs():
    inputs = layers.Input(shape=(4,))
    with pytest.raises(TypeError) as e:
        keras.Model(inputs=inputs, output=layers.Dense(2)(inputs))
    assert_mentions(e, r"Model", r"'output'", r"Did you mean 'outputs'\?")


def test_sequential_add_of_a_string():
    with pytest.raises(TypeError) as e:
        keras.Sequential().add("dense")
    assert_mentions(e, r"layer='dense'", r"type str", r"instance of class Layer")


def test_sequential_given_a_layer_class_instead_of_an_instance():
    with pytest.raises(TypeError) as e:
        keras.Sequential([layers.Dense])
    assert_mentions(e, r"Dense", r"type type", r"instance of class Layer")


def test_sequential_with_an_input_after_layers():
    with pytest.raises(ValueError) as e:
        keras.Sequential([layers.Input(shape=(3,)), layers.Dense(2), layers.Input(shape=(3,))], name="stack")
    assert_mentions(e, r"Sequential 'stack'", r"Input", r"only be the first element")


def test_subclassed_model_without_call():
    with pytest.raises(NotImplementedError) as e:
        keras.Model(name="bare")(np.ones((2, 3), np.float32))
    assert_mentions(e, r"Model 'bare'", r"must implement `call\(self, inputs\)`")
    # tf.keras 2's message comes first (keras.io's Distiller, which only overrides train_step, raises it)
    assert str(e.value).startswith("Unimplemented `tf.keras.Model.call()`: if you intend to create a `Model` "
                                   "with the Functional API, please provide `inputs` and `outputs` arguments.")


def test_get_layer_with_a_misspelled_name():
    model = keras.Sequential([layers.Dense(2, name="hidden", input_shape=(3,))])
    with pytest.raises(ValueError) as e:
        model.get_layer("hiden")
    assert_mentions(e, r"No such layer: hiden", r"\['hidden'\]", r"Did you mean 'hidden'\?")


def test_get_layer_with_an_index_out_of_range():
    model = keras.Sequential([layers.Dense(2, input_shape=(3,))], name="tiny")
    with pytest.raises(ValueError) as e:
        model.get_layer(index=5)
    assert_mentions(e, r"index 5", r"'tiny'", r"only has 1 layers")


# ----------------------------------------------------------------------------- unbuilt models

class _Tiny(keras.Model):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense = layers.Dense(3)

    def call(self, x):
        return self.dense(x)


@pytest.mark.parametrize("make", [lambda: keras.Sequential([layers.Dense(3)], name="mlp"),
                                  lambda: _Tiny(name="mlp")], ids=["sequential", "subclassed"])
def test_summary_of_an_unbuilt_model_names_it(make):
    with pytest.raises(ValueError) as e:
        make().summary()
    assert_mentions(e, r"This model has not yet been built", r"'mlp'", r"build\(\(None, ")


def test_sequential_build_without_an_input_shape():
    with pytest.raises(ValueError) as e:
        keras.Sequential([layers.Dense(3)]).build()
    assert_mentions(e, r"`input_shape`")


# ----------------------------------------------------------------------------- weights of a whole model

def test_model_set_weights_with_the_wrong_count():
    model = keras.Sequential([layers.Dense(8, input_shape=(4,)), layers.Dense(3)], name="mlp")
    with pytest.raises(ValueError) as e:
        model.set_weights([np.zeros((4, 8))])
    assert_mentions(e, r"'mlp'", r"expected a list of 4 arrays", r"\(8, 3\)", r"got 1", r"get_weights\(\)")


def test_model_set_weights_with_a_transposed_kernel():
    model = keras.Sequential([layers.Dense(8, input_shape=(4,)), layers.Dense(3, name="out")], name="mlp")
    weights = model.get_weights()
    weights[2] = weights[2].T
    with pytest.raises(ValueError) as e:
        model.set_weights(weights)
    assert_mentions(e, r"'mlp'", r"weight #2", r"out/kernel:0", r"has shape \(8, 3\)", r"given has shape \(3, 8\)")


# ----------------------------------------------------------------------------- feeding multi-input models

def test_predict_with_one_array_for_a_two_input_model():
    x = np.ones((5, 4), np.float32)
    with pytest.raises(ValueError) as e:
        two_input_model().predict(x, verbose=0)
    assert_mentions(e, r"Model 'clinic'", r"expects 2 input\(s\)", r"\['age', 'bmi'\]", r"received 1")


def test_predict_with_three_arrays_for_a_two_input_model():
    x = np.ones((5, 4), np.float32)
    with pytest.raises(ValueError) as e:
        two_input_model().predict([x, x, x], verbose=0)
    assert_mentions(e, r"'clinic'", r"\['age', 'bmi'\]", r"\b3\b", r"one array per input")


def test_dict_input_with_a_missing_key():
    with pytest.raises(ValueError) as e:
        two_input_model().predict({"age": np.ones((5, 4), np.float32)}, verbose=0)
    assert_mentions(e, r"Model 'clinic'", r"missing data for input\(s\) \['bmi'\]", r"expected keys \['age', 'bmi'\]",
                    r"got \['age'\]")


def test_dict_input_with_a_misspelled_key():
    data = {"age": np.ones((5, 4), np.float32), "BMI": np.ones((5, 3), np.float32)}
    with pytest.raises(ValueError) as e:
        two_input_model().predict(data, verbose=0)
    assert_mentions(e, r"\['bmi'\]", r"expected keys \['age', 'bmi'\]", r"'BMI'")


def test_multi_input_with_one_input_of_the_wrong_width():
    data = [np.ones((5, 4), np.float32), np.ones((5, 2), np.float32)]
    with pytest.raises(ValueError) as e:
        two_input_model().predict(data, verbose=0)
    assert_mentions(e, r"Input 1", r"'clinic'", r"expected shape=\(None, 3\)", r"found shape=\(5, 2\)", r"'bmi'")
