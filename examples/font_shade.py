"""Seed 002 ("[개발자를 위한 수학] 신경망 - 2"): the chain rule by hand on the light/dark font data.

A 3-3-1 network (ReLU hidden layer, logistic output, squared error) predicts whether a light
or a dark font reads better on an RGB background. As in the seed:

1. a forward pass with random weights and its (chance-level) accuracy;
2. the partial derivatives of the cost, printed symbolically with sympy (skipped when sympy
   is not installed);
3. training by single-sample stochastic gradient descent with the seed's ``backward_prop``
   (L = 0.05, 100,000 steps), then the test accuracy. The seed's gradients are also compared
   with ``chainrule.GradientTape`` on one sample;
4. the same task with the Keras API (in place of the seed's scikit-learn MLPClassifier:
   one hidden layer of 3 ReLU units, SGD with learning rate 0.05; the division by 255 is a
   ``Rescaling`` layer), saved to ``<out>/font_shade.keras``, which ``keras.models.load_model``
   reads back and ``chainrule predict <out>/font_shade.keras --labels LIGHT,DARK`` answers;
5. the seed's interactive shell: type ``R,G,B`` and get LIGHT or DARK. It also reads
   from a pipe and stops at end of input or on an empty line::

       echo "0,0,0" | python examples/font_shade.py --quick

Data: ``light_dark_font_training_set.csv`` from ``$CHAINRULE_DATA`` (``keras.utils.get_file``
downloads the seed's URL when it is not there). Writes ``font_shade_training.png``.
"""
import os
import sys
import warnings

import numpy as np
import pandas as pd

from _common import Timer, banner, parse_args, plt, savefig, seed_file
from sklearn.model_selection import train_test_split

import chainrule as tf
from chainrule import keras

SEED_URL = "http://tinyurl.com/y2qmhfsr"


def symbolic_derivatives():
    banner("2. The derivatives, symbolically (sympy)")
    try:
        from sympy import Max, diff, exp, symbols
    except ImportError:
        print("sympy is not installed: skipping the symbolic derivatives (pip install sympy).")
        return
    W1, W2, B1, B2, A1, A2, Z1, Z2, X, y = symbols(' W1 W2 B1 B2 A1 A2 Z1 Z2 X Y')
    C = (A2 - y) ** 2
    dC_dA2 = diff(C, A2)
    print("dC_dA2 = ", dC_dA2)
    logistic = lambda x: 1 / (1 + exp(-x))  # noqa: E731
    A2 = logistic(Z2)
    dA2_dZ2 = diff(A2, Z2)
    print("dA2_dZ2 = ", dA2_dZ2)
    _Z2 = A1 * W2 + B2
    dZ2_dA1 = diff(_Z2, A1)
    print("dZ2_dA1 =", dZ2_dA1)
    dZ2_dW2 = diff(_Z2, W2)
    print("dZ2_dW2 = ", dZ2_dW2)
    dZ2_dB2 = diff(_Z2, B2)
    print("dZ2_dB2 = ", dZ2_dB2)
    relu = lambda x: Max(x, 0)  # noqa: E731  (the seed writes Max(X, 0); the result is not used)
    _A1 = relu(Z1)  # noqa: F841
    d_relu = lambda x: x > 0  # noqa: E731
    dA1_dZ1 = d_relu(Z1)
    print("dA1_dZ1 = ", dA1_dZ1)
    _Z1 = X * W1 + B1
    dZ1_dW1 = diff(_Z1, W1)
    print("dZ1_dW1 =", dZ1_dW1)
    dZ1_dB1 = diff(_Z1, B1)
    print("dZ1_dB1 =", dZ1_dB1)


