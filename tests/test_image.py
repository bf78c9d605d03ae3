"""tf.image against TensorFlow 2.21 (``fixtures/tf_nn_image.json``), its gradients, seeds and errors."""
import numpy as np
import pytest

import chainrule as tf
from chainrule.errors import InvalidArgumentError
from chainrule.testing import check_gradients

from tf_fixture_cases import cases, check_case


@pytest.mark.parametrize("case", cases("image"), ids=lambda c: c["name"])
def test_matches_tensorflow(case):
    check_case(case)


LINEAR = dict(eps=1e-2, tol=1e-4)  # linear in the image and rounded to float32 by TensorFlow's rule: exact steps
FLOAT32_RESULT = dict(eps=1e-3, tol=1e-2)  # non-linear, and TensorFlow returns float32: rounding limits the check


@pytest.mark.parametrize("fn, kwargs", [
    (lambda x: tf.image.resize(x, [7, 5]), LINEAR),
    (lambda x: tf.image.resize(x, [3, 2], method="nearest"), {}),
    (lambda x: tf.image.crop_and_resize(x, [[0.1, 0.2, 0.9, 0.7], [-0.2, 0, 0.5, 1.2]], [1, 0], [3, 4]), LINEAR),
    (lambda x: tf.image.resize_with_crop_or_pad(x, 3, 7), {}),
    (lambda x: tf.image.resize_with_pad(x, 6, 6), LINEAR),
    (lambda x: tf.image.central_crop(x, 0.6), {}),
    (lambda x: tf.image.pad_to_bounding_box(x, 1, 2, 7, 8), {}),
    (lambda x: tf.image.crop_to_bounding_box(x, 1, 0, 2, 3), {}),
    (lambda x: tf.image.rot90(tf.image.flip_up_down(x), k=3), {}),
    (lambda x: tf.image.transpose(tf.image.flip_left_right(x)), {}),
    (lambda x: tf.image.adjust_brightness(x, 0.2), {}),
    (lambda x: tf.image.adjust_contrast(x, 1.5), {}),
    (lambda x: tf.image.adjust_gamma(x + 1.0, 0.7, 1.3), {}),
    (lambda x: tf.image.rgb_to_grayscale(x), {}),
    (lambda x: tf.image.grayscale_to_rgb(x[..., :1]), {}),
    (lambda x: tf.image.per_image_standardization(x), {}),
    (lambda x: tf.image.rgb_to_hsv(x + 1.0), {}),
    (lambda x: tf.image.hsv_to_rgb(x * 0.3 + 0.4), {}),
    (lambda x: tf.image.image_gradients(x), {}),
    (lambda x: tf.image.sobel_edges(x), {}),
    (lambda x: tf.image.total_variation(x), {}),
    (lambda x: tf.image.ssim(x, x * 0.5 + 0.2, 1.0, filter_size=3), FLOAT32_RESULT),
    (lambda x: tf.image.psnr(x, x * 0.5, 1.0), FLOAT32_RESULT),
    (lambda x: tf.image.yuv_to_rgb(tf.image.rgb_to_yiq(x)), {}),
    (lambda x: tf.image.extract_patches(x, [1, 2, 3, 1], [1, 2, 1, 1], [1, 1, 1, 1], "SAME"), {}),
], ids=["resize", "resize_nearest", "crop_and_resize", "crop_or_pad", "resize_with_pad", "central_crop",
        "pad_to_box", "crop_to_box", "rot90", "transpose", "brightness", "contrast", "gamma", "grayscale",
        "gray_to_rgb", "standardization", "rgb_to_hsv", "hsv_to_rgb", "image_gradients", "sobel",
        "total_variation", "ssim", "psnr", "yiq_yuv", "extract_patches"])
def test_gradients(fn, kwargs, rng):
    check_gradients(fn, rng.random((2, 5, 4, 3)), **({"tol": 1e-6} | kwargs))


def test_saturation_and_hue_have_no_gradient():
    x = tf.Variable(np.random.default_rng(0).random((2, 2, 3)).astype("float32"))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.image.adjust_saturation(x, 2.0) + tf.image.adjust_hue(x, 0.1))
    assert tape.gradient(y, x) is None


@pytest.mark.parametrize("fn", [
    lambda x, s: tf.image.stateless_random_flip_left_right(x, s),
    lambda x, s: tf.image.stateless_random_flip_up_down(x, s),
    lambda x, s: tf.image.stateless_random_brightness(x, 0.3, s),
    lambda x, s: tf.image.stateless_random_contrast(x, 0.2, 1.8, s),
    lambda x, s: tf.image.stateless_random_saturation(x, 0.2, 1.8, s),
    lambda x, s: tf.image.stateless_random_hue(x, 0.4, s),
    lambda x, s: tf.image.stateless_random_crop(x, [8, 3, 3, 3], s),
], ids=["flip_lr", "flip_ud", "brightness", "contrast", "saturation", "hue", "crop"])
def test_stateless_same_seed_same_result(fn):
    x = np.random.default_rng(1).random((8, 5, 4, 3)).astype("float32")
    first = fn(x, (3, 4)).numpy()
    np.testing.assert_array_equal(first, fn(x, (3, 4)).numpy())
    assert any(not np.array_equal(first, fn(x, (s, 9)).numpy()) for s in range(5))


