"""Every public layer passes the conformance harness (``conformance.run_layer_test``), check by check.

How to add a layer: append one or more ``case(...)`` to ``CASES`` below with non-default constructor
arguments, tiny input shapes and the expected output shape and weight names; give ``input_data`` and
``expected_output`` when the values are easy to state. Several inputs, masks, states and keyword
tensors: ``call_layout=call_with(...)``; a layer that needs ``adapt`` first: ``adapt_data=...``
(e.g. ``case(layers.Normalization, {"axis": -1}, adapt_data=_A, input_data=_A, ...)``); see
``conformance.run_layer_test`` for the rest. ``test_every_public_layer_has_a_case`` fails for a class
of ``chainrule.keras.layers`` without one. A check that finds a real bug you cannot fix in your change
goes in ``xfail={"<check>": "<why>"}`` (strict: it fails once fixed, so the mark goes); a check that
does not apply to the layer (tf.keras 2 behaves the same way) in ``skip={"<check>": "<why>"}``.
"""
import inspect

import numpy as np
import pytest
from conformance import CHECKS, call_with, run_layer_test

from chainrule import keras, ops
from chainrule.functions import cast
from chainrule.keras import layers
from chainrule.tensor import Tensor, apply_op


class Case:
    """One table row: ``run_layer_test(layer_cls, init_kwargs, **spec)`` under the id ``<Class>-<label>``."""

    def __init__(self, layer_cls, init_kwargs=None, label="", xfail=None, skip=None, **spec):
        self.layer_cls, self.init_kwargs, self.spec = layer_cls, init_kwargs or {}, spec
        self.id = layer_cls.__name__ + (f"-{label}" if label else "")
        self.xfail = xfail or {}
        self.skip = skip or {}  # checks that do not apply to this layer, each with the reason
        unknown = (set(self.xfail) | set(self.skip)) - set(CHECKS)
        if unknown:
            raise ValueError(f"{self.id}: xfail/skip names unknown checks {sorted(unknown)}.")


case = Case

# ----------------------------------------------------------------------------- the table
# Values of the merge layers are worked by hand (and agree with tf.keras 2.21 / tf_keras); those of the text and
# categorical layers are tf_keras 2.21's (TF_USE_LEGACY_KERAS=1) on the same inputs.
_A = np.array([[1.0, 5.0, -2.0], [0.5, -1.0, 4.0]], dtype="float32")
_B = np.array([[3.0, 2.0, -4.0], [-0.5, 2.0, 1.0]], dtype="float32")
_C = np.array([[-1.0, 8.0, 0.0], [2.0, -3.0, 1.5]], dtype="float32")
_D = np.array([1.0, -1.0], dtype="float32")   # one value per sample: broadcast over the other inputs' axes
_NCHW = np.arange(24, dtype="float32").reshape(2, 3, 2, 2) / 10
_IMAGES = np.random.default_rng(9).uniform(0, 1, (2, 4, 5, 3)).astype("float32")  # (batch, height, width, rgb)
_IDS = np.array([[1, 5, 0, 2], [0, 0, 3, 4]], dtype="int32")  # token ids, 0 = padding
_PADDED = np.array([[[1.0, 2.0], [0.5, 0.5], [0.5, -1.0]], [[0.5, 0.5], [0.5, 0.5], [3.0, 0.0]]], dtype="float32")
_SEQ = np.random.default_rng(7).standard_normal((2, 5, 3)).astype("float32")  # (batch, steps, features)
_SEQ_MASK = np.array([[True, True, False, False, False], [True, True, True, True, True]])
_Q = np.random.default_rng(8).standard_normal((2, 2, 3)).astype("float32")    # a query of 2 steps
_Q_MASK = np.array([[True, False], [True, True]])
_WORDS = np.array([["the", "cat", ""], ["the", "dog", "sat"]])
_CORPUS_WORDS = np.array(["the", "cat", "sat", "on", "the", "mat", "the", "cat"])
_SENTENCES = np.array(["The cat sat.", "A dog, the cat!"])
_CORPUS = np.array(["the cat sat on the mat", "the dog sat", "a cat and a dog"])
# TextVectorization(output_mode='tf_idf', ngrams=2, standardize='lower') adapted to _CORPUS, on _SENTENCES
_TF_IDF = np.zeros((2, 20), dtype="float32")
_TF_IDF[0, [0, 1, 4, 8]] = [1.7386263608932495, 0.6931471824645996, 0.6931471824645996, 0.9162907600402832]
_TF_IDF[1, [0, 1, 5]] = [4.3465657234191895, 0.6931471824645996, 0.9162907600402832]
_ATTENTION_MASK = np.array([[[1, 1, 0, 0, 0], [1, 1, 1, 0, 0]], [[1, 0, 1, 0, 1], [0, 1, 1, 1, 1]]], dtype=bool)

