"""Child process of the memory cases: the peak memory of one instance of a real module.

    python -m benchmarks.memprobe PEER graphviz|quickjs PATH

Prints one JSON line: the process's peak resident set size (bytes) after importing the
runtime and reading the module (``peak_before``), and after loading, instantiating and
running it once (``peak_after``: one render, or ``qjs_init`` and one small eval).
"""

from __future__ import annotations

import gc
import json
import sys

SMALL_SCRIPT = "[1, 2, 3].map(x => x * 2).join()"


def peak_rss() -> int:
    """The peak resident set size of this process so far, in bytes.

    Linux: ``VmHWM`` of /proc/self/status, which belongs to this program's address
    space (``ru_maxrss`` survives ``exec`` and would report the parent's peak).
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def main(argv: list) -> int:
    peer_name, kind, path = argv
    from . import workloads
    from .peers import GraphvizSession, QuickJSSession, peer_by_name
    peer = peer_by_name(peer_name)
    if peer.skip:
        print(peer.skip, file=sys.stderr)
        return 2
    with open(path, "rb") as f:
        data = f.read()
    gc.collect()
    before = peak_rss()
    if kind == "graphviz":
        workloads.check_svg(GraphvizSession(peer, data).render(workloads.DOT_SOURCE))
    else:
        result = QuickJSSession(peer, data).eval(SMALL_SCRIPT)
        if result != '"2,4,6"':
            raise AssertionError("quickjs returned %r" % result)
    after = peak_rss()
    print(json.dumps({"peak_before": before, "peak_after": after, "peer": peer_name,
                      "module": kind}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
