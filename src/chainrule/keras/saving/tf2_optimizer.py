"""tf.keras 2's optimizer layout, both ways: what a ``.h5`` file written for tf.keras 2 holds, and how the
optimizer state of a tf.keras 2 ``.h5`` or ``.keras`` file maps onto chainrule's optimizers.

chainrule's optimizers keep Keras 3's variables: ``iteration``, ``learning_rate``, then per model variable
its slots (``momentum``, ``velocity``...). tf.keras 2 (2.11 to 2.21, the "new" optimizers) keeps
``iteration`` and then blocks of slots, without the learning rate::

    Adam, AdamW   iteration, (m, v) per variable, then vhat per variable when amsgrad
    Nadam         iteration, (m, v) per variable (its u_product is not saved: it follows from iteration)
    SGD           iteration, m per variable -- even without momentum, where Keras 3 has no slot
    RMSprop       iteration, velocity per variable, then momentum (momentum > 0), then average_gradient
                  (centered)
    Adagrad       iteration, accumulator per variable

With ``use_ema`` an ``average`` per variable comes right after ``iteration``. In a ``.h5`` file each
value is named ``<Optimizer>/<slot>/<layer>/<weight>:0`` (``iteration:0`` first); in a tf.keras 2
``.keras`` file they are ``optimizer/vars/0, 1, ...`` in the same order. tf.keras's optimizer config
is written with ``class_name`` ``"Custom>Adam"`` and ``is_legacy_optimizer: false``, which is what
tf.keras 2's loader needs to rebuild the optimizer (not its legacy one) and take the weights.

The older "legacy" optimizers (tf.keras up to 2.10, ``tf.keras.optimizers.legacy``) name their slots
``<Optimizer>/<layer>/<weight>/<slot>:0`` (``m``, ``v``, ``vhat``, ``momentum``, ``rms``, ``mg``,
``accumulator``) and store hyper-parameters as variables (``Adam/beta_1:0``); their slots map too.
"""
from __future__ import annotations

import re
import warnings
from typing import Any, Callable

import numpy as np

from ...ops.updates import NadamProduct
from . import hdf5

# Per optimizer class: blocks of (tf.keras 2 slot, chainrule slot); a block is emitted for every variable
# before the next block starts, its slots interleaved per variable.
# Keyed by the class name _class_name gives (callers look it up only once it is known not to be None).
_BLOCKS: dict[Any, Callable[[Any], list]] = {
    "Adam": lambda o: [(("m", "momentum"), ("v", "velocity"))] + ([(("vhat", "velocity_hat"),)] if o.amsgrad else []),
    "AdamW": lambda o: [(("m", "momentum"), ("v", "velocity"))] + ([(("vhat", "velocity_hat"),)] if o.amsgrad
                                                                   else []),
    "Nadam": lambda o: [(("m", "momentum"), ("v", "velocity"))],
    "Adamax": lambda o: [(("m", "momentum"), ("u", "norm"))],
    "SGD": lambda o: [(("m", "momentum"),)],
    "RMSprop": lambda o: [(("velocity", "velocity"),)] + ([(("momentum", "momentum"),)] if o.momentum > 0 else [])
    + ([(("average_gradient", "average_gradient"),)] if o.centered else []),
    "Adagrad": lambda o: [(("accumulator", "accumulator"),)],
}
# The legacy optimizers' slot names, as the new optimizers name them (SGD's legacy "momentum" is the new "m":
# see _ALIASES).
_LEGACY_SLOTS = {"m": "m", "v": "v", "vhat": "vhat", "momentum": "momentum", "rms": "velocity",
                 "mg": "average_gradient", "accumulator": "accumulator"}
_ALIASES = {"momentum": "m", "m": "momentum"}
# Config keys tf.keras 2's optimizers do not take (Keras 3 only); written only when they are set.
_KERAS3_ONLY = ("loss_scale_factor", "gradient_accumulation_steps")


def _class_name(optimizer) -> str | None:
    """The tf.keras 2 class whose layout ``optimizer`` follows, or None for one tf.keras 2 does not have."""
    for cls in type(optimizer).__mro__:
        if cls.__name__ in _BLOCKS and cls.__module__.startswith("chainrule."):
            return cls.__name__
    return None


def supports(optimizer) -> bool:
    """True when ``optimizer`` has a tf.keras 2 counterpart whose saved layout is known here.

    Args:
        optimizer: a chainrule optimizer.

    Returns:
        Whether :func:`weights` and :func:`restore` apply.
    """
    return optimizer is not None and _class_name(optimizer) is not None


