"""Seed 003 ("텐서플로우 회귀 분석 모델"): linear, polynomial and logistic regression with GradientTape.

1. Linear regression: W and b as ``tf.Variable``, mean squared error, ``tf.optimizers.SGD(0.01)``,
   1,000 steps of ``GradientTape`` + ``apply_gradients`` (the seed ends at W 2.1842, b 0.0995 on
   its own random data), and the fitted line.
2. Polynomial regression: a x^2 + b x + c fitted with ``Adam(0.04).minimize(compute_loss,
   var_list=[a, b, c])`` for 1,000 epochs; the curve before and after training.
3. Logistic (softmax) regression on MNIST: ``tf.data.Dataset.from_tensor_slices(...).repeat()
   .shuffle(5000).batch(256).prefetch(1)``, ``tf.nn.softmax(tf.matmul(x, W) + b)``, the seed's
   clipped cross-entropy, SGD(0.1), 1,000 steps (the seed: test accuracy 0.8057), and five test
   images with their predictions.

    python examples/regression_gradienttape.py [--quick] [--out DIR]

``--quick``: 100 steps/epochs in each part (MNIST: 10,000 training and 2,000 test images).
Data: MNIST from ``$CHAINRULE_DATA`` (part 3).
Writes ``linear_regression.png``, ``polynomial_before.png``, ``polynomial_after.png``,
``logistic_predictions.png``.
"""
import numpy as np

from _common import banner, parse_args, plt, savefig

import chainrule as tf
from chainrule.keras.datasets import mnist
from chainrule.keras.optimizers import Adam


def linear_regression_part(steps, out):
    banner("1. Linear regression")
    learning_rate = 0.01
    training_steps = steps
    X = np.random.randn(50)
    Y = 2 * X + np.random.randn(50)
    W = tf.Variable(np.random.randn(), name='weight')
    b = tf.Variable(np.random.randn(), name='bias')

    def linear_regression(x):
        return W * x + b

    def mean_square(y_pred, y_true):
        return tf.reduce_mean(tf.square(y_pred - y_true))

    optimizer = tf.optimizers.SGD(learning_rate)

    def run_optimization():
        with tf.GradientTape() as tape:
            pred = linear_regression(X)
            loss = mean_square(pred, Y)
        gradients = tape.gradient(loss, [W, b])
        optimizer.apply_gradients(zip(gradients, [W, b]))

    for step in range(1, training_steps + 1):
        run_optimization()
        if step % 50 == 0:
            pred = linear_regression(X)
            loss = mean_square(pred, Y)
            print("step: {:4d}\tloss:{:.4f}\tW: {:.4f}\tb: {:.4f}".format(step, loss, W.numpy(), b.numpy()))
    slope, intercept = np.polyfit(X, Y, 1)
    print(f"least squares on the same data: W {slope:.4f}, b {intercept:.4f}")

    fig = plt.figure()
    plt.plot(X, Y, 'ro', label='Data')
    plt.plot(X, np.array(W * X + b), label='Fitted Line')
    plt.legend()
    plt.grid()
    savefig(fig, out, "linear_regression.png")


def polynomial_regression_part(epochs, out):
    banner("2. Polynomial regression")
    learning_rate = 0.04
    a = tf.Variable(np.random.randn())
    b = tf.Variable(np.random.randn())
    c = tf.Variable(np.random.randn())
    print(a.numpy())
    print(b.numpy())
    print(c.numpy())
    X = np.random.randn(50)
    Y = X**2 + X * np.random.randn(50)

    def draw(label, name):
        line_x = np.arange(min(X), max(X), 0.001)
        line_y = a * line_x ** 2 + b * line_x + c
        x_ = np.arange(-4., 4., 0.001)
        y_ = a_0 * x_ ** 2 + b_0 * x_ + c_0
        fig = plt.figure()
        plt.scatter(X, Y, label='X data')
        plt.plot(x_, y_, 'g--', label='origin line')
        plt.plot(line_x, line_y, 'r--', label=label)
        plt.xlim(-4., 4.)
        plt.legend()
        plt.grid()
        savefig(fig, out, name)

    a_0, b_0, c_0 = a.numpy(), b.numpy(), c.numpy()
    draw('before train', "polynomial_before.png")

    def compute_loss():
        pred_y = a * (np.array(X) ** 2) + b * np.array(X) + c
        loss = tf.reduce_mean((Y - pred_y) ** 2)
        return loss

    optimizer = Adam(learning_rate=learning_rate)
    for epoch in range(1, epochs + 1, 1):
        optimizer.minimize(compute_loss, var_list=[a, b, c])
        if epoch % 100 == 0:
            print("epoch: {:4d}\ta: {:.4f}\tb: {:.4f}\tc: {:.4f}".format(epoch, a.numpy(), b.numpy(), c.numpy()))
    ref = np.polyfit(X, Y, 2)
    print(f"least squares on the same data: a {ref[0]:.4f}, b {ref[1]:.4f}, c {ref[2]:.4f}")
    draw('after train', "polynomial_after.png")


