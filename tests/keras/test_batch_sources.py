"""fit/evaluate/predict on Python generators and keras.utils.Sequence, as tf.keras 2 reads them.

The reference for each behaviour is tf.keras 2 (tf_keras 2.21, checked with the scratch
TensorFlow environment): a generator is one iterator for the whole fit (a finite one is
exhausted after the first epoch: a warning, and training stops); a Sequence is read in a
new order each epoch (shuffle=True) and its on_epoch_end runs after every epoch and after
every evaluation. Numbers are compared with training on the same batches as arrays.
"""
import warnings

import numpy as np
import pytest

from chainrule import keras
from chainrule.keras import layers

N, F, C, B = 24, 5, 3, 6
RNG = np.random.default_rng(0)
X = RNG.normal(size=(N, F)).astype("float32")
Y = (np.arange(N) % C).astype("int64")


def _model(build=True):
    keras.utils.set_random_seed(7)
    first = layers.Dense(8, activation="relu", input_shape=(F,)) if build else layers.Dense(8, activation="relu")
    model = keras.Sequential([first, layers.Dense(C, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _batches(x=X, y=Y, sw=None):
    for i in range(0, len(x), B):
        part = slice(i, i + B)
        yield (x[part], y[part]) if sw is None else (x[part], y[part], sw[part])


def _forever():
    while True:
        yield from _batches()


class Batches(keras.utils.Sequence):
    def __init__(self, x=X, y=Y):
        self.x, self.y = x, y
        self.read, self.epochs_ended = [], 0

    def __len__(self):
        return int(np.ceil(len(self.x) / B))

    def __getitem__(self, index):
        self.read.append(index)
        return self.x[index * B:(index + 1) * B], self.y[index * B:(index + 1) * B]

    def on_epoch_end(self):
        self.epochs_ended += 1


def _same_weights(a, b):
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_fit_on_a_generator_equals_fit_on_the_same_batches_as_arrays():
    by_arrays, by_generator = _model(), _model()
    h1 = by_arrays.fit(X, Y, batch_size=B, epochs=3, shuffle=False, verbose=0)
    h2 = by_generator.fit(_forever(), steps_per_epoch=N // B, epochs=3, verbose=0)
    _same_weights(by_arrays, by_generator)
    assert h1.history == h2.history


def test_evaluate_and_predict_on_generators_equal_arrays():
    model = _model()
    assert model.evaluate(_batches(), verbose=0) == model.evaluate(X, Y, batch_size=B, verbose=0)
    np.testing.assert_array_equal(model.predict((x for x, _ in _batches()), verbose=0),
                                  model.predict(X, batch_size=B, verbose=0))
    np.testing.assert_array_equal(model.predict(_batches(), verbose=0), model.predict(X, batch_size=B, verbose=0))
    assert model.evaluate(_forever(), steps=2, verbose=0) == model.evaluate(X[:2 * B], Y[:2 * B], batch_size=B,
                                                                           verbose=0)


def test_a_finite_generator_is_one_epoch_then_a_warning_and_training_stops():
    model = _model()
    with pytest.warns(UserWarning, match=r"ran out of data; interrupting training.*epoch 2"):
        history = model.fit(_batches(), epochs=3, verbose=0)
    assert history.epoch == [0]
    reference = _model()
    reference.fit(X, Y, batch_size=B, epochs=1, shuffle=False, verbose=0)
    _same_weights(model, reference)


def test_a_generator_running_out_mid_epoch_keeps_that_epoch_and_stops():
    model = _model()
    with pytest.warns(UserWarning, match=r"ended after 1 batches in epoch 2, 3 batches per epoch"):
        history = model.fit(_batches(), steps_per_epoch=3, epochs=5, verbose=0)  # 4 batches in all
    assert history.epoch == [0, 1]  # the partial second epoch is trained and logged, then training stops
    reference = _model()
    reference.fit(X, Y, batch_size=B, epochs=1, shuffle=False, verbose=0)  # the same 4 batches, in one epoch
    _same_weights(model, reference)


def test_generator_batches_with_sample_weights_and_class_weight_equal_arrays():
    sw = np.linspace(0.5, 2.0, N).astype("float32")
    by_arrays, by_generator = _model(), _model()
    by_arrays.fit(X, Y, sample_weight=sw, batch_size=B, shuffle=False, class_weight={0: 1.0, 1: 3.0, 2: 0.5},
                  verbose=0)
    by_generator.fit(_batches(sw=sw), class_weight={0: 1.0, 1: 3.0, 2: 0.5}, verbose=0)
    _same_weights(by_arrays, by_generator)


def test_validation_data_as_a_generator_with_validation_steps():
    model = _model()
    history = model.fit(_forever(), steps_per_epoch=2, validation_data=_forever(), validation_steps=2, epochs=2,
                        verbose=0)
    assert len(history.history["val_loss"]) == 2 and len(history.history["val_accuracy"]) == 2


def test_an_unbuilt_model_is_built_from_the_first_batch():
    model = _model(build=False)
    model.fit(_batches(), verbose=0)
    assert model.built and model.layers[0].kernel.shape == (F, 8)


def test_fit_on_a_sequence_without_shuffling_equals_arrays_and_ends_every_epoch():
    sequence = Batches()
    by_arrays, by_sequence = _model(), _model()
    by_arrays.fit(X, Y, batch_size=B, epochs=3, shuffle=False, verbose=0)
    by_sequence.fit(sequence, epochs=3, shuffle=False, verbose=0)
    _same_weights(by_arrays, by_sequence)
    assert sequence.epochs_ended == 3
    assert sequence.read == [0, 1, 2, 3] * 3


def test_fit_on_a_sequence_shuffles_the_batch_order_each_epoch():
    sequence = Batches()
    _model().fit(sequence, epochs=6, verbose=0)
    orders = [sequence.read[i:i + 4] for i in range(0, 24, 4)]
    assert all(sorted(order) == [0, 1, 2, 3] for order in orders)  # every batch once per epoch
    assert len({tuple(order) for order in orders}) > 1  # in a new order
    assert sequence.epochs_ended == 6


def test_a_sequence_with_steps_per_epoch_and_as_validation_data():
    train, val = Batches(), Batches()
    history = _model().fit(train, steps_per_epoch=2, epochs=3, shuffle=False, validation_data=val, verbose=0)
    assert train.read == [0, 1] * 3 and train.epochs_ended == 3
    assert val.read == [0, 1, 2, 3] * 3 and val.epochs_ended == 3  # validated in order, ended after each
    assert len(history.history["val_loss"]) == 3


def test_a_sequence_shorter_than_steps_per_epoch_warns_and_stops():
    sequence = Batches()
    with pytest.warns(UserWarning, match=r"Sequence Batches has 4 batches and steps_per_epoch=6"):
        history = _model().fit(sequence, steps_per_epoch=6, epochs=3, verbose=0)
    assert history.epoch == [0] and sequence.epochs_ended == 1


def test_evaluate_and_predict_on_a_sequence():
    model, sequence = _model(), Batches()
    assert model.evaluate(sequence, verbose=0) == model.evaluate(X, Y, batch_size=B, verbose=0)
    assert sequence.epochs_ended == 1
    np.testing.assert_array_equal(model.predict(Batches(), verbose=0), model.predict(X, batch_size=B, verbose=0))


def test_the_deprecated_generator_methods_call_fit_evaluate_predict():
    model = _model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit_generator(_forever(), steps_per_epoch=2, epochs=2, verbose=0)
        loss = model.evaluate_generator(_batches())
        out = model.predict_generator(Batches())
    assert sum("deprecated" in str(w.message) for w in caught) == 3
    assert len(history.history["loss"]) == 2 and np.isfinite(loss[0]) and out.shape == (N, C)
