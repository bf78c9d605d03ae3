"""tf.io without a graph: TensorProto bytes identical to tf.io.serialize_tensor's (captured from
tensorflow-cpu 2.21), files, CSV, images (Pillow), and tf.io.gfile on the local file system."""
import os

import numpy as np
import pytest

import chainrule as tf

# tf.io.serialize_tensor(...).numpy() in TensorFlow 2.21
SERIALIZED = [
    (lambda: tf.constant([1., 2.]), b'\x08\x01\x12\x04\x12\x02\x08\x02"\x08\x00\x00\x80?\x00\x00\x00@'),
    (lambda: tf.constant(3), b'\x08\x03\x12\x00"\x04\x03\x00\x00\x00'),
    (lambda: tf.constant([[True, False]]), b'\x08\n\x12\x08\x12\x02\x08\x01\x12\x02\x08\x02"\x02\x01\x00'),
    (lambda: tf.constant(["ab", "c"]), b'\x08\x07\x12\x04\x12\x02\x08\x02B\x02abB\x01c'),
    (lambda: tf.constant(np.zeros((0, 2), np.float64)), b'\x08\x02\x12\x06\x12\x00\x12\x02\x08\x02'),
    (lambda: tf.constant(7, tf.int64), b'\x08\t\x12\x00"\x08\x07\x00\x00\x00\x00\x00\x00\x00'),
    (lambda: tf.constant([1., 2.], tf.float16), b'\x08\x13\x12\x04\x12\x02\x08\x02"\x04\x00<\x00@'),
]


@pytest.mark.parametrize("make, expected", SERIALIZED)
def test_serialize_tensor_writes_tensorflows_bytes_and_parse_reads_them_back(make, expected):
    t = make()
    data = tf.io.serialize_tensor(t)
    assert data.dtype == tf.string and data.numpy() == expected
    back = tf.io.parse_tensor(data, t.dtype)
    assert back.dtype == t.dtype and back.shape == t.shape
    assert back.numpy().tolist() == t.numpy().tolist()