def main():
    args = parse_args(__doc__.splitlines()[0])
    np.random.seed(0)
    keras.utils.set_random_seed(0)

    banner("1. Data and a forward pass with random weights")
    csv_path = seed_file("light_dark_font_training_set.csv", SEED_URL)
    all_data = pd.read_csv(csv_path)
    all_inputs = (all_data.iloc[:, 0:3].values / 255.0)
    all_outputs = all_data.iloc[:, -1].values
    X_train, X_test, y_train, y_test = train_test_split(all_inputs, all_outputs, test_size=1 / 3)
    n = X_train.shape[0]
    print(f"{len(all_data)} colours: {n} for training, {len(X_test)} for testing")

    w_hidden = np.random.rand(3, 3)
    w_output = np.random.rand(1, 3)
    b_hidden = np.random.rand(3, 1)
    b_output = np.random.rand(1, 1)

    relu = lambda x: np.maximum(x, 0)  # noqa: E731
    logistic = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731

    def forward_prop(X):
        Z1 = w_hidden @ X + b_hidden
        A1 = relu(Z1)
        Z2 = w_output @ A1 + b_output
        A2 = logistic(Z2)
        return Z1, A1, Z2, A2

    def test_accuracy():
        test_predictions = forward_prop(X_test.transpose())[3]
        test_comparisons = np.equal((test_predictions >= .5).flatten().astype(int), y_test)
        return sum(test_comparisons.astype(int) / X_test.shape[0])

    print("정확도: {:.2f}  (random weights)".format(test_accuracy()))

    symbolic_derivatives()

    d_relu = lambda x: x > 0  # noqa: E731
    d_logistic = lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2  # noqa: E731

    def backward_prop(Z1, A1, Z2, A2, X, y):
        dC_dA2 = 2 * A2 - 2 * y
        dA2_dZ2 = d_logistic(Z2)
        dZ2_dA1 = w_output
        dZ2_dW2 = A1
        dZ2_dB2 = 1
        dA1_dZ1 = d_relu(Z1)
        dZ1_dW1 = X
        dZ1_dB1 = 1
        dC_dW2 = dC_dA2 @ dA2_dZ2 @ dZ2_dW2.T
        dC_dB2 = dC_dA2 @ dA2_dZ2 * dZ2_dB2
        dC_dA1 = dC_dA2 @ dA2_dZ2 @ dZ2_dA1
        dC_dW1 = dC_dA1 @ dA1_dZ1 @ dZ1_dW1.T
        dC_dB1 = dC_dA1 @ dA1_dZ1 * dZ1_dB1
        return dC_dW1, dC_dB1, dC_dW2, dC_dB2

    banner("3a. The seed's backward_prop beside chainrule.GradientTape (one sample)")
    X_sample, y_sample = X_train[[0]].transpose(), y_train[[0]]
    seed_grads = backward_prop(*forward_prop(X_sample), X_sample, y_sample)
    params = [tf.Variable(v, dtype=tf.float64) for v in (w_hidden, b_hidden, w_output, b_output)]
    with tf.GradientTape() as tape:
        Z1 = params[0] @ tf.constant(X_sample) + params[1]
        A2 = tf.sigmoid(params[2] @ tf.nn.relu(Z1) + params[3])
        C = tf.reduce_sum((A2 - tf.constant(y_sample, dtype=tf.float64)) ** 2)
    tape_grads = tape.gradient(C, params)
    for name, mine, ref in zip(("dC_dW1", "dC_dB1", "dC_dW2", "dC_dB2"), seed_grads, tape_grads):
        diff = np.max(np.abs(np.broadcast_to(mine, ref.shape) - ref.numpy()))
        print(f"{name}: seed shape {np.shape(mine)}, exact shape {tuple(ref.shape)}, max |seed - tape| = {diff:.3g}")
    print("(W2, B2 agree. For the hidden layer the seed's matrix products sum over the 3 hidden units, so every\n"
          " row of w_hidden gets the same update; the exact gradient is the outer product (dC_dA1.T * dA1_dZ1) @ X.T.\n"
          " Training below uses the seed's formulas, as published.)")

    steps = 1500 if args.quick else 100000
    banner(f"3b. Stochastic gradient descent, L = 0.05, {steps:,} single-sample steps")
    L = 0.05
    curve_steps, curve_acc = [], []
    with Timer() as t:
        for i in range(steps):
            idx = np.random.choice(n, 1, replace=False)
            X_sample = X_train[idx].transpose()
            y_sample = y_train[idx]
            Z1, A1, Z2, A2 = forward_prop(X_sample)
            dW1, dB1, dW2, dB2 = backward_prop(Z1, A1, Z2, A2, X_sample, y_sample)
            w_hidden -= L * dW1
            b_hidden -= L * dB1
            w_output -= L * dW2
            b_output -= L * dB2
            if i % (steps // 50) == 0 or i == steps - 1:
                curve_steps.append(i + 1)
                curve_acc.append(test_accuracy())
    accuracy = test_accuracy()
    print("정확도: {:.2f}".format(accuracy))
    print(f"by-hand network test accuracy: {accuracy:.4f} ({t.seconds:.1f} s)")

    banner("4. The same task with the Keras API")
    # The seed's scikit-learn version: MLPClassifier(solver='sgd', hidden_layer_sizes=(3, ), activation='relu',
    # learning_rate_init=.05) on X / 255. Here the division by 255 is a Rescaling layer inside the model, so
    # the saved model takes raw R,G,B values (what `chainrule predict` reads).
    df = pd.read_csv(csv_path, delimiter=',')
    X = df.values[:, :-1].astype("float32")
    Y = df.values[:, -1]
    X_train_k, X_test_k, Y_train_k, Y_test_k = train_test_split(X, Y, test_size=1 / 3)
    from chainrule.keras.layers import Dense, Rescaling
    from chainrule.keras.models import Sequential
    from chainrule.keras.optimizers import SGD
    model = Sequential([Rescaling(1 / 255, input_shape=(3,), name="rescaling"),
                        Dense(3, activation="relu", name="hidden"),
                        Dense(1, activation="sigmoid", name="output")], name="font_shade")
    model.compile(optimizer=SGD(learning_rate=.05), loss="binary_crossentropy", metrics=["accuracy"])
    model.summary()
    epochs = 10 if args.quick else 300
    history = model.fit(X_train_k, Y_train_k, epochs=epochs, batch_size=32, verbose=0,
                        validation_data=(X_test_k, Y_test_k))
    for w in model.get_weights():
        print(np.array2string(w, precision=4))
    train_acc = model.evaluate(X_train_k, Y_train_k, verbose=0)[1]
    test_acc = model.evaluate(X_test_k, Y_test_k, verbose=0)[1]
    print("훈련 세트 점수: %f" % train_acc)
    print("테스트 세트 점수: %f" % test_acc)
    print(f"keras model test accuracy: {test_acc:.4f} ({epochs} epochs)")

    path = os.path.join(args.out, "font_shade.keras")
    try:
        model.save(path)
        restored = keras.models.load_model(path)
        same = np.allclose(restored.predict(X_test_k, verbose=0), model.predict(X_test_k, verbose=0))
        print(f"[saved] {path} (reloaded with keras.models.load_model: predictions identical = {same})")
        print(f"  try: echo 0,0,0 | chainrule predict {path} --labels LIGHT,DARK")
    except Exception as exc:  # saving is still being finished in chainrule
        print(f"NOTE: model.save('{path}') does not work yet in chainrule: {type(exc).__name__}: {exc}")

    banner("4b. The seed's scikit-learn MLPClassifier, and the Keras model as a scikit-learn estimator")
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from chainrule.keras.wrappers import KerasClassifier
    nn = MLPClassifier(solver='sgd', hidden_layer_sizes=(3, ), activation='relu',
                       max_iter=50 if args.quick else 100000, learning_rate_init=.05, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # --quick stops it early on purpose
        nn.fit(X_train_k / 255.0, Y_train_k)
    print("MLPClassifier 테스트 세트 점수: %f" % nn.score(X_test_k / 255.0, Y_test_k))

    def font_shade_model():
        return Sequential([Rescaling(1 / 255, input_shape=(3,)), Dense(3, activation="relu"),
                           Dense(1, activation="sigmoid")])

    clf = KerasClassifier(font_shade_model, optimizer="sgd", optimizer__learning_rate=.05, epochs=epochs,
                          batch_size=32, verbose=0, random_state=0)
    clf.fit(X_train_k, Y_train_k)
    print("KerasClassifier 테스트 세트 점수: %f" % clf.score(X_test_k, Y_test_k))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.plot(curve_steps, curve_acc, "b-")
    ax1.set_title("By hand (seed's backward_prop): test accuracy")
    ax1.set_xlabel("SGD step"), ax1.set_ylabel("accuracy"), ax1.grid(True)
    ep = range(1, epochs + 1)
    ax2.plot(ep, history.history["accuracy"], "b-", label="train")
    ax2.plot(ep, history.history["val_accuracy"], "r-", label="test")
    ax2.set_title("Keras API: accuracy")
    ax2.set_xlabel("epoch"), ax2.set_ylabel("accuracy"), ax2.grid(True), ax2.legend()
    savefig(fig, args.out, "font_shade_training.png")

    banner("5. Interactive shell (R,G,B; an empty line or end of input quits)")

    # The seed's version calls .transpose(X) and forward_prop() without argument; both are fixed here.
    def predict_probability(r, g, b):
        X = np.array([[r, g, b]]).transpose() / 255
        Z1, A1, Z2, A2 = forward_prop(X)
        return A2

    def predict_font_shade(r, g, b):
        output_values = predict_probability(r, g, b)
        if output_values > .5:
            return "DARK"
        else:
            return "LIGHT"

    while True:
        try:
            col_input = input("밝은 글꼴과 어두운 글꼴 예측. R, G, B 입력:")
        except EOFError:
            print()
            break
        if not sys.stdin.isatty():
            print(col_input)
        if not col_input.strip() or col_input.strip().lower() in ("q", "quit", "exit"):
            break
        try:
            (r, g, b) = col_input.split(",")
            r, g, b = int(r), int(g), int(b)
        except ValueError:
            print("please type three integers separated by commas, e.g. 255,128,0")
            continue
        keras_p = float(model.predict(np.array([[r, g, b]], dtype="float32"), verbose=0)[0, 0])
        print(predict_font_shade(r, g, b), f"  (keras model: {'DARK' if keras_p > .5 else 'LIGHT'}, p={keras_p:.3f})")


if __name__ == "__main__":
    main()
