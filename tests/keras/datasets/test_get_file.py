"""keras.utils.get_file: CHAINRULE_DATA lookup, cache, file:// downloads, hashes and safe extraction."""
import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from chainrule.keras.utils.data_utils import DownloadError, get_file, validate_file

AUTO_MPG_URL = "http://archive.ics.uci.edu/ml/machine-learning-databases/auto-mpg/auto-mpg.data"


@pytest.fixture
def server(tmp_path):
    """A folder standing in for a web server, reached through file:// URLs."""
    folder = tmp_path / "server"
    folder.mkdir()
    return folder


def test_auto_mpg_seed_call_works_offline_from_a_data_subfolder(shared_data, cache_files):
    path = get_file("auto-mpg.data", AUTO_MPG_URL)
    assert path == str(shared_data / "auto_mpg" / "auto-mpg.data")
    lines = open(path).read().splitlines()
    assert len(lines) == 398 and lines[0].startswith("18.0")
    assert get_file("auto-mpg.data", AUTO_MPG_URL, md5_hash="b858f4580d0066c48e260dd3b96f1ed8") == path
    assert get_file("auto-mpg.data", AUTO_MPG_URL,
                    file_hash="48b830e11feee5572525f8f1691ddb9d38d3d7b7063edcd8fca672c2a5e17d8d") == path
    assert cache_files() == []                              # the data folder is read in place


def test_data_folder_top_level_and_wrong_hash(tmp_path, monkeypatch, cache_files):
    data = tmp_path / "data"
    data.mkdir()
    (data / "notes.txt").write_text("hello")
    monkeypatch.setenv("CHAINRULE_DATA", str(data))
    assert get_file("notes.txt", "file:///nonexistent/notes.txt") == str(data / "notes.txt")
    with pytest.raises(ValueError, match="notes.txt \\(found through CHAINRULE_DATA\\) fails its checksum"):
        get_file("notes.txt", "file:///nonexistent/notes.txt", file_hash="0" * 64)
    assert cache_files() == []


def test_download_from_file_origin_is_cached_then_used_offline(no_data, server, isolated, cache_files, capsys):
    (server / "table.csv").write_text("a,b\n1,2\n")
    url = (server / "table.csv").as_uri()
    digest = hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    path = get_file("table.csv", url, file_hash=digest)
    assert path == str(isolated / "table.csv")
    assert open(path).read() == "a,b\n1,2\n"
    assert "Downloading data from " + url in capsys.readouterr().out
    (server / "table.csv").unlink()                          # offline from now on
    assert get_file("table.csv", url, file_hash=digest) == path
    assert "Downloading" not in capsys.readouterr().out
    assert cache_files() == ["table.csv"]


def test_fname_defaults_to_the_origin_basename_and_cache_options(no_data, server, tmp_path):
    (server / "data.bin").write_bytes(b"\x00\x01")
    path = get_file(origin=(server / "data.bin").as_uri(), cache_dir=str(tmp_path / "cache"), cache_subdir="sub")
    assert path == str(tmp_path / "cache" / "sub" / "data.bin")
    with pytest.raises(ValueError, match="Can't parse the file name"):
        get_file(origin="file:///")


def test_hash_mismatch_on_download_leaves_nothing(no_data, server, isolated, cache_files):
    (server / "x.txt").write_text("corrupted")
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected. The sha256 file hash") as e:
        get_file("x.txt", (server / "x.txt").as_uri(), file_hash="a" * 64)
    assert "does not match the provided value of " + "a" * 64 in str(e.value)
    assert cache_files() == []                               # neither x.txt nor a temporary file
    assert not isolated.exists()
    with pytest.raises(ValueError, match="The md5 file hash"):
        get_file("x.txt", (server / "x.txt").as_uri(), file_hash="b" * 32)
    assert cache_files() == []


def test_hash_algorithms(no_data, server, tmp_path):
    (server / "y.txt").write_text("payload")
    md5 = hashlib.md5(b"payload").hexdigest()
    sha = hashlib.sha256(b"payload").hexdigest()
    path = get_file("y.txt", (server / "y.txt").as_uri(), file_hash=md5)            # 'auto' by length: md5
    assert validate_file(path, md5) and validate_file(path, sha) and validate_file(path, sha, "sha256")
    assert not validate_file(path, md5, "sha256")
    assert get_file("y.txt", (server / "y.txt").as_uri(), file_hash=sha.upper(), hash_algorithm="sha256") == path
    with pytest.raises(ValueError, match="hash_algorithm"):
        get_file("y.txt", (server / "y.txt").as_uri(), file_hash=sha, hash_algorithm="sha1")


