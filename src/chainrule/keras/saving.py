"""Saving and loading models: ``.keras`` (Keras 3 zip), legacy ``.h5`` (tf.keras 2), JSON.

Formats (paths and keys exactly as Keras writes them, so files interchange):

* ``model.save("m.keras")``: an uncompressed zip of ``metadata.json``,
  ``config.json`` (``module, class_name, config, registered_name,
  build_config, compile_config``) and ``model.weights.h5``, whose tree is
  Keras 3's: ``layers/dense/vars/0``, ``layers/dense_1/vars/1`` (containers
  name their items by snake-case class name with ``_1, _2`` suffixes, each
  ``vars`` group has the attribute ``name=<layer.name>``), ``optimizer/vars/0``
  (iteration), ``1`` (learning rate), then the slots, and ``vars`` for the
  model's own variables.
* ``model.save("m.h5")``: tf.keras 2's HDF5 file: root attributes
  ``backend, keras_version, model_config, training_config`` (JSON),
  ``model_weights`` with the attribute ``layer_names`` and one group per layer
  with ``weight_names`` and datasets such as ``model_weights/dense/dense/kernel:0``,
  and ``optimizer_weights``.
* ``save_weights("w.weights.h5")`` writes the Keras 3 tree, ``save_weights("w.h5")``
  tf.keras 2's layer groups at the root.

Safety: loading never runs code from a file. There is no pickle and no
``eval``; the ``module`` in a config is never imported (a system module such
as ``builtins`` or ``os`` is refused), classes resolve only through the built-in layers, the
``register_keras_serializable`` registry and ``custom_objects``; weights are
read only from numeric, in-file HDF5 datasets. A damaged, truncated or
foreign file raises ``ValueError`` naming the file and the problem.

Atomicity: every write goes to a temporary file in the destination folder,
is flushed to disk (``fsync``), then renamed over the target with
``os.replace``; a crash or a failed write leaves the previous file intact.

Example::

    model.save("model.keras")
    restored = keras.models.load_model("model.keras")
    model.save_weights("model.weights.h5"); model.load_weights("model.weights.h5")
"""
from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import re
import secrets
import struct
import warnings
import zipfile
import zlib

import numpy as np

from .. import nest
from . import saving_config as _sc
from .utils.naming import to_snake_case
from .saving_registry import register_keras_serializable, registered_name, registered_objects  # noqa: F401

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "model_to_json", "model_from_json",
           "register_keras_serializable", "get_registered_name", "get_registered_object",
           "custom_object_scope", "CustomObjectScope"]

KERAS_VERSION = "2.11.0"       # the tf.keras API chainrule copies; written where Keras writes its version
BACKEND = "chainrule"
_TMP_SUFFIX = ".chainrule-tmp"
_CRC_ATTR = "chainrule_crc32"
_MAX_JSON_BYTES = 64 * 1024 * 1024
_HDF5_ATTR_LIMIT = 64512       # tf.keras splits list attributes larger than this into name0, name1, ...
_SAFE_H5_FILTERS = {1, 2, 3, 4, 5, 6, 32000}  # deflate, shuffle, fletcher32, szip, nbit, scaleoffset, lzf
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"\x93NUMPY", "a NumPy .npy file"), (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"), (b"\xfd7zXZ", "an xz archive"), (b"7z\xbc\xaf", "a 7-zip archive"),
    (b"\x7fELF", "an executable (ELF)"), (b"\x80", "a Python pickle (chainrule never loads pickles)"),
]


# ============================================================================ registry helpers

def get_registered_name(obj) -> str:
    """The name a class is saved under: ``"package>Name"`` when registered, else its class name."""
    return registered_name(obj if isinstance(obj, type) else type(obj))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The class or function registered (or given in ``custom_objects``) under ``name``; None if unknown."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    found = registered_objects().get(name)
    if found is None and module_objects:
        found = module_objects.get(name)
    return found


class CustomObjectScope:
    """``with custom_object_scope({"MyLayer": MyLayer}):`` makes the names loadable inside the block."""

    def __init__(self, *custom_objects):
        self.custom_objects = {}
        for objects in custom_objects:
            self.custom_objects.update(objects or {})
        self._saved = None

    def __enter__(self):
        from . import saving_registry
        missing = object()
        self._saved = {k: saving_registry._REGISTRY.get(k, missing) for k in self.custom_objects}
        self._missing = missing
        saving_registry._REGISTRY.update(self.custom_objects)
        return self

    def __exit__(self, *exc):
        from . import saving_registry
        for key, old in (self._saved or {}).items():
            if old is self._missing:
                saving_registry._REGISTRY.pop(key, None)
            else:
                saving_registry._REGISTRY[key] = old
        return False


custom_object_scope = CustomObjectScope


# ============================================================================ small helpers

def _h5py():
    try:
        import h5py
    except ImportError as e:  # pragma: no cover - h5py is a dependency
        raise ImportError("Saving and loading .keras/.h5 files needs h5py: `pip install h5py`.") from e
    return h5py


def _path(filepath) -> str:
    try:
        return os.fspath(filepath)
    except TypeError:
        raise TypeError(f"Expected a file path (str or os.PathLike), got {type(filepath).__name__}.") from None


def _json_default(obj):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if isinstance(obj, bytes):
        return obj.decode("utf-8")
    if isinstance(obj, np.dtype):
        return obj.name
    name = getattr(obj, "name", None)
    if type(obj).__name__ in ("DType", "TensorShape") and name is not None:
        return name if isinstance(name, str) else list(obj)
    if hasattr(obj, "get_config") and not isinstance(obj, type):
        return {"class_name": get_registered_name(obj), "config": obj.get_config()}
    if callable(obj) and getattr(obj, "__name__", None) and obj.__name__ != "<lambda>":
        return obj.__name__
    raise TypeError(f"Cannot write {obj!r} (type {type(obj).__name__}) to a JSON config. get_config() must "
                    "return JSON types (numbers, strings, lists, dicts) or objects with get_config().")


def _dumps(obj, **kwargs) -> str:
    return json.dumps(obj, default=_json_default, **kwargs)


def _loads(text, what):
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{what} is not valid JSON ({e}).") from e


def _describe_bytes(head: bytes) -> str:
    if not head:
        return "the file is empty"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"it looks like {what}"
    if head.lstrip()[:1] in (b"{", b"["):
        return "it looks like a JSON/text file (use keras.models.model_from_json for JSON architectures)"
    try:
        head.decode("utf-8")
        return "it looks like a text file"
    except UnicodeDecodeError:
        return f"its first bytes are {head[:8]!r}"


