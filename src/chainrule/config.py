"""``chainrule.config``: TensorFlow's runtime settings, as far as they mean something on one CPU.

chainrule runs on the CPU only: ``list_physical_devices()`` names one CPU
device, a GPU list is empty, and the device and memory settings are
accepted and have nothing to do. ``run_functions_eagerly`` is TensorFlow's
switch for debugging ``tf.function``; ``set_fast_paths(False)`` is
chainrule's switch that turns off every speed-only path at once, and
``set_flush_denormals`` / ``set_compiled_kernels`` turn off one each.
"""
from __future__ import annotations

from ._missing import missing_attribute as _missing_attribute
import collections
import types

from . import backend as _backend
from .backend import (compiled_kernels_after, compiled_kernels_enabled, fast_paths_enabled,  # noqa: F401
                      flush_denormals_enabled, functions_run_eagerly, run_functions_eagerly, set_compiled_kernels,
                      set_fast_paths, set_flush_denormals)

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])

_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_threads = {"intra_op": 0, "inter_op": 0}


def _check_device_type(device_type, what):
    if device_type is not None and not isinstance(device_type, str):
        raise TypeError(f"{what}: device_type must be a string such as 'CPU' or 'GPU', got {device_type!r}.")


def list_physical_devices(device_type=None) -> list:
    """The devices chainrule can use: ``[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]``.

    ``device_type='GPU'`` (or any type but CPU) gives an empty list: chainrule computes on the CPU.
    """
    _check_device_type(device_type, "list_physical_devices")
    return [_CPU] if device_type is None or device_type.upper() == "CPU" else []


def list_logical_devices(device_type=None) -> list:
    """``[LogicalDevice(name='/device:CPU:0', device_type='CPU')]`` (empty for other device types)."""
    _check_device_type(device_type, "list_logical_devices")
    return [LogicalDevice("/device:CPU:0", "CPU")] if device_type is None or device_type.upper() == "CPU" else []


def get_visible_devices(device_type=None) -> list:
    """The visible physical devices: the CPU."""
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type=None) -> None:
    """Accepted for compatibility: hiding the CPU is not possible, hiding GPUs changes nothing."""
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices or [])
    for d in devices:
        if not isinstance(d, PhysicalDevice):
            raise TypeError(f"set_visible_devices: expected PhysicalDevice objects from list_physical_devices(), "
                            f"got {d!r}.")


def get_intra_op_parallelism_threads() -> int:
    """The value last set (0 means 'let the system choose', TensorFlow's default)."""
    return _threads["intra_op"]


def set_intra_op_parallelism_threads(num_threads: int) -> None:
    """Use ``num_threads`` threads inside one op (the BLAS thread pools); 0 leaves the system's choice.

    Applied through ``threadpoolctl`` when it is installed (scikit-learn brings it), otherwise recorded
    only: then set ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS`` before starting Python.

    Raises:
        ValueError: a negative count.
    """
    num_threads = int(num_threads)
    if num_threads < 0:
        raise ValueError(f"set_intra_op_parallelism_threads: num_threads must be 0 or more, got {num_threads}.")
    _threads["intra_op"] = num_threads
    if num_threads:
        try:
            import threadpoolctl  # optional: only this setting needs it
        except ImportError:
            return
        threadpoolctl.threadpool_limits(limits=num_threads, user_api="blas")


def get_inter_op_parallelism_threads() -> int:
    """The value last set (0 means 'let the system choose')."""
    return _threads["inter_op"]


def set_inter_op_parallelism_threads(num_threads: int) -> None:
    """Recorded for compatibility: chainrule runs one op at a time."""
    _threads["inter_op"] = int(num_threads)


def _set_memory_growth(device, enable) -> None:
    """Nothing to do on the CPU."""


def _get_memory_growth(device) -> bool:
    return False


def _enable_op_determinism() -> None:
    """chainrule's ops are deterministic already (seed with ``keras.utils.set_random_seed``)."""


experimental = types.SimpleNamespace(
    set_memory_growth=_set_memory_growth, get_memory_growth=_get_memory_growth,
    enable_op_determinism=_enable_op_determinism, list_physical_devices=list_physical_devices,
    list_logical_devices=list_logical_devices, set_visible_devices=set_visible_devices,
    get_visible_devices=get_visible_devices)

threading = types.SimpleNamespace(
    get_intra_op_parallelism_threads=get_intra_op_parallelism_threads,
    set_intra_op_parallelism_threads=set_intra_op_parallelism_threads,
    get_inter_op_parallelism_threads=get_inter_op_parallelism_threads,
    set_inter_op_parallelism_threads=set_inter_op_parallelism_threads)

del _backend

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
