"""``chainrule.train``: ``Checkpoint``, ``CheckpointManager``, ``latest_checkpoint`` and the checkpoint readers.

A checkpoint saves the values of an object graph (see ``object_graph``): the Variables of Modules,
Keras layers and models, optimizers (slots and iteration count), metrics and dataset iterators
reachable from the objects given to ``Checkpoint(**objects)``, and restores them into the same
structure. Files are ``<prefix>.index`` and ``<prefix>.data-00000-of-00001`` in chainrule's own
layout (``tensor_bundle``; TensorFlow cannot read them, nor chainrule TensorFlow's), and the folder's
``checkpoint`` file names the latest one in TensorFlow's text format.

Restoring needs the variables to exist: a Keras model is restored once built (call it on data or
``model.build(...)`` first); an optimizer whose slots are not made yet is built on the model it
belongs to in the same checkpoint. ``restore`` returns a status whose ``assert_consumed()`` says
what did not match.
"""
from __future__ import annotations

import glob
import os
import re
import time

import numpy as np

from ...dtypes import as_dtype
from ...module import Module, defer_restoration
from ...tensor import Variable
from ..layers.base import Layer
from ..optimizers.base import Optimizer
from . import object_graph, tensor_bundle
from .atomic import atomic_write

_STATE_FILE = "checkpoint"


# ----------------------------------------------------------------------------- restore status

class CheckpointLoadStatus:
    """What a restore matched; TensorFlow's status object with its assertions."""

    def __init__(self, path, matched, unused_file_keys, unmatched_object_keys):
        self.path = path
        self.matched = matched
        self.assigned = 0  # values assigned now
        self.deferred = []  # keys kept until their Variable is created
        self.unused_file_keys = sorted(unused_file_keys)
        self.unmatched_object_keys = sorted(unmatched_object_keys)

    def assert_consumed(self):
        """Raise AssertionError unless every value of the file found its object and every object its value."""
        self.assert_existing_objects_matched()
        if self.unused_file_keys:
            raise AssertionError(f"Unresolved values in the checkpoint {self.path!r}: {self.unused_file_keys[:10]}. "
                                 "No object of the restored graph takes them (an unbuilt Keras model has no "
                                 "variables yet: build it first).")
        return self

    def assert_existing_objects_matched(self):
        """Raise AssertionError if a variable of the restored objects found no value in the file."""
        if self.unmatched_object_keys:
            raise AssertionError(f"Variables with no value in the checkpoint {self.path!r}: "
                                 f"{self.unmatched_object_keys[:10]}.")
        return self

    def assert_nontrivial_match(self):
        """Raise AssertionError if nothing at all was restored."""
        if not self.matched:
            raise AssertionError(f"Nothing was restored from {self.path!r}: no key of the file matches the objects.")
        return self

    def expect_partial(self):
        """Accept a partial match (chainrule never warns about it; kept for TensorFlow's programs)."""
        return self

    def run_restore_ops(self, session=None):
        """Nothing to run: values are restored when ``restore`` is called."""

    def initialize_or_restore(self, session=None):
        """Nothing to run: values are restored when ``restore`` is called."""


class InitializationOnlyStatus:
    """What ``restore(None)`` returns, as TensorFlow's: nothing was restored, so every assertion fails
    (``expect_partial`` and ``initialize_or_restore`` are accepted)."""

    _NOTHING = "No checkpoint specified (save_path=None); nothing is being restored."

    def assert_consumed(self):
        """Raise AssertionError: no checkpoint was given."""
        raise AssertionError(self._NOTHING)

    def assert_existing_objects_matched(self):
        """Raise AssertionError: no checkpoint was given."""
        raise AssertionError(self._NOTHING)

    def assert_nontrivial_match(self):
        """Raise AssertionError: no checkpoint was given."""
        raise AssertionError(self._NOTHING)

    def expect_partial(self):
        """Accepted; returns the status."""
        return self

    def run_restore_ops(self, session=None):
        """Raise AssertionError: there is nothing to restore."""
        raise AssertionError("No checkpoint specified, so no restore ops are available "
                             "(save_path=None to Saver.restore).")

    def initialize_or_restore(self, session=None):
        """Nothing to run: variables are initialized when they are made."""