def _sniff(path: str) -> str:
    """'zip' (``.keras``) or 'hdf5'; ValueError for anything else. Missing file: FileNotFoundError."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file or directory found at {path!r}.")
    if os.path.isdir(path):
        raise ValueError(f"{path!r} is a directory. chainrule loads '.keras' and '.h5' files; TensorFlow "
                         "SavedModel directories are not supported.")
    with open(path, "rb") as f:
        head = f.read(8)
        if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            return "zip"
        for offset in (0, 512, 1024, 2048):
            f.seek(offset)
            if f.read(8) == b"\x89HDF\r\n\x1a\n":
                return "hdf5"
    raise ValueError(f"{path!r} is neither a '.keras' zip archive nor an HDF5 ('.h5') file: "
                     f"{_describe_bytes(head)}.")


@contextlib.contextmanager
def _load_errors(path: str, action: str):
    """Turn any failure while reading ``path`` into a ValueError that names the file."""
    try:
        yield
    except (ImportError, FileNotFoundError):
        raise
    except json.JSONDecodeError as e:
        raise ValueError(f"{action} {path!r}: a JSON part of the file is not valid ({e}); the file is "
                         "corrupted.") from e
    except ValueError as e:
        if path in str(e):
            raise
        raise ValueError(f"{action} {path!r}: {e}") from e
    except (OSError, KeyError, EOFError, RuntimeError, zipfile.BadZipFile, zlib.error, struct.error,
            UnicodeDecodeError, IndexError, NotImplementedError, OverflowError) as e:
        raise ValueError(f"{action} {path!r}: the file is corrupted or truncated "
                         f"({type(e).__name__}: {e}).") from e
    except TypeError as e:
        raise ValueError(f"{action} {path!r} failed: {e}") from e


# ============================================================================ atomic writes

def _fsync_path(path: str) -> None:
    flags = os.O_RDONLY if os.name != "nt" else os.O_RDWR
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: str) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _temp_name(folder: str, base: str) -> str:
    return os.path.join(folder, f".{base}.{os.getpid()}.{secrets.token_hex(4)}{_TMP_SUFFIX}")


def _cleanup_stale_temps(folder: str, base: str) -> None:
    """Remove temporary files that an earlier, interrupted save of ``base`` left behind."""
    pattern = re.compile(r"^\." + re.escape(base) + r"\.(\d+)\.[0-9a-f]+" + re.escape(_TMP_SUFFIX) + "$")
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        m = pattern.match(name)
        if not m:
            continue
        full = os.path.join(folder, name)
        if os.name == "nt":
            try:
                stale = (datetime.datetime.now().timestamp() - os.path.getmtime(full)) > 24 * 3600
            except OSError:
                continue
        else:
            stale = not _pid_alive(int(m.group(1)))
        if stale:
            _remove_quietly(full)


@contextlib.contextmanager
def _atomic_write(filepath, overwrite: bool, what: str):
    """Yield a temporary path next to ``filepath``; on success fsync it and ``os.replace`` it into place.

    On any failure the temporary file is removed and the existing file is left
    untouched; an OSError is re-raised with a message saying so.
    """
    path = os.path.abspath(_path(filepath))
    folder, base = os.path.split(path)
    if os.path.isdir(path):
        raise ValueError(f"Cannot save {what} to {path!r}: it is a directory. chainrule writes single files "
                         "('.keras' or '.h5'), not TensorFlow SavedModel directories.")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save {what} to {path!r}: the folder {folder!r} does not exist. "
                                "Create it first (os.makedirs).")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"Cannot save {what} to {path!r}: the file exists and overwrite=False. Pass "
                              "overwrite=True to replace it, or choose another name.")
    tmp = _temp_name(folder, base)
    try:
        yield tmp
        _fsync_path(tmp)
        if not overwrite and os.path.exists(path):
            raise FileExistsError(f"Cannot save {what} to {path!r}: the file appeared while saving and "
                                  "overwrite=False.")
        os.replace(tmp, path)
    except FileExistsError:
        _remove_quietly(tmp)
        raise
    except OSError as e:
        _remove_quietly(tmp)
        detail = e.strerror or str(e)
        msg = (f"Could not save {what} to {path!r}: {detail}. Nothing was replaced: the previous file (if any) "
               "is unchanged.")
        raise (OSError(e.errno, msg) if e.errno is not None else OSError(msg)) from e
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_dir(folder)
    _cleanup_stale_temps(folder, base)


# ============================================================================ HDF5 helpers

def _h5_open_write(path):
    h5py = _h5py()
    try:  # HDF5 1.8 object formats carry metadata checksums, so corruption is detected on read
        return h5py.File(path, "w", libver=("v108", "v108"))
    except (ValueError, TypeError):  # pragma: no cover - very old h5py
        return h5py.File(path, "w")


def _crc(arr: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(arr).tobytes()) & 0xFFFFFFFF


def _put(group, name: str, value) -> None:
    arr = np.asarray(value)
    ds = group.create_dataset(name, data=arr)
    # Keras readers ignore extra attributes; chainrule checks it so that flipped bits are caught.
    ds.attrs[_CRC_ATTR] = np.uint32(_crc(arr))


def _write_str_list(group, name: str, values) -> None:
    """tf.keras 2's ``save_attributes_to_hdf5_group``: a bytes array, split into ``name0, name1...`` if large."""
    data = [v.encode("utf-8") for v in values]
    if not data:
        group.attrs[name] = np.asarray([])
        return
    arr = np.asarray(data)
    chunks = 1
    parts = np.array_split(arr, chunks)
    while any(p.nbytes > _HDF5_ATTR_LIMIT for p in parts) and chunks < len(arr):
        chunks += 1
        parts = np.array_split(arr, chunks)
    if chunks > 1:
        for i, part in enumerate(parts):
            group.attrs[f"{name}{i}"] = part
    else:
        group.attrs[name] = arr


def _decode(value) -> str:
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8")
    if isinstance(value, (str, np.str_)):
        return str(value)
    raise ValueError(f"expected a string, found {type(value).__name__}")


def _read_attr_str(attrs, name):
    if name not in attrs:
        return None
    value = attrs[name]
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    return _decode(value)


def _read_str_list(group, name: str):
    """Read a list attribute written by :func:`_write_str_list` (or by tf.keras/Keras); None if absent."""
    attrs = group.attrs
    if name in attrs:
        values = [attrs[name]]
    elif f"{name}0" in attrs:
        values, i = [], 0
        while f"{name}{i}" in attrs:
            values.append(attrs[f"{name}{i}"])
            i += 1
    else:
        return None
    out = []
    for value in values:
        arr = np.asarray(value)
        if arr.size == 0:
            continue
        if arr.dtype.kind not in "SUO":
            raise ValueError(f"attribute {name!r} of {group.name!r} should hold strings, found dtype {arr.dtype}")
        out.extend(_decode(v) for v in arr.ravel())
    return out