def _plan(optimizer, n_vars: int) -> list:
    """``[(tf slot, chainrule slot, variable index), ...]`` in tf.keras 2's order, after ``iteration``."""
    blocks = ([(("average", "average"),)] if optimizer.use_ema else []) + _BLOCKS[_class_name(optimizer)](optimizer)
    return [(tf_slot, cr_slot, i) for block in blocks for i in range(n_vars) for tf_slot, cr_slot in block]


def _slot_variable(optimizer, cr_slot: str, variable):
    """chainrule's Variable for ``cr_slot`` of ``variable``, or None when chainrule keeps no such slot."""
    if cr_slot == "average":
        return optimizer._ema_averages[optimizer._get_variable_index(variable)]
    names = [name for name, _ in optimizer._slot_specs()]
    if cr_slot not in names:
        return None
    return optimizer._slots_of(variable)[names.index(cr_slot)]


def _var_name(variable) -> str:
    name = str(variable.name)
    return name[:-2] if name.endswith(":0") else name


def config(optimizer) -> dict:
    """tf.keras 2's ``optimizer_config`` for a ``.h5`` file's ``training_config``.

    Args:
        optimizer: a chainrule optimizer with a tf.keras 2 counterpart (:func:`supports`).

    Returns:
        ``{"class_name": "Custom>Adam", "config": {...}}``: chainrule's config without the Keras 3-only
        keys (kept when set), with ``jit_compile`` and ``is_legacy_optimizer`` as tf.keras 2 writes them.
    """
    cfg = dict(optimizer.get_config())
    for key in _KERAS3_ONLY:
        if cfg.get(key) is None:
            cfg.pop(key, None)
    cfg.update(jit_compile=False, is_legacy_optimizer=False)
    return {"class_name": f"Custom>{_class_name(optimizer)}", "config": cfg}


def weights(optimizer, trainable_variables) -> tuple[list[str], list[np.ndarray]]:
    """The optimizer state as tf.keras 2 writes it in a ``.h5`` file: names and arrays.

    Args:
        optimizer: a chainrule optimizer with a tf.keras 2 counterpart (:func:`supports`).
        trainable_variables: the model's trainable variables (the optimizer's own list is used once it is
            built; before, only ``iteration`` is written, as tf.keras 2 does).

    Returns:
        ``(names, arrays)``: ``iteration:0`` then ``<Optimizer>/<slot>/<variable>:0`` in tf.keras 2's
        order; a slot chainrule does not keep (SGD's ``m`` without momentum) is written as zeros.
    """
    names = ["iteration:0"]
    arrays = [np.asarray(optimizer.iterations.numpy(), dtype=np.int64)]
    if not optimizer.built:  # as tf.keras 2: an optimizer that has not taken a step has only its iteration
        return names, arrays
    variables = list(optimizer._trainable_variables)
    prefix = str(optimizer.name)
    for tf_slot, cr_slot, i in _plan(optimizer, len(variables)):
        variable = variables[i]
        names.append(f"{prefix}/{tf_slot}/{_var_name(variable)}:0")
        slot = _slot_variable(optimizer, cr_slot, variable)
        arrays.append(np.array(slot.numpy(), copy=True) if slot is not None
                      else np.zeros(tuple(variable.shape), dtype=variable.dtype.dtype))
    return names, arrays


def is_chainrule_layout(names) -> bool:
    """True for the Keras 3 layout chainrule wrote before (``iteration``, ``learning_rate``, then slots).

    Args:
        names: the ``weight_names`` of a ``.h5`` file's ``optimizer_weights`` group.

    Returns:
        Whether the names follow chainrule's own (Keras 3) order.
    """
    return len(names) >= 2 and names[0].endswith("iteration:0") and names[1].endswith("learning_rate:0")


def _parse_name(name: str):
    """``(tf slot, variable name)`` from a tf.keras 2 weight name; ``("iteration", None)``; ``("hyper", None)``
    for a legacy optimizer's hyper-parameter variable (``Adam/beta_1``); or None."""
    stem = name[:-2] if name.endswith(":0") else name
    parts = stem.split("/")
    if parts[-1] in ("iteration", "iter") and len(parts) <= 2:
        return "iteration", None
    if len(parts) == 2:
        return "hyper", None
    if len(parts) >= 3 and re.fullmatch(r"m|v|vhat|velocity|momentum|average_gradient|accumulator|average",
                                        parts[1]):
        return parts[1], "/".join(parts[2:])              # new optimizers: Adam/m/dense/kernel
    if len(parts) >= 3 and parts[-1] in _LEGACY_SLOTS:
        return _LEGACY_SLOTS[parts[-1]], "/".join(parts[1:-1])   # legacy optimizers: Adam/dense/kernel/m
    return None


