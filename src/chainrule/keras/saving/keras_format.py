"""The ``.keras`` file (Keras 3): a zip of ``metadata.json``, ``config.json`` and ``model.weights.h5``.

The weights tree is Keras 3's: ``layers/dense/vars/0``, ``layers/dense_1/vars/1`` (containers
name their items by snake-case class name with ``_1, _2`` suffixes, each ``vars`` group has
the attribute ``name=<layer.name>``), ``optimizer/vars/0`` (iteration), ``1`` (learning
rate), then the slots, and ``vars`` for the model's own variables. ``.weights.h5`` files and
training backups hold the same tree.

``metadata.json`` says which Keras format a file follows: chainrule writes ``keras_version``
:data:`KERAS3_FORMAT_VERSION` and ``keras_format`` ``"keras-3"``. A ``.keras`` file saved by tf.keras 2
(``keras_version`` 2.x) has the same tree but tf.keras 2's optimizer layout (no learning-rate variable,
its own slot order: :mod:`.tf2_optimizer` maps it) and ``metrics/`` groups holding the compiled metrics'
running totals, which are not restored (metrics start afresh after ``compile``, as in Keras 3).
"""
from __future__ import annotations

import datetime
import io
import re
import zipfile

from ... import nest
from .. import limits
from ..layers.base import Layer
from ..._version import __version__
from ..utils.naming import to_snake_case
from . import hdf5, tf2_optimizer
from .atomic import atomic_write
from .serialization import (KERAS_VERSION, build_from_config, compile_from_config, dumps, keras3_model_config, loads,
                            model_from_entry)

#: The Keras release whose ``.keras`` layout chainrule's files follow (Keras 3: the optimizer saves its
#: learning rate as a variable); written as ``keras_version`` in ``metadata.json``.
KERAS3_FORMAT_VERSION = "3.0.0"
_INTERNAL_ATTRS = {"_tracked_layers", "_seq_layers", "_graph_layers"}


def _children(obj):
    """``(key, layer_or_list)`` pairs as Keras 3 walks them: ``layers`` first, then attributes by name."""
    out = []
    if getattr(obj, "_is_layer_graph", False):  # a functional or Sequential model
        out.append(("layers", list(obj.layers)))
    attrs = vars(obj)
    for key in sorted(attrs):
        if key.startswith("__") or key in _INTERNAL_ATTRS or key == "layers":
            continue
        value = attrs[key]
        if isinstance(value, Layer) and value is not obj:
            out.append((key, value))
        elif isinstance(value, (list, tuple, dict)):
            items = [v for v in nest.flatten(value, sort_dicts=False) if isinstance(v, Layer) and v is not obj]
            if items:
                out.append((key, items))
    return out


def _layer_paths(model) -> list:
    """Every layer reachable from ``model`` with its Keras 3 path, each once (first path wins), depth first.

    After a layer's attributes, the sub-layers they did not reach are saved under ``_tracked``.
    An explicit stack, not recursion: models of any depth and size work.
    """
    out, visited = [], set()
    stack = [(False, "", model)]
    while stack:
        leftovers_of, prefix, obj = stack.pop()
        tasks = []
        if leftovers_of:  # every attribute of obj is walked: what is still unvisited goes under _tracked
            used: dict = {}
            for item in [s for s in obj._tracked_layers if id(s) not in visited]:
                name = to_snake_case(type(item).__name__)
                used[name] = used.get(name, -1) + 1
                tasks.append((False, f"{prefix}/_tracked/{name}".lstrip("/") + (f"_{used[name]}" if used[name] else ""),
                              item))
        elif id(obj) not in visited:
            visited.add(id(obj))
            out.append((prefix, obj))
            for key, value in _children(obj):
                path = f"{prefix}/{key}".lstrip("/")
                if not isinstance(value, list):
                    tasks.append((False, path, value))
                    continue
                used = {}
                for item in value:
                    name = to_snake_case(type(item).__name__)
                    used[name] = used.get(name, -1) + 1
                    tasks.append((False, f"{path}/{name}" + (f"_{used[name]}" if used[name] else ""), item))
            stack.append((True, prefix, obj))
        stack.extend(reversed(tasks))
    return out


def _vars_path(prefix: str) -> str:
    return f"{prefix}/vars" if prefix else "vars"


def write_tree(f, model, include_optimizer=True) -> None:
    """Write the Keras 3 weights tree of ``model`` (and its optimizer's state) into the open HDF5 file ``f``."""
    for prefix, layer in _layer_paths(model):
        group = f.require_group(_vars_path(prefix))
        group.attrs["name"] = layer.name
        for i, var in enumerate(hdf5.own_variables(layer)):
            hdf5.put(group, str(i), var.numpy())
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None:
        group = f.require_group("optimizer/vars")
        group.attrs["name"] = str(optimizer.name)
        for i, value in enumerate(optimizer.get_weights()):
            hdf5.put(group, str(i), value)


