"""WASI preview 1 (``wasi_snapshot_preview1``) for zerowasm: all 46 functions, sandboxed.

    import zerowasm
    from zerowasm.wasi import Wasi, WasiConfig, INHERIT

    config = WasiConfig(args=["prog", "--flag"], env={"LANG": "C"}, stdout=INHERIT)
    config.preopen("./data", "/data", readonly=True)
    with Wasi(config) as wasi:
        instance = runtime.instantiate(module, wasi.imports())
        exit_code = wasi.run(instance)

See docs/wasi.md for the sandbox's guarantees and limits.
"""

from ._abi import (
                   MODULE_NAME,
                   Advice,
                   ClockId,
                   EventType,
                   FdFlags,
                   FileType,
                   FstFlags,
                   LookupFlags,
                   OFlags,
                   Rights,
                   Signal,
                   Whence,
)
from ._config import INHERIT, Preopen, WasiConfig
from ._errno import Errno, WasiError
from ._wasi import FUNCTION_NAMES, Wasi

__all__ = [
    "Wasi", "WasiConfig", "Preopen", "INHERIT", "Errno", "WasiError", "MODULE_NAME",
    "FUNCTION_NAMES", "Rights", "FileType", "FdFlags", "OFlags", "LookupFlags", "FstFlags",
    "ClockId", "EventType", "Whence", "Advice", "Signal",
]
