"""Medians, ratios, targets and the two renderings of them: the terminal table and RESULTS.md."""
from __future__ import annotations

import statistics
import time

from .spec import ORDER, TARGETS, THROUGHPUT_ROWS, WORKLOADS

NAMES = {"chainrule": "chainrule", "torch": "PyTorch"}
ROW_LABELS = {"train": "train", "predict": "predict", "eager": "eager", "compiled": "compiled",
              "step": "train step", "batch 1": "batch 1", "batch 8": "batch 8"}
COMPILED_NAMES = {"chainrule": "chainrule.function", "torch": "torch.jit.trace"}


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# ---------------------------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------------------------

def summarize(results: dict, frameworks) -> dict:
    """``{workload: {"rows": {row: {fw: medians}}, "rss": {fw: ...}, "errors": {...}, "info": {...}}}``."""
    summary = {}
    for w in ORDER:
        if w not in results:
            continue
        entry = {"rows": {}, "rss": {}, "rss_base": {}, "errors": {}, "info": {}, "runs": {}}
        refs = []  # W7: numpy's reference rate, measured in every child
        for fw in frameworks:
            runs = results[w].get(fw, [])
            ok = [r for r in runs if "error" not in r]
            entry["runs"][fw] = len(ok)
            errors = [r["error"] + ("" if not r.get("stderr_tail") else ": " + r["stderr_tail"][-1])
                      for r in runs if "error" in r]
            if errors:
                entry["errors"][fw] = errors
            if not ok:
                continue
            entry["rss"][fw] = _median([r.get("peak_rss_mib") for r in ok])
            entry["rss_base"][fw] = _median([r.get("rss_before_timing_mib") for r in ok])
            entry["info"][fw] = ok[-1].get("info", {})
            for row in WORKLOADS[w].rows:
                rows = [r["rows"][row] for r in ok if row in r["rows"]]
                if not rows:
                    continue
                secs = [x["seconds"] for x in rows]
                m = {"seconds": _median(secs), "min": min(secs), "max": max(secs), "n": len(rows),
                     "what": rows[0]["what"], "items": rows[0].get("items"), "item": rows[0].get("item")}
                cpus = [x["cpu_seconds"] for x in rows if x.get("cpu_seconds") is not None]
                if cpus:
                    m.update(cpu=_median(cpus), cpu_min=min(cpus), cpu_max=max(cpus))
                for key in ("acc", "loss", "gflops", "gflops_all"):
                    if any(key in x for x in rows):
                        m[key] = _median([x.get(key) for x in rows])
                if "acc" in m:
                    accs = [x["acc"] for x in rows if x.get("acc") is not None]
                    m["acc_range"] = (min(accs), max(accs)) if accs else None
                refs += [x for x in rows if "numpy_step_seconds" in x]
                entry["rows"].setdefault(row, {})[fw] = m
        if refs:  # W7: the hand-fused numpy step and numpy's matmul rate, measured in every child
            for key in ("numpy_step_seconds", "numpy_step_cpu_seconds", "numpy_gflops", "numpy_gflops_all"):
                entry[key] = _median([x.get(key) for x in refs])
        summary[w] = entry
    return summary


def _get(summary, w, row, fw, key="seconds"):
    return summary.get(w, {}).get("rows", {}).get(row, {}).get(fw, {}).get(key)


def _cpu(summary, w, row, fw):
    """The median CPU seconds of a row (its wall seconds for a run that recorded no CPU time)."""
    m = summary.get(w, {}).get("rows", {}).get(row, {}).get(fw, {})
    return m.get("cpu", m.get("seconds"))


def time_ratio(summary, w, row, key="cpu"):
    """chainrule's median time / PyTorch's for a row: on CPU time (``key='cpu'``) or wall time ('seconds')."""
    get = _cpu if key == "cpu" else _get
    cr, pt = get(summary, w, row, "chainrule"), get(summary, w, row, "torch")
    return cr / pt if cr and pt else None


def numpy_step_pct(summary, w, key="cpu"):
    """W7: the hand-fused numpy step's median time / chainrule's step's, in percent (100: as fast)."""
    entry = summary.get(w, {})
    if key == "cpu":
        ref, cr = entry.get("numpy_step_cpu_seconds"), _cpu(summary, w, "step", "chainrule")
    else:
        ref, cr = entry.get("numpy_step_seconds"), _get(summary, w, "step", "chainrule")
    return 100.0 * ref / cr if ref and cr else None


