"""Validation: Core 2.0 §3 (valid/index.html), SIMD aside.

``validate_module(module)`` checks a decoded :class:`~zerowasm._syntax.ModuleSyntax`
and returns one :class:`FunctionInfo` per defined function (what the engines need to
know about each body); ``validate_function(module, defined_index)`` checks one body on
its own. Both raise :class:`zerowasm._errors.ValidationError` for invalid input.
"""

from __future__ import annotations

from .info import BlockInfo, FunctionInfo
from .module import validate_function, validate_module, validate_module_rules

__all__ = ["validate_module", "validate_module_rules", "validate_function",
           "FunctionInfo", "BlockInfo"]