def _safe_member(name: str, where: str) -> str:
    if not isinstance(name, str) or not name or name.startswith("/") or "\x00" in name or \
            any(part == ".." for part in name.split("/")):
        raise ValueError(f"{where} names the entry {name!r}, which is not a plain relative name inside its "
                         "group; refusing to follow it.")
    return name


def _check_dataset(ds, where: str) -> None:
    h5py = _h5py()
    if not isinstance(ds, h5py.Dataset):
        raise ValueError(f"{where} should be a dataset of numbers, found a group")
    if ds.dtype.kind not in "biuf":
        raise ValueError(f"{where} has dtype {ds.dtype}, not a numeric type; weights must be numbers "
                         "(string/object data is refused)")
    if getattr(ds, "is_virtual", False) or ds.external:
        raise ValueError(f"{where} reads its data from outside the file (external storage or a virtual "
                         "dataset); refusing it")
    plist = ds.id.get_create_plist()
    for i in range(plist.get_nfilters()):
        filter_id = plist.get_filter(i)[0]
        if filter_id not in _SAFE_H5_FILTERS:
            raise ValueError(f"{where} uses the HDF5 filter {filter_id}, which is not a standard one; refusing "
                             "to load a filter plugin")


def _get_hard(group, name: str, where: str):
    """``group[name]`` for a plain in-file link only (no soft/external links)."""
    h5py = _h5py()
    _safe_member(name, where)
    node = group
    for part in name.split("/"):
        link = node.get(part, getlink=True)
        if link is None:
            return None
        if not isinstance(link, h5py.HardLink):
            raise ValueError(f"{where}: {name!r} is a {type(link).__name__}; weights must be stored in the file "
                             "itself")
        node = node[part]
    return node


def _read_array(ds, where: str) -> np.ndarray:
    _check_dataset(ds, where)
    arr = np.asarray(ds[()])
    if _CRC_ATTR in ds.attrs and int(np.asarray(ds.attrs[_CRC_ATTR])) != _crc(arr):
        raise ValueError(f"{where} is corrupted: its data does not match the checksum written with it")
    return arr


# ============================================================================ the Keras 3 weights tree

_INTERNAL_ATTRS = {"_tracked_layers", "_seq_layers", "_graph_layers"}


def _is_layer(obj) -> bool:
    from .layers.base import Layer
    return isinstance(obj, Layer)


def _own_variables(layer) -> list:
    """A layer's own variables, trainable then non-trainable (Keras 3's ``save_own_variables`` order)."""
    return [info.var for info in layer._own_trainable] + [info.var for info in layer._own_non_trainable]


def _children(obj):
    """``(key, layer_or_list)`` pairs as Keras 3 walks them: ``layers`` first, then attributes by name."""
    from .models import Model, Sequential
    out = []
    if isinstance(obj, Sequential) or (isinstance(obj, Model) and obj._is_graph_network):
        out.append(("layers", list(obj.layers)))
    attrs = vars(obj)
    for key in sorted(attrs):
        if key.startswith("__") or key in _INTERNAL_ATTRS or key == "layers":
            continue
        value = attrs[key]
        if _is_layer(value) and value is not obj:
            out.append((key, value))
        elif isinstance(value, (list, tuple, dict)):
            items = [v for v in nest.flatten(value, sort_dicts=False) if _is_layer(v) and v is not obj]
            if items:
                out.append((key, items))
    return out


def _walk(obj, prefix, visited, out):
    """Every layer reachable from ``obj`` with its Keras 3 path, each once (first path wins)."""
    if id(obj) in visited:
        return
    visited.add(id(obj))
    out.append((prefix, obj))
    for key, value in _children(obj):
        path = f"{prefix}/{key}".lstrip("/")
        if isinstance(value, list):
            used = {}
            for item in value:
                name = to_snake_case(type(item).__name__)
                if name in used:
                    used[name] += 1
                    name = f"{name}_{used[name]}"
                else:
                    used[name] = 0
                _walk(item, f"{path}/{name}", visited, out)
        else:
            _walk(value, path, visited, out)
    leftovers = [s for s in obj._tracked_layers if id(s) not in visited]
    if leftovers:  # sub-layers held in places the attribute walk does not reach
        used = {}
        for item in leftovers:
            name = to_snake_case(type(item).__name__)
            used[name] = used.get(name, -1) + 1
            path = f"{prefix}/_tracked/{name}".lstrip("/") + (f"_{used[name]}" if used[name] else "")
            _walk(item, path, visited, out)


def _layer_paths(model) -> list:
    out = []
    _walk(model, "", set(), out)
    return out


def _vars_path(prefix: str) -> str:
    return f"{prefix}/vars" if prefix else "vars"


def _write_keras3_tree(f, model, include_optimizer=True) -> None:
    for prefix, layer in _layer_paths(model):
        group = f.require_group(_vars_path(prefix))
        group.attrs["name"] = layer.name
        for i, var in enumerate(_own_variables(layer)):
            _put(group, str(i), var.numpy())
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None:
        group = f.require_group("optimizer/vars")
        group.attrs["name"] = str(optimizer.name)
        for i, value in enumerate(optimizer.get_weights()):
            _put(group, str(i), value)


def _vars_datasets(group, where):
    """The datasets ``0, 1, ...`` of a ``vars`` group, in order."""
    keys = list(group.keys())
    if any(not k.isdigit() for k in keys):
        raise ValueError(f"{where} holds unexpected entries {sorted(keys)}; expected datasets named 0, 1, ...")
    ordered = sorted(keys, key=int)
    if ordered != [str(i) for i in range(len(ordered))]:
        raise ValueError(f"{where} holds datasets {ordered}; expected 0..{len(ordered) - 1} without gaps")
    datasets = []
    for key in ordered:
        ds = _get_hard(group, key, where)
        _check_dataset(ds, f"{where}/{key}")
        datasets.append(ds)
    return datasets


def _shapes(items) -> list:
    return [tuple(int(d) for d in x.shape) for x in items]


def _mismatch_line(layer, expected, got) -> str:
    return f"Layer {layer.name!r} expected weights of shapes {expected} but the file has {got}"


def _all_vars_groups(f):
    """Every ``.../vars`` group in a Keras 3 weights file: {path: group}."""
    h5py = _h5py()
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and name.split("/")[-1] == "vars":
            found[name[:-len("vars")].rstrip("/")] = obj
    f.visititems(visit)
    return found


