"""TFRecord files: chainrule writes what TensorFlow writes, reads TensorFlow's files, and refuses damage."""
from pathlib import Path

import numpy as np
import pytest

import chainrule as tf
from chainrule.io.tfrecord import crc32c

FIXTURES = Path(__file__).resolve().parent / "fixtures"  # made by TensorFlow 2.21: see fixtures/README.md
RECORDS = [b"", b"first", b"x" * 300, bytes(range(256))]


def test_crc32c_is_castagnolis():
    assert crc32c(b"") == 0
    assert crc32c(b"123456789") == 0xE3069283  # the check value of CRC-32C


def test_the_writer_writes_tensorflows_bytes(tmp_path):
    path = tmp_path / "records.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as writer:
        for record in RECORDS[:2]:
            writer.write(record)
        writer.write(tf.constant(RECORDS[2]))  # a scalar string Tensor
        writer.write(RECORDS[3])
    assert path.read_bytes() == (FIXTURES / "tf_records.tfrecord").read_bytes()


def test_tensorflows_files_read_back_plain_and_gzip():
    records = [r.numpy() for r in tf.data.TFRecordDataset(str(FIXTURES / "tf_records.tfrecord"))]
    assert records == RECORDS
    zipped = tf.data.TFRecordDataset([str(FIXTURES / "tf_records_gzip.tfrecord")], compression_type="GZIP")
    assert list(zipped.as_numpy_iterator()) == [b"first", b"second"]
    assert zipped.element_spec == tf.TensorSpec([], tf.string)


@pytest.mark.parametrize("kind", ["GZIP", "ZLIB"])
def test_compressed_round_trip_and_batching(tmp_path, kind):
    path = str(tmp_path / "r.tfrecord")
    with tf.io.TFRecordWriter(path, tf.io.TFRecordOptions(compression_type=kind)) as writer:
        for i in range(5):
            writer.write(tf.io.serialize_tensor(tf.constant([i, i + 1])).numpy())
    dataset = tf.data.TFRecordDataset(path, compression_type=kind).map(
        lambda r: tf.io.parse_tensor(r, out_type=tf.int32)).batch(2)
    np.testing.assert_array_equal(next(iter(dataset)).numpy(), [[0, 1], [1, 2]])


def test_damage_is_a_data_loss_error_naming_the_file_and_offset(tmp_path):
    good = (FIXTURES / "tf_records.tfrecord").read_bytes()
    truncated = tmp_path / "truncated.tfrecord"
    truncated.write_bytes(good[:-3])
    with pytest.raises(tf.errors.DataLossError, match=r"truncated record at \d+ in .*truncated.tfrecord"):
        list(tf.data.TFRecordDataset(str(truncated)))
    flipped = bytearray(good)
    flipped[30] ^= 1  # inside the second record's data
    damaged = tmp_path / "flipped.tfrecord"
    damaged.write_bytes(bytes(flipped))
    with pytest.raises(tf.errors.DataLossError, match="corrupted record at 16 .*data's checksum"):
        list(tf.data.TFRecordDataset(str(damaged)))
    with pytest.raises(tf.errors.DataLossError, match="length's checksum"):  # a compressed file read as plain
        list(tf.data.TFRecordDataset(str(FIXTURES / "tf_records_gzip.tfrecord")))
    with pytest.raises(tf.errors.DataLossError, match="not a GZIP-compressed TFRecord file"):
        list(tf.data.TFRecordDataset(str(FIXTURES / "tf_records.tfrecord"), compression_type="GZIP"))
    with pytest.raises(tf.errors.NotFoundError):
        list(tf.data.TFRecordDataset(str(tmp_path / "missing.tfrecord")))


def test_writer_refusals(tmp_path):
    writer = tf.io.TFRecordWriter(str(tmp_path / "w.tfrecord"))
    with pytest.raises(TypeError, match="a record is bytes or a scalar string Tensor"):
        writer.write(3.5)
    writer.close()
    with pytest.raises(ValueError, match="write after close"):
        writer.write(b"late")
    with pytest.raises(ValueError, match="compression_type must be"):
        tf.io.TFRecordOptions(compression_type="BZ2")
