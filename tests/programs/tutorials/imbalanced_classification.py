"""The Keras example "Imbalanced classification: credit card fraud detection" (keras.io, tf.keras 2), adapted
for chainrule.

Source: keras-team/keras-io, examples/structured_data/imbalanced_classification.py (fchollet, last modified
2020/04/17; the tf.keras 2 version, ``from tensorflow import keras``). The code is here in order. Adaptations:

* Kaggle's ``creditcard.csv`` (a manual download; not in the shared datasets) is replaced by
  ``guide_support.creditcard_stand_in``: a CSV with the same header and columns (``"Time"``, ``"V1"`` ...
  ``"V28"``, ``"Amount"``, the quoted ``"Class"``) of 10000 made-up transactions, 0.6 % of them fraudulent
  (the real file: 284807 rows, 0.17 %), read by the example's own loop;
* the model starts from ``seeded_weights``, and before training it prints its validation loss and counts
  (``evaluate``; Dropout is off outside training, so these are compared);
* ``fit`` runs 6 epochs instead of 30 with ``verbose=0`` instead of 2 (lines with timings); the model keeps
  the example's ``Dropout(0.3)``, whose masks come from each framework's own random numbers, so the history
  prints as ``[varies]``. What does not depend on the masks is compared: the history's keys, and for each
  epoch the numbers of positive (``tp + fn``) and negative (``tn + fp``) samples the metrics counted, in the
  training data (tf.keras 2 does not weigh the compiled metrics by ``class_weight``: whole counts) and in the
  validation data; the checkpoint files written by ``ModelCheckpoint`` are listed.

Run with chainrule: ``python imbalanced_classification.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import os

from guide_support import creditcard_stand_in, framework, seeded_weights

tf, keras = framework()

# %% First, vectorize the CSV data
import csv  # noqa: E402,F401 (the example's imports)
import numpy as np  # noqa: E402

# Get the real data from https://www.kaggle.com/mlg-ulb/creditcardfraud/
fname = creditcard_stand_in("creditcard.csv")  # adapted: a stand-in for "/Users/fchollet/Downloads/creditcard.csv"

all_features = []
all_targets = []
with open(fname) as f:
    for i, line in enumerate(f):
        if i == 0:
            print("HEADER:", line.strip())
            continue  # Skip header
        fields = line.strip().split(",")
        all_features.append([float(v.replace('"', "")) for v in fields[:-1]])
        all_targets.append([int(fields[-1].replace('"', ""))])
        if i == 1:
            print("EXAMPLE FEATURES:", all_features[-1])

features = np.array(all_features, dtype="float32")
targets = np.array(all_targets, dtype="uint8")
print("features.shape:", features.shape)
print("targets.shape:", targets.shape)

# %% Prepare a validation set
num_val_samples = int(len(features) * 0.2)
train_features = features[:-num_val_samples]
train_targets = targets[:-num_val_samples]
val_features = features[-num_val_samples:]
val_targets = targets[-num_val_samples:]

print("Number of training samples:", len(train_features))
print("Number of validation samples:", len(val_features))

# %% Analyze class imbalance in the targets
counts = np.bincount(train_targets[:, 0])
print(
    "Number of positive samples in training data: {} ({:.2f}% of total)".format(
        counts[1], 100 * float(counts[1]) / len(train_targets)
    )
)

weight_for_0 = 1.0 / counts[0]
weight_for_1 = 1.0 / counts[1]

# %% Normalize the data using training set statistics
mean = np.mean(train_features, axis=0)
train_features -= mean
val_features -= mean
std = np.std(train_features, axis=0)
train_features /= std
val_features /= std

# %% Build a binary classification model
model = keras.Sequential(
    [
        keras.layers.Dense(
            256, activation="relu", input_shape=(train_features.shape[-1],)
        ),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)
model.summary()

# %% Train the model with `class_weight` argument
metrics = [
    keras.metrics.FalseNegatives(name="fn"),
    keras.metrics.FalsePositives(name="fp"),
    keras.metrics.TrueNegatives(name="tn"),
    keras.metrics.TruePositives(name="tp"),
    keras.metrics.Precision(name="precision"),
    keras.metrics.Recall(name="recall"),
]

model.compile(
    optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=metrics
)
seeded_weights(model)  # adapted: the same start in both frameworks, checked before training
results = model.evaluate(val_features, val_targets, verbose=0)
print({name: round(float(value), 4) for name, value in zip(model.metrics_names, results)})

callbacks = [keras.callbacks.ModelCheckpoint("fraud_model_at_epoch_{epoch}.h5")]
class_weight = {0: weight_for_0, 1: weight_for_1}

history = model.fit(  # adapted: the history kept, to print it
    train_features,
    train_targets,
    batch_size=2048,
    epochs=6,  # adapted: 30 in the example
    verbose=0,  # adapted: 2 in the example (lines with timings)
    callbacks=callbacks,
    validation_data=(val_features, val_targets),
    class_weight=class_weight,
)

# adapted: what the example's training log shows, as far as it does not depend on the Dropout masks
h = history.history
print(sorted(h))
print("[varies]", {k: [round(float(v), 4) for v in vals] for k, vals in h.items()})
print("weighted positives (tp + fn):", [round(tp + fn, 4) for tp, fn in zip(h["tp"], h["fn"])])
print("weighted negatives (tn + fp):", [round(tn + fp, 4) for tn, fp in zip(h["tn"], h["fp"])])
print("validation positives:", [round(tp + fn, 4) for tp, fn in zip(h["val_tp"], h["val_fn"])])
print("validation negatives:", [round(tn + fp, 4) for tn, fp in zip(h["val_tn"], h["val_fp"])])
print(sorted(name for name in os.listdir(".") if name.startswith("fraud_model")))
