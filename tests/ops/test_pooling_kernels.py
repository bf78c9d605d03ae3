"""The compiled (numba) 2-D max pooling against MaxPool's numpy passes: bit for bit, and when it runs.

``ops.kernels.max_pool2d_forward`` / ``max_pool2d_backward`` stand for ``MaxPool``'s per-offset
whole-array passes on channels_last 2-D inputs. Each case pools the same input twice, numpy then
kernels, and compares the output, the argmax and the input gradient bit for bit, on inputs with NaN,
signed zeros, ties and infinities; then which configurations take the kernels, what they count toward
the tier-up, and a convnet ``fit`` that tiers up after its first step.
"""
import numpy as np
import pytest

import chainrule
from chainrule import backend
from chainrule.ops import tier_up
from chainrule.ops.pooling import MaxPool

pytest.importorskip("numba")


pytestmark = pytest.mark.usefixtures("fresh_tier_up")  # tests/ops/conftest.py


@pytest.fixture
def calls(kernel_calls_of):
    """The calls of the pooling kernels (tests/ops/conftest.py)."""
    return kernel_calls_of(("max_pool2d_forward", "max_pool2d_backward"))


def _awkward(shape, dtype, seed=0):
    """Random values with NaN, signed zeros, infinities and ties planted in the first windows."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    x[0, 0, 0, :6] = [np.nan, 0.0, -0.0, np.inf, -np.inf, 1.0]
    x[0, 0, 1, :6] = [1.0, -0.0, 0.0, np.inf, -np.inf, 1.0]
    x[0, 1, 0, :6] = [2.0, 0.0, -0.0, 1.0, -np.inf, 1.0]
    x[0, 1, 1, :6] = [np.nan, -0.0, 0.0, 1.0, -np.inf, 1.0]
    x[1] = np.round(x[1])  # many ties
    return x


def _pool(compiled, dtype, shape=(3, 11, 12, 7), **kwargs):
    backend.set_compiled_kernels(compiled, after=0)
    x = _awkward(shape, dtype)
    op = MaxPool(**kwargs)
    out = op.forward(x)
    argmax = op.argmax.copy()
    dy = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    dy[0, 0, 0, :3] = [np.inf, np.nan, -0.0]
    with np.errstate(invalid="ignore"):
        dx = op.backward(dy)
    return out, argmax, dx


def _same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(
        np.ascontiguousarray(a).view(np.uint8), np.ascontiguousarray(b).view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs, backward_compiled", [
    ({"pool_size": 2}, True),                                  # tiling windows
    ({"pool_size": 3}, True),                                  # tiling, with an uncovered remainder (11, 12)
    ({"pool_size": 2, "strides": 3}, True),                    # disjoint, with gaps between windows
    ({"pool_size": (2, 3), "padding": "same"}, True),          # pads that never win
    ({"pool_size": 3, "strides": 1}, False),                   # overlapping windows: backward stays numpy
    ({"pool_size": 3, "strides": 2, "padding": "same"}, False),
], ids=["2", "3", "2-stride-3", "2x3-same", "3-stride-1", "3-stride-2-same"])
def test_max_pooling_gives_the_numpy_bits(kwargs, backward_compiled, dtype, calls):
    plain = _pool(False, dtype, **kwargs)
    assert calls == {}
    fast = _pool(True, dtype, **kwargs)
    assert calls == {"max_pool2d_forward": 1, **({"max_pool2d_backward": 1} if backward_compiled else {})}
    for a, b in zip(plain, fast):
        assert _same_bits(a, b)


@pytest.mark.parametrize("kwargs", [{"data_format": "channels_first"}, {}], ids=["channels_first", "1-D"])
def test_other_layouts_stay_on_numpy(kwargs, calls):
    backend.set_compiled_kernels(True, after=0)
    if kwargs:
        op = MaxPool(2, **kwargs)
        op.backward(np.ones_like(op.forward(_awkward((2, 5, 8, 8), np.float32))))
    else:
        op = MaxPool(2)
        op.backward(np.ones_like(op.forward(np.arange(24, dtype=np.float32).reshape(2, 6, 2))))
    assert calls == {}


def test_non_contiguous_gradients_and_float16_stay_on_numpy(calls):
    backend.set_compiled_kernels(True, after=0)
    op = MaxPool(2)
    out = op.forward(_awkward((2, 6, 6, 8), np.float32))
    dy = np.ones(out.shape[::-1], np.float32).T  # the right shape, transposed strides
    op.backward(dy)
    assert calls == {"max_pool2d_forward": 1}
    MaxPool(2).forward(_awkward((2, 6, 6, 8), np.float16))
    assert calls == {"max_pool2d_forward": 1}


def test_pooling_counts_its_work_toward_the_tier_up(monkeypatch, calls):
    """A quarter of an element-update per padded input value forward, half of one backward."""
    monkeypatch.setattr(tier_up, "_done", 0)
    backend.set_compiled_kernels(True, after=10 ** 12)
    op = MaxPool(2)
    x = _awkward((4, 10, 10, 8), np.float32)  # 3,200 values
    out = op.forward(x)
    assert tier_up._done == 800
    op.backward(np.ones_like(out))
    assert tier_up._done == 800 + 1600
    assert calls == {}


def _convnet_fit(after):
    backend.set_compiled_kernels(True, after=after)
    chainrule.keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((48, 12, 12, 1), dtype=np.float32)
    y = rng.integers(0, 3, size=48)
    layers = chainrule.keras.layers
    model = chainrule.keras.Sequential([
        chainrule.keras.Input(shape=(12, 12, 1)),
        layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(6, 2, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    return model, history


def test_a_convnet_fit_tiers_up_after_its_first_step_and_trains_bit_identically(monkeypatch, calls):
    monkeypatch.setattr(tier_up, "_done", 0)
    plain, plain_history = _convnet_fit(after=10 ** 12)
    assert calls == {}
    per_step = tier_up._done // 6  # 6 steps, all on numpy: the optimizer's and the two poolings' work
    monkeypatch.setattr(tier_up, "_kernels", None)
    monkeypatch.setattr(tier_up, "_done", 0)
    fast, fast_history = _convnet_fit(after=6 * per_step)
    assert calls == {"max_pool2d_forward": 2 * 5, "max_pool2d_backward": 2 * 5}  # two layers, steps 2 to 6
    assert plain_history.history == fast_history.history
    for a, b in zip(plain.get_weights() + plain.optimizer.get_weights(),
                    fast.get_weights() + fast.optimizer.get_weights()):
        assert np.array_equal(a, b)
