"""A failed load changes nothing: every weight and optimizer slot is read and checked before the first is assigned.

Each test damages a part of a file that is read *late* (the last layer, an optimizer slot, the
backup's metadata), so a loader that assigned as it read would already have overwritten the
earlier weights when the error comes.
"""
import json

import h5py
import numpy as np
import pytest

from chainrule import keras
from chainrule.keras import layers


def _model(seed, name="net"):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([layers.Dense(6, activation="relu", input_shape=(4,)), layers.Dense(5, activation="relu"),
                              layers.Dense(2)], name=name)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def _trained(seed, name="net"):
    model = _model(seed, name)
    rng = np.random.default_rng(seed)
    model.fit(rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 2)).astype("float32"), epochs=2,
              batch_size=8, verbose=0)
    return model


def _state(model):
    """Copies of every model weight and optimizer variable, and the optimizer's variable count."""
    opt = model.optimizer
    return [w.copy() for w in model.get_weights()], [w.copy() for w in opt.get_weights()], opt.built


def _assert_unchanged(model, before):
    weights, opt_weights, built = before
    now_weights, now_opt, now_built = _state(model)
    assert now_built == built
    assert len(now_weights) == len(weights) and len(now_opt) == len(opt_weights)
    for a, b in zip(weights + opt_weights, now_weights + now_opt):
        np.testing.assert_array_equal(a, b)


def _damage_values(path, dataset):
    """Change one value of ``dataset`` in place, leaving its checksum attribute stale."""
    with h5py.File(path, "r+") as f:
        data = f[dataset][()]
        data.flat[0] += 1.0
        f[dataset][...] = data


def _replace(path, dataset, value):
    with h5py.File(path, "r+") as f:
        del f[dataset]
        f.create_dataset(dataset, data=value)


@pytest.mark.parametrize("suffix, last_kernel", [
    (".weights.h5", "layers/dense_2/vars/0"),
    (".h5", "dense_2/dense_2/kernel:0"),
], ids=["keras3_weights", "legacy_weights"])
def test_load_weights_whose_last_layer_is_damaged_changes_nothing(tmp_path, suffix, last_kernel):
    keras.backend.clear_session()
    source = _trained(0)
    path = tmp_path / f"w{suffix}"
    source.save_weights(str(path))
    _damage_values(path, last_kernel)
    target = _trained(1)
    before = _state(target)
    with pytest.raises(ValueError, match=r"w\.(weights\.)?h5.*corrupted"):
        target.load_weights(str(path))
    _assert_unchanged(target, before)


def test_load_weights_from_a_whole_h5_model_with_a_damaged_last_layer_changes_nothing(tmp_path):
    keras.backend.clear_session()
    source = _trained(0)
    path = tmp_path / "model.h5"
    source.save(str(path))
    _damage_values(path, "model_weights/dense_2/dense_2/bias:0")
    target = _trained(1)
    before = _state(target)
    with pytest.raises(ValueError, match=r"model\.h5.*corrupted"):
        target.load_weights(str(path))
    _assert_unchanged(target, before)


def test_a_damaged_optimizer_slot_leaves_the_weights_and_the_optimizer_as_they_were(tmp_path):
    source = _trained(0)
    path = tmp_path / "w.weights.h5"
    source.save_weights(str(path))
    _damage_values(path, "optimizer/vars/5")  # a slot: read after every layer weight
    target = _trained(1)
    before = _state(target)
    with pytest.raises(ValueError, match=r"w\.weights\.h5.*optimizer/vars/5.*corrupted"):
        target.load_weights(str(path))
    _assert_unchanged(target, before)


def test_an_optimizer_state_of_the_wrong_shape_leaves_an_unbuilt_optimizer_unbuilt(tmp_path):
    source = _trained(0)
    path = tmp_path / "w.weights.h5"
    source.save_weights(str(path))
    _replace(path, "optimizer/vars/2", np.zeros((4, 7), np.float32))  # the first slot: (4, 6) in the model
    target = _model(1)  # compiled, never trained: its optimizer has no slots yet
    before = _state(target)
    assert not before[2]
    with pytest.raises(ValueError, match=r"w\.weights\.h5.*optimizer state.*\(4, 7\)"):
        target.load_weights(str(path))
    _assert_unchanged(target, before)
    assert len(target.optimizer.variables) == 2  # iteration and learning rate only, as before the load
    good = tmp_path / "good.weights.h5"
    source.save_weights(str(good))
    target.load_weights(str(good))  # a good file then restores weights and optimizer exactly
    for a, b in zip(source.get_weights() + source.optimizer.get_weights(),
                    target.get_weights() + target.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)


def _backup(tmp_path, model):
    callback = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"), delete_checkpoint=False)
    rng = np.random.default_rng(3)
    model.fit(rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 2)).astype("float32"), epochs=1,
              verbose=0, callbacks=[callback])
    return tmp_path / "backup" / callback.FILENAME


def _fit_with_backup(tmp_path, model):
    callback = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"), delete_checkpoint=False)
    model.fit(np.ones((4, 4), np.float32), np.ones((4, 2), np.float32), epochs=3, verbose=0, callbacks=[callback])


@pytest.mark.parametrize("damage", ["metadata", "optimizer slot"])
def test_a_backup_that_fails_to_restore_changes_nothing(tmp_path, damage):
    path = _backup(tmp_path, _model(0))
    if damage == "metadata":
        with h5py.File(path, "r+") as f:
            metadata = json.loads(f.attrs["training_metadata"])
            metadata["numpy_state"] = ["MT19937", [1, 2, 3], 0, 0, 0.0]  # a key of the wrong length
            f.attrs["training_metadata"] = json.dumps(metadata)
    else:
        _damage_values(path, "optimizer/vars/7")
    target = _trained(1)
    before = _state(target)
    numpy_before = np.random.get_state()[1].copy()
    with pytest.raises(ValueError, match=r"latest\.weights\.h5"):
        _fit_with_backup(tmp_path, target)
    _assert_unchanged(target, before)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_before)