def state(model, arrays, names, path) -> list:
    """``[(optimizer variable, value)]`` restoring tf.keras 2's optimizer state: matched and checked, nothing
    assigned (the caller assigns everything at once, weights included, or nothing).

    The optimizer is built on the model's trainable variables when it is not yet. Values are matched
    by name when every name parses and names the model's variables (a ``.h5`` file), otherwise by
    position in tf.keras 2's order (a ``.keras`` file, or renamed layers). Slots chainrule does not
    keep (SGD's ``m`` without momentum) are left out; Nadam's ``u_product`` is recomputed from
    ``iteration``. A state that fits neither way is skipped with a warning, as tf.keras 2 does, and
    a build made for it is undone.

    Args:
        model: the compiled model.
        arrays: the saved values.
        names: their names (``.h5``), or None (``.keras``: by position).
        path: the file, for messages.
    """
    optimizer = model.optimizer
    if optimizer is None or arrays is None:
        return []
    variables = list(model.trainable_weights)
    saved = None
    if not optimizer.built and variables:
        saved = hdf5.snapshot(optimizer)
        optimizer.build(variables)
    try:
        pairs = _state_pairs(optimizer, arrays, names, path)
    except BaseException:
        if saved is not None:
            hdf5.restore_snapshot(optimizer, saved)
        raise
    if pairs is None and saved is not None:
        hdf5.restore_snapshot(optimizer, saved)
    return pairs or []


def _state_pairs(optimizer, arrays, names, path):
    variables = list(optimizer._trainable_variables)
    assignments = _by_name(optimizer, variables, arrays, names) if names is not None else None
    if assignments is None:
        assignments = _by_position(optimizer, variables, arrays)
    if assignments is None:
        warnings.warn(f"Skipping the optimizer state in {path!r}: it has {len(arrays)} values, which do not fit "
                      f"tf.keras 2's layout for optimizer {optimizer.name!r} on this model ("
                      f"{1 + len(_plan(optimizer, len(variables)))} values). Training goes on with a fresh "
                      "optimizer state.", stacklevel=5)
        return None
    iteration, pairs = assignments
    bad = [(tuple(v.shape), np.shape(a)) for v, a in pairs if v is not None and tuple(v.shape) != np.shape(a)]
    if bad:
        raise ValueError(f"the optimizer state in the file does not fit the model: shapes {bad[0][1]} in the file "
                         f"for a slot of shape {bad[0][0]}")
    steps = int(np.asarray(iteration))
    out = [(optimizer._iterations, np.asarray(steps, dtype=np.int64))]
    out += [(slot, np.asarray(value, dtype=slot.dtype.dtype)) for slot, value in pairs if slot is not None]
    u_product = getattr(optimizer, "_u_product", None)
    if u_product is not None:  # Nadam: the product of u_t over the steps taken
        value = np.ones((), dtype=u_product.dtype.dtype)
        step = NadamProduct(optimizer.beta_1)
        for t in range(steps):
            value = step.forward(value, t)
        out.append((u_product, value))
    return out


def _by_name(optimizer, variables, arrays, names):
    parsed = [_parse_name(str(n)) for n in names]
    if not parsed or any(p is None for p in parsed) or ("iteration", None) not in parsed:
        return None
    by_var = {_var_name(v): v for v in variables}
    to_cr = {tf: cr for tf, cr, _ in _plan(optimizer, 1)}
    iteration, pairs = None, []
    for (tf_slot, var_name), value in zip(parsed, arrays):
        if tf_slot == "iteration":
            iteration = value
            continue
        if tf_slot == "hyper":  # kept in the config
            continue
        cr_slot = to_cr.get(tf_slot) or to_cr.get(_ALIASES.get(tf_slot, ""))
        if var_name not in by_var or cr_slot is None:
            return None
        pairs.append((_slot_variable(optimizer, cr_slot, by_var[var_name]), value))
    return iteration, pairs


def _by_position(optimizer, variables, arrays):
    plan = _plan(optimizer, len(variables))
    if len(arrays) != 1 + len(plan):
        return None
    return arrays[0], [(_slot_variable(optimizer, cr_slot, variables[i]), value)
                       for (_, cr_slot, i), value in zip(plan, arrays[1:])]
