"""Misuse corpus, layers: bad constructor arguments, bad calls, shapes that do not fit.

Each test checks the exception type and that the message names the layer, the
offending value or shape, and the fix (an instruction, or the rule that was broken).
``xfail(strict=True, reason="NEEDS: ...")`` marks the behaviour chainrule still lacks.
"""
import re

import numpy as np
import pytest

from chainrule.keras import layers


def assert_mentions(excinfo, *patterns):
    """Every regex in ``patterns`` occurs in the exception message."""
    text = str(excinfo.value)
    missing = [p for p in patterns if not re.search(p, text)]
    assert not missing, f"the message lacks {missing}:\n{text}"


# ----------------------------------------------------------------------------- constructor arguments

@pytest.mark.parametrize("units", [0, -3])
def test_dense_with_zero_or_negative_units(units):
    with pytest.raises(ValueError) as e:
        layers.Dense(units, name="head")
    assert_mentions(e, r"Dense 'head'", r"units", rf"got {units}\b", r"positive integer")


def test_dense_with_fractional_units():
    with pytest.raises(ValueError) as e:
        layers.Dense(2.5, name="head")
    assert_mentions(e, r"Dense 'head'", r"units", r"2\.5", r"positive integer")


def test_dense_with_string_units():
    with pytest.raises(ValueError) as e:
        layers.Dense("ten")
    assert_mentions(e, r"Dense", r"units", r"'ten'", r"positive integer")


@pytest.mark.parametrize("rate", [1.5, -0.1, 1.0])
def test_dropout_rate_outside_zero_one(rate):
    with pytest.raises(ValueError) as e:
        layers.Dropout(rate, name="drop")
    assert_mentions(e, r"Dropout 'drop'", r"rate", re.escape(f"got {rate}"), r"\[0, 1\)")


def test_dropout_rate_given_as_a_word():
    with pytest.raises(ValueError) as e:
        layers.Dropout("half")
    assert_mentions(e, r"Dropout", r"rate", r"'half'", r"\[0, 1\)")


def test_misspelled_keyword_argument_names_the_layer_and_the_argument():
    with pytest.raises(TypeError) as e:
        layers.Dense(3, activaton="relu")
    assert_mentions(e, r"Dense", r"'activaton'", r"spelling")


def test_misspelled_keyword_argument_suggests_the_right_one():
    with pytest.raises(TypeError) as e:
        layers.Dense(3, activaton="relu")
    assert_mentions(e, r"Dense", r"'activaton'", r"Did you mean 'activation'\?")


def test_input_without_shape():
    with pytest.raises(ValueError) as e:
        layers.Input()
    assert_mentions(e, r"Input", r"`shape`", r"Input\(shape=\(784,\)\)")


@pytest.mark.parametrize("shape", [(-3,), (28, -1)])
def test_input_with_a_non_positive_dimension(shape):
    with pytest.raises(ValueError) as e:
        layers.Input(shape=shape)
    assert_mentions(e, r"Input", re.escape(str(shape)), r"positive")


def test_input_with_a_string_shape():
    with pytest.raises(TypeError) as e:
        layers.Input(shape="784")
    assert_mentions(e, r"Input", r"'784'", r"\(784,\)")


def test_unknown_activation_name_in_a_layer_suggests_the_closest():
    with pytest.raises(ValueError) as e:
        layers.Dense(3, activation="rleu")
    assert_mentions(e, r"activation", r"'rleu'", r"Did you mean 'relu'\?")


# ----------------------------------------------------------------------------- calls

def test_layer_called_with_no_input():
    dense = layers.Dense(3, name="hidden")
    with pytest.raises(ValueError) as e:
        dense()
    assert_mentions(e, r"'hidden'", r"call it on inputs", r"layer\(x\)")


def test_layer_called_on_none():
    dense = layers.Dense(3, name="hidden")
    with pytest.raises(ValueError) as e:
        dense(None)
    assert_mentions(e, r"'hidden'", r"None", r"layer\(x\)")


def test_dense_called_with_the_wrong_feature_size_after_build():
    # DESIGN.md's own example of a good error.
    dense = layers.Dense(2, name="hidden")
    dense(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError) as e:
        dense(np.ones((32, 28, 28), np.float32))
    assert_mentions(e, r"Dense 'hidden'", r"expected last axis 3", r"\(32, 28, 28\)")


def test_dense_called_on_a_scalar():
    with pytest.raises(ValueError) as e:
        layers.Dense(2, name="hidden")(np.float32(1.0))
    assert_mentions(e, r"Dense 'hidden'", r"input shape \(\)", r"should be defined")


def test_dense_called_on_strings_names_the_layer():
    with pytest.raises(ValueError) as e:
        layers.Dense(2, name="hidden")(np.array([["a", "b"]]))
    assert_mentions(e, r"Dense 'hidden'", r"string", r"\(1, 2\)", r"numbers")


# ----------------------------------------------------------------------------- merging

def test_concatenate_on_mismatched_symbolic_shapes():
    a, b = layers.Input(shape=(3, 4)), layers.Input(shape=(5, 6))
    with pytest.raises(ValueError) as e:
        layers.Concatenate(name="join")([a, b])
    assert_mentions(e, r"Concatenate 'join'", r"\(None, 3, 4\)", r"\(None, 5, 6\)",
                    r"matching shapes except for the concatenation axis")