def _all_vars_groups(f):
    """Every ``.../vars`` group in a Keras 3 weights file: {path: group}."""
    h5py = hdf5.h5py_module()
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and name.split("/")[-1] == "vars":
            found[name[:-len("vars")].rstrip("/")] = obj
    f.visititems(visit)
    return found


def follows_tf_keras_2(metadata: dict) -> bool:
    """True for a ``.keras`` file written by tf.keras 2 (its optimizer variables follow tf.keras 2's layout).

    Args:
        metadata: the archive's ``metadata.json``.

    Returns:
        Whether ``keras_version`` is 2.x in a file chainrule did not write (chainrule's files before it
        wrote :data:`KERAS3_FORMAT_VERSION` said 2.11.0 but followed Keras 3).
    """
    version = str(metadata.get("keras_version", ""))
    return version.startswith("2.") and "chainrule_version" not in metadata


def tree_plan(f, model, path, by_name=False, skip_mismatch=False, load_optimizer=True, tf2_layout=False) -> list:
    """``[(variable, value)]`` that loading a Keras 3 weights tree into ``model`` assigns (matched by path, or by
    layer name), with the optimizer's state: everything read and checked, nothing assigned yet.

    ``tf2_layout``: the optimizer variables follow tf.keras 2's layout (a ``.keras`` file tf.keras 2 wrote).
    """
    layers = _layer_paths(model)
    file_groups = _all_vars_groups(f)
    file_groups.pop("optimizer", None)
    for p in [p for p in file_groups if p == "metrics" or p.startswith("metrics/")]:
        file_groups.pop(p)  # tf.keras 2's compiled metrics' totals: not model weights, not restored
    model_vars = sum(len(hdf5.own_variables(layer)) for _, layer in layers)
    file_vars = sum(len(g.keys()) for g in file_groups.values())
    if model_vars == 0 and file_vars and not model.built:
        raise hdf5.unbuilt_error(model, path)

    problems, plan, used = [], [], set()
    if by_name:
        by_layer_name: dict = {}
        for p, g in file_groups.items():
            name = hdf5.read_attr_str(g.attrs, "name")
            if name is not None:
                by_layer_name.setdefault(name, (p, g))
    for prefix, layer in layers:
        variables = hdf5.own_variables(layer)
        if by_name:
            p, group = by_layer_name.get(layer.name, (None, None))
            if group is None:
                continue
        else:
            p, group = prefix, file_groups.get(prefix)
        if group is None:
            if variables:
                problems.append(f"Layer {layer.name!r} ({type(layer).__name__}) has weights of shapes "
                                f"{hdf5.shapes(variables)} but the file has none for it (expected "
                                f"'{_vars_path(prefix)}')")
            continue
        used.add(p)
        where = f"'{_vars_path(p)}'"
        datasets = hdf5.vars_datasets(group, where)
        if hdf5.shapes(datasets) != hdf5.shapes(variables):
            problems.append(hdf5.mismatch_line(layer, hdf5.shapes(variables), hdf5.shapes(datasets)))
            continue
        plan.append((variables, datasets, where))
    if not by_name:
        for p, g in file_groups.items():
            if p not in used and len(g.keys()) and not p.split("/")[-1].startswith("seed_generator"):
                problems.append(f"The file has weights at '{_vars_path(p)}' (layer "
                                f"{hdf5.read_attr_str(g.attrs, 'name')!r}) that no layer of the model takes")
    hdf5.report_problems(problems, model, path, skip_mismatch)
    pairs = hdf5.read_plan(plan)
    if load_optimizer and getattr(model, "optimizer", None) is not None and "optimizer" in f:
        group = hdf5.get_hard(f, "optimizer/vars", "'optimizer'")
        if group is not None:
            datasets = [(ds, f"'optimizer/vars/{i}'")
                        for i, ds in enumerate(hdf5.vars_datasets(group, "'optimizer/vars'"))]
            if tf2_layout and tf2_optimizer.supports(model.optimizer):
                arrays = [hdf5.read_array(ds, where) for ds, where in datasets]
                pairs += tf2_optimizer.state(model, arrays, None, path)
            else:
                pairs += hdf5.optimizer_state(model, datasets, path)
    return pairs


def load_tree(f, model, path, by_name=False, skip_mismatch=False, load_optimizer=True, tf2_layout=False) -> None:
    """Load a Keras 3 weights tree into ``model`` (and its optimizer): all of it, or nothing on any error."""
    hdf5.assign_all(tree_plan(f, model, path, by_name, skip_mismatch, load_optimizer, tf2_layout))


