"""Text preprocessing against real tf.keras 2: TextVectorization, the lookups, Hashing, CategoryEncoding,
Tokenizer, text_dataset_from_directory, and TensorFlow's string hashes.

Expected values: ``fixtures/text_tf_keras.json`` (``make_text_fixtures.py``, tensorflow 2.21 +
tf_keras) and ``fixtures/string_hash_vectors.json`` (``make_string_hash_vectors.py``).
"""
import json
import os

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers as L
from chainrule.keras.preprocessing.text import Tokenizer, text_to_word_sequence, tokenizer_from_json
from chainrule.string_hashes import fingerprint64, siphash

from text_cases import CORPUS, QUERIES, lookup_cases, make_text_folder, text_vectorization_cases, tokenizer_cases

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(HERE, "text_tf_keras.json"), encoding="utf-8") as _f:
    REF = json.load(_f)


def _plain(value):
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def _check(case, want, layer, data, inputs):
    if data is not None:
        layer.adapt(data)
    got = layer(inputs).numpy()
    if want["dtype"].startswith("float"):
        np.testing.assert_allclose(got, np.array(want["output"], dtype=np.float64), rtol=1e-6, atol=1e-6,
                                   err_msg=case)
    else:
        assert _plain(got) == want["output"], case
    assert str(got.dtype) == {"object": "|S"}.get(want["dtype"], want["dtype"]) or got.dtype.kind == "S", case
    if "vocabulary" in want:
        assert layer.get_vocabulary() == want["vocabulary"], case


@pytest.mark.parametrize("index", range(len(text_vectorization_cases(L))))
def test_text_vectorization_matches_tf_keras(index):
    case, layer, data, inputs = text_vectorization_cases(L)[index]
    _check(case, REF["text_vectorization"][case], layer, data, inputs)


@pytest.mark.parametrize("index", range(len(lookup_cases(L))))
def test_lookups_hashing_and_category_encoding_match_tf_keras(index):
    case, layer, data, inputs = lookup_cases(L)[index]
    _check(case, REF["lookups"][case], layer, data, inputs)


def test_the_special_tokens_of_text_vectorization():
    tv = L.TextVectorization()
    tv.adapt(["b a a", "c"])
    assert tv.get_vocabulary() == ["", "[UNK]", "a", "c", "b"]
    assert tv.get_vocabulary(include_special_tokens=False) == ["a", "c", "b"]
    hot = L.TextVectorization(output_mode="multi_hot")
    hot.adapt(["b a a", "c"])
    assert hot.get_vocabulary() == ["[UNK]", "a", "c", "b"]          # no padding id outside 'int' mode
    tv.set_vocabulary(["x", "y"])
    np.testing.assert_array_equal(tv(["y x z"]).numpy(), [[3, 2, 1]])


def test_get_vocabulary_gives_numpy_scalars_for_the_tokens_as_tf_keras():
    """tf.keras 2 reads the tokens back from its lookup table as numpy values: a printed vocabulary shows
    ``np.str_('a')`` (the word2vec tutorial prints one); the mask and OOV tokens stay as given, IntegerLookup's
    as np.int64 (tf_keras 2.21's reprs)."""
    lookup = L.StringLookup(vocabulary=["a", "b"], mask_token="[M]")
    assert repr(lookup.get_vocabulary()) == "['[M]', '[UNK]', np.str_('a'), np.str_('b')]"
    tv = L.TextVectorization()
    tv.adapt(["x y y"])
    assert repr(tv.get_vocabulary()) == "['', '[UNK]', np.str_('y'), np.str_('x')]"
    assert repr(tv.get_vocabulary(include_special_tokens=False)) == "[np.str_('y'), np.str_('x')]"
    ints = L.IntegerLookup()
    ints.adapt([5, 7, 7])
    assert repr(ints.get_vocabulary()) == "[np.int64(-1), np.int64(7), np.int64(5)]"
    assert json.loads(json.dumps(lookup.get_config()))["vocabulary"] == ["a", "b"]


