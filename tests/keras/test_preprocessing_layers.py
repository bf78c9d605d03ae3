"""Preprocessing layers for tabular data (Normalization, Discretization), dict inputs of 1-D columns, Lambda with
safe serialisation, and the keras.layers.experimental.preprocessing path.

Expected statistics and boundaries are what tf.keras 2.21 (tf_keras) computes for the same data (noted inline)."""
import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers
from chainrule.keras.safe_mode import SafeModeScope


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def _features():
    return np.random.RandomState(0).normal(size=(100, 9)).astype("float32") * 50 + 10


# ----------------------------------------------------------------------------- Normalization

def test_normalization_adapt_gives_tf_keras_statistics():
    norm = layers.Normalization()
    norm.adapt(_features())
    # tf.keras 2.21: mean[:3] [7.7951975 9.117112 9.84418], variance[:3] [2344.0288 2494.8289 2149.6924], count 100
    np.testing.assert_allclose(norm.mean.numpy()[0, :3], [7.7951975, 9.117112, 9.84418], rtol=1e-6)
    np.testing.assert_allclose(norm.variance.numpy()[0, :3], [2344.0288, 2494.8289, 2149.6924], rtol=1e-6)
    assert norm.mean.shape == (1, 9) and int(norm.count.numpy()) == 100
    x = _features()
    expected = (x - x.mean(axis=0)) / x.std(axis=0)
    np.testing.assert_allclose(norm(x), expected, rtol=1e-4, atol=1e-5)
    assert [w.name.split("/")[-1] for w in norm.weights] == ["mean:0", "variance:0", "count:0"]
    assert norm.trainable_weights == [] and norm.count_params() == 19


def test_normalization_examples_of_the_tf_keras_docstring():
    adapt_data = np.array([[0., 7., 4.], [2., 9., 6.], [0., 7., 4.], [2., 9., 6.]], dtype="float32")
    layer = layers.Normalization(axis=-1, invert=True)
    layer.adapt(adapt_data)
    np.testing.assert_allclose(layer(np.array([[1., 2., 3.]], dtype="float32")), [[2., 10., 8.]])
    layer = layers.Normalization(mean=3., variance=2.)
    np.testing.assert_allclose(layer(np.array([[1.], [2.], [3.]], dtype="float32")),
                               [[-1.4142135], [-0.70710677], [0.]], rtol=1e-6)
    assert layer.weights == []
    layer = layers.Normalization(axis=None)
    layer.adapt([0, 2])
    np.testing.assert_allclose(keras.Sequential([layer]).predict([0, 1, 2], verbose=0), [-1., 0., 1.])


def test_normalization_adapts_on_a_dataset_and_on_a_pandas_series():
    pandas = pytest.importorskip("pandas")
    column = np.arange(10, dtype="float32")
    a, b, c = layers.Normalization(axis=None), layers.Normalization(axis=None), layers.Normalization(axis=None)
    a.adapt(tf.data.Dataset.from_tensor_slices(column).batch(3))
    b.adapt(pandas.Series(column))
    c.adapt(column)
    for layer in (a, b, c):
        np.testing.assert_allclose(layer.mean.numpy(), 4.5, rtol=1e-6)
        np.testing.assert_allclose(layer.variance.numpy(), 8.25, rtol=1e-6)


def test_normalization_per_axis_and_errors():
    data = np.arange(24, dtype="float32").reshape(2, 3, 4)
    layer = layers.Normalization(axis=(1, 2))
    layer.adapt(data)
    assert layer.mean.shape == (1, 3, 4)
    np.testing.assert_allclose(layer.mean.numpy()[0], data.mean(axis=0))
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    fixed = layers.Normalization(mean=0.0, variance=1.0)
    with pytest.raises(ValueError, match="Cannot adapt"):
        fixed.adapt(np.ones((2, 1)))
    with pytest.raises(ValueError, match="axis"):
        layers.Normalization(axis=3).build((None, 2))


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_an_adapted_normalization_is_saved_and_loaded(tmp_path, suffix):
    norm = layers.Normalization()
    norm.adapt(_features())
    model = keras.Sequential([keras.Input((9,)), norm, layers.Dense(1)])
    path = str(tmp_path / f"m{suffix}")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.layers[0].mean.numpy(), norm.mean.numpy())
    np.testing.assert_allclose(loaded.predict(_features(), verbose=0), model.predict(_features(), verbose=0),
                               rtol=1e-6)


