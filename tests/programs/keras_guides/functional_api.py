"""The Keras guide "The Functional API" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs-l10n, site/ko/guide/keras/functional.ipynb (the tf.keras 2 guide, code in English).
The code cells are here in order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``), the first 6000 training and 1000 test
  images; the model starts from ``seeded_weights`` and ``fit`` runs with ``shuffle=False`` and ``verbose=0``,
  so both frameworks train the same way; the history and scores are printed to 4 decimals.
* Summaries of models with branches are printed with tf.keras 2.21's layout (``positions=[0.3, 0.6, 0.7, 1.0]``,
  passed explicitly: chainrule's default is tf.keras 2.11's).
* ``plot_model`` cells (images) are skipped; the convolutional, embedding and recurrent cells (the
  autoencoders, the toy ResNet, the multi-input model of text, the shared embedding, VGG19) are kept as
  ``# needs:`` comments; objects are printed by class and name.

Run with chainrule: ``CHAINRULE_DATA=... python functional_api.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import framework, load_mnist, seeded_weights

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
# needs: Conv2D, MaxPooling2D, GlobalMaxPooling2D, Conv2DTranspose, UpSampling2D (the encoder/decoder models)

# %% All models are callable, just like layers
# needs: Conv2D and Conv2DTranspose (the autoencoder built from the encoder and decoder models)


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
# needs: Embedding and LSTM (the multi-input text model; sequence layers come with their own issue). The
# compile(loss=[...]/{...}, loss_weights=...) calls and the fit on dicts follow on the same model shape with
# Dense features in their place.
num_tags = 12  # Number of unique issue tags
num_words = 10000  # Size of vocabulary obtained when preprocessing text data
num_departments = 4  # Number of departments for predictions

title_input = keras.Input(shape=(10,), name="title")  # adapted: 10 numbers per title instead of word ids
body_input = keras.Input(shape=(100,), name="body")  # adapted: 100 numbers per body
tags_input = keras.Input(shape=(num_tags,), name="tags")  # Binary vectors of size `num_tags`

title_features = layers.Dense(16)(title_input)  # adapted: in place of Embedding + LSTM(128)
body_features = layers.Dense(8)(body_input)  # adapted: in place of Embedding + LSTM(32)

x = layers.concatenate([title_features, body_features, tags_input])

priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(num_departments, name="department")(x)

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

rng = np.random.RandomState(0)  # adapted: a seeded generator instead of np.random
title_data = rng.randint(num_words, size=(1280, 10)).astype("float32") / num_words
body_data = rng.randint(num_words, size=(1280, 100)).astype("float32") / num_words
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
# needs: Conv2D, MaxPooling2D, GlobalAveragePooling2D and CIFAR-10 (the toy ResNet and its training)

# %% Shared layers
# needs: Embedding (the shared embedding of two text inputs)

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
# needs: GlobalAveragePooling1D (the first CustomRNN's classifier) and Conv1D (the last example's input layer)
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


rnn_model = CustomRNN()
_ = rnn_model(tf.zeros((1, 10, 5)))
print(_.shape)
