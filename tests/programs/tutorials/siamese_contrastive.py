"""The Keras example "Image similarity estimation using a Siamese Network with a contrastive loss" (keras.io),
adapted for chainrule.

Source: keras-team/keras-io, examples/vision/siamese_contrastive.py (Mehdi, last modified 2021/05/06; the
tf.keras 2 version, commit 12bad05f). The code is here in order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``keras.datasets.mnist.load_data()``: the first 1200 training images, split 600/600 into training and
  validation (the example: 60000, split 30000/30000), and the first 300 test images (the example: 10000);
* Python's ``random``, which draws the pairs, is seeded (``random.seed(0)``), so both frameworks get the same
  pairs;
* the plots (matplotlib) are skipped: ``visualize`` prints each panel's title and the shape of the pair image
  it would show, and ``plt_metric`` prints the curves it would draw (rounded);
* the model starts from ``seeded_weights`` (numpy-drawn) and prints its predictions for three validation pairs
  before training; ``fit`` runs 2 epochs instead of 10, with ``shuffle=False`` and ``verbose=0`` (no progress
  bar, the same batches in both frameworks); ``evaluate`` and ``predict`` run with ``verbose=0``. There is no
  dropout, so the training is deterministic and compared.

Run with chainrule: ``CHAINRULE_DATA=... python siamese_contrastive.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import random

import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()
layers = keras.layers
random.seed(0)  # adapted: the same pairs in both frameworks

# %% Hyperparameters
epochs = 2  # adapted: 10 in the example
batch_size = 16
margin = 1  # Margin for constrastive loss.

# %% Load the MNIST dataset
(x_train_val, y_train_val), (x_test, y_test) = load_mnist(1200, 300)  # adapted: local MNIST, fewer images

# Change the data type to a floating point format
x_train_val = x_train_val.astype("float32")
x_test = x_test.astype("float32")


# %% Define training and validation sets
# Keep 50% of train_val  in validation set
x_train, x_val = x_train_val[:600], x_train_val[600:]  # adapted: 30000 in the example
y_train, y_val = y_train_val[:600], y_train_val[600:]
del x_train_val, y_train_val


# %% Create pairs of images
def make_pairs(x, y):
    """Creates a tuple containing image pairs with corresponding label.

    Arguments:
        x: List containing images, each index in this list corresponds to one image.
        y: List containing labels, each label with datatype of `int`.

    Returns:
        Tuple containing two numpy arrays as (pairs_of_samples, labels),
        where pairs_of_samples' shape is (2len(x), 2,n_features_dims) and
        labels are a binary array of shape (2len(x)).
    """

    num_classes = max(y) + 1
    digit_indices = [np.where(y == i)[0] for i in range(num_classes)]

    pairs = []
    labels = []

    for idx1 in range(len(x)):
        # add a matching example
        x1 = x[idx1]
        label1 = y[idx1]
        idx2 = random.choice(digit_indices[label1])
        x2 = x[idx2]

        pairs += [[x1, x2]]
        labels += [1]

        # add a non-matching example
        label2 = random.randint(0, num_classes - 1)
        while label2 == label1:
            label2 = random.randint(0, num_classes - 1)

        idx2 = random.choice(digit_indices[label2])
        x2 = x[idx2]

        pairs += [[x1, x2]]
        labels += [0]

    return np.array(pairs), np.array(labels).astype("float32")


# make train pairs
pairs_train, labels_train = make_pairs(x_train, y_train)

# make validation pairs
pairs_val, labels_val = make_pairs(x_val, y_val)

# make test pairs
pairs_test, labels_test = make_pairs(x_test, y_test)

print(pairs_train.shape, pairs_val.shape, pairs_test.shape)  # adapted: the shapes the example's text gives

# Split the training pairs
x_train_1 = pairs_train[:, 0]  # x_train_1.shape is (60000, 28, 28)
x_train_2 = pairs_train[:, 1]

# Split the validation pairs
x_val_1 = pairs_val[:, 0]  # x_val_1.shape = (60000, 28, 28)
x_val_2 = pairs_val[:, 1]

# Split the test pairs
x_test_1 = pairs_test[:, 0]  # x_test_1.shape = (20000, 28, 28)
x_test_2 = pairs_test[:, 1]


# %% Visualize pairs and their labels
def visualize(pairs, labels, to_show=6, num_col=3, predictions=None, test=False):
    """Creates a plot of pairs and labels, and prediction if it's test dataset.

    Arguments:
        pairs: Numpy Array, of pairs to visualize, having shape
               (Number of pairs, 2, 28, 28).
        to_show: Int, number of examples to visualize (default is 6)
                `to_show` must be an integral multiple of `num_col`.
                 Otherwise it will be trimmed if it is greater than num_col,
                 and incremented if if it is less then num_col.
        num_col: Int, number of images in one row - (default is 3)
                 For test and train respectively, it should not exceed 3 and 7.
        predictions: Numpy Array of predictions with shape (to_show, 1) -
                     (default is None)
                     Must be passed when test=True.
        test: Boolean telling whether the dataset being visualized is
              train dataset or test dataset - (default False).

    Returns:
        None.
    """

    # Define num_row
    # If to_show % num_col != 0
    #    trim to_show,
    #       to trim to_show limit num_row to the point where
    #       to_show % num_col == 0
    #
    # If to_show//num_col == 0
    #    then it means num_col is greater then to_show
    #    increment to_show
    #       to increment to_show set num_row to 1
    num_row = to_show // num_col if to_show // num_col != 0 else 1

    # `to_show` must be an integral multiple of `num_col`
    #  we found num_row and we have num_col
    #  to increment or decrement to_show
    #  to make it integral multiple of `num_col`
    #  simply set it equal to num_row * num_col
    to_show = num_row * num_col

    # Plot the images (adapted: each panel's image shape and title are printed instead)
    for i in range(to_show):
        image = tf.concat([pairs[i][0], pairs[i][1]], axis=1)
        if test:
            title = "True: {} | Pred: {:.5f}".format(labels[i], predictions[i][0])
        else:
            title = "Label: {}".format(labels[i])
        print(tuple(image.shape), title)


# Inspect training pairs
visualize(pairs_train[:-1], labels_train[:-1], to_show=4, num_col=4)

# Inspect validation pairs
visualize(pairs_val[:-1], labels_val[:-1], to_show=4, num_col=4)

# Inspect test pairs
visualize(pairs_test[:-1], labels_test[:-1], to_show=4, num_col=4)


# %% Define the model
# Provided two tensors t1 and t2
# Euclidean distance = sqrt(sum(square(t1-t2)))
def euclidean_distance(vects):
    """Find the Euclidean distance between two vectors.

    Arguments:
        vects: List containing two tensors of same length.

    Returns:
        Tensor containing euclidean distance
        (as floating point value) between vectors.
    """

    x, y = vects
    sum_square = tf.math.reduce_sum(tf.math.square(x - y), axis=1, keepdims=True)
    return tf.math.sqrt(tf.math.maximum(sum_square, tf.keras.backend.epsilon()))


input = layers.Input((28, 28, 1))
x = tf.keras.layers.BatchNormalization()(input)
x = layers.Conv2D(4, (5, 5), activation="tanh")(x)
x = layers.AveragePooling2D(pool_size=(2, 2))(x)
x = layers.Conv2D(16, (5, 5), activation="tanh")(x)
x = layers.AveragePooling2D(pool_size=(2, 2))(x)
x = layers.Flatten()(x)

x = tf.keras.layers.BatchNormalization()(x)
x = layers.Dense(10, activation="tanh")(x)
embedding_network = keras.Model(input, x)


input_1 = layers.Input((28, 28, 1))
input_2 = layers.Input((28, 28, 1))

# As mentioned above, Siamese Network share weights between
# tower networks (sister networks). To allow this, we will use
# same embedding network for both tower networks.
tower_1 = embedding_network(input_1)
tower_2 = embedding_network(input_2)

merge_layer = layers.Lambda(euclidean_distance)([tower_1, tower_2])
normal_layer = tf.keras.layers.BatchNormalization()(merge_layer)
output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)


# %% Define the constrastive Loss
def loss(margin=1):
    """Provides 'constrastive_loss' an enclosing scope with variable 'margin'.

    Arguments:
        margin: Integer, defines the baseline for distance for which pairs
                should be classified as dissimilar. - (default is 1).

    Returns:
        'constrastive_loss' function with data ('margin') attached.
    """

    # Contrastive loss = mean( (1-true_value) * square(prediction) +
    #                         true_value * square( max(margin-prediction, 0) ))
    def contrastive_loss(y_true, y_pred):
        """Calculates the constrastive loss.

        Arguments:
            y_true: List of labels, each label is of type float32.
            y_pred: List of predictions of same length as of y_true,
                    each label is of type float32.

        Returns:
            A tensor containing constrastive loss as floating point value.
        """

        square_pred = tf.math.square(y_pred)
        margin_square = tf.math.square(tf.math.maximum(margin - (y_pred), 0))
        return tf.math.reduce_mean(
            (1 - y_true) * square_pred + (y_true) * margin_square
        )

    return contrastive_loss


# %% Compile the model with the contrastive loss
siamese.compile(loss=loss(margin=margin), optimizer="RMSprop", metrics=["accuracy"])
siamese.summary()

seeded_weights(siamese)  # adapted: the same start in both frameworks, checked before training
print(np.round(siamese.predict([x_val_1[:3], x_val_2[:3]], verbose=0), 4))

# %% Train the model
history = siamese.fit(
    [x_train_1, x_train_2],
    labels_train,
    validation_data=([x_val_1, x_val_2], labels_val),
    batch_size=batch_size,
    epochs=epochs,
    shuffle=False,  # adapted: the same batches in both frameworks
    verbose=0,  # adapted: no progress bar
)


# %% Visualize results
def plt_metric(history, metric, title, has_valid=True):
    """Plots the given 'metric' from 'history'.

    Arguments:
        history: history attribute of History object returned from Model.fit.
        metric: Metric to plot, a string value present as key in 'history'.
        title: A string to be used as title of plot.
        has_valid: Boolean, true if valid data was passed to Model.fit else false.

    Returns:
        None.
    """
    # adapted: the curves are printed instead of plotted
    print(title, metric, [round(float(v), 4) for v in history[metric]])
    if has_valid:
        print(title, "val_" + metric, [round(float(v), 4) for v in history["val_" + metric]])


# Plot the accuracy
plt_metric(history=history.history, metric="accuracy", title="Model accuracy")

# Plot the constrastive loss
plt_metric(history=history.history, metric="loss", title="Constrastive Loss")

# %% Evaluate the model
results = siamese.evaluate([x_test_1, x_test_2], labels_test, verbose=0)  # adapted: quiet
print("test loss, test acc:", results)

# %% Visualize the predictions
predictions = siamese.predict([x_test_1, x_test_2], verbose=0)  # adapted: quiet
visualize(pairs_test, labels_test, to_show=3, predictions=predictions, test=True)
