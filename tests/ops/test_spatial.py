"""Spatial ops (chainrule/ops/spatial.py): ZeroPad, Crop, UpSampleNearest, ResizeBilinear.

Values against numpy written here and against PyTorch / TensorFlow fixtures
(tests/ops/fixtures/README.md); gradients in float64 against central differences.
"""
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule
from chainrule import ops
from chainrule.ops import Crop, ResizeBilinear, UpSampleNearest, ZeroPad
from chainrule.tensor import apply_op
from chainrule.testing import check_gradients

TOL = 1e-6
FIXTURES = Path(__file__).parent / "fixtures"


def assert_grads(fn, *inputs):
    report = check_gradients(fn, *inputs)
    assert report.max_error < TOL, str(report)


FORMATS = st.sampled_from(["channels_last", "channels_first"])


def spatial_axes(ndim, data_format):
    return list(range(1, ndim - 1)) if data_format == "channels_last" else list(range(2, ndim))


@settings(max_examples=30, deadline=None)
@given(rank=st.integers(1, 3), data_format=FORMATS, data=st.data())
def test_zero_pad_and_crop_are_each_others_inverse(rank, data_format, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    pairs = [(data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))) for _ in range(rank)]
    shape = [2] + [data.draw(st.integers(1, 4)) for _ in range(rank)] + [2]
    if data_format == "channels_first":
        shape = [shape[0], shape[-1]] + shape[1:-1]
    x = rng.standard_normal(shape)
    width = [(0, 0)] * x.ndim
    for axis, pair in zip(spatial_axes(x.ndim, data_format), pairs):
        width[axis] = pair
    padded = ZeroPad(pairs, data_format=data_format).forward(x)
    np.testing.assert_array_equal(padded, np.pad(x, width))
    np.testing.assert_array_equal(Crop(pairs, data_format=data_format).forward(padded), x)
    assert_grads(lambda t: apply_op(ZeroPad(pairs, data_format=data_format), t), x)
    assert_grads(lambda t: apply_op(Crop(pairs, data_format=data_format), t), padded)


def test_padding_and_cropping_argument_forms():
    x = np.ones((1, 2, 3, 1))
    assert ZeroPad(1).forward(x).shape == (1, 4, 5, 1)
    assert ZeroPad((1, 2)).forward(x).shape == (1, 4, 7, 1)
    assert ZeroPad(((0, 1), (2, 0))).forward(x).shape == (1, 3, 5, 1)
    assert Crop(((1, 0), (0, 1))).forward(np.ones((1, 3, 4, 1))).shape == (1, 2, 3, 1)
    with pytest.raises(ValueError, match=r"Crop: cropping \(\(1, 1\), \(0, 0\)\) leaves nothing"):
        Crop(((1, 1), (0, 0))).forward(x)
    with pytest.raises(ValueError, match="ZeroPad: padding must not be negative"):
        ZeroPad(-1).forward(x)


def test_crop_of_a_variable_does_not_alias_it():
    v = chainrule.Variable(np.arange(6.0).reshape(1, 6, 1))
    cropped = apply_op(Crop(1), v)
    v.assign(np.zeros((1, 6, 1)))
    np.testing.assert_array_equal(cropped.numpy()[0, :, 0], [1.0, 2.0, 3.0, 4.0])


