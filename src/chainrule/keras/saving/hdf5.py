"""Safe HDF5 reading and writing, and the weight-loading plan both file layouts share.

Writing adds a CRC32 attribute to every dataset (Keras readers ignore it) so flipped bits are
caught on load. Reading follows only plain in-file links, accepts only numeric datasets with
standard filters whose declared size the file really stores (:mod:`chainrule.keras.limits`),
and is all or nothing: every shape is checked and every value read and converted
(:func:`read_plan`, :func:`optimizer_state`) before the first variable changes
(:func:`assign_all`).
"""
from __future__ import annotations

import contextlib
import math
import os
import re
import warnings
import zlib

import numpy as np

from .. import limits

_CRC_ATTR = "chainrule_crc32"
_HDF5_ATTR_LIMIT = 64512       # tf.keras splits list attributes larger than this into name0, name1, ...
_SAFE_H5_FILTERS = {1, 2, 3, 4, 5, 6, 32000}  # deflate, shuffle, fletcher32, szip, nbit, scaleoffset, lzf


def h5py_module():
    """h5py, imported on the first save or load (it adds a tenth of a second to ``import chainrule``)."""
    import h5py
    return h5py


_ERRNO = re.compile(r"errno = (\d+)")


@contextlib.contextmanager
def open_for_writing(path):
    """An HDF5 file open for writing; an I/O failure (also one at close) is an ``OSError`` with its errno.

    h5py reports a failed flush at close (disk full, file size limit) as a ``RuntimeError``
    ("Can't decrement id ref count (unable to extend file properly, errno = 27...)"); turned
    into ``OSError(27, ...)`` here, :func:`~chainrule.keras.saving.atomic.atomic_write` names
    the file and removes the temporary one.
    """
    # HDF5 1.8 object formats carry metadata checksums, so corruption is detected on read.
    try:
        with h5py_module().File(path, "w", libver=("v108", "v108")) as f:
            yield f
    except (RuntimeError, OSError) as e:
        if isinstance(e, OSError) and e.errno is not None:
            raise
        found = _ERRNO.search(str(e))
        if found is None and isinstance(e, RuntimeError):
            raise
        if found is None:
            raise OSError(f"HDF5 write failed: {e}") from e
        code = int(found.group(1))
        raise OSError(code, os.strerror(code)) from e


def _crc(arr: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(arr).tobytes()) & 0xFFFFFFFF


def put(group, name: str, value) -> None:
    arr = np.asarray(value)
    ds = group.create_dataset(name, data=arr)
    # Keras readers ignore extra attributes; chainrule checks it so that flipped bits are caught.
    ds.attrs[_CRC_ATTR] = np.uint32(_crc(arr))


def write_str_list(group, name: str, values) -> None:
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


def read_attr_str(attrs, name):
    if name not in attrs:
        return None
    value = attrs[name]
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    return _decode(value)


def read_str_list(group, name: str):
    """Read a list attribute written by :func:`write_str_list` (or by tf.keras/Keras); None if absent."""
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
    out: list = []
    for value in values:
        arr = np.asarray(value)
        if arr.size == 0:
            continue
        if arr.dtype.kind not in "SUO":
            raise ValueError(f"attribute {name!r} of {group.name!r} should hold strings, found dtype {arr.dtype}")
        out.extend(_decode(v) for v in arr.ravel())
    return out


def _name_parts(name: str, where: str) -> list:
    """The link names of a relative HDF5 path, as HDF5 reads it ('a//b' is 'a/b', '.' is the group itself).

    '..' is an ordinary link name in HDF5 (there is no parent traversal), so a layer named
    '../up' round-trips; an absolute name, an empty one or a NUL is refused.
    """
    parts = [p for p in name.split("/") if p not in ("", ".")] if isinstance(name, str) else []
    if not parts or name.startswith("/") or "\x00" in name:
        raise ValueError(f"{where} names the entry {name!r}, which is not a plain relative name inside its "
                         "group; refusing to follow it.")
    return parts