def _unbuilt_error(model, path):
    return ValueError(
        f"Cannot load weights from {path!r} into model {model.name!r} ({type(model).__name__}): the model has not "
        "created its weights yet (it is not built). Call the model on a batch of data first, e.g. "
        "`model(x[:1])`, or `model.build(input_shape)`, then call load_weights.")


def _apply_plan(plan):
    for variables, datasets, where in plan:
        for var, ds in zip(variables, datasets):
            var.assign(_read_array(ds, where))


def _load_keras3_tree(f, model, path, by_name=False, skip_mismatch=False, load_optimizer=True):
    layers = _layer_paths(model)
    file_groups = _all_vars_groups(f)
    file_groups.pop("optimizer", None)
    model_vars = sum(len(_own_variables(layer)) for _, layer in layers)
    file_vars = sum(len(g.keys()) for g in file_groups.values())
    if model_vars == 0 and file_vars and not model.built:
        raise _unbuilt_error(model, path)

    problems, plan, used = [], [], set()
    if by_name:
        by_layer_name = {}
        for p, g in file_groups.items():
            name = _read_attr_str(g.attrs, "name")
            if name is not None:
                by_layer_name.setdefault(name, (p, g))
    for prefix, layer in layers:
        variables = _own_variables(layer)
        if by_name:
            p, group = by_layer_name.get(layer.name, (None, None))
            if group is None:
                continue
        else:
            p, group = prefix, file_groups.get(prefix)
        if group is None:
            if variables:
                problems.append(f"Layer {layer.name!r} ({type(layer).__name__}) has weights of shapes "
                                f"{_shapes(variables)} but the file has none for it (expected "
                                f"'{_vars_path(prefix)}')")
            continue
        used.add(p)
        where = f"'{_vars_path(p)}'"
        datasets = _vars_datasets(group, where)
        if _shapes(datasets) != _shapes(variables):
            problems.append(_mismatch_line(layer, _shapes(variables), _shapes(datasets)))
            continue
        plan.append((variables, datasets, where))
    if not by_name:
        for p, g in file_groups.items():
            if p not in used and len(g.keys()) and not p.split("/")[-1].startswith("seed_generator"):
                problems.append(f"The file has weights at '{_vars_path(p)}' (layer "
                                f"{_read_attr_str(g.attrs, 'name')!r}) that no layer of the model takes")
    _report_problems(problems, model, path, skip_mismatch)
    _apply_plan(plan)
    if load_optimizer and getattr(model, "optimizer", None) is not None and "optimizer" in f:
        group = _get_hard(f, "optimizer/vars", "'optimizer'")
        if group is not None:
            arrays = [_read_array(ds, f"'optimizer/vars/{i}'")
                      for i, ds in enumerate(_vars_datasets(group, "'optimizer/vars'"))]
            _restore_optimizer(model, arrays, path)


def _report_problems(problems, model, path, skip_mismatch):
    if not problems:
        return
    if skip_mismatch:
        for line in problems:
            warnings.warn(f"Skipping weights from {path!r}: {line}.", stacklevel=4)
        return
    body = "\n  ".join(problems)
    raise ValueError(f"Cannot load weights from {path!r} into model {model.name!r}:\n  {body}.\n"
                     "Build the same architecture as the saved model (or pass skip_mismatch=True to skip "
                     "these layers).")


# ============================================================================ tf.keras 2 HDF5 weights

def _legacy_weights(layer) -> list:
    """A layer's weights in tf.keras 2's order (trainable then non-trainable, sub-layers included)."""
    out, seen = [], set()
    for trainable in (True, False):
        for info in layer._weight_infos(trainable):
            if id(info.var) not in seen:
                seen.add(id(info.var))
                out.append(info.var)
    return out


def _unique_names(names) -> list:
    out, seen = [], set()
    for name in names:
        candidate, i = name, 1
        while candidate in seen:
            stem = name[:-2] if name.endswith(":0") else name
            candidate = f"{stem}_{i}:0"
            i += 1
        seen.add(candidate)
        out.append(candidate)
    return out


def _weight_name(var) -> str:
    name = str(var.name)
    return name if name.endswith(":0") else f"{name}:0"


