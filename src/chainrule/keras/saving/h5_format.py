"""The legacy ``.h5`` file (tf.keras 2): root attributes ``backend, keras_version, model_config,
training_config`` (JSON), ``model_weights`` with the attribute ``layer_names`` and one group per
layer with ``weight_names`` and datasets such as ``model_weights/dense/dense/kernel:0``, and
``optimizer_weights``. ``save_weights("w.h5")`` writes the layer groups at the root.
"""
from __future__ import annotations

from ..._version import __version__
from .. import limits
from . import hdf5, keras_format, tf2_optimizer
from .atomic import atomic_write
from .serialization import (BACKEND, KERAS_VERSION, compile_config, compile_from_config, dumps, legacy_model_config,
                            loads, model_from_entry)


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


def _refuse_unnamed_layers(model, path) -> None:
    """tf.keras 2's ``.h5`` keeps each layer's weights in a group named after the layer, and HDF5 has no
    group with an empty name: say so before anything is written (tf.keras allows ``name=''``)."""
    for i, layer in enumerate(model.layers):
        if layer.name == "":
            raise ValueError(f"Cannot save to {path}: layer {i} of the model ({type(layer).__name__}) is named '' and "
                             "the .h5 format stores each layer's weights in an HDF5 group named after the layer, "
                             "which cannot be empty. Give the layer a name, or save in the .keras format (or "
                             "save_weights to a .weights.h5 file), which store it as written.")


