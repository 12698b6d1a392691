"""Execution engines. See :mod:`.protocol` for the contract every engine implements."""

from __future__ import annotations

from .pycompile import PythonEngine, PythonModule

__all__ = ["PythonEngine", "PythonModule"]