def check_dataset(ds, where: str) -> None:
    """A numeric, in-file dataset with standard filters whose declared size the file really holds.

    Only metadata is read: the shape is checked against the bytes stored before any data is
    (a dataset may declare (65536, 65536) and store nothing; reading it would allocate 16 GiB).
    """
    h5py = h5py_module()
    if not isinstance(ds, h5py.Dataset):
        raise ValueError(f"{where} should be a dataset of numbers, found a group")
    if ds.dtype.kind not in "biuf":
        raise ValueError(f"{where} has dtype {ds.dtype}, not a numeric type; weights must be numbers "
                         "(string/object data is refused)")
    if getattr(ds, "is_virtual", False) or ds.external:
        raise ValueError(f"{where} reads its data from outside the file (external storage or a virtual "
                         "dataset); refusing it")
    plist = ds.id.get_create_plist()
    filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    for filter_id in filters:
        if filter_id not in _SAFE_H5_FILTERS:
            raise ValueError(f"{where} uses the HDF5 filter {filter_id}, which is not a standard one; refusing "
                             "to load a filter plugin")
    declared = math.prod(int(d) for d in ds.shape) * ds.dtype.itemsize
    stored = int(ds.id.get_storage_size())
    what = f"{where} (shape {tuple(int(d) for d in ds.shape)}, {ds.dtype})"
    if filters:
        limits.check_compressed_size(declared, stored, what)
    elif stored < declared:
        raise ValueError(f"{what} declares {declared} bytes of data but the file stores only {stored}; "
                         "refusing a dataset whose data is not in the file")


def get_hard(group, name: str, where: str):
    """``group[name]`` for a plain in-file link only (no soft/external links)."""
    h5py = h5py_module()
    node = group
    for part in _name_parts(name, where):
        link = node.get(part, getlink=True)
        if link is None:
            return None
        if not isinstance(link, h5py.HardLink):
            raise ValueError(f"{where}: {name!r} is a {type(link).__name__}; weights must be stored in the file "
                             "itself")
        node = node[part]
    return node


def read_array(ds, where: str) -> np.ndarray:
    check_dataset(ds, where)
    arr = np.asarray(ds[()])
    if _CRC_ATTR in ds.attrs and int(np.asarray(ds.attrs[_CRC_ATTR])) != _crc(arr):
        raise ValueError(f"{where} is corrupted: its data does not match the checksum written with it")
    return arr


def own_variables(layer) -> list:
    """A layer's own variables, trainable then non-trainable (Keras 3's ``save_own_variables`` order)."""
    return [info.var for info in layer._own_trainable] + [info.var for info in layer._own_non_trainable]


def vars_datasets(group, where):
    """The datasets ``0, 1, ...`` of a ``vars`` group, in order."""
    keys = list(group.keys())
    if any(not k.isdigit() for k in keys):
        raise ValueError(f"{where} holds unexpected entries {sorted(keys)}; expected datasets named 0, 1, ...")
    ordered = sorted(keys, key=int)
    if ordered != [str(i) for i in range(len(ordered))]:
        raise ValueError(f"{where} holds datasets {ordered}; expected 0..{len(ordered) - 1} without gaps")
    datasets = []
    for key in ordered:
        ds = get_hard(group, key, where)
        check_dataset(ds, f"'{where.strip(chr(39))}/{key}'")
        datasets.append(ds)
    return datasets


def shapes(items) -> list:
    return [tuple(int(d) for d in x.shape) for x in items]


def mismatch_line(layer, expected, got) -> str:
    return f"Layer {layer.name!r} expected weights of shapes {expected} but the file has {got}"


def unbuilt_error(model, path):
    return ValueError(
        f"Cannot load weights from {path!r} into model {model.name!r} ({type(model).__name__}): the model has not "
        "created its weights yet (it is not built). Call the model on a batch of data first, e.g. "
        "`model(x[:1])`, or `model.build(input_shape)`, then call load_weights.")


