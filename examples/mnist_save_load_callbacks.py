"""Seed 003, sections 7-8 ("모델 저장과 복원", "콜백"): saving, loading and every callback of the seed.

The seed's MNIST model (Input(28, 28) -> Flatten -> Dense 100/64/32 -> Dense(10, softmax), SGD,
categorical cross-entropy, the 70/30 split with ``random_state=111``), then:

* ``model.save('mnist_model.h5')`` and ``models.load_model`` (plus ``.keras``, ``to_json`` /
  ``model_from_json`` and ``save_weights`` / ``load_weights``, which the seed lists);
* ``ModelCheckpoint('keras_mnist_model.h5')`` for 10 epochs, then ``load_model`` of the checkpoint;
* ``ModelCheckpoint('keras_best_model.h5', save_best_only=True)`` with validation data, 10 epochs;
* ``EarlyStopping(patience=3, monitor='val_loss', restore_best_weights=True)`` with a checkpoint,
  up to 50 epochs (the seed stops after 30);
* ``LearningRateScheduler(scheduler)`` (learning rate kept for 10 epochs, then multiplied by
  ``tf.math.exp(-0.1)`` each epoch): 0.01 before, 0.00607 after 15 epochs, as in the seed;
* ``TensorBoard(log_dir, histogram_freq=1, write_graph=True, write_images=True)``, 30 epochs of
  batch 32; the event files are listed (open them with ``tensorboard --logdir <out>/logs``).

Every file goes into ``--out`` (the seed writes them into the working folder).

    python examples/mnist_save_load_callbacks.py [--quick] [--out DIR]

``--quick``: 1,000 images and 2 epochs per run (3 at most with EarlyStopping); the learning-rate
schedule still runs its 15 epochs, on 128 images. Writes ``callbacks_early_stopping.png``,
``callbacks_lr_schedule.png``.
"""
import os

import numpy as np

from _common import banner, parse_args, plt, savefig
from sklearn.model_selection import train_test_split

import chainrule as tf
from chainrule.keras import models
from chainrule.keras.callbacks import EarlyStopping, LearningRateScheduler, ModelCheckpoint, TensorBoard
from chainrule.keras.datasets.mnist import load_data
from chainrule.keras.layers import Dense, Flatten, Input
from chainrule.keras.models import Sequential, load_model
from chainrule.keras.utils import to_categorical


def build_model():
    model = Sequential([Input(shape=(28, 28), name='input'),
                        Flatten(input_shape=[28, 28], name='flatten'),
                        Dense(100, activation='relu', name='dense1'),
                        Dense(64, activation='relu', name='dense2'),
                        Dense(32, activation='relu', name='dense3'),
                        Dense(10, activation='softmax', name='output')])
    model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])
    return model