def test_outdated_cached_file_is_downloaded_again(no_data, server, isolated, capsys):
    isolated.mkdir(parents=True)
    (isolated / "z.txt").write_text("old")
    (server / "z.txt").write_text("new")
    path = get_file("z.txt", (server / "z.txt").as_uri(), file_hash=hashlib.sha256(b"new").hexdigest())
    assert open(path).read() == "new"
    assert "so we will re-download the data" in capsys.readouterr().out


def test_offline_without_the_file_says_where_to_put_it(no_data, server, isolated, cache_files):
    with pytest.raises(DownloadError) as e:
        get_file("auto-mpg.data", (server / "auto-mpg.data").as_uri())
    msg = str(e.value)
    assert msg.startswith("URL fetch failure on file://")
    assert "put 'auto-mpg.data' in $CHAINRULE_DATA (not set) or one of its immediate subfolders" in msg
    assert str(isolated) in msg
    assert isinstance(e.value, OSError)
    assert cache_files() == []
    with pytest.raises(ValueError, match='specify the "origin"'):
        get_file("auto-mpg.data")


def _tar_gz(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_extract_tar_gz_and_zip(no_data, server, isolated):
    _tar_gz(server / "pack.tar.gz", {"pack/a.txt": b"A", "pack/sub/b.txt": b"B"})
    path = get_file("pack.tar.gz", (server / "pack.tar.gz").as_uri(), extract=True)
    assert path == str(isolated / "pack.tar.gz")
    assert (isolated / "pack" / "sub" / "b.txt").read_bytes() == b"B"

    folder = get_file("pack", (server / "pack.tar.gz").as_uri(), untar=True, cache_subdir="untarred")
    assert folder == str(isolated.parent / "untarred" / "pack")
    assert os.path.isfile(os.path.join(folder, "a.txt"))

    with zipfile.ZipFile(server / "z.zip", "w") as zf:
        zf.writestr("zipped/c.txt", "C")
    get_file("z.zip", (server / "z.zip").as_uri(), extract=True)
    assert (isolated / "zipped" / "c.txt").read_text() == "C"


@pytest.mark.parametrize("name", ["../evil.txt", "/tmp/evil_abs.txt", "ok/../../evil.txt"])
def test_unsafe_archive_members_are_refused(no_data, server, isolated, name):
    _tar_gz(server / "bad.tar.gz", {"fine.txt": b"ok", name: b"evil"})
    with pytest.raises(ValueError, match="Refusing to extract .*bad.tar.gz: member .* is unsafe"):
        get_file("bad.tar.gz", (server / "bad.tar.gz").as_uri(), extract=True)
    assert not (isolated / "fine.txt").exists()                 # nothing was extracted
    assert not (isolated.parent / "evil.txt").exists()
    with zipfile.ZipFile(server / "bad.zip", "w") as zf:
        zf.writestr("fine.txt", "ok")
        zf.writestr(zipfile.ZipInfo(name), "evil")
    with pytest.raises(ValueError, match="Refusing to extract .*bad.zip"):
        get_file("bad.zip", (server / "bad.zip").as_uri(), extract=True)
    assert not (isolated / "fine.txt").exists()


def test_tar_links_leading_outside_are_refused(no_data, server, isolated):
    with tarfile.open(server / "link.tar.gz", "w:gz") as tar:
        info = tarfile.TarInfo("innocent")
        info.type = tarfile.SYMTYPE
        info.linkname = "../../etc/passwd"
        tar.addfile(info)
    with pytest.raises(ValueError, match="is a link to '../../etc/passwd'"):
        get_file("link.tar.gz", (server / "link.tar.gz").as_uri(), extract=True)


def test_extracting_an_archive_found_in_the_data_folder_writes_to_the_cache(tmp_path, monkeypatch, isolated):
    data = tmp_path / "data" / "bundle"
    data.mkdir(parents=True)
    _tar_gz(data / "bundle.tar.gz", {"inner/file.txt": b"x"})
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    path = get_file("bundle.tar.gz", "file:///nonexistent/bundle.tar.gz", extract=True)
    assert path == str(data / "bundle.tar.gz")
    assert (isolated / "inner" / "file.txt").read_bytes() == b"x"
    assert not (data / "inner").exists()