def logistic_regression_part(training_steps, out, quick=False):
    banner("3. Logistic regression on MNIST with tf.data")
    num_classes = 10
    num_features = 784
    learning_rate = 0.1
    batch_size = 256

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    if quick:
        x_train, y_train, x_test, y_test = x_train[:10000], y_train[:10000], x_test[:2000], y_test[:2000]
    x_train, x_test = np.array(x_train, np.float32), np.array(x_test, np.float32)
    x_train, x_test = x_train.reshape([-1, num_features]), x_test.reshape([-1, num_features])
    x_train, x_test = x_train / 255., x_test / 255.

    train_data = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    train_data = train_data.repeat().shuffle(5000).batch(batch_size).prefetch(1)

    W = tf.Variable(tf.random.normal([num_features, num_classes]), name='weight')
    b = tf.Variable(tf.zeros([num_classes]), name='bias')

    def logistic_regression(x):
        return tf.nn.softmax(tf.matmul(x, W) + b)

    def cross_entropy(pred_y, true_y):
        true_y = tf.one_hot(true_y, depth=num_classes)
        pred_y = tf.clip_by_value(pred_y, 1e-9, 1.)
        return tf.reduce_mean(-tf.reduce_sum(true_y * tf.math.log(pred_y), 1))

    def accuracy(y_pred, y_true):
        correct_prediction = tf.equal(tf.argmax(y_pred, 1), tf.cast(y_true, tf.int64))
        return tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

    optimizer = tf.optimizers.SGD(learning_rate)

    def run_optimization(x, y):
        with tf.GradientTape() as tape:
            pred = logistic_regression(x)
            loss = cross_entropy(pred, y)
        gradients = tape.gradient(loss, [W, b])
        optimizer.apply_gradients(zip(gradients, [W, b]))

    for step, (batch_x, batch_y) in enumerate(train_data.take(training_steps), 1):
        run_optimization(batch_x, batch_y)
        if step % 50 == 0:
            pred = logistic_regression(batch_x)
            loss = cross_entropy(pred, batch_y)
            acc = accuracy(pred, batch_y)
            print("step: {:4d}\tloss: {:.4f}\taccuracy: {:.4f}".format(step, loss, acc))

    pred = logistic_regression(x_test)
    print("Test Accuracy: {}".format(accuracy(pred, y_test)))

    num_images = 5
    test_images = x_test[:num_images]
    predictions = logistic_regression(test_images)
    fig = plt.figure(figsize=(30, 8))
    for i in range(1, num_images + 1):
        plt.subplot(1, num_classes, i)
        plt.imshow(np.reshape(test_images[i - 1], [28, 28]), cmap='gray')
        plt.title("Model prediction: {}".format(np.argmax(predictions.numpy()[i - 1])))
    savefig(fig, out, "logistic_predictions.png")


def main():
    args = parse_args(__doc__.splitlines()[0])
    np.random.seed(0)
    tf.random.set_seed(0)
    steps = 100 if args.quick else 1000
    linear_regression_part(steps, args.out)
    polynomial_regression_part(steps, args.out)
    logistic_regression_part(steps, args.out, quick=args.quick)


if __name__ == "__main__":
    main()
