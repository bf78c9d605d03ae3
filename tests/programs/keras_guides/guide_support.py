"""Helpers the adapted Keras guides share, identical under TensorFlow and chainrule (not part of any guide).

* ``framework()``: ``(tf, keras)``: TensorFlow with tf.keras 2 when ``CHAINRULE_REFERENCE=tensorflow`` (the
  expected outputs are made that way), chainrule otherwise.
* ``load_mnist(n_train, n_test)``: MNIST read from ``$CHAINRULE_DATA/mnist``'s IDX files by numpy, so both
  frameworks see the same arrays without a download (``keras.datasets.mnist.load_data()`` in the guides).
* ``seeded_weights(model, seed)``: every trainable weight set from a seeded numpy generator (Glorot-uniform
  kernels, zero biases, unit scales), so both frameworks start training from the same point.
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


def load_mnist(n_train=None, n_test=None):
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays (the first ``n_train``/``n_test`` samples)."""
    folder = os.path.join(os.environ["CHAINRULE_DATA"], "mnist")
    x_train = _idx(os.path.join(folder, "train-images-idx3-ubyte.gz"))[:n_train]
    y_train = _idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"))[:n_train]
    x_test = _idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz"))[:n_test]
    y_test = _idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"))[:n_test]
    return (x_train, y_train), (x_test, y_test)


def seeded_weights(model, seed=0):
    """Set every trainable weight of a built model from ``numpy.random.RandomState(seed)``, in ``model.weights``
    order (the others, such as an adapted Normalization's statistics, keep their values)."""
    rng = np.random.RandomState(seed)
    trainable = {id(w) for w in model.trainable_weights}
    values = []
    for w in model.weights:
        if id(w) not in trainable:
            values.append(w.numpy())
            continue
        shape = tuple(int(d) for d in w.shape)
        name = w.name.split("/")[-1]
        if any(k in name for k in ("bias", "beta", "moving_mean")):
            values.append(np.zeros(shape, "float32"))
        elif any(k in name for k in ("gamma", "moving_variance")):
            values.append(np.ones(shape, "float32"))
        else:
            fan_in = shape[0] if len(shape) > 1 else 1
            fan_out = shape[-1] if shape else 1
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            values.append(rng.uniform(-limit, limit, shape).astype("float32"))
    model.set_weights(values)
