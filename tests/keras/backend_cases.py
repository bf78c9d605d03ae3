"""The keras.backend calls compared with tf.keras 2: ``cases(K)`` returns ``{name: value}`` for fixed inputs.

Imported by ``test_backend.py`` (with chainrule's K) and by ``fixtures/make_backend_fixture.py`` (with
tf.keras 2's K, to write ``fixtures/backend_expected.npz``)."""
import numpy as np

X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]], dtype="float32")
Y = np.array([[2.0, 1.0], [0.0, -1.0], [1.5, 0.5]], dtype="float32")
P = np.array([[0.2, 0.7, 0.1], [0.05, 0.05, 0.9]], dtype="float32")
T = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype="float32")
B3 = np.arange(24, dtype="float32").reshape(2, 3, 4) / 10
W3 = np.arange(24, dtype="float32").reshape(2, 4, 3) / 10


def cases(K):
    x, y = K.constant(X), K.constant(Y)
    out = {
        "square": K.square(x), "mean": K.mean(x), "mean_axis1_keep": K.mean(x, axis=1, keepdims=True),
        "mean_bool": K.mean(K.greater(x, 0.0)), "sum_axis0": K.sum(x, axis=0), "sqrt_neg": K.sqrt(x),
        "exp": K.exp(x), "log_abs": K.log(K.abs(x)), "dot": K.dot(x, y),
        "dot_3d": K.dot(K.constant(B3), K.constant(W3[0])),
        "batch_dot": K.batch_dot(K.constant(B3), K.constant(W3)),
        "concat": K.concatenate([x, x * 2.0]), "concat0": K.concatenate([x, x], axis=0),
        "reshape": K.reshape(x, (3, 2)), "cast": K.cast(K.greater(x, 0.0), "float32"),
        "std": K.std(x), "std_axis0": K.std(x, axis=0), "var_axis1": K.var(x, axis=1), "max": K.max(x, axis=1),
        "min": K.min(x), "prod": K.prod(x, axis=0), "clip": K.clip(x, -1.0, 2.0), "pow": K.pow(K.abs(x), 1.5),
        "relu_leaky_capped": K.relu(x, alpha=0.1, max_value=2.5), "relu": K.relu(x), "elu": K.elu(x, alpha=0.5),
        "softmax": K.softmax(x), "sigmoid": K.sigmoid(x), "hard_sigmoid": K.hard_sigmoid(x),
        "softplus": K.softplus(x), "softsign": K.softsign(x), "tanh": K.tanh(x),
        "bce": K.binary_crossentropy(K.constant(T), K.constant(P)),
        "bce_logits": K.binary_crossentropy(K.constant(T), x, from_logits=True),
        "cce": K.categorical_crossentropy(K.constant(T), K.constant(P)),
        "cce_logits": K.categorical_crossentropy(K.constant(T), x, from_logits=True),
        "scce": K.sparse_categorical_crossentropy(K.constant([1, 2]), K.constant(P)),
        "argmax": K.argmax(x), "argmin_axis0": K.argmin(x, axis=0), "l2_normalize": K.l2_normalize(x, axis=1),
        "expand_dims": K.expand_dims(x), "squeeze": K.squeeze(K.expand_dims(x, 1), 1),
        "stack": K.stack([x, x * 3.0], axis=1), "transpose": K.transpose(x),
        "permute": K.permute_dimensions(K.constant(B3), (0, 2, 1)), "batch_flatten": K.batch_flatten(K.constant(B3)),
        "flatten": K.flatten(x), "tile": K.tile(x, (2, 1)), "repeat_elements": K.repeat_elements(x, 2, axis=1),
        "one_hot": K.one_hot(K.constant([0, 2], dtype="int32"), 3), "cumsum": K.cumsum(x, axis=1),
        "cumprod": K.cumprod(x, axis=0), "switch": K.switch(K.greater(x, 0.0), x, -x),
        "sign": K.sign(x), "round": K.round(x), "maximum": K.maximum(x, 0.5), "minimum": K.minimum(x, 0.5),
        "epsilon": K.epsilon(), "floatx": K.floatx(), "int_shape": K.int_shape(x), "ndim": K.ndim(x),
        "shape": K.shape(x), "dtype": K.dtype(x), "image_data_format": K.image_data_format(),
        "learning_phase": K.learning_phase(), "count_params": K.count_params(K.variable(X)),
        "zeros": K.zeros((2, 3)), "ones": K.ones((2,)), "eye": K.eye(3), "ones_like": K.ones_like(x),
        "arange": K.arange(5), "any": K.any(K.greater(x, 3.0), axis=1), "all": K.all(K.greater(x, -3.0)),
        "get_value": K.get_value(K.variable(X)), "constant_shape": K.constant(2.0, shape=(2, 2)),
        "variable_dtype": K.dtype(K.variable(X)), "random_normal_shape": K.int_shape(K.random_normal((3, 2))),
    }
    v = K.variable(X)
    K.set_value(v, Y.T)
    out["set_value"] = K.get_value(v)
    return {k: (np.asarray(val) if not isinstance(val, (str, tuple, int, float)) else val) for k, val in out.items()}
