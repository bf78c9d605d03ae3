"""Argument checks of compile/fit/evaluate/predict, run once per call (never per batch)."""
from __future__ import annotations

import numbers

import numpy as np

from ... import nest
from ...errors import InvalidArgumentError
from ..callbacks.base import Callback
from ..callbacks.callback_list import CallbackList


def class_weight_table(class_weight, what="fit") -> np.ndarray:
    """``class_weight`` checked as tf.keras 2 does, as an array of weights indexed by class.

    It must be a dict whose keys are exactly 0, 1, ..., K-1 (``ValueError`` otherwise, with
    tf.keras's message) and whose values are numbers.
    """
    if not isinstance(class_weight, dict):
        raise TypeError(f"{what}: class_weight must be a dict {{class index: weight}}, e.g. {{0: 1.0, 1: 5.0}}, got "
                        f"{type(class_weight).__name__}.")
    try:
        keys = sorted(class_weight)
    except TypeError:
        keys = None
    if keys is None or any(isinstance(k, bool) or not isinstance(k, (numbers.Integral, float, np.floating))
                           for k in keys) or keys != list(range(len(keys))):
        raise ValueError(f"{what}: Expected `class_weight` to be a dict with keys from 0 to one less than the number "
                         f"of classes, found {class_weight}")
    table = []
    for i in range(len(keys)):
        value = class_weight[i]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{what}: class_weight[{i}] must be a number, got {value!r}.")
        table.append(float(value))
    return np.asarray(table, dtype=np.float32)


def _labels(y, what):
    """Integer class labels of ``y`` (argmax of one-hot rows); ``ValueError`` for non-integer targets."""
    y = np.asarray(y)
    if y.ndim > 1 and y.shape[-1] > 1:
        return np.argmax(y, axis=-1).reshape(-1)
    flat = y.reshape(-1)
    if flat.dtype.kind in "fc":
        fractional = flat != np.round(flat)
        if fractional.any():
            example = float(flat[fractional][0].real)
            raise ValueError(f"{what}: class_weight needs integer class labels (or one-hot rows), but y has "
                             f"non-integer values such as {example:.4g}; for regression pass sample_weight "
                             "instead.")
        return flat.real.round().astype(np.int64)
    return flat.astype(np.int64)


def class_weights_to_sample_weight(y, class_weight, sample_weight, what="fit"):
    """Per-sample weights from ``class_weight`` (a dict, or :func:`class_weight_table`'s array) and ``y``.

    Only for single-output models (``ValueError`` otherwise, as tf.keras); a label that has no
    weight raises ``InvalidArgumentError`` naming it and the number of classes.
    """
    if isinstance(y, (list, tuple, dict)):
        if len(y) != 1:
            raise ValueError(f"{what}: `class_weight` is only supported for Models with a single output.")
        y = next(iter(y.values())) if isinstance(y, dict) else y[0]
    table = class_weight if isinstance(class_weight, np.ndarray) else class_weight_table(class_weight, what)
    labels = _labels(y, what)
    bad = (labels < 0) | (labels >= len(table))
    if bad.any():
        label = int(labels[bad][0])
        raise InvalidArgumentError(f"{what}: y holds the class label {label}, but class_weight gives weights for "
                                   f"{len(table)} classes (0 to {len(table) - 1}); indices[{int(np.argmax(bad))}] = "
                                   f"{label} is not in [0, {len(table)}). Add a weight for every class in y.")
    weights = table[labels]
    if sample_weight is None:
        return weights
    sample_weight = np.asarray(sample_weight)
    if sample_weight.size == weights.size:
        return weights * sample_weight.reshape(weights.shape)
    return weights.reshape((-1,) + (1,) * (sample_weight.ndim - 1)) * sample_weight