def _read_member(zf, info, limit: int):
    """The bytes of one archive member in a BytesIO, streamed: never more than ``limit`` (its declared size)."""
    out = io.BytesIO()
    with zf.open(info) as src:
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            if out.tell() + len(chunk) > limit:
                raise ValueError(f"the archive member {info.filename!r} inflates beyond the {limit} bytes it "
                                 "declares; refusing it")
            out.write(chunk)
    out.seek(0)
    return out


def _check_member(info, limit: int) -> None:
    """Refuse a member whose declared size is over ``limit`` or inflates suspiciously, before reading it."""
    if info.file_size > limit:
        raise ValueError(f"the archive member {info.filename!r} declares {info.file_size} bytes, more than the "
                         f"{limit} bytes chainrule reads for it (chainrule.keras.limits); refusing it")
    limits.check_compressed_size(info.file_size, info.compress_size, f"the archive member {info.filename!r}")


def _open_archive(path):
    """``(config, metadata, weights)`` from a ``.keras`` archive (``weights``: a BytesIO of the HDF5 file).

    Every member name is checked, and every member's declared size before it is decompressed
    (:mod:`chainrule.keras.limits`); members are streamed, never beyond their declared size.
    """
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
            if name in names:
                _check_member(zf.getinfo(name), limits.MAX_JSON_BYTES)
        weights_info = zf.getinfo("model.weights.h5")
        _check_member(weights_info, limits.max_member_bytes())
        config = loads(_read_member(zf, zf.getinfo("config.json"), limits.MAX_JSON_BYTES).getvalue(), "config.json")
        metadata = loads(_read_member(zf, zf.getinfo("metadata.json"), limits.MAX_JSON_BYTES).getvalue(),
                         "metadata.json") if "metadata.json" in names else {}
        weights = _read_member(zf, weights_info, weights_info.file_size)
    if not isinstance(config, dict):
        raise ValueError(f"config.json should hold a JSON object, found {type(config).__name__}")
    if not isinstance(metadata, dict):
        raise ValueError(f"metadata.json should hold a JSON object, found {type(metadata).__name__}")
    if weights.getbuffer()[:8] != b"\x89HDF\r\n\x1a\n":
        raise ValueError("model.weights.h5 inside the archive is not an HDF5 file")
    return config, metadata, weights


def save_model(model, path, overwrite, include_optimizer) -> None:
    """Write ``model`` as a ``.keras`` archive (uncompressed, fixed member dates), atomically."""
    config_text = dumps(keras3_model_config(model, path), indent=None)
    meta = {"keras_version": KERAS3_FORMAT_VERSION, "keras_format": "keras-3", "tensorflow_api": KERAS_VERSION,
            "chainrule_version": __version__,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    with atomic_write(path, overwrite, "the model") as tmp:
        weights = io.BytesIO()
        with hdf5.open_for_writing(weights) as f:
            write_tree(f, model, include_optimizer=include_optimizer)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for name, data in (("metadata.json", dumps(meta)), ("config.json", config_text),
                               ("model.weights.h5", weights.getvalue())):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_STORED
                zf.writestr(info, data)


def load_model(path, custom_objects, compile):  # noqa: A002
    """The model in a ``.keras`` archive: architecture, weights and (with ``compile``) the compile state.

    The layers built from the config may create no more weight values than the archive stores
    (:func:`chainrule.keras.limits.weight_budget`), checked before anything is allocated.
    """
    config, metadata, weights = _open_archive(path)
    with hdf5.h5py_module().File(weights, "r") as f:
        with limits.weight_budget(hdf5.stored_values(f), path):
            model = model_from_entry(config, custom_objects)
        if compile and config.get("compile_config") is not None:
            compile_from_config(model, config["compile_config"], custom_objects)
        load_tree(f, model, path, load_optimizer=bool(compile), tf2_layout=follows_tf_keras_2(metadata))
    return model


def save_weights(model, path, overwrite) -> None:
    """Write a ``.weights.h5`` file: the Keras 3 tree with the optimizer state, atomically."""
    with atomic_write(path, overwrite, "the weights") as tmp:
        with hdf5.open_for_writing(tmp) as f:
            write_tree(f, model)


def load_weights(model, path, by_name, skip_mismatch) -> None:
    """Load the weights inside a ``.keras`` archive (building the model from its ``build_config`` if needed)."""
    config, metadata, weights = _open_archive(path)
    with hdf5.h5py_module().File(weights, "r") as f:
        with limits.weight_budget(hdf5.stored_values(f), path):
            build_from_config(model, config)
        load_tree(f, model, path, by_name=by_name, skip_mismatch=skip_mismatch,
                  tf2_layout=follows_tf_keras_2(metadata))
