"""Seed 001 ("Day_03. MNIST 숫자인식 – 2"): the activation functions and their derivatives.

Step, sigmoid, tanh, ReLU, leaky ReLU (a = 0.1) and softmax, computed with chainrule; each
derivative comes from ``chainrule.GradientTape`` (or, for step and softmax, from the op's own
``backward``) and is checked against its formula. One picture per function, with the seed's file
names, the derivative drawn dashed beside the function, plus one overview of all derivatives.

    python examples/activation_functions.py [--quick] [--out DIR]

Writes ``step_function.png``, ``sigmoid_function.png``, ``Tanh_function.png``, ``Relu_function.png``,
``Leaky_Relu_function.png``, ``Softmax_function.png`` and ``activation_derivatives.png``.
(``--quick`` changes nothing here: the script takes about a second.)
"""
import numpy as np

from _common import banner, parse_args, plt, savefig

import chainrule as tf
from chainrule.ops import Softmax, Step


def tape_derivative(fn, x):
    """Element-wise derivative of ``fn`` at the points ``x``: the gradient of ``sum(fn(x))``."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return y.numpy(), tape.gradient(y, x).numpy()


def plot(out, name, title, x, y, dy, guides=()):
    fig = plt.figure()
    plt.plot(x, y, label="f(x)")
    for gx, gy, style in guides:
        plt.plot(gx, gy, style)
    plt.plot(x, dy, "--", label="f'(x) (chainrule)")
    plt.title(title)
    plt.legend()
    savefig(fig, out, name)


def main():
    args = parse_args(__doc__.splitlines()[0])
    checks = {}
    derivs = {}

    banner("Step function")
    x = np.arange(-6.0, 6.0, 0.1)
    step = Step()
    y = step.forward(x)                    # np.array(x > 0, dtype=int) in the seed
    dy = step.backward(np.ones_like(x))    # the step's gradient: 0 everywhere (the perceptron's problem)
    checks["step"] = float(np.max(np.abs(dy - 0)))
    derivs["step"] = (x, dy)
    plot(args.out, "step_function.png", "Step Function", x, y, dy)

    banner("Sigmoid function")
    y, dy = tape_derivative(tf.sigmoid, x)
    checks["sigmoid"] = float(np.max(np.abs(dy - y * (1 - y))))
    derivs["sigmoid"] = (x, dy)
    print(f"largest slope of the sigmoid: {dy.max():.4f} (at x = {x[np.argmax(dy)]:+.1f}); "
          "stacked sigmoids multiply slopes <= 0.25: the vanishing gradient")
    plot(args.out, "sigmoid_function.png", "Sigmoid function", x, y, dy, [([0, 0], [1.0, 0.0], ":")])

    banner("Hyperbolic tangent")
    xt = np.arange(-6.0, 6.0, 1.0)         # the seed samples tanh every 1.0
    y, dy = tape_derivative(tf.tanh, xt)
    checks["tanh"] = float(np.max(np.abs(dy - (1 - np.tanh(xt) ** 2))))
    derivs["tanh"] = (xt, dy)
    fig = plt.figure()
    plt.plot(xt, y, label="f(x)")
    plt.plot([0, 0], [1.0, -1.0], ':')
    plt.axhline(y=0, color='orange', linestyle='--')
    plt.plot(xt, dy, "--", label="f'(x) (chainrule)")
    plt.title('Tanh Function')
    plt.legend()
    savefig(fig, args.out, "Tanh_function.png")

    banner("ReLU")
    y, dy = tape_derivative(tf.nn.relu, x)
    checks["relu"] = float(np.max(np.abs(dy - (x > 0))))
    derivs["relu"] = (x, dy)
    plot(args.out, "Relu_function.png", "Relu Function", x, y, dy, [([0, 0], [5.0, 0.0], ":")])

    banner("Leaky ReLU (a = 0.1)")
    a = 0.1
    y, dy = tape_derivative(lambda t: tf.maximum(a * t, t), x)
    checks["leaky_relu"] = float(np.max(np.abs(dy - np.where(x > 0, 1.0, a))))
    derivs["leaky_relu"] = (x, dy)
    plot(args.out, "Leaky_Relu_function.png", "Leaky Relu Function", x, y, dy, [([0, 0], [5.0, 0.0], ":")])

    banner("Softmax")
    y = (tf.exp(x) / tf.reduce_sum(tf.exp(x))).numpy()     # the seed: np.exp(x) / np.sum(np.exp(x))
    # d y_i / d x_i (the Jacobian's diagonal): the op's backward with a one-hot upstream gradient.
    op = Softmax()
    op.forward(x)
    dy = np.array([op.backward(np.eye(len(x))[i])[i] for i in range(len(x))])
    checks["softmax"] = float(np.max(np.abs(dy - y * (1 - y))))
    derivs["softmax"] = (x, dy)
    plot(args.out, "Softmax_function.png", "Softmax Function", x, y, dy)

    fig, axes = plt.subplots(2, 3, figsize=(12, 6))
    for ax, (name, (xs, ds)) in zip(axes.ravel(), derivs.items()):
        ax.plot(xs, ds, "r-")
        ax.set_title(f"d/dx {name}")
        ax.grid(True)
    fig.suptitle("Derivatives computed by chainrule (GradientTape / op.backward)")
    fig.tight_layout()
    savefig(fig, args.out, "activation_derivatives.png")

    banner("Derivative check against the formulas")
    for name, err in checks.items():
        print(f"{name:<11} max |chainrule - formula| = {err:.2e}")
    worst = max(checks.values())
    print(f"derivative check: worst error {worst:.2e} -> {'OK' if worst < 1e-6 else 'FAILED'}")


if __name__ == "__main__":
    main()