def test_concatenate_on_mismatched_arrays():
    with pytest.raises(ValueError) as e:
        layers.Concatenate(name="join")([np.ones((2, 3), np.float32), np.ones((3, 3), np.float32)])
    assert_mentions(e, r"Concatenate 'join'", r"\(2, 3\)", r"\(3, 3\)", r"matching shapes")


def test_concatenate_on_a_single_tensor():
    with pytest.raises(ValueError) as e:
        layers.Concatenate(name="join")([layers.Input(shape=(3,))])
    assert_mentions(e, r"Concatenate 'join'", r"\(None, 3\)", r"at least 2 inputs")


def test_add_on_mismatched_shapes():
    with pytest.raises(ValueError) as e:
        layers.Add(name="residual")([layers.Input(shape=(3,)), layers.Input(shape=(4,))])
    assert_mentions(e, r"Add 'residual'", r"\(None, 3\)", r"\(None, 4\)", r"equal \(or broadcastable\) shapes")


def test_subtract_on_three_inputs_fails_when_the_graph_is_built():
    ins = [layers.Input(shape=(4,)) for _ in range(3)]
    with pytest.raises(ValueError) as e:
        layers.Subtract(name="diff")(ins)
    assert_mentions(e, r"Subtract 'diff'", r"exactly 2 inputs", r"got 3")


def test_merging_different_batch_sizes():
    with pytest.raises(ValueError) as e:
        layers.Average(name="mean")([np.ones((2, 3), np.float32), np.ones((3, 3), np.float32)])
    assert_mentions(e, r"Average 'mean'", r"different batch sizes", r"\(2, 3\)", r"\(3, 3\)")


def test_flatten_with_an_unknown_data_format():
    with pytest.raises(ValueError) as e:
        layers.Flatten(data_format="nchw", name="flat")
    assert_mentions(e, r"Flatten 'flat'", r"'channels_last' or 'channels_first'", r"'nchw'")


@pytest.mark.parametrize("arg", ["max_value", "negative_slope", "threshold"])
def test_relu_with_a_negative_argument(arg):
    with pytest.raises(ValueError) as e:
        layers.ReLU(**{arg: -1.0}, name="act")
    assert_mentions(e, r"ReLU 'act'", arg, r">= 0", r"-1\.0")


def test_dropout_noise_shape_that_does_not_fit_the_inputs():
    with pytest.raises(ValueError) as e:
        layers.Dropout(0.5, noise_shape=(1, 5), name="drop")(np.ones((2, 3), np.float32), training=True)
    assert_mentions(e, r"Dropout 'drop'", r"noise_shape \(1, 5\)", r"\(2, 3\)", r"one entry per axis")


def test_rescaling_with_a_non_numeric_scale():
    with pytest.raises(TypeError) as e:
        layers.Rescaling("1/255", name="pixels")
    assert_mentions(e, r"Rescaling 'pixels'", r"scale", r"'1/255'", r"number or a list of numbers")


def test_a_mask_given_to_a_layer_without_masking_is_refused():
    with pytest.raises(TypeError) as e:
        layers.Dense(2, name="head")(np.ones((2, 3), np.float32), mask=np.ones((2, 3), bool))
    assert_mentions(e, r"Dense 'head'", r"does not support masking", r"mask")


# ----------------------------------------------------------------------------- normalization

def test_batch_normalization_on_a_none_feature_axis():
    with pytest.raises(ValueError) as e:
        layers.BatchNormalization(name="bn")(layers.Input(shape=(None,)))
    assert_mentions(e, r"BatchNormalization 'bn'", r"axis -1", r"\(None, None\)", r"must be defined")


def test_batch_normalization_on_an_axis_the_input_does_not_have():
    with pytest.raises(ValueError) as e:
        layers.BatchNormalization(axis=3, name="bn")(layers.Input(shape=(4,)))
    assert_mentions(e, r"BatchNormalization 'bn'", r"axis 3", r"\(None, 4\)", r"axis=-1")


# ----------------------------------------------------------------------------- weights

def test_layer_set_weights_with_the_wrong_count():
    dense = layers.Dense(8, name="hidden")
    dense(np.ones((1, 4), np.float32))
    with pytest.raises(ValueError) as e:
        dense.set_weights([np.zeros((4, 8))])
    assert_mentions(e, r"'hidden'", r"expected a list of 2 arrays", r"\(4, 8\)", r"\(8,\)", r"got 1",
                    r"get_weights\(\)")


def test_layer_set_weights_with_the_wrong_shapes():
    dense = layers.Dense(8, name="hidden")
    dense(np.ones((1, 4), np.float32))
    with pytest.raises(ValueError) as e:
        dense.set_weights([np.zeros((8, 4)), np.zeros(8)])
    assert_mentions(e, r"'hidden'", r"hidden/kernel:0", r"has shape \(4, 8\)", r"given has shape \(8, 4\)")


def test_count_params_on_an_unbuilt_layer():
    with pytest.raises(ValueError) as e:
        layers.Dense(3, name="hidden").count_params()
    assert_mentions(e, r"count_params", r"'hidden'", r"isn't built", r"layer\.build\(")