def test_an_adapted_normalization_in_a_sequential_infers_the_feature_size():
    """The regression tutorial: Sequential([normalizer, Dense(64)...]) after normalizer.adapt(train_features)."""
    norm = layers.Normalization(axis=-1)
    norm.adapt(_features())
    model = keras.Sequential([norm, layers.Dense(4), layers.Dense(1)])
    model.build((None, 9))
    assert model.layers[0].output_shape == (None, 9)
    assert model.count_params() == 19 + 40 + 5


# ----------------------------------------------------------------------------- Discretization

def test_discretization_with_boundaries_and_output_modes():
    data = [[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]]
    out = layers.Discretization(bin_boundaries=[0., 1., 2.])(data)
    np.testing.assert_array_equal(out, [[0, 2, 3, 1], [1, 3, 2, 1]])
    assert out.dtype == tf.int64
    one_hot = layers.Discretization(bin_boundaries=[0., 1.], output_mode="one_hot")(np.array([[-1.], [0.5], [3.]]))
    np.testing.assert_array_equal(one_hot, np.eye(3, dtype="float32"))
    count = layers.Discretization(bin_boundaries=[0., 1.], output_mode="count")(np.array([[-1., .5, .7], [3, 3, 3]]))
    np.testing.assert_array_equal(count, [[1., 2., 0.], [0., 0., 3.]])
    multi = layers.Discretization(bin_boundaries=[0., 1.], output_mode="multi_hot")(np.array([[-1., .5, .7]]))
    np.testing.assert_array_equal(multi, [[1., 1., 0.]])


def test_discretization_adapt_gives_tf_keras_boundaries():
    layer = layers.Discretization(num_bins=4, epsilon=0.01)
    data = [[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]]
    layer.adapt(data)
    np.testing.assert_allclose(layer.bin_boundaries, [0.0, 0.5, 1.2999999523162842])  # tf.keras 2.21
    np.testing.assert_array_equal(layer(data), [[0, 2, 3, 2], [1, 3, 3, 1]])
    r = np.random.RandomState(1).gamma(2., 3., size=(1000,)).astype("float32")
    layer = layers.Discretization(num_bins=5)
    layer.adapt(r)
    np.testing.assert_allclose(layer.bin_boundaries, [2.5907530784606934, 4.196811199188232, 6.2182722091674805,
                                                      9.390707015991211], rtol=1e-7)
    layer = layers.Discretization(num_bins=5, epsilon=0.001)
    layer.adapt(r, batch_size=100)
    np.testing.assert_allclose(layer.bin_boundaries, [2.482513666152954, 4.133890628814697, 6.086973667144775,
                                                      9.134496688842773], rtol=1e-7)


def test_an_adapted_discretization_keeps_its_boundaries_through_a_save(tmp_path):
    layer = layers.Discretization(num_bins=3, output_mode="one_hot")
    layer.adapt(np.arange(30, dtype="float32"))
    inputs = keras.Input((1,))
    model = keras.Model(inputs, layer(inputs))
    assert model.output_shape == (None, 3)
    model.save(str(tmp_path / "d.keras"))
    loaded = keras.models.load_model(str(tmp_path / "d.keras"))
    x = np.array([[0.], [15.], [29.]], "float32")
    np.testing.assert_array_equal(loaded(x), model(x))
    assert loaded.layers[1].bin_boundaries == layer.bin_boundaries


