"""The book's SimpleConvNet by hand (deep-learning-from-scratch ch. 7) with chainrule's ops.

1. im2col on the book's two examples, and what one row of the column matrix is.
2. SimpleConvNet: Convolution(30 filters 5x5) -> ReLU -> Pooling(2x2, stride 2) -> Affine(100) -> ReLU
   -> Affine(10) -> SoftmaxWithLoss, forward in order and backward in reverse order, every layer an op
   of ``chainrule.ops`` used by hand (``forward`` / ``backward``), NCHW as in the book.
3. The book's gradient check (ch07/gradient_check.py): a small SimpleConvNet on one 1x10x10 image,
   backprop vs central differences, mean |difference| per parameter.
4. Training on MNIST as the book's train_convnet.py: Adam (lr 0.001), batch 100, train/test accuracy
   after each epoch on 1,000 samples each, the final test accuracy on the whole test set.
5. The 30 first-layer filters before and after training (the book's visualize_filter.py).

    python examples/convnet_from_scratch.py [--quick] [--out DIR] [--epochs N] [--train-size N]

Full mode: 20 epochs on all 60,000 training images (the book's setting). ``--quick``: 2,000 training
images, 2 epochs, 1,000 test images. Data: MNIST from ``$CHAINRULE_DATA``. Writes
``convnet_accuracy.png`` and ``convnet_filters.png``.
"""
import numpy as np

from _common import Timer, banner, parse_args, plt, savefig

from chainrule.keras import datasets
from chainrule.ops import Affine, Convolution, Pooling, ReLU, SoftmaxWithLoss, im2col
from chainrule.testing import numerical_gradient


def im2col_examples():
    banner("1. im2col")
    rng = np.random.default_rng(0)
    x1 = rng.random((1, 3, 7, 7))                  # 1 image, 3 channels, 7x7
    col1 = im2col(x1, 5, 5, stride=1, pad=0)
    print("im2col(x1 (1, 3, 7, 7), 5, 5).shape =", col1.shape)          # (9, 75)
    x2 = rng.random((10, 3, 7, 7))
    col2 = im2col(x2, 5, 5, stride=1, pad=0)
    print("im2col(x2 (10, 3, 7, 7), 5, 5).shape =", col2.shape)         # (90, 75)
    print("row 0 = the top-left 5x5 window of each channel, flattened channel by channel:",
          np.array_equal(col1[0], x1[0, :, :5, :5].ravel()))