@settings(max_examples=30, deadline=None)
@given(rank=st.integers(1, 3), data_format=FORMATS, data=st.data())
def test_upsample_nearest_repeats_each_value(rank, data_format, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    size = tuple(data.draw(st.integers(1, 3)) for _ in range(rank))
    shape = [2] + [data.draw(st.integers(1, 3)) for _ in range(rank)] + [2]
    if data_format == "channels_first":
        shape = [shape[0], shape[-1]] + shape[1:-1]
    x = rng.standard_normal(shape)
    expected = x
    for axis, f in zip(spatial_axes(x.ndim, data_format), size):
        expected = np.repeat(expected, f, axis=axis)
    np.testing.assert_array_equal(UpSampleNearest(size, data_format=data_format).forward(x), expected)
    assert_grads(lambda t: apply_op(UpSampleNearest(size, data_format=data_format), t), x)


def test_upsample_nearest_backward_sums_each_block():
    op = UpSampleNearest(2)
    op.forward(np.zeros((1, 2, 1)))
    np.testing.assert_array_equal(op.backward(np.array([[[1.0], [2.0], [3.0], [4.0]]]))[0, :, 0], [3.0, 7.0])


@settings(max_examples=30, deadline=None)
@given(h=st.integers(1, 5), w=st.integers(1, 5), oh=st.integers(1, 9), ow=st.integers(1, 9),
       data_format=FORMATS, seed=st.integers(0, 2 ** 16))
def test_resize_bilinear_matches_the_half_pixel_formula_and_gradients_check(h, w, oh, ow, data_format, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, h, w, 2))

    def sample(n_in, n_out):
        c = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        lo = np.floor(c).astype(int)
        hi = np.minimum(lo + 1, n_in - 1)
        return lo, hi, c - lo

    ylo, yhi, ya = sample(h, oh)
    xlo, xhi, xa = sample(w, ow)
    top = x[:, ylo][:, :, xlo] * (1 - xa)[None, None, :, None] + x[:, ylo][:, :, xhi] * xa[None, None, :, None]
    bottom = x[:, yhi][:, :, xlo] * (1 - xa)[None, None, :, None] + x[:, yhi][:, :, xhi] * xa[None, None, :, None]
    expected = top * (1 - ya)[None, :, None, None] + bottom * ya[None, :, None, None]
    first = data_format == "channels_first"
    xin = np.moveaxis(x, -1, 1) if first else x
    out = ResizeBilinear((oh, ow), data_format=data_format).forward(xin)
    # The op's sampling coordinates are float32, as TensorFlow's kernel computes them; this reference's are
    # float64. A coordinate off by float32's rounding (up to ~2e-7 at these sizes) times a neighbour difference
    # of up to ~8 is ~1.5e-6 absolute, which a value near 0 cannot meet relatively (3x5 -> 1x9 differed by 1.3e-6).
    np.testing.assert_allclose(np.moveaxis(out, 1, -1) if first else out, expected, rtol=1e-6, atol=5e-6)
    assert_grads(lambda t: apply_op(ResizeBilinear((oh, ow), data_format=data_format), t), xin)


def test_upsampling2d_bilinear_is_resize_to_the_multiplied_size():
    x = np.array([[[[0.0], [4.0]]]])                           # (1, 1, 2, 1)
    out = ResizeBilinear((1, 4)).forward(x)[0, 0, :, 0]
    # half-pixel centres: source columns -0.25, 0.25, 0.75, 1.25 -> clamped at the borders
    np.testing.assert_allclose(out, [0.0, 1.0, 3.0, 4.0])


def _fixture_cases(filename, op_names):
    data = np.load(FIXTURES / filename, allow_pickle=False)
    return [(case, {k.split("/", 1)[1]: data[k] for k in data.files if k.startswith(case["name"] + "/")})
            for case in json.loads(str(data["meta"])) if case["op"] in op_names]


RESIZE_OPS = ("ResizeBilinear", "UpSampleNearest")


@pytest.mark.parametrize("filename, tol", [("conv_torch.npz", 1e-6), ("tf_fixtures.npz", 1e-6)])
def test_resizing_matches_fixtures(filename, tol):
    cases = _fixture_cases(filename, RESIZE_OPS)
    assert cases
    for case, arrays in cases:
        op = getattr(ops, case["op"])(**case["kwargs"])
        np.testing.assert_allclose(op.forward(arrays["x"]), arrays["y"], rtol=tol, atol=tol, err_msg=case["name"])
        np.testing.assert_allclose(op.backward(arrays["dy"]), arrays["dx"], rtol=tol, atol=tol, err_msg=case["name"])


def test_resize_errors():
    with pytest.raises(ValueError, match="ResizeBilinear: size must be positive"):
        ResizeBilinear((0, 2))
    with pytest.raises(ValueError, match=r"ResizeBilinear: the input must be .* with 2 spatial axes"):
        ResizeBilinear((2, 2)).forward(np.ones((1, 4, 1)))