def _write_legacy_weights(group, model) -> None:
    layers = list(model.layers)
    hdf5.write_str_list(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = BACKEND
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in layers:
        g = group.create_group(layer.name)
        weights = _legacy_weights(layer)
        names = _unique_names([_weight_name(w) for w in weights])
        hdf5.write_str_list(g, "weight_names", names)
        for name, var in zip(names, weights):
            hdf5.put(g, name, var.numpy())
    own = hdf5.own_variables(model)
    if own:
        g = group.create_group("top_level_model_weights")
        names = _unique_names([_weight_name(w) for w in own])
        hdf5.write_str_list(g, "weight_names", names)
        for name, var in zip(names, own):
            hdf5.put(g, name, var.numpy())


def _legacy_file_layers(group, where):
    names = hdf5.read_str_list(group, "layer_names")
    if names is None:
        raise ValueError(f"{where} has no 'layer_names' attribute: it is not a Keras weights file")
    out = []
    for name in names:
        g = hdf5.get_hard(group, name, where)
        if g is None:
            raise ValueError(f"{where} lists the layer {name!r} but has no group for it")
        weight_names = hdf5.read_str_list(g, "weight_names") or []
        if weight_names:
            datasets = []
            for wn in weight_names:
                ds = hdf5.get_hard(g, wn, f"layer {name!r}")
                if ds is None:
                    raise ValueError(f"layer {name!r} lists the weight {wn!r} but the file has no dataset for it")
                hdf5.check_dataset(ds, f"weight {wn!r} of layer {name!r}")
                datasets.append(ds)
            out.append((name, datasets))
    return out


def _legacy_weights_plan(group, model, path, by_name=False, skip_mismatch=False) -> list:
    """``[(variable, value)]`` of tf.keras 2's weights layout in ``group``: read and checked, nothing assigned."""
    file_layers = _legacy_file_layers(group, "the file")
    model_layers = [layer for layer in model.layers if _legacy_weights(layer)]
    if not model_layers and file_layers and not model.built:
        raise hdf5.unbuilt_error(model, path)
    problems, plan = [], []

    def check(layer, datasets, fname):
        variables = _legacy_weights(layer)
        if len(datasets) != len(variables):
            problems.append(f"Layer {layer.name!r} expects {len(variables)} weight(s) of shapes "
                            f"{hdf5.shapes(variables)} but the file has {len(datasets)} for layer {fname!r}: "
                            f"{hdf5.shapes(datasets)}")
        elif hdf5.shapes(datasets) != hdf5.shapes(variables):
            problems.append(hdf5.mismatch_line(layer, hdf5.shapes(variables), hdf5.shapes(datasets)))
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
    top = hdf5.get_hard(group, "top_level_model_weights", "the file") if "top_level_model_weights" in group else None
    names = (hdf5.read_str_list(top, "weight_names") or []) if top is not None else []
    own = hdf5.own_variables(model)
    if names or own:
        datasets = [hdf5.get_hard(top, n, "top_level_model_weights") for n in names]
        if any(d is None for d in datasets):
            raise ValueError("top_level_model_weights lists a weight the file does not hold")
        for d, n in zip(datasets, names):
            hdf5.check_dataset(d, f"weight {n!r}")
        if hdf5.shapes(datasets) != hdf5.shapes(own):
            problems.append(hdf5.mismatch_line(model, hdf5.shapes(own), hdf5.shapes(datasets)))
        else:
            plan.append((own, datasets, "top_level_model_weights"))
    hdf5.report_problems(problems, model, path, skip_mismatch)
    return hdf5.read_plan(plan)


def _write_legacy_optimizer(f, model) -> None:
    """``optimizer_weights`` in tf.keras 2's layout (see :mod:`.tf2_optimizer`), so tf.keras 2 loads the state;
    an optimizer tf.keras 2 does not have keeps chainrule's own (Keras 3) layout."""
    optimizer = model.optimizer
    group = f.create_group("optimizer_weights")
    if tf2_optimizer.supports(optimizer):
        names, values = tf2_optimizer.weights(optimizer, model.trainable_weights)
    else:
        names = _unique_names([f"{optimizer.name}/{_weight_name(v)}" for v in optimizer.variables])
        values = optimizer.get_weights()
    hdf5.write_str_list(group, "weight_names", names)
    for name, value in zip(names, values):
        hdf5.put(group, name, value)


def _optimizer_state(model, f, path) -> list:
    """``[(optimizer variable, value)]`` of the file's ``optimizer_weights``, read and checked, nothing assigned:
    tf.keras 2's layout (chainrule's ``.h5`` files are written in it) through :mod:`.tf2_optimizer`, chainrule's
    earlier Keras 3 layout by position."""
    datasets = _legacy_optimizer_datasets(f)
    if datasets is None:
        return []
    names = [where[len("optimizer weight '"):-1] for _, where in datasets]
    if tf2_optimizer.supports(model.optimizer) and not tf2_optimizer.is_chainrule_layout(names):
        return tf2_optimizer.state(model, [hdf5.read_array(ds, where) for ds, where in datasets], names, path)
    return hdf5.optimizer_state(model, datasets, path)


def _legacy_optimizer_datasets(f):
    """``[(dataset, where)]`` of ``optimizer_weights`` (checked, not read), or None when the file has none."""
    group = hdf5.get_hard(f, "optimizer_weights", "the file")
    if group is None:
        return None
    names = hdf5.read_str_list(group, "weight_names") or []
    datasets = []
    for name in names:
        ds = hdf5.get_hard(group, name, "optimizer_weights")
        if ds is None:
            raise ValueError(f"optimizer_weights lists {name!r} but the file has no dataset for it")
        where = f"optimizer weight {name!r}"
        hdf5.check_dataset(ds, where)
        datasets.append((ds, where))
    return datasets


def _weights_file_kind(f) -> str:
    """'legacy' (tf.keras 2 weights), 'legacy_model' (a whole .h5 model) or 'keras3' (a Keras 3 tree)."""
    if "layer_names" in f.attrs:
        return "legacy"
    if "model_weights" in f:
        return "legacy_model"
    return "keras3"


def save_model(model, path, overwrite, include_optimizer) -> None:
    """Write ``model`` as tf.keras 2's ``.h5`` file, atomically."""
    model_config = dumps(legacy_model_config(model, path))
    training = compile_config(model, keras3=False)
    if training is not None and tf2_optimizer.supports(model.optimizer):  # as tf.keras 2 writes it, so it loads
        training["optimizer_config"] = tf2_optimizer.config(model.optimizer)
    training_text = dumps(training) if training is not None else None
    _refuse_unnamed_layers(model, path)
    with atomic_write(path, overwrite, "the model") as tmp:
        with hdf5.open_for_writing(tmp) as f:
            f.attrs["backend"] = BACKEND
            f.attrs["keras_version"] = KERAS_VERSION
            f.attrs["chainrule_version"] = __version__
            f.attrs["model_config"] = model_config
            if training_text is not None:
                f.attrs["training_config"] = training_text
            _write_legacy_weights(f.create_group("model_weights"), model)
            if include_optimizer and training is not None:
                _write_legacy_optimizer(f, model)


def load_model(path, custom_objects, compile):  # noqa: A002
    """The model in a tf.keras 2 ``.h5`` file: architecture, weights and (with ``compile``) the compile state.

    The layers built from ``model_config`` may create no more weight values than the file stores
    (:func:`chainrule.keras.limits.weight_budget`).
    """
    with hdf5.h5py_module().File(path, "r") as f:
        text = hdf5.read_attr_str(f.attrs, "model_config")
        if text is None:
            if _weights_file_kind(f) == "legacy" or "vars" in f:
                raise ValueError("it holds only weights (written by save_weights). Build the model in code and "
                                 "call model.load_weights(path) instead")
            raise ValueError("it has no 'model_config' attribute: it is not a Keras model file")
        entry = loads(text, "model_config")
        if not isinstance(entry, dict):
            raise ValueError("model_config should be a JSON object")
        with limits.weight_budget(hdf5.stored_values(f), path):
            model = model_from_entry(entry, custom_objects)
        training = hdf5.read_attr_str(f.attrs, "training_config")
        if compile and training is not None:
            compile_from_config(model, loads(training, "training_config"), custom_objects)
        group = hdf5.get_hard(f, "model_weights", "the file")
        if group is None:
            raise ValueError("it has no 'model_weights' group")
        pairs = _legacy_weights_plan(group, model, path)
        if compile and model.optimizer is not None and training is not None:
            pairs += _optimizer_state(model, f, path)
        hdf5.assign_all(pairs)
        return model


def save_weights(model, path, overwrite) -> None:
    """Write tf.keras 2's weights file: the layer groups at the root, atomically."""
    _refuse_unnamed_layers(model, path)
    with atomic_write(path, overwrite, "the weights") as tmp:
        with hdf5.open_for_writing(tmp) as f:
            _write_legacy_weights(f, model)


def load_weights(model, path, by_name, skip_mismatch) -> None:
    """Load weights from any HDF5 file: tf.keras 2 weights, a whole ``.h5`` model, or a Keras 3 tree.

    All or nothing: every weight is read and checked before the first one is assigned.
    """
    with hdf5.h5py_module().File(path, "r") as f:
        layout = _weights_file_kind(f)
        if layout == "legacy":
            hdf5.assign_all(_legacy_weights_plan(f, model, path, by_name=by_name, skip_mismatch=skip_mismatch))
        elif layout == "legacy_model":
            group = hdf5.get_hard(f, "model_weights", "the file")
            hdf5.assign_all(_legacy_weights_plan(group, model, path, by_name=by_name, skip_mismatch=skip_mismatch))
        else:
            keras_format.load_tree(f, model, path, by_name=by_name, skip_mismatch=skip_mismatch)