class SimpleConvNet:
    """conv - relu - pool - affine - relu - affine - softmax, as in the book.

    ``params``: ``W1 (FN, C, FH, FW)``, ``b1 (FN,)``, ``W2 (FN * PH * PW, hidden)``, ``b2``,
    ``W3 (hidden, 10)``, ``b3``. Each pass builds fresh ops: an op keeps what its backward needs
    from one forward.
    """

    def __init__(self, input_dim=(1, 28, 28), filter_num=30, filter_size=5, pad=0, stride=1,
                 hidden_size=100, output_size=10, weight_init_std=0.01, rng=None, dtype=np.float64):
        rng = np.random.default_rng(0) if rng is None else rng
        channels, size = input_dim[0], input_dim[1]
        conv_out = (size - filter_size + 2 * pad) // stride + 1
        pool_out = conv_out // 2
        self.conv_param = dict(stride=stride, pad=pad)

        def init(*shape):
            return (weight_init_std * rng.standard_normal(shape)).astype(dtype)

        self.params = {
            "W1": init(filter_num, channels, filter_size, filter_size), "b1": np.zeros(filter_num, dtype),
            "W2": init(filter_num * pool_out * pool_out, hidden_size), "b2": np.zeros(hidden_size, dtype),
            "W3": init(hidden_size, output_size), "b3": np.zeros(output_size, dtype),
        }

    def predict(self, x):
        p = self.params
        self.layers = [Convolution(**self.conv_param), ReLU(), Pooling(pool_h=2, pool_w=2, stride=2),
                       Affine(), ReLU(), Affine()]
        conv, relu1, pool, affine1, relu2, affine2 = self.layers
        h = relu1.forward(conv.forward(x, p["W1"], p["b1"]))
        h = pool.forward(h)
        self.pool_shape = h.shape
        h = relu2.forward(affine1.forward(h.reshape(h.shape[0], -1), p["W2"], p["b2"]))
        return affine2.forward(h, p["W3"], p["b3"])

    def loss(self, x, t):
        self.last_layer = SoftmaxWithLoss()
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x, t, batch_size=100):
        correct = 0
        for i in range(0, x.shape[0], batch_size):
            correct += int(np.sum(np.argmax(self.predict(x[i:i + batch_size]), axis=1) == t[i:i + batch_size]))
        return correct / x.shape[0]

    def gradient(self, x, t):
        """Backprop: forward, then each op's backward in reverse order. Keeps the loss in ``last_loss``."""
        self.last_loss = float(self.loss(x, t))
        conv, relu1, pool, affine1, relu2, affine2 = self.layers
        dout, _ = self.last_layer.backward(1)
        dout, dW3, db3 = affine2.backward(dout)
        dout, dW2, db2 = affine1.backward(relu2.backward(dout))
        dout = relu1.backward(pool.backward(dout.reshape(self.pool_shape)))
        conv.needs_input_grad = (False, True, True)   # nothing needs d(loss)/d(image): skip that GEMM
        _, dW1, db1 = conv.backward(dout)
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}

    def numerical_gradient(self, x, t, eps=1e-5):
        """Central differences. The book steps by 1e-4; with weights of std 0.01 that step moves one
        W1 entry's window across a max-pooling tie/ReLU kink here, so the step is 1e-5."""
        def loss_w(_):
            return self.loss(x, t)
        return {key: numerical_gradient(loss_w, self.params[key], eps=eps) for key in self.params}


def gradient_check():
    banner("3. Gradient check (the book's ch07/gradient_check.py): mean |backprop - numerical|")
    rng = np.random.default_rng(1)
    network = SimpleConvNet(input_dim=(1, 10, 10), filter_num=10, filter_size=3, hidden_size=10,
                            output_size=10, weight_init_std=0.01, rng=rng)
    x = rng.random((1, 1, 10, 10))
    t = np.array([1])
    grad_num = network.numerical_gradient(x, t)
    grad = network.gradient(x, t)
    worst = 0.0
    for key in grad_num:
        diff = float(np.mean(np.abs(grad_num[key] - grad[key])))
        scale = float(np.mean(np.abs(grad_num[key]))) or 1.0
        worst = max(worst, diff / scale)
        print(f"{key} {diff:.3e}   (relative {diff / scale:.1e})")
    print(f"gradient check: worst relative difference {worst:.1e} -> {'OK' if worst < 1e-6 else 'FAILED'}")


