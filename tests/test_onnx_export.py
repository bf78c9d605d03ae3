"""ONNX export: the exported file runs in onnxruntime and predicts what chainrule predicts (float32 tolerance)."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import chainrule.onnx  # noqa: E402
from chainrule import keras  # noqa: E402
from chainrule.keras import layers  # noqa: E402
from chainrule.keras.layers import Input  # noqa: E402
from chainrule.keras.models import Model, Sequential  # noqa: E402

RNG = np.random.default_rng(0)


def _run(path, feeds):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session, session.run(None, dict(zip(names, feeds)))


def assert_same_predictions(model, feeds, tmp_path, atol=1e-5, rtol=1e-4):
    path = chainrule.onnx.export(model, tmp_path / f"{model.name}.onnx")
    session, got = _run(path, feeds)
    want = model.predict(feeds if len(feeds) > 1 else feeds[0], verbose=0)
    want = want if isinstance(want, list) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == np.float32
        np.testing.assert_allclose(g, w, atol=atol, rtol=rtol)
    return session


def _set_bn_statistics(model):
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            shape = layer.moving_mean.shape
            layer.moving_mean.assign(RNG.normal(size=shape).astype("float32"))
            layer.moving_variance.assign(RNG.uniform(0.5, 2.0, size=shape).astype("float32"))
            if layer.scale:
                layer.gamma.assign(RNG.uniform(0.5, 1.5, size=shape).astype("float32"))
            if layer.center:
                layer.beta.assign(RNG.normal(size=shape).astype("float32"))


# ----------------------------------------------------------------------------- the seeds' models

def seed_models():
    """The architectures of the seed programs (examples/ and tests/test_seeds_e2e.py)."""
    keras.utils.set_random_seed(1)
    out = {}
    out["mnist_quickstart"] = (Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(128, activation="relu"),
                                           layers.Dropout(0.2), layers.Dense(10, activation="softmax")],
                                          name="mnist_quickstart"), [(28, 28)])
    iris = Sequential(name="iris")
    iris.add(layers.Dense(200, input_dim=4, activation="relu"))
    iris.add(layers.Dense(100, activation="relu"))
    iris.add(layers.Dense(3, activation="softmax"))
    out["iris"] = (iris, [(4,)])
    out["xor"] = (Sequential([layers.Dense(2, activation="sigmoid", input_shape=(2,)),
                              layers.Dense(1, activation="sigmoid")], name="xor"), [(2,)])
    out["imdb"] = (Sequential([layers.Dense(16, activation="relu", input_shape=(10000,)), layers.Dropout(0.5),
                               layers.Dense(16, activation="relu"), layers.Dropout(0.5),
                               layers.Dense(1, activation="sigmoid")], name="imdb"), [(10000,)])
    bn = Sequential(name="batch_normalization")
    bn.add(layers.Dense(32, input_shape=(784,), kernel_initializer="he_normal"))
    bn.add(layers.BatchNormalization())
    bn.add(layers.Activation("relu"))
    bn.add(layers.Dense(10, activation="softmax"))
    out["batch_normalization"] = (bn, [(784,)])
    x = Input(shape=(784,), name="input")
    h = x
    for i, units in enumerate((256, 128, 64, 32)):
        h = layers.Dense(units, activation="relu", name=f"hidden{i + 1}")(h)
    out["fashion_mnist_functional"] = (Model(x, layers.Dense(10, activation="softmax", name="output")(h),
                                             name="fashion_mnist"), [(784,)])
    x = Input(shape=(9,), name="input")
    h = layers.Dense(64, activation="relu", name="dense1")(x)
    h = layers.Dense(64, activation="relu", name="dense2")(h)
    out["auto_mpg"] = (Model(inputs=[x], outputs=[layers.Dense(1, name="output")(h)], name="auto_mpg"), [(9,)])
    out["boston_housing"] = (Sequential([layers.Dense(100, activation="relu", input_shape=(13,), name="dense1"),
                                         layers.Dense(64, activation="relu", name="dense2"),
                                         layers.Dense(32, activation="relu", name="dense3"),
                                         layers.Dense(1, name="output")], name="boston"), [(13,)])
    out["font_shade"] = (Sequential([layers.Rescaling(1 / 255, input_shape=(3,), name="rescaling"),
                                     layers.Dense(3, activation="relu", name="hidden"),
                                     layers.Dense(1, activation="sigmoid", name="output")], name="font_shade"),
                         [(3,)])
    x = Input(shape=(28, 28))
    h = layers.Dense(30, activation="relu")(layers.Dense(100, activation="relu")(x))
    out["wide_and_deep"] = (Model([x], [layers.Dense(1)(layers.Concatenate()([x, h]))], name="wide_deep"),
                            [(28, 28)])
    return out


SEEDS = seed_models()


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_models_predict_the_same_in_onnxruntime(name, tmp_path):
    model, shapes = SEEDS[name]
    _set_bn_statistics(model)
    scale = 255.0 if name == "font_shade" else 1.0
    feeds = [(RNG.uniform(0, 1, size=(7,) + s) * scale).astype("float32") for s in shapes]
    session = assert_same_predictions(model, feeds, tmp_path)
    assert session.get_inputs()[0].shape[0] == "batch"          # any batch size runs
    one = _run(tmp_path / f"{model.name}.onnx", [f[:1] for f in feeds])[1][0]
    np.testing.assert_allclose(one, model.predict(feeds[0][:1], verbose=0), atol=1e-5, rtol=1e-4)


def test_trained_mnist_model_keeps_its_predicted_classes(tmp_path):
    keras.utils.set_random_seed(0)
    (x, y), _ = keras.datasets.mnist.load_data(subset="bundled")
    x = (x[:2000] / 255.0).astype("float32")
    model = Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(64, activation="relu"),
                        layers.Dropout(0.2), layers.Dense(10, activation="softmax")], name="trained")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y[:2000], epochs=1, verbose=0)
    path = model.export(str(tmp_path / "mnist.onnx"), format="onnx", verbose=False)
    got = _run(path, [x[:500]])[1][0]
    want = model.predict(x[:500], verbose=0)
    np.testing.assert_allclose(got, want, atol=1e-5)
    assert (got.argmax(1) == want.argmax(1)).all()


# ----------------------------------------------------------------------------- functional graphs

def test_functional_multi_input_multi_output_model(tmp_path):
    keras.utils.set_random_seed(2)
    input_1 = Input(shape=(10, 10), name="input_1")
    input_2 = Input(shape=(10, 28), name="input_2")
    hidden = layers.Dense(10, activation="relu")(layers.Dense(100, activation="relu")(input_2))
    concat = layers.Concatenate()([input_1, hidden])
    main = layers.Dense(1, activation="sigmoid", name="main_output")(concat)
    aux = layers.Dense(1, name="aux_output")(hidden)
    model = Model(inputs=[input_1, input_2], outputs=[main, aux], name="multi_io")
    feeds = [RNG.normal(size=(5, 10, 10)).astype("float32"), RNG.normal(size=(5, 10, 28)).astype("float32")]
    session = assert_same_predictions(model, feeds, tmp_path)
    assert [i.name for i in session.get_inputs()] == ["input_1", "input_2"]
    assert [o.name for o in session.get_outputs()] == ["main_output", "aux_output"]


def test_merging_layers_with_broadcast_and_shared_layers(tmp_path):
    keras.utils.set_random_seed(3)
    a, b = Input(shape=(6,), name="a"), Input(shape=(3, 6), name="b")
    shared = layers.Dense(6, activation="tanh", name="shared")
    sa, sb = shared(a), shared(b)
    merged = [layers.Add()([sa, sb]), layers.Subtract()([sa, sb]), layers.Multiply()([sa, sb, sb]),
              layers.Average()([sa, sb]), layers.Maximum()([sa, sb]), layers.Minimum()([sa, sb])]
    out = layers.Concatenate(axis=1)(merged)
    model = Model([a, b], layers.Reshape((-1,))(out), name="merging")
    feeds = [RNG.normal(size=(4, 6)).astype("float32"), RNG.normal(size=(4, 3, 6)).astype("float32")]
    assert_same_predictions(model, feeds, tmp_path)


def test_integer_input_is_cast_like_dense_casts_it(tmp_path):
    ids = Input(shape=(8,), dtype="int32", name="ids")
    model = Model(ids, layers.Dense(2)(ids), name="int_input")
    feed = RNG.integers(0, 5, size=(3, 8)).astype("int32")
    path = chainrule.onnx.export(model, tmp_path / "int.onnx")
    np.testing.assert_allclose(_run(path, [feed])[1][0], model.predict(feed, verbose=0), atol=1e-5)


def test_nested_models_are_inlined(tmp_path):
    keras.utils.set_random_seed(4)
    inner = Sequential([layers.Dense(8, activation="relu", input_shape=(5,)), layers.Dense(4)], name="inner")
    x = Input(shape=(5,), name="x")
    model = Model(x, layers.Softmax()(layers.Add()([inner(x), layers.Dense(4)(x)])), name="outer")
    assert_same_predictions(model, [RNG.normal(size=(3, 5)).astype("float32")], tmp_path)


# ----------------------------------------------------------------------------- every layer and activation

ACTIVATIONS = ["linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "leaky_relu", "elu", "selu",
               "softplus", "softsign", "swish", "silu", "gelu", "hard_sigmoid", "exponential", "mish"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_function(activation, tmp_path):
    keras.utils.set_random_seed(5)
    model = Sequential([layers.Dense(7, activation=activation, input_shape=(4,)),
                        layers.Activation(activation)], name=f"act_{activation}")
    assert_same_predictions(model, [RNG.normal(scale=2.0, size=(6, 4)).astype("float32")], tmp_path)


@pytest.mark.parametrize("layer", [
    lambda: layers.ReLU(), lambda: layers.ReLU(max_value=1.0), lambda: layers.ReLU(negative_slope=0.1, threshold=0.5),
    lambda: layers.ReLU(max_value=2.0, negative_slope=0.2, threshold=0.3), lambda: layers.LeakyReLU(),
    lambda: layers.LeakyReLU(alpha=0.05), lambda: layers.ELU(alpha=0.7), lambda: layers.Softmax(),
    lambda: layers.Softmax(axis=1),
    lambda: layers.Activation(keras.activations.get({"class_name": "softmax", "config": {"axis": [1, 2]}})),
    lambda: layers.Activation(keras.activations.get({"class_name": "relu", "config": {"max_value": 0.5,
                                                                                       "alpha": 0.1}})),
    lambda: layers.Activation(keras.activations.get({"class_name": "gelu", "config": {"approximate": True}})),
    lambda: layers.Activation(layers.LeakyReLU(0.2)),
    lambda: layers.Rescaling([1 / 2, 1 / 3, 1 / 4, 1 / 5], offset=-1.0), lambda: layers.Dropout(0.5),
    lambda: layers.BatchNormalization(axis=1), lambda: layers.BatchNormalization(center=False, scale=False),
    lambda: layers.Reshape((4, 3)), lambda: layers.Flatten(data_format="channels_first"),
], ids=lambda f: "layer")
def test_every_layer_kind(layer, tmp_path):
    keras.utils.set_random_seed(6)
    model = Sequential([Input(shape=(3, 4), name="x"), layer()], name="one_layer")
    _set_bn_statistics(model)
    assert_same_predictions(model, [RNG.normal(scale=2.0, size=(5, 3, 4)).astype("float32")], tmp_path)


def test_dense_with_activation_layer_and_no_bias(tmp_path):
    model = Sequential([layers.Dense(5, use_bias=False, activation=layers.ELU(), input_shape=(3,))], name="nobias")
    assert_same_predictions(model, [RNG.normal(size=(4, 3)).astype("float32")], tmp_path)


def test_file_is_valid_onnx_with_weights_as_initializers(tmp_path):
    model, _ = SEEDS["iris"]
    path = chainrule.onnx.export(model, tmp_path / "iris.onnx")
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    assert proto.producer_name == "chainrule" and proto.opset_import[0].version == chainrule.onnx.DEFAULT_OPSET
    stored = sum(int(np.prod(t.dims)) for t in proto.graph.initializer)
    assert stored == model.count_params()
    assert {n.op_type for n in proto.graph.node} >= {"MatMul", "Add", "Relu", "Softmax"}


# ----------------------------------------------------------------------------- refusals

def test_subclassed_model_is_refused_with_the_reason(tmp_path):
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    net = Net()
    net(np.zeros((1, 3), "float32"))
    with pytest.raises(chainrule.onnx.ExportError, match="subclassed Model"):
        chainrule.onnx.export(net, tmp_path / "net.onnx")
    assert not (tmp_path / "net.onnx").exists()


def test_unbuilt_sequential_and_unknown_layer_and_custom_activation_are_refused(tmp_path):
    with pytest.raises(chainrule.onnx.ExportError, match="without an input shape"):
        chainrule.onnx.export(Sequential([layers.Dense(2)]), tmp_path / "a.onnx")

    class Doubler(layers.Layer):
        def call(self, x):
            return x * 2

    model = Sequential([Input(shape=(3,)), Doubler(name="doubler")])
    with pytest.raises(chainrule.onnx.ExportError, match="no converter for layer 'doubler' \\(Doubler\\).*"
                                                         "register_converter"):
        chainrule.onnx.export(model, tmp_path / "b.onnx")
    model = Sequential([layers.Dense(2, activation=lambda x: x * 3, input_shape=(3,), name="custom")])
    with pytest.raises(chainrule.onnx.ExportError, match="layer 'custom' uses the activation"):
        chainrule.onnx.export(model, tmp_path / "c.onnx")


def test_registering_a_converter_makes_a_new_layer_exportable(tmp_path):
    class Doubler(layers.Layer):
        def call(self, x):
            return x * 2

    @chainrule.onnx.register_converter(Doubler)
    def convert(ctx, layer, inputs, node):
        return [ctx.op("Mul", [inputs[0], ctx.scalar(2.0, node.input_tensors[0].dtype)], name=layer.name)]

    assert "Doubler" in chainrule.onnx.registered_layers()
    model = Sequential([Input(shape=(3,)), Doubler(), layers.Dense(2)], name="doubled")
    assert_same_predictions(model, [RNG.normal(size=(2, 3)).astype("float32")], tmp_path)


def test_model_export_formats(tmp_path):
    model, _ = SEEDS["xor"]
    with pytest.raises(ValueError, match="export format 'tf_saved_model' is not provided by chainrule"):
        model.export(str(tmp_path / "saved"))
    with pytest.raises(chainrule.onnx.ExportError, match="opset 11 is too old"):
        chainrule.onnx.export(model, tmp_path / "old.onnx", opset=11)
    path = model.export(str(tmp_path / "xor.onnx"), format="onnx", opset=13)
    assert onnx.load(path).opset_import[0].version == 13


def test_export_prints_where_the_file_went(tmp_path, capsys):
    model, _ = SEEDS["xor"]
    model.export(str(tmp_path / "xor.onnx"), format="onnx")
    out = capsys.readouterr().out
    assert f"Saved ONNX model (opset 17) to {tmp_path / 'xor.onnx'}" in out and "[None, 2]" in out


def test_missing_onnx_package_says_what_to_install(monkeypatch, tmp_path):
    from chainrule.onnx import context
    monkeypatch.setattr(context, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[onnx\]'"):
        chainrule.onnx.export(SEEDS["xor"][0], tmp_path / "x.onnx")


def test_chainrule_onnx_is_reachable_from_the_top_package():
    import chainrule as tf
    assert tf.onnx.export is chainrule.onnx.export
