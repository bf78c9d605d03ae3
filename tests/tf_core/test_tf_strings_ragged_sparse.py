"""tf.strings, tf.ragged and tf.sparse basics: values as tensorflow-cpu 2.21 printed them for the same calls."""
import numpy as np
import pytest

import chainrule as tf

S = tf.constant(["Gray wolf", "Quick brown fox", "Lazy dog"])


def test_string_constants_and_booleans_print_as_tensorflow():
    assert str(tf.constant("Gray wolf")) == "chainrule.Tensor(b'Gray wolf', shape=(), dtype=string)"
    assert str(S) == ("chainrule.Tensor([b'Gray wolf' b'Quick brown fox' b'Lazy dog'], shape=(3,), "
                      "dtype=string)")
    assert repr(tf.constant("🥳👍")).endswith("numpy=b'\\xf0\\x9f\\xa5\\xb3\\xf0\\x9f\\x91\\x8d'>")
    assert str(tf.constant([True, False])) == "chainrule.Tensor([ True False], shape=(2,), dtype=bool)"
    assert tf.constant(True).dtype == tf.bool and tf.constant("a").dtype == tf.string


def test_split_gives_a_tensor_for_a_scalar_and_a_ragged_tensor_for_a_vector():
    assert tf.strings.split(tf.constant("Gray wolf"), sep=" ").numpy().tolist() == [b"Gray", b"wolf"]        # TF
    r = tf.strings.split(S)
    assert isinstance(r, tf.RaggedTensor) and r.to_list() == [[b"Gray", b"wolf"], [b"Quick", b"brown", b"fox"],
                                                              [b"Lazy", b"dog"]]                           # TF
    assert tf.strings.to_number(tf.strings.split(tf.constant("1 10 100"), " ")).numpy().tolist() == [1, 10, 100]
    assert tf.strings.split(tf.constant("a,b,,c"), ",").numpy().tolist() == [b"a", b"b", b"", b"c"]          # TF
    assert tf.strings.bytes_split(tf.constant("Duck")).numpy().tolist() == [b"D", b"u", b"c", b"k"]         # TF
    assert tf.strings.unicode_split(tf.constant("アヒル 🦆"), "UTF-8").numpy().tolist() == [
        "ア".encode(), "ヒ".encode(), "ル".encode(), b" ", "🦆".encode()]
    assert tf.strings.unicode_decode(tf.constant("アヒル 🦆"), "UTF-8").numpy().tolist() == [
        12450, 12498, 12523, 32, 129414]                                                                   # TF
    assert tf.strings.unicode_encode(tf.constant([65, 66]), "UTF-8").numpy() == b"AB"


def test_element_wise_string_functions():
    assert tf.strings.length(S).numpy().tolist() == [9, 15, 8]                                               # TF
    assert int(tf.strings.length(tf.constant("アヒル"), unit="UTF8_CHAR")) == 3
    assert tf.strings.lower(S).numpy().tolist() == [b"gray wolf", b"quick brown fox", b"lazy dog"]
    assert tf.strings.upper(tf.constant("a")).numpy() == b"A"
    assert tf.strings.join([S, S], separator="-").numpy()[0] == b"Gray wolf-Gray wolf"
    assert tf.strings.reduce_join(S, separator=",").numpy() == b"Gray wolf,Quick brown fox,Lazy dog"
    assert tf.strings.regex_replace(S, "o", "0").numpy()[1] == b"Quick br0wn f0x"
    assert tf.strings.regex_full_match(S, ".*o.*").numpy().tolist() == [True, True, True]
    assert tf.strings.substr(S, 0, 1).numpy().tolist() == [b"G", b"Q", b"L"]
    assert tf.strings.substr(tf.constant("hello"), 1, 3).numpy() == b"ell"
    assert tf.strings.as_string(tf.constant([1.5, 2.0])).numpy().tolist() == [b"1.500000", b"2.000000"]      # TF
    assert tf.strings.as_string(tf.constant([3.14159]), precision=2).numpy().tolist() == [b"3.14"]
    assert tf.strings.as_string(tf.constant([True])).numpy().tolist() == [b"true"]
    n = tf.strings.to_number(tf.constant(["7"]), out_type=tf.int32)
    assert n.dtype == tf.int32 and n.numpy().tolist() == [7]
    with pytest.raises(tf.errors.InvalidArgumentError, match="StringToNumberOp could not correctly convert string: x"):
        tf.strings.to_number(tf.constant(["x"]))
    assert tf.strings.strip(tf.constant("  a b  ")).numpy() == b"a b"
    assert tf.strings.format("x={} y={}", (tf.constant(1), tf.constant([1.5, 2.0]))).numpy() == b"x=1 y=[1.5 2]"
    # data guide: survivors of the Titanic CSV
    assert not bool(tf.not_equal(tf.strings.substr(tf.constant("0,abc"), 0, 1), "0"))