class Adam:
    """The book's Adam (common/optimizer.py): bias correction folded into the step size."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2, self.iter = lr, beta1, beta2, 0
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(v) for k, v in params.items()}
            self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for key in params:
            g = grads[key]
            self.m[key] += (1 - self.beta1) * (g - self.m[key])
            self.v[key] += (1 - self.beta2) * (g * g - self.v[key])
            params[key] -= (lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)).astype(params[key].dtype)


def train(network, x_train, t_train, x_test, t_test, epochs, batch_size=100, evaluate_sample_num=1000):
    banner(f"4. Training: Adam(lr=0.001), batch {batch_size}, {epochs} epoch(s) on {len(x_train):,} images")
    rng = np.random.default_rng(2)
    optimizer = Adam(lr=0.001)
    iter_per_epoch = max(len(x_train) // batch_size, 1)
    train_acc, test_acc = [], []
    with Timer() as timer:
        for epoch in range(1, epochs + 1):
            for it in range(iter_per_epoch):
                mask = rng.choice(len(x_train), batch_size)
                grads = network.gradient(x_train[mask], t_train[mask])
                optimizer.update(network.params, grads)
                if it % 100 == 0:
                    print(f"train loss:{network.last_loss:.4f}")
            train_acc.append(network.accuracy(x_train[:evaluate_sample_num], t_train[:evaluate_sample_num]))
            test_acc.append(network.accuracy(x_test[:evaluate_sample_num], t_test[:evaluate_sample_num]))
            print(f"=== epoch:{epoch}, train acc:{train_acc[-1]:.4f}, test acc:{test_acc[-1]:.4f} ===")
    final = network.accuracy(x_test, t_test)
    print("=============== Final Test Accuracy ===============")
    print(f"test acc:{final:.4f}")
    print(f"training time: {timer.seconds:.1f} s ({timer.seconds / (epochs * iter_per_epoch) * 1000:.1f} ms per "
          f"iteration of batch {batch_size})")
    return train_acc, test_acc


def plot_accuracy(train_acc, test_acc, out):
    fig = plt.figure(figsize=(6, 4))
    epochs = np.arange(1, len(train_acc) + 1)
    plt.plot(epochs, train_acc, marker="o", label="train", markevery=2)
    plt.plot(epochs, test_acc, marker="s", label="test", markevery=2)
    plt.xlabel("epochs")
    plt.ylabel("accuracy")
    plt.ylim(0, 1.0)
    plt.legend(loc="lower right")
    savefig(fig, out, "convnet_accuracy.png")


def plot_filters(before, after, out):
    banner("5. The first layer's 30 filters, before and after training")
    fig, axes = plt.subplots(6, 10, figsize=(10, 6.5))
    fig.subplots_adjust(hspace=0.45)
    for row, (title, filters) in enumerate((("before", before), ("after", after))):
        for i in range(30):
            ax = axes[row * 3 + i // 10, i % 10]
            ax.imshow(filters[i, 0], cmap="gray_r", interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[row * 3, 0].set_title(title, loc="left")
    savefig(fig, out, "convnet_filters.png")


def main():
    def extra(parser):
        parser.add_argument("--epochs", type=int, default=None, help="epochs (default 20; 2 with --quick)")
        parser.add_argument("--train-size", type=int, default=None,
                            help="training images (default 60,000; 2,000 with --quick)")
    args = parse_args(__doc__.splitlines()[0], extra=extra)
    im2col_examples()

    banner("2. SimpleConvNet: conv(30, 5x5) - relu - pool(2x2) - affine(100) - relu - affine(10) - softmax")
    (x_train, t_train), (x_test, t_test) = datasets.mnist.load_data()
    train_size = args.train_size or (2000 if args.quick else len(x_train))
    epochs = args.epochs or (2 if args.quick else 20)
    x_train = (x_train[:train_size, None] / 255.0).astype(np.float32)     # (N, 1, 28, 28), as load_mnist(flatten=False)
    t_train = t_train[:train_size].astype(np.int64)
    n_test = 1000 if args.quick else len(x_test)
    x_test = (x_test[:n_test, None] / 255.0).astype(np.float32)
    t_test = t_test[:n_test].astype(np.int64)
    network = SimpleConvNet(dtype=np.float32)
    print("x_train.shape:", x_train.shape, " x_test.shape:", x_test.shape)
    for key, value in network.params.items():
        print(f"{key}: {value.shape}")
    scores = network.predict(x_train[:2])
    print("predict(x_train[:2]).shape:", scores.shape, " loss:", f"{float(network.loss(x_train[:2], t_train[:2])):.4f}")

    gradient_check()

    filters_before = network.params["W1"].copy()
    train_acc, test_acc = train(network, x_train, t_train, x_test, t_test, epochs)
    plot_accuracy(train_acc, test_acc, args.out)
    plot_filters(filters_before, network.params["W1"], args.out)


if __name__ == "__main__":
    main()
