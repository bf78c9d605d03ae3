"""Seed 003 ("간단한 신경망 구조"): a neuron, the perceptron update rule, AND / OR / XOR.

As in the seed, with ``import chainrule as tf``: a sigmoid neuron on random tensors; the update
``w <- w + eta (y - y~) x`` repeated 1,000 times for one input, for three inputs, and with a bias;
the AND, OR and XOR gates learned by one neuron (2,000 epochs; XOR cannot be learned by one
neuron); then XOR with a Keras Sequential 2-2-1 sigmoid network, SGD(0.1), mse, 2,000 epochs of
batch 1, and its loss curve.

    python examples/perceptron_gates.py [--quick] [--out DIR]

``--quick``: 200 epochs for the gates and the Keras XOR network. No data needed.
Writes ``gates_error_sum.png`` and ``xor_loss.png``.
"""
import numpy as np

from _common import banner, parse_args, plt, savefig

import chainrule as tf
from chainrule.keras import Sequential
from chainrule.keras.layers import Dense


def sigmoid(x):
    return (1 / (1 + np.exp(-x)))


def Neuron(x, W, bias=0):
    z = x * W + bias
    return sigmoid(z)


def Neuron2(x, W, bias=0):
    z = tf.matmul(x, W, transpose_b=True) + bias
    return sigmoid(z)


def train_gate(name, X, Y, epochs):
    W = tf.random.normal([2], 0, 1)
    b = tf.random.normal([1], 0, 1)
    b_x = 1
    sums = []
    for i in range(epochs):
        error_sum = 0
        for j in range(4):
            output = sigmoid(np.sum(X[j] * W) + b_x + b)
            error = Y[j][0] - output
            W = W + X[j] * 0.1 * error
            b = b + b_x * 0.1 * error
            error_sum += error
        sums.append(float(np.sum(error_sum)))
        if i % 200 == 0:
            print("Epoch {:4d}\tError Sum: {}".format(i, error_sum))
    print('\n가중치\t:{}'.format(W))
    print("편향\t: {}".format(b))
    outputs = []
    for i in range(4):
        out = sigmoid(np.sum(X[i] * W) + b)
        outputs.append(float(np.ravel(out)[0]))
        print("X: {}  Y: {}  Output: {}".format(X[i], Y[i], out))
    correct = sum((o > 0.5) == bool(y[0]) for o, y in zip(outputs, Y))
    print(f"{name} gate, one neuron: {correct}/4 outputs on the right side of 0.5")
    return sums


def main():
    args = parse_args(__doc__.splitlines()[0])
    tf.random.set_seed(0)
    np.random.seed(0)

    banner("A neuron")
    x = tf.random.normal((1, 2), 0, 1)
    W = tf.random.normal((1, 2), 0, 1)
    print('x.shape:', x.shape)
    print('W.shape:', W.shape)
    print(x)
    print(W)
    print(Neuron(x, W))

    banner("Perceptron learning: one input")
    x = 1
    y = 0
    W = tf.random.normal([1], 0, 1)
    print(Neuron(x, W))
    print('y:', y)
    for i in range(1000):
        output = Neuron(x, W)
        error = y - output
        W = W + x * 0.1 * error
        if i % 100 == 99:
            print('{}\t{}\t{}'.format(i + 1, error, output))

    banner("Perceptron learning: three inputs")
    x = tf.random.normal((1, 3), 0, 1)
    y = tf.ones(1)
    W = tf.random.normal((1, 3), 0, 1)
    print(Neuron2(x, W))
    print('y:', y)
    for i in range(1000):
        output = Neuron2(x, W)
        error = y - output
        W = W + x * 0.1 * error
        if i % 100 == 99:
            print('{}\t{}\t{}'.format(i + 1, error, output))

    banner("Perceptron learning: with a bias")
    x = tf.random.normal((1, 3), 0, 1)
    weights = tf.random.normal((1, 3), 0, 1)
    bias = tf.zeros((1, 1))
    y = tf.ones((1, ))
    print("x\t: {}\nweights\t: {}\nbias\t: {}".format(x, weights, bias))
    for i in range(1000):
        output = Neuron2(x, weights, bias=bias)
        error = y - output
        weights = weights + x * 0.1 * error
        bias = bias + 1 * 0.1 * error
        if i % 100 == 99:
            print('{}\t{}\t{}'.format(i + 1, error, output))
    print("x\t: {}\nweights\t: {}\nbias\t: {}".format(x, weights, bias))

    epochs = 200 if args.quick else 2000
    X = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])
    curves = {}
    banner("AND gate")
    curves["AND"] = train_gate("AND", X, np.array([[1], [0], [0], [0]]), epochs)
    banner("OR gate")
    curves["OR"] = train_gate("OR", X, np.array([[1], [1], [1], [0]]), epochs)
    banner("XOR gate")
    curves["XOR"] = train_gate("XOR", X, np.array([[0], [1], [1], [0]]), epochs)

    fig = plt.figure()
    for name, sums in curves.items():
        plt.plot(sums, label=name)
    plt.xlabel("epoch")
    plt.ylabel("error sum")
    plt.title("One neuron: error sum per epoch")
    plt.legend()
    plt.grid()
    savefig(fig, args.out, "gates_error_sum.png")

    banner("XOR with two layers (Keras)")
    np.random.seed(111)
    X4 = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])
    Y4 = np.array([[0], [1], [1], [0]])
    model = Sequential([Dense(units=2, activation='sigmoid', input_shape=(2, )),
                        Dense(units=1, activation='sigmoid'), ])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1), loss='mse')
    model.summary()
    history = model.fit(X4, Y4, epochs=epochs, batch_size=1, verbose=0)
    pred = model.predict(X4)
    print(repr(pred))
    solved = bool(np.all((pred.ravel() > 0.5) == (Y4.ravel() == 1)))
    print(f"XOR, 2-2-1 network after {epochs} epochs: loss {history.history['loss'][-1]:.4f}, "
          f"solved = {solved}")

    fig = plt.figure()
    plt.plot(history.history['loss'])
    plt.xlabel("epoch")
    plt.ylabel("loss (mse)")
    plt.title("XOR, 2-2-1 sigmoid network")
    savefig(fig, args.out, "xor_loss.png")


if __name__ == "__main__":
    main()
