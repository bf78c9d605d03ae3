"""One measurement in a fresh process: ``python -m benchmarks.child --workload W1 --framework torch ...``.

The parent sets the thread variables (OPENBLAS_NUM_THREADS=1, ...) in this process's
environment; they are checked here before numpy or torch is imported, because BLAS reads them
once at load time. The result (the workload's rows plus peak RSS and the BLAS/torch thread
counts actually in force, and ``OPENBLAS_CORETYPE`` as this process saw it) is written as JSON to
``--out``. The framework (chainrule or torch) is imported before the workload starts, so no timed
part pays for it; chainrule's own lazy imports (scipy for sparse data) stay inside the timed part.

``python -m benchmarks.child --info`` prints what the machine's numpy/BLAS/torch are, as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

from .spec import THREAD_VARS


def _set_threads(threads: int):
    for var in THREAD_VARS:
        if os.environ.get(var) != str(threads):
            os.environ[var] = str(threads)  # only effective because nothing has imported numpy yet
    assert "numpy" not in sys.modules, "benchmarks.child: numpy was imported before the thread settings"


def _vm_hwm_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def blas_info():
    """The BLAS libraries loaded in this process, from threadpoolctl (or numpy's build config)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        return [{k: v for k, v in d.items() if k in ("user_api", "internal_api", "version", "num_threads",
                                                       "threading_layer", "architecture", "prefix")}
                for d in threadpool_info()]
    import numpy as np
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        return [{"internal_api": blas.get("name"), "version": blas.get("version"), "num_threads": None,
                 "note": "threadpoolctl is not installed: from numpy's build config, thread count unknown"}]
    except Exception:  # very old numpy
        return [{"note": "threadpoolctl is not installed and numpy's build config is unreadable"}]


def info() -> dict:
    import platform

    import numpy as np
    out = {"python": platform.python_version(), "numpy": np.__version__, "torch": None}
    try:
        if os.environ.get("BENCHMARKS_NO_TORCH"):
            raise ImportError
        import torch
        out["torch"] = torch.__version__
        out["torch_default_threads"] = torch.get_num_threads()
        out["torch_mkldnn"] = bool(torch.backends.mkldnn.is_available())
    except ImportError:
        pass
    out["blas"] = blas_info()  # after torch: it lists torch's OpenMP/MKL pools too
    return out


def _import_framework(framework: str):
    """Import the framework before anything is timed, as a user's program does at its top.

    chainrule is imported with its Keras API and nothing more: what it imports lazily on first use
    (scipy for sparse data, ...) is left to the timed part, which must pay for it.
    """
    if framework == "torch":
        import torch  # noqa: F401
    else:
        import chainrule  # noqa: F401
        from chainrule import keras  # noqa: F401


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload")
    parser.add_argument("--framework", choices=("chainrule", "torch"))
    parser.add_argument("--config", help="JSON config of the run")
    parser.add_argument("--out", help="where to write the JSON result")
    parser.add_argument("--info", action="store_true", help="print the numpy/BLAS/torch setup as JSON")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if args.info:
        _set_threads(args.threads)
        print(json.dumps(info()))
        return 0

    cfg = json.loads(args.config)
    _set_threads(cfg["threads"])
    start = time.perf_counter()
    from . import workloads  # imports numpy: only now
    _import_framework(args.framework)
    result = workloads.run(args.workload, args.framework, cfg)
    result["child_seconds"] = time.perf_counter() - start
    result["child_cpu_seconds"] = time.process_time()
    result["openblas_coretype"] = os.environ.get("OPENBLAS_CORETYPE")
    # ru_maxrss is in KiB on Linux. The parent is kept small (no numpy), so the high-water mark
    # a fresh exec may inherit from it is negligible; VmHWM (this process image only) is kept too.
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["vm_hwm_mib"] = _vm_hwm_mib()
    result["blas"] = blas_info()
    if args.framework == "torch":
        import torch
        result["torch_threads"] = torch.get_num_threads()
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f)
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