@pytest.mark.parametrize("name", sorted(REF["tokenizer"]))
def test_tokenizer_matches_tf_keras(name):
    want = REF["tokenizer"][name]
    tok = dict(tokenizer_cases(Tokenizer))[name]
    tok.fit_on_texts(CORPUS)
    assert tok.word_index == want["word_index"]
    assert dict(tok.word_counts) == want["word_counts"]
    assert list(tok.word_counts) == list(want["word_counts"])  # first-seen order
    assert tok.texts_to_sequences(QUERIES + CORPUS[:2]) == want["sequences"]
    assert tok.sequences_to_texts(tok.texts_to_sequences(QUERIES)) == want["texts"]
    for mode, matrix in want["matrices"].items():
        np.testing.assert_allclose(tok.texts_to_matrix(QUERIES, mode=mode), matrix, rtol=1e-9, atol=1e-10,
                                   err_msg=mode)
    assert text_to_word_sequence(CORPUS[4]) == want["word_sequence"]
    again = tokenizer_from_json(tok.to_json())
    assert again.word_index == tok.word_index and again.texts_to_sequences(QUERIES) == tok.texts_to_sequences(QUERIES)


def test_tokenizer_errors_are_clear():
    with pytest.raises(ValueError, match="fit on some text data first"):
        Tokenizer().texts_to_matrix(["a"])
    with pytest.raises(TypeError, match="wrap it in a list"):
        Tokenizer().fit_on_texts("a single string")
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="onehot")


@pytest.mark.parametrize("seed", ["7", "1337"])
def test_text_dataset_from_directory_splits_as_tf_keras(tmp_path, seed, capsys):
    folder = make_text_folder(str(tmp_path))
    train, val = keras.utils.text_dataset_from_directory(folder, batch_size=4, validation_split=0.3, subset="both",
                                                         seed=int(seed))
    want = REF["text_dataset"][seed]
    assert train.class_names == want["class_names"]
    assert sorted(t.decode() for x, _ in train for t in x.numpy()) == want["training"]
    assert sorted(t.decode() for x, _ in val for t in x.numpy()) == want["validation"]
    assert "Found 14 files belonging to 2 classes." in capsys.readouterr().out
    for x, y in train:
        assert x.dtype == tf.string and y.dtype == tf.int32
        assert all(label == ("pos" in text.decode()) for text, label in zip(x.numpy(), y.numpy()))


def test_text_dataset_label_modes_and_errors(tmp_path):
    folder = make_text_folder(str(tmp_path))
    ds = keras.utils.text_dataset_from_directory(folder, label_mode="binary", shuffle=False, batch_size=None)
    texts, labels = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    assert texts[0] == b"neg text n0.txt" and labels[0].shape == (1,) and labels[0].dtype == np.float32
    cat = keras.preprocessing.text_dataset_from_directory(folder, label_mode="categorical", batch_size=32,
                                                          shuffle=False, max_length=3)
    x, y = next(iter(cat))
    assert x.numpy()[0] == b"neg" and y.shape == (14, 2)
    with pytest.raises(ValueError, match="must provide a `seed`"):
        keras.utils.text_dataset_from_directory(folder, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match='`label_mode` argument must be one of'):
        keras.utils.text_dataset_from_directory(folder, label_mode="sparse")
    with pytest.raises(ValueError, match="class_names` passed did not match"):
        keras.utils.text_dataset_from_directory(folder, class_names=["a", "b"])


def test_adapt_reads_datasets_and_models_take_raw_strings(tmp_path):
    folder = make_text_folder(str(tmp_path))
    ds = keras.utils.text_dataset_from_directory(folder, batch_size=4, shuffle=False)
    tv = L.TextVectorization(max_tokens=10, output_sequence_length=5)
    tv.adapt(ds.map(lambda x, y: x))
    assert tv.get_vocabulary()[:4] == ["", "[UNK]", "text", "neg"]
    inputs = keras.Input(shape=(1,), dtype="string")
    ids = tv(inputs)
    assert ids.shape == (None, 5) and ids.dtype == tf.int64
    outputs = L.Dense(1)(L.GlobalAveragePooling1D()(L.Embedding(10, 4)(ids)))
    model = keras.Model(inputs, outputs)
    assert model(np.array([["pos text"], ["neg neg"]])).shape == (2, 1)