def _prepare_optimizers(objects, file_keys) -> None:
    """Build the slots of an unbuilt optimizer whose slots the file holds, on the model it belongs to."""
    for path, obj in objects:
        if not isinstance(obj, Optimizer) or obj.built:
            continue
        prefix = f"{path}/_variables/".lstrip("/")
        saved = sum(1 for key in file_keys if key.startswith(prefix))
        if saved <= len(obj.variables):
            continue
        owners = [o for _, o in objects if isinstance(o, Layer) and getattr(o, "optimizer", None) is obj]
        if not owners:
            owners = [o for _, o in objects if isinstance(o, Layer) and o.trainable_variables]
        if owners and owners[0].trainable_variables:
            obj.build(owners[0].trainable_variables)


def restore_graph(root, prefix):
    """Restore the values saved under ``prefix`` into the graph of ``root``; returns a CheckpointLoadStatus."""
    index = tensor_bundle.read_index(prefix)
    file_keys = set(index["entries"]) - {object_graph.OBJECT_GRAPH_KEY}
    leaves, objects = object_graph.walk(root)
    _prepare_optimizers(objects, file_keys)
    leaves, objects = object_graph.walk(root)
    keys = [k for k in leaves if k in file_keys]
    values = tensor_bundle.read_values(prefix, index, keys)
    problems = []
    for key in keys:
        leaf = leaves[key]
        if isinstance(leaf, Variable) and tuple(values[key].shape) != tuple(leaf.shape):
            problems.append(f"{key}: the variable has shape {tuple(leaf.shape)}, the checkpoint {values[key].shape}")
    if problems:
        raise ValueError(f"Cannot restore {prefix!r}: shapes differ: " + "; ".join(problems[:5]))
    for key in keys:  # every value checked above: now assign them all
        leaf = leaves[key]
        if isinstance(leaf, Variable):
            leaf.assign(values[key].astype(leaf._value.dtype, copy=False))
        else:
            leaf.set(values[key])
    deferred = _defer_missing(objects, file_keys - set(keys), prefix, index)
    status = CheckpointLoadStatus(prefix, bool(keys) or bool(deferred), file_keys - set(keys) - deferred,
                                  set(leaves) - file_keys)
    status.assigned, status.deferred = len(keys), sorted(deferred)
    return status


def _defer_missing(objects, unused, prefix, index) -> set:
    """Values whose Variable does not exist yet, under an object of the graph (a Module that creates its
    variables on first call, an unbuilt Keras layer): kept on that object and assigned when the Variable
    is set (as TensorFlow's deferred restoration). Returns the keys kept."""
    by_path = {path: obj for path, obj in objects}
    kept = {}
    for key in unused:
        if not key.endswith(object_graph.VARIABLE_SUFFIX):
            continue
        parent, _, name = key[: -len(object_graph.VARIABLE_SUFFIX)].rpartition("/")
        owner = by_path.get(parent)
        if isinstance(owner, Module) and name not in vars(owner):
            kept[key] = (owner, name)
    if kept:
        values = tensor_bundle.read_values(prefix, index, list(kept))
        for key, (owner, name) in kept.items():
            defer_restoration(owner, name, values[key], prefix)
    return set(kept)


def write_graph(root, prefix) -> str:
    """Write the values of ``root``'s graph as the checkpoint ``prefix``; returns ``prefix``."""
    leaves, objects = object_graph.walk(root)
    values = {key: (leaf.get() if isinstance(leaf, object_graph.IteratorState) else leaf.numpy())
              for key, leaf in leaves.items()}
    values = {k: np.asarray(v) for k, v in values.items()}
    values[object_graph.OBJECT_GRAPH_KEY] = object_graph.describe(objects)
    tensor_bundle.write(prefix, values)
    return prefix


# ----------------------------------------------------------------------------- Checkpoint