def _write_legacy_weights(group, model) -> None:
    layers = list(model.layers)
    _write_str_list(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = BACKEND
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in layers:
        g = group.create_group(layer.name)
        weights = _legacy_weights(layer)
        names = _unique_names([_weight_name(w) for w in weights])
        _write_str_list(g, "weight_names", names)
        for name, var in zip(names, weights):
            _put(g, name, var.numpy())
    own = _own_variables(model)
    if own:
        g = group.create_group("top_level_model_weights")
        names = _unique_names([_weight_name(w) for w in own])
        _write_str_list(g, "weight_names", names)
        for name, var in zip(names, own):
            _put(g, name, var.numpy())


def _legacy_file_layers(group, where):
    names = _read_str_list(group, "layer_names")
    if names is None:
        raise ValueError(f"{where} has no 'layer_names' attribute: it is not a Keras weights file")
    out = []
    for name in names:
        g = _get_hard(group, name, where)
        if g is None:
            raise ValueError(f"{where} lists the layer {name!r} but has no group for it")
        weight_names = _read_str_list(g, "weight_names") or []
        if weight_names:
            datasets = []
            for wn in weight_names:
                ds = _get_hard(g, wn, f"layer {name!r}")
                if ds is None:
                    raise ValueError(f"layer {name!r} lists the weight {wn!r} but the file has no dataset for it")
                _check_dataset(ds, f"weight {wn!r} of layer {name!r}")
                datasets.append(ds)
            out.append((name, datasets))
    return out


def _load_legacy_weights(group, model, path, by_name=False, skip_mismatch=False):
    file_layers = _legacy_file_layers(group, "the file")
    model_layers = [layer for layer in model.layers if _legacy_weights(layer)]
    if not model_layers and file_layers and not model.built:
        raise _unbuilt_error(model, path)
    problems, plan = [], []

    def check(layer, datasets, fname):
        variables = _legacy_weights(layer)
        if len(datasets) != len(variables):
            problems.append(f"Layer {layer.name!r} expects {len(variables)} weight(s) of shapes {_shapes(variables)} "
                            f"but the file has {len(datasets)} for layer {fname!r}: {_shapes(datasets)}")
        elif _shapes(datasets) != _shapes(variables):
            problems.append(_mismatch_line(layer, _shapes(variables), _shapes(datasets)))
        else:
            plan.append((variables, datasets, f"layer {fname!r}"))

    if by_name:
        index = {name: datasets for name, datasets in file_layers}
        for layer in model_layers:
            if layer.name in index:
                check(layer, index[layer.name], layer.name)
    else:
        if len(file_layers) != len(model_layers):
            raise ValueError(
                f"Layer count mismatch when loading weights from {path!r}: the model {model.name!r} has "
                f"{len(model_layers)} layers with weights {[la.name for la in model_layers]}, but the file has "
                f"{len(file_layers)} {[name for name, _ in file_layers]}. Build the same architecture, or use "
                "by_name=True to match layers by name.")
        for layer, (fname, datasets) in zip(model_layers, file_layers):
            check(layer, datasets, fname)
    # Weights the model holds itself (add_weight on the model), as Keras 3 writes them.
    top = _get_hard(group, "top_level_model_weights", "the file") if "top_level_model_weights" in group else None
    names = (_read_str_list(top, "weight_names") or []) if top is not None else []
    own = _own_variables(model)
    if names or own:
        datasets = [_get_hard(top, n, "top_level_model_weights") for n in names]
        if any(d is None for d in datasets):
            raise ValueError("top_level_model_weights lists a weight the file does not hold")
        for d, n in zip(datasets, names):
            _check_dataset(d, f"weight {n!r}")
        if _shapes(datasets) != _shapes(own):
            problems.append(_mismatch_line(model, _shapes(own), _shapes(datasets)))
        else:
            plan.append((own, datasets, "top_level_model_weights"))
    _report_problems(problems, model, path, skip_mismatch)
    _apply_plan(plan)


def _write_legacy_optimizer(f, optimizer) -> None:
    group = f.create_group("optimizer_weights")
    names = _unique_names([f"{optimizer.name}/{_weight_name(v)}" for v in optimizer.variables])
    _write_str_list(group, "weight_names", names)
    for name, value in zip(names, optimizer.get_weights()):
        _put(group, name, value)


def _read_legacy_optimizer(f):
    group = _get_hard(f, "optimizer_weights", "the file")
    if group is None:
        return None
    names = _read_str_list(group, "weight_names") or []
    arrays = []
    for name in names:
        ds = _get_hard(group, name, "optimizer_weights")
        if ds is None:
            raise ValueError(f"optimizer_weights lists {name!r} but the file has no dataset for it")
        arrays.append(_read_array(ds, f"optimizer weight {name!r}"))
    return arrays


def _restore_optimizer(model, arrays, path) -> None:
    optimizer = model.optimizer
    if arrays is None or optimizer is None:
        return
    if len(arrays) != len(optimizer.variables) and not optimizer.built and model.trainable_weights:
        optimizer.build(model.trainable_weights)
    if len(arrays) != len(optimizer.variables):
        warnings.warn(f"Skipping the optimizer state in {path!r}: optimizer {optimizer.name!r} has "
                      f"{len(optimizer.variables)} variables but the file has {len(arrays)}. Training goes on "
                      "with a fresh optimizer state.", stacklevel=3)
        return
    variables = optimizer.variables
    if _shapes(arrays) != _shapes(variables):
        raise ValueError(f"the optimizer state in the file has shapes {_shapes(arrays)} but optimizer "
                         f"{optimizer.name!r} built on this model has {_shapes(variables)}")
    for variable, value in zip(variables, arrays):
        np.copyto(variable._value, value, casting="unsafe")


# ============================================================================ configs

def _class_table(model) -> dict:
    """Saved class name -> class, for every layer class in ``model`` (to describe entries Keras 3's way)."""
    table = {}
    for layer in [model] + model._all_layers():
        table[registered_name(type(layer))] = type(layer)
    return table


def _keras3_entry_fields(class_name, table):
    from .models import Model, Sequential
    cls = table.get(class_name) or _sc._builtin_layers().get(class_name) or registered_objects().get(class_name)
    if cls is Sequential:
        return "keras", "Sequential", None
    if cls is Model or class_name in ("Functional", "Model"):
        return "keras.src.models.functional", "Functional", "Functional"
    if cls is not None and cls.__module__.startswith("chainrule.keras.layers"):
        return "keras.layers", cls.__name__, None
    if cls is not None:
        return cls.__module__, cls.__name__, registered_name(cls)
    return None, class_name, class_name


def _to_keras3_config(config, table):
    """Describe every nested layer entry as Keras 3 does: ``module, class_name, config, registered_name``."""
    if isinstance(config, dict):
        out = {}
        for key, value in config.items():
            if key == "layers" and isinstance(value, list):
                has_input = any(isinstance(v, dict) and v.get("class_name") == "InputLayer" for v in value)
                out[key] = [_to_keras3_layer_entry(v, table, has_input) if isinstance(v, dict) and "class_name"
                            in v and isinstance(v.get("config"), dict) else _to_keras3_config(v, table)
                            for v in value]
            else:
                out[key] = _to_keras3_config(value, table)
        return out
    if isinstance(config, list):
        return [_to_keras3_config(v, table) for v in config]
    return config


def _to_keras3_layer_entry(entry, table, has_input_layer):
    module, class_name, registered = _keras3_entry_fields(entry["class_name"], table)
    config = _to_keras3_config(entry["config"], table)
    if class_name == "InputLayer" and "batch_input_shape" in config:  # Keras 3 spells it batch_shape
        config = {("batch_shape" if k == "batch_input_shape" else k): v for k, v in config.items()}
    elif has_input_layer and module == "keras.layers":  # the InputLayer carries the shape; Keras 3 refuses it here
        config.pop("batch_input_shape", None)
    out = {"module": module, "class_name": class_name, "config": config, "registered_name": registered}
    for key, value in entry.items():
        if key not in out and key not in ("class_name", "config"):
            out[key] = value
    return out


def _model_config_or_raise(model, path):
    try:
        return model.get_config()
    except NotImplementedError as e:
        text = str(e)
        if "save_weights" in text:  # the reason already offers the weights-only way out
            text = text.replace("`save_weights(...)`", f"`model.save_weights({_weights_name(path)!r})`")
            hint = ""
        else:
            hint = f" Saving only the weights works without it: model.save_weights({_weights_name(path)!r})."
        raise NotImplementedError(
            f"Cannot save model {model.name!r} of class {type(model).__name__} to {path!r}: {text}{hint}") from e


def _weights_name(path) -> str:
    """``'models/custom.keras'`` -> ``'custom.weights.h5'``: a file name that ``save_weights`` accepts."""
    base = os.path.basename(str(path)) or "model"
    for suffix in (".keras", ".h5", ".hdf5"):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
            break
    return f"{base or 'model'}.weights.h5"


def _build_config(model):
    from .models import Sequential
    if not model.built:
        return None
    if isinstance(model, Sequential):
        return {"input_shape": list(model.input_shape) if model._input_tensor is not None else None}
    if model._is_graph_network:
        return {"input_shape": None}
    shape = model._build_input_shape
    if shape is None:
        return None
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        return {"input_shape": [list(s) for s in shape]}
    return {"input_shape": list(shape)}


def _keras3_model_config(model, path) -> dict:
    from .models import Model, Sequential
    config = _model_config_or_raise(model, path)
    cls = type(model)
    if cls is Sequential:
        module, class_name, registered = "keras", "Sequential", None
    elif cls is Model and model._is_graph_network:
        module, class_name, registered = "keras.src.models.functional", "Functional", "Functional"
    else:
        module, class_name, registered = cls.__module__, cls.__name__, registered_name(cls)
    entry = {"module": module, "class_name": class_name, "config": _to_keras3_config(config, _class_table(model)),
             "registered_name": registered}
    build = _build_config(model)
    if build is not None:
        entry["build_config"] = build
    compile_config = _compile_config(model, keras3=True)
    if compile_config is not None:
        entry["compile_config"] = compile_config
    return entry


def _legacy_model_config(model, path) -> dict:
    from .models import Model
    config = _model_config_or_raise(model, path)
    if type(model) is Model and model._is_graph_network:
        class_name = "Functional"
    else:
        class_name = registered_name(type(model))
    entry = {"class_name": class_name, "config": config}
    if not model._is_graph_network and type(model).__name__ != "Sequential":
        build = _build_config(model)
        if build is not None:
            entry["build_config"] = build
    return entry


def _serialize_compile_item(value, kind, keras3):
    from . import losses, metrics
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_serialize_compile_item(v, kind, keras3) for v in value]
    if isinstance(value, dict):
        return {str(k): _serialize_compile_item(v, kind, keras3) for k, v in value.items()}
    if isinstance(value, type):
        return registered_name(value)
    if isinstance(value, (losses.Loss, metrics.Metric)):
        config = json.loads(_dumps(value.get_config()))
        out = {"class_name": registered_name(type(value)), "config": config}
        if keras3:
            cls = type(value)
            builtin = cls.__module__.startswith("chainrule.")
            out = {"module": f"keras.{kind}" if builtin else cls.__module__, "class_name": cls.__name__,
                   "config": config, "registered_name": None if builtin else registered_name(cls)}
        return out
    name = getattr(value, "__name__", None)
    if name is None or name == "<lambda>":
        raise ValueError(f"Cannot save the compile {kind} {value!r}: use a named function, a registered class "
                         "or a string.")
    return name