def test_a_sequential_starting_with_text_vectorization_takes_raw_strings_in_call_predict_and_fit():
    # The "Text classification with an RNN" tutorial: Sequential([encoder, Embedding(...), ...]) without Input
    tv = L.TextVectorization(max_tokens=10)
    tv.adapt(CORPUS)
    texts = np.array(["the cat sat", "a dog"])
    for run in ("call", "predict", "fit"):
        model = keras.Sequential([tv, L.Embedding(10, 4, mask_zero=True), L.GlobalAveragePooling1D(), L.Dense(1)])
        if run == "call":
            assert model(texts).shape == (2, 1)
        elif run == "predict":
            assert model.predict(texts, verbose=0).shape == (2, 1)
        else:
            model.compile("sgd", "mse")
            assert len(model.fit(texts, np.array([1.0, 0.0]), verbose=0).history["loss"]) == 1
        assert model.inputs[0].dtype == tf.string
    numeric = keras.Sequential([L.Dense(1)])
    with pytest.raises(ValueError, match="strings or Python objects"):
        numeric.predict(texts, verbose=0)


def test_standardize_and_split_callables_get_string_tensors():
    def custom_standardization(input_data):  # the TF text classification tutorial's
        lowercase = tf.strings.lower(input_data)
        stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
        return tf.strings.regex_replace(stripped_html, "[!\"#$%&'()*+,-./:;<=>?@\\[\\\\\\]^_`{|}~]", "")
    tv = L.TextVectorization(standardize=custom_standardization, output_sequence_length=4)
    tv.adapt(["A movie<br />it was GOOD!", "good good"])
    assert tv.get_vocabulary() == ["", "[UNK]", "good", "was", "movie", "it", "a"]
    np.testing.assert_array_equal(tv(["Good<br />movie"]).numpy(), [[2, 4, 0, 0]])


def test_config_round_trip_keeps_an_adapted_vocabulary():
    tv = L.TextVectorization(max_tokens=6, output_mode="tf_idf")
    tv.adapt(CORPUS)
    again = L.TextVectorization.from_config(tv.get_config())
    assert again.get_vocabulary() == tv.get_vocabulary()
    np.testing.assert_allclose(again(QUERIES).numpy(), tv(QUERIES).numpy(), rtol=1e-6)
    lookup = L.IntegerLookup(num_oov_indices=2)
    lookup.adapt(np.array([3, 3, 4]))
    copy = L.IntegerLookup.from_config(lookup.get_config())
    np.testing.assert_array_equal(copy(np.array([3, 4, 5, 6])).numpy(), lookup(np.array([3, 4, 5, 6])).numpy())


def test_text_layers_report_misuse_clearly():
    with pytest.raises(ValueError, match="num_oov_indices=0.*found OOV values \\['z'\\]"):
        L.StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array(["a", "z"]))
    with pytest.raises(ValueError, match="repeated term"):
        L.StringLookup(vocabulary=["a", "b", "a"])
    with pytest.raises(RuntimeError, match="set the layer's vocabulary before calling it"):
        L.TextVectorization(output_mode="multi_hot")(["a"])
    with pytest.raises(ValueError, match="input values must be in the range 0 <= values < num_tokens"):
        L.CategoryEncoding(num_tokens=3)(np.array([[4]]))
    with pytest.raises(ValueError, match="`output_sequence_length` must not be set"):
        L.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="the input rank must be 1 or the last shape dimension must be 1"):
        L.TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))


def test_string_hashes_are_tensorflows_bit_for_bit():
    with open(os.path.join(HERE, "string_hash_vectors.json")) as f:
        vectors = json.load(f)
    m1, m2 = 2**63 - 1, 2**62 - 57
    for i, text in enumerate(vectors["strs"]):
        s = bytes.fromhex(text)
        h = fingerprint64(s)
        assert (h % m1, h % m2) == (vectors["f1"][i], vectors["f2"][i]), len(s)
        assert siphash((3, 3), s) % m1 == vectors["s1"][i], len(s)
        assert siphash((133, 7), s) % m2 == vectors["s2"][i], len(s)
    np.testing.assert_array_equal(tf.strings.to_hash_bucket_fast(["A", "B", "hello", ""], 10).numpy(), [4, 8, 6, 3])


