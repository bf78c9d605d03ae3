"""A layer conformance harness: ``run_layer_test`` checks that a layer behaves as every tf.keras layer must.

In the spirit of Keras's ``run_layer_test`` (Keras 3, ``testing/test_case.py``) and tf.keras 2's
``layer_test`` (``testing_infra/test_utils.py``); our own code. For one layer class and its
constructor arguments it checks, each as a named *check* that can be run alone:

``build``           construction from kwargs; ``build`` on the documented input shape(s) makes the
                    expected number of weights; ``supports_masking`` when asked.
``eager_call``      a call on numpy arrays and on Tensors: output shape, dtype and (optionally) values
                    and number of losses; ``compute_output_shape`` agrees with the real output,
                    built or not.
``symbolic_call``   a call on ``keras.Input`` gives the eager shape with a ``None`` batch, the eager
                    dtype and a mask exactly where the eager call gives one; a functional model around
                    the layer predicts what the layer computes, in one batch and one sample at a time;
                    with ``unknown_axes``, again on Inputs where those axes are None.
``weights``         counts, names (``<layer>/<weight>:0``, unique, trainable first, in the expected
                    order), shapes, ``get_weights``/``set_weights``, ``count_params``, the ``weights=``
                    argument.
``config``          ``get_config`` is JSON-serialisable and names every constructor argument given;
                    ``from_config(get_config())`` leaves the dict alone, has the same config and, with
                    the weights copied, the same output; with ``batch_input_shape`` added it starts a
                    ``Sequential``.
``serialization``   ``keras.layers.serialize`` -> JSON -> ``deserialize`` keeps class and config.
``saving``          a functional model holding the layer predicts the same after ``.keras`` and
                    ``.h5`` save/load and after ``to_json``/``model_from_json`` + ``set_weights``.
``gradients``       float64 gradient check (``chainrule.testing.check_gradients``) of the outputs
                    w.r.t. the float inputs and every trainable weight, in inference and in training
                    mode (inference only for layers that are random in training); sub-layers (a
                    wrapper's, an RNN's cells) are made in float64 too.
``function``        a training step (forward, ``GradientTape``, SGD update) under ``chainrule.function``
                    gives, call after call, the outputs and weights (moving statistics included) of
                    the same step run eagerly; a random layer still draws new numbers on each replay.
``dtype_policy``    by default float32 weights and float outputs, even on float64 data; with
                    ``dtype='float64'`` float64 weights and outputs, eager and symbolic, kept by the config.
``trainable``       ``trainable=False`` (argument or attribute) moves every weight to non-trainable
                    and back; the config keeps it.
``fit``             a short ``fit`` of a model holding the layer runs, its loss is finite and every
                    trainable weight changes.

Usage::

    run_layer_test(Dense, {"units": 3}, input_shape=(2, 4), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=2, expected_weight_names=["kernel", "bias"])

``input_shape`` is one shape (batch axis included, all known) or a list of shapes, one per input;
``input_data`` (an array or a list of arrays: strings and booleans too) replaces the random inputs,
and is needed for ``expected_output``. Several inputs are by default one list argument
(``layer([a, b])``); ``call_layout=call_with(...)`` says how else they enter the call, by their
index: ``call_with(0, 1, attention_mask=2)`` is ``layer(a, b, attention_mask=c)``,
``call_with(0, [1, 2])`` a cell's ``cell(x, [h, c])``, ``call_with([0, 1], mask=[2, 3])``
``layer([q, v], mask=[q_mask, v_mask])``. A layer that learns its state from data gets
``adapt_data`` (``layer.adapt(adapt_data)`` right after each construction).
"""
from __future__ import annotations

import json
import os
import tempfile

import numpy as np

from chainrule import function, nest
from chainrule.autodiff import GradientTape
from chainrule.functions import reduce_sum, square
from chainrule.keras import layers as keras_layers
from chainrule.keras import models as keras_models
from chainrule.keras import optimizers
from chainrule.keras.saving import custom_object_scope
from chainrule.tensor import Tensor
from chainrule.testing import check_gradients

CHECKS = ("build", "eager_call", "symbolic_call", "weights", "config", "serialization", "saving",
          "gradients", "function", "dtype_policy", "trainable", "fit")


