"""Convolution ops (chainrule/ops/conv.py, windows.py): Conv, ConvTranspose, DepthwiseConv, the book's
Convolution, im2col/col2im.

Forward values are compared with naive references written here (plain loops over output positions
and kernel offsets, TensorFlow's padding rule re-derived independently) and with fixtures computed
by PyTorch and TensorFlow (tests/ops/fixtures/README.md). Gradients are checked in float64 against
central differences through the GradientTape, over hypothesis-drawn shapes.
"""
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule
from chainrule import ops
from chainrule.ops import Conv, Convolution, ConvTranspose, DepthwiseConv, col2im, im2col
from chainrule.tensor import apply_op
from chainrule.testing import check_gradients

TOL = 1e-6
FIXTURES = Path(__file__).parent / "fixtures"


def assert_grads(fn, *inputs):
    report = check_gradients(fn, *inputs)
    assert report.max_error < TOL, str(report)


# ----------------------------------------------------------------------------- naive references

def tf_pads(padding, spatial, kernel, strides, dilation):
    """TensorFlow's padding, derived again here: 'same' pads max((ceil(n/s)-1)*s + e - n, 0), extra at the end."""
    if padding == "valid":
        return [(0, 0)] * len(spatial)
    if padding == "causal":
        return [((kernel[0] - 1) * dilation[0], 0)]
    if padding == "same":
        pads = []
        for n, k, s, d in zip(spatial, kernel, strides, dilation):
            total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        return pads
    return [tuple(p) for p in padding]


