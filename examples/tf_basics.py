"""Seed 003 ("텐서플로우(Tensorflow) 기초"): tensors, eager execution, tf.function and GradientTape.

Every cell of the seed's TensorFlow-basics section, with ``import chainrule as tf``: ranks and
dtypes of constants, random tensors, eager arithmetic, NumPy interop, slicing with ``...`` and
``tf.newaxis``, matrix products, the float64 + float32 error and ``tf.cast``, ``@tf.function`` and
``python_function``, ``tf.autograph.to_code`` (a note when chainrule lacks it), Variables, and
GradientTape (one-shot tape, ``stop_gradient`` with a dict of sources, ``persistent=True``).

    python examples/tf_basics.py [--quick] [--out DIR]

No data needed. Writes ``tf_random_distributions.png`` (histograms of ``tf.random.uniform`` and
``tf.random.normal``).
"""
import numpy as np

from _common import banner, parse_args, plt, savefig

import chainrule as tf


def main():
    args = parse_args(__doc__.splitlines()[0])
    tf.random.set_seed(0)
    print(tf.__version__)

    banner("Tensors: rank, shape, dtype")
    a = tf.constant(2)
    print(tf.rank(a))
    print(a)
    b = tf.constant([2, 3])
    print(tf.rank(b))
    print(b)
    c = tf.constant([[2, 3], [6, 7]])
    print(tf.rank(c))
    print(c)
    d = tf.constant(['Hello'])
    print(tf.rank(d))
    print(d)

    banner("Random numbers")
    rand = tf.random.uniform([1], 0, 1)
    print(rand.shape)
    print(rand)
    rand2 = tf.random.normal([1, 2], 0, 1)
    print(rand2.shape)
    print(rand2)
    rand3 = tf.random.normal(shape=(3, 2), mean=0, stddev=1)
    print(rand3.shape)
    print(rand3)

    banner("Eager mode")
    a = tf.constant(2)
    b = tf.constant(3)
    print(tf.add(a, b))
    print(a + b)
    print(tf.subtract(a, b))
    print(a - b)
    print(tf.multiply(a, b))
    print(a * b)

    banner("TensorFlow <-> NumPy")
    c = tf.add(a, b).numpy()
    print(type(c))
    c_square = np.square(c, dtype=np.float32)
    c_tensor = tf.convert_to_tensor(c_square)
    print(c_tensor)
    print(type(c_tensor))

    banner("Like NumPy")
    t = tf.constant([[1., 2., 3.], [4., 5., 6.]])
    print(t.shape)
    print(t.dtype)
    print(t[:, 1:])
    print(repr(t[..., 1, tf.newaxis]))
    print(repr(t + 10))
    print(repr(tf.square(t)))
    print(repr(t @ tf.transpose(t)))

    banner("Type conversion")
    t = tf.constant(30., dtype=tf.float64)
    t2 = tf.constant(4.)
    try:
        print(t + t2)
    except Exception as exc:  # TensorFlow raises InvalidArgumentError
        print(f"{type(exc).__name__}: {exc}")
    print(t2 + tf.cast(t, tf.float32))

    banner("@tf.function")

    @tf.function
    def my_function(x):
        return x**2 - 10 * x + 3

    print(my_function(2))
    print(my_function(tf.constant(2)))

    def my_function_(x):
        return x**2 - 10 * x + 3

    print(my_function_(2))
    print(my_function_(tf.constant(2)))
    tf_my_func = tf.function(my_function_)
    print(tf_my_func(2))
    print(tf_my_func(tf.constant(2)))
    print(tf_my_func.python_function(2))

    def function_to_get_faster(x, y, b):
        x = tf.matmul(x, y)
        x = x + b
        return x

    a_function_that_uses_a_graph = tf.function(function_to_get_faster)
    x1 = tf.constant([[1., 2.]])
    y1 = tf.constant([[2.], [3.]])
    b1 = tf.constant(4.)
    print(repr(a_function_that_uses_a_graph(x1, y1, b1).numpy()))

    def inner_function(x, y, b):
        x = tf.matmul(x, y)
        x = x + b
        return x

    @tf.function
    def outer_function(x):
        y = tf.constant([[2.], [3.]])
        b = tf.constant(4.)
        return inner_function(x, y, b)

    print(repr(outer_function(tf.constant([[1., 2.]])).numpy()))

    if hasattr(tf, "autograph"):
        print(tf.autograph.to_code(my_function.python_function))
    else:
        print("(note: tf.autograph.to_code is not available in chainrule: chainrule.function traces the "
              "Python function and replays the recorded ops, it does not rewrite the source)")

    banner("Variables")
    X = tf.Variable(20.)
    print(X)

    banner("GradientTape")
    x = tf.Variable(3.)
    with tf.GradientTape() as tape:
        y = x**2
    dy_dx = tape.gradient(y, x)
    print(dy_dx.numpy())
    first_grad = float(dy_dx.numpy())
    x2 = tf.Variable(4)
    try:
        dy_dx = tape.gradient(y, x2)
        print(dy_dx.numpy())
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}")

    x = tf.Variable(2.)
    y = tf.Variable(3.)
    with tf.GradientTape() as tape:
        y_sq = y**2
        z = x**2 + tf.stop_gradient(y_sq)
    grad = tape.gradient(z, {'x': x, 'y': y})
    print('dz/dx:', grad['x'])
    print('dz/dy:', grad['y'])

    weights = tf.Variable(tf.random.normal((3, 2)), name='weights')
    biases = tf.Variable(tf.zeros(2, dtype=tf.float32), name='biases')
    x = [[1., 2., 3.]]
    with tf.GradientTape(persistent=True) as tape:
        y = x @ weights + biases
        loss = tf.reduce_mean(y**2)
    [dl_dw, dl_db] = tape.gradient(loss, [weights, biases])
    print(weights.shape)
    print(dl_dw.shape)
    # The persistent tape can be asked again; dl/dw = x^T @ (2 y / 2) here.
    expected = np.array(x).T @ (y.numpy())
    print("persistent tape, second call matches x.T @ y:", np.allclose(tape.gradient(loss, weights).numpy(), expected))
    del tape
    print(f"GradientTape: dy/dx of x**2 at 3 = {first_grad}, dz/dx = {grad['x'].numpy()}, dz/dy = {grad['y']}")

    uniform = tf.random.uniform([10000], 0, 1).numpy()
    normal = tf.random.normal([10000], 0, 1).numpy()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.hist(uniform, bins=50)
    ax1.set_title(f"tf.random.uniform: mean {uniform.mean():.3f}")
    ax2.hist(normal, bins=50)
    ax2.set_title(f"tf.random.normal: mean {normal.mean():.3f}, std {normal.std():.3f}")
    savefig(fig, args.out, "tf_random_distributions.png")


if __name__ == "__main__":
    main()
