"""The contract between the runtime and an execution engine.

Theory of operation
-------------------
An engine turns validated function bodies into Python callables. Instantiation builds one
*namespace* (a ``dict``) per instance; the engine binds each defined function into it, and
the functions' code reads instance state through the names below. Every callable uses the
*internal value convention*:

* i32/i64: Python ``int`` in the unsigned range (``0 <= v < 2**32`` / ``2**64``);
* f32/f64: Python ``float``; an f32 is a double holding an f32 value exactly, and an f32
  NaN keeps its payload in the top 23 mantissa bits (see ``pycompile.numeric``);
* v128: Python ``int`` in ``0 <= v < 2**128``, the vector's bytes little-endian (lane
  ``i`` of ``w``-bit lanes is bits ``i*w`` to ``i*w+w-1``; see :mod:`zerowasm._simd`);
* funcref: a :class:`zerowasm._store.function.FunctionInstance` or ``None`` (null);
  externref: any Python object, ``None`` being null;
* results: ``None`` for no result, the value for one, a ``tuple`` for several.

Names in an instance namespace (``i`` an index in the module's index space):

=============  ============================================================================
``f{i}``       function ``i`` (imported or defined) as an internal-convention callable
``F{i}``       function ``i``'s FunctionInstance (the value of ``ref.func i``)
``M{i}``       memory ``i``'s current bytes as a ``memoryview`` (format ``B``); rebound by
               the runtime after every grow, so always read it through the namespace
``m{i}``       memory ``i``'s MemoryInstance (``grow(delta) -> old pages or -1``, ...)
``g{i}``       global ``i``: for a mutable global a cell (``g{i}[0]`` reads and writes it);
               for an immutable global the value itself
``t{i}``       table ``i``'s TableInstance; ``T{i}`` its ``elements`` list (same object for
               the table's whole life: grow extends it in place)
``TY{k}``      the process-wide type id of the module's type ``k`` (compare with
               ``FunctionInstance.type_id`` in ``call_indirect``)
``D``          list of data segments' bytes (``b""`` once dropped)
``E``          list of element segments as lists of reference values (``[]`` once dropped)
``instance``   the :class:`zerowasm._instance.Instance`
=============  ============================================================================

plus whatever helper names the engine's ``HELPERS`` mapping provides (copied into every
namespace first).

Errors: generated code raises :class:`zerowasm.Trap` for traps. Python's ``RecursionError``
is turned into ``Trap(CALL_STACK_EXHAUSTED)`` by the runtime at the host boundary.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Protocol

from .._syntax import ModuleSyntax

__all__ = ["Engine", "EngineModule"]


class EngineModule(Protocol):
    """An engine's per-module state (compiled code, caches). Shared by all instances."""

    def bind(self, namespace: Dict[str, Any], function_index: int) -> Callable[..., Any]:
        """Return the callable for defined function ``function_index`` in this namespace.

        May return a stub that compiles the function on its first call and rebinds
        ``f{function_index}`` in the namespace.
        """
        ...


class Engine(Protocol):
    """An execution engine."""

    name: str
    HELPERS: Mapping[str, Any]

    def prepare(self, module: ModuleSyntax, function_infos: Optional[list] = None) -> EngineModule:
        """Per-module preparation; cheap (compilation may be deferred to first call)."""
        ...