def test_discretization_errors():
    with pytest.raises(ValueError, match="not both"):
        layers.Discretization(bin_boundaries=[0.], num_bins=2)
    with pytest.raises(ValueError, match="output_mode"):
        layers.Discretization(bin_boundaries=[0.], output_mode="tf_idf")
    with pytest.raises(ValueError, match="Cannot adapt"):
        layers.Discretization(bin_boundaries=[0.]).adapt([1.0, 2.0])


# ----------------------------------------------------------------------------- dict inputs of 1-D columns

def test_a_model_of_dict_inputs_takes_1d_columns_and_a_dataset_of_dicts(tmp_path):
    rng = np.random.RandomState(0)
    columns = {"age": rng.uniform(20, 70, 64).astype("float32"), "fee": rng.gamma(2, 50, 64).astype("float32")}
    labels = (columns["age"] > 45).astype("int64")
    dataset = tf.data.Dataset.from_tensor_slices((columns, labels)).batch(16)
    inputs, encoded = [], []
    for name in columns:
        inp = keras.Input(shape=(1,), name=name)
        norm = layers.Normalization(axis=None)
        norm.adapt(dataset.map(lambda x, y, name=name: x[name]))
        inputs.append(inp)
        encoded.append(norm(inp))
    outputs = layers.Dense(1, activation="sigmoid")(layers.concatenate(encoded))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(dataset, epochs=2, validation_data=dataset, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    sample = {"age": np.array([30.0, 60.0], "float32"), "fee": np.array([150.0, 20.0], "float32")}
    column_2d = {k: v[:, None] for k, v in sample.items()}
    np.testing.assert_allclose(model.predict(sample, verbose=0), model.predict(column_2d, verbose=0))
    scalar = model({k: tf.constant([v[0]]) for k, v in sample.items()})
    np.testing.assert_allclose(scalar, model.predict(column_2d, verbose=0)[:1], rtol=1e-6)


def test_a_functional_model_casts_each_column_to_its_inputs_dtype():
    # tf.keras 2's Functional casts data to its Input's dtype (pandas' int64 columns into float32 Inputs, as
    # the CSV tutorial's Titanic model gets them); tf.keras 2.21 printed the same values and dtypes
    a = keras.Input(shape=(1,), dtype="float32", name="a")
    b = keras.Input(shape=(1,), dtype="int32", name="b")
    model = keras.Model({"a": a, "b": b}, [layers.Concatenate()([a, a]), b * 1])
    joined, ints = model({"a": np.array([1, 2]), "b": np.array([1.7, -2.2])})
    assert joined.dtype == tf.float32 and ints.dtype == tf.int32
    np.testing.assert_array_equal(joined.numpy(), [[1, 1], [2, 2]])
    np.testing.assert_array_equal(ints.numpy(), [[1], [-2]])
    _, flags = model({"a": tf.constant([1, 2], dtype=tf.int64), "b": tf.constant([True, False])})
    np.testing.assert_array_equal(flags.numpy(), [[1], [0]])


def test_fit_takes_pandas_text_columns_as_object_arrays_for_string_inputs():
    # pandas gives text columns as object arrays of str: fit accepts them where the Input is a string
    columns = {"town": np.array(["a", "b", "a", "c"] * 4, dtype=object), "age": np.arange(16)}
    town = keras.Input(shape=(1,), name="town", dtype="string")
    age = keras.Input(shape=(1,), name="age", dtype="float32")
    lookup = layers.StringLookup(vocabulary=["a", "b", "c"])
    x = layers.Concatenate()([layers.CategoryEncoding(num_tokens=4)(lookup(town)), age])
    model = keras.Model({"town": town, "age": age}, layers.Dense(1)(x))
    model.compile("adam", "mse")
    history = model.fit(columns, np.zeros(16), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    with pytest.raises(ValueError, match="strings or Python objects"):  # where a number is expected, still an error
        model.fit({"town": columns["town"], "age": columns["town"]}, np.zeros(16), epochs=1, verbose=0)


def test_an_extra_unit_axis_is_squeezed_for_an_input_without_it():
    inputs = keras.Input(shape=())
    model = keras.Model(inputs, inputs * 2.0)
    np.testing.assert_allclose(model(np.array([[1.0], [2.0]], "float32")), [2.0, 4.0])


# ----------------------------------------------------------------------------- Lambda

def double(x):
    return x * 2.0


def test_lambda_layers_compute_and_take_arguments_and_output_shape():
    inputs = keras.Input((3,))
    squared = layers.Lambda(lambda x: tf.square(x), name="square")(inputs)
    scaled = layers.Lambda(lambda x, k: x * k, arguments={"k": 3.0}, output_shape=(3,))(squared)
    model = keras.Model(inputs, layers.Lambda(tf.nn.relu)(layers.Lambda(double)(scaled)))
    x = np.array([[1., -2., 3.]], "float32")
    np.testing.assert_allclose(model(x), 6 * x ** 2)
    assert model.output_shape == (None, 3)
    mean = layers.Lambda(lambda x: tf.reduce_mean(x, axis=1, keepdims=True))
    assert keras.Model(inputs, mean(inputs)).output_shape == (None, 1)


def test_a_lambda_is_saved_as_bytecode_and_loaded_only_when_opted_in(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Lambda(lambda x: x + 1.0)(inputs))
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.model_from_json(model.to_json())
    loaded = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded(np.zeros((1, 3), "float32")), np.ones((1, 3)))
    keras.models.model_from_json(model.to_json(), safe_mode=False)
    with SafeModeScope(False):
        layers.Lambda.from_config(model.layers[1].get_config())
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.Lambda.from_config(model.layers[1].get_config())
    np.testing.assert_allclose(keras.models.clone_model(model)(np.zeros((1, 3), "float32")), np.ones((1, 3)))


def test_named_functions_are_saved_by_name_and_load_in_safe_mode(tmp_path):
    inputs = keras.Input((3,))
    outputs = layers.Lambda(keras.activations.relu)(layers.Lambda(tf.nn.relu)(inputs))
    model = keras.Model(inputs, outputs)
    config = model.get_config()["layers"][1]["config"]
    assert (config["function"], config["function_type"]) == ("nn.relu", "function")
    path = str(tmp_path / "named.h5")
    model.save(path)
    x = np.array([[-1., 0., 2.]], "float32")
    np.testing.assert_allclose(keras.models.load_model(path)(x), [[0., 0., 2.]])


def test_a_module_level_function_needs_custom_objects_or_registration(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Lambda(double)(inputs))
    assert model.get_config()["layers"][1]["config"]["function"] == "double"
    path = str(tmp_path / "double.keras")
    model.save(path)
    with pytest.raises(ValueError, match="custom_objects"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"double": double})
    np.testing.assert_allclose(loaded(np.ones((1, 3), "float32")), 2 * np.ones((1, 3)))


