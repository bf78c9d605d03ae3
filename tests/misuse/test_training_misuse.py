"""Misuse corpus, training: compile/fit/evaluate/predict with the wrong data or arguments.

Each test checks the exception type and that the message names the method, argument,
loss or callback, the offending shapes/values/counts, and the fix (an instruction, or
the rule that was broken). ``xfail(strict=True, reason="NEEDS: ...")`` marks the
behaviour chainrule still lacks.

Non-finite data: tf.keras trains into ``nan`` silently. chainrule's design asks for a
clear error instead, so ``fit``/``evaluate`` should raise ValueError naming ``x`` or
``y``, how many values are NaN/inf and where the first one is (``predict`` may pass
NaN through: the outputs then show it).
"""
import re
import warnings

import numpy as np
import pytest

from chainrule import keras
from chainrule.errors import InvalidArgumentError
from chainrule.keras import layers


def assert_mentions(excinfo, *patterns):
    """Every regex in ``patterns`` occurs in the exception message."""
    text = str(excinfo.value)
    missing = [p for p in patterns if not re.search(p, text)]
    assert not missing, f"the message lacks {missing}:\n{text}"


N, FEATURES, CLASSES = 12, 4, 3


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.random((N, FEATURES)).astype(np.float32)
    y = np.arange(N) % CLASSES
    return x, y


def classifier(compile=True, name="clf"):  # noqa: A002 - mirrors Keras's argument name
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(FEATURES,)),
                              layers.Dense(CLASSES, activation="softmax")], name=name)
    if compile:
        model.compile("adam", "sparse_categorical_crossentropy")
    return model


def regressor():
    model = keras.Sequential([layers.Dense(1, input_shape=(FEATURES,))], name="reg")
    model.compile("sgd", "mse")
    return model


# ----------------------------------------------------------------------------- compile state

@pytest.mark.parametrize("call", [
    lambda m, x, y: m.fit(x, y, verbose=0),
    lambda m, x, y: m.evaluate(x, y, verbose=0),
    lambda m, x, y: m.train_on_batch(x, y),
], ids=["fit", "evaluate", "train_on_batch"])
def test_training_or_evaluating_before_compile(data, call):
    x, y = data
    with pytest.raises(RuntimeError) as e:
        call(classifier(compile=False), x, y)
    assert_mentions(e, r"must compile your model", r"model\.compile\(optimizer, loss\)")


def test_compile_without_a_loss_then_fit(data):
    x, y = data
    model = classifier(compile=False)
    model.compile("adam")
    with pytest.raises(ValueError) as e:
        model.fit(x, y, verbose=0)
    assert_mentions(e, r"No loss", r"`loss` argument in the `compile\(\)` method",
                    r"loss='sparse_categorical_crossentropy'")


def test_fit_without_targets(data):
    x, _ = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, verbose=0)
    assert_mentions(e, r"fit", r"\by\b", r"missing", r"fit\(x, y")


# ----------------------------------------------------------------------------- shapes of the data

@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_wrong_number_of_input_features(data, method):
    _, y = data
    x = np.ones((N, FEATURES + 1), np.float32)
    model = classifier(name="clf")
    with pytest.raises(ValueError) as e:
        if method == "predict":
            model.predict(x, verbose=0)
        else:
            getattr(model, method)(x, y, verbose=0)
    assert_mentions(e, r"'clf'", r"expected shape=\(None, 4\)", r"found shape=\(12, 5\)", r"\(4,\) per sample")


def test_one_dimensional_x_for_a_model_that_wants_features(data):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier(name="clf").fit(x[:, 0], y, verbose=0)
    assert_mentions(e, r"'clf'", r"expected shape=\(None, 4\)", r"found shape=\(12,\)", r"\(4,\) per sample")


def test_x_and_y_of_different_lengths(data):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y[:7], verbose=0)
    assert_mentions(e, r"x sizes: 12", r"y sizes: 7", r"same number of samples")


