"""The TensorFlow tutorial "Convolutional Neural Network (CNN)" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/images/cnn.ipynb (TF 2.21 docs). The code cells are here in order.
Adaptations:

* CIFAR-10 is not in the shared datasets: ``datasets.cifar10.load_data()`` is replaced by arrays of the same
  shapes and dtypes made from Fashion-MNIST (``guide_support.cifar10_stand_in``: each 28x28 image padded to
  32x32 and repeated over 3 channels), the first 2000 training and 500 test images, with Fashion-MNIST's class
  names;
* the plots (matplotlib) are skipped: the first 25 labels are printed by class name instead;
* the model starts from ``seeded_weights`` (numpy-drawn) and ``fit`` runs 3 epochs instead of 10 with
  ``shuffle=False`` and ``verbose=0``; the model has no dropout, so the whole training is deterministic and
  its history and test scores are compared (to 4 decimals; the frameworks' float32 roundings agree to 4e-7
  for 21 steps, then the loss spikes amplify them, so the test allows the measured drift).

Run with chainrule: ``CHAINRULE_DATA=... python cnn.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import cifar10_stand_in, framework, seeded_weights

tf, keras = framework()
datasets, layers, models = keras.datasets, keras.layers, keras.models


def rounded(history):
    return {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()}


# %% Download and prepare the CIFAR10 dataset
# adapted: CIFAR-10's shapes filled with Fashion-MNIST, for datasets.cifar10.load_data()
(train_images, train_labels), (test_images, test_labels) = cifar10_stand_in(2000, 500)

# Normalize pixel values to be between 0 and 1
train_images, test_images = train_images / 255.0, test_images / 255.0
print(train_images.shape, train_images.dtype, train_labels.shape, test_images.shape)

# %% Verify the data
class_names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',  # adapted: Fashion-MNIST's classes
               'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
# (skipped: the 5x5 grid of images; their labels instead)
print([class_names[train_labels[i][0]] for i in range(25)])

# %% Create the convolutional base
model = models.Sequential()
model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3)))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))

model.summary()

# %% Add Dense layers on top
model.add(layers.Flatten())
model.add(layers.Dense(64, activation='relu'))
model.add(layers.Dense(10))

model.summary()

# %% Compile and train the model
model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
seeded_weights(model)  # adapted: the same start in both frameworks
print(np.round(model.predict(test_images[:2], verbose=0), 4))

history = model.fit(train_images, train_labels, epochs=3,  # adapted: 3 epochs, not shuffled, quiet
                    validation_data=(test_images, test_labels), shuffle=False, verbose=0)
print(rounded(history))

# %% Evaluate the model
# (skipped: the plot of accuracy and val_accuracy)
test_loss, test_acc = model.evaluate(test_images,  test_labels, verbose=0)  # adapted: verbose=0 (timings)
print(round(test_loss, 4))

print(round(test_acc, 4))