class Checkpoint:
    """Groups objects to save and restore together: ``Checkpoint(model=model, optimizer=opt, step=step_var)``.

    Keyword arguments name the objects (Variables, Modules, Keras layers/models, optimizers, metrics,
    dataset iterators, or lists/dicts of them). ``save(prefix)`` numbers the files (``prefix-1``,
    ``prefix-2``...) with ``save_counter`` and records the latest in the folder's ``checkpoint`` file;
    ``write(prefix)`` writes exactly ``prefix``; ``restore(path)``/``read(path)`` load values back
    (``restore(None)`` restores nothing and returns an ``InitializationOnlyStatus``, as TensorFlow's).
    Attributes assigned later are saved too.
    """

    def __init__(self, root=None, **kwargs):
        for name, value in kwargs.items():
            if not object_graph.is_trackable(value):
                raise ValueError(f"Checkpoint: `{name}` should be a Variable, a Module, a Keras layer or model, an "
                                 f"optimizer or a dataset iterator (or a list/dict of them), got "
                                 f"{type(value).__name__}.")
        object.__setattr__(self, "_objects", dict(kwargs))
        if root is not None:
            self._objects["root"] = root
        object.__setattr__(self, "_save_counter", None)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self._objects[name] = value

    def __getattr__(self, name):
        objects = self.__dict__.get("_objects", {})
        if name in objects:
            return objects[name]
        raise AttributeError(f"'Checkpoint' object has no attribute {name!r}")

    def _checkpoint_children(self):
        out = list(self._objects.items())
        if self._save_counter is not None:
            out.append(("save_counter", self._save_counter))
        return out

    @property
    def save_counter(self) -> Variable:
        """An int64 Variable counting the calls of :meth:`save` (created at the first save or restore)."""
        if self._save_counter is None:
            object.__setattr__(self, "_save_counter", Variable(np.int64(0), trainable=False, name="save_counter"))
        return self._save_counter

    def write(self, file_prefix, options=None) -> str:
        """Write the checkpoint as exactly ``file_prefix`` (no numbering, no ``checkpoint`` file); returns it."""
        return write_graph(self, os.fspath(file_prefix))

    def save(self, file_prefix, options=None) -> str:
        """Write ``<file_prefix>-<n>`` (n = the new ``save_counter``), record it as the folder's latest; return it."""
        self.save_counter.assign_add(np.int64(1))
        path = f"{os.fspath(file_prefix)}-{int(self.save_counter.numpy())}"
        self.write(path)
        update_checkpoint_state(os.path.dirname(os.path.abspath(path)), path, [path])
        return path

    def read(self, save_path, options=None) -> CheckpointLoadStatus:
        """Restore the values written at ``save_path`` (see :meth:`restore`)."""
        return self.restore(save_path)

    def restore(self, save_path, options=None):
        """Assign the saved values to the matching variables; returns a status (``assert_consumed()``...).

        ``save_path`` is a prefix returned by ``save`` or ``write`` (or ``latest_checkpoint(folder)``);
        None restores nothing (the status's assertions then fail, as TensorFlow's). Shapes are all checked
        before any value is assigned.
        """
        if save_path is None:
            return InitializationOnlyStatus()
        save_path = os.fspath(save_path)
        index = tensor_bundle.read_index(save_path)
        if any(k.startswith("save_counter/") for k in index["entries"]):
            self.save_counter  # noqa: B018 - created so that its saved value is restored
        return restore_graph(self, save_path)


# ----------------------------------------------------------------------------- the `checkpoint` state file

def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _relative(folder, path):
    return os.path.relpath(path, folder) if os.path.dirname(os.path.abspath(path)) == folder else path


def update_checkpoint_state(folder, latest, paths, timestamps=None) -> None:
    """Write the folder's ``checkpoint`` file (TensorFlow's CheckpointState text format): the latest checkpoint
    and the kept ones (paths relative to the folder when they are in it)."""
    folder = os.path.abspath(folder)
    lines = [f"model_checkpoint_path: {_quoted(_relative(folder, latest))}"]
    lines += [f"all_model_checkpoint_paths: {_quoted(_relative(folder, p))}" for p in paths]
    lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in (timestamps or [])]
    with atomic_write(os.path.join(folder, _STATE_FILE), True, "the checkpoint state") as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


