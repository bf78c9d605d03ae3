"""``tf.train.Example`` messages and ``tf.io.parse_single_example`` / ``parse_example``, against TensorFlow 2.21.

``fixtures/tf_example.json`` (made by ``fixtures/make_tf_example.py``) holds TensorFlow's bytes
for a few Examples and TensorFlow's ``parse_example`` / ``parse_single_example`` results.
"""
import base64
import json
import os

import numpy as np
import pytest

import chainrule as tf
from chainrule.errors import DataLossError, InvalidArgumentError
from chainrule.train import BytesList, Example, Feature, Features, FloatList, Int64List

FIXTURE = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures", "tf_example.json")))
SERIALIZED = [base64.b64decode(s) for s in FIXTURE["serialized"]]


def _example(spec: dict) -> Example:
    feats = {}
    for key, (kind, values) in spec.items():
        if kind == "bytes":
            feats[key] = Feature(bytes_list=BytesList(value=[v.encode("latin-1") for v in values]))
        elif kind == "float":
            feats[key] = Feature(float_list=FloatList(value=values))
        else:
            feats[key] = Feature(int64_list=Int64List(value=values))
    return Example(features=Features(feature=feats))


@pytest.mark.parametrize("i", range(len(SERIALIZED)))
def test_tensorflow_bytes_parse_to_the_same_values(i):
    spec = FIXTURE["examples"][i]
    parsed = Example.FromString(SERIALIZED[i])
    assert sorted(parsed.features.feature) == sorted(spec)
    for key, (kind, values) in spec.items():
        feature = parsed.features.feature[key]
        assert feature.WhichOneof("kind") == f"{kind}_list"
        got = list(getattr(feature, f"{kind}_list").value)
        if kind == "bytes":
            assert got == [v.encode("latin-1") for v in values]
        elif kind == "float":
            np.testing.assert_array_equal(np.array(got, np.float32), np.array(values, np.float32))
        else:
            assert got == values
    assert parsed == _example(spec)


@pytest.mark.parametrize("i", range(len(SERIALIZED)))
def test_serialize_matches_tensorflow(i):
    spec = FIXTURE["examples"][i]
    mine = _example(spec).SerializeToString()
    if len(spec) == 1:  # one map entry: TensorFlow's bytes are determined
        assert mine == SERIALIZED[i]
    else:  # several: map order is the writer's choice, so compare what the bytes mean
        assert Example.FromString(mine) == Example.FromString(SERIALIZED[i])


def test_negative_ints_are_ten_byte_varints_and_round_trip():
    ex = _example({"n": ["int64", [-1, -(2 ** 63), 2 ** 63 - 1]]})
    data = ex.SerializeToString()
    assert b"\xff" * 9 + b"\x01" in data
    assert Example.FromString(data).features.feature["n"].int64_list.value == [-1, -(2 ** 63), 2 ** 63 - 1]
    with pytest.raises(ValueError, match="out of range"):
        Int64List(value=[2 ** 63])
    with pytest.raises(TypeError, match="bytes"):
        BytesList(value=["a str"])


def test_unpacked_repeated_numbers_are_read():
    # Int64List{value: 5, value: -2} and FloatList{value: 1.5} written one field each (not packed).
    ints = b"\x08\x05" + b"\x08" + b"\xfe" + b"\xff" * 8 + b"\x01"
    floats = b"\x0d" + np.float32(1.5).tobytes() + b"\x0d" + np.float32(-4).tobytes()
    feature_i = b"\x1a" + bytes([len(ints)]) + ints
    feature_f = b"\x12" + bytes([len(floats)]) + floats

    def entry(key, feature):
        body = b"\x0a" + bytes([len(key)]) + key + b"\x12" + bytes([len(feature)]) + feature
        return b"\x0a" + bytes([len(body)]) + body
    features = entry(b"i", feature_i) + entry(b"f", feature_f)
    data = b"\x0a" + bytes([len(features)]) + features
    ex = Example.FromString(data)
    assert ex.features.feature["i"].int64_list.value == [5, -2]
    assert ex.features.feature["f"].float_list.value == [1.5, -4.0]
    parsed = tf.io.parse_single_example(data, {"i": tf.io.FixedLenFeature([2], tf.int64),
                                               "f": tf.io.VarLenFeature(tf.float32)})
    np.testing.assert_array_equal(parsed["i"].numpy(), [5, -2])
    np.testing.assert_array_equal(parsed["f"].values.numpy(), np.array([1.5, -4.0], np.float32))