def count_argument(value, name, what, meaning="", minimum=1):
    """``value`` as an int >= ``minimum``: TypeError for strings and fractions, ValueError when too small."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or (
            not isinstance(value, numbers.Integral) and not float(value).is_integer()):
        shown = f"{value!r} ({type(value).__name__})"
        raise TypeError(f"{what}: {name} must be an integer, got {shown}"
                        f"{'; pass an int such as ' + repr(int(float(value))) if _looks_numeric(value) else ''}.")
    value = int(value)
    if value < minimum:
        rule = "a positive integer" if minimum == 1 else f">= {minimum}"
        raise ValueError(f"{what}: {name} must be {rule}{f' ({meaning})' if meaning else ''}, got {value}.")
    return value


def _looks_numeric(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def verbosity(verbose, what) -> int:
    """``'auto'`` -> 1; otherwise an int (0 silent, 1 progress bar, 2 one line per epoch)."""
    if verbose == "auto":
        return 1
    if isinstance(verbose, numbers.Integral) or (isinstance(verbose, numbers.Real) and float(verbose).is_integer()):
        return int(verbose) if isinstance(verbose, numbers.Integral) else int(float(verbose))
    raise TypeError(f"{what}: verbose must be 'auto', 0 (silent), 1 (progress bar) or 2 (one line per epoch), "
                    f"got {verbose!r}.")


def check_callbacks(callbacks, what):
    """``callbacks`` must be a list (or tuple) of Callback instances."""
    if callbacks is None:
        return
    if isinstance(callbacks, CallbackList):
        return
    if isinstance(callbacks, Callback):
        name = type(callbacks).__name__
        raise TypeError(f"{what}: callbacks must be a list of Callback instances, got {name}; wrap it: "
                        f"callbacks=[{name}(...)].")
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"{what}: callbacks must be a list of Callback instances, got {type(callbacks).__name__}.")
    for i, c in enumerate(nest.flatten(list(callbacks))):  # nested lists are flattened, as in tf.keras
        if isinstance(c, type) and issubclass(c, Callback):
            raise TypeError(f"{what}: callbacks[{i}] is the class {c.__name__}, not an instance; create it: "
                            f"callbacks=[{c.__name__}(...)].")
        if not isinstance(c, Callback) and not hasattr(c, "set_model"):
            raise TypeError(f"{what}: callbacks[{i}] is a {type(c).__name__}, not a Callback instance; subclass "
                            "keras.callbacks.Callback (or use keras.callbacks.LambdaCallback).")


def validation_epochs(validation_freq):
    """A predicate on 1-based epoch numbers: every N epochs (an int), or the epochs listed (a container)."""
    if isinstance(validation_freq, numbers.Integral) and not isinstance(validation_freq, bool):
        if validation_freq < 1:
            raise ValueError(f"fit: validation_freq must be a positive integer (validate every N epochs), got "
                             f"{validation_freq}.")
        freq = int(validation_freq)
        return lambda epoch: epoch % freq == 0
    if isinstance(validation_freq, (list, tuple, set, frozenset, range)):
        epochs = set(validation_freq)
        return lambda epoch: epoch in epochs
    raise TypeError(f"fit: validation_freq must be a positive integer (validate every N epochs) or a list of "
                    f"epochs such as [1, 5, 10], got {validation_freq!r}.")


def check_validation_structure(validation_data):
    if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
        return
    if isinstance(validation_data, np.ndarray):
        got = f"an ndarray of shape {validation_data.shape}"
    elif isinstance(validation_data, (tuple, list)):
        n = len(validation_data)
        got = f"a {type(validation_data).__name__} of {n} element{'s' if n != 1 else ''}"
    else:
        got = f"a {type(validation_data).__name__}"
    raise ValueError(f"fit: validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val), "
                     f"got {got}.")


def raise_prefixed(error, prefix):
    """Raise ``error`` again with ``prefix`` before its message (same type, same traceback)."""
    message = str(error)
    if message.startswith(prefix):
        raise error
    try:
        new = type(error)(prefix + message)
    except Exception:
        raise error from None
    raise new.with_traceback(error.__traceback__) from None
