"""Helpers the adapted Keras guides share, identical under TensorFlow and chainrule (not part of any guide).

* ``framework()``: ``(tf, keras)``: TensorFlow with tf.keras 2 when ``CHAINRULE_REFERENCE=tensorflow`` (the
  expected outputs are made that way), chainrule otherwise.
* ``load_mnist(n_train, n_test)``: MNIST read from ``$CHAINRULE_DATA/mnist``'s IDX files by numpy, so both
  frameworks see the same arrays without a download (``keras.datasets.mnist.load_data()`` in the guides);
  ``name="fashion_mnist"`` for Fashion-MNIST.
* ``cifar10_stand_in(n_train, n_test)``: arrays shaped as CIFAR-10's, made from Fashion-MNIST (padded to 32x32,
  3 channels), for the programs that train on CIFAR-10 (not in the shared datasets).
* ``seeded_weights(model, seed)``: every trainable weight set from a seeded numpy generator (Glorot-uniform
  kernels, a convolution's window counted in the fans; zero biases, unit scales), so both frameworks start
  training from the same point.
"""
import gzip
import os

import numpy as np


def framework():
    if os.environ.get("CHAINRULE_REFERENCE") == "tensorflow":
        import tensorflow as tf
        from tensorflow import keras
    else:
        import chainrule as tf
        from chainrule import keras
    return tf, keras


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist(n_train=None, n_test=None, name="mnist"):
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays (the first ``n_train``/``n_test`` samples);
    ``name="fashion_mnist"`` reads Fashion-MNIST's IDX files instead."""
    folder = os.path.join(os.environ["CHAINRULE_DATA"], name)
    x_train = _idx(os.path.join(folder, "train-images-idx3-ubyte.gz"))[:n_train]
    y_train = _idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"))[:n_train]
    x_test = _idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz"))[:n_test]
    y_test = _idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"))[:n_test]
    return (x_train, y_train), (x_test, y_test)


def cifar10_stand_in(n_train=None, n_test=None):
    """What ``keras.datasets.cifar10.load_data()`` returns in shape and dtype (uint8 images ``(n, 32, 32, 3)``,
    uint8 labels ``(n, 1)`` in 0..9), made from Fashion-MNIST: CIFAR-10 is not in the shared datasets. Each
    28x28 image is padded with 2 black pixels on every side and repeated over the 3 colour channels."""
    (x_train, y_train), (x_test, y_test) = load_mnist(n_train, n_test, name="fashion_mnist")

    def rgb(x):
        return np.repeat(np.pad(x, ((0, 0), (2, 2), (2, 2)))[..., None], 3, axis=-1)
    return (rgb(x_train), y_train[:, None]), (rgb(x_test), y_test[:, None])


def seeded_weights(model, seed=0):
    """Assign every trainable weight of a built model from ``numpy.random.RandomState(seed)``, drawn in
    ``model.weights`` order (the others, such as an adapted Normalization's statistics or a lookup layer's
    vocabulary, keep their values)."""
    rng = np.random.RandomState(seed)
    trainable = {id(w) for w in model.trainable_weights}
    for w in model.weights:
        if id(w) not in trainable:
            continue
        shape = tuple(int(d) for d in w.shape)
        name = w.name.split("/")[-1]
        if any(k in name for k in ("bias", "beta", "moving_mean")):
            value = np.zeros(shape, "float32")
        elif any(k in name for k in ("gamma", "moving_variance")):
            value = np.ones(shape, "float32")
        else:
            receptive_field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1  # a convolution's kernel window
            fan_in = shape[-2] * receptive_field if len(shape) > 1 else 1
            fan_out = shape[-1] * receptive_field if shape else 1
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            value = rng.uniform(-limit, limit, shape).astype("float32")
        w.assign(value)
