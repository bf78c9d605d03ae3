"""Fixtures for the dataset loader tests.

Every test runs with ``CHAINRULE_HOME`` and ``KERAS_HOME`` in fresh temporary folders and with Keras's download
origin pointed at a ``file://`` folder that does not exist, so no test can touch the network
or the user's real cache. Tests that need the real files use ``shared_data``: the folder named
by ``CHAINRULE_DATA`` or, failing that, the repository's sibling ``shared/datasets``.
"""
import os
import pathlib

import pytest

from chainrule.keras.datasets import _files


def _shared_root():
    env = os.environ.get("CHAINRULE_DATA")
    candidates = [pathlib.Path(env)] if env else []
    candidates.append(pathlib.Path(__file__).resolve().parents[4] / "shared" / "datasets")
    for c in candidates:
        if (c / "mnist").is_dir() and (c / "imdb").is_dir():
            return c
    return None


SHARED = _shared_root()


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """A private cache folder and an origin that holds nothing; returns the cache's datasets folder."""
    home = tmp_path / "chainrule_home"
    monkeypatch.setenv("CHAINRULE_HOME", str(home))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(_files, "KERAS_ORIGIN", (tmp_path / "no_origin").as_uri() + "/")
    monkeypatch.setattr(_files, "CIFAR_ORIGIN", (tmp_path / "no_origin").as_uri() + "/")
    if SHARED is not None:
        monkeypatch.setenv("CHAINRULE_DATA", str(SHARED))
    return home / "datasets"


@pytest.fixture
def shared_data():
    """The real datasets folder (CHAINRULE_DATA is set to it); skips when it is not available."""
    if SHARED is None:
        pytest.skip("the shared datasets folder is not available (set CHAINRULE_DATA)")
    return SHARED


@pytest.fixture
def no_data(monkeypatch):
    """No CHAINRULE_DATA at all."""
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)


@pytest.fixture
def origin(monkeypatch, tmp_path):
    """A folder served as Keras's download origin through a file:// URL."""
    folder = tmp_path / "origin"
    folder.mkdir()
    monkeypatch.setattr(_files, "KERAS_ORIGIN", folder.as_uri() + "/")
    return folder


@pytest.fixture
def cache_files(isolated):
    """A function listing every file under the private cache folder, as sorted relative paths."""
    def listing():
        if not isolated.exists():
            return []
        return sorted(str(p.relative_to(isolated)) for p in isolated.rglob("*") if p.is_file())
    return listing


@pytest.fixture(scope="module")
def module_env(tmp_path_factory):
    """For module-scoped loads: CHAINRULE_DATA on the shared folder and a private cache."""
    if SHARED is None:
        pytest.skip("the shared datasets folder is not available (set CHAINRULE_DATA)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHAINRULE_DATA", str(SHARED))
        mp.setenv("CHAINRULE_HOME", str(tmp_path_factory.mktemp("module_home")))
        mp.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("module_keras_home")))
        mp.setattr(_files, "KERAS_ORIGIN", (tmp_path_factory.mktemp("empty") / "none").as_uri() + "/")
        yield mp