def naive_conv(x, kernel, strides, pads, dilation, groups=1):
    """channels_last convolution: a loop over output positions and kernel offsets, a matmul per group."""
    rank = x.ndim - 2
    xp = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    ksize, (cin_g, cout) = kernel.shape[:rank], kernel.shape[rank:]
    cout_g = cout // groups
    out_sp = [(xp.shape[1 + i] - (ksize[i] - 1) * dilation[i] - 1) // strides[i] + 1 for i in range(rank)]
    out = np.zeros((x.shape[0], *out_sp, cout))
    for o in np.ndindex(*out_sp):
        for k in np.ndindex(*ksize):
            pos = tuple(o[i] * strides[i] + k[i] * dilation[i] for i in range(rank))
            v = xp[(slice(None),) + pos]
            for g in range(groups):
                out[(slice(None),) + o + (slice(g * cout_g, (g + 1) * cout_g),)] += (
                    v[:, g * cin_g:(g + 1) * cin_g] @ kernel[k][:, g * cout_g:(g + 1) * cout_g])
    return out


def naive_conv_transpose(x, kernel, strides, dilation, out_sp, before):
    """Scatter every input value through the kernel, then take the window ``before : before + out``."""
    rank = x.ndim - 2
    ksize = kernel.shape[:rank]
    full_sp = [max((x.shape[1 + i] - 1) * strides[i] + (ksize[i] - 1) * dilation[i] + 1, before[i] + out_sp[i])
               for i in range(rank)]
    full = np.zeros((x.shape[0], *full_sp, kernel.shape[-2]))
    for i in np.ndindex(*x.shape[1:-1]):
        for k in np.ndindex(*ksize):
            pos = tuple(i[a] * strides[a] + k[a] * dilation[a] for a in range(rank))
            full[(slice(None),) + pos] += x[(slice(None),) + i] @ kernel[k].T
    return full[(slice(None),) + tuple(slice(b, b + n) for b, n in zip(before, out_sp))]


def naive_depthwise(x, kernel, strides, pads, dilation):
    rank = x.ndim - 2
    cin, mult = kernel.shape[rank:]
    xp = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    ksize = kernel.shape[:rank]
    out_sp = [(xp.shape[1 + i] - (ksize[i] - 1) * dilation[i] - 1) // strides[i] + 1 for i in range(rank)]
    out = np.zeros((x.shape[0], *out_sp, cin, mult))
    for o in np.ndindex(*out_sp):
        for k in np.ndindex(*ksize):
            pos = tuple(o[i] * strides[i] + k[i] * dilation[i] for i in range(rank))
            out[(slice(None),) + o] += xp[(slice(None),) + pos][..., None] * kernel[k]
    return out.reshape(x.shape[0], *out_sp, cin * mult)


def to_first(a):
    return np.moveaxis(a, -1, 1)


def to_last(a):
    return np.moveaxis(a, 1, -1)


# ----------------------------------------------------------------------------- hypothesis: Conv

@st.composite
def conv_cases(draw):
    rank = draw(st.integers(1, 3))
    small = rank == 3
    ksize = tuple(draw(st.integers(1, 2 if small else 3)) for _ in range(rank))
    strides = tuple(draw(st.integers(1, 2 if small else 3)) for _ in range(rank))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(rank))
    groups = draw(st.sampled_from([1, 2]))
    cin_g, cout_g = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    modes = ["valid", "same", "explicit"] + (["causal"] if rank == 1 else [])
    padding = draw(st.sampled_from(modes))
    if padding == "explicit":
        padding = [(draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(rank)]
    min_len = [(k - 1) * d + 1 for k, d in zip(ksize, dilation)]
    spatial = tuple(draw(st.integers(m, m + (2 if small else 4))) for m in min_len)
    data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
    use_bias = draw(st.booleans())
    seed = draw(st.integers(0, 2 ** 16))
    return dict(rank=rank, ksize=ksize, strides=strides, dilation=dilation, groups=groups, cin=cin_g * groups,
                cout=cout_g * groups, padding=padding, spatial=spatial, data_format=data_format,
                use_bias=use_bias, seed=seed)


@settings(max_examples=60, deadline=None)
@given(case=conv_cases())
def test_conv_forward_matches_naive_loops_and_gradients_check(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((2, *case["spatial"], case["cin"]))
    kernel = rng.standard_normal(case["ksize"] + (case["cin"] // case["groups"], case["cout"]))
    bias = rng.standard_normal(case["cout"])
    kwargs = dict(strides=case["strides"], padding=case["padding"], dilation_rate=case["dilation"],
                  groups=case["groups"], data_format=case["data_format"])
    first = case["data_format"] == "channels_first"
    xin = to_first(x) if first else x

    pads = tf_pads(case["padding"], case["spatial"], case["ksize"], case["strides"], case["dilation"])
    expected = naive_conv(x, kernel, case["strides"], pads, case["dilation"], case["groups"])
    if case["use_bias"]:
        expected = expected + bias
    args = (xin, kernel, bias) if case["use_bias"] else (xin, kernel)
    out = Conv(**kwargs).forward(*args)
    np.testing.assert_allclose(to_last(out) if first else out, expected, rtol=1e-10, atol=1e-10)

    assert_grads(lambda *t: apply_op(Conv(**kwargs), *t), *args)


# ----------------------------------------------------------------------------- hypothesis: ConvTranspose

@st.composite
def conv_transpose_cases(draw):
    rank = draw(st.integers(1, 2))
    ksize = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    padding = draw(st.sampled_from(["valid", "same"]))
    dilated = draw(st.booleans())
    # tf.keras runs a dilated transposed convolution only with strides 1 (atrous_conv2d_transpose).
    strides = (1,) * rank if dilated else tuple(draw(st.integers(1, 3)) for _ in range(rank))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(rank)) if dilated else (1,) * rank
    output_padding = None
    if draw(st.booleans()):
        output_padding = [draw(st.integers(0, s - 1)) for s in strides]
    spatial = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    return dict(rank=rank, ksize=ksize, padding=padding, strides=strides, dilation=dilation,
                output_padding=output_padding, spatial=spatial, cin=draw(st.integers(1, 3)),
                cout=draw(st.integers(1, 3)), data_format=draw(st.sampled_from(["channels_last", "channels_first"])),
                seed=draw(st.integers(0, 2 ** 16)))


def keras_deconv_length(n, k, padding, output_padding, s, d):
    """tf.keras conv_utils.deconv_output_length, written out again."""
    e = (k - 1) * d + 1
    if output_padding is None:
        return n * s + max(e - s, 0) if padding == "valid" else n * s
    return (n - 1) * s + e - 2 * (e // 2 if padding == "same" else 0) + output_padding


@settings(max_examples=50, deadline=None)
@given(case=conv_transpose_cases())
def test_conv_transpose_forward_matches_scatter_reference_and_gradients_check(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((2, *case["spatial"], case["cin"]))
    kernel = rng.standard_normal(case["ksize"] + (case["cout"], case["cin"]))
    bias = rng.standard_normal(case["cout"])
    op_pad = case["output_padding"] or [None] * case["rank"]
    out_sp = [keras_deconv_length(n, k, case["padding"], p, s, d) for n, k, p, s, d in
              zip(case["spatial"], case["ksize"], op_pad, case["strides"], case["dilation"])]
    before = [p[0] for p in tf_pads(case["padding"], out_sp, case["ksize"], case["strides"], case["dilation"])]
    # The convolution of the output must give back the input's shape; TensorFlow refuses the rest too.
    back = [(n + b + a - (k - 1) * d - 1) // s + 1 for n, (b, a), k, s, d in
            zip(out_sp, tf_pads(case["padding"], out_sp, case["ksize"], case["strides"], case["dilation"]),
                case["ksize"], case["strides"], case["dilation"])]
    kwargs = dict(strides=case["strides"], padding=case["padding"], output_padding=case["output_padding"],
                  dilation_rate=case["dilation"], data_format=case["data_format"])
    first = case["data_format"] == "channels_first"
    xin = to_first(x) if first else x
    if tuple(back) != case["spatial"]:
        with pytest.raises(ValueError, match="ConvTranspose: an output of spatial shape"):
            ConvTranspose(**kwargs).forward(xin, kernel, bias)
        return

    out = ConvTranspose(**kwargs).forward(xin, kernel, bias)
    expected = naive_conv_transpose(x, kernel, case["strides"], case["dilation"], out_sp, before) + bias
    np.testing.assert_allclose(to_last(out) if first else out, expected, rtol=1e-10, atol=1e-10)
    assert_grads(lambda *t: apply_op(ConvTranspose(**kwargs), *t), xin, kernel, bias)


# ----------------------------------------------------------------------------- hypothesis: DepthwiseConv

@settings(max_examples=30, deadline=None)
@given(rank=st.integers(1, 2), k=st.integers(1, 3), s=st.integers(1, 2), d=st.integers(1, 2),
       mult=st.integers(1, 2), cin=st.integers(1, 3), padding=st.sampled_from(["valid", "same", "explicit"]),
       data_format=st.sampled_from(["channels_last", "channels_first"]), seed=st.integers(0, 2 ** 16))
def test_depthwise_conv_matches_naive_loops_and_gradients_check(rank, k, s, d, mult, cin, padding, data_format,
                                                                 seed):
    rng = np.random.default_rng(seed)
    if padding == "explicit":   # up to 3 zeros a side: wider than a small kernel's span
        padding = [tuple(int(v) for v in rng.integers(0, 4, 2)) for _ in range(rank)]
    spatial = tuple(rng.integers((k - 1) * d + 1, (k - 1) * d + 4) for _ in range(rank))
    x = rng.standard_normal((2, *spatial, cin))
    kernel = rng.standard_normal((k,) * rank + (cin, mult))
    bias = rng.standard_normal(cin * mult)
    kwargs = dict(strides=s, padding=padding, dilation_rate=d, data_format=data_format)
    first = data_format == "channels_first"
    xin = to_first(x) if first else x
    pads = tf_pads(padding, spatial, (k,) * rank, (s,) * rank, (d,) * rank)
    out = DepthwiseConv(**kwargs).forward(xin, kernel, bias)
    expected = naive_depthwise(x, kernel, (s,) * rank, pads, (d,) * rank) + bias
    np.testing.assert_allclose(to_last(out) if first else out, expected, rtol=1e-10, atol=1e-10)
    assert_grads(lambda *t: apply_op(DepthwiseConv(**kwargs), *t), xin, kernel, bias)


def test_depthwise_equals_grouped_conv_with_one_group_per_channel(rng):
    x = rng.standard_normal((2, 6, 5, 3))
    kernel = rng.standard_normal((3, 3, 3, 2))
    grouped = kernel.reshape(3, 3, 1, 6)   # output channel c * multiplier + m sees input channel c
    np.testing.assert_allclose(DepthwiseConv(padding="same").forward(x, kernel),
                               Conv(padding="same", groups=3).forward(x, grouped), rtol=1e-12)


# ----------------------------------------------------------------------------- TensorFlow's padding, pinned

def test_same_padding_puts_the_extra_zero_at_the_end():
    # 1-D, kernel 2: TensorFlow pads (0, 1), so the last output is x[-1] * w[0] alone.
    x = np.array([[[1.0], [2.0], [3.0], [4.0]]])
    w = np.array([[[1.0]], [[10.0]]])
    np.testing.assert_allclose(Conv(padding="same").forward(x, w)[0, :, 0], [21.0, 32.0, 43.0, 4.0])
    # 2-D, stride 2 on an even size: pads (0, 1) on each axis, the window starts at the first row/column.
    x2 = np.arange(16.0).reshape(1, 4, 4, 1)
    ones = np.ones((3, 3, 1, 1))
    out = Conv(strides=2, padding="same").forward(x2, ones)[0, :, :, 0]
    np.testing.assert_allclose(out, [[0 + 1 + 2 + 4 + 5 + 6 + 8 + 9 + 10, 2 + 3 + 6 + 7 + 10 + 11],
                                     [8 + 9 + 10 + 12 + 13 + 14, 10 + 11 + 14 + 15]])


def test_padding_rules_by_number():
    from chainrule.ops.windows import resolve_padding, same_padding
    assert same_padding(4, 2) == (0, 1)
    assert same_padding(5, 3, 2) == (1, 1)
    assert same_padding(6, 3, 2) == (0, 1)
    assert same_padding(7, 3, 1, 3) == (3, 3)
    assert same_padding(4, 1, 3) == (0, 0)
    assert resolve_padding("causal", (9,), (3,), (1,), (2,), "Conv") == ((4, 0),)
    assert ops.conv_output_length(28, 3, "valid", 1) == 26
    assert ops.conv_output_length(28, 3, "same", 2) == 14
    assert ops.deconv_output_length(3, 3, "same", None, 2) == 6
    assert ops.deconv_output_length(3, 3, "valid", None, 2) == 7
    assert ops.deconv_output_length(3, 3, "same", 1, 2) == 6
    assert ops.deconv_output_length(None, 3, "same", 1, 2) is None


def test_causal_padding_looks_only_at_the_past():
    x = np.array([[[1.0], [2.0], [3.0], [4.0]]])
    w = np.array([[[1.0]], [[10.0]]])
    np.testing.assert_allclose(Conv(padding="causal").forward(x, w)[0, :, 0], [10.0, 21.0, 32.0, 43.0])
    np.testing.assert_allclose(Conv(padding="causal", dilation_rate=2).forward(x, w)[0, :, 0],
                               [10.0, 20.0, 31.0, 42.0])


# ----------------------------------------------------------------------------- fixtures

def _fixture_cases(filename, op_names):
    data = np.load(FIXTURES / filename, allow_pickle=False)
    return [(case, {k.split("/", 1)[1]: data[k] for k in data.files if k.startswith(case["name"] + "/")})
            for case in json.loads(str(data["meta"])) if case["op"] in op_names]


CONV_OPS = ("Conv", "ConvTranspose", "DepthwiseConv")


@pytest.mark.parametrize("case, arrays", _fixture_cases("conv_torch.npz", CONV_OPS),
                         ids=lambda v: v["name"] if isinstance(v, dict) and "name" in v else "")
def test_matches_pytorch_fixture(case, arrays):
    op = getattr(ops, case["op"])(**case["kwargs"])
    out = op.forward(arrays["x"], arrays["kernel"], arrays["bias"])
    np.testing.assert_allclose(out, arrays["y"], rtol=1e-10, atol=1e-10)
    dx, dkernel, dbias = op.backward(arrays["dy"])
    np.testing.assert_allclose(dx, arrays["dx"], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dkernel, arrays["dkernel"], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dbias, arrays["dbias"], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case, arrays", _fixture_cases("tf_fixtures.npz", CONV_OPS),
                         ids=lambda v: v["name"] if isinstance(v, dict) and "name" in v else "")
def test_matches_tensorflow_fixture(case, arrays):
    op = getattr(ops, case["op"])(**case["kwargs"])
    out = op.forward(arrays["x"], arrays["kernel"])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, arrays["y"], rtol=1e-5, atol=1e-5)
    dx, dkernel = op.backward(arrays["dy"])
    np.testing.assert_allclose(dx, arrays["dx"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dkernel, arrays["dkernel"], rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------- the book's API (NCHW)

def test_book_im2col_layout_rows_are_windows_columns_are_channel_then_filter():
    x = np.arange(18.0).reshape(1, 2, 3, 3)     # channel 0: 0..8, channel 1: 9..17
    col = im2col(x, 2, 2)
    assert col.shape == (4, 8)
    np.testing.assert_array_equal(col, [[0, 1, 3, 4, 9, 10, 12, 13],
                                        [1, 2, 4, 5, 10, 11, 13, 14],
                                        [3, 4, 6, 7, 12, 13, 15, 16],
                                        [4, 5, 7, 8, 13, 14, 16, 17]])
    padded = im2col(x[:, :1], 3, 3, stride=2, pad=1)
    assert padded.shape == (4, 9)
    np.testing.assert_array_equal(padded[0], [0, 0, 0, 0, 0, 1, 0, 3, 4])


def test_book_im2col_shapes_from_the_text(rng):
    assert im2col(rng.random((1, 3, 7, 7)), 5, 5, stride=1, pad=0).shape == (9, 75)
    assert im2col(rng.random((10, 3, 7, 7)), 5, 5, stride=1, pad=0).shape == (90, 75)


def test_col2im_is_the_adjoint_of_im2col_and_counts_overlaps(rng):
    x = rng.standard_normal((2, 3, 6, 5))
    col = im2col(x, 3, 2, stride=(2, 1), pad=1)
    c = rng.standard_normal(col.shape)
    lhs = np.sum(col * c)
    rhs = np.sum(x * col2im(c, x.shape, 3, 2, stride=(2, 1), pad=1))
    assert lhs == pytest.approx(rhs, rel=1e-12)
    coverage = col2im(np.ones((9, 4)), (1, 1, 4, 4), 2, 2, stride=1)
    np.testing.assert_array_equal(coverage[0, 0], [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])
    with pytest.raises(ValueError, match=r"col2im: col has shape \(5, 4\)"):
        col2im(np.ones((5, 4)), (1, 1, 4, 4), 2, 2)


def test_book_convolution_by_hand_matches_its_im2col_formulation(rng):
    x = rng.standard_normal((2, 3, 7, 6))
    W = rng.standard_normal((4, 3, 3, 2))        # (FN, C, FH, FW)
    b = rng.standard_normal(4)
    conv = Convolution(stride=2, pad=1)
    out = conv.forward(x, W, b)
    # The book's formula: im2col, one product with W reshaped (FN, -1).T, back to NCHW.
    oh, ow = (7 + 2 - 3) // 2 + 1, (6 + 2 - 2) // 2 + 1
    col = im2col(x, 3, 2, 2, 1)
    expected = (col @ W.reshape(4, -1).T + b).reshape(2, oh, ow, 4).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(out, expected, rtol=1e-12)

    dout = rng.standard_normal(out.shape)
    dx, dW, db = conv.backward(dout)
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, 4)
    np.testing.assert_allclose(db, d2.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(dW, (col.T @ d2).T.reshape(W.shape), rtol=1e-12)
    np.testing.assert_allclose(dx, col2im(d2 @ W.reshape(4, -1), x.shape, 3, 2, 2, 1), rtol=1e-12)
    assert conv.dW is dW and conv.db is db
    assert dW.shape == W.shape and dx.shape == x.shape


def test_book_convolution_gradients_check():
    rng = np.random.default_rng(3)
    args = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    assert_grads(lambda *t: apply_op(Convolution(stride=1, pad=1), *t), *args)


# ----------------------------------------------------------------------------- dtype, tape, errors

def test_float32_stays_float32_and_tape_skips_unwanted_gradients(rng):
    x = chainrule.constant(rng.standard_normal((2, 5, 5, 3)).astype(np.float32))
    kernel = chainrule.Variable(rng.standard_normal((3, 3, 3, 4)).astype(np.float32))
    bias = chainrule.Variable(np.zeros(4, np.float32))
    with chainrule.GradientTape() as tape:
        y = apply_op(Conv(padding="same"), x, kernel, bias)
        loss = chainrule.reduce_sum(y * y)
    dk, db = tape.gradient(loss, [kernel, bias])
    assert y.dtype == chainrule.float32 and dk.dtype == chainrule.float32 and db.dtype == chainrule.float32
    assert dk.shape == (3, 3, 3, 4)

    op = Conv(padding="same")
    op.forward(x.numpy(), kernel.numpy())
    op.needs_input_grad = (False, True)
    dx, dkernel = op.backward(np.ones((2, 5, 5, 4), np.float32))
    assert dx is None and dkernel.dtype == np.float32


def test_persistent_tape_runs_backward_twice(rng):
    x = chainrule.Variable(rng.standard_normal((1, 6, 6, 2)))
    k = chainrule.Variable(rng.standard_normal((3, 3, 2, 2)))
    with chainrule.GradientTape(persistent=True) as tape:
        y = chainrule.reduce_sum(apply_op(Conv(strides=2, padding="same"), x, k))
    first = tape.gradient(y, [x, k])
    second = tape.gradient(y, [x, k])
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("op, args, message", [
    (Conv(), (np.ones((1, 5, 5, 3)), np.ones((3, 3, 2, 4))), r"Conv: the input has 3 channels .* expects 2"),
    (Conv(groups=2), (np.ones((1, 5, 5, 4)), np.ones((3, 3, 2, 3))), r"C_out divisible by groups"),
    (Conv(), (np.ones((1, 2, 2, 1)), np.ones((3, 3, 1, 1))), r"Conv: the window .* does not fit"),
    (Conv(padding="causal"), (np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1))), r"causal' is only for 1-D"),
    (Conv(padding="full"), (np.ones((1, 5, 1)), np.ones((3, 1, 1))), r"padding must be one of"),
    (Conv(), (np.ones((1, 5, 5, 1)), np.ones((3, 1, 1))), r"needs 3-D input"),
    (Conv(), (np.ones((1, 5, 1)), np.ones((3, 1, 2)), np.ones(3)), r"bias must have shape \(2,\)"),
    (Conv(strides=(1, 0)), (np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1))), r"every strides must be >= 1"),
    (ConvTranspose(), (np.ones((1, 5, 5, 3)), np.ones((3, 3, 2, 4))), r"ConvTranspose: the input has 3 channels"),
    (ConvTranspose(strides=2, output_padding=2), (np.ones((1, 5, 5, 4)), np.ones((3, 3, 2, 4))),
     r"output_padding must be .* in \[0, stride\)"),
    (DepthwiseConv(), (np.ones((1, 5, 5, 3)), np.ones((3, 3, 2, 1))), r"DepthwiseConv: the input has 3 channels"),
])
def test_errors_name_the_op_and_the_shapes(op, args, message):
    with pytest.raises(ValueError, match=message):
        op.forward(*args)


def test_constructor_errors():
    with pytest.raises(ValueError, match="data_format must be 'channels_last' or 'channels_first'"):
        Conv(data_format="NHWC")
    with pytest.raises(ValueError, match="groups must be >= 1"):
        Conv(groups=0)
    with pytest.raises(ValueError, match="ConvTranspose: padding must be 'valid' or 'same'"):
        ConvTranspose(padding="causal")