def run_layer_test(layer_cls, init_kwargs=None, *, input_shape=None, input_data=None, input_dtype="float32",
                   call_layout=None, call_kwargs=None, adapt_data=None, compute_output_shape=True, unknown_axes=(),
                   expected_output_shape=None, expected_output=None, expected_output_mask=None,
                   expected_output_dtype=None, expected_num_trainable_weights=None,
                   expected_num_non_trainable_weights=None, expected_weight_names=None, expected_weight_shapes=None,
                   expected_num_losses=None, supports_masking=None, run_training_check=True, differentiable=True,
                   random_in_training=False, gradient_tol=1e-6, rtol=1e-6, atol=1e-6, custom_objects=None, seed=0,
                   checks=None):
    """Run the conformance checks on ``layer_cls(**init_kwargs)``; raise ``AssertionError`` on the first failure.

    Args:
        layer_cls: the layer class under test.
        init_kwargs: constructor arguments (give non-default values: the config checks then prove they
            survive a round trip).
        input_shape: a shape with its batch axis, e.g. ``(2, 3)``, or a list of shapes for a layer called on
            a list. Random data (standard normal; integers in [0, 5) for an integer ``input_dtype``) is
            drawn from ``seed``. Every dimension must be known.
        input_data: an array or a list of arrays instead of ``input_shape``.
        input_dtype: the dtype of the random inputs: one for all, or a list with one per input
            (``'bool'`` draws masks, True at least at index 0 of the last axis).
        call_layout: how the inputs enter the call, a :func:`call_with` (default: one input as it is,
            several as one list). ``compute_output_shape`` gets the positional part, each input
            replaced by its shape; ``build`` gets the first argument's shape(s) when the call has
            one positional argument, else the layer is built by its first call.
        call_kwargs: extra keyword arguments of every call (constants, not inputs); ``compute_output_shape``,
            which describes the plain call, is then not compared with the outputs.
        adapt_data: data for ``layer.adapt`` (a preprocessing layer): every layer the checks construct is
            adapted to it before its first call.
        unknown_axes: axes besides the batch (e.g. ``(1,)``: variable-length sequences) that the symbolic check
            also leaves unknown (None) in the ``Input`` shapes of the inputs that have them (the features,
            the last axis of float data, stay known; ids and masks have none): the symbolic
            shapes must agree with the eager ones wherever they are known, ``compute_output_shape``
            with those None dimensions must give them, and the model must predict the same.
        compute_output_shape: False for a layer without a usable ``compute_output_shape`` (an RNN cell:
            tf.keras 2's cannot call a cell without its states); the output shape is then checked
            against ``expected_output_shape`` and the symbolic call only.
        expected_output_shape: the eager output shape (or a list, one per output); ``None`` entries match any.
        expected_output: the eager (inference) output values (an array, or a list per output); needs
            ``input_data``.
        expected_output_mask: the ``_keras_mask`` of the eager output (an array, or a list with one per
            output, None for an output without one); needs ``input_data``. Whatever is given, the
            symbolic call must give a mask exactly where the eager call does.
        expected_output_dtype: the output dtype name; default the layer's dtype for float outputs.
        expected_num_trainable_weights / expected_num_non_trainable_weights: weight counts once built.
        expected_weight_names: the short weight names in ``weights`` order, e.g. ``["kernel", "bias"]``.
        expected_weight_shapes: the weight shapes in ``weights`` order, e.g. ``[(4, 3), (3,)]``.
        expected_num_losses: ``len(layer.losses)`` after a call (regularizers, ``add_loss``).
        supports_masking: when not None, ``layer.supports_masking`` must equal it (missing counts as False).
        run_training_check: run the ``fit`` check.
        differentiable: False for a layer without gradients (e.g. integer or string outputs): the
            ``gradients`` check is skipped.
        random_in_training: the layer draws random numbers in training (Dropout): gradients are checked
            in inference mode, and the ``function`` check makes sure replays draw new numbers.
        gradient_tol: the worst relative error allowed by the float64 gradient check (relative to the largest
            gradient value of each input or weight, and to at least 1e-3: see ``_ZERO_GRADIENT``).
        rtol / atol: tolerances of value comparisons.
        custom_objects: passed to every deserialisation.
        seed: seeds the random inputs and targets.
        checks: names from :data:`CHECKS` to run (default all).

    Returns:
        The eager output of the last check that computed one (for further assertions).
    """
    if (input_shape is None) == (input_data is None):
        raise ValueError("run_layer_test: give input_shape or input_data (one of them).")
    if (expected_output is not None or expected_output_mask is not None) and input_data is None:
        raise ValueError("run_layer_test: expected_output and expected_output_mask need input_data.")
    unknown = set(checks or ()) - set(CHECKS)
    if unknown:
        raise ValueError(f"run_layer_test: unknown checks {sorted(unknown)}; known: {CHECKS}.")
    test = _LayerTest(layer_cls, dict(init_kwargs or {}), input_shape=input_shape, input_data=input_data,
                      input_dtype=input_dtype, call_layout=call_layout, call_kwargs=dict(call_kwargs or {}),
                      adapt_data=adapt_data, compute_output_shape=compute_output_shape, unknown_axes=unknown_axes,
                      expected_output_shape=expected_output_shape, expected_output=expected_output,
                      expected_output_mask=expected_output_mask,
                      expected_output_dtype=expected_output_dtype,
                      expected_num_trainable_weights=expected_num_trainable_weights,
                      expected_num_non_trainable_weights=expected_num_non_trainable_weights,
                      expected_weight_names=expected_weight_names, expected_weight_shapes=expected_weight_shapes,
                      expected_num_losses=expected_num_losses, supports_masking=supports_masking,
                      run_training_check=run_training_check, differentiable=differentiable,
                      random_in_training=random_in_training, gradient_tol=gradient_tol, rtol=rtol, atol=atol,
                      custom_objects=dict(custom_objects or {}), seed=seed)
    result = None
    for name in checks or CHECKS:
        out = getattr(test, f"check_{name}")()
        result = result if out is None else out
    return result


# ----------------------------------------------------------------------------- helpers