def _compile_config(model, keras3):
    optimizer = getattr(model, "optimizer", None)
    cc = getattr(model, "_compile_config", None)
    if optimizer is None or not getattr(model, "_is_compiled", False) or cc is None:
        return None
    opt_config = json.loads(_dumps(optimizer.get_config()))
    loss = _serialize_compile_item(cc.get("loss"), "losses", keras3)
    metrics = _serialize_compile_item(cc.get("metrics"), "metrics", keras3)
    loss_weights = _serialize_compile_item(cc.get("loss_weights"), "loss_weights", keras3)
    cls = type(optimizer)
    if keras3:
        builtin = cls.__module__.startswith("chainrule.")
        return {"optimizer": {"module": "keras.optimizers" if builtin else cls.__module__,
                              "class_name": cls.__name__, "config": opt_config,
                              "registered_name": None if builtin else registered_name(cls)},
                "loss": loss, "loss_weights": loss_weights, "metrics": metrics, "weighted_metrics": None,
                "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}
    return {"loss": loss, "metrics": metrics, "weighted_metrics": None, "loss_weights": loss_weights,
            "optimizer_config": {"class_name": registered_name(cls), "config": opt_config}}


def _model_from_entry(entry, custom_objects):
    """A model from a top-level ``{"class_name", "config", ...}`` entry (no weights, not compiled)."""
    from .models import Model
    _sc.check_untrusted_config(entry, "model")
    registry = _sc._layer_registry(custom_objects)
    cls = _sc.resolve_class(entry, custom_objects, base=Model, what="model", registry=registry)
    config = entry.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"the model config of {entry.get('class_name')!r} should be a dict, got "
                         f"{type(config).__name__}")
    config = _sc._unwrap_keras3_values(config)
    if _sc._takes_custom(cls):
        model = cls.from_config(config, custom_objects=custom_objects)
    else:
        model = cls.from_config(config)
    if not isinstance(model, Model):
        raise ValueError(f"{cls.__name__}.from_config returned {type(model).__name__}, not a Model")
    build = entry.get("build_config")
    shape = build.get("input_shape") if isinstance(build, dict) else None
    if not model.built and shape is not None:
        if isinstance(shape, list) and shape and isinstance(shape[0], list):
            shape = [tuple(s) for s in shape]
        else:
            shape = tuple(shape)
        try:
            model.build(shape)
        except Exception as e:  # noqa: BLE001 - user code: report it with the file
            raise ValueError(f"could not build model {model.name!r} ({type(model).__name__}) for input shape "
                             f"{shape} from its build_config: {e}") from e
    return model


def _check_name(value, kind, custom_objects):
    from . import losses, metrics
    if custom_objects and value in custom_objects:
        return
    try:
        if kind == "losses":
            losses.get(value)
        elif value.lower() not in ("accuracy", "acc", "crossentropy", "ce"):
            metrics.get(value)
    except ValueError as e:
        raise ValueError(f"cannot restore the compile state: {e} Pass it in custom_objects, or load with "
                         "compile=False and compile the model yourself.") from e


def _deserialize_compile_item(value, kind, custom_objects):
    from . import losses, metrics
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        _check_name(value, kind, custom_objects)
        return custom_objects[value] if custom_objects and value in custom_objects else value
    if isinstance(value, list):
        return [_deserialize_compile_item(v, kind, custom_objects) for v in value]
    if isinstance(value, dict):
        if "class_name" in value:
            _sc.check_module_name(value.get("module"), f"compile {kind}")
            registered = value.get("registered_name")
            name = registered if isinstance(registered, str) and registered else value["class_name"]
            if custom_objects and value["class_name"] in custom_objects:
                name = value["class_name"]
            plain = {"class_name": name, "config": value.get("config")}
            module = losses if kind == "losses" else metrics
            return module.deserialize(plain, custom_objects)
        return {k: _deserialize_compile_item(v, kind, custom_objects) for k, v in value.items()}
    raise ValueError(f"cannot restore the compile {kind}: unexpected value {value!r}")