def test_random_functions_draw_within_their_ranges():
    x = np.random.default_rng(2).random((16, 4, 4, 3)).astype("float32")
    flipped = tf.image.random_flip_left_right(x, seed=5).numpy()
    same = [np.array_equal(f, i) for f, i in zip(flipped, x)]
    mirrored = [np.array_equal(f, i[:, ::-1]) for f, i in zip(flipped, x)]
    assert all(s or m for s, m in zip(same, mirrored)) and 0 < sum(mirrored) < 16   # each image on its own
    delta = tf.image.random_brightness(x, 0.25, seed=1).numpy() - x
    assert np.ptp(delta) < 1e-6 and abs(delta.flat[0]) <= 0.25
    crop = tf.image.random_crop(x[0], [2, 3, 3], seed=3).numpy()
    assert crop.shape == (2, 3, 3) and any(np.array_equal(crop, x[0, i:i + 2, j:j + 3])
                                           for i in range(3) for j in range(2))
    assert tf.image.random_contrast(x, 0.5, 1.5).shape == x.shape
    assert tf.image.random_saturation(x, 0.5, 1.5).shape == x.shape
    assert tf.image.random_hue(x, 0.2).shape == x.shape
    assert tf.image.random_flip_up_down(x[0]).shape == x[0].shape


def test_io_aliases_round_trip():
    image = (np.arange(4 * 5 * 3) % 256).astype("uint8").reshape(4, 5, 3)
    np.testing.assert_array_equal(tf.image.decode_png(tf.image.encode_png(image)).numpy(), image)
    assert tf.image.decode_image(tf.image.encode_jpeg(image)).shape == (4, 5, 3)
    assert tf.image.decode_jpeg is tf.io.decode_jpeg