class call_with:  # noqa: N801 (reads as a function in the table)
    """How the inputs (by index) enter a call: ``call_with(0, [1, 2], mask=3)`` calls
    ``layer(inputs[0], [inputs[1], inputs[2]], mask=inputs[3])``. Lists and tuples nest; None stays None
    (``mask=[None, 1]``)."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        used = sorted(_indices((args, kwargs)))
        if used != list(range(len(used))):
            raise ValueError(f"call_with: the input indices {used} must be 0, 1, ... each used once.")
        self.num_inputs = len(used)

    def arrange(self, values):
        """``(args, kwargs)`` with each index replaced by ``values[index]``."""
        return (tuple(_arrange(a, values) for a in self.args),
                {k: _arrange(v, values) for k, v in self.kwargs.items()})

    def __repr__(self):
        return f"call_with({', '.join([repr(a) for a in self.args] + [f'{k}={v!r}' for k, v in self.kwargs.items()])})"


def _indices(template):
    if template is None:
        return []
    if isinstance(template, int):
        return [template]
    items = template.values() if isinstance(template, dict) else template
    return [i for t in items for i in _indices(t)]


def _arrange(template, values):
    if template is None:
        return None
    if isinstance(template, int):
        return values[template]
    return type(template)(_arrange(t, values) for t in template)


def _is_shape(value) -> bool:
    return isinstance(value, (tuple, list)) and all(isinstance(d, int) or d is None for d in value)


def _random_data(shape, dtype, rng, like=None):
    """Random inputs: standard normal floats, integers in [0, 5), booleans True at index 0 of the last axis
    (a mask that keeps something); ``like`` (given data): integers, booleans and strings are drawn from its
    values, so that they stay valid for the layer (ids in range, known tokens)."""
    shape = tuple(shape)
    if any(d is None for d in shape):
        raise ValueError(f"run_layer_test: input_shape {shape} must be fully known (it makes the data).")
    kind = np.dtype(dtype).kind
    if like is not None and kind != "f":
        values = np.asarray(like).reshape(-1)
        return rng.choice(values, size=shape) if values.size else np.asarray(like).copy()
    if kind == "b":
        mask = rng.random(shape) < 0.7
        if shape:
            mask[..., 0] = True
        return mask
    if kind in "iu":
        return rng.integers(0, 5, size=shape).astype(dtype)
    if kind != "f":
        raise ValueError(f"run_layer_test: give input_data for {dtype} inputs (random data is numbers and masks).")
    return rng.standard_normal(shape).astype(dtype)


def _json(value) -> str:
    """A config as canonical JSON (tuples become lists, as in a saved file); raises if not JSON-able."""
    return json.dumps(value, sort_keys=True)


def _array(x) -> np.ndarray:
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def _input_dtype(array) -> str:
    """The ``keras.Input`` dtype of an input array ('string' for text)."""
    return "string" if array.dtype.kind in "SUO" else array.dtype.name


def _dtype_name(x) -> str:
    """The dtype name of a Tensor or array, without reading a Tensor's value (a traced function would notice)."""
    return x.dtype.name if isinstance(x, Tensor) else np.asarray(x).dtype.name


def _is_float(x) -> bool:
    return _dtype_name(x).startswith(("float", "bfloat"))


# Central differences of a gradient that is zero in exact arithmetic (attention's key bias: softmax ignores a
# constant added to every score) give rounding noise up to about 1e-9, which would be a relative error of 1; so
# errors are relative to at least this size (an absolute 1e-9 at the default gradient_tol).
_ZERO_GRADIENT = 1e-3


def _gradient_error(analytic, numeric) -> float:
    """The worst difference relative to the larger gradient's largest value, or to ``_ZERO_GRADIENT``."""
    scale = max(float(np.max(np.abs(analytic), initial=0.0)), float(np.max(np.abs(numeric), initial=0.0)),
                _ZERO_GRADIENT)
    return float(np.max(np.abs(analytic - numeric), initial=0.0)) / scale


def _shape_list(shapes) -> list:
    """A shape or a nested list of shapes as a flat list of tuples."""
    if _is_shape(shapes) or hasattr(shapes, "as_list"):
        return [tuple(shapes)]
    return [s for item in shapes for s in _shape_list(item)]


def _shape_matches(expected, actual) -> bool:
    return len(expected) == len(actual) and all(e is None or e == a for e, a in zip(expected, actual))


def _short_name(variable) -> str:
    return variable.name.rsplit("/", 1)[-1].split(":")[0]