def _compile_from_config(model, cc, custom_objects):
    from . import optimizers
    if not isinstance(cc, dict):
        raise ValueError(f"the compile config should be a dict, got {type(cc).__name__}")
    opt = cc.get("optimizer", cc.get("optimizer_config"))
    if isinstance(opt, dict):
        _sc.check_module_name(opt.get("module"), "optimizer")
        registered = opt.get("registered_name")
        name = registered if isinstance(registered, str) and registered else opt.get("class_name")
        if custom_objects and opt.get("class_name") in custom_objects:
            name = opt.get("class_name")
        optimizer = optimizers.deserialize({"class_name": name, "config": opt.get("config") or {}}, custom_objects)
    elif isinstance(opt, str):
        optimizer = optimizers.get(opt)
    else:
        raise ValueError(f"the compile config has no usable optimizer (found {opt!r})")
    if not isinstance(optimizer, optimizers.Optimizer):
        raise ValueError(f"the optimizer config resolves to {type(optimizer).__name__}, not an Optimizer")
    metrics = _deserialize_compile_item(cc.get("metrics"), "metrics", custom_objects)
    single_output = len(getattr(model, "output_names", None) or [None]) == 1
    if single_output and isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
        metrics = metrics[0]  # tf.keras 2.x writes one list per output: [[metric, ...]]
    model.compile(optimizer=optimizer,
                  loss=_deserialize_compile_item(cc.get("loss"), "losses", custom_objects),
                  metrics=metrics,
                  loss_weights=_deserialize_compile_item(cc.get("loss_weights"), "loss_weights", custom_objects))


# ============================================================================ save

def _format_for(path: str, save_format, action="save"):
    lower = path.lower()
    if save_format is not None:
        fmt = str(save_format).lower()
        if fmt in ("h5", "hdf5"):
            return "h5"
        if fmt == "keras":
            return "keras"
        if fmt in ("tf", "savedmodel"):
            raise ValueError("save_format='tf' (a TensorFlow SavedModel directory) is not supported by chainrule. "
                             "Use a '.keras' file (recommended) or a '.h5' file.")
        raise ValueError(f"Unknown save_format {save_format!r}: use 'keras' or 'h5'.")
    if lower.endswith(".weights.h5"):
        raise ValueError(f"Cannot {action} a whole model to {path!r}: '.weights.h5' files hold weights only. Use "
                         "model.save_weights(...) for them, or a '.keras'/'.h5' name for the whole model.")
    if lower.endswith(".keras"):
        return "keras"
    if lower.endswith((".h5", ".hdf5")):
        return "h5"
    raise ValueError(f"Invalid filepath extension for saving: {path!r}. Use '.keras' (the Keras 3 zip, "
                     "recommended) or '.h5' (the tf.keras 2 HDF5 file). tf.keras 2 would write a TensorFlow "
                     "SavedModel directory for other names; chainrule does not support SavedModel.")