def test_sample_weight_of_a_different_length(data):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, sample_weight=np.ones(5), verbose=0)
    assert_mentions(e, r"sample_weight sizes: 5", r"x sizes: 12", r"same number of samples")


def test_regression_targets_of_the_wrong_width(data):
    x, _ = data
    model = keras.Sequential([layers.Dense(3, input_shape=(FEATURES,))])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError) as e:
        model.fit(x, np.ones((N, 2), np.float32), verbose=0)
    assert_mentions(e, r"mean_squared_error", r"y_true of shape \(12, 2\)", r"y_pred of shape \(12, 3\)",
                    r"must have the same shape")


# ----------------------------------------------------------------------------- labels and losses

def test_one_hot_labels_given_to_sparse_categorical_crossentropy(data):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, keras.utils.to_categorical(y, CLASSES), verbose=0)
    assert_mentions(e, r"^sparse_categorical_crossentropy", r"\(12, 3\)", r"one-hot",
                    r"Use categorical_crossentropy", r"shape \(12,\)")


def test_integer_labels_given_to_categorical_crossentropy(data):
    x, y = data
    model = classifier(compile=False)
    model.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError) as e:
        model.fit(x, y, verbose=0)
    assert_mentions(e, r"^categorical_crossentropy", r"\(12, 3\)", r"integer class indices",
                    r"Use sparse_categorical_crossentropy", r"to_categorical\(y, num_classes=3\)")


@pytest.mark.parametrize("bad", [9, -1])
def test_labels_out_of_range_for_the_output_size(data, bad):
    x, y = data
    y = y.copy()
    y[4] = bad
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, verbose=0)
    assert_mentions(e, r"sparse_categorical_crossentropy", rf"label {bad}\b", r"3 classes", r"0 to 2",
                    r"size of the last layer")


def test_fractional_labels_for_sparse_categorical_crossentropy(data):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y + 0.5, verbose=0)
    assert_mentions(e, r"sparse_categorical_crossentropy", r"integer class labels expected", r"\d\.5\b")


def test_binary_crossentropy_with_labels_above_one(data):
    x, y = data          # labels 0, 1, 2
    model = keras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(FEATURES,))])
    model.compile("adam", "binary_crossentropy")
    with pytest.raises(ValueError) as e:
        model.fit(x, y, verbose=0)
    assert_mentions(e, r"binary_crossentropy", r"\[0, 1\]", r"\b2\b", r"sparse_categorical_crossentropy")


def test_to_categorical_with_negative_labels():
    with pytest.raises(ValueError) as e:
        keras.utils.to_categorical([0, -1, 2])
    assert_mentions(e, r"to_categorical", r"\[0, 3\)", r"from -1 to 2")


# ----------------------------------------------------------------------------- values of the data

@pytest.mark.parametrize("where, count, first", [("x", 2, "(3, 1)"), ("y", 1, "(5,)")], ids=["x", "y"])
def test_nan_and_inf_in_the_data(data, where, count, first):
    x, _ = data
    x, y = x.copy(), np.linspace(0.0, 1.0, N).astype(np.float32)
    if where == "x":
        x[3, 1], x[7, 0] = np.nan, np.inf
    else:
        y[5] = np.nan
    with pytest.raises(ValueError) as e:
        regressor().fit(x, y, verbose=0)
    assert_mentions(e, rf"fit: {where}\b", rf"\b{count} non-finite", re.escape(first), r"NaN")


@pytest.mark.parametrize("bad", [[np.nan], [np.inf], [-np.inf], [np.inf, -np.inf]], ids=["nan", "inf", "-inf", "both"])
def test_non_finite_values_in_a_large_array(bad):
    # 20,000 x 4 values: checked by a BLAS sum (a product with ones), where inf + -inf is nan.
    x = np.random.default_rng(0).random((20_000, FEATURES)).astype(np.float32)
    for k, value in enumerate(bad):
        x[17_000 + k, 2] = value
    with pytest.raises(ValueError) as e:
        regressor().fit(x, np.zeros(len(x), np.float32), batch_size=20_000, epochs=0, verbose=0)
    assert_mentions(e, r"fit: x\b", rf"\b{len(bad)} non-finite", re.escape("(17000, 2)"))


