"""Seed 003, section 6 ("MNIST 예제를 통해 모델 구성하기"): a Sequential MNIST model, evaluated.

As in the seed: ``load_data(path='mnist.npz')``, ``train_test_split(test_size=0.3, random_state=111)``,
five random training images, normalization and ``to_categorical``, the Sequential model
Input(28, 28) -> Flatten -> Dense(100) -> Dense(64) -> Dense(32) -> Dense(10, softmax), SGD with
categorical cross-entropy, 50 epochs of batch 128 with validation, the loss/accuracy curves,
``evaluate`` (the seed: 0.9609), the predicted label of the first test image, the confusion matrix
heat map and the classification report (numpy; no scikit-learn).

Saving and the callbacks of the same section are in ``mnist_save_load_callbacks.py``.

    python examples/mnist_sequential.py [--quick] [--out DIR]

``--quick``: 3,000 images (split 70/30), 2 epochs, 1,000 test images.
Writes ``mnist_samples.png``, ``mnist_history.png``, ``mnist_prediction.png``, ``mnist_confusion_matrix.png``.
"""
import numpy as np

from _common import banner, heatmap, parse_args, plot_model_or_note, plt, savefig
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.model_selection import train_test_split

import chainrule as tf
from chainrule.keras.datasets.mnist import load_data
from chainrule.keras.layers import Dense, Flatten, Input
from chainrule.keras.models import Sequential
from chainrule.keras.utils import to_categorical


def main():
    args = parse_args(__doc__.splitlines()[0])
    tf.random.set_seed(111)
    np.random.seed(111)

    banner("Data")
    (x_train_full, y_train_full), (x_test, y_test) = load_data(path='mnist.npz')
    if args.quick:
        x_train_full, y_train_full, x_test, y_test = x_train_full[:3000], y_train_full[:3000], x_test[:1000], \
            y_test[:1000]
    x_train, x_val, y_train, y_val = train_test_split(x_train_full, y_train_full, test_size=0.3, random_state=111)
    print("학습 데이터: {}\t레이블: {}".format(x_train_full.shape, y_train_full.shape))
    print("학습 데이터: {}\t레이블: {}".format(x_train.shape, y_train.shape))
    print("검증데이터: {}\t레이블: {}".format(x_val.shape, y_val.shape))
    print("테스트 데이터: {}\t레이블: {}".format(x_test.shape, y_test.shape))

    num_sample = 5
    random_idxs = np.random.randint(len(x_train_full), size=num_sample)
    fig = plt.figure(figsize=(14, 8))
    for i, idx in enumerate(random_idxs):
        img = x_train_full[idx, :]
        label = y_train_full[idx]
        plt.subplot(1, len(random_idxs), i + 1)
        plt.imshow(img)
        plt.title("Indes: {}, Label: {}".format(idx, label))
    savefig(fig, args.out, "mnist_samples.png")

    x_train = x_train / 255.
    x_val = x_val / 255.
    x_test = x_test / 255.
    y_train = to_categorical(y_train)
    y_val = to_categorical(y_val)
    y_test = to_categorical(y_test)

    banner("Model")
    model = Sequential([Input(shape=(28, 28), name='input'),
                        Flatten(input_shape=[28, 28], name='flatten'),
                        Dense(100, activation='relu', name='dense1'),
                        Dense(64, activation='relu', name='dense2'),
                        Dense(32, activation='relu', name='dense3'),
                        Dense(10, activation='softmax', name='output')])
    model.summary()
    plot_model_or_note(model, args.out, "mnist_model.png", show_shapes=True)
    model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])

    epochs = 2 if args.quick else 50
    banner(f"Training: {epochs} epochs, batch 128")
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=128, validation_data=(x_val, y_val),
                        verbose=2)
    print(history.history.keys())

    history_dict = history.history
    loss, val_loss = history_dict['loss'], history_dict['val_loss']
    ep = range(1, len(loss) + 1)
    fig = plt.figure(figsize=(12, 6))
    ax1 = fig.add_subplot(1, 2, 1)
    ax1.plot(ep, loss, color='blue', label='train_loss')
    ax1.plot(ep, val_loss, color='red', label='val_loss')
    ax1.set_title('Train and Validation Loss')
    ax1.set_xlabel('Epochs')
    ax1.set_ylabel('Loss')
    ax1.grid()
    ax1.legend()
    accuracy, val_accuracy = history_dict['accuracy'], history_dict['val_accuracy']
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.plot(ep, accuracy, color='blue', label='train_accuracy')
    ax2.plot(ep, val_accuracy, color='red', label='val_accuracy')
    ax2.set_title('Train and Validation Accuracy')
    ax2.set_xlabel('Epochs')
    ax2.set_ylabel('Accauracy')
    ax2.grid()
    ax2.legend()
    savefig(fig, args.out, "mnist_history.png")

    banner("Evaluation (1): evaluate")
    result = model.evaluate(x_test, y_test)
    print(result)
    print(f"test accuracy: {result[1]:.4f}")

    banner("Prediction")
    pred_ys = model.predict(x_test)
    print(pred_ys.shape)
    np.set_printoptions(precision=7)
    print(pred_ys[0])
    arg_pred_y = np.argmax(pred_ys, axis=1)
    fig = plt.figure()
    plt.imshow(x_test[0])
    plt.title("predicted label: {}".format(arg_pred_y[0]))
    savefig(fig, args.out, "mnist_prediction.png")

    banner("Evaluation (2): confusion matrix")
    fig = plt.figure(figsize=(8, 8))
    cm = confusion_matrix(np.argmax(y_test, axis=-1), np.argmax(pred_ys, axis=-1))
    heatmap(plt.gca(), cm, cmap='Blues')
    plt.xlabel('Predicted Label')
    plt.ylabel('True Label')
    savefig(fig, args.out, "mnist_confusion_matrix.png")

    banner("Evaluation (3): classification report")
    print(classification_report(np.argmax(y_test, axis=-1), np.argmax(pred_ys, axis=-1)))


if __name__ == "__main__":
    main()
