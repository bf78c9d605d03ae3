"""The optimizer base class (tf.keras names and defaults, Keras 3 update rules): what every optimizer shares.

An optimizer follows Keras 3's split:

* ``build(var_list)`` creates the per-variable state ("slots": momentum,
  velocity, ...) as non-trainable :class:`~chainrule.Variable` objects of the
  variable's shape and dtype. It runs by itself on the first
  ``apply_gradients``; variables seen for the first time later get their
  slots then.
* ``update_step(gradient, variable, learning_rate)`` updates one variable:
  ``variable.apply_update(<kernel>, gradient, learning_rate, ...slots)`` with
  the optimizer's kernel from :mod:`chainrule.ops.updates`, where the Keras
  formula is written out (``gradient`` is a Tensor of the variable's dtype,
  ``learning_rate`` a 0-d Tensor: the rate Variable or the schedule's value).
  Every change to a variable goes through ``Variable.apply_update``, so a
  step inside ``chainrule.function`` (and ``fit``'s compiled step) is
  recorded and replayed.
* ``apply_gradients(zip(grads, vars))`` skips ``None`` gradients (with
  Keras's warning), casts the rest to each variable's dtype, clips them
  (``clipnorm`` / ``global_clipnorm`` / ``clipvalue``), applies decoupled
  weight decay (``var -= var * weight_decay * lr``), runs ``update_step`` for
  every variable and adds 1 to ``iterations``.

Example::

    opt = chainrule.keras.optimizers.Adam(learning_rate=0.01)
    with chainrule.GradientTape() as tape:
        loss = chainrule.reduce_sum(w * w)
    opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))

State for saving: ``optimizer.variables`` is ``[iteration, learning_rate,
then for each variable in order its slots]`` (Adam: ``momentum, velocity``
per variable), and ``get_weights()`` / ``set_weights()`` read and restore
all of it, so a restored optimizer continues bit for bit.

Speed: a built-in optimizer keeps its variables and slots in one flat buffer per kind (``_FlatGroup``),
so its kernel runs once per step over all of them. With numba installed (the ``fast`` extra), the
kernels of SGD, Adagrad, RMSprop, Adam, AdamW, Adamax and Nadam switch from their numpy formulas to
compiled loops once the process has done enough update work to repay numba's import (the values stay
bit-identical; see :func:`chainrule.config.set_compiled_kernels`).

Learning-rate schedules are in :mod:`.schedules`; each optimizer has its own module.
"""
from __future__ import annotations

import numbers
import re
import warnings
from typing import Any, Callable, Union

import numpy as np

from ... import backend as _backend
from ...autodiff import GradientTape
from ...distribute import sync as _distribute_sync
from ...functions import cast
from ...ops import updates as _updates
from ...tensor import Tensor, Variable, apply_op
from ..._suggest import did_you_mean_argument, init_arguments
from . import schedules
from .schedules import LearningRateSchedule

#: What ``learning_rate=`` accepts: a number, a schedule (called with the step), or a zero-argument callable.
LearningRate = Union[float, LearningRateSchedule, Callable[[], float]]


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _check_positive(name, value):
    if value is not None and (not _is_number(value) or not value > 0):
        raise ValueError(f"`{name}` must be a positive number or None. Received: {name}={value!r}")


def _check_range(cls_name, name, value, low, high, high_inclusive=True):
    ok = _is_number(value) and low <= value and (value <= high if high_inclusive else value < high)
    if not ok:
        bracket = "]" if high_inclusive else ")"
        raise ValueError(f"{cls_name}: `{name}` must be a float in [{low}, {high}{bracket}. Received: "
                         f"{name}={value!r}")


def _slot_base_name(variable) -> str:
    name = str(getattr(variable, "name", "variable"))
    if name.endswith(":0"):
        name = name[:-2]
    return name.replace("/", "_").replace(":", "_")


