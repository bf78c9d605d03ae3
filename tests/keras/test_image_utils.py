"""keras.utils.load_img / img_to_array / array_to_img / save_img and image_dataset_from_directory.

Image files are written here with Pillow (the ``images`` extra; the ``test`` extra installs it).
"""
import sys
import warnings

import numpy as np
import pytest

from chainrule import keras, ops
from chainrule.keras import layers, utils

PIL = pytest.importorskip("PIL.Image")


def _image(h, w, seed, channels=3):
    return np.random.default_rng(seed).integers(0, 256, (h, w, channels), dtype=np.uint8)


def test_png_round_trip_is_exact(tmp_path):
    x = _image(7, 5, 0).astype("float32")
    path = tmp_path / "a.png"
    utils.save_img(path, x, scale=False)
    img = utils.load_img(path)
    assert img.size == (5, 7) and img.mode == "RGB"
    arr = utils.img_to_array(img)
    assert arr.dtype == np.float32 and arr.shape == (7, 5, 3)
    np.testing.assert_array_equal(arr, x)
    np.testing.assert_array_equal(utils.img_to_array(img, data_format="channels_first"), x.transpose(2, 0, 1))
    np.testing.assert_array_equal(utils.img_to_array(utils.load_img(str(path)), dtype="uint8"), x.astype("uint8"))


def test_color_modes_and_target_size(tmp_path):
    path = tmp_path / "b.png"
    PIL.fromarray(_image(8, 6, 1)).save(path)
    gray = utils.load_img(path, color_mode="grayscale")
    assert gray.mode == "L" and utils.img_to_array(gray).shape == (8, 6, 1)
    assert utils.load_img(path, color_mode="rgba").mode == "RGBA"
    with pytest.warns(UserWarning, match="grayscale is deprecated"):
        assert utils.load_img(path, grayscale=True).mode == "L"
    small = utils.load_img(path, target_size=(4, 3))
    assert small.size == (3, 4)
    np.testing.assert_array_equal(np.asarray(small), np.asarray(PIL.open(path).resize((3, 4), PIL.NEAREST)))
    square = utils.load_img(path, target_size=(3, 3), interpolation="bilinear", keep_aspect_ratio=True)
    expected = PIL.open(path).resize((3, 3), PIL.BILINEAR, box=[0, 1, 6, 7])    # the centred 6x6 crop
    np.testing.assert_array_equal(np.asarray(square), np.asarray(expected))
    with pytest.raises(ValueError, match="Invalid interpolation"):
        utils.load_img(path, target_size=(2, 2), interpolation="cubic")
    with pytest.raises(ValueError, match="color_mode"):
        utils.load_img(path, color_mode="cmyk")
    with pytest.raises(TypeError, match="path-like"):
        utils.load_img(3)


def test_array_to_img_scales_and_picks_the_mode():
    x = np.linspace(-1, 1, 2 * 3 * 3).reshape(2, 3, 3)
    img = utils.array_to_img(x)
    arr = np.asarray(img)
    assert img.mode == "RGB" and arr.min() == 0 and arr.max() == 255
    assert utils.array_to_img(np.full((2, 2, 1), 7.0), scale=False).mode == "L"
    assert utils.array_to_img(np.full((2, 2, 1), 700.0), scale=False).mode == "I"
    assert utils.array_to_img(np.zeros((2, 2, 4))).mode == "RGBA"
    assert utils.array_to_img(np.zeros((3, 2, 5)), data_format="channels_first").size == (5, 2)
    with pytest.raises(ValueError, match="rank 3"):
        utils.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="channel number"):
        utils.array_to_img(np.zeros((2, 2, 2)))


def test_save_rgba_as_jpeg_warns_and_converts(tmp_path):
    with pytest.warns(UserWarning, match="RGBA"):
        utils.save_img(tmp_path / "c.jpg", np.zeros((4, 4, 4)), file_format="jpeg")
    assert PIL.open(tmp_path / "c.jpg").mode == "RGB"


def test_missing_pillow_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    for call in (lambda: utils.load_img("x.png"), lambda: utils.array_to_img(np.zeros((2, 2, 3))),
                 lambda: utils.image_dataset_from_directory("nowhere")):
        with pytest.raises(ImportError, match="pip install pillow"):
            call()


# ----------------------------------------------------------------------------- image_dataset_from_directory

def _make_tree(root, counts, sizes=((9, 7), (5, 6), (8, 8))):
    """Class folders whose images are filled with the class index (so labels can be checked from pixels)."""
    files = []
    for c, (name, n) in enumerate(counts.items()):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(n):
            h, w = sizes[i % len(sizes)]
            ext = ("png", "jpg", "bmp")[i % 3] if c else "png"
            path = folder / f"img_{i:02d}.{ext}"
            PIL.fromarray(np.full((h, w, 3), 40 * c + 20, np.uint8)).save(path)
            files.append(str(path))
    (root / "notes.txt").write_text("not an image")
    (root / list(counts)[0] / "readme.md").write_text("ignored")
    return files


def test_classes_labels_and_resizing(tmp_path):
    _make_tree(tmp_path, {"cats": 4, "dogs": 5})
    ds = utils.image_dataset_from_directory(tmp_path, image_size=(4, 3), batch_size=4, seed=1)
    assert ds.class_names == ["cats", "dogs"] and len(ds.file_paths) == 9
    images, labels = [], []
    for x, y in ds:
        assert x.dtype == np.float32 and x.shape[1:] == (4, 3, 3) and y.dtype == np.int32
        images.append(x.numpy())
        labels.append(y.numpy())
    images, labels = np.concatenate(images), np.concatenate(labels)
    assert sorted(labels.tolist()) == [0] * 4 + [1] * 5
    np.testing.assert_allclose(images[:, 0, 0, 0], 40 * labels + 20, atol=1)   # jpeg: near