class _LayerTest:
    """One layer class under test; each ``check_*`` method is one named check of :data:`CHECKS`."""

    def __init__(self, layer_cls, init_kwargs, *, input_shape, input_data, input_dtype, call_layout, call_kwargs,
                 adapt_data, compute_output_shape, unknown_axes, expected_output_shape, expected_output,
                 expected_output_mask, expected_output_dtype, expected_num_trainable_weights,
                 expected_num_non_trainable_weights, expected_weight_names,
                 expected_weight_shapes, expected_num_losses, supports_masking, run_training_check, differentiable,
                 random_in_training, gradient_tol, rtol, atol, custom_objects, seed):
        self.cls, self.kwargs, self.call_kwargs = layer_cls, init_kwargs, call_kwargs
        self.what = f"{layer_cls.__name__}({', '.join(f'{k}={v!r}' for k, v in init_kwargs.items())})"
        self.rng = np.random.default_rng(seed)
        if input_data is None:
            self.multi = not _is_shape(input_shape)
            shapes = list(input_shape) if self.multi else [input_shape]
            dtypes = list(input_dtype) if isinstance(input_dtype, (list, tuple)) else [input_dtype] * len(shapes)
            if len(dtypes) != len(shapes):
                raise ValueError(f"run_layer_test: {len(dtypes)} input dtypes for {len(shapes)} input shapes.")
            self.data = [_random_data(s, t, self.rng) for s, t in zip(shapes, dtypes)]
            self.given = False
        else:
            self.multi = isinstance(input_data, (list, tuple))
            self.data = [np.asarray(d) for d in (input_data if self.multi else [input_data])]
            self.given = True
        n = len(self.data)
        self.default_layout = call_layout is None
        self.layout = call_layout or (call_with(list(range(n))) if self.multi else call_with(0))
        if self.layout.num_inputs != n:
            raise ValueError(f"run_layer_test: {self.layout!r} places {self.layout.num_inputs} inputs, but there are "
                             f"{n}.")
        self.adapt_data = adapt_data
        self.unknown_axes = tuple(unknown_axes)
        # compute_output_shape describes the plain call (tf.keras 2's takes no return_attention_scores=True ...).
        self.has_output_shape = bool(compute_output_shape) and not call_kwargs
        self.expected_output_shape = expected_output_shape
        self.expected_output = expected_output
        self.expected_output_mask = expected_output_mask
        self.expected_output_dtype = expected_output_dtype
        self.n_trainable = expected_num_trainable_weights
        self.n_non_trainable = expected_num_non_trainable_weights
        self.weight_names = expected_weight_names
        self.weight_shapes = None if expected_weight_shapes is None else [tuple(s) for s in expected_weight_shapes]
        self.n_losses = expected_num_losses
        self.supports_masking = supports_masking
        self.run_training_check = run_training_check
        self.differentiable, self.random_in_training = differentiable, random_in_training
        self.gradient_tol, self.rtol, self.atol = gradient_tol, rtol, atol
        self.custom_objects = custom_objects

    # -- plumbing
    def make(self, **overrides):
        """A new layer from the kwargs (adapted to ``adapt_data``); a Layer among them (a wrapper's ``layer``, an
        RNN's cells) is cloned from its config, so that no two layers under test share a sub-layer. A ``dtype``
        override reaches those sub-layers too: as in tf.keras 2, a wrapper's dtype is not its inner layer's."""
        def clone(v):
            if not isinstance(v, keras_layers.Layer):
                return v
            config = keras_layers.serialize(v)
            if "dtype" in overrides:
                config["config"]["dtype"] = overrides["dtype"]
            return keras_layers.deserialize(config, custom_objects=self.custom_objects)
        with custom_object_scope(self.custom_objects):
            kwargs = {k: nest.map_structure(clone, v) if isinstance(v, (list, tuple)) else clone(v)
                      for k, v in self.kwargs.items()}
            layer = self.cls(**{**kwargs, **overrides})
        if self.adapt_data is not None:
            layer.adapt(self.adapt_data)
        return layer

    def fresh_data(self):
        """A new batch like the inputs (see ``_random_data``)."""
        return [_random_data(d.shape, d.dtype, self.rng, like=d if self.given else None) for d in self.data]

    def inputs(self, data=None):
        """The inputs as ``fit``/``predict`` take them: one array/tensor or a list of them."""
        data = self.data if data is None else data
        return list(data) if self.multi else data[0]

    def arranged_shapes(self, batch=True):
        """The positional arguments of the call with each input replaced by its shape (``batch=False``: a None
        batch axis), for ``build`` and ``compute_output_shape``."""
        shapes = [tuple(d.shape) if batch else (None,) + tuple(d.shape[1:]) for d in self.data]
        return self.layout.arrange(shapes)[0]

    @property
    def shapes(self):
        """What ``build`` and ``compute_output_shape`` take: the shape(s) of the call's one positional argument."""
        args = self.arranged_shapes()
        return args[0] if len(args) == 1 else args

    def invoke(self, layer, args, **kwargs):
        """Call ``layer`` on ``args`` (one per input) placed by the call layout."""
        positional, keywords = self.layout.arrange(list(args))
        return layer(*positional, **keywords, **self.call_kwargs, **kwargs)

    def call(self, layer, data=None, **kwargs):
        return self.invoke(layer, self.data if data is None else data, **kwargs)

    def input_shape_of(self, array, unknown=()):
        """An ``Input`` shape (no batch axis) for ``array``, with the ``unknown`` axes it has left None (but the last
        axis of float data: its features)."""
        last = array.ndim - 1 if array.dtype.kind == "f" else None
        return tuple(None if axis in unknown and axis != last else n for axis, n in enumerate(array.shape) if axis)

    def functional_model(self, layer, float_dtype=None, unknown_axes=()):
        """``Model(Input(s), layer(Input(s)))``; ``float_dtype`` overrides the dtype of the float inputs,
        ``unknown_axes`` are left None in the Input shapes."""
        ins = [keras_layers.Input(shape=self.input_shape_of(d, unknown_axes),
                                  dtype=float_dtype if float_dtype and d.dtype.kind == "f" else _input_dtype(d))
               for d in self.data]
        outs = self.invoke(layer, ins)
        return keras_models.Model(ins if self.multi else ins[0], outs)

    def fail(self, message):
        raise AssertionError(f"{self.what}: {message}")

    def assert_close(self, actual, expected, what):
        actual, expected = [_array(a) for a in nest.flatten(actual)], [_array(e) for e in nest.flatten(expected)]
        if len(actual) != len(expected):
            self.fail(f"{what}: {len(actual)} outputs, expected {len(expected)}.")
        for i, (a, e) in enumerate(zip(actual, expected)):
            if a.shape != e.shape:
                self.fail(f"{what}: output #{i} has shape {a.shape}, expected {e.shape}.")
            try:
                if a.dtype.kind in "fc" or e.dtype.kind in "fc":
                    np.testing.assert_allclose(a, e, rtol=self.rtol, atol=self.atol)
                else:  # integers, booleans, strings: exactly
                    np.testing.assert_array_equal(a, e)
            except AssertionError as err:
                self.fail(f"{what}: output #{i} differs.\n{err}")

    def assert_weight_counts(self, layer, when):
        if self.n_trainable is not None and len(layer.trainable_weights) != self.n_trainable:
            self.fail(f"{when}: {len(layer.trainable_weights)} trainable weights "
                      f"{[w.name for w in layer.trainable_weights]}, expected {self.n_trainable}.")
        if self.n_non_trainable is not None and len(layer.non_trainable_weights) != self.n_non_trainable:
            self.fail(f"{when}: {len(layer.non_trainable_weights)} non-trainable weights "
                      f"{[w.name for w in layer.non_trainable_weights]}, expected {self.n_non_trainable}.")

    def assert_same_config(self, original, restored, what):
        a, b = _json(original.get_config()), _json(restored.get_config())
        if a != b:
            self.fail(f"{what} changed the config:\n  before {a}\n  after  {b}")

    def output_shape_of(self, layer, batch=True):
        """``layer.compute_output_shape`` of the call's positional arguments' shapes, as a list of tuples
        (one per output)."""
        args = self.arranged_shapes(batch)
        return _shape_list(layer.compute_output_shape(*args))

    def inference(self, layer, data=None):
        return self.call(layer, data, training=False)

    # -- checks
    def check_build(self):
        layer = self.make()
        if self.supports_masking is not None and getattr(layer, "supports_masking", False) != self.supports_masking:
            self.fail(f"supports_masking is {getattr(layer, 'supports_masking', False)}, expected "
                      f"{self.supports_masking}.")
        if len(self.arranged_shapes()) == 1:  # a call with several positional arguments builds at its first call
            layer.build(self.shapes)
        else:
            self.call(layer)
        if not layer.built:
            self.fail("build(input_shape) left the layer unbuilt (set self.built = True or call super().build).")
        self.assert_weight_counts(layer, f"after build({self.shapes})")
        called = self.make()
        self.call(called)
        self.assert_weight_counts(called, "after a first call")

    def check_eager_call(self):
        layer = self.make()
        out = self.call(layer)
        flat = nest.flatten(out)
        for i, o in enumerate(flat):
            if not isinstance(o, Tensor):
                self.fail(f"a call on numpy arrays returned {type(o).__name__} as output #{i}, expected a Tensor.")
        if self.expected_output_shape is not None:
            expected = self.expected_output_shape
            expected = [expected] if _is_shape(expected) else list(expected)
            actual = [tuple(o.shape) for o in flat]
            if len(expected) != len(actual) or not all(map(_shape_matches, expected, actual)):
                self.fail(f"output shape {actual if len(actual) > 1 else actual[0]}, expected "
                          f"{self.expected_output_shape}.")
        for i, o in enumerate(flat):
            want = self.expected_output_dtype or (layer.dtype if _is_float(o) else None)
            if want is not None and _dtype_name(o) != want:
                self.fail(f"output #{i} has dtype {_dtype_name(o)}, expected {want}.")
        if self.expected_output is not None:
            self.assert_close(out, self.expected_output, "the eager output")
        if self.expected_output_mask is not None:
            want = self.expected_output_mask
            want = list(want) if isinstance(want, list) else [want]
            masks = [getattr(o, "_keras_mask", None) for o in flat]
            if [m is None for m in masks] != [w is None for w in want]:
                self.fail(f"output masks {['none' if m is None else tuple(m.shape) for m in masks]}, expected "
                          f"{['none' if w is None else np.shape(w) for w in want]}.")
            self.assert_close([m for m in masks if m is not None], [np.asarray(w) for w in want if w is not None],
                              "the eager output mask")
        if self.n_losses is not None and len(layer.losses) != self.n_losses:
            self.fail(f"{len(layer.losses)} losses after a call, expected {self.n_losses}.")
        again = self.call(layer, [Tensor(d) for d in self.data])
        if not self.random_in_training:
            self.assert_close(again, out, "a call on Tensors (vs numpy arrays)")
        actual = [tuple(o.shape) for o in flat]
        for when, target in (("built", layer), ("unbuilt", self.make())) if self.has_output_shape else ():
            computed = self.output_shape_of(target)
            if computed != actual:
                self.fail(f"compute_output_shape({self.shapes}) on the {when} layer gives "
                          f"{computed if len(computed) > 1 else computed[0]}, but the call returns "
                          f"{actual if len(actual) > 1 else actual[0]}.")
        return out

    def check_symbolic_call(self):
        layer = self.make()
        model = self.functional_model(layer)
        symbolic = nest.flatten(model.outputs)
        eager = nest.flatten(self.inference(layer))
        for i, (s, e) in enumerate(zip(symbolic, eager)):
            want = (None,) + tuple(e.shape[1:])
            if tuple(s.shape) != want:
                self.fail(f"symbolic output #{i} has shape {tuple(s.shape)}, expected {want} (the eager shape "
                          "with a None batch).")
            s_mask, e_mask = getattr(s, "_keras_mask", None), getattr(e, "_keras_mask", None)
            if (s_mask is None) != (e_mask is None) or (s_mask is not None and not _shape_matches(
                    s_mask.shape, tuple(e_mask.shape))):
                self.fail(f"symbolic output #{i} has the mask {None if s_mask is None else tuple(s_mask.shape)}, the "
                          f"eager call {None if e_mask is None else tuple(e_mask.shape)}.")
            if s.dtype.name != _dtype_name(e):
                self.fail(f"symbolic output #{i} has dtype {s.dtype.name}, but the eager call returns "
                          f"{_dtype_name(e)}.")
        batchless = self.arranged_shapes(batch=False)
        batchless = batchless[0] if len(batchless) == 1 else batchless
        computed = self.output_shape_of(layer, batch=False) if self.has_output_shape else None
        if computed is not None and computed != [tuple(s.shape) for s in symbolic]:
            self.fail(f"compute_output_shape({batchless}) gives {computed}, but the symbolic call gives "
                      f"{[tuple(s.shape) for s in symbolic]}.")
        predicted = model.predict(self.inputs(), verbose=0)
        self.assert_close(predicted, eager, "the functional model's predict (vs the layer's eager call)")
        one_by_one = model.predict(self.inputs(), batch_size=1, verbose=0)
        self.assert_close(one_by_one, eager, "the functional model's predict with batch_size=1")
        if self.unknown_axes:
            self._check_unknown_axes(layer, eager)

    def _check_unknown_axes(self, reference, eager):
        layer = self.make()
        model = self.functional_model(layer, unknown_axes=self.unknown_axes)
        layer.set_weights(reference.get_weights())
        symbolic = [tuple(s.shape) for s in nest.flatten(model.outputs)]
        for i, (s, e) in enumerate(zip(symbolic, eager)):
            if len(s) != e.ndim or s[0] is not None or not _shape_matches(s[1:], tuple(e.shape[1:])):
                self.fail(f"with the axes {self.unknown_axes} unknown, symbolic output #{i} has shape {s}, which "
                          f"does not fit the eager shape {tuple(e.shape)}.")
        if self.has_output_shape:
            shapes = [(None,) + self.input_shape_of(d, self.unknown_axes) for d in self.data]
            args = self.layout.arrange(shapes)[0]
            computed = _shape_list(layer.compute_output_shape(*args))
            if computed != symbolic:
                self.fail(f"compute_output_shape({args[0] if len(args) == 1 else list(args)}) gives {computed}, but "
                          f"the symbolic call gives {symbolic}.")
        self.assert_close(model.predict(self.inputs(), verbose=0), eager,
                          f"the functional model's predict with the axes {self.unknown_axes} unknown")

    def check_weights(self):
        layer = self.make()
        self.call(layer)
        self.assert_weight_counts(layer, "after a call")
        weights = layer.weights
        if [id(w) for w in weights] != [id(w) for w in layer.trainable_weights + layer.non_trainable_weights]:
            self.fail("weights is not trainable_weights + non_trainable_weights (tf.keras 2's order).")
        names = [w.name for w in weights]
        if len(set(names)) != len(names):
            self.fail(f"weight names are not unique: {names}.")
        for n in names:
            if not n.startswith(f"{layer.name}/") or not n.endswith(":0"):
                self.fail(f"weight name {n!r} should read '{layer.name}/<weight>:0'.")
        if self.weight_names is not None and [_short_name(w) for w in weights] != list(self.weight_names):
            self.fail(f"weights {[_short_name(w) for w in weights]}, expected {list(self.weight_names)}.")
        if self.weight_shapes is not None and [tuple(w.shape) for w in weights] != self.weight_shapes:
            self.fail(f"weight shapes {[tuple(w.shape) for w in weights]}, expected {self.weight_shapes}.")
        if layer.count_params() != sum(int(np.prod(w.shape)) for w in weights):
            self.fail(f"count_params() is {layer.count_params()}, the weights hold "
                      f"{sum(int(np.prod(w.shape)) for w in weights)} values.")
        values = [v + 0.5 if v.dtype.kind == "f" else v for v in layer.get_weights()]
        layer.set_weights(values)
        for i, (w, v) in enumerate(zip(layer.get_weights(), values)):
            if not np.array_equal(w, v):
                self.fail(f"set_weights did not set weight #{i} {names[i]!r}.")
        if weights:
            given = self.make(weights=values)
            self.call(given)
            for i, (w, v) in enumerate(zip(given.get_weights(), values)):
                if not np.array_equal(w, v):
                    self.fail(f"the weights= argument did not set weight #{i} {names[i]!r}.")

    def check_config(self):
        layer = self.make()
        out = self.inference(layer)
        config = layer.get_config()
        try:
            text = _json(config)
        except TypeError as err:
            self.fail(f"get_config() is not JSON-serialisable: {err}\n  config: {config!r}")
        missing = sorted(set(self.kwargs) - set(config))
        if missing:
            self.fail(f"get_config() lacks the constructor argument(s) {missing}: {config}.")
        given = json.loads(text)
        with custom_object_scope(self.custom_objects):
            clone = self.cls.from_config(given)
        if _json(given) != text:
            self.fail(f"from_config changed the dict it was given:\n  before {text}\n  after  {_json(given)}")
        self.assert_same_config(layer, clone, "from_config(get_config())")
        self.call(clone)
        clone.set_weights(layer.get_weights())
        self.assert_close(self.inference(clone), out, "from_config(get_config()) with the weights copied")
        # tf.keras 2's layer_test: the config plus batch_input_shape starts a Sequential. Not for text: that
        # Sequential's Input takes the layer's dtype (a lookup's int64), and tf.keras 2 fails on strings there too.
        if self.default_layout and not self.multi and _input_dtype(self.data[0]) != "string":
            first = json.loads(text)
            first["batch_input_shape"] = [None] + list(self.data[0].shape[1:])
            first["name"] = f"{layer.name}_first"
            with custom_object_scope(self.custom_objects):
                seq = keras_models.Sequential([self.cls.from_config(first)])
            seq.set_weights(layer.get_weights())
            self.assert_close(seq.predict(self.inputs(), verbose=0), out,
                              "a Sequential started by from_config(config + batch_input_shape)")

    def check_serialization(self):
        layer = self.make()
        self.call(layer)
        serialized = keras_layers.serialize(layer)
        try:
            text = _json(serialized)
        except TypeError as err:
            self.fail(f"keras.layers.serialize() is not JSON-serialisable: {err}")
        restored = keras_layers.deserialize(json.loads(text), custom_objects=self.custom_objects)
        if type(restored) is not self.cls:
            self.fail(f"deserialize(serialize(layer)) is a {type(restored).__name__}.")
        self.assert_same_config(layer, restored, "keras.layers.serialize/deserialize")

    def check_saving(self):
        layer = self.make()
        model = self.functional_model(layer)
        expected = model.predict(self.inputs(), verbose=0)
        with tempfile.TemporaryDirectory() as tmp:
            for ext in (".keras", ".h5"):
                path = os.path.join(tmp, f"model{ext}")
                model.save(path)
                loaded = keras_models.load_model(path, custom_objects=self.custom_objects)
                restored = loaded.get_layer(layer.name)
                if type(restored) is not self.cls:
                    self.fail(f"after {ext} save/load the layer is a {type(restored).__name__}.")
                self.assert_same_config(layer, restored, f"{ext} save/load")
                self.assert_close(loaded.predict(self.inputs(), verbose=0), expected,
                                  f"predictions after {ext} save/load")
        rebuilt = keras_models.model_from_json(model.to_json(), custom_objects=self.custom_objects)
        self.assert_same_config(layer, rebuilt.get_layer(layer.name), "to_json/model_from_json")
        rebuilt.set_weights(model.get_weights())
        self.assert_close(rebuilt.predict(self.inputs(), verbose=0), expected,
                          "predictions after to_json/model_from_json + set_weights")

    def check_gradients(self):
        if not self.differentiable:
            return
        data = [d.astype(np.float64) if d.dtype.kind == "f" else d for d in self.data]
        for training in (False,) if self.random_in_training else (False, True):
            layer = self.make(dtype="float64")
            self.call(layer, data)

            def fn(*xs, layer=layer, training=training):
                return nest.flatten(self.invoke(layer, xs, training=training))

            report = check_gradients(fn, *data, variables=layer.trainable_weights)
            report.errors = [_gradient_error(a, n) for a, n in zip(report.analytic, report.numeric)]
            if report.max_error > self.gradient_tol:
                self.fail(f"float64 gradient check (training={training}): worst relative error "
                          f"{report.max_error:.3e} > {self.gradient_tol:.1e}\n{report}")

    def check_function(self):
        """The same SGD steps eagerly and under ``chainrule.function`` (traced once, then replayed)."""
        training = not self.random_in_training
        eager, traced = self.make(), self.make()
        self.call(eager)
        self.call(traced)
        traced.set_weights(eager.get_weights())
        batches = [self.data] + [self.fresh_data() for _ in range(2)]

        def step(layer, *xs):
            with GradientTape() as tape:
                out = self.invoke(layer, xs, training=training)
                floats = [o for o in nest.flatten(out) if _is_float(o)]
                loss = sum(reduce_sum(square(o)) for o in floats) if floats else None
            if loss is not None and layer.trainable_weights:
                grads = tape.gradient(loss, layer.trainable_weights)
                for w, g in zip(layer.trainable_weights, grads):
                    if g is not None:
                        w.assign_sub(0.01 * g)
            return out

        python_runs = []

        def traced_step(*xs):
            python_runs.append(1)
            return step(traced, *xs)

        replayed = function(traced_step)
        for i, batch in enumerate(batches):
            tensors = [Tensor(b) for b in batch]
            want = step(eager, *tensors)
            got = replayed(*tensors)
            when = f"call #{i + 1} of a chainrule.function training step (training={training})"
            self.assert_close(got, want, f"{when}: the outputs (vs eager)")
            for w_eager, w_traced in zip(eager.weights, traced.weights):
                if not np.allclose(w_traced.numpy(), w_eager.numpy(), rtol=self.rtol, atol=self.atol):
                    self.fail(f"{when}: weight {w_traced.name!r} is {w_traced.numpy()}, eagerly "
                              f"{w_eager.numpy()}.")
        if len(python_runs) > 1:
            self.fail(f"chainrule.function ran the Python step {len(python_runs)} times for {len(batches)} calls of "
                      "one signature: the layer did something a replay cannot repeat (see chainrule.function's "
                      "docstring), so the trace was dropped and every call runs eagerly.")
        if self.random_in_training:
            layer = self.make()
            draw = function(lambda *xs: self.invoke(layer, xs, training=True))
            tensors = [Tensor(d) for d in self.data]
            outs = [_array(nest.flatten(draw(*tensors))[0]) for _ in range(4)]
            if all(np.array_equal(o, outs[0]) for o in outs[1:]):
                self.fail("under chainrule.function a training call repeats the same random numbers on every "
                          "replay.")

    def check_dtype_policy(self):
        if "dtype" not in self.kwargs:
            layer = self.make()
            if layer.dtype != "float32":
                self.fail(f"the default dtype is {layer.dtype}, expected float32.")
            data64 = [d.astype(np.float64) if d.dtype.kind == "f" else d for d in self.data]
            out = self.call(layer, data64)
            self._assert_float_dtypes(layer, out, "float32", "fed float64 data")
            self._assert_symbolic_dtypes(self.make(), out, "float64", "by default")
        layer = self.make(dtype="float64")
        data32 = [d.astype(np.float32) if d.dtype.kind == "f" else d for d in self.data]
        out = self.call(layer, data32)
        self._assert_float_dtypes(layer, out, "float64", "built with dtype='float64' and fed float32 data")
        self._assert_symbolic_dtypes(self.make(dtype="float64"), out, "float32", "with dtype='float64'")
        if layer.get_config().get("dtype") != "float64":
            self.fail(f"dtype='float64' is not in the config: {layer.get_config()}.")
        with custom_object_scope(self.custom_objects):
            clone = self.cls.from_config(layer.get_config())
        if clone.dtype != "float64":
            self.fail(f"from_config lost dtype='float64' (got {clone.dtype}).")

    def _assert_symbolic_dtypes(self, layer, eager_out, input_dtype, when):
        model = self.functional_model(layer, float_dtype=input_dtype)
        for i, (s, e) in enumerate(zip(nest.flatten(model.outputs), nest.flatten(eager_out))):
            if s.dtype.name != _dtype_name(e):
                self.fail(f"{when}, on {input_dtype} Inputs: symbolic output #{i} has dtype {s.dtype.name}, "
                          f"the eager call gives {_dtype_name(e)}.")

    def _assert_float_dtypes(self, layer, out, dtype, when):
        if layer.dtype != dtype:
            self.fail(f"{when}: layer.dtype is {layer.dtype}, expected {dtype}.")
        for w in layer.weights:
            if _is_float(w) and _dtype_name(w) != dtype:
                self.fail(f"{when}: weight {w.name!r} is {_dtype_name(w)}, expected {dtype}.")
        if self.expected_output_dtype is None:
            for i, o in enumerate(nest.flatten(out)):
                if _is_float(o) and _dtype_name(o) != dtype:
                    self.fail(f"{when}: output #{i} is {_dtype_name(o)}, expected {dtype}.")

    def check_trainable(self):
        reference = self.make()
        self.call(reference)
        total = len(reference.weights)
        frozen = self.make(trainable=False)
        self.call(frozen)
        if frozen.trainable_weights or len(frozen.non_trainable_weights) != total:
            self.fail(f"trainable=False: {len(frozen.trainable_weights)} trainable and "
                      f"{len(frozen.non_trainable_weights)} non-trainable weights, expected 0 and {total}.")
        if frozen.get_config().get("trainable") is not False:
            self.fail(f"trainable=False is not in the config: {frozen.get_config()}.")
        with custom_object_scope(self.custom_objects):
            if self.cls.from_config(frozen.get_config()).trainable:
                self.fail("from_config lost trainable=False.")
        n_trainable = len(reference.trainable_weights)
        reference.trainable = False
        if reference.trainable_weights or len(reference.non_trainable_weights) != total:
            self.fail("setting layer.trainable = False did not move every weight to non_trainable_weights.")
        reference.trainable = True
        if len(reference.trainable_weights) != n_trainable:
            self.fail("setting layer.trainable back to True did not restore the trainable weights.")

    def check_fit(self):
        if not self.run_training_check:
            return
        layer = self.make()
        model = self.functional_model(layer)
        outputs = nest.flatten(model.predict(self.inputs(), verbose=0))
        targets = [self.rng.standard_normal(o.shape).astype(o.dtype) for o in outputs]
        model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
        before = [w.numpy().copy() for w in layer.trainable_weights]
        history = model.fit(self.inputs(), targets if len(targets) > 1 else targets[0],
                            batch_size=len(self.data[0]), epochs=1, shuffle=False, verbose=0)
        loss = history.history["loss"][-1]
        if not np.isfinite(loss):
            self.fail(f"fit gave a non-finite loss {loss}.")
        unchanged = [w.name for w, b in zip(layer.trainable_weights, before) if np.array_equal(w.numpy(), b)]
        if unchanged:
            self.fail(f"fit did not change the trainable weight(s) {unchanged}.")