def test_a_closure_over_an_object_cannot_be_saved():
    table = np.ones(3)
    layer = layers.Lambda(lambda x: x * table)
    with pytest.raises(ValueError, match="cannot be saved"):
        layer.get_config()


# ----------------------------------------------------------------------------- the tf.keras 2.x path

def test_experimental_preprocessing_names_the_same_classes():
    from chainrule.keras.layers.experimental.preprocessing import Normalization
    preprocessing = keras.layers.experimental.preprocessing
    assert Normalization is layers.Normalization
    assert preprocessing.Discretization is layers.Discretization and preprocessing.Rescaling is layers.Rescaling
    assert "Normalization" in dir(preprocessing)
    with pytest.raises(AttributeError):
        preprocessing.NotALayer  # noqa: B018


def test_enable_unsafe_deserialization_allows_bytecode_for_the_whole_process(tmp_path):
    from chainrule.keras import safe_mode
    inputs = keras.Input((2,))
    model = keras.Model(inputs, layers.Lambda(lambda x: x * 3.0)(inputs))
    model.save(str(tmp_path / "lambda.keras"))
    try:
        keras.saving.enable_unsafe_deserialization()
        loaded = keras.models.load_model(str(tmp_path / "lambda.keras"))
        np.testing.assert_allclose(loaded(np.ones((1, 2), "float32")), [[3.0, 3.0]])
    finally:
        safe_mode._unsafe_everywhere = False
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(str(tmp_path / "lambda.keras"))