def test_parse_tensor_errors():
    data = tf.io.serialize_tensor(tf.constant([1., 2.]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Type mismatch between parsed tensor \(float\) and dtype \(int32\)"):
        tf.io.parse_tensor(data, tf.int32)
    with pytest.raises(tf.errors.DataLossError):
        tf.io.parse_tensor(b"\x08", tf.float32)


def test_files_raw_bytes_and_csv(tmp_path):
    path = str(tmp_path / "f.txt")
    tf.io.write_file(path, "hello")
    assert tf.io.read_file(path).numpy() == b"hello"
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        tf.io.read_file(str(tmp_path / "missing"))
    assert tf.io.decode_raw(tf.constant("Duck"), tf.uint8).numpy().tolist() == [68, 117, 99, 107]           # TF
    a, b, c = tf.io.decode_csv(["1,2.5,a", "3,,b"], record_defaults=[0, 0.0, ""])
    assert a.dtype == tf.int32 and a.numpy().tolist() == [1, 3]                                             # TF
    assert b.dtype == tf.float32 and b.numpy().tolist() == [2.5, 0.0]
    assert c.numpy().tolist() == [b"a", b"b"]
    x, y = tf.io.decode_csv("1;2", record_defaults=[[0], [0]], field_delim=";")
    assert x.shape == () and int(y) == 2
    with pytest.raises(tf.errors.InvalidArgumentError, match="Field 1 is required but missing in record 0"):
        tf.io.decode_csv(["1,,a"], record_defaults=[[0], [], [""]])
    picked = tf.io.decode_csv(["1,2,3,4"], record_defaults=[[9], [9]], select_cols=[1, 3])
    assert [int(p[0]) for p in picked] == [2, 4]
    assert tf.io.decode_base64(tf.io.encode_base64(tf.constant(["hi?"]))).numpy().tolist() == [b"hi?"]


def test_images_round_trip_through_pillow():
    pytest.importorskip("PIL")
    image = tf.constant([[[255, 0, 0], [0, 255, 0]]], tf.uint8)
    png = tf.io.encode_png(image)
    assert png.dtype == tf.string and png.numpy()[:4] == b"\x89PNG"
    decoded = tf.io.decode_png(png)
    assert decoded.dtype == tf.uint8 and decoded.numpy().tolist() == image.numpy().tolist()
    assert tf.io.decode_image(png, channels=1).shape == (1, 2, 1)
    assert tf.io.decode_jpeg(tf.io.encode_jpeg(tf.zeros([4, 4, 3], tf.uint8))).shape == (4, 4, 3)
    assert tf.io.decode_image(png, dtype=tf.float32).numpy().max() == 1.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a known image format"):
        tf.io.decode_image(b"not an image")


def test_gfile_on_local_files(tmp_path):
    g, d = tf.io.gfile, str(tmp_path)
    g.makedirs(os.path.join(d, "a/b"))
    with g.GFile(os.path.join(d, "a/x.txt"), "w") as f:
        f.write("line1\nline2\n")
    tf.io.write_file(os.path.join(d, "f.txt"), "x")
    assert sorted(g.listdir(d)) == ["a", "f.txt"] and g.exists(os.path.join(d, "a"))
    assert g.isdir(os.path.join(d, "a")) and not g.isdir(os.path.join(d, "a/x.txt"))
    assert g.glob(os.path.join(d, "a/*")) == [os.path.join(d, "a/b"), os.path.join(d, "a/x.txt")]
    st = g.stat(os.path.join(d, "a/x.txt"))
    assert st.length == 12 and not st.is_directory
    with g.GFile(os.path.join(d, "a/x.txt")) as f:
        assert f.read() == "line1\nline2\n"
    with g.GFile(os.path.join(d, "a/x.txt"), "rb") as f:
        assert f.readline() == b"line1\n"
    with g.Open(os.path.join(d, "a/x.txt")) as f:
        assert list(f) == ["line1\n", "line2\n"]
    g.copy(os.path.join(d, "a/x.txt"), os.path.join(d, "copy.txt"))
    with pytest.raises(tf.errors.AlreadyExistsError, match="file already exists"):
        g.copy(os.path.join(d, "a/x.txt"), os.path.join(d, "copy.txt"))
    g.rename(os.path.join(d, "copy.txt"), os.path.join(d, "moved.txt"))
    assert g.exists(os.path.join(d, "moved.txt")) and not g.exists(os.path.join(d, "copy.txt"))
    g.remove(os.path.join(d, "moved.txt"))
    for fn in (g.listdir, g.remove, g.stat, g.rmtree):
        with pytest.raises(tf.errors.NotFoundError):
            fn(os.path.join(d, "nope"))
    with pytest.raises(FileNotFoundError):          # a NotFoundError is also a FileNotFoundError
        g.GFile(os.path.join(d, "nope")).read()
    assert [w[0] for w in g.walk(d)][0] == d
    g.rmtree(os.path.join(d, "a"))
    assert not g.exists(os.path.join(d, "a"))
    with pytest.raises(NotImplementedError, match="gs:// file system is not supported"):
        g.exists("gs://bucket/x")


def test_decode_csv_required_columns_take_the_empty_tensors_dtype():
    # "Hands-On Machine Learning", ch. 13: record_defaults=[0.] * 8 + [tf.constant([], dtype=tf.float32)]
    fields = tf.io.decode_csv(b"0.1,7,0.9", record_defaults=[0.0, tf.constant([], dtype=tf.int64),
                                                            tf.constant([], dtype=tf.float32)])
    assert [f.dtype for f in fields] == [tf.float32, tf.int64, tf.float32]
    assert fields[1].numpy() == 7 and fields[2].numpy() == np.float32(0.9)
    text, number = tf.io.decode_csv(b"a,2.5", record_defaults=[tf.constant([], dtype=tf.string), []])
    assert text.numpy() == b"a" and number.dtype == tf.float32  # a bare [] is float32, as in TensorFlow
    with pytest.raises(tf.errors.InvalidArgumentError, match="Field 1 is required but missing in record 0"):
        tf.io.decode_csv(b"1,", record_defaults=[0, tf.constant([], dtype=tf.float64)])
