"""``chainrule.compat``'s string helpers behave as ``tf.compat``'s (values and errors checked against
tensorflow 2.21)."""
import pathlib

import pytest

import chainrule as tf


def test_as_bytes_and_as_text_convert_as_tensorflow_does():
    assert tf.compat.as_bytes("JFIF") == b"JFIF"
    assert tf.compat.as_bytes(b"x") == b"x"
    assert tf.compat.as_bytes(bytearray(b"y")) == b"y"
    assert tf.compat.as_bytes("\u00e9", encoding="latin-1") == b"\xe9"
    assert tf.compat.as_text(b"caf\xc3\xa9") == "caf\u00e9"
    assert tf.compat.as_str("a") == "a"
    assert tf.compat.as_str_any(3) == "3" and tf.compat.as_str_any(b"z") == "z"
    assert tf.compat.path_to_str(pathlib.Path("/a/b")) == "/a/b"
    assert tf.compat.path_to_str(3) == 3


@pytest.mark.parametrize("fn", [tf.compat.as_bytes, tf.compat.as_text])
@pytest.mark.parametrize("bad", [3, None])
def test_a_non_string_is_a_type_error(fn, bad):
    with pytest.raises(TypeError, match=f"Expected binary or unicode string, got {bad}"):
        fn(bad)


def test_the_jfif_header_check_of_the_keras_example(tmp_path):
    from PIL import Image
    Image.new("RGB", (4, 4)).save(tmp_path / "a.jpg")
    with open(tmp_path / "a.jpg", "rb") as f:
        assert tf.compat.as_bytes("JFIF") in f.peek(10)


def test_the_tf1_api_is_not_provided():
    with pytest.raises(AttributeError, match="tf.compat.v1"):
        _ = tf.compat.v1