class MinimalRNNCell(layers.AbstractRNNCell):
    """tf.keras 2's AbstractRNNCell example: ``h = x @ kernel + h_prev @ recurrent_kernel``, one state."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    @property
    def state_size(self):
        return self.units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")
        self.built = True

    def call(self, inputs, states):
        output = keras.backend.dot(inputs, self.kernel) + keras.backend.dot(states[0], self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


# Why some checks do not apply:
_TIME_MAJOR = ("time-major inputs are (timesteps, batch, features): predict(batch_size=1) cuts the time axis, "
               "in tf.keras 2 too")
_INT_IDS = "the output is int64 ids whatever the dtype: tf.keras 2 refuses dtype='float64' in 'int' mode"
_STRING_OUTPUT = "invert=True maps ids to strings: the output is text"
_STRING_LAYER = "TextVectorization's dtype is 'string' (its input), as in tf.keras 2; the output is int64 or float32"
_MASK_STEP = ("a step whose features all equal mask_value is zeroed: moving one of them by the finite difference's "
              "epsilon unmasks the step, a jump (the 'random' case checks the gradient away from it)")
_SCORES_MASK = ("the attention scores carry the (1, 1, T, S) causal mask, which a loss cannot apply to its (batch, "
                "heads, T) values: fit fails so in tf.keras 2.21 too")

# Why some checks do not apply to the layers tf.keras 2 makes for chainrule functions on Keras tensors:
_NO_AUTOCAST = ("a TFOpLambda keeps the dtype its function gives (float64 in, float64 out), as tf.keras 2's, which "
                "sets autocast=False")
_INT_OUTPUT = "Discretization's output_mode='int' gives bin indices as int64, whatever the input dtype"
_NO_GRADIENT = "bucketing has no gradient (tf.keras 2's Discretization is not differentiable either)"
_NODE_KWARGS = ("the function's keywords (axis=, slice_spec=) are arguments of the recorded call, not of the layer: "
                "compute_output_shape and a Sequential built from the config call it without them")

_RANDOM_SIDE = ("the side it resizes is None in the symbolic and computed shapes (a random size in training), as "
                "in tf.keras 2; inference hands the input back")
CASES = [
    # core
    case(layers.Dense, {"units": 3}, input_shape=(2, 4), expected_output_shape=(2, 3),
         expected_num_trainable_weights=2, expected_num_non_trainable_weights=0,
         expected_weight_names=["kernel", "bias"], expected_weight_shapes=[(4, 3), (3,)]),
    case(layers.Dense, {"units": 2, "activation": "tanh", "use_bias": False, "kernel_initializer": "he_normal"},
         label="3d-no-bias", input_shape=(2, 3, 4), expected_output_shape=(2, 3, 2),
         expected_weight_names=["kernel"]),
    case(layers.Dense, {"units": 2, "activation": "relu", "kernel_regularizer": "l2", "bias_regularizer": "l1",
                        "activity_regularizer": "l2", "bias_constraint": "non_neg",
                        "bias_initializer": "ones"},
         label="regularized", input_shape=(3, 4), expected_output_shape=(3, 2),
         expected_weight_names=["kernel", "bias"], expected_num_losses=3),
    case(layers.Activation, {"activation": "sigmoid"}, input_shape=(2, 3), expected_output_shape=(2, 3),
         expected_num_trainable_weights=0),
    case(layers.Activation, {"activation": "softmax"}, label="softmax", input_shape=(2, 3, 4),
         expected_output_shape=(2, 3, 4)),
    case(layers.Dropout, {"rate": 0.5, "noise_shape": [None, 1], "seed": 3},
         input_data=_A, expected_output=_A, random_in_training=True, expected_num_trainable_weights=0),
    case(layers.AlphaDropout, {"rate": 0.3, "noise_shape": [None, 1], "seed": 3}, input_data=_A, expected_output=_A,
         random_in_training=True, expected_num_trainable_weights=0),
    case(layers.GaussianNoise, {"stddev": 0.5, "seed": 3}, input_data=_A, expected_output=_A, random_in_training=True,
         expected_num_trainable_weights=0),
    case(layers.GaussianDropout, {"rate": 0.4}, input_data=_A, expected_output=_A, random_in_training=True,
         expected_num_trainable_weights=0),
    case(layers.ActivityRegularization, {"l1": 0.1, "l2": 0.01}, input_data=_A, expected_output=_A,
         expected_num_losses=1, expected_num_trainable_weights=0),
    case(layers.Identity, {}, input_data=_A, expected_output=_A, expected_num_trainable_weights=0),
    case(layers.Permute, {"dims": (2, 1)}, input_data=_NCHW[:, 0],
         expected_output=np.transpose(_NCHW[:, 0], (0, 2, 1))),
    case(layers.Permute, {"dims": (3, 1, 2)}, label="rank4", input_shape=(2, 3, 4, 5),
         expected_output_shape=(2, 5, 3, 4)),
    case(layers.Flatten, {}, input_shape=(2, 3, 2), expected_output_shape=(2, 6)),
    case(layers.Flatten, {"data_format": "channels_first"}, label="channels-first", input_data=_NCHW,
         expected_output=np.transpose(_NCHW, (0, 2, 3, 1)).reshape(2, 12)),
    case(layers.Reshape, {"target_shape": (3, 2)}, input_shape=(2, 6), expected_output_shape=(2, 3, 2)),
    case(layers.Reshape, {"target_shape": (-1, 2)}, label="inferred", input_shape=(2, 2, 3),
         expected_output_shape=(2, 3, 2)),
    # normalization
    case(layers.BatchNormalization, {}, input_shape=(4, 3), expected_output_shape=(4, 3),
         expected_num_trainable_weights=2, expected_num_non_trainable_weights=2,
         expected_weight_names=["gamma", "beta", "moving_mean", "moving_variance"]),
    case(layers.BatchNormalization, {"axis": 1, "momentum": 0.9, "epsilon": 0.01, "center": False,
                                     "gamma_initializer": "random_uniform"},
         label="axis1-no-center", input_shape=(4, 3, 2), expected_output_shape=(4, 3, 2),
         expected_num_trainable_weights=1, expected_num_non_trainable_weights=2,
         expected_weight_names=["gamma", "moving_mean", "moving_variance"]),
    case(layers.BatchNormalization, {"axis": [1, 2]}, label="two-axes", input_shape=(4, 3, 2),
         expected_weight_shapes=[(1, 3, 2)] * 4),
    # activation layers
    case(layers.ReLU, {}, input_data=_A, expected_output=np.maximum(_A, 0)),
    case(layers.ReLU, {"max_value": 2.5, "negative_slope": 0.1, "threshold": 0.5}, label="capped-leaky",
         input_data=_C, expected_output=np.array([[-0.15, 2.5, -0.05], [2.0, -0.35, 1.5]], dtype="float32")),
    case(layers.LeakyReLU, {"alpha": 0.2}, input_data=_A,
         expected_output=np.array([[1.0, 5.0, -0.4], [0.5, -0.2, 4.0]], dtype="float32")),
    case(layers.PReLU, {}, input_data=_A, expected_output=np.maximum(_A, 0), expected_num_trainable_weights=1,
         expected_weight_names=["alpha"], expected_weight_shapes=[(3,)]),
    case(layers.PReLU, {"alpha_initializer": "random_uniform", "alpha_regularizer": "l2",
                        "alpha_constraint": "non_neg", "shared_axes": [1, 2]}, label="shared-axes",
         input_shape=(2, 3, 2, 4), expected_output_shape=(2, 3, 2, 4), expected_weight_names=["alpha"],
         expected_weight_shapes=[(1, 1, 4)], expected_num_losses=1),
    case(layers.ThresholdedReLU, {"theta": 0.5}, input_data=_C,
         expected_output=np.array([[0.0, 8.0, 0.0], [2.0, 0.0, 1.5]], dtype="float32")),
    case(layers.ELU, {"alpha": 0.5}, input_data=_A,
         expected_output=np.where(_A > 0, _A, 0.5 * np.expm1(_A)).astype("float32")),
    case(layers.Softmax, {}, input_shape=(2, 3), expected_output_shape=(2, 3)),
    case(layers.Softmax, {"axis": 1}, label="axis1", input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4)),
    case(layers.Softmax, {"axis": [1, 2]}, label="two-axes", input_data=_NCHW[:, 0],
         expected_output=np.exp(_NCHW[:, 0]) / np.exp(_NCHW[:, 0]).sum(axis=(1, 2), keepdims=True)),
    # convolution
    case(layers.Conv1D, {"filters": 2, "kernel_size": 3}, input_shape=(2, 6, 3), expected_output_shape=(2, 4, 2),
         expected_weight_names=["kernel", "bias"], expected_weight_shapes=[(3, 3, 2), (2,)]),
    case(layers.Conv1D, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "relu",
                         "kernel_regularizer": "l2", "bias_initializer": "ones"},
         label="strided-same", input_shape=(2, 7, 3), expected_output_shape=(2, 4, 2), expected_num_losses=1),
    case(layers.Conv1D, {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "padding": "causal", "use_bias": False},
         label="dilated-causal", input_shape=(2, 6, 3), expected_output_shape=(2, 6, 2),
         expected_weight_names=["kernel"]),
    case(layers.Conv1D, {"filters": 4, "kernel_size": 3, "groups": 2, "data_format": "channels_first"},
         label="groups-channels-first", input_shape=(2, 4, 6), expected_output_shape=(2, 4, 4), unknown_axes=(2,),
         expected_weight_shapes=[(3, 2, 4), (4,)]),
    case(layers.Conv2D, {"filters": 2, "kernel_size": 3}, input_shape=(2, 5, 5, 2), expected_output_shape=(2, 3, 3, 2),
         expected_weight_names=["kernel", "bias"], expected_weight_shapes=[(3, 3, 2, 2), (2,)]),
    case(layers.Conv2D, {"filters": 3, "kernel_size": (3, 2), "strides": (2, 1), "padding": "same",
                         "activation": "relu", "kernel_constraint": "max_norm", "activity_regularizer": "l2"},
         label="strided-same", input_shape=(2, 5, 4, 2), expected_output_shape=(2, 3, 4, 3), expected_num_losses=1),
    case(layers.Conv2D, {"filters": 2, "kernel_size": 3, "dilation_rate": 2}, label="dilated",
         input_shape=(2, 6, 6, 1), expected_output_shape=(2, 2, 2, 2)),
    case(layers.Conv2D, {"filters": 4, "kernel_size": 2, "groups": 2, "data_format": "channels_first"},
         label="groups-channels-first", input_shape=(2, 2, 4, 3), expected_output_shape=(2, 4, 3, 2), unknown_axes=(2,),
         expected_weight_shapes=[(2, 2, 1, 4), (4,)]),
    case(layers.Conv3D, {"filters": 2, "kernel_size": 2}, input_shape=(2, 3, 3, 3, 1),
         expected_output_shape=(2, 2, 2, 2, 2), expected_weight_shapes=[(2, 2, 2, 1, 2), (2,)]),
    case(layers.Conv3D, {"filters": 2, "kernel_size": (1, 2, 2), "strides": 2, "padding": "same",
                         "data_format": "channels_first"},
         label="strided-same-channels-first", input_shape=(2, 1, 3, 4, 4), expected_output_shape=(2, 2, 2, 2, 2)),
    case(layers.Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2}, input_shape=(2, 4, 3),
         expected_output_shape=(2, 9, 2), expected_weight_shapes=[(3, 2, 3), (2,)]),
    case(layers.Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                                  "output_padding": 1, "data_format": "channels_first"},
         label="same-output-padding-channels-first", input_shape=(2, 3, 4), expected_output_shape=(2, 2, 8),
         unknown_axes=(2,)),
    case(layers.Conv2DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
         input_shape=(2, 3, 3, 2), expected_output_shape=(2, 6, 6, 2), expected_weight_shapes=[(3, 3, 2, 2), (2,)]),
    case(layers.Conv2DTranspose, {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "use_bias": False,
                                  "data_format": "channels_first"},
         label="dilated-channels-first", input_shape=(2, 1, 3, 3), expected_output_shape=(2, 2, 5, 5),
         expected_weight_names=["kernel"]),
    case(layers.Conv2DTranspose, {"filters": 1, "kernel_size": 3, "strides": (2, 1), "output_padding": (1, 0)},
         label="output-padding", input_shape=(2, 2, 3, 2), expected_output_shape=(2, 6, 5, 1)),
    case(layers.Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2}, input_shape=(2, 2, 2, 2, 1),
         expected_output_shape=(2, 4, 4, 4, 2), expected_weight_shapes=[(2, 2, 2, 2, 1), (2,)]),
    case(layers.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2}, input_shape=(2, 6, 3),
         expected_output_shape=(2, 4, 6), expected_weight_names=["depthwise_kernel", "bias"],
         expected_weight_shapes=[(3, 3, 2), (6,)]),
    case(layers.DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 2, "strides": 2, "padding": "same",
                                  "depthwise_regularizer": "l2"},
         input_shape=(2, 5, 5, 2), expected_output_shape=(2, 3, 3, 4),
         expected_weight_names=["depthwise_kernel", "bias"],
         expected_weight_shapes=[(3, 3, 2, 2), (4,)], expected_num_losses=1),
    case(layers.DepthwiseConv2D, {"kernel_size": 2, "dilation_rate": 2, "data_format": "channels_first"},
         label="dilated-channels-first", input_shape=(2, 2, 4, 4), expected_output_shape=(2, 2, 2, 2)),
    case(layers.SeparableConv1D, {"filters": 4, "kernel_size": 3, "depth_multiplier": 2}, input_shape=(2, 6, 3),
         expected_output_shape=(2, 4, 4), expected_weight_names=["depthwise_kernel", "pointwise_kernel", "bias"],
         expected_weight_shapes=[(3, 3, 2), (1, 6, 4), (4,)]),
    case(layers.SeparableConv2D, {"filters": 3, "kernel_size": 3, "padding": "same", "activation": "tanh",
                                  "pointwise_regularizer": "l1"},
         input_shape=(2, 4, 4, 2), expected_output_shape=(2, 4, 4, 3), expected_weight_shapes=[(3, 3, 2, 1),
                                                                                               (1, 1, 2, 3), (3,)],
         expected_num_losses=1),
    case(layers.SeparableConv2D, {"filters": 2, "kernel_size": 2, "strides": 2, "data_format": "channels_first"},
         label="strided-channels-first", input_shape=(2, 2, 4, 4), expected_output_shape=(2, 2, 2, 2)),
    # pooling
    case(layers.MaxPooling1D, {}, input_shape=(2, 6, 3), expected_output_shape=(2, 3, 3)),
    case(layers.MaxPooling1D, {"pool_size": 3, "strides": 2, "padding": "same", "data_format": "channels_first"},
         label="same-channels-first", input_shape=(2, 3, 6), expected_output_shape=(2, 3, 3)),
    case(layers.MaxPooling2D, {}, input_shape=(2, 4, 4, 2), expected_output_shape=(2, 2, 2, 2)),
    case(layers.MaxPooling2D, {"pool_size": 3, "strides": 2, "padding": "same", "data_format": "channels_first"},
         label="same-channels-first", input_shape=(2, 2, 5, 5), expected_output_shape=(2, 2, 3, 3)),
    case(layers.MaxPooling3D, {}, input_shape=(2, 4, 4, 4, 1), expected_output_shape=(2, 2, 2, 2, 1)),
    case(layers.MaxPooling3D, {"pool_size": (1, 2, 2), "padding": "same", "data_format": "channels_first"},
         label="same-channels-first", input_shape=(2, 1, 2, 3, 3), expected_output_shape=(2, 1, 2, 2, 2)),
    case(layers.AveragePooling1D, {}, input_shape=(2, 6, 3), expected_output_shape=(2, 3, 3)),
    case(layers.AveragePooling1D, {"pool_size": 3, "strides": 2, "padding": "same"}, label="same",
         input_data=np.arange(10, dtype="float32").reshape(1, 5, 2),
         expected_output=np.array([[[1.0, 2.0], [4.0, 5.0], [7.0, 8.0]]], dtype="float32")),
    case(layers.AveragePooling2D, {}, input_shape=(2, 4, 4, 2), expected_output_shape=(2, 2, 2, 2)),
    case(layers.AveragePooling2D, {"pool_size": 3, "strides": 2, "padding": "same", "data_format": "channels_first"},
         label="same-channels-first", input_shape=(2, 2, 5, 5), expected_output_shape=(2, 2, 3, 3)),
    case(layers.AveragePooling3D, {}, input_shape=(2, 4, 4, 4, 1), expected_output_shape=(2, 2, 2, 2, 1)),
    case(layers.AveragePooling3D, {"pool_size": 2, "strides": 1, "padding": "same", "data_format": "channels_first"},
         label="same-channels-first", input_shape=(2, 1, 2, 3, 3), expected_output_shape=(2, 1, 2, 3, 3)),
    case(layers.GlobalAveragePooling2D, {}, input_shape=(2, 3, 4, 2), expected_output_shape=(2, 2)),
    case(layers.GlobalAveragePooling2D, {"data_format": "channels_first", "keepdims": True}, label="channels-first",
         input_shape=(2, 3, 4, 2), expected_output_shape=(2, 3, 1, 1)),
    case(layers.GlobalAveragePooling3D, {}, input_shape=(2, 2, 3, 2, 2), expected_output_shape=(2, 2)),
    case(layers.GlobalAveragePooling3D, {"keepdims": True}, label="keepdims", input_shape=(2, 2, 3, 2, 2),
         expected_output_shape=(2, 1, 1, 1, 2)),
    case(layers.GlobalMaxPooling2D, {}, input_shape=(2, 3, 4, 2), expected_output_shape=(2, 2)),
    case(layers.GlobalMaxPooling2D, {"data_format": "channels_first", "keepdims": True}, label="channels-first",
         input_shape=(2, 3, 4, 2), expected_output_shape=(2, 3, 1, 1)),
    case(layers.GlobalMaxPooling3D, {}, input_shape=(2, 2, 3, 2, 2), expected_output_shape=(2, 2)),
    case(layers.GlobalMaxPooling3D, {"data_format": "channels_first"}, label="channels-first",
         input_shape=(2, 2, 3, 2, 2), expected_output_shape=(2, 2)),
    # reshaping
    case(layers.ZeroPadding1D, {"padding": (1, 2)}, input_shape=(2, 3, 2), expected_output_shape=(2, 6, 2)),
    case(layers.ZeroPadding2D, {"padding": ((1, 0), (2, 1))}, input_shape=(2, 3, 3, 2),
         expected_output_shape=(2, 4, 6, 2)),
    case(layers.ZeroPadding2D, {"padding": 1, "data_format": "channels_first"}, label="channels-first",
         input_data=np.ones((1, 1, 1, 2), "float32"),
         expected_output=np.pad(np.ones((1, 1, 1, 2), "float32"), ((0, 0), (0, 0), (1, 1), (1, 1)))),
    case(layers.ZeroPadding3D, {"padding": (1, 0, 2)}, input_shape=(2, 2, 2, 2, 1),
         expected_output_shape=(2, 4, 2, 6, 1)),
    case(layers.Cropping1D, {"cropping": (1, 2)}, input_shape=(2, 6, 2), expected_output_shape=(2, 3, 2)),
    case(layers.Cropping2D, {"cropping": ((1, 0), (1, 2))}, input_shape=(2, 4, 5, 2),
         expected_output_shape=(2, 3, 2, 2)),
    case(layers.Cropping2D, {"cropping": 1, "data_format": "channels_first"}, label="channels-first",
         input_data=np.arange(32, dtype="float32").reshape(1, 2, 4, 4),
         expected_output=np.arange(32, dtype="float32").reshape(1, 2, 4, 4)[:, :, 1:3, 1:3]),
    case(layers.Cropping3D, {"cropping": ((1, 0), (0, 1), (1, 1))}, input_shape=(2, 3, 3, 4, 1),
         expected_output_shape=(2, 2, 2, 2, 1)),
    case(layers.UpSampling1D, {"size": 3}, input_data=_A[:, :, None],
         expected_output=np.repeat(_A[:, :, None], 3, axis=1)),
    case(layers.UpSampling2D, {"size": (2, 3), "interpolation": "bilinear"}, input_shape=(2, 2, 2, 1),
         expected_output_shape=(2, 4, 6, 1)),
    case(layers.UpSampling2D, {"data_format": "channels_first"}, label="channels-first", input_data=_NCHW,
         expected_output=_NCHW.repeat(2, axis=2).repeat(2, axis=3)),
    case(layers.UpSampling3D, {"size": (1, 2, 2)}, input_shape=(2, 2, 2, 2, 1), expected_output_shape=(2, 2, 4, 4, 1)),
    # spatial dropout
    case(layers.SpatialDropout1D, {"rate": 0.5, "seed": 3}, input_data=_SEQ, expected_output=_SEQ,
         random_in_training=True),
    case(layers.SpatialDropout2D, {"rate": 0.5, "data_format": "channels_first"}, input_data=_NCHW,
         expected_output=_NCHW, random_in_training=True),
    case(layers.SpatialDropout3D, {"rate": 0.4}, input_shape=(2, 2, 2, 2, 3), expected_output_shape=(2, 2, 2, 2, 3),
         random_in_training=True),
    # image preprocessing (the random layers augment unless training=False: tf.keras 2's default)
    case(layers.Resizing, {"height": 4, "width": 6}, input_shape=(2, 3, 3, 2), expected_output_shape=(2, 4, 6, 2)),
    case(layers.Resizing, {"height": 2, "width": 2, "interpolation": "nearest", "crop_to_aspect_ratio": True},
         label="nearest-crop", input_shape=(2, 4, 6, 1), expected_output_shape=(2, 2, 2, 1)),
    case(layers.CenterCrop, {"height": 2, "width": 3}, input_data=np.arange(40, dtype="float32").reshape(1, 4, 5, 2),
         expected_output=np.arange(40, dtype="float32").reshape(1, 4, 5, 2)[:, 1:3, 1:4]),
    case(layers.RandomFlip, {"mode": "horizontal", "seed": 1}, input_data=_IMAGES, expected_output_shape=(2, 4, 5, 3),
         random_in_training=True),
    case(layers.RandomRotation, {"factor": 0.2, "fill_mode": "constant", "seed": 1}, input_data=_IMAGES,
         expected_output_shape=(2, 4, 5, 3), random_in_training=True),
    case(layers.RandomTranslation, {"height_factor": 0.3, "width_factor": (-0.2, 0.4), "fill_mode": "nearest"},
         input_data=_IMAGES, expected_output_shape=(2, 4, 5, 3), random_in_training=True),
    case(layers.RandomZoom, {"height_factor": (-0.3, 0.2), "interpolation": "nearest", "seed": 2},
         input_data=_IMAGES, expected_output_shape=(2, 4, 5, 3), random_in_training=True),
    case(layers.RandomCrop, {"height": 3, "width": 2, "seed": 1}, input_shape=(2, 4, 5, 2),
         expected_output_shape=(2, 3, 2, 2), random_in_training=True),
    case(layers.RandomContrast, {"factor": 0.5, "seed": 1}, input_data=_IMAGES, expected_output_shape=(2, 4, 5, 3),
         random_in_training=True),
    case(layers.RandomBrightness, {"factor": 0.3, "value_range": (0, 1), "seed": 1}, input_data=_IMAGES,
         expected_output_shape=(2, 4, 5, 3), random_in_training=True),
    case(layers.RandomHeight, {"factor": 0.5, "seed": 1}, input_data=_IMAGES, expected_output_shape=(2, 4, 5, 3),
         random_in_training=True, compute_output_shape=False, skip={"symbolic_call": _RANDOM_SIDE}),
    case(layers.RandomWidth, {"factor": (-0.5, 0.5), "interpolation": "nearest"}, input_data=_IMAGES,
         expected_output_shape=(2, 4, 5, 3), random_in_training=True, compute_output_shape=False,
         skip={"symbolic_call": _RANDOM_SIDE}),
    # embeddings, masks, sequences
    case(layers.Embedding, {"input_dim": 6, "output_dim": 3}, input_data=_IDS, expected_output_shape=(2, 4, 3),
         expected_weight_names=["embeddings"], expected_weight_shapes=[(6, 3)], supports_masking=False),
    case(layers.Embedding, {"input_dim": 6, "output_dim": 2, "mask_zero": True, "input_length": 4,
                            "embeddings_initializer": "random_normal", "embeddings_regularizer": "l2",
                            "activity_regularizer": "l1", "embeddings_constraint": "unit_norm"},
         label="masked-regularized", input_data=_IDS, expected_output_shape=(2, 4, 2), expected_output_mask=_IDS != 0,
         expected_num_losses=2, supports_masking=True),
    case(layers.Masking, {"mask_value": 0.5}, input_data=_PADDED,
         expected_output=np.where(np.all(_PADDED == 0.5, axis=-1, keepdims=True), 0.0, _PADDED),
         expected_output_mask=np.array([[True, False, True], [False, False, True]]),
         supports_masking=True, skip={"gradients": _MASK_STEP}),
    case(layers.Masking, {}, label="random", input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4)),
    case(layers.RepeatVector, {"n": 3}, input_shape=(2, 4), expected_output_shape=(2, 3, 4)),
    case(layers.GlobalAveragePooling1D, {}, input_shape=(2, 5, 3), expected_output_shape=(2, 3)),
    case(layers.GlobalAveragePooling1D, {"data_format": "channels_first", "keepdims": True}, label="channels-first",
         input_shape=(2, 5, 3), expected_output_shape=(2, 5, 1)),
    case(layers.GlobalAveragePooling1D, {}, label="masked", input_data=[_SEQ, _SEQ_MASK],
         call_layout=call_with(0, mask=1), expected_output=np.stack([_SEQ[0, :2].mean(0), _SEQ[1].mean(0)])),
    case(layers.GlobalMaxPooling1D, {}, input_shape=(2, 5, 3), expected_output_shape=(2, 3)),
    case(layers.GlobalMaxPooling1D, {"data_format": "channels_first", "keepdims": True}, label="channels-first",
         input_shape=(2, 5, 3), expected_output_shape=(2, 5, 1)),
    # recurrent
    case(layers.SimpleRNN, {"units": 3}, input_shape=(2, 4, 5), expected_output_shape=(2, 3),
         expected_weight_names=["kernel", "recurrent_kernel", "bias"],
         expected_weight_shapes=[(5, 3), (3, 3), (3,)]),
    case(layers.SimpleRNN, {"units": 3, "activation": "relu", "return_sequences": True, "go_backwards": True,
                            "use_bias": False, "kernel_regularizer": "l2"},
         label="sequences-backwards", input_shape=(2, 4, 5), expected_output_shape=(2, 4, 3), expected_num_losses=1),
    case(layers.SimpleRNN, {"units": 3, "dropout": 0.3, "recurrent_dropout": 0.3, "return_state": True},
         label="dropout-state", input_shape=(2, 4, 5), expected_output_shape=[(2, 3), (2, 3)],
         random_in_training=True),
    case(layers.LSTM, {"units": 3}, input_shape=(2, 4, 5), expected_output_shape=(2, 3),
         expected_weight_names=["kernel", "recurrent_kernel", "bias"],
         expected_weight_shapes=[(5, 12), (3, 12), (12,)]),
    case(layers.LSTM, {"units": 3, "return_sequences": True, "return_state": True}, label="sequences-state",
         input_shape=(2, 4, 5), expected_output_shape=[(2, 4, 3), (2, 3), (2, 3)]),
    case(layers.LSTM, {"units": 3, "return_sequences": True}, label="masked", input_data=[_SEQ, _SEQ_MASK],
         call_layout=call_with(0, mask=1), expected_output_shape=(2, 5, 3), expected_output_mask=_SEQ_MASK,
         supports_masking=True),
    case(layers.LSTM, {"units": 3, "return_state": True}, label="initial-state", input_shape=[(2, 4, 5), (2, 3),
                                                                                              (2, 3)],
         call_layout=call_with(0, initial_state=[1, 2]), expected_output_shape=[(2, 3), (2, 3), (2, 3)]),
    case(layers.LSTM, {"units": 2, "activation": "relu", "recurrent_activation": "hard_sigmoid",
                       "unit_forget_bias": False, "bias_initializer": "ones", "return_sequences": True},
         label="step-by-step", input_shape=(2, 4, 3), expected_output_shape=(2, 4, 2)),
    case(layers.LSTM, {"units": 2, "time_major": True, "return_sequences": True}, label="time-major",
         input_shape=(4, 2, 3), expected_output_shape=(4, 2, 2), skip={"symbolic_call": _TIME_MAJOR}),
    case(layers.LSTM, {"units": 3, "dropout": 0.2, "recurrent_dropout": 0.2}, label="dropout",
         input_shape=(2, 4, 5), expected_output_shape=(2, 3), random_in_training=True),
    case(layers.ConvLSTM2D, {"filters": 2, "kernel_size": 3}, input_shape=(2, 3, 5, 5, 2),
         expected_output_shape=(2, 3, 3, 2), expected_weight_names=["kernel", "recurrent_kernel", "bias"],
         expected_weight_shapes=[(3, 3, 2, 8), (3, 3, 2, 8), (8,)]),
    case(layers.ConvLSTM2D, {"filters": 2, "kernel_size": 2, "padding": "same", "return_sequences": True,
                             "return_state": True, "data_format": "channels_first"}, label="sequences-state-first",
         input_shape=(2, 3, 1, 4, 4), expected_output_shape=[(2, 3, 2, 4, 4), (2, 2, 4, 4), (2, 2, 4, 4)]),
    case(layers.ConvLSTM2D, {"filters": 2, "kernel_size": 3, "dropout": 0.3, "recurrent_dropout": 0.3},
         label="dropout", input_shape=(2, 3, 5, 5, 1), expected_output_shape=(2, 3, 3, 2), random_in_training=True),
    case(layers.ConvLSTM1D, {"filters": 2, "kernel_size": 3, "padding": "same", "go_backwards": True},
         input_shape=(2, 3, 5, 2), expected_output_shape=(2, 5, 2)),
    case(layers.ConvLSTM3D, {"filters": 2, "kernel_size": 2, "return_sequences": True}, input_shape=(1, 2, 3, 3, 3, 1),
         expected_output_shape=(1, 2, 2, 2, 2, 2)),
    case(layers.GRU, {"units": 3}, input_shape=(2, 4, 5), expected_output_shape=(2, 3),
         expected_weight_names=["kernel", "recurrent_kernel", "bias"],
         expected_weight_shapes=[(5, 9), (3, 9), (2, 9)]),
    case(layers.GRU, {"units": 3, "reset_after": False, "return_sequences": True, "return_state": True,
                      "go_backwards": True, "recurrent_regularizer": "l1"},
         label="reset-before-sequences-state", input_shape=(2, 4, 5),
         expected_output_shape=[(2, 4, 3), (2, 3)], expected_weight_shapes=[(5, 9), (3, 9), (9,)],
         expected_num_losses=1),
    case(layers.GRU, {"units": 3}, label="masked", input_data=[_SEQ, _SEQ_MASK], call_layout=call_with(0, mask=1),
         expected_output_shape=(2, 3)),
    case(layers.GRU, {"units": 2, "recurrent_dropout": 0.3, "return_sequences": True},
         label="recurrent-dropout-masked", input_data=[_SEQ, _SEQ_MASK], call_layout=call_with(0, mask=1),
         expected_output_shape=(2, 5, 2), expected_output_mask=_SEQ_MASK, random_in_training=True),
    case(layers.GRU, {"units": 3, "activation": "gelu", "return_state": True}, label="step-by-step-initial-state",
         input_shape=[(2, 4, 5), (2, 3)], call_layout=call_with(0, initial_state=[1]),
         expected_output_shape=[(2, 3), (2, 3)]),
    case(layers.SimpleRNN, {"units": 2, "return_sequences": True, "unroll": True, "go_backwards": True},
         label="masked-backwards", input_data=[_SEQ, _SEQ_MASK], call_layout=call_with(0, mask=1),
         expected_output_shape=(2, 5, 2)),
    case(layers.RNN, {"cell": layers.LSTMCell(3)}, input_shape=(2, 4, 5), expected_output_shape=(2, 3),
         expected_weight_names=["kernel", "recurrent_kernel", "bias"]),
    case(layers.RNN, {"cell": [layers.SimpleRNNCell(3), layers.GRUCell(2)], "return_sequences": True,
                      "return_state": True},
         label="stacked-cells", input_shape=(2, 4, 5), expected_output_shape=[(2, 4, 2), (2, 3), (2, 2)],
         expected_num_trainable_weights=6),
    case(layers.RNN, {"cell": layers.GRUCell(2, activation="softsign"), "go_backwards": True,
                      "return_sequences": True},
         label="step-by-step-masked", input_data=[_SEQ, _SEQ_MASK], call_layout=call_with(0, mask=1),
         expected_output_shape=(2, 5, 2), expected_output_mask=_SEQ_MASK),
    case(layers.RNN, {"cell": MinimalRNNCell(3), "return_sequences": True}, label="abstract-cell",
         input_shape=(2, 4, 5), expected_output_shape=(2, 4, 3), expected_weight_names=["kernel", "recurrent_kernel"],
         custom_objects={"MinimalRNNCell": MinimalRNNCell}),
    case(layers.SimpleRNNCell, {"units": 3}, input_shape=[(2, 5), (2, 3)], call_layout=call_with(0, [1]),
         compute_output_shape=False, expected_output_shape=[(2, 3), (2, 3)],
         expected_weight_names=["kernel", "recurrent_kernel", "bias"]),
    case(layers.LSTMCell, {"units": 3, "recurrent_activation": "hard_sigmoid"}, input_shape=[(2, 5), (2, 3), (2, 3)],
         call_layout=call_with(0, [1, 2]), compute_output_shape=False, expected_output_shape=[(2, 3), (2, 3), (2, 3)],
         expected_weight_shapes=[(5, 12), (3, 12), (12,)]),
    case(layers.GRUCell, {"units": 3, "reset_after": False}, input_shape=[(2, 5), (2, 3)],
         call_layout=call_with(0, [1]), compute_output_shape=False, expected_output_shape=[(2, 3), (2, 3)],
         expected_weight_shapes=[(5, 9), (3, 9), (9,)]),
    # 4 samples: so that fit's one step leaves the recurrent kernel unchanged only if all 12 state values are
    # dropped (0.4 ** 12; with 2 samples 0.4 ** 6, a failure in 250 runs)
    case(layers.SimpleRNNCell, {"units": 3, "dropout": 0.4, "recurrent_dropout": 0.4}, label="dropout",
         input_shape=[(4, 5), (4, 3)], call_layout=call_with(0, [1]), compute_output_shape=False,
         expected_output_shape=[(4, 3), (4, 3)], random_in_training=True),
    case(layers.GRUCell, {"units": 2, "recurrent_dropout": 0.3}, label="recurrent-dropout",
         input_shape=[(2, 5), (2, 2)], call_layout=call_with(0, [1]), compute_output_shape=False,
         expected_output_shape=[(2, 2), (2, 2)], random_in_training=True),
    case(layers.StackedRNNCells, {"cells": [layers.LSTMCell(3), layers.SimpleRNNCell(2)]},
         input_shape=[(2, 5), (2, 3), (2, 3), (2, 2)], call_layout=call_with(0, [[1, 2], [3]]),
         compute_output_shape=False, expected_output_shape=[(2, 2), (2, 3), (2, 3), (2, 2)],
         expected_num_trainable_weights=6),
    case(layers.Bidirectional, {"layer": layers.LSTM(3, return_sequences=True)}, input_shape=(2, 4, 5),
         expected_output_shape=(2, 4, 6), expected_num_trainable_weights=6),
    case(layers.Bidirectional, {"layer": layers.GRU(3), "merge_mode": "sum"}, label="sum", input_shape=(2, 4, 5),
         expected_output_shape=(2, 3)),
    case(layers.Bidirectional, {"layer": layers.SimpleRNN(3, return_sequences=True), "merge_mode": "ave"},
         label="ave-masked", input_data=[_SEQ, _SEQ_MASK], call_layout=call_with(0, mask=1),
         expected_output_shape=(2, 5, 3)),
    case(layers.Bidirectional, {"layer": layers.LSTM(2, return_state=True), "merge_mode": "mul"},
         label="mul-state", input_shape=(2, 4, 5), expected_output_shape=[(2, 2)] * 5),
    case(layers.Bidirectional, {"layer": layers.GRU(2, return_sequences=True), "merge_mode": None},
         label="no-merge", input_shape=(2, 4, 5), expected_output_shape=[(2, 4, 2), (2, 4, 2)]),
    case(layers.Bidirectional, {"layer": layers.LSTM(3), "backward_layer": layers.GRU(2, go_backwards=True)},
         label="backward-layer", input_shape=(2, 4, 5), expected_output_shape=(2, 5)),
    case(layers.Bidirectional, {"layer": layers.LSTM(2, return_sequences=True), "merge_mode": None},
         label="initial-state-masked", input_data=[_SEQ, _SEQ_MASK] + [np.full((2, 2), v, "float32")
                                                                       for v in (0.1, -0.2, 0.3, 0.4)],
         call_layout=call_with(0, mask=1, initial_state=[2, 3, 4, 5]), expected_output_shape=[(2, 5, 2), (2, 5, 2)],
         expected_output_mask=[_SEQ_MASK, _SEQ_MASK]),
    case(layers.Bidirectional, {"layer": layers.LSTM(3, return_state=True), "merge_mode": None,
                                "backward_layer": layers.GRU(2, return_state=True, go_backwards=True)},
         label="backward-layer-states", input_shape=(2, 4, 5),
         expected_output_shape=[(2, 3), (2, 2), (2, 3), (2, 3), (2, 2)]),
    case(layers.TimeDistributed, {"layer": layers.Dense(3)}, input_shape=(2, 4, 5), expected_output_shape=(2, 4, 3),
         expected_weight_names=["kernel", "bias"]),
    case(layers.TimeDistributed, {"layer": layers.Dense(2)}, label="masked", input_data=[_SEQ, _SEQ_MASK],
         call_layout=call_with(0, mask=1), expected_output_shape=(2, 5, 2)),
    case(layers.TimeDistributed, {"layer": layers.Conv2D(2, 3, padding="same")}, label="conv",
         input_shape=(2, 3, 4, 4, 1), expected_output_shape=(2, 3, 4, 4, 2)),
    # text and categorical preprocessing
    case(layers.CategoryEncoding, {"num_tokens": 6, "output_mode": "multi_hot"}, input_data=_IDS,
         expected_output=np.array([[1, 1, 1, 0, 0, 1], [1, 0, 0, 1, 1, 0]], dtype="float32"),
         differentiable=False),
    case(layers.CategoryEncoding, {"num_tokens": 6, "output_mode": "count"}, label="count", input_data=_IDS,
         expected_output=np.array([[1, 1, 1, 0, 0, 1], [2, 0, 0, 1, 1, 0]], dtype="float32"),
         differentiable=False),
    case(layers.CategoryEncoding, {"num_tokens": 6, "output_mode": "one_hot"}, label="one-hot",
         input_data=_IDS[:, :1], expected_output=np.eye(6, dtype="float32")[[1, 0]], differentiable=False),
    case(layers.Hashing, {"num_bins": 3}, input_data=_WORDS, expected_output_shape=(2, 3),
         expected_output_dtype="int64", differentiable=False, skip={"dtype_policy": _INT_IDS}),
    case(layers.Hashing, {"num_bins": 4, "mask_value": "", "salt": 7, "output_mode": "count"},
         label="salted-count", input_data=_WORDS, expected_output_shape=(2, 4), differentiable=False),
    case(layers.Hashing, {"num_bins": 5}, label="integers", input_data=_IDS, expected_output_shape=(2, 4),
         expected_output_dtype="int64", differentiable=False, skip={"dtype_policy": _INT_IDS}),
    case(layers.HashedCrossing, {"num_bins": 64}, input_data=[np.array([[0], [1], [2], [-3]], "int64"),
                                                            np.array([[5], [7], [2 ** 40], [3]], "int64")],
         expected_output=np.array([[50], [41], [32], [6]], dtype="int64"), differentiable=False,  # tf.keras 2.21
         skip={"dtype_policy": _INT_IDS}),
    case(layers.StringLookup, {"vocabulary": ["the", "cat", "sat"], "mask_token": ""}, input_data=_WORDS,
         expected_output=np.array([[2, 3, 0], [2, 1, 4]], dtype="int64"), differentiable=False,
         skip={"dtype_policy": _INT_IDS}),
    case(layers.StringLookup, {"num_oov_indices": 2, "output_mode": "multi_hot"}, label="adapted-multi-hot",
         adapt_data=_CORPUS_WORDS, input_data=_WORDS,
         expected_output=np.array([[0, 1, 1, 1, 0, 0, 0], [1, 0, 1, 0, 1, 0, 0]], dtype="float32"),
         differentiable=False),
    case(layers.StringLookup, {"vocabulary": ["the", "cat", "sat"], "invert": True}, label="invert",
         input_data=np.array([[1, 2, 0], [3, 1, 9]], dtype="int64"),
         expected_output=np.array([[b"the", b"cat", b"[UNK]"], [b"sat", b"the", b"[UNK]"]]), differentiable=False,
         skip={"dtype_policy": _STRING_OUTPUT, "fit": _STRING_OUTPUT}),
    case(layers.StringLookup, {"vocabulary": ["the", "cat"], "idf_weights": [0.5, 2.0], "output_mode": "tf_idf"},
         label="tf-idf", input_data=_WORDS, expected_output=np.array([[1.25, 0.5, 2.0], [2.5, 0.5, 0.0]], "float32"),
         differentiable=False),
    case(layers.IntegerLookup, {"vocabulary": [5, 3, 1], "mask_token": 0}, input_data=_IDS,
         expected_output=np.array([[4, 2, 0, 1], [0, 0, 3, 1]], dtype="int64"), differentiable=False,
         skip={"dtype_policy": _INT_IDS}),
    case(layers.IntegerLookup, {"max_tokens": 4, "output_mode": "count", "pad_to_max_tokens": True},
         label="adapted-count", adapt_data=np.array([[1, 1, 2], [2, 1, 7]]), input_data=_IDS,
         expected_output=np.array([[2, 1, 1, 0], [4, 0, 0, 0]], dtype="float32"), differentiable=False),
    case(layers.TextVectorization, {"max_tokens": 8, "output_sequence_length": 5}, adapt_data=_CORPUS,
         input_data=_SENTENCES, expected_output=np.array([[2, 5, 3, 0, 0], [6, 4, 2, 5, 0]]),
         expected_output_dtype="int64", differentiable=False, skip={"dtype_policy": _STRING_LAYER}),
    case(layers.TextVectorization, {"output_mode": "tf_idf", "ngrams": 2, "standardize": "lower",
                                    "split": "whitespace"},
         label="tf-idf-bigrams", adapt_data=_CORPUS, input_data=_SENTENCES, expected_output=_TF_IDF,
         expected_output_dtype="float32", differentiable=False, skip={"dtype_policy": _STRING_LAYER}),
    case(layers.TextVectorization, {"vocabulary": ["the", "cat", "sat"], "output_mode": "multi_hot"},
         label="vocabulary-multi-hot", input_data=_SENTENCES[:, None],
         expected_output=np.array([[0, 1, 1, 1], [1, 1, 1, 0]], dtype="float32"), expected_output_dtype="float32",
         differentiable=False, skip={"dtype_policy": _STRING_LAYER}),
    # attention and normalization over features
    case(layers.EinsumDense, {"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"}, input_shape=(2, 3),
         expected_output_shape=(2, 4), expected_weight_names=["kernel", "bias"],
         expected_weight_shapes=[(3, 4), (4,)]),
    case(layers.EinsumDense, {"equation": "abc,cde->abde", "output_shape": [None, 2, 3], "bias_axes": "de",
                              "activation": "relu", "kernel_regularizer": "l2"},
         label="3d-kernel", input_shape=(2, 3, 4), expected_output_shape=(2, 3, 2, 3),
         expected_weight_shapes=[(4, 2, 3), (2, 3)], expected_num_losses=1),
    case(layers.EinsumDense, {"equation": "...b,bc->...c", "output_shape": 2}, label="ellipsis",
         input_shape=(2, 3, 4), expected_output_shape=(2, 3, 2), expected_weight_names=["kernel"]),
    case(layers.EinsumDense, {"equation": "ab...,bc->ac...", "output_shape": 3, "bias_axes": "c"},
         label="right-ellipsis", input_shape=(2, 4, 5), expected_output_shape=(2, 3, 5), unknown_axes=(),
         expected_weight_shapes=[(4, 3), (3, 1)]),
    case(layers.GroupNormalization, {"groups": 2}, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
         expected_weight_names=["gamma", "beta"], expected_weight_shapes=[(4,), (4,)]),
    case(layers.GroupNormalization, {"groups": -1, "axis": 1, "epsilon": 0.01, "center": False,
                                     "gamma_initializer": "random_uniform", "gamma_regularizer": "l2"},
         label="instance-axis1", input_shape=(2, 4, 3), expected_output_shape=(2, 4, 3),
         expected_weight_names=["gamma"], expected_num_losses=1),
    case(layers.UnitNormalization, {}, input_data=_A,
         expected_output=_A / np.linalg.norm(_A, axis=-1, keepdims=True)),
    case(layers.UnitNormalization, {"axis": [1, 2]}, label="two-axes", input_data=_NCHW[:, 0],
         expected_output=_NCHW[:, 0] / np.linalg.norm(_NCHW[:, 0], axis=(1, 2), keepdims=True)),
    case(layers.LayerNormalization, {}, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
         expected_weight_names=["gamma", "beta"], expected_weight_shapes=[(4,), (4,)]),
    case(layers.LayerNormalization, {"axis": [1, 2], "epsilon": 0.01, "center": False,
                                     "gamma_initializer": "random_uniform", "gamma_regularizer": "l2"},
         label="two-axes", input_shape=(2, 3, 4), expected_weight_names=["gamma"], expected_weight_shapes=[(3, 4)],
         unknown_axes=(),
         expected_num_losses=1),
    case(layers.Attention, {}, input_shape=[(2, 3, 4), (2, 5, 4)], expected_output_shape=(2, 3, 4),
         expected_num_trainable_weights=0, supports_masking=True),
    case(layers.Attention, {"use_scale": True, "score_mode": "concat"}, label="scale-concat-key",
         input_shape=[(2, 3, 4), (2, 5, 4), (2, 5, 4)], expected_output_shape=(2, 3, 4),
         expected_weight_names=["scale", "concat_score_weight"]),
    case(layers.Attention, {}, label="masked", input_data=[_Q, _SEQ, _Q_MASK, _SEQ_MASK],
         call_layout=call_with([0, 1], mask=[2, 3]), expected_output_shape=(2, 2, 3), expected_output_mask=_Q_MASK),
    case(layers.Attention, {"dropout": 0.5}, label="dropout-causal-scores", input_shape=[(2, 3, 4), (2, 3, 4)],
         call_kwargs={"use_causal_mask": True, "return_attention_scores": True},
         expected_output_shape=[(2, 3, 4), (2, 3, 3)], random_in_training=True),
    case(layers.Attention, {"score_mode": "concat"}, label="concat-masked-causal",
         input_data=[_Q, _SEQ[:, :2], _Q_MASK, _Q_MASK], call_layout=call_with([0, 1], mask=[2, 3]),
         call_kwargs={"use_causal_mask": True}, expected_output_shape=(2, 2, 3), expected_output_mask=_Q_MASK),
    case(layers.AdditiveAttention, {}, input_shape=[(2, 3, 4), (2, 5, 4)], expected_output_shape=(2, 3, 4),
         expected_weight_names=["scale"], expected_weight_shapes=[(4,)]),
    case(layers.AdditiveAttention, {"use_scale": False}, label="masked-key", input_data=[_Q, _SEQ, _SEQ, _SEQ_MASK],
         call_layout=call_with([0, 1, 2], mask=[None, 3]),
         expected_output_shape=(2, 2, 3), expected_num_trainable_weights=0),
    case(layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 3}, input_shape=[(2, 3, 4), (2, 5, 4)],
         call_layout=call_with(0, 1), expected_output_shape=(2, 3, 4),
         expected_weight_names=["kernel", "bias"] * 4,
         expected_weight_shapes=[(4, 2, 3), (2, 3), (4, 2, 3), (2, 3), (4, 2, 3), (2, 3), (2, 3, 4), (4,)]),
    case(layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 2, "value_dim": 3, "output_shape": 6,
                                     "use_bias": False, "kernel_regularizer": "l2"},
         label="key-mask-no-bias", input_data=[_Q, _SEQ, _SEQ[:, :, ::-1].copy(), _ATTENTION_MASK],
         call_layout=call_with(0, 1, 2, attention_mask=3), expected_output_shape=(2, 2, 6), unknown_axes=(1, 2),
         expected_weight_shapes=[(3, 2, 2), (3, 2, 2), (3, 2, 3), (2, 3, 6)], expected_num_losses=4),
    case(layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 2, "dropout": 0.5}, label="causal-scores-dropout",
         input_shape=[(2, 3, 4), (2, 3, 4)], call_layout=call_with(0, 1),
         call_kwargs={"use_causal_mask": True, "return_attention_scores": True},
         expected_output_shape=[(2, 3, 4), (2, 2, 3, 3)], random_in_training=True,
         skip={"fit": _SCORES_MASK}),
    case(layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 2, "attention_axes": [2]}, label="attention-axes",
         input_shape=[(2, 3, 4, 5), (2, 3, 2, 5)], call_layout=call_with(0, 1), expected_output_shape=(2, 3, 4, 5)),
    # merging
    case(layers.Add, {}, input_data=[_A, _B], expected_output=_A + _B),
    case(layers.Add, {}, label="three", input_data=[_A, _B, _C], expected_output=_A + _B + _C),
    case(layers.Add, {}, label="broadcast-rank", input_shape=[(2, 3, 4), (2, 4)], expected_output_shape=(2, 3, 4)),
    case(layers.Subtract, {}, input_data=[_A, _B],
         expected_output=np.array([[-2.0, 3.0, 2.0], [1.0, -3.0, 3.0]], dtype="float32")),
    case(layers.Multiply, {}, input_data=[_A, _B], expected_output=_A * _B),
    case(layers.Multiply, {}, label="broadcast", input_shape=[(2, 3), (2, 1)], expected_output_shape=(2, 3)),
    case(layers.Average, {}, input_data=[_A, _B],
         expected_output=np.array([[2.0, 3.5, -3.0], [0.0, 0.5, 2.5]], dtype="float32")),
    case(layers.Average, {}, label="three", input_data=[_A, _B, _C],
         expected_output=np.array([[1.0, 5.0, -2.0], [2.0 / 3, -2.0 / 3, 6.5 / 3]], dtype="float32")),
    case(layers.Average, {}, label="per-sample", input_data=[_A, _D],
         expected_output=np.array([[1.0, 3.0, -0.5], [-0.25, -1.0, 1.5]], dtype="float32")),
    case(layers.Maximum, {}, input_data=[_A, _B],
         expected_output=np.array([[3.0, 5.0, -2.0], [0.5, 2.0, 4.0]], dtype="float32")),
    case(layers.Maximum, {}, label="three", input_data=[_A, _B, _C],
         expected_output=np.array([[3.0, 8.0, 0.0], [2.0, 2.0, 4.0]], dtype="float32")),
    case(layers.Minimum, {}, input_data=[_A, _B],
         expected_output=np.array([[1.0, 2.0, -4.0], [-0.5, -1.0, 1.0]], dtype="float32")),
    case(layers.Minimum, {}, label="three", input_data=[_A, _B, _C],
         expected_output=np.array([[-1.0, 2.0, -4.0], [-0.5, -3.0, 1.0]], dtype="float32")),
    case(layers.Dot, {"axes": 1}, input_data=[_A, _B], expected_output=np.sum(_A * _B, axis=1, keepdims=True)),
    case(layers.Dot, {"axes": [2, 2], "normalize": True}, label="cosine", input_shape=[(2, 3, 4), (2, 5, 4)],
         expected_output_shape=(2, 3, 5)),
    case(layers.Concatenate, {"axis": 1}, input_shape=[(2, 3, 2), (2, 1, 2)], expected_output_shape=(2, 4, 2)),
    case(layers.Concatenate, {}, label="last-axis", input_data=[_A, _B[:, :2]],
         expected_output=np.concatenate([_A, _B[:, :2]], axis=-1)),
    # preprocessing
    case(layers.Rescaling, {"scale": 0.5, "offset": -1.0}, input_data=_A, expected_output=_A * 0.5 - 1.0),
    case(layers.Rescaling, {"scale": [1.0, 0.5, 2.0], "offset": [0.0, 1.0, -1.0]}, label="per-channel",
         input_data=_A, expected_output=np.array([[1.0, 3.5, -5.0], [0.5, 0.5, 7.0]], dtype="float32")),
    case(layers.Normalization, {"mean": [1.0, 2.0, -1.0], "variance": [4.0, 1.0, 0.25]}, input_data=_A,
         expected_output=(_A - np.array([1.0, 2.0, -1.0], "float32")) / np.array([2.0, 1.0, 0.5], "float32"),
         expected_num_trainable_weights=0),
    case(layers.Normalization, {"axis": None, "mean": 2.0, "variance": 4.0, "invert": True}, label="invert",
         input_data=_A, expected_output=_A * 2.0 + 2.0),
    case(layers.Discretization, {"bin_boundaries": [0.0, 1.0, 2.5]}, input_data=_A,
         expected_output=np.array([[2, 3, 0], [1, 0, 3]], dtype="int64"), differentiable=False,
         skip={"dtype_policy": _INT_OUTPUT, "gradients": _NO_GRADIENT, "fit": _NO_GRADIENT}),
    case(layers.Discretization, {"bin_boundaries": [0.0, 1.0], "output_mode": "count"}, label="count",
         input_data=_A, expected_output=np.array([[1, 0, 2], [1, 1, 1]], dtype="float32"), differentiable=False,
         skip={"gradients": _NO_GRADIENT, "fit": _NO_GRADIENT}),
    case(layers.Lambda, {"function": keras.activations.relu}, input_data=_A, expected_output=np.maximum(_A, 0)),
    # functional-API bookkeeping: a chainrule function on Keras tensors, x[...], model.add_loss/add_metric
    case(layers.TFOpLambda, {"function": "nn.relu"}, input_data=_A, expected_output=np.maximum(_A, 0),
         expected_num_trainable_weights=0, skip={"dtype_policy": _NO_AUTOCAST}),
    case(layers.TFOpLambda, {"function": "math.reduce_sum"}, label="keywords", input_data=_A,
         call_kwargs={"axis": 1, "keepdims": True}, expected_output=_A.sum(axis=1, keepdims=True),
         skip={"dtype_policy": _NO_AUTOCAST, "eager_call": _NODE_KWARGS, "symbolic_call": _NODE_KWARGS,
               "config": _NODE_KWARGS}),
    case(layers.SlicingOpLambda, {"function": "__operators__.getitem"}, input_data=_A,
         call_kwargs={"slice_spec": [{"start": None, "stop": None, "step": None}, {"start": 1, "stop": 3,
                                                                                  "step": None}]},
         expected_output=_A[:, 1:3],
         skip={"dtype_policy": _NO_AUTOCAST, "eager_call": _NODE_KWARGS, "symbolic_call": _NODE_KWARGS,
               "config": _NODE_KWARGS}),
    case(layers.AddLoss, {"unconditional": True}, input_data=_A, expected_output=_A, expected_num_losses=1),
    case(layers.AddMetric, {"aggregation": "mean", "metric_name": "activation"}, input_data=_A, expected_output=_A),
]

# Layers of sequences (and 1-D convolution, pooling, reshaping) take any number of steps: their symbolic check also
# runs on Inputs whose steps axis (1) is unknown, as Input(shape=(None, features)) gives.
_VARIABLE_LENGTH = (layers.Embedding, layers.Masking, layers.GlobalAveragePooling1D, layers.GlobalMaxPooling1D,
                    layers.SimpleRNN, layers.LSTM, layers.GRU, layers.RNN, layers.Bidirectional, layers.TimeDistributed,
                    layers.Attention, layers.AdditiveAttention, layers.MultiHeadAttention, layers.EinsumDense,
                    layers.LayerNormalization, layers.Conv1D, layers.Conv1DTranspose, layers.DepthwiseConv1D,
                    layers.SeparableConv1D, layers.MaxPooling1D, layers.AveragePooling1D, layers.ZeroPadding1D,
                    layers.Cropping1D, layers.UpSampling1D, layers.SpatialDropout1D, layers.Dense, layers.Softmax,
                    layers.Activation, layers.Dropout, layers.Conv2D, layers.MaxPooling2D, layers.GlobalMaxPooling2D,
                    layers.Resizing, layers.RandomFlip)
for _case in CASES:
    if issubclass(_case.layer_cls, _VARIABLE_LENGTH) and "unknown_axes" not in _case.spec:
        _case.spec["unknown_axes"] = (1,)

# Public classes of keras.layers that are not layers under test, each with the reason.
NOT_TESTED_HERE = {
    layers.Layer: "the abstract base class (tested through every subclass)",
    layers.InputLayer: "the graph's entry point: it computes nothing and is made by keras.Input",
    layers.PreprocessingLayer: "the abstract base of the adaptable layers (tested through Normalization and "
                               "Discretization)",
    layers.AbstractRNNCell: "the abstract base of a user's cell (tested through RNN-abstract-cell's MinimalRNNCell)",
    layers.Wrapper: "the abstract base of TimeDistributed and Bidirectional (tested through them): its call is the "
                    "wrapped layer's, it does not compute on its own",
}


# ----------------------------------------------------------------------------- the tests

def _params():
    for c in CASES:
        for check in CHECKS:
            marks = [pytest.mark.xfail(strict=True, reason=c.xfail[check])] if check in c.xfail else []
            if check in c.skip:
                marks.append(pytest.mark.skip(reason=c.skip[check]))
            yield pytest.param(c, check, id=f"{c.id}-{check}", marks=marks)


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()
    # Each case draws its weights the same way whichever tests ran before it on this worker: a gradient that is
    # zero in exact arithmetic (MultiHeadAttention's key bias, under the softmax) is checked to its round-off,
    # which some draws put above the tolerance
    keras.utils.set_random_seed(0)


@pytest.mark.parametrize("layer_case, check", list(_params()))
def test_layer_conformance(layer_case, check):
    run_layer_test(layer_case.layer_cls, layer_case.init_kwargs, checks=[check], **layer_case.spec)


def _public_layer_classes():
    """Each public layer class once, with every name it has in ``keras.layers`` (an alias such as
    ``GlobalAvgPool1D`` is the same class object, as in tf.keras)."""
    names = {}
    for name, obj in sorted(vars(layers).items()):
        if not name.startswith("_") and inspect.isclass(obj) and issubclass(obj, layers.Layer) \
                and not issubclass(obj, keras.Model):
            names.setdefault(obj, []).append(name)
    return names


def test_every_public_layer_has_a_case():
    covered = {c.layer_cls for c in CASES}
    missing = ["/".join(names) for cls, names in _public_layer_classes().items()
               if cls not in covered and cls not in NOT_TESTED_HERE]
    assert not missing, (f"public layer classes without a conformance case: {missing}. Add a case(...) to CASES "
                         f"in {__file__} (or, for an abstract base, an entry with the reason to NOT_TESTED_HERE).")


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


class _KernelTimesInputWithWrongBackward(ops.Mul):
    """``x * kernel`` whose backward forgets half of the kernel's gradient."""

    def backward(self, dout):
        dx, dk = super().backward(dout)
        return dx, None if dk is None else dk * 0.5


