"""The Keras guide "The Functional API" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs-l10n, site/ko/guide/keras/functional.ipynb (the tf.keras 2 guide, code in English).
The code cells are here in order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``), the first 6000 training and 1000 test
  images; the model starts from ``seeded_weights`` and ``fit`` runs with ``shuffle=False`` and ``verbose=0``,
  so both frameworks train the same way; the history and scores are printed to 4 decimals.
* Summaries of models with branches are printed with tf.keras 2.21's layout (``positions=[0.3, 0.6, 0.7, 1.0]``,
  passed explicitly: chainrule's default is tf.keras 2.11's).
* ``plot_model`` cells (images) are skipped; objects are printed by class and name; models built from random
  weights print their outputs after ``seeded_weights``;
* the toy ResNet trains on 200 images shaped as CIFAR-10's, made from Fashion-MNIST
  (``guide_support.cifar10_stand_in``; CIFAR-10 is not in the shared datasets) instead of the first 1000 of
  CIFAR-10; it has ``Dropout``, whose masks each framework draws itself, so its history prints as ``[varies]``;
* the multi-input text model's ``np.random`` data comes from a seeded generator and it trains with
  ``shuffle=False`` from seeded weights;
* ``keras.applications.VGG19`` (pretrained weights, a download) is kept as a ``# needs:`` comment.

Run with chainrule: ``CHAINRULE_DATA=... python functional_api.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import cifar10_stand_in, framework, load_mnist, seeded_weights

tf, keras = framework()
layers = keras.layers
WIDE = dict(line_length=98, positions=[0.3, 0.6, 0.7, 1.0])  # tf.keras 2.21's layout for models with branches


def rounded(history):
    return {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()}


# %% Introduction
inputs = keras.Input(shape=(784,))

img_inputs = keras.Input(shape=(32, 32, 3))

print(inputs.shape)

print(inputs.dtype)

dense = layers.Dense(64, activation="relu")
x = dense(inputs)

x = layers.Dense(64, activation="relu")(x)
outputs = layers.Dense(10)(x)

model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")

model.summary()

# (skipped: keras.utils.plot_model(model, "my_first_model.png"), twice)

# %% Training, evaluation, and inference
(x_train, y_train), (x_test, y_test) = load_mnist(6000, 1000)  # adapted: keras.datasets.mnist.load_data()

x_train = x_train.reshape(6000, 784).astype("float32") / 255
x_test = x_test.reshape(1000, 784).astype("float32") / 255

model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=["accuracy"],
)
seeded_weights(model)

history = model.fit(x_train, y_train, batch_size=64, epochs=2, validation_split=0.2, shuffle=False, verbose=0)
print(rounded(history))

test_scores = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", round(test_scores[0], 4))
print("Test accuracy:", round(test_scores[1], 4))

# %% Save and serialize
model.save("path_to_my_model")
del model
# Recreate the exact same model purely from the file:
model = keras.models.load_model("path_to_my_model")
print("Test loss after loading:", round(model.evaluate(x_test, y_test, verbose=0)[0], 4))

# %% Use the same graph of layers to define multiple models
encoder_input = keras.Input(shape=(28, 28, 1), name="img")
x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
x = layers.Conv2D(32, 3, activation="relu")(x)
x = layers.MaxPooling2D(3)(x)
x = layers.Conv2D(32, 3, activation="relu")(x)
x = layers.Conv2D(16, 3, activation="relu")(x)
encoder_output = layers.GlobalMaxPooling2D()(x)

encoder = keras.Model(encoder_input, encoder_output, name="encoder")
encoder.summary()

x = layers.Reshape((4, 4, 1))(encoder_output)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
x = layers.UpSampling2D(3)(x)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)

autoencoder = keras.Model(encoder_input, decoder_output, name="autoencoder")
autoencoder.summary()
seeded_weights(autoencoder, seed=1)  # adapted: the seeded autoencoder's code and output for two test digits
digits = x_test[:2].reshape(2, 28, 28, 1)
print(np.round(encoder(digits).numpy(), 4))
decoded = autoencoder(digits).numpy()
print(decoded.shape, f"{decoded.mean():.6g}", np.round(decoded[0, 10:12, 10:13, 0], 4))

# %% All models are callable, just like layers
encoder_input = keras.Input(shape=(28, 28, 1), name="original_img")
x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
x = layers.Conv2D(32, 3, activation="relu")(x)
x = layers.MaxPooling2D(3)(x)
x = layers.Conv2D(32, 3, activation="relu")(x)
x = layers.Conv2D(16, 3, activation="relu")(x)
encoder_output = layers.GlobalMaxPooling2D()(x)

encoder = keras.Model(encoder_input, encoder_output, name="encoder")
encoder.summary()

decoder_input = keras.Input(shape=(16,), name="encoded_img")
x = layers.Reshape((4, 4, 1))(decoder_input)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
x = layers.UpSampling2D(3)(x)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)

decoder = keras.Model(decoder_input, decoder_output, name="decoder")
decoder.summary()

autoencoder_input = keras.Input(shape=(28, 28, 1), name="img")
encoded_img = encoder(autoencoder_input)
decoded_img = decoder(encoded_img)
autoencoder = keras.Model(autoencoder_input, decoded_img, name="autoencoder")
autoencoder.summary()
seeded_weights(autoencoder, seed=2)  # adapted: the nested models compute what the flat one does
print(f"{autoencoder(digits).numpy().mean():.6g}", f"{decoder(encoder(digits)).numpy().mean():.6g}")


def get_model():
    inputs = keras.Input(shape=(128,))
    outputs = layers.Dense(1)(inputs)
    return keras.Model(inputs, outputs)


model1 = get_model()
model2 = get_model()
model3 = get_model()

inputs = keras.Input(shape=(128,))
y1 = model1(inputs)
y2 = model2(inputs)
y3 = model3(inputs)
outputs = layers.average([y1, y2, y3])
ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
ensemble_model.summary(**WIDE)
for m in (model1, model2, model3):
    seeded_weights(m, seed=3)
print(np.round(ensemble_model(np.ones((2, 128), "float32") / 10).numpy(), 5))

# %% Manipulate complex graph topologies: models with multiple inputs and outputs
num_tags = 12  # Number of unique issue tags
num_words = 10000  # Size of vocabulary obtained when preprocessing text data
num_departments = 4  # Number of departments for predictions

title_input = keras.Input(
    shape=(None,), name="title"
)  # Variable-length sequence of ints
body_input = keras.Input(shape=(None,), name="body")  # Variable-length sequence of ints
tags_input = keras.Input(
    shape=(num_tags,), name="tags"
)  # Binary vectors of size `num_tags`

# Embed each word in the title into a 64-dimensional vector
title_features = layers.Embedding(num_words, 64)(title_input)
# Embed each word in the text into a 64-dimensional vector
body_features = layers.Embedding(num_words, 64)(body_input)

# Reduce sequence of embedded words in the title into a single 128-dimensional vector
title_features = layers.LSTM(128)(title_features)
# Reduce sequence of embedded words in the body into a single 32-dimensional vector
body_features = layers.LSTM(32)(body_features)

# Merge all available features into a single large vector via concatenation
x = layers.concatenate([title_features, body_features, tags_input])

# Stick a logistic regression for priority prediction on top of the features
priority_pred = layers.Dense(1, name="priority")(x)
# Stick a department classifier on top of the features
department_pred = layers.Dense(num_departments, name="department")(x)

# Instantiate an end-to-end model predicting both priority and department
model = keras.Model(
    inputs=[title_input, body_input, tags_input],
    outputs=[priority_pred, department_pred],
)
model.summary(**WIDE)

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[
        keras.losses.BinaryCrossentropy(from_logits=True),
        keras.losses.CategoricalCrossentropy(from_logits=True),
    ],
    loss_weights=[1.0, 0.2],
)

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={
        "priority": keras.losses.BinaryCrossentropy(from_logits=True),
        "department": keras.losses.CategoricalCrossentropy(from_logits=True),
    },
    loss_weights={"priority": 1.0, "department": 0.2},
)

# Dummy input data
rng = np.random.RandomState(0)  # adapted: a seeded generator instead of np.random
title_data = rng.randint(num_words, size=(1280, 10))
body_data = rng.randint(num_words, size=(1280, 100))
tags_data = rng.randint(2, size=(1280, num_tags)).astype("float32")

priority_targets = rng.random_sample(size=(1280, 1))
dept_targets = rng.randint(2, size=(1280, num_departments))

seeded_weights(model, seed=4)
history = model.fit(
    {"title": title_data, "body": body_data, "tags": tags_data},
    {"priority": priority_targets, "department": dept_targets},
    epochs=2,
    batch_size=32,
    shuffle=False,
    verbose=0,
)
print(rounded(history))

# %% A toy ResNet model
inputs = keras.Input(shape=(32, 32, 3), name="img")
x = layers.Conv2D(32, 3, activation="relu")(inputs)
x = layers.Conv2D(64, 3, activation="relu")(x)
block_1_output = layers.MaxPooling2D(3)(x)

x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
block_2_output = layers.add([x, block_1_output])

x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
block_3_output = layers.add([x, block_2_output])

x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dense(256, activation="relu")(x)
x = layers.Dropout(0.5)(x)
outputs = layers.Dense(10)(x)

model = keras.Model(inputs, outputs, name="toy_resnet")
model.summary(**WIDE)

# adapted: CIFAR-10's shapes filled with Fashion-MNIST (guide_support.cifar10_stand_in; no CIFAR-10 here)
(x_train, y_train), (x_test, y_test) = cifar10_stand_in(200, 0)

x_train = x_train.astype("float32") / 255.0
x_test = x_test.astype("float32") / 255.0
y_train = keras.utils.to_categorical(y_train, 10)
y_test = keras.utils.to_categorical(y_test, 10)

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=keras.losses.CategoricalCrossentropy(from_logits=True),
    metrics=["acc"],
)
seeded_weights(model, seed=5)  # adapted: the seeded model's logits for two images (Dropout is off in predict)
print(np.round(model.predict(x_train[:2], verbose=0), 4))
# We restrict the data to the first 1000 samples so as to limit execution time
# on Colab. Try to train on the entire dataset until convergence!
# adapted: the first 200 samples; Dropout draws each framework's own masks, so the history varies
history = model.fit(x_train[:200], y_train[:200], batch_size=64, epochs=1, validation_split=0.2, verbose=0)
print(sorted(history.history))
print("[varies]", rounded(history))

# %% Shared layers
# Embedding for 1000 unique words mapped to 128-dimensional vectors
shared_embedding = layers.Embedding(1000, 128)

# Variable-length sequence of integers
text_input_a = keras.Input(shape=(None,), dtype="int32")

# Variable-length sequence of integers
text_input_b = keras.Input(shape=(None,), dtype="int32")

# Reuse the same layer to encode both inputs
encoded_input_a = shared_embedding(text_input_a)
encoded_input_b = shared_embedding(text_input_b)
print(encoded_input_a.shape, encoded_input_b.shape, len(shared_embedding.weights))

# %% Extract and reuse nodes in the graph of layers
# needs: keras.applications.VGG19 (a pretrained convolutional network, downloaded)


# %% Extend the API using custom layers
class CustomDense(layers.Layer):
    def __init__(self, units=32):
        super(CustomDense, self).__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(
            shape=(self.units,), initializer="random_normal", trainable=True
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b


inputs = keras.Input((4,))
outputs = CustomDense(10)(inputs)

model = keras.Model(inputs, outputs)
print(model.output_shape, len(model.weights))


class CustomDense(layers.Layer):
    def __init__(self, units=32):
        super(CustomDense, self).__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(
            shape=(self.units,), initializer="random_normal", trainable=True
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {"units": self.units}


inputs = keras.Input((4,))
outputs = CustomDense(10)(inputs)

model = keras.Model(inputs, outputs)
config = model.get_config()

new_model = keras.Model.from_config(config, custom_objects={"CustomDense": CustomDense})
print([type(layer).__name__ for layer in new_model.layers], new_model.output_shape)

# %% Mix-and-match API styles
units = 32
timesteps = 10
input_dim = 5

# Define a Functional model
inputs = keras.Input((None, units))
x = layers.GlobalAveragePooling1D()(inputs)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)


class CustomRNN(layers.Layer):
    def __init__(self):
        super(CustomRNN, self).__init__()
        self.units = units
        self.projection_1 = layers.Dense(units=units, activation="tanh")
        self.projection_2 = layers.Dense(units=units, activation="tanh")
        # Our previously-defined Functional model
        self.classifier = model

    def call(self, inputs):
        outputs = []
        state = tf.zeros(shape=(inputs.shape[0], self.units))
        for t in range(inputs.shape[1]):
            x = inputs[:, t, :]
            h = self.projection_1(x)
            y = h + self.projection_2(state)
            state = y
            outputs.append(y)
        features = tf.stack(outputs, axis=1)
        print(features.shape)
        return self.classifier(features)


rnn_model = CustomRNN()
_ = rnn_model(tf.zeros((1, timesteps, input_dim)))
print(_.shape)

units = 32
timesteps = 10
input_dim = 5
batch_size = 16


class CustomRNN(layers.Layer):
    def __init__(self):
        super(CustomRNN, self).__init__()
        self.units = units
        self.projection_1 = layers.Dense(units=units, activation="tanh")
        self.projection_2 = layers.Dense(units=units, activation="tanh")
        self.classifier = layers.Dense(1)

    def call(self, inputs):
        outputs = []
        state = tf.zeros(shape=(inputs.shape[0], self.units))
        for t in range(inputs.shape[1]):
            x = inputs[:, t, :]
            h = self.projection_1(x)
            y = h + self.projection_2(state)
            state = y
            outputs.append(y)
        features = tf.stack(outputs, axis=1)
        return self.classifier(features)


# Note that you specify a static batch size for the inputs with the `batch_shape`
# arg, because the inner computation of `CustomRNN` requires a static batch size
# (when you create the `state` zeros tensor).
inputs = keras.Input(batch_shape=(batch_size, timesteps, input_dim))
x = layers.Conv1D(32, 3)(inputs)
outputs = CustomRNN()(x)

model = keras.Model(inputs, outputs)
print(model.output_shape)  # adapted: the model's shape, and its output from seeded weights
seeded_weights(model, seed=6)
print(np.round(model(np.linspace(-1, 1, batch_size * timesteps * input_dim).reshape(
    batch_size, timesteps, input_dim).astype("float32")).numpy()[:2, :, 0], 4))

rnn_model = CustomRNN()
_ = rnn_model(tf.zeros((1, 10, 5)))
print(_.shape)
