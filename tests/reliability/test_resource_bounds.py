"""Tiny crafted files cannot make a load allocate gigabytes: declared sizes are checked before anything is read.

Each file below is a few kilobytes or megabytes that *declares* far more (a zip member that
inflates 1000-fold, an HDF5 dataset whose shape is declared but whose data is absent, a config
asking for a huge layer). The load must fail with a ValueError naming the file and the entry,
and its peak memory (tracemalloc, which sees numpy's buffers) must stay small.
"""
import json
import tracemalloc
import zipfile

import h5py
import numpy as np
import pytest

from chainrule import keras
from chainrule.keras import layers


def _model(compile=True):  # noqa: A002 - mirrors Keras's argument name
    keras.backend.clear_session()  # layer names dense, dense_1 in every test
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Dense(6, activation="relu", input_shape=(4,)), layers.Dense(2)], name="small")
    if compile:
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.ones((8, 4), np.float32), np.ones((8, 2), np.float32), verbose=0)
    return model


def _peak_mb(fn):
    """``(exception, peak MiB)`` of ``fn()`` (which must raise)."""
    tracemalloc.start()
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - returned to the test
        caught = e
    else:
        caught = None
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    return caught, peak


def _rewrite_archive(src, dst, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(src) as zf:
        data = {name: zf.read(name) for name in zf.namelist()}
    data.update(members)
    with zipfile.ZipFile(dst, "w", compression=compression, compresslevel=9) as zf:
        for name, content in data.items():
            zf.writestr(name, content)


def test_a_keras_archive_whose_weights_inflate_a_thousandfold_is_refused_before_inflating(tmp_path):
    good = tmp_path / "good.keras"
    _model().save(str(good))
    with zipfile.ZipFile(good) as zf:
        weights = zf.read("model.weights.h5")
    bomb = tmp_path / "bomb.keras"
    padded = weights + bytes(48 * 2 ** 20)  # a valid HDF5 file followed by 48 MiB of zeros
    _rewrite_archive(good, bomb, {"model.weights.h5": padded}, zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 2 ** 20
    error, peak = _peak_mb(lambda: keras.models.load_model(str(bomb)))
    assert isinstance(error, ValueError), error
    text = str(error)
    assert "bomb.keras" in text and "'model.weights.h5'" in text and "decompression bomb" in text, text
    assert peak < 16, f"the load allocated {peak:.0f} MiB before refusing"
    # An ordinary compressed archive (as zip tools and other Keras writers make) still loads.
    deflated = tmp_path / "deflated.keras"
    _rewrite_archive(good, deflated, {}, zipfile.ZIP_DEFLATED)
    assert keras.models.load_model(str(deflated)).predict(np.ones((1, 4), np.float32), verbose=0).shape == (1, 2)


def test_an_optimizer_dataset_declaring_a_huge_shape_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "w.weights.h5"
    _model().save_weights(str(path))
    with h5py.File(path, "r+") as f:
        del f["optimizer/vars/2"]
        f.create_dataset("optimizer/vars/2", shape=(8192, 8192), dtype="f4")  # 256 MiB declared, nothing stored
    assert path.stat().st_size < 2 ** 20
    target = _model()
    error, peak = _peak_mb(lambda: target.load_weights(str(path)))
    assert isinstance(error, ValueError), error
    text = str(error)
    assert "w.weights.h5" in text and "optimizer/vars/2" in text and "(8192, 8192)" in text, text
    assert "stores only 0" in text, text
    assert peak < 32, f"the load allocated {peak:.0f} MiB before refusing"


def test_a_kernel_whose_data_is_not_in_the_file_is_refused_not_read_as_zeros(tmp_path):
    path = tmp_path / "w.h5"
    _model(compile=False).save_weights(str(path))
    with h5py.File(path, "r+") as f:
        del f["dense/dense/kernel:0"]
        f.create_dataset("dense/dense/kernel:0", shape=(4, 6), dtype="f4")  # declared, never written
    with pytest.raises(ValueError) as e:
        _model(compile=False).load_weights(str(path))
    assert "w.h5" in str(e.value) and "kernel:0" in str(e.value) and "not in the file" in str(e.value)


def _edit_keras_config(src, dst, edit):
    with zipfile.ZipFile(src) as zf:
        config = json.loads(zf.read("config.json"))
    edit(config)
    _rewrite_archive(src, dst, {"config.json": json.dumps(config)})


def test_a_keras_config_asking_for_a_huge_layer_is_refused_before_allocating(tmp_path):
    good = tmp_path / "good.keras"
    _model().save(str(good))
    huge = tmp_path / "huge.keras"
    _edit_keras_config(good, huge, lambda c: c["config"]["layers"][-1]["config"].update(units=600_000))
    error, peak = _peak_mb(lambda: keras.models.load_model(str(huge)))
    assert isinstance(error, ValueError), error
    text = str(error)
    assert "huge.keras" in text and "'dense_1'" in text and "(6, 600000)" in text and "stores only" in text, text
    assert peak < 8, f"the load allocated {peak:.0f} MiB before refusing"


def test_an_h5_model_config_asking_for_a_huge_layer_is_refused_before_allocating(tmp_path):
    path = tmp_path / "huge.h5"
    _model().save(str(path))
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"]["layers"][1]["config"]["units"] = 600_000
        f.attrs["model_config"] = json.dumps(config)
    error, peak = _peak_mb(lambda: keras.models.load_model(str(path)))
    assert isinstance(error, ValueError), error
    assert "huge.h5" in str(error) and "(4, 600000)" in str(error), error
    assert peak < 8, f"the load allocated {peak:.0f} MiB before refusing"


def test_load_weights_does_not_build_a_model_for_a_huge_input_shape_from_the_file(tmp_path):
    good = tmp_path / "good.keras"
    _model().save(str(good))
    huge = tmp_path / "wide.keras"
    _edit_keras_config(good, huge, lambda c: c["build_config"].update(input_shape=[None, 2_000_000]))
    unbuilt = keras.Sequential([layers.Dense(6, activation="relu"), layers.Dense(2)], name="unbuilt")
    error, peak = _peak_mb(lambda: unbuilt.load_weights(str(huge)))
    assert isinstance(error, ValueError), error
    assert "wide.keras" in str(error) and "(2000000, 6)" in str(error), error
    assert peak < 8, f"the load allocated {peak:.0f} MiB before refusing"


def test_the_limits_live_in_one_module_that_every_loader_reads(tmp_path, monkeypatch):
    from chainrule.keras import limits
    model = _model()
    deflated = tmp_path / "deflated.keras"
    model.save(str(tmp_path / "good.keras"))
    _rewrite_archive(tmp_path / "good.keras", deflated, {}, zipfile.ZIP_DEFLATED)
    monkeypatch.setattr(limits, "MAX_JSON_DEPTH", 3)
    with pytest.raises(ValueError, match=r"nested more than 3 levels"):
        keras.models.model_from_json(model.to_json())
    monkeypatch.setattr(limits, "COMPRESSION_CHECK_FLOOR", 0)
    monkeypatch.setattr(limits, "MAX_COMPRESSION_RATIO", 1)
    with pytest.raises(ValueError, match=r"deflated\.keras.*decompression bomb"):
        keras.models.load_model(str(deflated))
