"""The Keras example "Structured data classification with FeatureSpace" (keras.io, tf.keras 2), adapted for
chainrule.

Source: keras-team/keras-io, examples/structured_data/structured_data_classification_with_feature_space.py
(fchollet, 2022/11/09; the tf.keras 2 version, ``from tensorflow import keras``). The code is here in order.
Adaptations:

* ``heart.csv`` (a download; not in the shared datasets) is replaced by ``guide_support.heart_stand_in``: a
  CSV with the same 14 columns and 303 made-up patients, read by the example's ``pd.read_csv``;
  ``dataframe.head()`` (a notebook display) is printed;
* ``from keras.utils import FeatureSpace`` is ``keras.utils.FeatureSpace`` of the framework (with
  ``TF_USE_LEGACY_KERAS=1``, ``import keras`` is Keras 3, not tf.keras 2);
* ``dataframe_to_dataset`` does not shuffle (the example's ``ds.shuffle(buffer_size=len(dataframe))`` is each
  framework's own random order, which would change the adapted lookups' tie order and every batch), so the
  first example, the adapted preprocessors and the preprocessed batches are compared;
* the training model starts from ``seeded_weights``; its validation loss and accuracy before training are
  printed (``evaluate``: no Dropout outside training), and so are the end-to-end model's predictions for the first
  validation samples before training; ``fit`` runs 5 epochs instead of 20 with ``verbose=0`` instead of 2, and
  its history (the masks of ``Dropout(0.5)`` are each framework's own random numbers) and the prediction after
  training print as ``[varies]``, with what does not depend on them (the history's length and keys, the
  prediction's range).

Run with chainrule: ``python feature_space.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import framework, heart_stand_in, seeded_weights

tf, keras = framework()

# %% Setup
import pandas as pd  # noqa: E402

# %% Preparing the data
file_url = heart_stand_in("heart.csv")  # adapted: a stand-in for the download
dataframe = pd.read_csv(file_url)

print(dataframe.shape)

print(dataframe.head())  # adapted: printed

val_dataframe = dataframe.sample(frac=0.2, random_state=1337)
train_dataframe = dataframe.drop(val_dataframe.index)

print(
    "Using %d samples for training and %d for validation"
    % (len(train_dataframe), len(val_dataframe))
)


def dataframe_to_dataset(dataframe):
    dataframe = dataframe.copy()
    labels = dataframe.pop("target")
    ds = tf.data.Dataset.from_tensor_slices((dict(dataframe), labels))
    # ds = ds.shuffle(buffer_size=len(dataframe))  (adapted: not shuffled, see the docstring)
    return ds


train_ds = dataframe_to_dataset(train_dataframe)
val_ds = dataframe_to_dataset(val_dataframe)

for x, y in train_ds.take(1):
    print("Input:", x)
    print("Target:", y)

train_ds = train_ds.batch(32)
val_ds = val_ds.batch(32)

# %% Configuring a FeatureSpace
FeatureSpace = keras.utils.FeatureSpace  # adapted: from keras.utils import FeatureSpace

feature_space = FeatureSpace(
    features={
        # Categorical features encoded as integers
        "sex": "integer_categorical",
        "cp": "integer_categorical",
        "fbs": "integer_categorical",
        "restecg": "integer_categorical",
        "exang": "integer_categorical",
        "ca": "integer_categorical",
        # Categorical feature encoded as string
        "thal": "string_categorical",
        # Numerical features to discretize
        "age": "float_discretized",
        # Numerical features to normalize
        "trestbps": "float_normalized",
        "chol": "float_normalized",
        "thalach": "float_normalized",
        "oldpeak": "float_normalized",
        "slope": "float_normalized",
    },
    # We create additional features by hashing
    # value co-occurrences for the
    # following groups of categorical features.
    crosses=[("sex", "age"), ("thal", "ca")],
    # The hashing space for these co-occurrences
    # wil be 32-dimensional.
    crossing_dim=32,
    # Our utility will one-hot encode all categorical
    # features and concat all features into a single
    # vector (one vector per sample).
    output_mode="concat",
)

# %% Further customizing a FeatureSpace
feature_space = FeatureSpace(
    features={
        # Categorical features encoded as integers
        "sex": FeatureSpace.integer_categorical(num_oov_indices=0),
        "cp": FeatureSpace.integer_categorical(num_oov_indices=0),
        "fbs": FeatureSpace.integer_categorical(num_oov_indices=0),
        "restecg": FeatureSpace.integer_categorical(num_oov_indices=0),
        "exang": FeatureSpace.integer_categorical(num_oov_indices=0),
        "ca": FeatureSpace.integer_categorical(num_oov_indices=0),
        # Categorical feature encoded as string
        "thal": FeatureSpace.string_categorical(num_oov_indices=0),
        # Numerical features to discretize
        "age": FeatureSpace.float_discretized(num_bins=30),
        # Numerical features to normalize
        "trestbps": FeatureSpace.float_normalized(),
        "chol": FeatureSpace.float_normalized(),
        "thalach": FeatureSpace.float_normalized(),
        "oldpeak": FeatureSpace.float_normalized(),
        "slope": FeatureSpace.float_normalized(),
    },
    # Specify feature cross with a custom crossing dim.
    crosses=[
        FeatureSpace.cross(feature_names=("sex", "age"), crossing_dim=64),
        FeatureSpace.cross(
            feature_names=("thal", "ca"),
            crossing_dim=16,
        ),
    ],
    output_mode="concat",
)

# %% Adapt the FeatureSpace to the training data
train_ds_with_no_labels = train_ds.map(lambda x, _: x)
feature_space.adapt(train_ds_with_no_labels)

for name in sorted(feature_space.preprocessors):  # added: what adapt learned
    layer = feature_space.preprocessors[name]
    if hasattr(layer, "get_vocabulary"):
        print(name, layer.name, [str(v) for v in layer.get_vocabulary()])
    elif hasattr(layer, "bin_boundaries"):
        print(name, layer.name, np.round(np.asarray(layer.bin_boundaries), 4).tolist())
    else:
        print(name, layer.name, np.round(layer.mean.numpy(), 4).tolist(), np.round(layer.variance.numpy(), 4).tolist())

for x, _ in train_ds.take(1):
    preprocessed_x = feature_space(x)
    print("preprocessed_x.shape:", preprocessed_x.shape)
    print("preprocessed_x.dtype:", preprocessed_x.dtype)
    print("sums:", np.round(preprocessed_x.numpy().sum(axis=1), 4).tolist())  # added
    print("first row:", np.round(preprocessed_x.numpy()[0], 4).tolist())  # added

# %% Two ways to manage preprocessing
preprocessed_train_ds = train_ds.map(
    lambda x, y: (feature_space(x), y), num_parallel_calls=tf.data.AUTOTUNE
)
preprocessed_train_ds = preprocessed_train_ds.prefetch(tf.data.AUTOTUNE)

preprocessed_val_ds = val_ds.map(
    lambda x, y: (feature_space(x), y), num_parallel_calls=tf.data.AUTOTUNE
)
preprocessed_val_ds = preprocessed_val_ds.prefetch(tf.data.AUTOTUNE)

# %% Build a model
dict_inputs = feature_space.get_inputs()
encoded_features = feature_space.get_encoded_features()

x = keras.layers.Dense(32, activation="relu")(encoded_features)
x = keras.layers.Dropout(0.5)(x)
predictions = keras.layers.Dense(1, activation="sigmoid")(x)

training_model = keras.Model(inputs=encoded_features, outputs=predictions)
training_model.compile(
    optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"]
)

inference_model = keras.Model(inputs=dict_inputs, outputs=predictions)

seeded_weights(training_model)  # added
print("encoded:", encoded_features.shape, "inputs:", sorted(dict_inputs))  # added
print("before training:", np.round(training_model.evaluate(preprocessed_val_ds, verbose=0), 4).tolist())  # added
for x, _ in val_ds.take(1):  # added: the end-to-end model on raw values, before training
    print("end-to-end:", np.round(inference_model.predict(x, verbose=0)[:6, 0], 4).tolist())

# %% Train the model
history = training_model.fit(  # adapted: 5 epochs, quiet, the history kept to print it
    preprocessed_train_ds, epochs=5, validation_data=preprocessed_val_ds, verbose=0
)
print("[varies]", {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})
print(sorted(history.history), len(history.history["loss"]))

# %% Inference on new data with the end-to-end model
sample = {
    "age": 60,
    "sex": 1,
    "cp": 1,
    "trestbps": 145,
    "chol": 233,
    "fbs": 1,
    "restecg": 2,
    "thalach": 150,
    "exang": 0,
    "oldpeak": 2.3,
    "slope": 3,
    "ca": 0,
    "thal": "fixed",
}

input_dict = {name: tf.convert_to_tensor([value]) for name, value in sample.items()}
predictions = inference_model.predict(input_dict, verbose=0)  # adapted: quiet

print(
    f"[varies] This particular patient had a {100 * predictions[0][0]:.2f}% probability "
    "of having a heart disease, as evaluated by our model."
)
print(predictions.shape, bool(0 <= predictions[0][0] <= 1))  # added