def main():
    args = parse_args(__doc__.splitlines()[0])
    out = args.out
    tf.random.set_seed(111)
    quick = args.quick

    (x_train_full, y_train_full), (x_test, y_test) = load_data(path='mnist.npz')
    if quick:
        x_train_full, y_train_full, x_test, y_test = x_train_full[:1000], y_train_full[:1000], x_test[:500], \
            y_test[:500]
    x_train, x_val, y_train, y_val = train_test_split(x_train_full, y_train_full, test_size=0.3, random_state=111)
    print("학습 데이터: {}\t레이블: {}".format(x_train_full.shape, y_train_full.shape))
    print("학습 데이터: {}\t레이블: {}".format(x_train.shape, y_train.shape))
    print("검증데이터: {}\t레이블: {}".format(x_val.shape, y_val.shape))
    print("테스트 데이터: {}\t레이블: {}".format(x_test.shape, y_test.shape))
    x_train = x_train / 255.
    x_val = x_val / 255.
    x_test = x_test / 255.
    y_train = to_categorical(y_train)
    y_val = to_categorical(y_val)
    y_test = to_categorical(y_test)
    short = 2 if quick else 10

    banner("7. Saving and restoring a model")
    model = build_model()
    model.summary()
    model.fit(x_train, y_train, epochs=short, batch_size=128, verbose=2)
    path = os.path.join(out, 'mnist_model.h5')
    model.save(path)
    loaded_model = models.load_model(path)
    loaded_model.summary()
    same_h5 = np.allclose(loaded_model.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    keras_path = os.path.join(out, 'mnist_model.keras')
    model.save(keras_path)
    same_keras = np.allclose(models.load_model(keras_path).predict(x_test, verbose=0),
                             model.predict(x_test, verbose=0))
    json_model = models.model_from_json(model.to_json())
    weights_path = os.path.join(out, 'mnist_model.weights.h5')
    model.save_weights(weights_path)
    json_model.load_weights(weights_path)
    same_json = np.allclose(json_model.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    print(f"save/load round trips, same predictions: .h5 {same_h5}, .keras {same_keras}, "
          f"to_json + save_weights {same_json}")

    banner("8a. ModelCheckpoint")
    model = build_model()
    check_point_cb = ModelCheckpoint(os.path.join(out, 'keras_mnist_model.h5'))
    history = model.fit(x_train, y_train, epochs=short, callbacks=[check_point_cb])
    loaded_model = load_model(os.path.join(out, 'keras_mnist_model.h5'))
    loaded_model.summary()
    _, acc = loaded_model.evaluate(x_test, y_test, verbose=0)
    print(f"checkpoint after {short} epochs reloaded: test accuracy {acc:.4f}")

    banner("8b. ModelCheckpoint(save_best_only=True)")
    model = build_model()
    cp = ModelCheckpoint(os.path.join(out, 'keras_best_model.h5'), save_best_only=True)
    history = model.fit(x_train, y_train, epochs=short, validation_data=(x_val, y_val), callbacks=[cp])
    best = load_model(os.path.join(out, 'keras_best_model.h5'))
    best_val = min(history.history['val_loss'])
    print(f"best checkpoint: val_loss {best.evaluate(x_val, y_val, verbose=0)[0]:.4f} "
          f"(lowest val_loss seen in training {best_val:.4f})")

    banner("8c. EarlyStopping(patience=3, restore_best_weights=True)")
    model = build_model()
    cp = ModelCheckpoint(os.path.join(out, 'keras_best_model2.h5'), save_best_only=True)
    early_stopping_cb = EarlyStopping(patience=3, monitor='val_loss', restore_best_weights=True)
    max_epochs = 3 if quick else 50
    history = model.fit(x_train, y_train, epochs=max_epochs, validation_data=(x_val, y_val),
                        callbacks=[cp, early_stopping_cb], verbose=2)
    ran = len(history.epoch)
    best_epoch = int(np.argmin(history.history['val_loss'])) + 1
    print(f"early stopping: ran {ran} of {max_epochs} epochs, best epoch {best_epoch}, "
          f"restored val_loss {model.evaluate(x_val, y_val, verbose=0)[0]:.4f}")
    fig = plt.figure(figsize=(8, 5))
    ep = range(1, ran + 1)
    plt.plot(ep, history.history['loss'], 'b-o', label='train_loss')
    plt.plot(ep, history.history['val_loss'], 'r-o', label='val_loss')
    plt.axvline(best_epoch, color='g', linestyle='--', label=f'best epoch {best_epoch} (restored)')
    plt.xlabel('Epochs'), plt.ylabel('Loss'), plt.grid(), plt.legend()
    plt.title('EarlyStopping(patience=3, restore_best_weights=True)')
    savefig(fig, out, "callbacks_early_stopping.png")

    banner("8d. LearningRateScheduler")

    def scheduler(epoch, learning_rate):
        if epoch < 10:
            return learning_rate
        else:
            return learning_rate * tf.math.exp(-0.1)

    model = build_model()
    print(round(model.optimizer.lr.numpy(), 5))
    lrs = []

    class RecordLR(tf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            lrs.append(float(self.model.optimizer.lr.numpy()))

    lr_scheduler_cb = LearningRateScheduler(scheduler)
    xs, ys = (x_train[:128], y_train[:128]) if quick else (x_train, y_train)
    history = model.fit(xs, ys, epochs=15, callbacks=[lr_scheduler_cb, RecordLR()], verbose=0)
    print(round(model.optimizer.lr.numpy(), 5))
    print(f"learning rate after 15 epochs: {float(model.optimizer.lr.numpy()):.5f} (0.01 * exp(-0.5) = "
          f"{0.01 * np.exp(-0.5):.5f})")
    fig = plt.figure()
    plt.plot(range(1, 16), lrs, 'b-o')
    plt.xlabel('Epoch'), plt.ylabel('learning rate'), plt.grid()
    plt.title('LearningRateScheduler: constant for 10 epochs, then x exp(-0.1)')
    savefig(fig, out, "callbacks_lr_schedule.png")

    banner("8e. TensorBoard")
    log_dir = os.path.join(out, 'logs')
    print(TensorBoard(log_dir=log_dir, histogram_freq=0, write_graph=True, write_images=True))
    tensor_board_cb = [TensorBoard(log_dir=log_dir, histogram_freq=1, write_graph=True, write_images=True)]
    model = build_model()
    tb_epochs = 2 if quick else 30
    model.fit(x_train, y_train, batch_size=32, validation_data=(x_val, y_val), epochs=tb_epochs,
              callbacks=[tensor_board_cb], verbose=2)
    events = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, files in os.walk(log_dir) for f in files)
    print("TensorBoard event files:", events)
    print(f"TensorBoard: {len(events)} event files in {log_dir} (tensorboard --logdir {log_dir})")


if __name__ == "__main__":
    main()
