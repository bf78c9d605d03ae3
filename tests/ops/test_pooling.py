"""Pooling ops (chainrule/ops/pooling.py): MaxPool, AvgPool, GlobalMaxPool, GlobalAvgPool, the book's Pooling.

Forward values and max-pooling gradients are compared with naive references written here (a loop
over output positions, each window clipped to the real values, which is TensorFlow's definition of
'same' pooling) and with fixtures computed by TensorFlow (tests/ops/fixtures/README.md). Gradients
are checked in float64 against central differences through the GradientTape; max-pooling inputs
are distinct values far apart, so the small perturbations never change a window's maximum.
"""
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from chainrule import ops
from chainrule.ops import AvgPool, GlobalAvgPool, GlobalMaxPool, MaxPool, Pooling
from chainrule.tensor import apply_op
from chainrule.testing import check_gradients

TOL = 1e-6
FIXTURES = Path(__file__).parent / "fixtures"


def assert_grads(fn, *inputs):
    report = check_gradients(fn, *inputs)
    assert report.max_error < TOL, str(report)


def windows(spatial, pool, strides, padding):
    """Per output position, the slices of real input values it pools (TensorFlow's rule, derived again)."""
    ranges = []
    for n, p, s in zip(spatial, pool, strides):
        if padding == "valid":
            out, before = (n - p) // s + 1, 0
        else:
            out = -(-n // s)
            before = max((out - 1) * s + p - n, 0) // 2
        ranges.append([slice(max(o * s - before, 0), min(o * s - before + p, n)) for o in range(out)])
    for index in np.ndindex(*[len(r) for r in ranges]):
        yield index, tuple(r[i] for r, i in zip(ranges, index))


def naive_pool(x, pool, strides, padding, kind):
    """channels_last pooling; for 'max' also the gradient of sum(out * dy) (to the first maximum)."""
    spatial = x.shape[1:-1]
    cells = list(windows(spatial, pool, strides, padding))
    out_sp = tuple(max(i[a] for i, _ in cells) + 1 for a in range(len(spatial)))
    out = np.zeros((x.shape[0], *out_sp, x.shape[-1]))
    first_max = {}
    for index, slices in cells:
        block = x[(slice(None),) + slices]                       # (N, *window, C)
        flat = block.reshape(x.shape[0], -1, x.shape[-1])
        if kind == "max":
            out[(slice(None),) + index] = flat.max(axis=1)
            first_max[index] = (slices, flat.argmax(axis=1))       # argmax: the first maximum, row-major
        else:
            out[(slice(None),) + index] = flat.mean(axis=1)
    return out, first_max


def naive_max_pool_grad(x, first_max, dy):
    dx = np.zeros_like(x)
    for index, (slices, argmax) in first_max.items():
        shape = [s.stop - s.start for s in slices]
        for n in range(x.shape[0]):
            for c in range(x.shape[-1]):
                pos = np.unravel_index(argmax[n, c], shape)
                target = (n,) + tuple(s.start + p for s, p in zip(slices, pos)) + (c,)
                dx[target] += dy[(n,) + index + (c,)]
    return dx


def to_first(a):
    return np.moveaxis(a, -1, 1)


def to_last(a):
    return np.moveaxis(a, 1, -1)


@st.composite
def pool_cases(draw):
    rank = draw(st.integers(1, 3))
    pool = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    strides = tuple(draw(st.integers(1, 3)) for _ in range(rank)) if draw(st.booleans()) else None
    padding = draw(st.sampled_from(["valid", "same"]))
    spatial = tuple(draw(st.integers(p, p + (2 if rank == 3 else 4))) for p in pool)
    return dict(rank=rank, pool=pool, strides=strides, padding=padding, spatial=spatial,
                channels=draw(st.integers(1, 3)),
                data_format=draw(st.sampled_from(["channels_last", "channels_first"])),
                seed=draw(st.integers(0, 2 ** 16)))


def _distinct(rng, shape):
    """Distinct values at least 0.1 apart: no ties, and a 1e-6 nudge never changes a maximum."""
    return rng.permutation(np.arange(int(np.prod(shape)))).reshape(shape) * 0.1 - 1.0


@pytest.mark.parametrize("kind", ["max", "avg"])
@settings(max_examples=40, deadline=None)
@given(case=pool_cases())
def test_pooling_matches_naive_windows_and_gradients_check(kind, case):
    rng = np.random.default_rng(case["seed"])
    x = _distinct(rng, (2, *case["spatial"], case["channels"]))
    strides = case["strides"] or case["pool"]
    first = case["data_format"] == "channels_first"
    cls = MaxPool if kind == "max" else AvgPool
    kwargs = dict(pool_size=case["pool"], strides=case["strides"], padding=case["padding"],
                  data_format=case["data_format"])
    op = cls(**kwargs)
    out = op.forward(to_first(x) if first else x)
    expected, first_max = naive_pool(x, case["pool"], strides, case["padding"], kind)
    np.testing.assert_allclose(to_last(out) if first else out, expected, rtol=1e-12, atol=1e-12)
    if kind == "max":
        dy = rng.standard_normal(expected.shape)
        dx = op.backward(to_first(dy) if first else dy)
        np.testing.assert_allclose(to_last(dx) if first else dx, naive_max_pool_grad(x, first_max, dy), rtol=1e-12)
    assert_grads(lambda t: apply_op(cls(**kwargs), t), to_first(x) if first else x)


def test_max_pool_gradient_goes_to_the_first_maximum_of_a_tie():
    x = np.array([[[[1.0], [5.0]], [[5.0], [2.0]]]])          # (1, 2, 2, 1): two tied maxima
    op = MaxPool(2)
    np.testing.assert_array_equal(op.forward(x), [[[[5.0]]]])
    np.testing.assert_array_equal(op.backward(np.array([[[[3.0]]]]))[0, :, :, 0], [[0.0, 3.0], [0.0, 0.0]])
    # Overlapping windows add their gradients on a shared maximum.
    op = MaxPool(2, strides=1)
    op.forward(np.array([[[0.0], [9.0], [1.0]]]))              # 1-D: windows [0, 9] and [9, 1]
    np.testing.assert_array_equal(op.backward(np.array([[[1.0], [2.0]]]))[0, :, 0], [0.0, 3.0, 0.0])


def test_same_average_pooling_divides_by_the_real_values():
    x = np.ones((1, 3, 3, 1))
    np.testing.assert_array_equal(AvgPool(2, strides=1, padding="same").forward(x), np.ones((1, 3, 3, 1)))
    x = np.arange(1.0, 5.0).reshape(1, 2, 2, 1)               # [[1, 2], [3, 4]]
    out = AvgPool(2, strides=1, padding="same").forward(x)[0, :, :, 0]
    np.testing.assert_allclose(out, [[2.5, 3.0], [3.5, 4.0]])  # pads at the bottom/right are not counted
    op = AvgPool(2, strides=1, padding="same")
    op.forward(x)
    np.testing.assert_allclose(op.backward(np.ones((1, 2, 2, 1)))[0, :, :, 0],
                               [[0.25, 0.25 + 0.5], [0.25 + 0.5, 0.25 + 0.5 + 0.5 + 1.0]])


def test_same_max_pooling_never_picks_a_pad():
    x = -np.arange(1.0, 6.0).reshape(1, 5, 1)                  # all negative: a zero pad would win
    np.testing.assert_array_equal(MaxPool(2, padding="same").forward(x)[0, :, 0], [-1.0, -3.0, -5.0])


# ----------------------------------------------------------------------------- fixtures

def _fixture_cases(filename, op_names):
    data = np.load(FIXTURES / filename, allow_pickle=False)
    return [(case, {k.split("/", 1)[1]: data[k] for k in data.files if k.startswith(case["name"] + "/")})
            for case in json.loads(str(data["meta"])) if case["op"] in op_names]


@pytest.mark.parametrize("case, arrays", _fixture_cases("tf_fixtures.npz", ("MaxPool", "AvgPool", "GlobalMaxPool")),
                         ids=lambda v: v["name"] if isinstance(v, dict) and "name" in v else "")
def test_matches_tensorflow_fixture(case, arrays):
    op = getattr(ops, case["op"])(**case["kwargs"])
    out = op.forward(arrays["x"])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, arrays["y"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(op.backward(arrays["dy"]), arrays["dx"], rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------------- global pooling

@pytest.mark.parametrize("cls, reduce", [(GlobalAvgPool, np.mean), (GlobalMaxPool, np.max)])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_reduces_the_spatial_axes(cls, reduce, data_format, keepdims, rng):
    x = rng.standard_normal((2, 3, 4, 5))
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    out = cls(data_format=data_format, keepdims=keepdims).forward(x)
    np.testing.assert_allclose(out, reduce(x, axis=axes, keepdims=keepdims), rtol=1e-12)
    assert_grads(lambda t: apply_op(cls(data_format=data_format, keepdims=keepdims), t), x)


def test_global_max_pool_shares_ties_like_reduce_max():
    op = GlobalMaxPool()
    op.forward(np.array([[[1.0], [3.0], [3.0]]]))             # 1-D (N, steps, C)
    np.testing.assert_array_equal(op.backward(np.array([[2.0]]))[0, :, 0], [0.0, 1.0, 1.0])


# ----------------------------------------------------------------------------- the book's Pooling

def test_book_pooling_by_hand_on_nchw():
    x = np.array([[[[1.0, 2.0, 0.0, 1.0],
                    [3.0, 4.0, 2.0, 9.0],
                    [0.0, 1.0, 5.0, 6.0],
                    [2.0, 0.0, 7.0, 8.0]]]])
    pool = Pooling(pool_h=2, pool_w=2, stride=2)
    np.testing.assert_array_equal(pool.forward(x), [[[[4.0, 9.0], [2.0, 8.0]]]])
    dx = pool.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    np.testing.assert_array_equal(dx[0, 0], [[0, 0, 0, 0], [0, 1, 0, 2], [0, 0, 0, 0], [3, 0, 0, 4]])
    # The book's default stride is 1.
    assert Pooling(2, 2).forward(x).shape == (1, 1, 3, 3)
    with pytest.raises(ValueError, match=r"Pooling: the input must be \(N, C, H, W\)"):
        Pooling(2, 2).forward(np.ones((4, 4)))


def test_book_pooling_gradients_check(rng):
    x = _distinct(rng, (2, 3, 6, 6))
    assert_grads(lambda t: apply_op(Pooling(2, 2, stride=2), t), x)
    assert_grads(lambda t: apply_op(Pooling(3, 3, stride=2, pad=1), t), x)


@pytest.mark.parametrize("op, x, message", [
    (MaxPool(3), np.ones((1, 2, 2, 1)), r"MaxPool: the window .* does not fit"),
    (AvgPool(2, padding="causal"), np.ones((1, 4, 1)), r"AvgPool: padding must be one of 'valid', 'same'"),
    (MaxPool((2, 2)), np.ones((1, 4, 1)), r"pool_size must have 1 entries"),
    (MaxPool(2), np.ones((4, 4)), r"at least one spatial axis"),
    (GlobalAvgPool(), np.ones((4, 4)), r"GlobalAvgPool: the input must be"),
])
def test_pooling_errors(op, x, message):
    with pytest.raises(ValueError, match=message):
        op.forward(x)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("pool, strides, padding", [((2, 2), None, "valid"), ((3, 3), (2, 2), "same"),
                                                    ((2, 3), (1, 2), "valid"), ((3, 2), (3, 3), "same")])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("samples_per_block", [1, 2, 5])
def test_pooling_in_batch_blocks_matches_the_naive_windows(monkeypatch, kind, pool, strides, padding, data_format,
                                                           samples_per_block):
    # A batch of 5 worked through 1, 2 (the last block shorter) or 5 samples at a time: the same values and
    # gradients, ties included (small integers, so equal maxima are common).
    from chainrule.ops import pooling
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(5, 7, 6, 3)).astype(np.float64)
    first = data_format == "channels_first"
    cls = MaxPool if kind == "max" else AvgPool
    op = cls(pool_size=pool, strides=strides, padding=padding, data_format=data_format)
    op.forward(to_first(x) if first else x)                       # the padded size per sample
    per_sample = int(np.prod(op.padded_shape[1:])) * 8
    monkeypatch.setattr(pooling, "BLOCK_BYTES", samples_per_block * per_sample)
    assert len(list(op._batch_blocks())) == -(-5 // samples_per_block)
    out = op.forward(to_first(x) if first else x)
    expected, first_max = naive_pool(x, pool, strides or pool, padding, kind)
    np.testing.assert_allclose(to_last(out) if first else out, expected, rtol=1e-12, atol=1e-12)
    dy = rng.standard_normal(expected.shape)
    dx = op.backward(to_first(dy) if first else dy)
    if kind == "max":
        np.testing.assert_allclose(to_last(dx) if first else dx, naive_max_pool_grad(x, first_max, dy), rtol=1e-12)
    else:
        monkeypatch.setattr(pooling, "BLOCK_BYTES", 1 << 40)      # one block: the reference order
        whole = cls(pool_size=pool, strides=strides, padding=padding, data_format=data_format)
        whole.forward(to_first(x) if first else x)
        np.testing.assert_array_equal(dx, whole.backward(to_first(dy) if first else dy))
