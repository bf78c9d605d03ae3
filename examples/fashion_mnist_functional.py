"""Seed 003 (Fashion-MNIST, "함수형 API"): a functional 784-256-128-64-32-10 classifier.

As in the seed: ``train_test_split(test_size=0.3, random_state=111)`` of the 60,000 training images,
a functional model compiled with RMSprop(0.01), 10 epochs of batch 128 with validation; the same
model recompiled with SGD(0.01) and trained 10 more epochs; ``evaluate`` on the test set; the
predicted class of the first test image; the seed's ``plot_image``/``plot_value_array`` pictures;
the confusion matrix as a heat map and the classification report (computed with numpy, in
scikit-learn's layout).

    python examples/fashion_mnist_functional.py [--quick] [--out DIR]

``--quick``: 1,500 training and 500 test images, 1 epoch per optimizer, 6 random predictions drawn.
Data: Fashion-MNIST from ``$CHAINRULE_DATA``. Note: chainrule's shared copy holds the official
images and split in another order (see its README), so the rows picked by the split differ from
the seed's. Writes ``fashion_sample.png``, ``fashion_random_samples.png``,
``fashion_history_rmsprop.png``, ``fashion_history_sgd.png``, ``fashion_prediction.png``,
``fashion_first_prediction.png``, ``fashion_random_predictions.png``, ``fashion_confusion_matrix.png``.
"""
import numpy as np

from _common import banner, heatmap, parse_args, plot_model_or_note, plt, savefig
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.model_selection import train_test_split

import chainrule as tf
from chainrule.keras.datasets.fashion_mnist import load_data
from chainrule.keras.layers import Dense, Input
from chainrule.keras.models import Model
from chainrule.keras.optimizers import RMSprop, SGD
from chainrule.keras.utils import to_categorical

class_names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
               'Sandal', 'Shirt', 'Sneaker', 'bag', 'Ankle boot']


def plot_history(history, out, name):
    history_dict = history.history
    loss = history_dict['loss']
    val_loss = history_dict['val_loss']
    epochs = range(1, len(loss) + 1)
    fig = plt.figure(figsize=(10, 5))
    ax1 = fig.add_subplot(1, 2, 1)
    ax1.plot(epochs, loss, color='blue', label='train_loss')
    ax1.plot(epochs, val_loss, color='red', label='val_loss')
    ax1.set_title('Train and Validation Loss')
    ax1.set_xlabel('Epochs')
    ax1.set_ylabel('Loss')
    ax1.grid()
    ax1.legend()
    acc = history_dict['acc']
    val_acc = history_dict['val_acc']
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.plot(epochs, acc, color='blue', label='train_acc')
    ax2.plot(epochs, val_acc, color='red', label='val_acc')
    ax2.set_title('Train and Validation Accuracy')
    ax2.set_xlabel('Epochs')
    ax2.set_ylabel('Accuracy')
    ax2.grid()
    ax2.legend()
    savefig(fig, out, name)


def plot_image(i, pred_ys, y_test, img):
    pred_ys, y_test, img = pred_ys[i], y_test[i], img[i]
    plt.grid(False)
    plt.xticks([])
    plt.yticks([])
    plt.imshow(img, cmap=plt.cm.binary)
    predicted_label = np.argmax(pred_ys)
    color = 'blue' if predicted_label == y_test else 'red'
    plt.xlabel("{} {:2.0f}% ({})".format(class_names[predicted_label], 100 * np.max(pred_ys), class_names[y_test]),
               color=color)


def plot_value_array(i, pred_ys, true_label):
    pred_ys, true_label = pred_ys[i], true_label[i]
    plt.grid(False)
    plt.xticks([])
    plt.yticks([])
    thisplot = plt.bar(range(10), pred_ys, color='#777777')
    plt.ylim([0, 1])
    predicted_label = np.argmax(pred_ys)
    thisplot[predicted_label].set_color('red')
    thisplot[true_label].set_color('blue')