def test_resize_is_tf_image_resize_of_the_decoded_file(tmp_path):
    folder = tmp_path / "only"
    folder.mkdir()
    pixels = _image(9, 7, 3)
    PIL.fromarray(pixels).save(folder / "a.png")
    (x,) = list(utils.image_dataset_from_directory(tmp_path, labels=None, image_size=(5, 4), batch_size=None,
                                                    shuffle=False))
    np.testing.assert_allclose(x.numpy(), ops.ResizeBilinear((5, 4)).forward(pixels[None].astype("float32"))[0],
                               rtol=1e-6)
    (n,) = list(utils.image_dataset_from_directory(tmp_path, labels=None, image_size=(5, 4), batch_size=None,
                                                    shuffle=False, interpolation="nearest"))
    assert n.dtype == np.uint8       # tf.image.resize keeps the dtype for 'nearest'
    np.testing.assert_array_equal(n.numpy(), ops.ResizeNearest((5, 4)).forward(pixels[None])[0])
    (c,) = list(utils.image_dataset_from_directory(tmp_path, labels=None, image_size=(3, 3), batch_size=None,
                                                    shuffle=False, crop_to_aspect_ratio=True))
    crop = pixels[1:8].astype("float32")                                          # centred 7x7
    np.testing.assert_allclose(c.numpy(), ops.ResizeBilinear((3, 3)).forward(crop[None])[0], rtol=1e-6)
    (g,) = list(utils.image_dataset_from_directory(tmp_path, labels=None, image_size=(9, 7), batch_size=None,
                                                    shuffle=False, color_mode="grayscale"))
    assert g.shape == (9, 7, 1)


def test_split_matches_tf_keras_file_order(tmp_path):
    files = _make_tree(tmp_path, {"a": 6, "b": 7, "c": 3})
    expected = sorted(files)
    order = list(expected)
    np.random.RandomState(123).shuffle(order)          # tf.keras: index sorted folders/files, then this shuffle
    train, val = utils.image_dataset_from_directory(tmp_path, validation_split=0.25, subset="both", seed=123,
                                                    image_size=(4, 4), batch_size=5, label_mode="categorical")
    assert train.file_paths == order[:-4] and val.file_paths == order[-4:]
    only_val = utils.image_dataset_from_directory(tmp_path, validation_split=0.25, subset="validation", seed=123,
                                                  image_size=(4, 4))
    assert only_val.file_paths == order[-4:]
    x, y = next(iter(val))
    assert y.shape == (4, 3) and y.dtype == np.float32 and np.all(y.numpy().sum(axis=1) == 1)
    assert [p for p in val.file_paths] == order[-4:]
    labels = np.argmax(np.concatenate([b[1].numpy() for b in val]), axis=1)
    assert labels.tolist() == ["abc".index(p.split("/")[-2]) for p in order[-4:]]   # validation is not reshuffled


def test_binary_labels_explicit_labels_and_errors(tmp_path):
    _make_tree(tmp_path, {"neg": 3, "pos": 3})
    ds = utils.image_dataset_from_directory(tmp_path, label_mode="binary", image_size=(2, 2), batch_size=6, seed=0)
    _, y = next(iter(ds))
    assert y.shape == (6, 1) and y.dtype == np.float32 and sorted(y.numpy().ravel()) == [0, 0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match="seed"):
        utils.image_dataset_from_directory(tmp_path, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="subset"):
        utils.image_dataset_from_directory(tmp_path, validation_split=0.2, seed=1)
    with pytest.raises(ValueError, match="class_names"):
        utils.image_dataset_from_directory(tmp_path, class_names=["neg", "other"])
    with pytest.raises(ValueError, match="label_mode"):
        utils.image_dataset_from_directory(tmp_path, label_mode="sparse")
    with pytest.raises(ValueError, match="lengths of `labels`"):
        utils.image_dataset_from_directory(tmp_path / "neg", labels=[0, 1])
    with pytest.raises(NotImplementedError, match="area"):
        utils.image_dataset_from_directory(tmp_path, interpolation="area")
    with pytest.raises(TypeError, match="Unknown keywords"):
        utils.image_dataset_from_directory(tmp_path, colour_mode="rgb")
    empty = tmp_path / "empty"
    (empty / "x").mkdir(parents=True)
    with pytest.raises(ValueError, match="No images found"):
        utils.image_dataset_from_directory(empty)


def test_fit_takes_the_dataset(tmp_path):
    _make_tree(tmp_path, {"dark": 4, "light": 4})
    ds = utils.image_dataset_from_directory(tmp_path, image_size=(6, 6), batch_size=4, seed=0)
    model = keras.Sequential([layers.Input(shape=(6, 6, 3)), layers.Rescaling(1 / 255),
                              layers.Conv2D(2, 3, activation="relu"), layers.GlobalAveragePooling2D(),
                              layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_preprocessing_image_is_tf_keras_2s_older_path(tmp_path):
    # "Writing a training loop from scratch" saves a generated digit with keras.preprocessing.image.array_to_img
    image = keras.preprocessing.image
    img = image.array_to_img(np.linspace(0, 1, 28 * 28).reshape(28, 28, 1) * 255.0)
    assert img.mode == "L" and img.size == (28, 28)
    img.save(tmp_path / "generated_img.png")
    arr = image.img_to_array(image.load_img(tmp_path / "generated_img.png", color_mode="grayscale"))
    assert arr.shape == (28, 28, 1) and arr.max() == 255 and arr.min() == 0
    assert image.save_img is utils.save_img
    assert keras.preprocessing.image_dataset_from_directory is utils.image_dataset_from_directory