_STATE_LINE = re.compile(r'^\s*(\w+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([-+0-9.eE]+))\s*$')


def get_checkpoint_state(checkpoint_dir):
    """The folder's ``checkpoint`` file as ``{"model_checkpoint_path", "all_model_checkpoint_paths",
    "all_model_checkpoint_timestamps"}`` (paths made absolute), or None if there is none."""
    path = os.path.join(os.fspath(checkpoint_dir), _STATE_FILE)
    if not os.path.isfile(path):
        return None
    state = {"model_checkpoint_path": None, "all_model_checkpoint_paths": [], "all_model_checkpoint_timestamps": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = _STATE_LINE.match(line)
            if not m:
                continue
            key, text, number = m.groups()
            if text is not None:
                text = re.sub(r"\\(.)", r"\1", text)
                if not os.path.isabs(text):
                    text = os.path.join(os.fspath(checkpoint_dir), text)
            if key == "model_checkpoint_path":
                state[key] = text
            elif key == "all_model_checkpoint_paths":
                state[key].append(text)
            elif key == "all_model_checkpoint_timestamps" and number is not None:
                state[key].append(float(number))
    return state


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint recorded in ``checkpoint_dir`` (``'dir/ckpt-3'``), or None."""
    state = get_checkpoint_state(checkpoint_dir)
    if state is None or not state["model_checkpoint_path"]:
        return None
    prefix = state["model_checkpoint_path"]
    return prefix if tensor_bundle.exists(prefix) else None


class CheckpointManager:
    """Keeps the last ``max_to_keep`` checkpoints of a ``Checkpoint`` in ``directory``.

    ``save()`` writes ``<directory>/<checkpoint_name>-<n>`` (n: ``checkpoint_number`` or the
    checkpoint's ``save_counter``), deletes the oldest beyond ``max_to_keep`` (None keeps all;
    ``keep_checkpoint_every_n_hours`` spares one per period) and updates the ``checkpoint`` file.
    ``latest_checkpoint`` / ``checkpoints`` list them; ``restore_or_initialize()`` restores the
    latest or calls ``init_fn``. Checkpoints already in the folder are picked up.
    """

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None, init_fn=None):
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(f"CheckpointManager: expected a chainrule.train.Checkpoint, got "
                            f"{type(checkpoint).__name__}.")
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"CheckpointManager: max_to_keep should be a positive integer or None, got "
                             f"{max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("CheckpointManager: `step_counter` should be passed if `checkpoint_interval` is not None.")
        self._checkpoint = checkpoint
        self.directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_every = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(self.directory, checkpoint_name)
        self._step_counter = step_counter
        self._interval = checkpoint_interval
        self._init_fn = init_fn
        self._last_step = None
        self._kept = {}  # path -> timestamp, oldest first
        state = get_checkpoint_state(self.directory)
        self._latest = None
        self._last_preserved = time.time()
        if state is not None:
            times = state["all_model_checkpoint_timestamps"]
            for i, path in enumerate(state["all_model_checkpoint_paths"]):
                if tensor_bundle.exists(path):
                    self._kept[path] = times[i] if i < len(times) else time.time()
            self._latest = state["model_checkpoint_path"] if state["model_checkpoint_path"] in self._kept else \
                (list(self._kept)[-1] if self._kept else None)

    @property
    def checkpoint(self) -> Checkpoint:
        """The managed Checkpoint."""
        return self._checkpoint

    @property
    def latest_checkpoint(self):
        """The prefix of the newest checkpoint, or None."""
        return self._latest

    @property
    def checkpoints(self) -> list:
        """The prefixes of the kept checkpoints, oldest first."""
        return list(self._kept)

    @property
    def checkpoint_interval(self):
        return self._interval

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Write a new checkpoint and drop the oldest beyond ``max_to_keep``; returns its prefix (None when
        ``checkpoint_interval`` says it is too early)."""
        if self._interval is not None and check_interval:
            step = int(np.asarray(self._step_counter.numpy() if hasattr(self._step_counter, "numpy")
                                  else self._step_counter))
            if self._last_step is not None and step < self._last_step + self._interval:
                return None
            self._last_step = step
        counter = self._checkpoint.save_counter
        counter.assign_add(np.int64(1))
        if checkpoint_number is None:
            checkpoint_number = int(counter.numpy())
        elif hasattr(checkpoint_number, "numpy"):
            checkpoint_number = int(np.asarray(checkpoint_number.numpy()))
        path = f"{self._prefix}-{int(checkpoint_number)}"
        self._checkpoint.write(path)
        self._kept.pop(path, None)
        self._kept[path] = time.time()
        self._latest = path
        self._record_state()
        self._sweep()
        self._record_state()
        return path

    def _sweep(self):
        if self._max_to_keep is None:
            return
        while len(self._kept) > self._max_to_keep:
            path, stamp = next(iter(self._kept.items()))
            del self._kept[path]
            if self._keep_every is not None and stamp - self._last_preserved >= self._keep_every * 3600:
                self._last_preserved = stamp
                continue
            for name in glob.glob(glob.escape(path) + ".*"):
                if name in (tensor_bundle.index_path(path), tensor_bundle.data_path(path)):
                    os.remove(name)

    def _record_state(self):
        if self._latest is not None:
            update_checkpoint_state(self.directory, self._latest, list(self._kept), list(self._kept.values()))

    def restore_or_initialize(self):
        """Restore the latest checkpoint and return its prefix; with none, call ``init_fn`` and return None."""
        if self._latest is not None:
            self._checkpoint.restore(self._latest)
            return self._latest
        if self._init_fn is not None:
            self._init_fn()
        return None


# ----------------------------------------------------------------------------- readers

def list_variables(ckpt_dir_or_file) -> list:
    """``[(key, shape), ...]`` of a checkpoint (a prefix, or a folder: its latest checkpoint), keys sorted."""
    prefix = _prefix_of(ckpt_dir_or_file)
    index = tensor_bundle.read_index(prefix)
    return [(key, list(entry["shape"])) for key, entry in sorted(index["entries"].items())]


def load_variable(ckpt_dir_or_file, name):
    """The saved value ``name`` (a key of :func:`list_variables`; ``/.ATTRIBUTES/VARIABLE_VALUE`` may be left
    out) as a numpy array."""
    prefix = _prefix_of(ckpt_dir_or_file)
    index = tensor_bundle.read_index(prefix)
    key = name if name in index["entries"] else name + object_graph.VARIABLE_SUFFIX
    if key not in index["entries"]:
        raise ValueError(f"The checkpoint {prefix!r} has no value {name!r}; see chainrule.train.list_variables.")
    return tensor_bundle.read_values(prefix, index, [key])[key]


class CheckpointReader:
    """``load_checkpoint(path)``: read saved values by key (``get_tensor``, ``has_tensor``, shape and dtype maps)."""

    def __init__(self, prefix):
        self._prefix = prefix
        self._index = tensor_bundle.read_index(prefix)

    def get_tensor(self, name):
        """The saved value ``name`` as a numpy array."""
        if name not in self._index["entries"]:
            raise ValueError(f"The checkpoint {self._prefix!r} has no value {name!r}.")
        return tensor_bundle.read_values(self._prefix, self._index, [name])[name]

    def has_tensor(self, name) -> bool:
        """Whether ``name`` is saved."""
        return name in self._index["entries"]

    def get_variable_to_shape_map(self) -> dict:
        """``{key: shape}``."""
        return {k: list(e["shape"]) for k, e in self._index["entries"].items()}

    def get_variable_to_dtype_map(self) -> dict:
        """``{key: DType}`` (``chainrule.string`` for the object-graph description)."""
        return {k: as_dtype(e["dtype"]) for k, e in self._index["entries"].items()}


def load_checkpoint(ckpt_dir_or_file) -> CheckpointReader:
    """A reader of a checkpoint (a prefix, or a folder: its latest checkpoint)."""
    return CheckpointReader(_prefix_of(ckpt_dir_or_file))


def _prefix_of(ckpt_dir_or_file) -> str:
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"No checkpoint found in the folder {path!r} (its 'checkpoint' file names none).")
        return latest
    return path