def test_errors():
    x = np.zeros((2, 5, 4, 3), "float32")
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        tf.image.flip_left_right(x[0, 0])
    with pytest.raises(NotImplementedError, match="bicubic"):
        tf.image.resize(x, [3, 3], method="bicubic")
    with pytest.raises(ValueError, match="not implemented"):
        tf.image.resize(x, [3, 3], method="cubic")
    with pytest.raises(NotImplementedError, match="antialias"):
        tf.image.resize(x, [3, 3], antialias=True)
    with pytest.raises(ValueError, match="size"):
        tf.image.resize(x, [3])
    with pytest.raises(ValueError, match="central_fraction"):
        tf.image.central_crop(x, 0.0)
    with pytest.raises(ValueError, match="width must be >= target"):
        tf.image.crop_to_bounding_box(x, 0, 2, 2, 3)
    with pytest.raises(ValueError, match="offset_height"):
        tf.image.pad_to_bounding_box(x, -1, 0, 6, 6)
    with pytest.raises(InvalidArgumentError, match="box_indices"):
        tf.image.crop_and_resize(x, [[0, 0, 1, 1]], [2], [2, 2])
    with pytest.raises(ValueError, match="Gamma"):
        tf.image.adjust_gamma(x, -1.0)
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.random_contrast(x, 1.0, 0.5)
    with pytest.raises(ValueError, match="max_delta"):
        tf.image.random_hue(x, 0.7)
    with pytest.raises(ValueError, match="seed"):
        tf.image.stateless_random_flip_left_right(x, 3)
    with pytest.raises(InvalidArgumentError, match="value.shape >= size"):
        tf.image.random_crop(x, [3, 5, 4, 3])
    with pytest.raises(ValueError, match="4D"):
        tf.image.image_gradients(x[0])
    with pytest.raises(ValueError, match="3 channels"):
        tf.image.rgb_to_grayscale(x[..., :2])
    with pytest.raises(InvalidArgumentError, match="filter_size"):
        tf.image.ssim(x, x, 1.0)
    with pytest.raises(ValueError, match=r"sizes must be \[1, rows, cols, 1\]"):
        tf.image.extract_patches(x, [2, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
    with pytest.raises(InvalidArgumentError, match="float"):
        tf.image.rgb_to_yuv(x.astype("uint8"))
    with pytest.raises(AttributeError, match="tf.image.draw_bounding_boxes"):
        _ = tf.image.draw_bounding_boxes


def test_functional_model_records_and_reloads_nn_and_image_calls(tmp_path):
    from chainrule import keras
    inputs = keras.Input((8, 8, 6))
    x = tf.nn.max_pool(inputs, ksize=(1, 1, 1, 3), strides=(1, 1, 1, 3), padding="VALID")
    x = tf.image.resize(tf.image.flip_left_right(x), [4, 4])
    model = keras.Model(inputs, tf.nn.conv2d(x, np.ones((3, 3, 2, 5), "float32"), 1, "SAME"))
    assert [layer.name for layer in model.layers[1:]] == ["tf.nn.max_pool", "tf.image.flip_left_right",
                                                          "tf.image.resize", "tf.nn.conv2d"]
    model.save(tmp_path / "m.keras")
    data = np.random.default_rng(0).random((2, 8, 8, 6)).astype("float32")
    np.testing.assert_array_equal(keras.models.load_model(tmp_path / "m.keras")(data).numpy(), model(data).numpy())


def test_data_augmentation_tutorial_seeds():
    # TF's "Data augmentation" tutorial: a Generator's make_seeds feeds the stateless image functions.
    rng = tf.random.Generator.from_seed(123, alg="philox")
    seeds = rng.make_seeds(2)
    assert seeds.shape == (2, 2) and seeds.dtype == tf.int64
    seed = seeds[0]
    new_seed = tf.random.experimental.stateless_split(seed, num=1)[0, :]
    assert new_seed.shape == (2,)
    np.testing.assert_array_equal(tf.random.experimental.stateless_split(seed, num=1).numpy()[0], new_seed.numpy())
    image = np.random.default_rng(0).random((24, 24, 3)).astype("float32")
    out = tf.image.stateless_random_brightness(tf.image.stateless_random_crop(image, [18, 18, 3], seed), 0.5,
                                               new_seed)
    again = tf.image.stateless_random_brightness(tf.image.stateless_random_crop(image, [18, 18, 3], seed), 0.5,
                                                 new_seed)
    np.testing.assert_array_equal(out.numpy(), again.numpy())
    assert tf.random.experimental.stateless_fold_in(seed, 3).shape == (2,)


def test_stateless_random_image_functions_give_tensorflows_images():
    # Sums and pixels printed by tensorflow-cpu 2.21 for this image and seed (the draws are Philox's)
    img = (np.arange(5 * 7 * 3).reshape(5, 7, 3) * 5 % 256).astype(np.uint8)
    batch = np.stack([img, img[::-1], img[:, ::-1], 255 - img]).astype(np.float32) / 255
    seed = (0, 3)
    assert int(tf.image.stateless_random_brightness(img, 0.5, seed).numpy().sum()) == 19534
    assert int(tf.image.stateless_random_contrast(img, 0.2, 0.9, seed).numpy().sum()) == 13196
    assert int(tf.image.stateless_random_saturation(img, 0.2, 3.0, seed).numpy().sum()) == 12534
    assert tf.image.stateless_random_crop(img, [3, 4, 3], seed).numpy()[0, 0].tolist() == [135, 140, 145]
    assert tf.image.stateless_random_flip_left_right(img, seed).numpy()[0, :2, 0].tolist() == [0, 15]
    np.testing.assert_array_equal(tf.image.stateless_random_flip_up_down(batch, seed).numpy()[:, 0, 0, 0],
                                  np.float32([0.6431373, 0.0, 0.99607843, 0.35686275]))


def test_adjust_contrast_takes_an_accurate_mean_as_tensorflow():
    # A float32 mean summed along 76,800 rows drifts by 1e-4 and moved 1,890 of a photo's uint8 pixels by one
    rng = np.random.RandomState(0)
    x = (rng.uniform(0.2, 0.5, (240, 320, 3)) + rng.uniform(0, 0.3, (1, 320, 1))).astype(np.float32)
    mean = x.astype(np.float64).mean(axis=(0, 1)).astype(np.float32)
    np.testing.assert_array_equal(tf.image.adjust_contrast(x, 0.3).numpy(), (x - mean) * np.float32(0.3) + mean)


# A 24x16 JPEG (Pillow, quality 75, 4:2:0) and what tensorflow-cpu 2.21's decode_jpeg gives for it: its default
# dct_method "" is libjpeg-turbo's fast integer DCT, with fancy chroma upsampling (Pillow's own decode differs)
_JPEG_420 = (
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgy"
    "PC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAQABgD"
    "ASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKB"
    "kaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZ"
    "mqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQF"
    "BgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5"
    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX"
    "2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDjLFACM5NXpgvknjmo7OHDZ74zVi4iYIcDtXjKp0FgceqcHRaVmc/cQ/MSB9KKtuh7"
    "0UOaReOw2HpVLU53Vj//2Q==")


def test_decode_jpeg_gives_tensorflows_pixels():
    import base64
    import hashlib
    data = base64.b64decode(_JPEG_420)
    for decode in (tf.io.decode_jpeg, tf.io.decode_image):
        pixels = decode(data, channels=3).numpy()
        assert pixels.shape == (16, 24, 3) and int(pixels.sum()) == 78605
        assert pixels[0, 0].tolist() == [6, 98, 13] and pixels[7, 11].tolist() == [121, 90, 46]
        assert hashlib.sha256(pixels.tobytes()).hexdigest() == \
            "328a86eb69bc27b501a595dac6add3b7e8ef8b8eb2cdeb79614911285e73f98e"
    assert tf.io.decode_jpeg(data, channels=1).shape == (16, 24, 1)
