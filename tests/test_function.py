"""chainrule.function: same results as the Python function, traced once per signature, honest fallbacks."""
import numpy as np
import pytest

import chainrule as tf


def test_seed_examples_return_tensors_like_tensorflow():
    @tf.function
    def my_function(x):
        return x ** 2 - 10 * x + 3

    assert str(my_function(tf.constant(2))) == "chainrule.Tensor(-13, shape=(), dtype=int32)"
    assert str(my_function(2)) == "chainrule.Tensor(-13, shape=(), dtype=int32)"
    assert my_function.python_function(2) == -13  # the original Python function

    def function_to_get_faster(x, y, b):
        return tf.matmul(x, y) + b

    fast = tf.function(function_to_get_faster)
    x1, y1, b1 = tf.constant([[1., 2.]]), tf.constant([[2.], [3.]]), tf.constant(4.)
    np.testing.assert_array_equal(fast(x1, y1, b1).numpy(), [[12.0]])


def test_traces_once_per_signature_and_replays_with_new_values():
    calls = []

    @tf.function
    def f(x, scale):
        calls.append(1)  # Python side effects run only while tracing, as in TensorFlow
        return tf.reduce_sum(x * scale) + tf.reduce_max(x)

    a = np.arange(6, dtype="float32").reshape(2, 3)
    assert float(f(a, 2.0)) == pytest.approx(30 + 5)
    assert float(f(a + 1, 2.0)) == pytest.approx(42 + 6)
    assert f.trace_count == 1 and len(calls) == 1
    f(a, 3.0)  # a new Python value is a new signature
    f(np.ones((4, 3), "float32"), 2.0)  # so is a new shape
    assert f.trace_count == 3


def test_variables_are_read_at_call_time():
    v = tf.Variable(2.0)

    @tf.function
    def f(x):
        return x * v

    assert float(f(tf.constant(3.0))) == 6.0
    v.assign(5.0)
    assert float(f(tf.constant(3.0))) == 15.0
    assert f.trace_count == 1


def test_value_dependent_python_branch_falls_back_to_eager():
    @tf.function
    def branchy(x):
        if tf.reduce_sum(x) > 0:
            return x * 2
        return x * -1

    np.testing.assert_array_equal(branchy(tf.constant([1., 2.])).numpy(), [2., 4.])
    np.testing.assert_array_equal(branchy(tf.constant([-1., -2.])).numpy(), [1., 2.])


def test_comparisons_and_argmax_are_replayed_not_frozen():
    @tf.function
    def accuracy(y_pred, y_true):
        correct = tf.equal(tf.argmax(y_pred, 1), tf.cast(y_true, tf.int64))
        return tf.reduce_mean(tf.cast(correct, tf.float32))

    p = np.array([[0.9, 0.1], [0.2, 0.8]], "float32")
    assert float(accuracy(p, np.array([0, 1]))) == 1.0
    assert float(accuracy(p, np.array([1, 0]))) == 0.0


def test_gradients_through_a_function_under_a_tape():
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def loss(x):
        return tf.reduce_sum(w * x)

    loss(tf.constant([1.0, 1.0]))
    with tf.GradientTape() as tape:
        value = loss(tf.constant([3.0, 4.0]))
    np.testing.assert_array_equal(tape.gradient(value, w).numpy(), [3.0, 4.0])
    assert float(value) == 11.0


def test_train_step_with_tape_and_optimizer_inside_runs_eagerly_every_call():
    w = tf.Variable(0.0)
    opt = tf.optimizers.SGD(0.1)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = (w - 3.0) ** 2
        opt.apply_gradients([(tape.gradient(loss, w), w)])
        return loss

    for _ in range(50):
        step()
    assert float(w.numpy()) == pytest.approx(3.0, abs=1e-3)


def test_keras_model_as_function_matches_eager():
    class SequentialModel(tf.keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.flatten = tf.keras.layers.Flatten(input_shape=(28, 28))
            self.dense_1 = tf.keras.layers.Dense(128, activation="relu")
            self.dropout = tf.keras.layers.Dropout(0.2)
            self.dense_2 = tf.keras.layers.Dense(10)

        def call(self, x):
            return self.dense_2(self.dropout(self.dense_1(self.flatten(x))))

    input_data = tf.random.uniform([60, 28, 28])
    eager_model = SequentialModel()
    graph_model = tf.function(eager_model)
    expected = eager_model(input_data).numpy()
    np.testing.assert_allclose(graph_model(input_data).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(graph_model(input_data).numpy(), expected, rtol=1e-6)
    assert graph_model.trace_count == 1