def evaluate_targets(summary) -> list:
    """``[(target, measured text, status)]`` with status ``met``/``missed``/``n/a``."""
    out = []
    for t in TARGETS:
        if t.workload not in summary:
            continue
        measured, ok = "needs both frameworks", None
        if t.kind == "time_ratio":
            cr, pt = _cpu(summary, t.workload, t.row, "chainrule"), _cpu(summary, t.workload, t.row, "torch")
            wall = time_ratio(summary, t.workload, t.row, "seconds")
            if cr and pt:
                r = cr / pt
                ok = r <= t.limit
                if t.row in THROUGHPUT_ROWS:
                    what = "throughput" if t.row == "predict" else "steps/s"
                    measured = (f"{pt / cr:.2f}x PyTorch's {what} on CPU time ({cr:.3f} s vs {pt:.3f} s); "
                                f"wall {1 / wall:.2f}x")
                else:
                    measured = f"{r:.2f}x on CPU time ({cr:.2f} s vs {pt:.2f} s); wall {wall:.2f}x"
        elif t.kind == "acc_diff":
            cr, pt = (_get(summary, t.workload, t.row, fw, "acc") for fw in ("chainrule", "torch"))
            if cr is not None and pt is not None:
                ok = abs(cr - pt) <= t.limit
                measured = f"{cr:.2f}% vs {pt:.2f}% ({cr - pt:+.2f} points)"
        elif t.kind == "rss_ratio":
            rss = summary[t.workload]["rss"]
            if rss.get("chainrule") and rss.get("torch"):
                ok = rss["chainrule"] <= t.limit * rss["torch"]
                measured = (f"{rss['chainrule']:.0f} MiB vs {rss['torch']:.0f} MiB "
                            f"({rss['chainrule'] / rss['torch']:.2f}x)")
        elif t.kind == "speedup":
            eager = _cpu(summary, t.workload, "eager", "chainrule")
            comp = _cpu(summary, t.workload, "compiled", "chainrule")
            measured = "needs the chainrule run"
            if eager and comp:
                ok = eager / comp >= t.limit
                wall = (_get(summary, t.workload, "eager", "chainrule") /
                        _get(summary, t.workload, "compiled", "chainrule"))
                measured = (f"{eager / comp:.2f}x on CPU time (eager {eager:.2f} s, function {comp:.2f} s); "
                            f"wall {wall:.2f}x")
        elif t.kind == "pct_numpy":
            pct = numpy_step_pct(summary, t.workload)
            measured = "needs the chainrule run"
            if pct:
                ok = pct >= t.limit
                entry = summary[t.workload]
                measured = (f"{pct:.0f}% on CPU time ({1e3 * _cpu(summary, t.workload, t.row, 'chainrule'):.1f} ms "
                            f"vs numpy's {1e3 * entry['numpy_step_cpu_seconds']:.1f} ms per step); "
                            f"wall {numpy_step_pct(summary, t.workload, 'seconds'):.0f}%")
        out.append((t, measured, "n/a" if ok is None else "met" if ok else "missed"))
    return out


# ---------------------------------------------------------------------------------------------
# Table rows
# ---------------------------------------------------------------------------------------------

def _fmt_rate(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}" if v >= 10 else f"{v:,.2f}"


def _throughput(summary, w, row, fw, m):
    """Items per CPU second (GFLOP/s for W7's step)."""
    t = m.get("cpu", m["seconds"])
    if row == "step" and m.get("gflops"):
        ref = summary[w].get("numpy_step_cpu_seconds")
        pct = f", {100 * ref / t:.0f}% of the numpy step's speed" if ref else ""
        return f"{m['gflops']:.1f} GFLOP/s{pct}"
    if not m.get("items"):
        return ""
    text = f"{_fmt_rate(m['items'] / t)} {m['item']}/s"
    if row == "compiled":
        eager = _cpu(summary, w, "eager", fw)
        if eager:
            text += f" ({eager / t:.2f}x eager)"
    return text


def _acc_text(m) -> str:
    if m.get("acc") is None:
        return ""
    lo, hi = m.get("acc_range") or (m["acc"], m["acc"])
    return f"{m['acc']:.2f}" + (f" ({lo:.2f}-{hi:.2f})" if m["n"] > 1 else "")


