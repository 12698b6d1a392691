"""Tables as machine code sees them: an array of one-word entries beside the Python list.

Theory of operation
-------------------
A table's ``elements`` list holds :class:`~zerowasm._store.function.Function` objects
(what the Python tier calls). When the native tier is on, funcref tables get a
:class:`SyncedElements` list instead: a ``list`` subclass whose mutating methods also
write a native array (``[0]`` = size, ``[1 + i]`` = entry ``i``) in memory reserved for
the table's maximum size, so the array never moves.

An entry is one 64-bit word, written atomically::

    instance_id << 40 | type_id << 24 | function_index

or 0 when native code cannot call the element directly (null, host function, a
function of an instance without native code, ids out of range). ``call_indirect``
compares ``entry >> 24`` with ``instance_id << 16 | expected_type_id`` from its own
context, then calls ``FUNCS[entry & 0xFFFFFF]`` of its own context; anything else takes
the slow path through Python, which applies the spec's checks itself. Because the whole
entry is one word, a reader racing with a writer sees either the old or the new entry,
and an entry that passes the check names a function index of the reader's own instance:
the code it reaches is always valid for the context in ``r15``.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Optional, SupportsIndex

from .codemem import DataMemory

__all__ = ["SyncedElements", "entry_of", "NATIVE_KEY", "empty_table", "synced_elements"]

#: the namespace key under which an instance's native state lives
NATIVE_KEY = "__native__"
_empty: Optional[DataMemory] = None


def empty_table() -> DataMemory:
    """A shared size-0 array: the context entry of a table without a native array."""
    global _empty
    if _empty is None:
        _empty = DataMemory(8)
    return _empty


def entry_of(element: Any) -> int:
    """The native entry for a table element (0: use the slow path)."""
    if element is None:
        return 0
    instance = getattr(element, "instance", None)
    if instance is None or getattr(element, "host", None) is not None:
        return 0
    native = instance.namespace.get(NATIVE_KEY)
    if not native or not native.id:
        return 0
    index = element.index
    type_id = element.type_id
    if index is None or index >= 1 << 24 or type_id >= 1 << 16:
        return 0
    return native.id << 40 | type_id << 24 | index


class SyncedElements(list):
    """A table's element list that mirrors every write into its native array."""

    def __init__(self, items: Iterable[Any], maximum: int) -> None:
        super().__init__(items)
        self.native = DataMemory(8 * (1 + maximum))
        self.maximum = maximum
        self.address = self.native.address
        self._resync()

    # -- synchronisation -------------------------------------------------------------------
    def _resync(self) -> None:
        view = self.native.view
        n = len(self)
        if n > self.maximum:        # pragma: no cover - Table.grow refuses this
            raise ValueError("table grew past its maximum")
        if n < view[0]:
            view[0] = n
        for i, element in enumerate(list.__iter__(self)):
            view[1 + i] = entry_of(element)
        view[0] = n

    def refresh(self, index: int) -> None:
        """Recompute one entry (after the element's instance gained native code)."""
        if 0 <= index < len(self):
            self.native.view[1 + index] = entry_of(list.__getitem__(self, index))

    def refresh_instance(self, instance: Any) -> None:
        view = self.native.view
        for i, element in enumerate(list.__iter__(self)):
            if element is not None and getattr(element, "instance", None) is instance:
                view[1 + i] = entry_of(element)

    # -- the list API ----------------------------------------------------------------------
    def __setitem__(self, index: Any, value: Any) -> None:
        list.__setitem__(self, index, value)
        if isinstance(index, slice) or len(self) != self.native.view[0]:
            self._resync()
        else:
            if index < 0:
                index += len(self)
            self.native.view[1 + index] = entry_of(value)

    def __delitem__(self, index: Any) -> None:
        list.__delitem__(self, index)
        self._resync()

    # ``+=`` takes any iterable while ``+`` takes only a list, as for ``list`` itself
    def __iadd__(self, values: Iterable[Any]) -> SyncedElements:  # type: ignore[misc]
        self.extend(values)
        return self

    def __imul__(self, n: SupportsIndex) -> SyncedElements:
        list.__imul__(self, n)
        self._resync()
        return self

    def extend(self, values: Iterable[Any]) -> None:
        start = len(self)
        list.extend(self, values)
        if len(self) > self.maximum:
            del self[self.maximum:]
            raise ValueError("table grew past its maximum")
        view = self.native.view
        for i in range(start, len(self)):
            view[1 + i] = entry_of(list.__getitem__(self, i))
        view[0] = len(self)

    def append(self, value: Any) -> None:
        self.extend((value,))

    def insert(self, index: Any, value: Any) -> None:
        list.insert(self, index, value)
        self._resync()

    def pop(self, index: Any = -1) -> Any:
        value = list.pop(self, index)
        self._resync()
        return value

    def remove(self, value: Any) -> None:
        list.remove(self, value)
        self._resync()

    def clear(self) -> None:
        list.clear(self)
        self._resync()

    def sort(self, *args: Any, **kwargs: Any) -> None:
        list.sort(self, *args, **kwargs)
        self._resync()

    def reverse(self) -> None:
        list.reverse(self)
        self._resync()


def synced_elements(items: List[Any], maximum: int) -> List[Any]:
    """The factory the native tier installs in ``zerowasm._store.table``."""
    return SyncedElements(items, maximum)
