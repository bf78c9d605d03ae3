"""The from-scratch backprop demo: the seed's apple/orange graph and a TwoLayerNet gradient check.

Everything here is built from :mod:`chainrule.ops` by hand, as in the seed:
forward in order, backward in reverse order, gradients read off the ops.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .ops import Add, Affine, Mul, ReLU, SoftmaxWithLoss
from .testing import numerical_gradient


def apple_orange(print_fn=print) -> dict:
    """Buy 2 apples at 100 and 3 oranges at 150 with tax 1.1; return the price and its derivatives."""
    apple, apple_cnt, orange, orange_cnt, tax = 100, 2, 150, 3, 1.1
    mul_apple, mul_orange, add_fruit, mul_tax = Mul(), Mul(), Add(), Mul()

    apple_price = mul_apple.forward(apple, apple_cnt)
    orange_price = mul_orange.forward(orange, orange_cnt)
    total = add_fruit.forward(apple_price, orange_price)
    price = mul_tax.forward(total, tax)

    dtotal, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add_fruit.backward(dtotal)
    dapple, dapple_cnt = mul_apple.backward(dapple_price)
    dorange, dorange_cnt = mul_orange.backward(dorange_price)

    print_fn(f"price: {price:.2f}")
    print_fn(f"d price / d apple count:  {dapple_cnt:.2f}")
    print_fn(f"d price / d apple price:  {dapple:.1f}")
    print_fn(f"d price / d orange count: {dorange_cnt:.1f}")
    print_fn(f"d price / d orange price: {dorange:.2f}")
    print_fn(f"d price / d tax:          {dtax:.0f}")
    return dict(price=price, dapple=dapple, dapple_cnt=dapple_cnt, dorange=dorange,
                dorange_cnt=dorange_cnt, dtax=dtax)


class TwoLayerNet:
    """The seed's two-layer network: Affine -> ReLU -> Affine -> SoftmaxWithLoss, from chainrule ops.

    ``params`` holds ``W1 (input, hidden)``, ``b1 (hidden,)``, ``W2 (hidden, output)``, ``b2 (output,)``.
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, rng=None, dtype=np.float64):
        rng = np.random.default_rng(0) if rng is None else rng
        self.params = {
            "W1": (weight_init_std * rng.standard_normal((input_size, hidden_size))).astype(dtype),
            "b1": np.zeros(hidden_size, dtype=dtype),
            "W2": (weight_init_std * rng.standard_normal((hidden_size, output_size))).astype(dtype),
            "b2": np.zeros(output_size, dtype=dtype),
        }

    def _layers(self):
        # Fresh op instances per pass: an op keeps what its backward needs from one forward.
        self.layers = OrderedDict(Affine1=Affine(), ReLU=ReLU(), Affine2=Affine())
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        """Scores (logits) of shape ``(N, output_size)``."""
        self._layers()
        p = self.params
        h = self.layers["Affine1"].forward(x, p["W1"], p["b1"])
        h = self.layers["ReLU"].forward(h)
        return self.layers["Affine2"].forward(h, p["W2"], p["b2"])

    def loss(self, x, t):
        """Mean cross-entropy of ``softmax(predict(x))`` against labels ``t`` (indices or one-hot)."""
        scores = self.predict(x)  # builds this pass's layers, including last_layer
        return self.last_layer.forward(scores, t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.mean(y == t))

    def gradient(self, x, t):
        """Backprop: the loss's gradient for every parameter, by calling backward in reverse order."""
        scores = self.predict(x)
        self.last_layer.forward(scores, t)
        dout, _ = self.last_layer.backward(1)
        dout, dW2, db2 = self.layers["Affine2"].backward(dout)
        dout = self.layers["ReLU"].backward(dout)
        # Nothing needs d(loss)/d(x) for the images: tell the op, and it skips that matmul.
        self.layers["Affine1"].needs_input_grad = (False, True, True)
        _, dW1, db1 = self.layers["Affine1"].backward(dout)
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def numerical_gradient_params(self, x, t):
        """The same gradients by central differences (slow: two forwards per parameter)."""
        def loss_w(_):
            return self.loss(x, t)
        return {k: numerical_gradient(loss_w, self.params[k]) for k in ("W1", "b1", "W2", "b2")}


def gradient_check(print_fn=print, n_samples=3, seed=0) -> dict:
    """Backprop vs numerical gradients of a 784-50-10 TwoLayerNet on random MNIST-shaped data."""
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(784, 50, 10, rng=rng)
    x = rng.random((n_samples, 784))
    t = rng.integers(0, 10, n_samples)
    backprop = net.gradient(x, t)
    numeric = net.numerical_gradient_params(x, t)
    diffs = {}
    for key in ("W1", "b1", "W2", "b2"):
        diffs[key] = float(np.mean(np.abs(backprop[key] - numeric[key])))
        print_fn(f"key : {key}, diff : {diffs[key]}")
    return diffs


def main(print_fn=print) -> int:
    print_fn("== The apple/orange graph, forward then backward (seed 004) ==")
    apple_orange(print_fn)
    print_fn("\n== TwoLayerNet 784-50-10: backprop vs numerical gradient (mean |difference|) ==")
    diffs = gradient_check(print_fn)
    ok = all(d < 1e-7 for d in diffs.values())
    print_fn("gradient check: " + ("OK (all < 1e-7)" if ok else "FAILED"))
    return 0 if ok else 1