def test_experimental_preprocessing_path_and_pad_sequences():
    assert keras.layers.experimental.preprocessing.TextVectorization is L.TextVectorization
    assert keras.layers.experimental.preprocessing.StringLookup is L.StringLookup
    assert keras.preprocessing.sequence.pad_sequences is keras.utils.pad_sequences
    padded = keras.preprocessing.sequence.pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post")
    np.testing.assert_array_equal(padded, [[2, 3], [4, 0]])


def _trained_kernel(encode, inputs, run_eagerly):
    """The Dense kernel after 2 epochs of 4 batches on ``encode(inputs)``; ``fit`` traces its step unless eager."""
    keras.utils.set_random_seed(0)
    x = keras.Input(inputs.shape[1:], dtype="string" if inputs.dtype.kind in "SU" else inputs.dtype.name)
    model = keras.Model(x, L.Dense(1, kernel_initializer="ones")(encode(x)))
    model.compile(optimizer="sgd", loss="mse", run_eagerly=run_eagerly)
    targets = np.random.default_rng(1).standard_normal((len(inputs), 1)).astype("float32")
    model.fit(inputs, targets, batch_size=2, epochs=2, shuffle=False, verbose=0)
    return model.layers[-1].kernel.numpy()


@pytest.mark.parametrize("make, inputs", [
    (lambda: L.CategoryEncoding(6, output_mode="multi_hot"), np.random.default_rng(0).integers(0, 6, (8, 3))),
    (lambda: L.StringLookup(vocabulary=["a", "b", "c"], output_mode="count"),
     np.array([["a", "b"], ["c", "c"], ["b", "x"], ["a", "a"], ["x", "b"], ["c", "a"], ["b", "b"], ["a", "c"]])),
    (lambda: L.TextVectorization(vocabulary=["a", "b", "c"], output_mode="multi_hot"),
     np.array(["a b", "c", "b x", "a", "x b c", "c a", "b", "a c"])),
], ids=["CategoryEncoding", "StringLookup", "TextVectorization"])
def test_fit_encodes_every_batch_not_the_first_one_again(make, inputs):
    # The traced training step must replay the encoding on each batch (it once froze the first batch's vectors).
    np.testing.assert_allclose(_trained_kernel(lambda x: make()(x), inputs, run_eagerly=False),
                               _trained_kernel(lambda x: make()(x), inputs, run_eagerly=True), rtol=1e-6)


def test_text_vectorization_of_one_string_has_no_batch_axis():
    # "Deep Learning with Python", ch. 11: text_vectorization(test_sentence), then iterate over its ids;
    # the shapes are tf.keras 2.21's for the same calls
    tv = L.TextVectorization()
    tv.adapt(["a b c", "b c"])
    np.testing.assert_array_equal(tv("a b").numpy(), [4, 3])
    assert tv(["a b"]).shape == (1, 2)
    multi = L.TextVectorization(output_mode="multi_hot")
    multi.adapt(["a b c", "b c"])
    assert multi("a b").shape == (4,) and multi(["a b"]).shape == (1, 4)
    whole = L.TextVectorization(split=None)
    whole.adapt(["a b c", "b c"])
    assert whole("a b c").shape == () and whole(["a b c"]).shape == (1,)