def save_model(model, filepath, overwrite=True, save_format=None, include_optimizer=True, **kwargs):
    """Save architecture, weights and compile state to ``filepath`` (``.keras`` zip or ``.h5``).

    ``include_optimizer=False`` leaves out the optimizer's state (slots,
    iteration count); the compile arguments are still saved. The file is
    written atomically: an existing file is replaced only once the new one
    is complete, and ``overwrite=False`` raises ``FileExistsError`` instead.
    """
    path = _path(filepath)
    fmt = _format_for(path, save_format)
    if fmt == "keras":
        config_text = _dumps(_keras3_model_config(model, path), indent=None)
        meta = {"keras_version": KERAS_VERSION, "chainrule_version": _chainrule_version(),
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
        with _atomic_write(path, overwrite, "the model") as tmp:
            weights = io.BytesIO()
            with _h5_open_write(weights) as f:
                _write_keras3_tree(f, model, include_optimizer=include_optimizer)
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
                for name, data in (("metadata.json", _dumps(meta)), ("config.json", config_text),
                                   ("model.weights.h5", weights.getvalue())):
                    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_STORED
                    zf.writestr(info, data)
        return
    model_config = _dumps(_legacy_model_config(model, path))
    training = _compile_config(model, keras3=False)
    training_text = _dumps(training) if training is not None else None
    with _atomic_write(path, overwrite, "the model") as tmp:
        with _h5_open_write(tmp) as f:
            f.attrs["backend"] = BACKEND
            f.attrs["keras_version"] = KERAS_VERSION
            f.attrs["chainrule_version"] = _chainrule_version()
            f.attrs["model_config"] = model_config
            if training_text is not None:
                f.attrs["training_config"] = training_text
            _write_legacy_weights(f.create_group("model_weights"), model)
            if include_optimizer and training is not None:
                _write_legacy_optimizer(f, model.optimizer)


def _chainrule_version() -> str:
    from .. import __version__
    return __version__


def save_weights(model, filepath, overwrite=True, **kwargs):
    """Save the weights: ``.weights.h5`` in Keras 3's tree (with the optimizer state), ``.h5`` as tf.keras 2."""
    path = _path(filepath)
    lower = path.lower()
    if lower.endswith(".weights.h5"):
        with _atomic_write(path, overwrite, "the weights") as tmp:
            with _h5_open_write(tmp) as f:
                _write_keras3_tree(f, model)
        return
    if lower.endswith((".h5", ".hdf5")):
        with _atomic_write(path, overwrite, "the weights") as tmp:
            with _h5_open_write(tmp) as f:
                _write_legacy_weights(f, model)
        return
    raise ValueError(f"Invalid filepath extension for save_weights: {path!r}. Use '.weights.h5' (Keras 3 "
                     "layout) or '.h5' (tf.keras 2 layout); TensorFlow checkpoint files are not supported.")


# ============================================================================ load

def _open_keras_zip(path):
    """``(config, metadata, weights_bytes)`` from a ``.keras`` archive, after checking every member name."""
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        for name in names:
            if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\x00" in name or \
                    any(part == ".." for part in re.split(r"[\\/]", name)):
                raise ValueError(f"the archive member {name!r} has an absolute path or escapes the archive "
                                 "('..'); refusing to load this file")
        if len(set(names)) != len(names):
            raise ValueError("the archive lists the same member twice; refusing an ambiguous file")
        for required in ("config.json", "model.weights.h5"):
            if required not in names:
                raise ValueError(f"the archive has no {required!r}: it is not a Keras '.keras' file "
                                 f"(members: {names[:10]})")
        for name in ("config.json", "metadata.json"):
            if name in names and zf.getinfo(name).file_size > _MAX_JSON_BYTES:
                raise ValueError(f"{name} is {zf.getinfo(name).file_size} bytes; refusing such a large config")
        config = _loads(zf.read("config.json"), "config.json")
        metadata = _loads(zf.read("metadata.json"), "metadata.json") if "metadata.json" in names else {}
        weights = zf.read("model.weights.h5")
    if not isinstance(config, dict):
        raise ValueError(f"config.json should hold a JSON object, found {type(config).__name__}")
    if not isinstance(metadata, dict):
        raise ValueError(f"metadata.json should hold a JSON object, found {type(metadata).__name__}")
    if weights[:8] != b"\x89HDF\r\n\x1a\n":
        raise ValueError("model.weights.h5 inside the archive is not an HDF5 file")
    return config, metadata, weights


def _weights_file_kind(f) -> str:
    if "layer_names" in f.attrs:
        return "legacy"
    if "model_weights" in f:
        return "legacy_model"
    return "keras3"


def load_model(filepath, custom_objects=None, compile=True, **kwargs):  # noqa: A002
    """Load a model saved by ``model.save`` (``.keras`` or ``.h5``, by content), never running code from it.

    Restores the architecture, the weights and (with ``compile=True``) the
    compile state, including the optimizer's slots and iteration count, so
    that training continues exactly where it stopped. Custom classes and
    functions come from ``custom_objects`` or ``register_keras_serializable``.
    """
    path = _path(filepath)
    kind = _sniff(path)
    with CustomObjectScope(custom_objects), _load_errors(path, "Cannot load the model from"):
        h5py = _h5py()
        if kind == "zip":
            config, _metadata, weights = _open_keras_zip(path)
            model = _model_from_entry(config, custom_objects)
            if compile and config.get("compile_config") is not None:
                _compile_from_config(model, config["compile_config"], custom_objects)
            with h5py.File(io.BytesIO(weights), "r") as f:
                _load_keras3_tree(f, model, path, load_optimizer=bool(compile))
            return model
        with h5py.File(path, "r") as f:
            text = _read_attr_str(f.attrs, "model_config")
            if text is None:
                if _weights_file_kind(f) == "legacy" or "vars" in f:
                    raise ValueError("it holds only weights (written by save_weights). Build the model in code and "
                                     "call model.load_weights(path) instead")
                raise ValueError("it has no 'model_config' attribute: it is not a Keras model file")
            entry = _loads(text, "model_config")
            if not isinstance(entry, dict):
                raise ValueError("model_config should be a JSON object")
            model = _model_from_entry(entry, custom_objects)
            training = _read_attr_str(f.attrs, "training_config")
            if compile and training is not None:
                _compile_from_config(model, _loads(training, "training_config"), custom_objects)
            group = _get_hard(f, "model_weights", "the file")
            if group is None:
                raise ValueError("it has no 'model_weights' group")
            _load_legacy_weights(group, model, path)
            if compile and model.optimizer is not None and training is not None:
                _restore_optimizer(model, _read_legacy_optimizer(f), path)
            return model


def load_weights(model, filepath, by_name=False, skip_mismatch=False, **kwargs):
    """Load weights written by ``save_weights`` (either layout) or taken from a ``.keras``/``.h5`` model file.

    Layers are matched by position (``by_name=True``: by layer name). A layer
    whose weights do not fit raises ``ValueError`` naming it and both shapes
    (``skip_mismatch=True`` skips it with a warning). Nothing is changed
    unless every matched layer fits.
    """
    path = _path(filepath)
    kind = _sniff(path)
    with _load_errors(path, "Cannot load weights from"):
        h5py = _h5py()
        if kind == "zip":
            config, _metadata, weights = _open_keras_zip(path)
            build = config.get("build_config")
            shape = build.get("input_shape") if isinstance(build, dict) else None
            if not model.built and not model.weights and shape is not None:
                model.build(tuple(shape) if not (shape and isinstance(shape[0], list))
                            else [tuple(s) for s in shape])
            with h5py.File(io.BytesIO(weights), "r") as f:
                _load_keras3_tree(f, model, path, by_name=by_name, skip_mismatch=skip_mismatch)
            return None
        with h5py.File(path, "r") as f:
            layout = _weights_file_kind(f)
            if layout == "legacy":
                _load_legacy_weights(f, model, path, by_name=by_name, skip_mismatch=skip_mismatch)
            elif layout == "legacy_model":
                group = _get_hard(f, "model_weights", "the file")
                _load_legacy_weights(group, model, path, by_name=by_name, skip_mismatch=skip_mismatch)
            else:
                _load_keras3_tree(f, model, path, by_name=by_name, skip_mismatch=skip_mismatch)
    return None


# ============================================================================ JSON

def model_to_json(model, **kwargs) -> str:
    """The architecture as tf.keras 2's JSON: ``{"class_name", "config", "keras_version", "backend"}``."""
    entry = _legacy_model_config(model, "JSON")
    entry.update(keras_version=KERAS_VERSION, backend=BACKEND)
    return _dumps(entry, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A new (uncompiled, freshly initialized) model from :func:`model_to_json`'s output."""
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"model_from_json expects a JSON string, got {type(json_string).__name__}.")
    entry = _loads(json_string, "The model JSON")
    if not isinstance(entry, dict) or "class_name" not in entry:
        raise ValueError("The model JSON should be an object with 'class_name' and 'config' (from model.to_json()).")
    with CustomObjectScope(custom_objects):
        return _model_from_entry(entry, custom_objects)


# ============================================================================ BackupAndRestore's files

def write_training_backup(model, filepath, metadata: dict) -> None:
    """Atomically write the weights, the optimizer state and ``metadata`` (JSON) to one HDF5 file."""
    text = _dumps(metadata)
    with _atomic_write(filepath, True, "the training backup") as tmp:
        with _h5_open_write(tmp) as f:
            f.attrs["training_metadata"] = text
            f.attrs["chainrule_version"] = _chainrule_version()
            _write_keras3_tree(f, model)


def read_training_backup(model, filepath) -> dict:
    """Restore :func:`write_training_backup`'s weights and optimizer state into ``model``; return the metadata."""
    path = _path(filepath)
    _sniff(path)
    with _load_errors(path, "Cannot restore the training backup"):
        h5py = _h5py()
        with h5py.File(path, "r") as f:
            text = _read_attr_str(f.attrs, "training_metadata")
            if text is None:
                raise ValueError("it has no 'training_metadata' attribute: it is not a BackupAndRestore file")
            metadata = _loads(text, "training_metadata")
            if not isinstance(metadata, dict):
                raise ValueError("training_metadata should be a JSON object")
            _load_keras3_tree(f, model, path)
    return metadata
