"""The seed's TwoLayerNet (784-50-10) built by hand from chainrule.ops, gradient-checked as in the seed.

The only departures from the seed's code are the ones chainrule's op contract
asks for: ``Affine.forward`` takes ``(x, W, b)`` (the parameters live in
``params`` and are looked up by layer name), ``Affine.backward`` returns
``(dx, dW, db)`` and ``SoftmaxWithLoss.backward`` returns ``(dx, None)``, of
which the backward pass carries ``dx``. dW and db are read from the Affine
ops, as the seed reads them. Random MNIST-shaped data, no dataset files.

The full numerical gradient of W1 (784 x 50 entries, 2 forwards each on 3
samples) takes about 7 seconds here, under the ~20 s budget, so every entry is
checked.
"""
from collections import OrderedDict

import numpy as np
import pytest

from chainrule.ops import Affine, ReLU, SoftmaxWithLoss
from chainrule.testing import numerical_gradient


class TwoLayerNet:

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, rng=None):
        rng = np.random.default_rng(0) if rng is None else rng
        self.params = {}
        self.params["W1"] = weight_init_std * rng.standard_normal((input_size, hidden_size))
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = weight_init_std * rng.standard_normal((hidden_size, output_size))
        self.params["b2"] = np.zeros(output_size)

        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine()
        self.layers["ReLU"] = ReLU()
        self.layers["Affine2"] = Affine()
        self.lastLayer = SoftmaxWithLoss()
        # which parameters each Affine layer reads
        self._layer_params = {"Affine1": ("W1", "b1"), "Affine2": ("W2", "b2")}

    def predict(self, x):
        for name, layer in self.layers.items():
            if name in self._layer_params:
                W, b = self._layer_params[name]
                x = layer.forward(x, self.params[W], self.params[b])
            else:
                x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def gradient(self, x, t):
        self.loss(x, t)

        dout = 1
        dout, _ = self.lastLayer.backward(dout)

        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)
            if isinstance(layer, Affine):
                dout = dout[0]

        grads = {}
        grads["W1"], grads["b1"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads

    def numerical_gradient_params(self, x, t):
        loss_W = lambda W: self.loss(x, t)  # noqa: E731 - the seed's spelling

        grads = {}
        grads["W1"] = numerical_gradient(loss_W, self.params["W1"])
        grads["b1"] = numerical_gradient(loss_W, self.params["b1"])
        grads["W2"] = numerical_gradient(loss_W, self.params["W2"])
        grads["b2"] = numerical_gradient(loss_W, self.params["b2"])
        return grads


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(2021)
    x = rng.integers(0, 256, size=(3, 784)).astype(np.float64) / 255.0   # MNIST-like pixels in [0, 1]
    t = np.array([7, 2, 1])
    return x, t


def test_two_layer_net_backprop_matches_numerical_gradient(batch):
    x_batch, t_batch = batch
    network = TwoLayerNet(input_size=28 * 28, hidden_size=50, output_size=10)
    before = {k: v.copy() for k, v in network.params.items()}

    grad_numerical = network.numerical_gradient_params(x_batch, t_batch)
    grad_backprop = network.gradient(x_batch, t_batch)

    for key in ("W1", "b1", "W2", "b2"):
        assert grad_backprop[key].shape == network.params[key].shape
        assert grad_backprop[key].dtype == np.float64
        diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
        assert diff < 1e-7, f"{key}: mean |backprop - numerical| = {diff:.3e}"
        # the gradients are not trivially zero: the comparison has something to compare
        assert np.max(np.abs(grad_numerical[key])) > 1e-6, key
        np.testing.assert_array_equal(network.params[key], before[key])   # numerical_gradient restored them


def test_two_layer_net_initial_loss_and_accuracy(batch):
    x_batch, t_batch = batch
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    # With weights of std 0.01 the logits are ~0, so the loss is ~ln(10), as the seed's first line shows (2.30).
    assert network.loss(x_batch, t_batch) == pytest.approx(np.log(10), abs=0.01)
    acc = network.accuracy(x_batch, t_batch)
    assert acc in (0.0, 1 / 3, 2 / 3, 1.0)
    assert network.accuracy(x_batch, np.eye(10)[t_batch]) == acc


def test_two_layer_net_learns_a_tiny_batch(batch):
    x_batch, t_batch = batch
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, rng=np.random.default_rng(1))
    first = network.loss(x_batch, t_batch)
    for _ in range(100):
        grads = network.gradient(x_batch, t_batch)
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= 0.1 * grads[key]
    assert network.loss(x_batch, t_batch) < first / 10
    assert network.accuracy(x_batch, t_batch) == 1.0


def test_demo_two_layer_net_loss_works_before_any_gradient_call():
    from chainrule.demo_backprop import TwoLayerNet
    net = TwoLayerNet(4, 3, 2)
    loss = net.loss(np.ones((1, 4)), np.array([1]))
    assert np.isclose(loss, np.log(2), atol=1e-3)  # tiny weights: both classes about equally likely
