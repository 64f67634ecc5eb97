"""A raw input stream that seeks forward only, by reading (decompressed or converted inputs)."""

from __future__ import annotations

import io
import os


class ForwardOnlyStream(io.RawIOBase):
    """``readinto`` comes from the subclass and must advance ``self._pos``; ``seek`` forward reads
    and drops bytes (error messages re-read a record at a byte offset further on)."""

    what = "this input"  # named in the error of a backward seek
    _pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        target = offset if whence == os.SEEK_SET else self._pos + offset
        if target < self._pos or whence == os.SEEK_END:
            raise io.UnsupportedOperation(f"{self.what} only seeks forward")
        sink = bytearray(1 << 16)
        while self._pos < target:
            if not self.readinto(memoryview(sink)[: min(len(sink), target - self._pos)]):
                break
        return self._pos