def main():
    args = parse_args(__doc__.splitlines()[0])
    tf.random.set_seed(111)
    np.random.seed(111)

    banner("2. Data")
    (x_train_full, y_train_full), (x_test, y_test) = load_data()
    if args.quick:
        x_train_full, y_train_full, x_test, y_test = x_train_full[:1500], y_train_full[:1500], x_test[:500], \
            y_test[:500]
    x_train, x_val, y_train, y_val = train_test_split(x_train_full, y_train_full, test_size=0.3, random_state=111)
    print("학습 데이터: {}\t레이블: {}".format(x_train_full.shape, y_train_full.shape))
    print("학습 데이터: {}\t레이블: {}".format(x_train.shape, y_train.shape))
    print("검증 데이터: {}\t레이블: {}".format(x_val.shape, y_val.shape))
    print("테스트 데이터: {}\t레이블: {}".format(x_test.shape, y_test.shape))

    banner("3. A look at the data")
    print("class_names[y_train[0]] =", repr(class_names[y_train[0]]))
    fig = plt.figure()
    plt.imshow(x_train[0])
    plt.colorbar()
    plt.grid()
    savefig(fig, args.out, "fashion_sample.png")
    num_sample = 4
    random_idxs = np.random.randint(len(x_train_full), size=num_sample)
    fig = plt.figure(figsize=(15, 10))
    for i, idx in enumerate(random_idxs):
        image = x_train_full[idx, :]
        label = y_train_full[idx]
        plt.subplot(1, len(random_idxs), i + 1)
        plt.imshow(image)
        plt.title("Index: {}, Label: {}".format(idx, class_names[label]))
    savefig(fig, args.out, "fashion_random_samples.png")

    x_train = (x_train.reshape(-1, 28 * 28)) / 255.
    x_val = (x_val.reshape(-1, 28 * 28)) / 255.
    x_test = (x_test.reshape(-1, 28 * 28)) / 255.

    banner("5. Functional model")
    input = Input(shape=(784, ), name='input')
    hidden1 = Dense(256, activation='relu', name='hidden1')(input)
    hidden2 = Dense(128, activation='relu', name='hidden2')(hidden1)
    hidden3 = Dense(64, activation='relu', name='hidden3')(hidden2)
    hidden4 = Dense(32, activation='relu', name='hidden4')(hidden3)
    output = Dense(10, activation='softmax', name='output')(hidden4)
    model = Model(inputs=[input], outputs=[output])
    model.summary()
    plot_model_or_note(model, args.out, "fashion_model.png")

    epochs = 1 if args.quick else 10
    banner(f"6-7. RMSprop(learning_rate=0.01), {epochs} epochs")
    model.compile(loss='sparse_categorical_crossentropy', optimizer=RMSprop(learning_rate=0.01), metrics=['acc'])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=128, validation_data=(x_val, y_val))
    plot_history(history, args.out, "fashion_history_rmsprop.png")
    print(f"RMSprop: last val_acc {history.history['val_acc'][-1]:.4f}")

    banner(f"8. The same model recompiled with SGD(learning_rate=0.01), {epochs} epochs")
    model.compile(loss='sparse_categorical_crossentropy', optimizer=SGD(learning_rate=0.01), metrics=['acc'])
    history2 = model.fit(x_train, y_train, epochs=epochs, batch_size=128, validation_data=(x_val, y_val))
    plot_history(history2, args.out, "fashion_history_sgd.png")

    banner("9. evaluate")
    result = model.evaluate(x_test, y_test)
    print(result)
    print(f"test accuracy: {result[1]:.4f}")

    banner("10. Predictions")
    pred_ys = model.predict(x_test)
    print(pred_ys.shape)
    np.set_printoptions(precision=7)
    print(pred_ys[0])
    arg_pred_y = np.argmax(pred_ys, axis=1)
    fig = plt.figure()
    plt.imshow(x_test[0].reshape(-1, 28))
    plt.title('Predicted Class: {}'.format(class_names[arg_pred_y[0]]))
    savefig(fig, args.out, "fashion_prediction.png")

    i = 0
    fig = plt.figure(figsize=(8, 4))
    plt.subplot(1, 2, 1)
    plot_image(i, pred_ys, y_test, x_test.reshape(-1, 28, 28))
    plt.subplot(1, 2, 2)
    plot_value_array(i, pred_ys, y_test)
    savefig(fig, args.out, "fashion_first_prediction.png")

    num_rows, num_cols = (2, 3) if args.quick else (5, 3)
    num_images = num_rows * num_cols
    random_num = np.random.randint(len(x_test), size=num_images)
    fig = plt.figure(figsize=(2 * 2 * num_cols, 2 * num_rows))
    for idx, num in enumerate(random_num):
        plt.subplot(num_rows, 2 * num_cols, 2 * idx + 1)
        plot_image(num, pred_ys, y_test, x_test.reshape(-1, 28, 28))
        plt.subplot(num_rows, 2 * num_cols, 2 * idx + 2)
        plot_value_array(num, pred_ys, y_test)
    savefig(fig, args.out, "fashion_random_predictions.png")

    banner("11. Confusion matrix")
    y_test_che = to_categorical(y_test)
    fig = plt.figure(figsize=(8, 8))
    cm2 = confusion_matrix(np.argmax(y_test_che, axis=1), np.argmax(pred_ys, axis=-1))
    heatmap(plt.gca(), cm2, cmap='Blues')
    plt.xlabel("Predicted Label")
    plt.ylabel("True Label")
    savefig(fig, args.out, "fashion_confusion_matrix.png")
    print(cm2)

    banner("12. Classification report")
    print(classification_report(np.argmax(y_test_che, axis=-1), np.argmax(pred_ys, axis=-1)))


if __name__ == "__main__":
    main()