def table_rows(summary) -> tuple:
    header = ["Workload", "Framework", "CPU s", "Range CPU s", "Wall s", "Timed", "Throughput (CPU)",
              "Peak RSS MiB", "Test acc %", "Test loss", "chainrule/PyTorch CPU (wall)", "Targets"]
    statuses = {}
    for t, _, status in evaluate_targets(summary):
        short = {"time_ratio": "time", "acc_diff": "acc", "rss_ratio": "RSS", "speedup": "speedup",
                 "pct_numpy": "% numpy"}[t.kind]
        if t.row == "predict":
            short = "throughput"
        statuses.setdefault((t.workload, t.row), []).append(f"{short} {status}")
    rows = []
    for w, entry in summary.items():
        first = {}
        for row in WORKLOADS[w].rows:
            for fw, m in entry["rows"].get(row, {}).items():
                label = f"{w} {ROW_LABELS.get(row, row)}"
                name = NAMES[fw] + (f" ({COMPILED_NAMES[fw]})" if row == "compiled" else "")
                rss = entry["rss"].get(fw)
                show_rss = fw not in first
                first[fw] = True
                ratio = ""
                if fw == "chainrule":
                    r, r_wall = time_ratio(summary, w, row), time_ratio(summary, w, row, "seconds")
                    ratio = f"{r:.2f}x ({r_wall:.2f}x)" if r else ""
                cpu = "cpu" in m
                rows.append([
                    label, name, f"{m['cpu']:.3f}" if cpu else "",
                    f"{m['cpu_min']:.3f}-{m['cpu_max']:.3f}" if cpu and m["n"] > 1 else "", f"{m['seconds']:.3f}",
                    m["what"], _throughput(summary, w, row, fw, m),
                    f"{rss:.0f}" if rss and show_rss else "",
                    _acc_text(m),
                    f"{m['loss']:.4f}" if m.get("loss") is not None else "",
                    ratio, "; ".join(statuses.get((w, row), [])) if fw == "chainrule" else ""])
        for fw, errors in entry["errors"].items():
            rows.append([w, NAMES[fw], "FAILED", "", "", errors[0][:80], "", "", "", "", "", ""])
    return header, rows


def _text_table(header, rows) -> str:
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = "  ".join("-" * n for n in widths)
    out = ["  ".join(str(h).ljust(n) for h, n in zip(header, widths)), line]
    out += ["  ".join(str(c).ljust(n) for c, n in zip(r, widths)) for r in rows]
    return "\n".join(out)


def _md_table(header, rows) -> str:
    def esc(c):
        return str(c).replace("|", "\\|")
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _targets_rows(summary):
    return ["Target", "Issue", "Measured (CPU time; wall beside)", "Status"], \
        [[t.text, str(t.issue), measured, status] for t, measured, status in evaluate_targets(summary)]


# ---------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------

def _blas_text(machine) -> str:
    pools = machine.get("blas") or []
    parts = []
    for d in pools:
        name = d.get("internal_api") or "?"
        version = d.get("version") or ""
        extra = ", ".join(str(x) for x in (d.get("architecture"), d.get("threading_layer")) if x)
        threads = d.get("num_threads")
        parts.append(f"{name} {version}".strip() + (f" ({extra})" if extra else "")
                     + (f", {threads} thread{'s' if threads != 1 else ''}" if threads is not None else "")
                     + (f" [{d['note']}]" if d.get("note") else ""))
    return "; ".join(parts) or "unknown"


def _mode_text(meta) -> str:
    s = meta["sizes"]
    mode = meta["mode"]
    parts = [f"{mode} mode", f"{meta['repeats']} run(s) of each framework per workload, alternating"]
    parts.append(f"W2 {s['w2_iters']:,} iterations" + (" (the seed's 10,000)" if s["w2_iters"] == 10_000 else
                                                        " (the seed runs 10,000: `--full`)"))
    if s.get("train_n"):
        parts.append(f"MNIST/Fashion-MNIST training on the first {s['train_n']:,} images")
    if s.get("imdb_train_n"):
        parts.append(f"IMDB on the first {s['imdb_train_n']:,} train / {s['imdb_test_n']:,} test reviews")
    parts.append(f"W5 {s['w5_steps']:,} steps per batch size, W6 {s['w6_calls']:,} calls, W7 {s['w7_steps']} steps")
    if s.get("w8b_iters"):
        parts.append(f"W8b {s['w8b_iters']} iterations")
    return "; ".join(parts)


def _machine_lines(meta):
    m = meta["machine"]
    torch = m.get("torch")
    return [
        f"CPU: {m.get('cpu')}, {m.get('cores')} logical cores"
        + (f", {m['mem_gib']:.0f} GiB RAM" if m.get("mem_gib") else ""),
        f"OS: {m.get('os')}; Python {m.get('python')}; numpy {m.get('numpy')}; "
        + (f"torch {torch}" if torch else "torch not installed"),
        f"BLAS (threadpoolctl, in a child with the benchmark's settings): {_blas_text(m)}",
        f"Threads: {m['threads']} for numpy's BLAS (OPENBLAS/OMP/MKL_NUM_THREADS in each child) and "
        f"torch.set_num_threads({m['threads']})",
        f"OPENBLAS_CORETYPE: {_coretype_text(meta)}",
        f"Load average (1/5/15 min) at start {meta.get('loadavg_start')}, at end {meta.get('loadavg_end')}",
    ]