# ----------------------------------------------------------------------------- FeatureSpace

def _feature_data():
    return {"f": np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "float32"), "s": np.array(["a", "b", "a", "c", "a", "b"]),
            "i": np.array([1, 2, 1, 3, 2, 1], "int64")}


def test_feature_space_encodes_as_tf_keras_does():
    FeatureSpace = keras.utils.FeatureSpace
    data = _feature_data()
    space = FeatureSpace(features={"f": "float_normalized", "s": "string_categorical",
                                   "i": FeatureSpace.integer_categorical(num_oov_indices=0)},
                         crosses=[("s", "i")], crossing_dim=8, output_mode="concat")
    with pytest.raises(ValueError, match="adapt"):
        space(data)
    space.adapt(tf.data.Dataset.from_tensor_slices(data))
    out = space(data).numpy()
    # tf.keras 2.21: f normalized, then i (3 ids), then s (oov + 3), then the cross of (s, i) in 8 bins
    assert out.shape == (6, 16)
    np.testing.assert_allclose(out[:, 0], [-1.4638, -0.8783, -0.2928, 0.2928, 0.8783, 1.4638], atol=1e-4)
    np.testing.assert_array_equal(out[0, 1:], [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(out[3, 1:], [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0])
    np.testing.assert_array_equal(out[:, 9:].argmax(1), [0, 3, 0, 2, 0, 0])
    assert space({k: v[0] for k, v in data.items()}).shape == (16,)  # one sample: no batch axis
    assert sorted(space.get_inputs()) == ["f", "i", "s"] and space.get_encoded_features().shape == (None, 16)


def test_feature_space_dict_mode_and_a_model_on_its_encoded_features():
    FeatureSpace = keras.utils.FeatureSpace
    data = _feature_data()
    space = FeatureSpace(features={"s": FeatureSpace.string_categorical(output_mode="int"),
                                   "i": "integer_categorical"}, output_mode="dict")
    space.adapt(tf.data.Dataset.from_tensor_slices({"s": data["s"], "i": data["i"]}).batch(2))
    out = space({"s": data["s"], "i": data["i"]})
    assert out["s"].numpy().ravel().tolist() == [1, 2, 1, 3, 1, 2]  # tf.keras 2.21's ids
    np.testing.assert_array_equal(out["i"].numpy()[:2], [[0, 1, 0, 0], [0, 0, 1, 0]])
    with pytest.raises(ValueError, match="Invalid feature type"):
        FeatureSpace(features={"x": "floaty"})
    with pytest.raises(ValueError, match="only be called with a dict"):
        space([1, 2])
    # keras.io's example: a training model from the encoded features, an end-to-end one from the raw inputs
    concat = FeatureSpace(features={"f": "float_normalized", "s": "string_categorical"})
    concat.adapt(tf.data.Dataset.from_tensor_slices({"f": data["f"], "s": data["s"]}))
    encoded = concat.get_encoded_features()
    predictions = layers.Dense(1)(encoded)
    with pytest.warns(UserWarning, match="Model inputs must come from"):  # as tf.keras 2 logs it
        training_model = keras.Model(inputs=encoded, outputs=predictions)
    end_to_end = keras.Model(inputs=concat.get_inputs(), outputs=predictions)
    raw = {"f": data["f"], "s": data["s"]}
    np.testing.assert_allclose(training_model.predict(concat(raw), verbose=0), end_to_end.predict(raw, verbose=0),
                               rtol=1e-6)