def value_for(variable, arr: np.ndarray, where: str) -> np.ndarray:
    """``arr`` converted to ``variable``'s dtype, checked first: integers must stay integers and fit."""
    target = variable._value.dtype
    if arr.dtype == target:
        return arr
    if target.kind in "iub" and arr.dtype.kind == "f" and arr.size:
        if not np.all(np.isfinite(arr)) or not np.array_equal(arr, np.trunc(arr)):
            raise ValueError(f"{where} holds non-integer values for the {target} variable {variable.name!r}")
    if target.kind in "iu" and arr.dtype.kind in "iuf" and arr.size:
        info = np.iinfo(target)
        if arr.min() < info.min or arr.max() > info.max:
            raise ValueError(f"{where} holds values from {arr.min()} to {arr.max()}, outside the range of the "
                             f"{target} variable {variable.name!r}")
    return arr.astype(target)


def read_plan(plan) -> list:
    """``[(variable, value)]`` for a plan of ``(variables, datasets, where)``: every dataset read, checked
    (checksum, dtype) and converted, and no variable changed yet."""
    out = []
    for variables, datasets, where in plan:
        for var, ds in zip(variables, datasets):
            out.append((var, value_for(var, read_array(ds, where), where)))
    return out


def assign_all(pairs) -> None:
    """Assign the values :func:`read_plan` (or :func:`optimizer_state`) checked: the only step that changes state."""
    for variable, value in pairs:
        variable.assign(value)


def stored_values(f) -> int:
    """The number of values held by the numeric datasets of ``f`` whose data the file really stores (metadata only)."""
    h5py = h5py_module()
    total = 0

    def visit(name, obj):
        nonlocal total
        if isinstance(obj, h5py.Dataset):
            try:
                check_dataset(obj, name)
            except ValueError:
                return  # not counted; the loader refuses it if it is used
            total += math.prod(int(d) for d in obj.shape)
    f.visititems(visit)
    return total


def report_problems(problems, model, path, skip_mismatch):
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


def snapshot(optimizer) -> dict:
    """The attributes of an optimizer with their containers copied, for :func:`restore_snapshot` (no values)."""
    return {k: (v.copy() if isinstance(v, (list, dict, set)) else v) for k, v in vars(optimizer).items()}


def restore_snapshot(optimizer, saved) -> None:
    """Undo a build made to take a state that was then refused: the optimizer is as :func:`snapshot` saw it,
    and model variables it had moved into its flat buffer get arrays of their own again."""
    flat = optimizer.__dict__.get("_flat")
    if flat is not None and saved.get("_flat") is not flat:
        flat.unlink()
    optimizer.__dict__.clear()
    optimizer.__dict__.update(saved)


def optimizer_state(model, datasets, path) -> list:
    """``[(optimizer variable, value)]`` to restore from ``datasets`` ``[(dataset, where)]``, all read and checked.

    An optimizer that was not built yet is built on the model's trainable weights to take the
    state (as Keras does); when the state is then refused (``ValueError``) or skipped (a
    different number of variables: a warning, as Keras 3), the build is undone, so the
    optimizer is left exactly as it was. Shapes are compared before any data is read.
    """
    optimizer = model.optimizer
    if datasets is None or optimizer is None:
        return []
    saved = None
    if len(datasets) != len(optimizer.variables) and not optimizer.built and model.trainable_weights:
        saved = snapshot(optimizer)
        optimizer.build(model.trainable_weights)
    try:
        variables = optimizer.variables
        if len(datasets) != len(variables):
            warnings.warn(f"Skipping the optimizer state in {path!r}: optimizer {optimizer.name!r} has "
                          f"{len(variables)} variables but the file has {len(datasets)}. Training goes on "
                          "with a fresh optimizer state.", stacklevel=4)
            if saved is not None:
                restore_snapshot(optimizer, saved)
            return []
        if shapes([ds for ds, _ in datasets]) != shapes(variables):
            raise ValueError(f"the optimizer state in the file has shapes {shapes([ds for ds, _ in datasets])} but "
                             f"optimizer {optimizer.name!r} built on this model has {shapes(variables)}")
        return [(var, value_for(var, read_array(ds, where), where)) for var, (ds, where) in zip(variables, datasets)]
    except BaseException:
        if saved is not None:
            restore_snapshot(optimizer, saved)
        raise