def test_large_finite_values_whose_sum_overflows_are_accepted():
    x = np.full((20_000, FEATURES), 3e38, np.float32)  # finite, but their float32 sum is inf
    regressor().fit(x, np.zeros(len(x), np.float32), batch_size=20_000, epochs=0, verbose=0)


@pytest.mark.parametrize("x", [np.array([["a", "b", "c", "d"]] * N), np.array([[1, 2, 3, "x"]] * N, dtype=object)],
                         ids=["str", "object"])
def test_string_or_object_inputs(data, x):
    _, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, verbose=0)
    assert_mentions(e, r"fit: x", r"dtype (<U1|object)", r"\(12, 4\)", r"convert it to numbers")


def test_string_labels(data):
    x, _ = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, np.array(["cat", "dog", "owl"] * 4), verbose=0)
    assert_mentions(e, r"fit: y", r"dtype <U3", r"\(12,\)", r"convert it to numbers")


def test_ragged_python_lists():
    with pytest.raises(ValueError) as e:
        classifier().fit([[1, 2, 3, 4], [1, 2]], [0, 1], verbose=0)
    assert_mentions(e, r"fit: x", r"ragged|different lengths", r"\b2\b", r"\b4\b", r"pad")


def test_empty_arrays_in_fit():
    with pytest.raises(ValueError) as e:
        classifier().fit(np.zeros((0, FEATURES), np.float32), np.zeros(0, int), verbose=0)
    assert_mentions(e, r"fit: x", r"empty", r"\(0, 4\)", r"nothing to train on")


def test_empty_arrays_in_predict():
    with pytest.raises(ValueError) as e:
        classifier().predict(np.zeros((0, FEATURES), np.float32), verbose=0)
    assert_mentions(e, r"predict: x", r"empty", r"\(0, 4\)", r"nothing to predict")


# ----------------------------------------------------------------------------- arguments of fit/predict

@pytest.mark.parametrize("batch_size", [0, -4])
@pytest.mark.parametrize("method", ["fit", "predict"])
def test_non_positive_batch_size(data, batch_size, method):
    x, y = data
    model = classifier()
    with pytest.raises(ValueError) as e:
        if method == "fit":
            model.fit(x, y, batch_size=batch_size, verbose=0)
        else:
            model.predict(x, batch_size=batch_size, verbose=0)
    assert_mentions(e, r"batch_size", rf"got {batch_size}\b", r"positive integer")


def test_negative_epochs(data):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, epochs=-1, verbose=0)
    assert_mentions(e, r"fit", r"epochs", r"got -1", r">= 0")


@pytest.mark.parametrize("split", [1.0, -0.1, 1.5])
def test_validation_split_outside_zero_one(data, split):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, validation_split=split, verbose=0)
    assert_mentions(e, r"fit", r"validation_split", re.escape(f"got {split}"), r"\[0, 1\)")


def test_validation_freq_zero(data):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, validation_split=0.25, validation_freq=0, verbose=0)
    assert_mentions(e, r"validation_freq", r"got 0", r"positive integer")


@pytest.mark.parametrize("make, shown", [
    (lambda x, y: x, r"ndarray"),
    (lambda x, y: (x,), r"tuple of 1"),
    (lambda x, y: (x, y, None, None), r"tuple of 4"),
], ids=["array", "1-tuple", "4-tuple"])
def test_validation_data_of_the_wrong_structure(data, make, shown):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, validation_data=make(x, y), verbose=0)
    assert_mentions(e, r"validation_data", shown, r"\(x_val, y_val\)")


@pytest.mark.parametrize("make, detail", [
    (lambda x, y: (x[:, :3], y), r"found shape=\(12, 3\)"),
    (lambda x, y: (x, y[:5]), r"y sizes: 5"),
], ids=["width", "length"])
def test_errors_in_validation_data_name_validation_data(data, make, detail):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, validation_data=make(x, y), verbose=0)
    assert_mentions(e, r"validation_data", detail)