def test_ragged_constant_as_the_tensor_guide_shows_it():
    r = tf.ragged.constant([[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]])
    assert str(r) == "<chainrule.RaggedTensor [[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]]>"
    assert r.shape == [4, None] and str(r.shape) == "(4, None)" and r.dtype == tf.int32                      # TF
    assert r.row_splits.numpy().tolist() == [0, 4, 6, 9, 10] and r.row_splits.dtype == tf.int64
    assert r.values.numpy().tolist() == list(range(10)) and r[1].numpy().tolist() == [4, 5]
    assert r.to_tensor().numpy().tolist() == [[0, 1, 2, 3], [4, 5, 0, 0], [6, 7, 8, 0], [9, 0, 0, 0]]      # TF
    assert r.row_lengths().numpy().tolist() == [4, 2, 3, 1] and int(r.nrows()) == 4
    assert r.bounding_shape().numpy().tolist() == [4, 4]
    assert (r + 1).to_list() == [[1, 2, 3, 4], [5, 6], [7, 8, 9], [10]] and (r * 2).to_list()[3] == [18]
    assert tf.ragged.constant([[[1, 2], [3]], [[4]]]).to_list() == [[[1, 2], [3]], [[4]]]
    assert tf.ragged.constant([["a", "bc"], []]).to_list() == [[b"a", b"bc"], []]
    assert tf.ragged.constant([[1.5], [2.0, 3.0]]).dtype == tf.float32 and r.ragged_rank == 1
    assert [row.tolist() for row in r.numpy()] == [[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]]
    assert tf.is_tensor(r) and not isinstance(r, tf.Tensor)                                                 # TF
    with pytest.raises(ValueError, match="Can't convert non-rectangular Python sequence to Tensor"):
        tf.constant([[0, 1, 2, 3], [4, 5]])


def test_sparse_tensor_as_the_guides_show_it():
    st = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])
    assert tf.SparseTensor is tf.sparse.SparseTensor
    assert str(st) == ("SparseTensor(indices=chainrule.Tensor(\n[[0 0]\n [1 2]], shape=(2, 2), dtype=int64), "
                       "values=chainrule.Tensor([1 2], shape=(2,), dtype=int32), "
                       "dense_shape=chainrule.Tensor([3 4], shape=(2,), dtype=int64))")
    assert st.shape == (3, 4) and st.dtype == tf.int32 and st.indices.dtype == tf.int64
    assert tf.sparse.to_dense(st).numpy().tolist() == [[1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]]            # TF
    d = tf.sparse.from_dense(tf.constant([[0, 3], [4, 0]]))
    assert d.indices.numpy().tolist() == [[0, 1], [1, 0]] and d.values.numpy().tolist() == [3, 4]
    m = tf.sparse.sparse_dense_matmul(tf.sparse.SparseTensor([[0, 0], [1, 2]], [1., 2.], [2, 3]), tf.ones([3, 2]))
    assert m.numpy().tolist() == [[1, 1], [2, 2]]                                                           # TF
    unordered = tf.sparse.SparseTensor([[1, 0], [0, 1]], [5, 6], [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,1\] is out of order"):
        tf.sparse.to_dense(unordered)
    assert tf.sparse.reorder(unordered).values.numpy().tolist() == [6, 5]                                  # TF
    assert int(tf.sparse.reduce_sum(st)) == 3 and tf.sparse.reduce_sum(st, axis=1).numpy().tolist() == [1, 2, 0]
    assert tf.sparse.to_dense(tf.sparse.transpose(st)).shape == (4, 3)
    assert tf.sparse.add(st, tf.zeros([3, 4], tf.int32)).numpy().tolist()[1] == [0, 0, 2, 0]
    assert np.asarray(st).tolist() == tf.sparse.to_dense(st).numpy().tolist()
    with pytest.raises(TypeError, match="to_dense"):
        st * 2


def test_sparse_dense_matmul_is_differentiable_in_the_dense_operand():
    st = tf.sparse.SparseTensor([[0, 0], [1, 2]], [1., 2.], [2, 3])
    b = tf.Variable(tf.ones([3, 2]))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.sparse.sparse_dense_matmul(st, b))
    assert tape.gradient(y, b).numpy().tolist() == [[1, 1], [0, 0], [2, 2]]


def test_adding_string_tensors_concatenates_as_tensorflow():
    assert (tf.constant("a") + tf.constant("b")).numpy() == b"ab"
    assert tf.add(tf.constant(["a", "c"]), "x").numpy().tolist() == [b"ax", b"cx"]

    @tf.function
    def double(a):
        return a + a

    assert double(tf.constant("a")).numpy() == b"aa" and double(tf.constant("b")).numpy() == b"bb"   # TF


def test_stacking_and_concatenating_strings_of_different_lengths():
    # numpy gives 'ab' and 'abcd' different dtypes (S2, S4); TensorFlow's dtype is string for both
    assert tf.stack([tf.constant("ab"), tf.constant("abcd")]).numpy().tolist() == [b"ab", b"abcd"]
    assert tf.concat([tf.constant(["a"]), tf.constant(["abc", "de"])], 0).numpy().tolist() == [b"a", b"abc", b"de"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="input #1 is int32, expected float32"):
        tf.stack([tf.constant(1.0), tf.constant(1)])


def test_formatting_a_tensor_gives_its_numpy_text_as_tensorflow():
    # data guide: print("'survived': {}".format(label_batch)) prints "'survived': [0 1 1 1]" in TensorFlow
    assert "{}".format(tf.constant([0, 1, 1, 1])) == "[0 1 1 1]"
    assert f"{tf.constant(['male', 'female'])}" == "[b'male' b'female']"
    assert f"{tf.constant(2.5):.2f}" == "2.50"
