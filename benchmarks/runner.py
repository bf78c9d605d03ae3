"""``python -m benchmarks [W1 W2 ...] [options]``: plan the runs, run each in a fresh child, report.

For every selected workload the runner alternates the frameworks run by run
(chainrule, PyTorch, chainrule, PyTorch, ...; ``--repeats`` of each), each run a new
``python -m benchmarks.child`` process with the same thread settings, then prints the table
of medians and writes ``benchmarks/RESULTS.md``.

This process imports neither numpy nor torch nor chainrule, so that the children start from
a small parent (see ``child.py`` on peak RSS) and so that nothing here depends on them.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from . import report
from .spec import FRAMEWORKS, MODES, ORDER, THREAD_VARS, WORKLOADS
from .spec import CHAINRULE_ONLY

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_OUTPUT = os.path.join(HERE, "RESULTS.md")


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run chainrule's seed workloads beside PyTorch (when installed), one fresh process per run.",
        epilog="Workloads: " + "; ".join(f"{w}: {WORKLOADS[w].title}" for w in ORDER))
    p.add_argument("workloads", nargs="*", metavar="W",
                   help=f"workloads to run (default: all of {' '.join(ORDER)}; case-insensitive)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true",
                      help="check the harness in a few minutes: 1 run each, data subsets, fewer steps/calls")
    mode.add_argument("--full", action="store_true",
                      help="W2 with the seed's full 10,000 iterations (the default mode already does; "
                           "kept so the command stays valid if the default is ever lowered)")
    p.add_argument("--repeats", type=int, help="runs of each framework per workload (default: 3; --quick: 1)")
    p.add_argument("--threads", type=int, default=1,
                   help="BLAS/OpenMP threads for numpy and torch.set_num_threads (default 1)")
    p.add_argument("--w2-iters", type=int, help="W2 iterations (overrides the mode)")
    p.add_argument("--first-seed", type=int, default=0,
                   help="run r of both frameworks uses seed first_seed + r (default 0)")
    p.add_argument("--no-torch", action="store_true", help="run chainrule only, even if torch is installed")
    p.add_argument("--output", help="write the report here (default: benchmarks/RESULTS.md, but only for a "
                                    "run of every workload outside --quick, so a partial run never replaces it)")
    p.add_argument("--no-write", action="store_true", help="print the table only; do not write the report")
    p.add_argument("--json", metavar="PATH", help="also write every run's raw result as JSON")
    p.add_argument("--timeout", type=float, default=1200.0, help="seconds before a run is killed (default 1200)")
    args = p.parse_args(argv)
    names = {w.lower(): w for w in ORDER}
    chosen = []
    for w in args.workloads:
        if w.lower() not in names:
            p.error(f"unknown workload {w!r}; choose from {' '.join(ORDER)}")
        chosen.append(names[w.lower()])
    args.workloads = [w for w in ORDER if w in chosen] if chosen else list(ORDER)
    args.mode = "quick" if args.quick else "full" if args.full else "default"
    if args.repeats is not None and args.repeats < 1:
        p.error("--repeats must be at least 1")
    if args.threads < 1:
        p.error("--threads must be at least 1")
    return args


def child_env(threads: int) -> dict:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or "unknown"


def mem_total_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def loadavg():
    try:
        return tuple(round(v, 2) for v in os.getloadavg())
    except OSError:
        return None


def machine_info(threads: int, with_torch: bool) -> dict:
    import platform
    info = {"cpu": cpu_model(), "cores": os.cpu_count(), "mem_gib": mem_total_gib(), "os": platform.platform(),
            "threads": threads}
    cmd = [sys.executable, "-m", "benchmarks.child", "--info", "--threads", str(threads)]
    env = child_env(threads)
    if not with_torch:
        env["BENCHMARKS_NO_TORCH"] = "1"
    try:
        out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True)
        info.update(json.loads(out.stdout.strip().splitlines()[-1]))
    except (subprocess.SubprocessError, ValueError, IndexError) as e:
        info["info_error"] = str(e)
    return info


def prepare_data(needed, cache, notes) -> set:
    """Run benchmarks.prepare for the datasets ``needed``; return the ones that are ready."""
    root = os.environ.get("CHAINRULE_DATA")
    if not needed:
        return set()
    if not root:
        notes.append("CHAINRULE_DATA is not set: workloads on real data were skipped (set it to the folder "
                     "holding mnist/, fashion_mnist/ and imdb/, e.g. CHAINRULE_DATA=/work/shared/datasets).")
        return set()
    present = [d for d in needed if os.path.isdir(os.path.join(root, d))]
    for d in needed:
        if d not in present:
            notes.append(f"$CHAINRULE_DATA/{d}/ does not exist (CHAINRULE_DATA={root}): its workloads were skipped.")
    if not present:
        return set()
    print(f"preparing data from {root}: {', '.join(present)} ...", flush=True)
    cmd = [sys.executable, "-m", "benchmarks.prepare", "--cache", cache, *present]
    proc = subprocess.run(cmd, cwd=ROOT, env=child_env(1), capture_output=True, text=True)
    for line in proc.stderr.splitlines():
        if line.startswith("PREPARE-FAILED"):
            notes.append(f"could not load {line[len('PREPARE-FAILED '):]} -- its workloads were skipped.")
    if proc.returncode and not any(n.startswith("could not load") for n in notes):
        notes.append(f"benchmarks.prepare failed: {proc.stderr.strip()[-500:]}")
    return {d for d in present if os.path.isfile(os.path.join(cache, f"{d}.npz"))}


def run_child(workload, framework, cfg, tmp, env, timeout):
    out = os.path.join(tmp, f"{workload}-{framework}-{cfg['seed']}.json")
    cmd = [sys.executable, "-m", "benchmarks.child", "--workload", workload, "--framework", framework,
           "--config", json.dumps(cfg), "--out", out]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}, time.perf_counter() - start
    wall = time.perf_counter() - start
    if proc.returncode != 0 or not os.path.isfile(out):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-12:]
        return {"error": f"exit code {proc.returncode}", "stderr_tail": tail}, wall
    with open(out) as f:
        return json.load(f), wall


def _summary(result) -> str:
    if "error" in result:
        return "FAILED: " + result["error"]
    parts = []
    for name, row in result["rows"].items():
        s = f"{name} {row['seconds']:.3f}s" + (f" ({row['cpu_seconds']:.3f}s CPU)" if "cpu_seconds" in row else "")
        if row.get("acc") is not None:
            s += f" acc {row['acc']:.2f}%"
        parts.append(s)
    parts.append(f"peak RSS {result['peak_rss_mib']:.0f} MiB")
    return ", ".join(parts)


def command_line(argv) -> str:
    exe = os.path.relpath(sys.executable, os.getcwd()) if sys.executable.startswith(os.getcwd()) else sys.executable
    prefix = ""
    if os.environ.get("CHAINRULE_DATA"):
        prefix = f"CHAINRULE_DATA={shlex.quote(os.environ['CHAINRULE_DATA'])} "
    return prefix + shlex.join([exe, "-m", "benchmarks", *argv])


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    sizes = dict(MODES[args.mode])
    repeats = args.repeats or sizes.pop("repeats")
    sizes.pop("repeats", None)
    if args.w2_iters:
        sizes["w2_iters"] = args.w2_iters
    has_torch = importlib.util.find_spec("torch") is not None and not args.no_torch
    frameworks = FRAMEWORKS if has_torch else ("chainrule",)
    notes = []
    if args.no_torch:
        notes.append("--no-torch: PyTorch was not run; ratios are empty.")
    elif not has_torch:
        notes.append("PyTorch is not installed: chainrule only, ratios are empty (pip install torch==2.13.0, "
                     "the CPU build, to compare).")

    started = time.time()
    load_start = loadavg()
    tmp = tempfile.mkdtemp(prefix="chainrule-bench-")
    try:
        machine = machine_info(args.threads, has_torch)
        needed = sorted({d for w in args.workloads for d in WORKLOADS[w].datasets})
        ready = prepare_data(needed, os.path.join(tmp, "data"), notes)
        plan = [w for w in args.workloads if all(d in ready for d in WORKLOADS[w].datasets)]
        skipped = [w for w in args.workloads if w not in plan]
        if skipped:
            notes.append(f"skipped for lack of data: {', '.join(skipped)}.")
        env = child_env(args.threads)
        results = {w: {fw: [] for fw in frameworks} for w in plan}
        total = len(plan) * repeats * len(frameworks)
        total -= repeats * (len(frameworks) - 1) * sum(w in CHAINRULE_ONLY for w in plan)
        k = 0
        for w in plan:
            for r in range(repeats):
                for fw in frameworks:  # alternate: chainrule, torch, chainrule, torch, ...
                    if fw != "chainrule" and w in CHAINRULE_ONLY:
                        continue
                    k += 1
                    cfg = dict(sizes, seed=args.first_seed + r, threads=args.threads,
                               cache=os.path.join(tmp, "data"))
                    print(f"[{k:>2}/{total}] {w:<3} {fw:<9} run {r + 1}/{repeats} ... ", end="", flush=True)
                    result, wall = run_child(w, fw, cfg, tmp, env, args.timeout)
                    result["wall_seconds"] = wall
                    results[w][fw].append(result)
                    print(f"{_summary(result)}  [{wall:.1f} s]", flush=True)
                    if "error" in result and result.get("stderr_tail"):
                        print("      " + "\n      ".join(result["stderr_tail"]), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.time() - started

    runs = [r for w in results.values() for rs in w.values() for r in rs if "error" not in r]
    lazy = sorted({m for r in runs for m in r.get("lazy_imports_before_timing", ())})
    if lazy:
        notes.append(f"{', '.join(lazy)} was already imported when timing started in some runs: chainrule's lazy "
                     f"import of it was not timed there.")
    meta = dict(mode=args.mode, repeats=repeats, sizes=sizes, command=command_line(argv),
                openblas_coretype=os.environ.get("OPENBLAS_CORETYPE"),
                child_coretypes=sorted({str(r.get("openblas_coretype")) for r in runs}),
                via_make=bool(os.environ.get("MAKELEVEL")), started=started,
                elapsed=elapsed, machine=machine, frameworks=frameworks, loadavg_start=load_start,
                loadavg_end=loadavg(), notes=notes, workloads=plan, skipped=skipped)
    summary = report.summarize(results, frameworks)
    print()
    print(report.text_report(summary, meta))
    output = args.output
    if output is None and args.mode != "quick" and list(args.workloads) == list(ORDER):
        output = DEFAULT_OUTPUT
    if args.no_write:
        pass
    elif output is None:
        print(f"\n{os.path.relpath(DEFAULT_OUTPUT)} left as it was (a partial or --quick run); "
              f"--output PATH writes this report")
    else:
        with open(output + ".tmp", "w") as f:
            f.write(report.markdown_report(summary, meta))
        os.replace(output + ".tmp", output)
        print(f"\nwrote {os.path.relpath(output)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "runs": results}, f, indent=1, default=str)
        print(f"wrote {args.json}")
    failed = any("error" in r for w in results.values() for runs in w.values() for r in runs)
    return 1 if failed else 0