def test_protobuf_style_access_equality_repr_and_parse_from_string():
    ex = Example()
    ex.features.feature["id"].int64_list.value.append(7)
    ex.features.feature["w"].float_list.value.extend([0.1, 2])
    assert ex.features.feature["id"].int64_list.value[0] == 7
    assert ex.features.feature["w"].float_list.value == [float(np.float32(0.1)), 2.0]
    assert ex.features.feature["id"].WhichOneof("kind") == "int64_list"
    assert not ex.features.feature["id"].HasField("bytes_list")
    copy = Example()
    assert copy.ParseFromString(ex.SerializeToString()) == len(ex.SerializeToString())
    assert copy == ex
    copy.features.feature["id"].int64_list.value[0] = 8
    assert copy != ex
    assert repr(ex) == ('features {\n  feature {\n    key: "id"\n    value {\n      int64_list {\n        value: 7\n'
                        '      }\n    }\n  }\n  feature {\n    key: "w"\n    value {\n      float_list {\n'
                        '        value: 0.100000001\n        value: 2\n      }\n    }\n  }\n}\n')
    assert repr(Feature(bytes_list=BytesList(value=[b'a"\n\x00\xff']))) == \
        'bytes_list {\n  value: "a\\"\\n\\000\\377"\n}\n'
    # the empty Feature and an empty BytesList are different messages, as in protobuf
    assert Feature() != Feature(bytes_list=BytesList())
    assert Feature(bytes_list=BytesList()).SerializeToString() == b"\x0a\x00"


def _check(got, want):
    if "indices" in want:
        assert isinstance(got, tf.SparseTensor)
        np.testing.assert_array_equal(got.indices.numpy(), np.array(want["indices"], np.int64).reshape(-1, len(
            want["dense_shape"])))
        np.testing.assert_array_equal(got.dense_shape.numpy(), want["dense_shape"])
        _check(got.values, want["values"])
        return
    assert got.dtype.name == want["dtype"]
    assert list(got.shape) == want["shape"]
    value = got.numpy()
    if want["dtype"] == "string":
        value = np.vectorize(lambda b: b.decode("latin-1"), otypes=[object])(value) if value.size else value
        np.testing.assert_array_equal(value.tolist() if value.size else np.zeros(value.shape), want["value"])
    else:
        np.testing.assert_array_equal(value, np.array(want["value"], dtype=want["dtype"]))


def _description(case):
    out = {}
    for key, spec in case["features"].items():
        if spec[0] == "fixed":
            out[key] = tf.io.FixedLenFeature(spec[1], getattr(tf, spec[2]), default_value=spec[3])
        else:
            out[key] = tf.io.VarLenFeature(getattr(tf, spec[1]))
    return out


@pytest.mark.parametrize("case", FIXTURE["parse_cases"], ids=lambda c: ",".join(c["features"]))
def test_parse_example_and_parse_single_example_match_tensorflow(case):
    # a list of bytes, not tf.constant: chainrule's constant drops a record's trailing NUL bytes (numpy 'S')
    batch = [SERIALIZED[i] for i in case["examples"]]
    parsed = tf.io.parse_example(batch, _description(case))
    assert list(parsed) == sorted(case["parsed"])
    for key, want in case["parsed"].items():
        _check(parsed[key], want)
    single = tf.io.parse_single_example(batch[0], _description(case))
    for key, want in case["parsed_single_first"].items():
        _check(single[key], want)


def test_hands_on_ml_contacts_snippet_end_to_end(tmp_path):
    path = str(tmp_path / "my_contacts.tfrecord")
    person_example = Example(features=Features(feature={
        "name": Feature(bytes_list=BytesList(value=[b"Alice"])),
        "id": Feature(int64_list=Int64List(value=[123])),
        "emails": Feature(bytes_list=BytesList(value=[b"a@b.com", b"c@d.com"]))}))
    with tf.io.TFRecordWriter(path) as f:
        f.write(person_example.SerializeToString())
        f.write(Example(features=Features(feature={"id": Feature(int64_list=Int64List(value=[9]))}))
                .SerializeToString())
    feature_description = {"name": tf.io.FixedLenFeature([], tf.string, default_value=""),
                           "id": tf.io.FixedLenFeature([], tf.int64, default_value=0),
                           "emails": tf.io.VarLenFeature(tf.string)}
    seen = []
    for serialized_example in tf.data.TFRecordDataset([path]):
        parsed = tf.io.parse_single_example(serialized_example, feature_description)
        seen.append((parsed["name"].numpy(), int(parsed["id"].numpy()), parsed["emails"].values.numpy().tolist(),
                     tf.sparse.to_dense(parsed["emails"], default_value=b"").numpy().tolist()))
        assert tf.train.Example.FromString(serialized_example).features.feature["id"].int64_list.value[0] == \
            seen[-1][1]
    assert seen == [(b"Alice", 123, [b"a@b.com", b"c@d.com"], [b"a@b.com", b"c@d.com"]), (b"", 9, [], [])]

    batches = list(tf.data.TFRecordDataset([path]).batch(10).map(
        lambda s: tf.io.parse_example(s, feature_description)))
    assert len(batches) == 1
    b = batches[0]
    assert b["name"].numpy().tolist() == [b"Alice", b""]
    assert b["id"].numpy().tolist() == [123, 9]
    assert b["emails"].indices.numpy().tolist() == [[0, 0], [0, 1]]
    assert b["emails"].dense_shape.numpy().tolist() == [2, 2]
    assert tf.sparse.to_dense(b["emails"], default_value=b"").numpy().tolist() == [[b"a@b.com", b"c@d.com"],
                                                                                  [b"", b""]]


