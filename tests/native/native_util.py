"""Helpers shared by the native tier's tests."""

from __future__ import annotations

from typing import Any


def native_functions(instance: Any) -> set:
    """Indices of the instance's functions that run as machine code."""
    module = instance.module.engine_module
    compiled = module.compile() if hasattr(module, "compile") else None
    return set(compiled.native) if compiled is not None else set()
