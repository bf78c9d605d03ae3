"""The by-hand time layers (chainrule/ops/time_layers.py), used as "Deep Learning from Scratch 2" uses them."""
import numpy as np
import pytest

from chainrule.ops import (LSTM, RNN, TimeAffine, TimeEmbedding, TimeLSTM, TimeRNN, TimeSoftmaxWithLoss)
from chainrule.testing import numerical_gradient


def language_model(rng, vocab=9, dim=3, hidden=4):
    return [TimeEmbedding(rng.normal(size=(vocab, dim)) * 0.5),
            TimeLSTM(rng.normal(size=(dim, 4 * hidden)) * 0.5, rng.normal(size=(hidden, 4 * hidden)) * 0.5,
                     rng.normal(size=4 * hidden) * 0.1),
            TimeAffine(rng.normal(size=(hidden, vocab)) * 0.5, np.zeros(vocab))]


def loss_of(layers, loss_layer, xs, ts):
    h = xs
    for layer in layers:
        h = layer.forward(h)
    return loss_layer.forward(h, ts)


def test_bptt_of_a_language_model_matches_numerical_gradients(rng):
    layers, loss_layer = language_model(rng), TimeSoftmaxWithLoss()
    xs, ts = rng.integers(0, 9, size=(2, 5)), rng.integers(0, 9, size=(2, 5))
    ts[1, 3] = -1   # an ignored step
    loss_of(layers, loss_layer, xs, ts)
    d = loss_layer.backward()
    for layer in reversed(layers):
        d = layer.backward(d)
    for layer in layers:
        for p, g in zip(layer.params, layer.grads):
            numeric = numerical_gradient(lambda _: loss_of(layers, loss_layer, xs, ts), p, eps=1e-6)
            np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)


def test_ignored_steps_count_for_nothing(rng):
    xs = rng.normal(size=(2, 3, 4))
    ts = np.array([[0, 1, -1], [2, -1, -1]])
    loss = TimeSoftmaxWithLoss()
    value = loss.forward(xs, ts)
    flat = xs.reshape(-1, 4)[[0, 1, 3]]
    log_p = flat - np.log(np.exp(flat).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(value, -np.mean(log_p[[0, 1, 2], [0, 1, 2]]), rtol=1e-12)
    dx = loss.backward()
    np.testing.assert_array_equal(dx[0, 2], 0)
    np.testing.assert_array_equal(dx[1, 1:], 0)
    np.testing.assert_allclose(loss.forward(xs, np.eye(4)[np.maximum(ts, 0)]), loss.forward(xs, np.maximum(ts, 0)))


def test_stateful_lstm_continues_where_it_stopped(rng):
    Wx, Wh, b = rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), rng.normal(size=8)
    xs = rng.normal(size=(2, 6, 3))
    whole = TimeLSTM(Wx, Wh, b).forward(xs)
    stateful = TimeLSTM(Wx, Wh, b, stateful=True)
    halves = np.concatenate([stateful.forward(xs[:, :3]), stateful.forward(xs[:, 3:])], axis=1)
    np.testing.assert_allclose(halves, whole, rtol=1e-12)
    stateful.reset_state()
    np.testing.assert_allclose(stateful.forward(xs[:, :3]), whole[:, :3], rtol=1e-12)
    fresh = TimeLSTM(Wx, Wh, b)   # not stateful: every forward starts from zeros
    fresh.forward(xs[:, :3])
    np.testing.assert_allclose(fresh.forward(xs[:, :3]), whole[:, :3], rtol=1e-12)


def test_time_rnn_is_its_steps(rng):
    Wx, Wh, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 4)) * 0.5, rng.normal(size=4)
    xs = rng.normal(size=(2, 5, 3))
    time_rnn = TimeRNN(Wx, Wh, b)
    hs = time_rnn.forward(xs)
    h = np.zeros((2, 4))
    cells = []
    for t in range(5):
        cells.append(RNN(Wx, Wh, b))
        h = cells[-1].forward(xs[:, t], h)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12)
    dhs = rng.normal(size=hs.shape)
    dxs = time_rnn.backward(dhs)
    dh, grads = 0, [0, 0, 0]
    for t in reversed(range(5)):
        dx, dh = cells[t].backward(dhs[:, t] + dh)
        np.testing.assert_allclose(dxs[:, t], dx, rtol=1e-10)
        grads = [a + g for a, g in zip(grads, cells[t].grads)]
    for got, want in zip(time_rnn.grads, grads):
        np.testing.assert_allclose(got, want, rtol=1e-10)
    np.testing.assert_allclose(time_rnn.dh, dh, rtol=1e-10)


def test_lstm_step_matches_the_book_formulas_in_tf_keras_gate_order(rng):
    x, h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    Wx, Wh, b = rng.normal(size=(3, 16)), rng.normal(size=(4, 16)), rng.normal(size=16)
    h_next, c_next = LSTM(Wx, Wh, b).forward(x, h, c)
    a = x @ Wx + h @ Wh + b
    def sig(v):
        return 1 / (1 + np.exp(-v))
    i, f, g, o = sig(a[:, :4]), sig(a[:, 4:8]), np.tanh(a[:, 8:12]), sig(a[:, 12:])
    np.testing.assert_allclose(c_next, f * c + g * i, rtol=1e-12)
    np.testing.assert_allclose(h_next, o * np.tanh(f * c + g * i), rtol=1e-12)


@pytest.mark.parametrize("layer", ["LSTM", "RNN"])
def test_one_step_layers_fill_grads_in_place(layer, rng):
    if layer == "LSTM":
        obj = LSTM(rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), np.zeros(8))
        out = obj.forward(rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2)))
        back = obj.backward(np.ones((4, 2)), np.ones((4, 2)))
        assert [a.shape for a in out] == [(4, 2), (4, 2)] and [a.shape for a in back] == [(4, 3), (4, 2), (4, 2)]
    else:
        obj = RNN(rng.normal(size=(3, 2)), rng.normal(size=(2, 2)), np.zeros(2))
        obj.forward(rng.normal(size=(4, 3)), rng.normal(size=(4, 2)))
        back = obj.backward(np.ones((4, 2)))
        assert [a.shape for a in back] == [(4, 3), (4, 2)]
    slots = [id(g) for g in obj.grads]
    assert all(np.any(g != 0) for g in obj.grads)
    assert slots == [id(g) for g in obj.grads]   # the same arrays, updated in place (the book's optimizers)