def test_string_lookup_maps_ragged_rows_and_reduce_join_joins_them():
    # TensorFlow's "Text generation with an RNN": ids_from_chars(tf.strings.unicode_split(texts, 'UTF-8')),
    # chars_from_ids(ids) and tf.strings.reduce_join(chars, axis=-1); values as TensorFlow 2.21 gives them
    vocab = list("abcdefgxyz")
    chars = tf.strings.unicode_split(["abcq", "xy"], input_encoding="UTF-8")
    ids_from_chars = L.StringLookup(vocabulary=vocab, mask_token=None)
    ids = ids_from_chars(chars)
    assert isinstance(ids, tf.RaggedTensor) and ids.to_list() == [[1, 2, 3, 0], [8, 9]]
    chars_from_ids = L.StringLookup(vocabulary=ids_from_chars.get_vocabulary(), invert=True, mask_token=None)
    back = chars_from_ids(ids)
    assert back.to_list() == [[b"a", b"b", b"c", b"[UNK]"], [b"x", b"y"]]
    np.testing.assert_array_equal(tf.strings.reduce_join(back, axis=-1).numpy(), [b"abc[UNK]", b"xy"])
    np.testing.assert_array_equal(ids.to_tensor().numpy(), [[1, 2, 3, 0], [8, 9, 0, 0]])


def test_a_subclassed_models_positional_self_in_init_is_dropped_as_tf_keras_does():
    class MyModel(keras.Model):
        def __init__(self, units):
            super().__init__(self)  # as TensorFlow's text-generation tutorial writes it
            self.dense = L.Dense(units)

        def call(self, inputs):
            return self.dense(inputs)

    assert MyModel(3)(np.ones((2, 4), np.float32)).shape == (2, 3)
    inputs = keras.Input(shape=(4,))
    with pytest.raises(ValueError, match="give both `inputs` and `outputs`"):
        keras.Model(inputs)  # a Keras tensor without outputs is still a clear error


def test_hashed_crossing_gives_tensorflows_buckets():
    # tf.keras 2.21 (tf.sparse.cross_hashed: FingerprintCat64 from key 0xDECAFCAFFE) printed these buckets
    layer = keras.layers.HashedCrossing(num_bins=5)
    ids = layer((tf.constant(["A", "B", "A", "B", "A"]), tf.constant([101, 101, 101, 102, 102])))
    assert ids.dtype == tf.int64
    np.testing.assert_array_equal(ids.numpy(), [1, 4, 1, 1, 3])
    layer = keras.layers.HashedCrossing(num_bins=64)
    ids = layer((tf.constant([[0], [1], [2], [-3]], tf.int64), tf.constant([[5], [7], [2 ** 40], [3]], tf.int64)))
    np.testing.assert_array_equal(ids.numpy(), [[50], [41], [32], [6]])
    assert int(layer((tf.constant(3, tf.int64), tf.constant(4, tf.int64)))) == 50
    one_hot = keras.layers.HashedCrossing(num_bins=5, output_mode="one_hot")
    np.testing.assert_array_equal(one_hot((tf.constant(["A", "B"]), tf.constant([101, 101]))).numpy(),
                                  [[0, 1, 0, 0, 0], [0, 0, 0, 0, 1]])


def test_hashed_crossing_in_a_functional_model_and_its_errors():
    a, b = keras.Input(shape=(1,), dtype="int64"), keras.Input(shape=(1,), dtype="string")
    ids = keras.layers.HashedCrossing(num_bins=64)([a, b])
    assert ids.shape == (None, 1) and ids.dtype == tf.int64
    model = keras.Model([a, b], keras.layers.HashedCrossing(num_bins=64, output_mode="one_hot")([a, b]))
    assert model.output_shape == (None, 64)
    out = model([np.array([[0], [1]]), np.array([["x"], ["y"]], dtype=object)]).numpy()
    np.testing.assert_array_equal(out.argmax(-1), [3, 45])  # tf.keras 2.21: buckets 3 and 45 for (0, x), (1, y)
    with pytest.raises(ValueError, match="at least two inputs"):
        keras.layers.HashedCrossing(num_bins=4)([tf.constant([1])])
    with pytest.raises(ValueError, match="equal shape"):
        keras.layers.HashedCrossing(num_bins=4)([tf.constant([1]), tf.constant([1, 2])])
    with pytest.raises(ValueError, match="integer or string"):
        keras.layers.HashedCrossing(num_bins=4)([tf.constant([1.5]), tf.constant([1])])
    config = keras.layers.HashedCrossing(num_bins=7, output_mode="one_hot").get_config()
    assert keras.layers.HashedCrossing.from_config(config).get_config()["num_bins"] == 7