def test_class_weight_for_a_regression_target(data):
    x, _ = data
    y = np.linspace(0.1, 2.9, N).astype(np.float32)
    with pytest.raises(ValueError) as e:
        regressor().fit(x, y, class_weight={0: 1.0, 1: 2.0}, verbose=0)
    assert_mentions(e, r"class_weight", r"non-integer", r"sample_weight")


def test_callbacks_given_as_a_single_callback(data):
    x, y = data
    with pytest.raises(TypeError) as e:
        classifier().fit(x, y, callbacks=keras.callbacks.EarlyStopping(monitor="loss"), verbose=0)
    assert_mentions(e, r"callbacks", r"EarlyStopping", r"callbacks=\[")


# ----------------------------------------------------------------------------- callbacks

@pytest.mark.parametrize("returned", ["fast", None])
def test_learning_rate_scheduler_returning_a_non_number(data, returned):
    x, y = data
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: returned)
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, callbacks=[schedule], verbose=0)
    assert_mentions(e, r"schedule", r"should be float|must return a (finite )?float", re.escape(str(returned)))


def test_learning_rate_scheduler_returning_nan(data):
    x, y = data
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: float("nan"))
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, callbacks=[schedule], verbose=0)
    assert_mentions(e, r"LearningRateScheduler", r"returned nan", r"epoch 0", r"finite float")


def test_early_stopping_on_a_metric_that_does_not_exist_warns_with_the_available_ones(data):
    x, y = data
    model = classifier(compile=False)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    stopper = keras.callbacks.EarlyStopping(monitor="val_acc")
    with pytest.warns(UserWarning) as record:
        history = model.fit(x, y, epochs=2, callbacks=[stopper], verbose=0)
    text = " ".join(str(w.message) for w in record)
    for part in ("val_acc", "not available", "loss", "accuracy"):
        assert part in text, text
    assert len(history.history["loss"]) == 2   # training was not stopped by a missing metric


def test_early_stopping_with_an_unknown_mode():
    with pytest.raises(ValueError) as e:
        keras.callbacks.EarlyStopping(mode="maximum")
    assert_mentions(e, r"EarlyStopping", r"'maximum'", r"'auto', 'min' or 'max'")


# ----------------------------------------------------------------------------- optimizer values

@pytest.mark.parametrize("lr, shown", [(-0.1, r"-0\.1"), (float("nan"), r"nan")], ids=["negative", "nan"])
def test_optimizer_with_a_negative_or_nan_learning_rate(lr, shown):
    with pytest.raises(ValueError) as e:
        keras.optimizers.SGD(learning_rate=lr)
    assert_mentions(e, r"SGD", r"learning_rate", shown, r">= 0")


def test_optimizer_with_a_learning_rate_given_as_a_string():
    with pytest.raises(ValueError) as e:
        keras.optimizers.SGD(learning_rate="0.1")
    assert_mentions(e, r"`learning_rate`", r"should be float", r"learning_rate='0\.1'")


def test_optimizer_momentum_outside_zero_one():
    with pytest.raises(ValueError) as e:
        keras.optimizers.SGD(momentum=1.5)
    assert_mentions(e, r"`momentum`", r"\[0, 1\]", r"momentum=1\.5")


def test_training_does_not_warn_for_a_correct_setup(data):
    # The corpus above relies on warnings meaning something: a clean fit emits none.
    x, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classifier().fit(x, y, epochs=1, verbose=0)


# ----------------------------------------------------------------------------- generators and Sequences

def _pairs(x, y, size=4):
    for i in range(0, len(x), size):
        yield x[i:i + size], y[i:i + size]


class _Batches(keras.utils.Sequence):
    def __len__(self):
        return 3

    def __getitem__(self, index):
        return np.ones((4, FEATURES), np.float32), np.zeros(4, int)


@pytest.mark.parametrize("source, kind", [(lambda x, y: _pairs(x, y), "python generator"),
                                          (lambda x, y: _Batches(), r"`keras\.utils\.Sequence`")],
                         ids=["generator", "Sequence"])
