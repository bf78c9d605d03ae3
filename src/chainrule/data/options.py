"""``chainrule.data.Options``: tf.data's pipeline options, accepted and kept (``Dataset.options()`` returns them).

chainrule runs a pipeline in one Python thread (``prefetch`` adds one
background thread), so most options do not change what happens; they exist so
that programs setting them run, and ``options()`` reports what was set.
Setting a name tf.data does not have raises ``AttributeError`` as TensorFlow does.
"""
from __future__ import annotations

import copy


class _OptionsGroup:
    """A group of options with a fixed set of names (defaults None, as tf.data's)."""

    _fields: dict = {}

    def __init__(self):
        for name, default in self._fields.items():
            object.__setattr__(self, name, default() if callable(default) else default)

    def __setattr__(self, name, value):
        if name not in self._fields:
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")
        object.__setattr__(self, name, value)

    def _merge(self, other):
        """``other``'s values where this group has none (the first ``with_options`` wins, as tf.data)."""
        for name in self._fields:
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, _OptionsGroup):
                mine._merge(theirs)
            elif mine is None:
                object.__setattr__(self, name, theirs)

    def __eq__(self, other):
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self._fields)

    def __repr__(self):
        set_values = {n: getattr(self, n) for n in self._fields if getattr(self, n) is not None}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in set_values.items())})"


class ThreadingOptions(_OptionsGroup):
    """``private_threadpool_size``, ``max_intra_op_parallelism``."""

    _fields = {"private_threadpool_size": None, "max_intra_op_parallelism": None}


class AutotuneOptions(_OptionsGroup):
    """``enabled``, ``cpu_budget``, ``ram_budget``, ``autotune_algorithm``."""

    _fields = {"enabled": None, "cpu_budget": None, "ram_budget": None, "autotune_algorithm": None,
               "initial_parallelism": None}


class DistributeOptions(_OptionsGroup):
    """``auto_shard_policy``, ``num_devices``."""

    _fields = {"auto_shard_policy": None, "num_devices": None}


class OptimizationOptions(_OptionsGroup):
    """tf.data's graph optimizations (none apply to chainrule's Python pipelines)."""

    _fields = {name: None for name in (
        "apply_default_optimizations", "filter_fusion", "filter_parallelization", "inject_prefetch",
        "map_and_batch_fusion", "map_and_filter_fusion", "map_fusion", "map_parallelization", "noop_elimination",
        "parallel_batch", "seq_interleave_prefetch", "shuffle_and_repeat_fusion", "warm_start")}


class Options(_OptionsGroup):
    """tf.data's options: ``deterministic``, ``threading``, ``autotune``, ``experimental_distribute``,
    ``experimental_optimization``, ``experimental_deterministic`` (an alias of ``deterministic``), ...
    """

    _fields = {"deterministic": None, "experimental_external_state_policy": None, "experimental_slack": None,
               "experimental_symbolic_checkpoint": None, "experimental_warm_start": None, "framework_type": None,
               "dataset_name": None, "autotune": AutotuneOptions, "experimental_distribute": DistributeOptions,
               "experimental_optimization": OptimizationOptions, "threading": ThreadingOptions}

    @property
    def experimental_deterministic(self):
        return self.deterministic

    @experimental_deterministic.setter
    def experimental_deterministic(self, value):
        self.deterministic = value

    def __setattr__(self, name, value):
        if name == "experimental_deterministic":
            name = "deterministic"
        super().__setattr__(name, value)

    def merge(self, options) -> "Options":
        """A copy of these options with ``options``' values filled in where these have none."""
        out = copy.deepcopy(self)
        out._merge(options)
        return out


class AutoShardPolicy:
    """How a distributed input is split (accepted; chainrule does not distribute)."""

    OFF, AUTO, FILE, DATA, HINT = -1, 0, 1, 2, 3
