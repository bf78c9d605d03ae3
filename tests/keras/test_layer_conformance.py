"""Every public layer passes the conformance harness (``conformance.run_layer_test``), check by check.

How to add a layer: append one or more ``case(...)`` to ``CASES`` below with non-default constructor
arguments, tiny input shapes and the expected output shape and weight names; give ``input_data`` and
``expected_output`` when the values are easy to state. ``test_every_public_layer_has_a_case`` fails
for a class of ``chainrule.keras.layers`` without one. A check that finds a real bug you cannot fix in
your change goes in ``xfail={"<check>": "<why>"}`` (strict: it fails once fixed, so the mark goes).
"""
import inspect

import numpy as np
import pytest
from conformance import CHECKS, run_layer_test

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
# Values of the merge layers are worked by hand (and agree with tf.keras 2.21 / tf_keras).
_A = np.array([[1.0, 5.0, -2.0], [0.5, -1.0, 4.0]], dtype="float32")
_B = np.array([[3.0, 2.0, -4.0], [-0.5, 2.0, 1.0]], dtype="float32")
_C = np.array([[-1.0, 8.0, 0.0], [2.0, -3.0, 1.5]], dtype="float32")
_D = np.array([1.0, -1.0], dtype="float32")   # one value per sample: broadcast over the other inputs' axes
_NCHW = np.arange(24, dtype="float32").reshape(2, 3, 2, 2) / 10

# Why some checks do not apply to the layers tf.keras 2 makes for chainrule functions on Keras tensors:
_NO_AUTOCAST = ("a TFOpLambda keeps the dtype its function gives (float64 in, float64 out), as tf.keras 2's, which "
                "sets autocast=False")
_INT_OUTPUT = "Discretization's output_mode='int' gives bin indices as int64, whatever the input dtype"
_NO_GRADIENT = "bucketing has no gradient (tf.keras 2's Discretization is not differentiable either)"
_NODE_KWARGS = ("the function's keywords (axis=, slice_spec=) are arguments of the recorded call, not of the layer: "
                "compute_output_shape and a Sequential built from the config call it without them")

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
    case(layers.ELU, {"alpha": 0.5}, input_data=_A,
         expected_output=np.where(_A > 0, _A, 0.5 * np.expm1(_A)).astype("float32")),
    case(layers.Softmax, {}, input_shape=(2, 3), expected_output_shape=(2, 3)),
    case(layers.Softmax, {"axis": 1}, label="axis1", input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4)),
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

# Public classes of keras.layers that are not layers under test, each with the reason.
NOT_TESTED_HERE = {
    layers.Layer: "the abstract base class (tested through every subclass)",
    layers.InputLayer: "the graph's entry point: it computes nothing and is made by keras.Input",
    layers.PreprocessingLayer: "the abstract base of the adaptable layers (tested through Normalization and "
                               "Discretization)",
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


@pytest.mark.parametrize("layer_case, check", list(_params()))
def test_layer_conformance(layer_case, check):
    run_layer_test(layer_case.layer_cls, layer_case.init_kwargs, checks=[check], **layer_case.spec)


def _public_layer_classes():
    for name, obj in sorted(vars(layers).items()):
        if not name.startswith("_") and inspect.isclass(obj) and issubclass(obj, layers.Layer) \
                and not issubclass(obj, keras.Model):
            yield obj


def test_every_public_layer_has_a_case():
    covered = {c.layer_cls for c in CASES}
    missing = [cls.__name__ for cls in _public_layer_classes() if cls not in covered and cls not in NOT_TESTED_HERE]
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


class _AlwaysFloat32(layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1],), dtype="float32")

    def call(self, inputs):
        return inputs * cast(self.kernel, inputs.dtype)


def test_the_harness_catches_a_layer_that_ignores_its_dtype():
    with pytest.raises(AssertionError, match=r"weight '.*kernel:0' is float32, expected float64"):
        run_layer_test(_AlwaysFloat32, {}, input_shape=(2, 3), checks=["dtype_policy"])