class _ScaleLayer(layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return apply_op(_KernelTimesInputWithWrongBackward(), inputs, self.kernel)


def test_the_harness_catches_a_wrong_weight_gradient():
    with pytest.raises(AssertionError, match=r"gradient check (?s:.*)_scale_layer/kernel:0"):
        run_layer_test(_ScaleLayer, {}, input_shape=(2, 3), checks=["gradients"])


def test_the_harness_catches_a_config_that_drops_an_argument():
    class _ForgetfulReLU(layers.ReLU):
        def get_config(self):
            config = super().get_config()
            del config["max_value"]
            return config

    with pytest.raises(AssertionError, match=r"lacks the constructor argument\(s\) \['max_value'\]"):
        run_layer_test(_ForgetfulReLU, {"max_value": 1.0}, input_shape=(2, 3), checks=["config"],
                       custom_objects={"_ForgetfulReLU": _ForgetfulReLU})


def test_the_harness_catches_a_wrong_compute_output_shape():
    class _BadShape(layers.Flatten):
        def compute_output_shape(self, input_shape):
            return (input_shape[0], 5)

    with pytest.raises(AssertionError, match="compute_output_shape"):
        run_layer_test(_BadShape, {}, input_shape=(2, 3, 2), checks=["eager_call"])


class _FrozenUnderFunction(layers.Layer):
    """Builds a Tensor from the input's array outside any op: a function trace takes it for a constant."""

    def call(self, inputs):
        return Tensor(inputs._value * 2.0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


def test_the_harness_catches_a_layer_a_function_replay_freezes():
    with pytest.raises(AssertionError, match=r"call #2 of a chainrule.function training step"):
        run_layer_test(_FrozenUnderFunction, {}, input_shape=(2, 3), checks=["function"])


class _MaskOnlyWhenEager(layers.Layer):
    """Marks its output with a mask in call, but its symbolic call (compute_output_shape, no compute_mask) has none."""

    def call(self, inputs):
        out = inputs * 1.0
        out._keras_mask = Tensor(np.ones(inputs.shape[:-1], dtype=bool))
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


def test_the_harness_catches_a_mask_the_symbolic_call_loses():
    with pytest.raises(AssertionError, match=r"symbolic output #0 has the mask None, the eager call \(2, 3\)"):
        run_layer_test(_MaskOnlyWhenEager, {}, input_shape=(2, 3, 4), checks=["symbolic_call"])


class _AlwaysFloat32(layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1],), dtype="float32")

    def call(self, inputs):
        return inputs * cast(self.kernel, inputs.dtype)


def test_the_harness_catches_a_layer_that_ignores_its_dtype():
    with pytest.raises(AssertionError, match=r"weight '.*kernel:0' is float32, expected float64"):
        run_layer_test(_AlwaysFloat32, {}, input_shape=(2, 3), checks=["dtype_policy"])


def test_call_with_places_each_input_once():
    args, kwargs = call_with([0, 1], mask=[None, 2]).arrange(["q", "v", "m"])
    assert args == (["q", "v"],) and kwargs == {"mask": [None, "m"]}
    with pytest.raises(ValueError, match=r"the input indices \[0, 0\] must be 0, 1, ... each used once"):
        call_with(0, [0])
    with pytest.raises(ValueError, match="places 2 inputs, but there are 3"):
        run_layer_test(layers.Add, {}, input_shape=[(2, 3)] * 3, call_layout=call_with([0, 1]), checks=["build"])