def _coretype_text(meta) -> str:
    """The environment's OPENBLAS_CORETYPE (passed to every child unchanged) and what the children saw."""
    value = meta.get("openblas_coretype")
    seen = sorted({str(v) for v in meta.get("child_coretypes", ())})
    if value:
        text = (f"{value} (set in the environment and passed on unchanged: numpy's OpenBLAS runs that core's "
                f"kernels instead of the ones it detects)")
    else:
        text = "not set (OpenBLAS picks its kernels for the CPU it detects)"
    if seen and seen != [str(value)]:
        text += f"; the runs saw {', '.join(seen)}"
    return text


def text_report(summary, meta) -> str:
    header, rows = table_rows(summary)
    theader, trows = _targets_rows(summary)
    out = [f"chainrule benchmarks -- {_mode_text(meta)}"]
    out += _machine_lines(meta)
    out += ["", _text_table(header, rows), "", _text_table(theader, trows)]
    if meta["notes"]:
        out += [""] + [f"note: {n}" for n in meta["notes"]]
    out.append(f"\ntotal time {meta['elapsed'] / 60:.1f} min")
    return "\n".join(out)


def markdown_report(summary, meta) -> str:
    header, rows = table_rows(summary)
    theader, trows = _targets_rows(summary)
    date = time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(meta["started"]))
    out = ["# chainrule benchmark results", ""]
    if meta["mode"] == "quick":
        out += ["> **Quick mode**: data subsets and 1 run each, to check the harness. These numbers are not a "
                "measurement; run `make bench` for one.", ""]
    out += [f"- Command: `{meta['command']}`" + (" (run by `make bench`)" if meta.get("via_make") else ""),
            f"- Date: {date}; total time {meta['elapsed'] / 60:.1f} min",
            f"- Mode: {_mode_text(meta)}"]
    out += [f"- {line}" for line in _machine_lines(meta)]
    out += ["", "Each run is a fresh process; the table shows the median over runs (range: fastest-slowest). "
            "Seconds cover the timed part only (see Timed). Test accuracy/loss come from each framework's "
            "predicted probabilities on the test set, computed by the same numpy code. CPU s is the process's "
            "user + system CPU time of the timed part, wall s its elapsed time; chainrule/PyTorch is the ratio of "
            "median CPU seconds, the wall-time ratio in parentheses (below 1: chainrule is faster). The targets "
            "are read on CPU time: the runs are single-threaded, and on a shared machine CPU time leaves out the "
            "time a run waited for a core. Peak RSS is `ru_maxrss` of the run's process (imports, data and "
            "training). Method: `benchmarks/README.md`.", "",
            "## Results", "", _md_table(header, rows), "", "## Targets", "", _md_table(theader, trows), "",
            "Where the time goes for each missed target (a profile per step against a hand-written numpy "
            "floor): `benchmarks/GAPS.md`."]
    info = []
    for w, entry in summary.items():
        for fw, d in entry["info"].items():
            if d:
                info.append(f"- {w} {NAMES[fw]}: " + ", ".join(f"{k}={v}" for k, v in d.items()))
        if "numpy_step_cpu_seconds" in entry:
            info.append(f"- {w}: the hand-fused numpy step (`workloads.FusedNumpyStep`, median over every run's "
                        f"child) {1e3 * entry['numpy_step_cpu_seconds']:.1f} ms CPU, "
                        f"{1e3 * entry['numpy_step_seconds']:.1f} ms wall per step. numpy's float32 matmul rate on "
                        f"the 5 matmuls a step needs {entry['numpy_gflops']:.1f} GFLOP/s (best of 15); with the "
                        f"input-gradient matmul (3 x forward FLOPs) {entry['numpy_gflops_all']:.1f} GFLOP/s, chainrule "
                        f"{_get(summary, w, 'step', 'chainrule', 'gflops_all') or 0:.1f} GFLOP/s on that count")
    out += ["", "## Memory", "",
            "RSS just before the timed part (interpreter, imports, data, model) and the peak over the whole run; "
            "their difference is what training (and the test-set prediction after it) added. Medians over runs.",
            "", _md_table(*_memory_rows(summary))]
    notes = list(meta["notes"])
    if info or notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in notes] + info
    return "\n".join(out) + "\n"


def _memory_rows(summary):
    header = ["Workload", "Framework", "RSS before timing MiB", "Peak RSS MiB", "Added MiB"]
    rows = []
    for w, entry in summary.items():
        for fw, peak in entry["rss"].items():
            base = entry["rss_base"].get(fw)
            rows.append([w, NAMES[fw], f"{base:.0f}" if base else "", f"{peak:.0f}" if peak else "",
                         f"{peak - base:.0f}" if base and peak else ""])
    return header, rows
