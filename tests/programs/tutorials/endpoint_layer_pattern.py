"""The Keras example "Endpoint layer pattern" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/keras_recipes/endpoint_layer_pattern.py (fchollet, last modified
2019/05/10; the tf.keras 2 version, commit 2dd71c68, which uses ``add_metric``). The code is here in order.
Adaptations:

* numpy's global generator is seeded (``np.random.seed(0)``), so the example's random data are the same in
  both frameworks;
* each model starts from ``seeded_weights`` (numpy-drawn, drawn after the data); ``fit`` runs with
  ``shuffle=False`` and ``verbose=0`` (no progress bar, the same batches in both frameworks) and its history
  is printed (rounded); the inference model's predictions are summarised (shape, the distinct values). The
  models have no dropout, so the trainings are deterministic and compared.

Run with chainrule: ``python endpoint_layer_pattern.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import numpy as np
from guide_support import framework, seeded_weights

tf, keras = framework()
np.random.seed(0)  # adapted: the same random data in both frameworks


def rounded(history):
    return {k: [round(float(v), 4) for v in vals] for k, vals in sorted(history.history.items())}


# %% Usage of endpoint layers in the Functional API
class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super(LogisticEndpoint, self).__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.accuracy_fn = keras.metrics.BinaryAccuracy(name="accuracy")

    def call(self, logits, targets=None, sample_weight=None):
        if targets is not None:
            # Compute the training-time loss value and add it
            # to the layer using `self.add_loss()`.
            loss = self.loss_fn(targets, logits, sample_weight)
            self.add_loss(loss)

            # Log the accuracy as a metric (we could log arbitrary metrics,
            # including different metrics for training and inference.
            self.add_metric(self.accuracy_fn(targets, logits, sample_weight))

        # Return the inference-time prediction tensor (for `.predict()`).
        return tf.nn.softmax(logits)


inputs = keras.Input((764,), name="inputs")
logits = keras.layers.Dense(1)(inputs)
targets = keras.Input((1,), name="targets")
sample_weight = keras.Input((1,), name="sample_weight")
preds = LogisticEndpoint()(logits, targets, sample_weight)
model = keras.Model([inputs, targets, sample_weight], preds)

data = {
    "inputs": np.random.random((1000, 764)),
    "targets": np.random.random((1000, 1)),
    "sample_weight": np.random.random((1000, 1)),
}

model.compile(keras.optimizers.Adam(1e-3))
seeded_weights(model)  # adapted: the same start in both frameworks
print(rounded(model.fit(data, epochs=2, shuffle=False, verbose=0)))  # adapted: quiet, printed

# %% Exporting an inference-only model
inputs = keras.Input((764,), name="inputs")
logits = keras.layers.Dense(1)(inputs)
preds = LogisticEndpoint()(logits, targets=None, sample_weight=None)
inference_model = keras.Model(inputs, preds)

inference_model.set_weights(model.get_weights())

preds = inference_model.predict(np.random.random((1000, 764)), verbose=0)  # adapted: quiet
print(preds.shape, np.unique(np.round(preds, 4)))  # adapted: what predict returned
print(len(model.get_weights()), [w.shape for w in inference_model.get_weights()])


# %% Usage of loss endpoint layers in subclassed models
class LogReg(keras.Model):
    def __init__(self):
        super(LogReg, self).__init__()
        self.dense = keras.layers.Dense(1)
        self.logistic_endpoint = LogisticEndpoint()

    def call(self, inputs):
        # Note that all inputs should be in the first argument
        # since we want to be able to call `model.fit(inputs)`.
        logits = self.dense(inputs["inputs"])
        preds = self.logistic_endpoint(
            logits=logits,
            targets=inputs["targets"],
            sample_weight=inputs["sample_weight"],
        )
        return preds


model = LogReg()
data = {
    "inputs": np.random.random((1000, 764)),
    "targets": np.random.random((1000, 1)),
    "sample_weight": np.random.random((1000, 1)),
}

model.compile(keras.optimizers.Adam(1e-3))
model({name: value[:2] for name, value in data.items()})  # adapted: built by one call, then the same start
seeded_weights(model)
print(rounded(model.fit(data, epochs=2, shuffle=False, verbose=0)))  # adapted: quiet, printed
