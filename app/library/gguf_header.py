"""A fast reader for the GGUF header: metadata values and the tensor table, no weights.

Why not ``gguf.GGUFReader``: it turns every entry of every metadata array into a numpy view,
which took 11 s for a header with the real model's 201k-token vocabulary and 446k merges.
This parser skips arrays by walking their lengths (a fraction of a second); the ``gguf``
package still gives the type tables (tensor block sizes, file types) in
:mod:`app.library.modelfile`, which validates what is read here.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from typing import Any

_SCALARS = dict(
    zip(
        (0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12),
        ("<B", "<b", "<H", "<h", "<I", "<i", "<f", "<?", "<Q", "<q", "<d"),
        strict=True,
    )
)  # GGUF value types
_STRING, _ARRAY = 8, 9
_KEEP_ARRAY = 4096  # numeric arrays up to this length are kept (e.g. per-layer patterns)


class HeaderTooShort(Exception):
    """The header runs past the end of the file."""


class HeaderCursor:
    """Reads GGUF values from a buffer, raising HeaderTooShort past its end."""

    def __init__(self, buf: mmap.mmap, size: int) -> None:
        self.buf, self.size, self.pos = buf, size, 0

    def take(self, fmt: str) -> Any:
        n = struct.calcsize(fmt)
        if self.pos + n > self.size:
            raise HeaderTooShort
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += n
        return value

    def string(self) -> str:
        n = self.take("<Q")
        if self.pos + n > self.size:
            raise HeaderTooShort
        raw = self.buf[self.pos : self.pos + n]
        self.pos += n
        return raw.decode("utf-8", errors="replace")

    def value(self, vtype: int) -> Any:
        if vtype in _SCALARS:
            return self.take(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            return self.array()
        raise ValueError(f"unknown metadata value type {vtype}")

    def array(self) -> Any:
        etype, count = self.take("<I"), self.take("<Q")
        if etype in _SCALARS:
            width = struct.calcsize(_SCALARS[etype])
            if self.pos + count * width > self.size:
                raise HeaderTooShort
            if count <= _KEEP_ARRAY:
                fmt = "<" + _SCALARS[etype][1] * count
                values = list(struct.unpack_from(fmt, self.buf, self.pos))
                self.pos += count * width
                return values
            self.pos += count * width
            return SkippedArray(count)
        if etype == _STRING:
            buf, pos, size, unpack = self.buf, self.pos, self.size, struct.unpack_from
            for _ in range(count):  # walk the lengths only: vocabularies are huge
                if pos + 8 > size:
                    raise HeaderTooShort
                pos += 8 + unpack("<Q", buf, pos)[0]
            if pos > size:
                raise HeaderTooShort
            self.pos = pos
            return SkippedArray(count)
        return SkippedArray(sum(1 for _ in (self.value(etype) for _ in range(count))))


@dataclass(frozen=True)
class SkippedArray:
    """An array whose elements were not kept; only its length is known."""

    length: int

    def __len__(self) -> int:
        return self.length