def test_parse_inside_a_chainrule_function_sees_each_new_record():
    def ex(i):
        return Example(features=Features(feature={"id": Feature(int64_list=Int64List(value=[i]))})).SerializeToString()
    description = {"id": tf.io.FixedLenFeature([], tf.int64)}
    parse_id = tf.function(lambda s: tf.io.parse_single_example(s, description)["id"] * 2)
    assert [int(parse_id(tf.constant(ex(i))).numpy()) for i in (1, 2, 3)] == [2, 4, 6]


def _one(**features) -> bytes:
    return Example(features=Features(feature=features)).SerializeToString()


def test_parse_errors_name_the_problem():
    floats = _one(a=Feature(float_list=FloatList(value=[1, 2])))
    with pytest.raises(InvalidArgumentError, match="Feature: a \\(data type: string\\) is required"):
        tf.io.parse_single_example(_one(), {"a": tf.io.FixedLenFeature([], tf.string)})
    with pytest.raises(InvalidArgumentError, match="Key: a.*2 float_list values, but the shape \\[3\\] needs 3"):
        tf.io.parse_single_example(floats, {"a": tf.io.FixedLenFeature([3], tf.float32)})
    with pytest.raises(InvalidArgumentError, match="Data type: float but expected type: int64"):
        tf.io.parse_single_example(floats, {"a": tf.io.FixedLenFeature([2], tf.int64)})
    with pytest.raises(InvalidArgumentError, match="Expected type: int64, Actual type: float"):
        tf.io.parse_example([floats], {"a": tf.io.VarLenFeature(tf.int64)})
    with pytest.raises(InvalidArgumentError, match="Could not parse example input"):
        tf.io.parse_single_example(b"\x0a\x05abc", {"a": tf.io.VarLenFeature(tf.int64)})
    with pytest.raises(InvalidArgumentError, match="dtype float64"):
        tf.io.parse_single_example(_one(), {"a": tf.io.FixedLenFeature([], tf.float64, default_value=1.0)})
    with pytest.raises(InvalidArgumentError, match="default_value has 3 values"):
        tf.io.parse_single_example(_one(), {"a": tf.io.FixedLenFeature([2], tf.int64, default_value=[1, 2, 3])})
    with pytest.raises(InvalidArgumentError, match="fully defined shape"):
        tf.io.parse_single_example(floats, {"a": tf.io.FixedLenFeature([None], tf.float32)})
    parsed = tf.io.parse_single_example(floats, {"a": tf.io.FixedLenFeature(tf.TensorShape([1, 2]), tf.float32)})
    np.testing.assert_array_equal(parsed["a"].numpy(), np.array([[1, 2]], np.float32))
    with pytest.raises(InvalidArgumentError, match="parse_example for a batch"):
        tf.io.parse_single_example([floats], {"a": tf.io.VarLenFeature(tf.float32)})
    # an empty Feature counts as missing: the default is used, as TensorFlow
    parsed = tf.io.parse_single_example(_one(a=Feature()), {"a": tf.io.FixedLenFeature([], tf.int64, default_value=5)})
    assert int(parsed["a"].numpy()) == 5


@pytest.mark.parametrize("data, message", [
    (b"\x0a\x05abc", "truncated"),                      # a length beyond the end
    (b"\x0a", "truncated varint"),                       # a key with no length
    (b"\x0a" + b"\xff" * 11, "longer than 10 bytes"),    # an endless varint
    (b"\x0b\x00", "wire type 3"),                        # a group
    (b"\x0a\xff\xff\xff\xff\x0f", "truncated"),          # a 4 GB length: refused, not allocated
    (b"\x0a\x04\x0a\x02\x0a\x00\x00", "field number 0"),
    (b"\x0a\x08\x0a\x06\x12\x04\x12\x02\x0a\x01", "truncated"),
])
def test_malformed_bytes_raise_data_loss_error(data, message):
    with pytest.raises(DataLossError, match=message):
        Example.FromString(data)


def test_malformed_packed_lists_raise_data_loss_error():
    with pytest.raises(DataLossError, match="not a multiple of 4"):
        FloatList.FromString(b"\x0a\x03abc")
    with pytest.raises(DataLossError, match="truncated varint"):
        Int64List.FromString(b"\x0a\x01\x80")
    with pytest.raises(DataLossError, match="wire type 0"):
        Feature.FromString(b"\x0a\x00" + b"\x10\x01")
