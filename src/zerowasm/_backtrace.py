"""Wasm backtraces from Python tracebacks.

Compiled functions are Python functions named ``f{index}`` whose globals are their
instance's namespace, so a traceback already holds the Wasm call stack: this module picks
those frames out and names them from the module's name section.
"""

from __future__ import annotations

from types import TracebackType
from typing import List, Optional

from ._errors import Frame

__all__ = ["frames_of"]


def frames_of(traceback: Optional[TracebackType]) -> List[Frame]:
    """The Wasm frames of ``traceback``, innermost first."""
    frames: List[Frame] = []
    while traceback is not None:
        frame = traceback.tb_frame
        code = frame.f_code
        if (code.co_filename.startswith("<wasm") and code.co_name[:1] == "f"
                and code.co_name[1:].isdigit()):
            index = int(code.co_name[1:])
            instance = frame.f_globals.get("instance")
            name = module_name = None
            if instance is not None:
                name = instance.module.syntax.names.functions.get(index)
                module_name = instance.module.name
            frames.append(Frame(index, name, module_name))
        traceback = traceback.tb_next
    frames.reverse()
    return frames
