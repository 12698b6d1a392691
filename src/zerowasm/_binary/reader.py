"""A cursor over module bytes: LEB128 integers, names, vectors, limits.

Spec: Core 2.0 §5.2 (binary/values.html) and §5.1 (binary/conventions.html).
Malformed input raises :class:`DecodeError` with the spec suite's messages:

* "integer representation too long": more LEB128 bytes than ``ceil(N / 7)``;
* "integer too large": the last byte carries bits that do not fit N bits (for signed
  integers: that are not a sign extension);
* "unexpected end": the data ends inside a value (``limit`` is the whole data);
* "unexpected end of section or function": a read crosses the end of the current
  section or function body;
* "length out of bounds": a length prefix promises more bytes than remain;
* "malformed UTF-8 encoding": a name is not valid UTF-8.
"""

from __future__ import annotations

import builtins
from typing import Optional

from .._errors import DecodeError
from .._types import Limits, ValType

__all__ = ["Reader", "VALUE_TYPES", "REFERENCE_TYPE_BYTES"]

VALUE_TYPES = {0x7F: ValType.I32, 0x7E: ValType.I64, 0x7D: ValType.F32, 0x7C: ValType.F64,
               0x7B: ValType.V128, 0x70: ValType.FUNCREF, 0x6F: ValType.EXTERNREF}
REFERENCE_TYPE_BYTES = {0x70: ValType.FUNCREF, 0x6F: ValType.EXTERNREF}


class Reader:
    """Reads ``data[pos:limit]``. ``section`` names what is being decoded, for errors."""

    __slots__ = ("data", "pos", "limit", "section")

    def __init__(self, data: bytes, pos: int = 0, limit: Optional[int] = None,
                 section: Optional[str] = None) -> None:
        self.data = data
        self.pos = pos
        self.limit = len(data) if limit is None else limit
        self.section = section

    # -- errors ---------------------------------------------------------------------
    def error(self, message: str, offset: Optional[int] = None) -> DecodeError:
        return DecodeError(message, self.pos if offset is None else offset, self.section)

    def end_error(self) -> DecodeError:
        if self.section is None:
            return self.error("unexpected end")
        return self.error("unexpected end of section or function")

    # -- bytes ------------------------------------------------------------------------
    def at_end(self) -> bool:
        return self.pos >= self.limit

    def byte(self) -> int:
        pos = self.pos
        if pos >= self.limit:
            raise self.end_error()
        self.pos = pos + 1
        return self.data[pos]

    def bytes(self, n: int) -> bytes:
        pos = self.pos
        if pos + n > self.limit:
            raise self.end_error()
        self.pos = pos + n
        return bytes(self.data[pos:pos + n])

    def length(self) -> int:
        """A u32 length prefix that must fit in the remaining bytes."""
        start = self.pos
        n = self.u32()
        if n > self.limit - self.pos:
            raise self.error("length out of bounds", start)
        return n

    def byte_vector(self) -> builtins.bytes:  # (``bytes`` is the method here)
        return self.bytes(self.length())

    def name(self) -> str:
        raw = self.byte_vector()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("malformed UTF-8 encoding") from None

    # -- integers -----------------------------------------------------------------------
    def u32(self) -> int:
        data = self.data
        pos = self.pos
        if pos < self.limit:
            b = data[pos]
            if b < 0x80:
                self.pos = pos + 1
                return b
        return self._unsigned(32)

    def _unsigned(self, bits: int) -> int:
        result = 0
        shift = 0
        max_bytes = (bits + 6) // 7
        for i in range(max_bytes):
            b = self._leb_byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                if i == max_bytes - 1 and b >> (bits - shift) and bits - shift < 7:
                    raise self.error("integer too large", self.pos - 1)
                return result
            shift += 7
        raise self.error("integer representation too long", self.pos - 1)

    def _leb_byte(self) -> int:
        pos = self.pos
        if pos >= self.limit:
            raise self.end_error()
        self.pos = pos + 1
        return self.data[pos]

    def signed(self, bits: int) -> int:
        """A signed LEB128 integer of ``bits`` bits, returned as a Python int."""
        data = self.data
        pos = self.pos
        limit = self.limit
        result = 0
        shift = 0
        max_bytes = (bits + 6) // 7
        for i in range(max_bytes):
            if pos >= limit:
                self.pos = pos
                raise self.end_error()
            b = data[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                if i == max_bytes - 1:
                    # unused bits of the last byte must all equal the sign bit
                    used = bits - (shift - 7)          # bits of this byte that count
                    rest = (b & 0x7F) >> (used - 1)    # sign bit and the unused ones
                    if rest != 0 and rest != (0x7F >> (used - 1)):
                        self.pos = pos
                        raise self.error("integer too large", pos - 1)
                self.pos = pos
                if b & 0x40:
                    return result - (1 << shift)
                return result
        self.pos = pos
        raise self.error("integer representation too long", pos - 1)

    def u64(self) -> int:
        return self._unsigned(64)

    # -- types ------------------------------------------------------------------------
    def value_type(self) -> ValType:
        start = self.pos
        b = self.byte()
        try:
            return VALUE_TYPES[b]
        except KeyError:
            raise self.error("malformed value type", start) from None

    def reference_type(self) -> ValType:
        start = self.pos
        b = self.byte()
        try:
            return REFERENCE_TYPE_BYTES[b]
        except KeyError:
            raise self.error("malformed reference type", start) from None

    def limits(self) -> Limits:
        """Spec: Core 2.0 §5.3.7 (binary/types.html#limits)."""
        flag = self._unsigned(1)      # a 1-bit LEB128 integer: 0 (min) or 1 (min, max)
        if flag == 0x00:
            return Limits(self.u32())
        minimum = self.u32()
        return Limits(minimum, self.u32())
