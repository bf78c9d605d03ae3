"""A Fashion-MNIST convnet with data-augmentation layers inside the model (issue 16), `import chainrule as tf`.

The pattern of the TensorFlow "Data augmentation" tutorial: a small Sequential of random layers
(RandomFlip, RandomRotation, RandomZoom, RandomTranslation) as the first block of the model, so the
images change at every training step while ``evaluate``/``predict`` see them unchanged. Then
Rescaling(1/255) -> 2 x [Conv2D(relu, 'same') -> MaxPooling2D] -> Flatten -> Dense(128, relu) ->
Dropout(0.5) -> Dense(10, softmax); Adam, sparse categorical cross-entropy, batch 128, 12 epochs,
validation_split 0.1.

    python examples/fashion_mnist_augmentation.py [--quick] [--out DIR]

``--quick`` trains 1 epoch on the first 2,000 images and tests on 500.
Data: Fashion-MNIST from ``$CHAINRULE_DATA`` (``keras.datasets.fashion_mnist.load_data``).
Writes ``fashion_augmented_samples.png`` (one image through the augmentation block nine times),
``fashion_augmentation_curves.png`` (loss and accuracy per epoch) and
``fashion_augmentation_predictions.png`` (test images with the predicted and true class).
"""
import numpy as np
from _common import Timer, parse_args, plt, savefig

from chainrule import keras
from chainrule.keras import layers

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


def main():
    args = parse_args(__doc__.splitlines()[0])
    keras.utils.set_random_seed(0)

    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    epochs = 12
    if args.quick:
        x_train, y_train, x_test, y_test = x_train[:2000], y_train[:2000], x_test[:500], y_test[:500]
        epochs = 1
    # Pixels stay 0..255 here: the model rescales them itself, so it takes raw images.
    x_train = x_train[..., np.newaxis].astype("float32")
    x_test = x_test[..., np.newaxis].astype("float32")
    print("x_train shape:", x_train.shape, "x_test shape:", x_test.shape)

    data_augmentation = keras.Sequential([
        layers.RandomFlip("horizontal"),
        layers.RandomRotation(0.02),
        layers.RandomZoom(0.1),
        layers.RandomTranslation(0.05, 0.05),
    ], name="data_augmentation")

    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        data_augmentation,
        layers.Rescaling(1.0 / 255),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name="fashion_cnn")
    model.summary()

    # What the augmentation block does to one training image (training=True: the layers are active).
    sample = x_train[:1]
    fig, axes = plt.subplots(3, 3, figsize=(6, 6))
    for i, ax in enumerate(axes.ravel()):
        augmented = sample if i == 0 else data_augmentation(sample, training=True).numpy()
        ax.imshow(augmented[0, :, :, 0], cmap="gray", vmin=0, vmax=255)
        ax.set_title("original" if i == 0 else f"augmented {i}", fontsize=9)
        ax.axis("off")
    fig.suptitle(f"data augmentation of a {CLASS_NAMES[y_train[0]]}")
    savefig(fig, args.out, "fashion_augmented_samples.png")

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with Timer() as timer:
        history = model.fit(x_train, y_train, batch_size=128, epochs=epochs, validation_split=0.1,
                            verbose=2 if not args.quick else 1)
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {test_acc:.4f} (loss {test_loss:.4f}) after {epochs} epochs, "
          f"{timer.seconds:.0f} s of training")
    # The random layers are inactive at inference: predict sees the images as they are.
    same = np.array_equal(model.predict(x_test[:8], verbose=0), model.predict(x_test[:8], verbose=0))
    print(f"predict is deterministic (augmentation off at inference): {same}")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ep = range(1, epochs + 1)
    for ax, key in ((ax1, "loss"), (ax2, "accuracy")):
        ax.plot(ep, history.history[key], "b-o", label="training (augmented images)")
        ax.plot(ep, history.history[f"val_{key}"], "r-o", label="validation")
        ax.set_title(key), ax.set_xlabel("epoch"), ax.grid(True), ax.legend()
    fig.suptitle(f"Fashion-MNIST CNN with augmentation: test accuracy {test_acc:.4f}")
    savefig(fig, args.out, "fashion_augmentation_curves.png")

    probs = model.predict(x_test[:15], verbose=0)
    fig, axes = plt.subplots(3, 5, figsize=(10, 6.6))
    for i, ax in enumerate(axes.ravel()):
        guess, truth = int(np.argmax(probs[i])), int(y_test[i])
        ax.imshow(x_test[i, :, :, 0], cmap="gray_r")
        ax.set_title(f"{CLASS_NAMES[guess]} {100 * probs[i, guess]:.0f}%\n(true: {CLASS_NAMES[truth]})",
                     fontsize=8, color="blue" if guess == truth else "red")
        ax.axis("off")
    fig.suptitle("predictions on test images (blue: right, red: wrong)")
    savefig(fig, args.out, "fashion_augmentation_predictions.png")


if __name__ == "__main__":
    main()
