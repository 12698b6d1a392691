"""The per-instance context: one block of 8-byte words that machine code reaches through
``r15``.

Theory of operation
-------------------
Compiled code is instance independent: everything that differs between two instances
of a module (memory base and size, where globals live, table arrays, function
addresses, the type ids ``call_indirect`` compares) is read from the context. The
header is fixed; the arrays after it have sizes that depend only on the module, so
their offsets are known when the module is compiled (:class:`ContextLayout`).

=================  ====================================================================
``OWNER``          thread pointer (``fs:[0]``) of the thread running this instance, 0
                   when idle; taken with ``lock cmpxchg`` by the outermost entry
``ENTRY_FP``       frame pointer of the innermost entry thunk (traps unwind to it)
``MEM_BASE``       linear memory 0's base address (fixed for the memory's life)
``MEM_SIZE``       its current size in bytes (updated by the runtime after a grow)
``STACK_LIMIT``    lowest ``rsp`` a function may run at (set by the outermost entry)
``STACK_BUDGET``   bytes of native stack one outermost entry may use
``DISPATCH``       address of the ctypes callback every call out of native code goes
                   through (imports, Python-tier functions, helpers)
``MEMMOVE``        libc ``memmove`` / ``memset`` (``memory.copy`` / ``memory.fill``)
``INTERRUPT``      nonzero: stop at the next loop header or function entry
``CALL_STATUS``    set to 1 before each call out; the dispatcher clears it on success
                   (so an exception ctypes swallowed at the callback's entry is seen)
``TRACE``          return addresses recorded by the last trap (``TRACE_LEN`` words)
``FUNCS[i]``       code address of function ``i`` (native body or call-out stub)
``GLOBALS[i]``     mutable global: address of its 8-byte cell; immutable: its value bits
``TABLES[i]``      address of table ``i``'s entry array (``[0]`` size, then entries)
``KEYS[k]``        ``instance_id << 16 | type_id`` for module type ``k``
``REFFUNC[i]``     the reference handle of function ``i`` (``ref.func``)
``CALLBACKS[i]``   for a function reached through a call-out stub: a ctypes callback
                   taking its arguments in registers (0: use the dispatcher)
``IO[...]``        arguments and results of calls out, multi-value returns, results
                   handed back to Python
=================  ====================================================================
"""

from __future__ import annotations

__all__ = ["OWNER", "ENTRY_FP", "MEM_BASE", "MEM_SIZE", "STACK_LIMIT", "STACK_BUDGET",
           "DISPATCH", "MEMMOVE", "MEMSET", "INTERRUPT", "CALL_STATUS", "TRACE", "TRACE_LEN",
           "TRACE_COUNT",
           "HEADER_SIZE", "ContextLayout"]

OWNER = 0
ENTRY_FP = 8
MEM_BASE = 16
MEM_SIZE = 24
STACK_LIMIT = 32
STACK_BUDGET = 40
DISPATCH = 48
MEMMOVE = 56
MEMSET = 64
INTERRUPT = 72
CALL_STATUS = 80
TRACE_COUNT = 88
TRACE = 96
TRACE_LEN = 20
HEADER_SIZE = TRACE + 8 * TRACE_LEN


class ContextLayout:
    """Offsets of the context's arrays for one module (all in bytes)."""

    def __init__(self, functions: int, globals_: int, tables: int, types: int,
                 io_words: int) -> None:
        self.functions = functions
        self.globals = globals_
        self.tables = tables
        self.types = types
        self.funcs = HEADER_SIZE
        self.globals_offset = self.funcs + 8 * functions
        self.tables_offset = self.globals_offset + 8 * globals_
        self.keys = self.tables_offset + 8 * tables
        self.callbacks = self.keys + 8 * types
        self.reffunc = self.callbacks + 8 * functions
        self.io = self.reffunc + 8 * functions
        self.io_words = io_words
        self.size = self.io + 8 * io_words

    def as_tuple(self) -> tuple:
        return (self.functions, self.globals, self.tables, self.types, self.io_words)