def _as_learning_rate_value(value, floatx):
    """A float/int/0-d tensor learning rate as a numpy scalar of ``floatx``; None if not such a value."""
    if isinstance(value, Tensor):
        if value._value.size != 1:
            return None
        return np.asarray(value._value, dtype=floatx).reshape(())
    if _is_number(value) or (isinstance(value, np.ndarray) and value.size == 1):
        return np.asarray(value, dtype=floatx).reshape(())
    return None


class Optimizer:
    """Base optimizer: gradient filtering, casting, clipping, weight decay, bookkeeping.

    Args:
        learning_rate: float, a :class:`LearningRateSchedule`, or a
            zero-argument callable returning the rate.
        weight_decay: float or None. If set, every step first does
            ``var -= var * weight_decay * lr`` (decoupled decay, Keras 3).
        clipnorm: clip each gradient to this L2 norm:
            ``g * clipnorm / max(||g||, clipnorm)``.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: scale all gradients together so that their joint
            L2 norm is at most this. Only one of the three clip options may
            be set.
        use_ema: keep an exponential moving average of the variables
            (``avg = m * avg + (1 - m) * var``, ``m = 0`` on the first step).
        ema_momentum: ``m`` of that average.
        ema_overwrite_frequency: copy the average into the variables every
            this many steps (None: only by :meth:`finalize_variable_values`).
        loss_scale_factor: gradients are divided by it (``scale_loss``
            multiplies a loss by it).
        gradient_accumulation_steps: apply the mean gradient every N calls;
            ``iterations`` then counts applied updates.
        name: the optimizer's name.

    Subclasses list their per-variable slots in :meth:`_slot_specs` (or
    override :meth:`build` Keras-style with :meth:`add_variable_from_reference`)
    and implement :meth:`update_step`.

    Raises:
        ValueError: more than one clip option, a non-positive clip value, ``ema_momentum`` outside [0, 1],
            or an unknown keyword argument.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None, global_clipnorm: float | None = None,
                 use_ema: bool = False, ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None, gradient_accumulation_steps: int | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        if "lr" in kwargs:  # the tf.keras < 2.11 argument name
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.", stacklevel=2)
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        if decay:
            warnings.warn("Argument `decay` is no longer supported and will be ignored; use a "
                          "`keras.optimizers.schedules.LearningRateSchedule` instead.", stacklevel=2)
        for legacy in ("jit_compile", "is_legacy_optimizer", "mesh"):  # tf.keras 2.11 config keys
            kwargs.pop(legacy, None)
        if kwargs:
            raise ValueError(f"{type(self).__name__}: argument(s) not recognized: {kwargs}."
                             f"{did_you_mean_argument(init_arguments(type(self)), kwargs)}")

        self.name = type(self).__name__ if name is None else str(name)
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            _check_positive(arg, value)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        if weight_decay is not None and not _is_number(weight_decay):
            raise ValueError(f"`weight_decay` must be a float or None. Received: weight_decay={weight_decay!r}")
        if gradient_accumulation_steps is not None and (
                not isinstance(gradient_accumulation_steps, numbers.Integral) or gradient_accumulation_steps < 2):
            raise ValueError(f"`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             f"gradient_accumulation_steps={gradient_accumulation_steps}")
        if use_ema:
            if not _is_number(ema_momentum) or not 0 <= ema_momentum <= 1:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency is not None and (
                    not isinstance(ema_overwrite_frequency, numbers.Integral) or ema_overwrite_frequency < 1):
                raise ValueError(f"`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                                 f"ema_overwrite_frequency={ema_overwrite_frequency}")
        if loss_scale_factor is not None and (not _is_number(loss_scale_factor) or loss_scale_factor == 0):
            raise ValueError(f"`loss_scale_factor` must be a non-zero float or None. Received: "
                             f"loss_scale_factor={loss_scale_factor!r}")
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = bool(use_ema)
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps

        self.built = False
        self._variables: list = []             # every optimizer Variable, in save order
        self._trainable_variables: list = []   # the model variables, in build order
        self._index: dict = {}                 # id(model variable) -> its index
        self._slots: list = []                 # per model variable: tuple of slot Variables
        self._ema_averages: list = []
        self._accumulators: list = []
        self._workspace: dict = {}             # the update kernels' reusable temporaries, not state
        self._exclude_from_wd_ids: set = set()
        self._exclude_from_wd_pattern = None

        self._iterations = Variable(0, dtype="int64", trainable=False, name="iteration")
        self._variables.append(self._iterations)
        self._learning_rate: Any = None  # a rate Variable, a schedule or a callable, set next
        self._set_learning_rate(learning_rate, initial=True)

    # ------------------------------------------------------------------ learning rate
    def _set_learning_rate(self, learning_rate, initial=False):
        old = self._learning_rate
        if isinstance(learning_rate, LearningRateSchedule) or (
                callable(learning_rate) and not isinstance(learning_rate, Tensor)):
            self._learning_rate = learning_rate
            if isinstance(old, Variable):  # the rate is no longer state
                self._variables = [v for v in self._variables if v is not old]
            return
        value = _as_learning_rate_value(learning_rate, _backend.floatx())
        if value is None:
            raise ValueError(f"Argument `learning_rate` should be float, or an instance of LearningRateSchedule, "
                             f"or a callable (that takes in the current iteration value and returns the "
                             f"corresponding learning rate value). Received instead: learning_rate={learning_rate!r}")
        if not np.isfinite(value) or value < 0:
            shown = learning_rate if _is_number(learning_rate) else float(value)
            raise ValueError(f"{type(self).__name__}: learning_rate must be a finite number >= 0, got {shown}.")
        if isinstance(old, LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its learning rate is not settable. If you "
                            "need the learning rate to be settable, you should instantiate the optimizer with a "
                            "float `learning_rate` argument.")
        if isinstance(old, Variable):
            old.assign(value)
            return
        self._learning_rate = Variable(value, dtype=value.dtype, trainable=False, name="learning_rate")
        self._variables.insert(1, self._learning_rate)

    @property
    def learning_rate(self):
        """The current learning rate.

        A float32 Variable named ``learning_rate`` (``.numpy()``, ``.assign``)
        when the rate is a number; with a schedule, the schedule's value at the
        current ``iterations`` as a float32 Tensor. Assigning a number sets the
        Variable (a ``TypeError`` when the optimizer uses a schedule).
        """
        lr = self._learning_rate
        if isinstance(lr, Variable):
            return lr
        return Tensor(np.asarray(self._current_learning_rate(), dtype=_backend.floatx()))

    @learning_rate.setter
    def learning_rate(self, value):
        self._set_learning_rate(value)

    lr = learning_rate  # tf.keras 2 alias: `optimizer.lr.numpy()`, `optimizer.lr = 0.01`

    def _learning_rate_tensor(self) -> Tensor:
        """The rate for this step as a 0-d Tensor: the rate Variable, or the schedule at ``iterations``.

        A schedule is evaluated with ops on ``iterations`` (recorded in a compiled
        step); a zero-argument callable is called in Python.
        """
        lr = self._learning_rate
        if isinstance(lr, Variable):
            return lr
        value = lr(self.iterations) if isinstance(lr, LearningRateSchedule) else lr()
        if isinstance(value, Tensor):
            return value if value._value.dtype == np.float32 else cast(value, _backend.floatx())
        return Tensor(np.asarray(value, dtype=_backend.floatx()))

    def _current_learning_rate(self) -> float:
        """The learning rate for this step as a Python float (rounded to floatx like a Keras tensor)."""
        lr = self._learning_rate
        if isinstance(lr, Variable):
            return float(lr._value)
        value = self._learning_rate_tensor()
        return float(np.asarray(value.numpy(), dtype=_backend.floatx()))

    # ------------------------------------------------------------------ iterations
    @property
    def iterations(self):
        """The number of updates applied: an int64 Variable (a Tensor ``calls // N`` with gradient accumulation)."""
        if self.gradient_accumulation_steps:
            return self._iterations // np.int64(self.gradient_accumulation_steps)
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations.assign(int(value._value) if isinstance(value, Tensor) else int(value))

    # ------------------------------------------------------------------ variables
    @property
    def variables(self) -> list:
        """``[iteration, learning_rate, slots...]``: per model variable, in build order, its slots."""
        return self._variables[:]

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        """Create and track a non-trainable optimizer Variable.

        ``initializer`` is ``'zeros'``, ``'ones'``, a number (filled in) or a
        callable ``(shape, dtype) -> array``.
        """
        dtype = np.dtype(dtype if dtype is not None else _backend.floatx())
        shape = tuple(int(s) for s in shape)
        if isinstance(initializer, str):
            if initializer not in ("zeros", "ones"):
                raise ValueError(f"add_variable: unknown initializer {initializer!r}; use 'zeros', 'ones', a "
                                 f"number or a callable (shape, dtype) -> array.")
            value = np.zeros(shape, dtype) if initializer == "zeros" else np.ones(shape, dtype)
        elif _is_number(initializer):
            value = np.full(shape, initializer, dtype=dtype)
        else:
            value = np.asarray(initializer(shape, dtype), dtype=dtype)
        variable = Variable(value, dtype=dtype, trainable=False, name=name or "variable")
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot Variable shaped and typed like ``reference_variable``, named ``<var>_<name>``."""
        ref = reference_variable._value
        return self.add_variable(ref.shape, initializer=initializer, dtype=ref.dtype,
                                 name=f"{_slot_base_name(reference_variable)}_{name or 'var'}")

    def _slot_specs(self) -> list:
        """``[(slot_name, initial_value), ...]`` created for every model variable, in this order."""
        return []

    def build(self, var_list):
        """Create the slots of every variable in ``var_list`` not seen before (called by ``apply_gradients``)."""
        specs = self._slot_specs()
        for variable in var_list:
            if id(variable) in self._index:
                continue
            if not isinstance(variable, Variable):
                raise TypeError(f"{type(self).__name__} can only update chainrule Variables; got "
                                f"{type(variable).__name__}. Create one with chainrule.Variable(value).")
            self._index[id(variable)] = len(self._trainable_variables)
            self._trainable_variables.append(variable)
            if self.use_ema:  # tf.keras 2: the average starts at the variable's value
                self._ema_averages.append(self.add_variable_from_reference(
                    variable, "average", initializer=lambda shape, dtype, v=variable: v.numpy()))
            if self.gradient_accumulation_steps:
                self._accumulators.append(self.add_variable_from_reference(variable, "gradient_accumulator"))
            self._slots.append(tuple(self.add_variable_from_reference(variable, slot, initializer=init)
                                     for slot, init in specs))
        self.built = True
        self._flat = _FlatGroup.make(self) if self._flat is None else None

    # A built-in optimizer whose update_step is one kernel call (and is not overridden) updates all its
    # variables at once, from one buffer (see _FlatGroup). Each built-in module adds its update_step here.
    _FLAT_UPDATE_STEPS: set = set()
    _flat = None

    def _get_variable_index(self, variable) -> int:
        return self._index[id(variable)]

    def _slots_of(self, variable) -> tuple:
        """The slot Variables of a model variable, in ``_slot_specs`` order (the flat buffers' for the group)."""
        if self._flat is not None and variable is self._flat.params:
            return self._flat.slots
        return self._slots[self._index[id(variable)]]

    # ------------------------------------------------------------------ Keras-style assign helpers
    # For custom optimizers' ``update_step``, as in Keras 3: each is an update of the variable.
    def assign(self, variable, value):
        """``variable = value``."""
        variable.assign(value)

    def assign_add(self, variable, value):
        """``variable += value``."""
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        """``variable -= value``."""
        variable.assign_sub(value)

    # ------------------------------------------------------------------ applying gradients
    def update_step(self, gradient, variable, learning_rate):
        """Update one variable: ``variable.apply_update(kernel, gradient, learning_rate, ...)``.

        ``gradient``: a Tensor of the variable's shape and dtype; ``learning_rate``: a 0-d Tensor.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement update_step(gradient, variable, "
                                  f"learning_rate).")

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False, **kwargs):
        """Apply ``[(gradient, variable), ...]`` (a zip works); returns ``iterations``.

        A gradient is a Tensor, a numpy array or ``None`` (skipped with a
        warning). Gradients are cast to their variable's dtype. Under a strategy
        with several replicas, the replicas' gradients are combined first (see
        :meth:`apply`) unless ``skip_gradients_aggregation`` (or tf.keras 2's
        ``experimental_aggregate_gradients=False``) says the caller did it.
        """
        skip_gradients_aggregation = skip_gradients_aggregation or not kwargs.get(
            "experimental_aggregate_gradients", True)
        pairs = list(grads_and_vars)
        if pairs:
            for pair in pairs:
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise ValueError(f"apply_gradients expects (gradient, variable) pairs, e.g. "
                                     f"zip(grads, model.trainable_variables); got an element {pair!r}.")
            self.apply([p[0] for p in pairs], [p[1] for p in pairs],
                       skip_gradients_aggregation=skip_gradients_aggregation)
        return self._iterations

    def apply(self, grads, trainable_variables=None, *, skip_gradients_aggregation=False):
        """Keras 3's form: ``grads`` in the order of ``trainable_variables`` (or of the built variables).

        One step, as tf.keras 2's ``apply_gradients``: skip ``None`` gradients, cast,
        (accumulate,) clip, decay, ``update_step`` each variable, update the moving
        averages, ``iterations += 1``, then project each variable with its constraint.

        In a replica step of a strategy with several replicas (``strategy.run``, a ``fit``
        step), the gradients are first combined over the replicas, before anything else
        sees them: one all-reduce over one contiguous buffer holding all of them (see
        ``chainrule.distribute.sync.aggregate_gradients``), so every replica applies the
        same update. ``skip_gradients_aggregation=True`` leaves them as they are.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on "
                                 "a list of variables. Call `optimizer.build(trainable_variables)` first.")
            variables = self._trainable_variables
        else:
            variables = list(trainable_variables)
            if any(id(v) not in self._index for v in variables):
                self.build([v for v in variables if id(v) not in self._index])
                unknown = [v for v in variables if id(v) not in self._index]
                if unknown:
                    raise ValueError(f"Unknown variable: {unknown[0]!r}. This optimizer can only be called for the "
                                     f"variables it was originally built with. When working with a new set of "
                                     f"variables, you should recreate a new optimizer instance.")
        if len(grads) != len(variables):
            raise ValueError(f"{type(self).__name__}: got {len(grads)} gradients for {len(variables)} variables; "
                             f"pass one gradient per variable.")
        grads, variables = self._filter_and_cast(grads, variables)
        if not skip_gradients_aggregation:
            grads = _distribute_sync.aggregate_gradients(grads)  # one all-reduce (nothing with one replica)
        if self.loss_scale_factor is not None:
            grads = [g * (1.0 / self.loss_scale_factor) for g in grads]

        if self.gradient_accumulation_steps:
            self._accumulate_or_update(grads, variables)
        else:
            self._clip_decay_update(grads, variables)
        if self.use_ema:
            self._update_moving_averages(variables)
        self._iterations.apply_update(_updates.AddInPlace(), _ONE)
        for variable in variables:  # as tf.keras: constraints project the variables after the update
            if variable.constraint is not None:
                variable.assign(variable.constraint(variable))

    def _filter_and_cast(self, grads, variables):
        kept_g, kept_v, missing = [], [], []
        for g, v in zip(grads, variables):
            if g is None:
                missing.append(v.name)
                continue
            g = g if isinstance(g, Tensor) else Tensor(np.asarray(g))
            if g._value.shape != v._value.shape:
                raise ValueError(f"{type(self).__name__}: the gradient for variable {v.name!r} has shape "
                                 f"{g._value.shape} but the variable has shape {v._value.shape}; they must match.")
            if g._value.dtype != v._value.dtype:
                g = cast(g, v._value.dtype)
            kept_g.append(g)
            kept_v.append(v)
        if not kept_g:
            raise ValueError(f"No gradients provided for any variable: {missing}. tape.gradient returned None for "
                             "each: the loss does not depend on them through differentiable ops (argmax, casts to "
                             "int and comparisons have no gradient), or it was computed outside the GradientTape.")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss. If you're "
                          f"using `model.compile()`, did you forget to provide a `loss` argument?", stacklevel=4)
        return kept_g, kept_v

    def _clip_decay_update(self, grads, variables):
        grads = self._clip_gradients(grads)
        lr = self._learning_rate_tensor()
        if self.weight_decay is not None:
            decay = _updates.WeightDecay(self.weight_decay, self._workspace)
            for variable in variables:
                if self._use_weight_decay(variable):
                    variable.apply_update(decay, lr)
        self._update_all(grads, variables, lr)

    def _update_all(self, grads, variables, lr):
        """Run ``update_step`` for each pair, or once over the flat buffer when the step updates exactly
        the variables the optimizer keeps there (Nadam hooks in here to advance its shared state first)."""
        flat = self._flat
        if flat is not None and flat.join_gradients and flat.covers(variables):
            self.update_step(apply_op(_updates.ConcatenateFlat(), *grads), flat.params, lr)
            return
        for g, v in zip(grads, variables):
            self.update_step(g, v, lr)

    def _accumulate_or_update(self, grads, variables):
        # Python decides whether this call applies: a compiled step containing it runs eagerly.
        steps = self.gradient_accumulation_steps
        accs = [self._accumulators[self._index[id(v)]] for v in variables]
        for acc, g in zip(accs, grads):
            acc.apply_update(_updates.AddInPlace(), g)
        if (int(self._iterations.numpy()) + 1) % steps:
            return
        mean_grads = [acc / float(steps) for acc in accs]
        self._clip_decay_update(mean_grads, variables)
        for acc in self._accumulators:
            acc.assign(np.zeros_like(acc._value))

    def _clip_gradients(self, grads):
        if self.clipnorm:
            return [apply_op(_updates.ClipGradientByNorm(self.clipnorm), g) for g in grads]
        if self.global_clipnorm:
            norm = apply_op(_updates.GlobalNorm(), *grads)
            return [apply_op(_updates.ClipGradientByGlobalNorm(self.global_clipnorm), g, norm) for g in grads]
        if self.clipvalue:
            return [apply_op(_updates.ClipGradientByValue(self.clipvalue), g) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exclude variables (by object, or by any of ``var_names`` appearing in the name) from weight decay."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_from_wd_ids = {id(v) for v in (var_list or [])}
        self._exclude_from_wd_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_from_wd_ids:
            return False
        pattern = self._exclude_from_wd_pattern
        return pattern is None or pattern.search(variable.name) is None

    # ------------------------------------------------------------------ moving average
    def _update_moving_averages(self, variables):
        """tf.keras 2: ``average = m * average + (1 - m) * var`` every step; every ``ema_overwrite_frequency``
        steps (``(iterations + 1) % freq == 0``) the variables take their averages."""
        average = _updates.MovingAverage(self.ema_momentum, self._workspace)
        for variable in variables:
            self._ema_averages[self._index[id(variable)]].apply_update(average, variable)
        if self.ema_overwrite_frequency:
            overwrite = _updates.TakeAverageEvery(self.ema_overwrite_frequency)
            for variable in variables:
                variable.apply_update(overwrite, self._ema_averages[self._index[id(variable)]], self._iterations)

    def _overwrite_with_averages(self, var_list):
        for variable in var_list:
            index = self._index.get(id(variable))
            if index is not None:
                variable.assign(self._ema_averages[index])

    def finalize_variable_values(self, var_list):
        """With ``use_ema=True``, copy the moving averages into ``var_list`` (end of training)."""
        if self.use_ema:
            self._overwrite_with_averages(var_list)

    # ------------------------------------------------------------------ minimize
    def compute_gradients(self, loss, var_list, tape=None):
        """``[(gradient, variable), ...]`` of ``loss`` (zero-argument callable, or Tensor with ``tape``)."""
        if not callable(loss) and tape is None:
            raise ValueError(f"`tape` is required when a `Tensor` loss is passed. Received: loss={loss}, "
                             f"tape={tape}.")
        if callable(loss):
            tape = GradientTape() if tape is None else tape
            with tape:
                if not callable(var_list):
                    tape.watch(list(var_list))
                loss = self.scale_loss(loss())
                if callable(var_list):
                    var_list = var_list()
        var_list = list(var_list() if callable(var_list) else var_list)
        grads = tape.gradient(loss, var_list)
        return list(zip(grads, var_list))

    def minimize(self, loss, var_list, tape=None):
        """One step on ``loss``: a zero-argument callable returning the loss, or a Tensor recorded on ``tape``.

        ``var_list`` is a list of Variables (or a callable returning one).
        Returns ``iterations``.
        """
        return self.apply_gradients(self.compute_gradients(loss, var_list, tape))

    def scale_loss(self, loss):
        """``loss * loss_scale_factor`` when a factor is set, else ``loss``."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    # ------------------------------------------------------------------ state
    def get_weights(self) -> list:
        """Copies of every optimizer variable's value, in :attr:`variables` order."""
        return [np.array(v._value, copy=True) for v in self._variables]

    def set_weights(self, weights):
        """Restore values from :meth:`get_weights` (build the optimizer on the same variables first)."""
        weights = list(weights)
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been built. Please "
                             "call `optimizer.build(trainable_variables)` to create the optimizer weights before "
                             "calling `set_weights()`.")
        if len(weights) != len(self._variables):
            raise ValueError(f"{type(self).__name__} '{self.name}' has {len(self._variables)} variables but "
                             f"{len(weights)} values were given; build it on the same variables (same order) "
                             f"as the optimizer that was saved.")
        for variable, weight in zip(self._variables, weights):
            weight = np.asarray(weight)
            if tuple(weight.shape) != variable._value.shape:
                raise ValueError(f"Optimizer variable {variable.name!r} has shape {variable._value.shape} not "
                                 f"compatible with provided weight shape {tuple(weight.shape)}.")
        for variable, weight in zip(self._variables, weights):
            variable.assign(np.asarray(weight).astype(variable._value.dtype, copy=False))

    def get_slot_arrays(self) -> list:
        """Copies of the slot arrays only (no ``iteration``/``learning_rate``), in :attr:`variables` order."""
        skip = {id(self._iterations), id(self._learning_rate)}
        return [np.array(v._value, copy=True) for v in self._variables if id(v) not in skip]

    def set_slot_arrays(self, arrays):
        """Restore :meth:`get_slot_arrays` (``iterations`` and the learning rate are left as they are)."""
        skip = {id(self._iterations), id(self._learning_rate)}
        n_slots = sum(id(v) not in skip for v in self._variables)
        values = list(arrays)
        if len(values) != n_slots:
            raise ValueError(f"{type(self).__name__} '{self.name}' has {n_slots} slot arrays but {len(values)} were "
                             f"given; build it on the same variables (same order) as the optimizer that was saved.")
        it = iter(values)
        self.set_weights([v._value if id(v) in skip else next(it) for v in self._variables])

    def save_own_variables(self, store):
        """Write ``store['0'], store['1'], ...`` (Keras 3's ``.keras`` layout)."""
        for i, variable in enumerate(self._variables):
            store[str(i)] = np.array(variable._value, copy=True)

    def load_own_variables(self, store):
        """Read :meth:`save_own_variables`'s store; warns and skips when the counts differ (Keras 3)."""
        if len(store.keys()) != len(self._variables):
            msg = (f"Skipping variable loading for optimizer '{self.name}', because it has {len(self._variables)} "
                   f"variables whereas the saved optimizer has {len(store.keys())} variables. ")
            if not self.built:
                msg += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(msg, stacklevel=2)
            return
        self.set_weights([store[str(i)] for i in range(len(self._variables))])

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """Hyper-parameters: ``name``, ``learning_rate`` (float or serialized schedule), clipping, EMA, ..."""
        lr = self._learning_rate
        learning_rate: Any
        if isinstance(lr, LearningRateSchedule):
            learning_rate = schedules.serialize(lr)
        elif isinstance(lr, Variable):
            learning_rate = float(lr._value)
        else:
            learning_rate = lr
        return {"name": self.name, "learning_rate": learning_rate, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A new optimizer (no state) from :meth:`get_config`'s output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} name={self.name!r}>"


_ONE = Tensor(np.asarray(1, dtype=np.int64))


#: A flat group joins its gradients into one buffer for one kernel call while its variables hold fewer than
#: this many elements per call saved. Joining copies every gradient; each call saved is a few us of Python.
#: Measured in fit: the quickstart MLP (101,770 values in 4 variables, 34,000 per call saved) is ~10 us a step
#: faster joined; W4's MLP (244,522 in 10, 27,000 per call) the same either way; W9's LSTM model (673,000
#: in 6, 135,000 per call) 0.4 ms faster apart, and IMDB's 1024-unit MLP (11.3 million values) spent 11.5 ms
#: of a 107 ms step on the copy.
JOIN_GRADIENTS_BELOW = 1 << 16


class _FlatGroup:
    """An optimizer's variables and their slots, each kind stored in one flat buffer.

    The model variables and their slot Variables stay what they are (names, shapes, saving); only
    their arrays become slices of one buffer per kind (``Variable._storage``), so the optimizer's
    kernel (``AdamStep``...) runs once over everything instead of once per variable: the same Keras
    formula, element by element, with one Python call (for large variables, one call each on their views of
    the buffers: see ``JOIN_GRADIENTS_BELOW``). Made when the optimizer is built, for a
    built-in optimizer with no gradient accumulation, when every variable has the same float dtype
    and none is kept in another optimizer's buffer; otherwise the variables are updated one by one.
    """

    def __init__(self, variables, slots):
        self.variables = list(variables)
        self._ids = [id(v) for v in self.variables]
        dtype = self.variables[0]._value.dtype
        total = sum(v._value.size for v in self.variables)
        #: Whether a step joins the gradients into one buffer for one kernel call (see JOIN_GRADIENTS_BELOW);
        #: otherwise each variable is updated in turn, on its views of the same buffers.
        self.join_gradients = total < JOIN_GRADIENTS_BELOW * (len(self.variables) - 1)
        self.params = self._link(self.variables, total, dtype, "params")
        self.slots = tuple(self._link([s[k] for s in slots], total, dtype, f"slot_{k}")
                           for k in range(len(slots[0]) if slots else 0))

    @staticmethod
    def _link(variables, total, dtype, name):
        buffer = Variable(np.zeros(total, dtype=dtype), trainable=False, name=f"flat_{name}")
        offset = 0
        for v in variables:
            n = v._value.size
            view = buffer._value[offset:offset + n].reshape(v._value.shape)
            np.copyto(view, v._value)
            v._value = v._storage = view
            offset += n
        return buffer

    def unlink(self) -> None:
        """Give the model variables arrays of their own again (the group is being discarded)."""
        for v in self.variables:
            v._value = v._value.copy()
            v._storage = None

    @classmethod
    def make(cls, optimizer):
        variables = optimizer._trainable_variables
        if (type(optimizer).update_step not in Optimizer._FLAT_UPDATE_STEPS or optimizer.gradient_accumulation_steps
                or len(variables) < 2 or any(v._storage is not None for v in variables)
                or len({v._value.dtype for v in variables}) != 1 or variables[0]._value.dtype.kind != "f"):
            return None
        return cls(variables, optimizer._slots)

    def covers(self, variables) -> bool:
        """True when ``variables`` are exactly this group's, in order (and still kept in its buffer)."""
        return len(variables) == len(self._ids) and all(
            id(v) == k and v._storage is not None for v, k in zip(variables, self._ids))
