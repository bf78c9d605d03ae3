"""Property-based fuzzing of every loader: damaged files give a clear error or a valid load, never a crash."""
import io
import signal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule import keras
from chainrule.keras.datasets import _files

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# A damaged file may load (if the damage hit unused bytes) or fail; failing must be a clear, expected type.
CLEAR = (ValueError, OSError, KeyError, EOFError)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 3)), np.ones((8, 2)), verbose=0)
    paths = {}
    for ext in (".keras", ".h5"):
        paths[ext] = folder / f"model{ext}"
        model.save(str(paths[ext]))
    paths["weights"] = folder / "model.weights.h5"
    model.save_weights(str(paths["weights"]))
    return model, paths


class _Timeout(Exception):
    pass


def _with_alarm(fn, seconds=20):
    """Fail (not hang) if a loader takes too long on a damaged file."""
    def handler(signum, frame):
        raise _Timeout(f"loader hung for more than {seconds} s")
    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        return fn()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _damage(data: bytes, cut: float, flips: list) -> bytes:
    data = bytearray(data[: max(1, int(len(data) * cut))])
    for pos, value in flips:
        data[int(pos * (len(data) - 1))] = value
    return bytes(data)


damage = st.tuples(st.floats(0.05, 1.0), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=8))


@pytest.mark.parametrize("kind", [".keras", ".h5"])
@FUZZ
@given(damage=damage)
def test_load_model_on_damaged_files(saved, tmp_path, kind, damage):
    model, paths = saved
    path = tmp_path / f"damaged{kind}"
    path.write_bytes(_damage(paths[kind].read_bytes(), *damage))
    try:
        loaded = _with_alarm(lambda: keras.models.load_model(str(path)))
    except CLEAR as e:
        assert path.name in str(e), f"error does not name the file: {type(e).__name__}: {e}"
        return
    x = np.ones((2, 3), "float32")
    assert loaded.predict(x, verbose=0).shape == (2, 2)


@FUZZ
@given(damage=damage)
def test_load_weights_on_damaged_files(saved, tmp_path, damage):
    model, paths = saved
    path = tmp_path / "damaged.weights.h5"
    path.write_bytes(_damage(paths["weights"].read_bytes(), *damage))
    try:
        _with_alarm(lambda: model.load_weights(str(path)))
    except CLEAR:
        return


@FUZZ
@given(text=st.text(max_size=200), cut=st.floats(0.0, 1.0))
def test_model_from_json_on_damaged_or_random_text(saved, text, cut):
    model, _ = saved
    good = model.to_json()
    for candidate in (good[: int(len(good) * cut)], text, good.replace("Dense", text[:10] or "X")):
        try:
            keras.models.model_from_json(candidate)
        except (ValueError, TypeError, KeyError) as e:
            assert str(e)


def _idx_bytes(images: np.ndarray) -> bytes:
    header = np.array([2051, len(images), 28, 28], dtype=">i4").tobytes()
    return header + images.astype(np.uint8).tobytes()


@FUZZ
@given(damage=damage)
def test_idx_parser_on_damaged_content(damage):
    content = _idx_bytes(np.random.default_rng(0).integers(0, 256, (5, 28, 28)))
    broken = _damage(content, *damage)
    try:
        arr = _files.parse_idx(broken, "fuzz-images-idx3-ubyte", "images")
    except CLEAR:
        return
    assert arr.dtype == np.uint8 and arr.shape[1:] == (28, 28)


@FUZZ
@given(damage=damage)
def test_npz_reader_on_damaged_files(tmp_path, damage):
    buf = io.BytesIO()
    np.savez(buf, x_train=np.arange(50, dtype=np.uint8), y_train=np.arange(5))
    path = tmp_path / "fuzz.npz"
    path.write_bytes(_damage(buf.getvalue(), *damage))
    try:
        arrays = _with_alarm(lambda: _files.load_npz(str(path), ["x_train", "y_train"]))
    except CLEAR:
        return
    assert set(arrays) >= {"x_train", "y_train"} if isinstance(arrays, dict) else len(arrays) == 2