@pytest.mark.parametrize("argument", ["y", "sample_weight"])
def test_y_or_sample_weight_next_to_a_source_of_batches(data, source, kind, argument):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(source(x, y), **{argument: y}, verbose=0)
    assert_mentions(e, rf"`{argument}` argument is not supported when using {kind} as input", r"yield \(x, y\)")


def test_validation_split_with_a_generator(data):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(_pairs(x, y), validation_split=0.2, verbose=0)
    assert_mentions(e, r"validation_split", r"python generator", r"pass validation_data")


def test_a_generator_yielding_something_that_is_not_a_batch(data):
    def words():
        yield "not a batch"
    with pytest.raises(ValueError) as e:
        classifier().fit(words(), verbose=0)
    assert_mentions(e, r"batch 0 from the generator", r"str", r"x, \(x, y\) or \(x, y, sample_weight\)")


def test_a_generator_function_passed_without_calling_it(data):
    x, y = data

    def batches():
        yield from _pairs(x, y)
    with pytest.raises(TypeError) as e:
        classifier().fit(batches, verbose=0)
    assert_mentions(e, r"fit: x", r"generator function: call it, fit\(batches\(\), \.\.\.\)",
                    r"keras\.utils\.Sequence")


def test_an_iterable_that_is_not_an_iterator(data):
    x, y = data

    class Loader:
        def __iter__(self):
            return _pairs(x, y)
    with pytest.raises(TypeError) as e:
        classifier().fit(Loader(), verbose=0)
    assert_mentions(e, r"Loader object", r"iterable but not an iterator", r"iter\(", r"keras\.utils\.Sequence")


def test_an_empty_generator(data):
    with pytest.raises(ValueError) as e:
        classifier().fit(iter([]), verbose=0)
    assert_mentions(e, r"fit", r"produced no batches")


# ----------------------------------------------------------------------------- class_weight (tf.keras's rules)

@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 1.0, 2: 1.0, 5: 2.0}, {0: 1.0, 1: 1.0, 2: 1.0, -1: 2.0},
                                          {1: 1.0, 2: 1.0, 3: 1.0}], ids=["gap", "negative", "from-one"])
def test_class_weight_keys_outside_zero_to_n_minus_one(data, class_weight):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(x, y, class_weight=class_weight, verbose=0)
    assert_mentions(e, r"Expected `class_weight` to be a dict with keys from 0 to one less than the number of "
                       r"classes", re.escape(str(class_weight)))


def test_class_weight_keys_outside_range_with_a_generator(data):
    x, y = data
    with pytest.raises(ValueError) as e:
        classifier().fit(_pairs(x, y), class_weight={0: 1.0, 2: 1.0}, verbose=0)
    assert_mentions(e, r"Expected `class_weight` to be a dict with keys from 0")


def test_class_weight_without_a_weight_for_a_label_in_y(data):
    x, y = data
    with pytest.raises(InvalidArgumentError) as e:
        classifier().fit(x, y, class_weight={0: 1.0, 1: 2.0}, verbose=0)
    assert_mentions(e, r"class label 2", r"2 classes \(0 to 1\)", r"Add a weight for every class")


def test_class_weight_that_is_not_a_dict(data):
    x, y = data
    with pytest.raises(TypeError) as e:
        classifier().fit(x, y, class_weight=[1.0, 2.0, 1.0], verbose=0)
    assert_mentions(e, r"class_weight must be a dict", r"\{0: 1\.0, 1: 5\.0\}", r"list")


def test_class_weight_with_several_outputs(data):
    x, y = data
    inputs = layers.Input(shape=(FEATURES,))
    model = keras.Model(inputs, [layers.Dense(CLASSES, activation="softmax", name="a")(inputs),
                                 layers.Dense(CLASSES, activation="softmax", name="b")(inputs)])
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError) as e:
        model.fit(x, [y, y], class_weight={0: 1.0, 1: 1.0, 2: 1.0}, verbose=0)
    assert_mentions(e, r"`class_weight` is only supported for Models with a single output")
