"""The Keras guide "The Sequential model" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs-l10n, site/ko/guide/keras/sequential_model.ipynb (the tf.keras 2 guide, code in
English). The code cells are here in order. Adaptations: bare expressions are printed, objects by class
and name (their addresses vary); outputs of randomly initialized layers are printed by shape, or after
``seeded_weights`` (the same numpy-drawn weights in both frameworks); the convolutional model of the
debugging workflow also prints its finished summary and a prediction, and the convolutional feature extractors'
outputs are printed by shape, mean and a corner; the transfer-learning cells use Dense layers in place of the
guide's pretrained convnet (``keras.applications.Xception``, a download, kept as a ``# needs:`` comment) and
train nothing.

Run with chainrule: ``python sequential_model.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow python sequential_model.py`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import framework, seeded_weights

tf, keras = framework()
layers = keras.layers


def names(items):
    return [f"{type(x).__name__}:{x.name}" for x in items]


# %% When to use a Sequential model
# Define Sequential model with 3 layers
model = keras.Sequential(
    [
        layers.Dense(2, activation="relu", name="layer1"),
        layers.Dense(3, activation="relu", name="layer2"),
        layers.Dense(4, name="layer3"),
    ]
)
# Call model on a test input
x = tf.ones((3, 3))
y = model(x)
print(y.shape)

# Create 3 layers
layer1 = layers.Dense(2, activation="relu", name="layer1")
layer2 = layers.Dense(3, activation="relu", name="layer2")
layer3 = layers.Dense(4, name="layer3")

# Call layers on a test input
x = tf.ones((3, 3))
y = layer3(layer2(layer1(x)))
print(y.shape)

# %% Creating a Sequential model
model = keras.Sequential(
    [
        layers.Dense(2, activation="relu"),
        layers.Dense(3, activation="relu"),
        layers.Dense(4),
    ]
)
print(names(model.layers))

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(4))

model.pop()
print(len(model.layers))  # 2

model = keras.Sequential(name="my_sequential")
model.add(layers.Dense(2, activation="relu", name="layer1"))
model.add(layers.Dense(3, activation="relu", name="layer2"))
model.add(layers.Dense(4, name="layer3"))
print(model.name, names(model.layers))

# %% Specifying the input shape in advance
layer = layers.Dense(3)
print(layer.weights)  # Empty

# Call layer on a test input
x = tf.ones((1, 4))
y = layer(x)
print([(w.name, tuple(w.shape)) for w in layer.weights])  # Now it has weights, of shape (4, 3) and (3,)

model = keras.Sequential(
    [
        layers.Dense(2, activation="relu"),
        layers.Dense(3, activation="relu"),
        layers.Dense(4),
    ]
)  # No weights at this stage!

# At this point, you can't do this:
# model.weights

# You also can't do this:
# model.summary()
try:
    model.summary()
except ValueError as e:
    print("ValueError:", str(e).split(". ")[0])

# Call the model on a test input
x = tf.ones((1, 4))
y = model(x)
print("Number of weights after calling the model:", len(model.weights))  # 6

model.summary()
seeded_weights(model)
print(np.round(model(x).numpy(), 5))

model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(layers.Dense(2, activation="relu"))

model.summary()

print(names(model.layers))

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu", input_shape=(4,)))

model.summary()

# %% A common debugging workflow: add() + summary()
model = keras.Sequential()
model.add(keras.Input(shape=(250, 250, 3)))  # 250x250 RGB images
model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))

# Can you guess what the current output shape is at this point? Probably not.
# Let's just print it:
model.summary()

# The answer was: (40, 40, 32), so we can keep downsampling...

model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(2))

# And now?
model.summary()

# Now that we have 4x4 feature maps, time to apply global max pooling.
model.add(layers.GlobalMaxPooling2D())

# Finally, we add a classification layer.
model.add(layers.Dense(10))
model.summary()  # adapted: the finished model's summary
seeded_weights(model, seed=2)
print(np.round(model(np.linspace(0, 1, 250 * 250 * 3).reshape(1, 250, 250, 3)).numpy(), 4))

# %% What to do once you have a model / Feature extraction with a Sequential model
initial_model = keras.Sequential(
    [
        keras.Input(shape=(250, 250, 3)),
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
    ]
)
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=[layer.output for layer in initial_model.layers],
)

# Call feature extractor on test input.
x = tf.ones((1, 250, 250, 3))
features = feature_extractor(x)
print([tuple(f.shape) for f in features])  # adapted: the features are printed by shape and, from
seeded_weights(initial_model, seed=1)  # seeded weights, by their mean and a corner
features = feature_extractor(x)
print([f"{float(np.mean(f)):.6g}" for f in features], np.round(features[-1].numpy()[0, :2, :2, :3], 4))

initial_model = keras.Sequential(
    [
        keras.Input(shape=(250, 250, 3)),
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
        layers.Conv2D(32, 3, activation="relu"),
    ]
)
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=initial_model.get_layer(name="my_intermediate_layer").output,
)
# Call feature extractor on test input.
x = tf.ones((1, 250, 250, 3))
features = feature_extractor(x)
print(tuple(features.shape))
seeded_weights(initial_model, seed=1)
print(f"{float(np.mean(feature_extractor(x))):.6g}")

# %% Transfer learning with a Sequential model
model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(32, activation='relu'),
    layers.Dense(32, activation='relu'),
    layers.Dense(32, activation='relu'),
    layers.Dense(10),
])

# Presumably you would want to first load pre-trained weights.
# (the guide: model.load_weights(...), a file it does not provide)

# Freeze all layers except the last one.
for layer in model.layers[:-1]:
  layer.trainable = False

# Recompile and train (this will only update the weights of the last layer).
model.compile(optimizer="adam", loss="mse")
print(len(model.trainable_weights), len(model.non_trainable_weights))
model.summary()
# needs: keras.applications.Xception (a pretrained convolutional network, downloaded) for the second example
