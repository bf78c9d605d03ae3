"""GradientTape.watched_variables() after gradient(), as the autodiff guide prints it (TensorFlow: ['x0:0'])."""
import chainrule as tf


def test_watched_variables_survive_the_gradient_call():
    x0 = tf.Variable(3.0, name="x0")
    x1 = tf.Variable(3.0, name="x1", trainable=False)
    x2 = tf.Variable(2.0, name="x2") + 1.0
    with tf.GradientTape() as tape:
        y = (x0 ** 2) + (x1 ** 2) + (x2 ** 2)
    grads = tape.gradient(y, [x0, x1, x2])
    assert [None if g is None else float(g) for g in grads] == [6.0, None, None]
    assert [v.name for v in tape.watched_variables()] == ["x0:0"]
