"""Medians, ratios, targets and the two renderings of them: the terminal table and RESULTS.md."""
from __future__ import annotations

import statistics
import time

from .spec import ORDER, TARGETS, WORKLOADS

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
                for key in ("acc", "loss", "gflops", "gflops_all"):
                    if any(key in x for x in rows):
                        m[key] = _median([x.get(key) for x in rows])
                if "acc" in m:
                    accs = [x["acc"] for x in rows if x.get("acc") is not None]
                    m["acc_range"] = (min(accs), max(accs)) if accs else None
                refs += [(x["numpy_gflops"], x["numpy_gflops_all"]) for x in rows if "numpy_gflops" in x]
                entry["rows"].setdefault(row, {})[fw] = m
        if refs:
            entry["numpy_gflops"] = _median([a for a, _ in refs])
            entry["numpy_gflops_all"] = _median([b for _, b in refs])
        summary[w] = entry
    return summary


def _get(summary, w, row, fw, key="seconds"):
    return summary.get(w, {}).get("rows", {}).get(row, {}).get(fw, {}).get(key)


def time_ratio(summary, w, row):
    cr, pt = _get(summary, w, row, "chainrule"), _get(summary, w, row, "torch")
    return cr / pt if cr and pt else None


def evaluate_targets(summary) -> list:
    """``[(target, measured text, status)]`` with status ``met``/``missed``/``n/a``."""
    out = []
    for t in TARGETS:
        if t.workload not in summary:
            continue
        measured, ok = "needs both frameworks", None
        if t.kind == "time_ratio":
            cr, pt = _get(summary, t.workload, t.row, "chainrule"), _get(summary, t.workload, t.row, "torch")
            if cr and pt:
                r = cr / pt
                ok = r <= t.limit
                if t.limit == 1.0 and t.row == "predict":
                    measured = f"{pt / cr:.2f}x PyTorch's throughput ({cr:.3f} s vs {pt:.3f} s)"
                elif t.limit == 0.5:
                    measured = f"{pt / cr:.2f}x PyTorch's steps/s (time ratio {r:.2f})"
                else:
                    measured = f"{r:.2f}x ({cr:.2f} s vs {pt:.2f} s)"
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
            eager = _get(summary, t.workload, "eager", "chainrule")
            comp = _get(summary, t.workload, "compiled", "chainrule")
            measured = "needs the chainrule run"
            if eager and comp:
                ok = eager / comp >= t.limit
                measured = f"{eager / comp:.2f}x (eager {eager:.2f} s, function {comp:.2f} s)"
        elif t.kind == "pct_numpy":
            g = _get(summary, t.workload, t.row, "chainrule", "gflops")
            ref = summary[t.workload].get("numpy_gflops")
            measured = "needs the chainrule run"
            if g and ref:
                pct = 100.0 * g / ref
                ok = pct >= t.limit
                measured = f"{pct:.0f}% ({g:.1f} of {ref:.1f} GFLOP/s)"
        out.append((t, measured, "n/a" if ok is None else "met" if ok else "missed"))
    return out


# ---------------------------------------------------------------------------------------------
# Table rows
# ---------------------------------------------------------------------------------------------

def _fmt_rate(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}" if v >= 10 else f"{v:,.2f}"


def _throughput(summary, w, row, fw, m):
    if row == "step" and m.get("gflops"):
        ref = summary[w].get("numpy_gflops")
        pct = f", {100 * m['gflops'] / ref:.0f}% of numpy" if ref else ""
        return f"{m['gflops']:.1f} GFLOP/s{pct}"
    if not m.get("items"):
        return ""
    text = f"{_fmt_rate(m['items'] / m['seconds'])} {m['item']}/s"
    if row == "compiled":
        eager = _get(summary, w, "eager", fw)
        if eager:
            text += f" ({eager / m['seconds']:.2f}x eager)"
    return text


def _acc_text(m) -> str:
    if m.get("acc") is None:
        return ""
    lo, hi = m.get("acc_range") or (m["acc"], m["acc"])
    return f"{m['acc']:.2f}" + (f" ({lo:.2f}-{hi:.2f})" if m["n"] > 1 else "")


def table_rows(summary) -> tuple:
    header = ["Workload", "Framework", "Median s", "Range s", "Timed", "Throughput", "Peak RSS MiB",
              "Test acc %", "Test loss", "chainrule/PyTorch", "Targets"]
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
                    r = time_ratio(summary, w, row)
                    ratio = f"{r:.2f}x" if r else ""
                rows.append([
                    label, name, f"{m['seconds']:.3f}", f"{m['min']:.3f}-{m['max']:.3f}" if m["n"] > 1 else "",
                    m["what"], _throughput(summary, w, row, fw, m),
                    f"{rss:.0f}" if rss and show_rss else "",
                    _acc_text(m),
                    f"{m['loss']:.4f}" if m.get("loss") is not None else "",
                    ratio, "; ".join(statuses.get((w, row), [])) if fw == "chainrule" else ""])
        for fw, errors in entry["errors"].items():
            rows.append([w, NAMES[fw], "FAILED", "", errors[0][:80], "", "", "", "", "", ""])
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
    return ["Target", "Measured (chainrule vs PyTorch)", "Status"], \
        [[t.text, measured, status] for t, measured, status in evaluate_targets(summary)]


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
        f"Load average (1/5/15 min) at start {meta.get('loadavg_start')}, at end {meta.get('loadavg_end')}",
    ]


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
            "predicted probabilities on the test set, computed by the same numpy code. chainrule/PyTorch is "
            "the ratio of median seconds (below 1: chainrule is faster). Peak RSS is `ru_maxrss` of the run's "
            "process (imports, data and training). Method: `benchmarks/README.md`.", "",
            "## Results", "", _md_table(header, rows), "", "## Targets (issue 8)", "", _md_table(theader, trows)]
    info = []
    for w, entry in summary.items():
        for fw, d in entry["info"].items():
            if d:
                info.append(f"- {w} {NAMES[fw]}: " + ", ".join(f"{k}={v}" for k, v in d.items()))
        if "numpy_gflops" in entry:
            info.append(f"- {w}: numpy's float32 matmul rate on the step's matmuls {entry['numpy_gflops']:.1f} "
                        f"GFLOP/s (the 5 a step needs); with the input-gradient matmul the issue also counts "
                        f"(3 x forward FLOPs): {entry['numpy_gflops_all']:.1f} GFLOP/s, chainrule "
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
