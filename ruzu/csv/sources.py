"""Opening an input as a byte stream: a plain file, a gzip / zstd / bzip2 compressed one (told
by the file's first bytes, not its name; a pipe's too, peeked through its spool) decompressed
as it is read so memory stays bounded,
or a Parquet / Arrow IPC file, a directory of part files or an in-memory table written out
as CSV batch by batch (``arrow.py``).

Measured on this project's machine (1 GB CSV, one core): gzip (stdlib zlib) ~100–120 MB/s of
CSV, zstd (the ``zstandard`` library) ~155–290 MB/s, bzip2 (stdlib) ~3–8 MB/s.
"""

from __future__ import annotations

import bz2
import gzip
import io
import os
import stat

from ..tuning import ZSTD_READ_SIZE
from .forward_stream import ForwardOnlyStream

MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"BZh", "bz2"),
)


def _decompress_errors() -> tuple[type[BaseException], ...]:
    import zlib

    errors: list[type[BaseException]] = [EOFError, zlib.error, gzip.BadGzipFile]
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:  # pragma: no cover - zstandard is a dependency
        pass
    return tuple(errors)


DECOMPRESS_ERRORS = _decompress_errors()


ARROW_KINDS = ("parquet", "ipc", "memory", "npy")


def input_kind(path: str) -> str:
    """"plain", "gzip", "zstd", "bz2", "parquet", "ipc" or "memory" (a DataFrame being
    copied), from the file's magic bytes. Raises FileNotFoundError / IsADirectoryError."""
    from . import arrow

    if arrow.is_memory_name(path):
        return "memory"
    if os.path.isdir(path):
        kind = arrow.arrow_kind(path)
        if kind is None:
            raise IsADirectoryError(path)
        return kind
    if not stat.S_ISREG(os.stat(path).st_mode):
        return "plain"  # a pipe or FIFO: its first bytes cannot be peeked without losing them
    with open(path, "rb") as f:
        head = f.read(8)
    for magic, name in MAGIC:
        if head.startswith(magic):
            return name
    return arrow.arrow_kind(path, head) or "plain"


def compression_of(path: str) -> str | None:
    """"gzip", "zstd", "bz2" or None (not compressed)."""
    kind = input_kind(path)
    return kind if kind in ("gzip", "zstd", "bz2") else None


def is_arrow_input(path: str) -> bool:
    try:
        return input_kind(path) in ARROW_KINDS
    except OSError:
        return False


def input_size(path: str) -> int:
    """Bytes on disk (0 for an in-memory table)."""
    from . import arrow

    if arrow.is_memory_name(path):
        return 0
    if os.path.isdir(path):
        return sum(os.path.getsize(p) for p in arrow.part_files(path))
    return os.stat(path).st_size


def open_binary(path: str, *, unbuffered: bool = False,
                native: bool = False) -> io.RawIOBase | io.BufferedIOBase:
    """The input's bytes, decompressed or converted to CSV when needed (the caller closes
    it). ``native``: an Arrow input also keeps its nested columns as Arrow arrays (its
    ``native``) for the batch parser. Raises FileNotFoundError / IsADirectoryError like
    ``open``."""
    kind = input_kind(path)
    if kind == "plain":
        from .once import is_one_shot, open_one_shot

        if is_one_shot(path):  # a pipe or FIFO: read through a spool (see once.py)
            raw = open_one_shot(path)
            unpacked = _decompressed_pipe(raw)
            if unpacked is not None:
                return unpacked
            return raw if unbuffered else io.BufferedReader(raw, 1 << 16)
        return open(path, "rb", buffering=0 if unbuffered else -1)  # noqa: SIM115
    if kind in ARROW_KINDS:
        from .arrow import ArrowCsvStream

        stream = ArrowCsvStream(path, kind, native=native)
        return stream if unbuffered else io.BufferedReader(stream, 1 << 16)
    if kind == "gzip":
        return gzip.open(path, "rb")
    if kind == "bz2":
        return bz2.open(path, "rb")
    import zstandard

    raw = open(path, "rb")  # noqa: SIM115 - closed with the reader
    reader = zstandard.ZstdDecompressor().stream_reader(raw, read_size=ZSTD_READ_SIZE,
                                                        closefd=True)
    return _ZstdFile(reader, raw)


def _decompressed_pipe(raw):
    """A pipe's bytes decompressed when its first bytes are a gzip, zstd or bzip2 magic (read
    from the spool, which replays them), else None. ``raw`` seeks back within the spool."""
    head = b""
    while len(head) < 4:
        got = raw.read(4 - len(head))
        if not got:
            break
        head += got
    raw.seek(0)
    kind = next((name for magic, name in MAGIC if head.startswith(magic)), None)
    if kind is None:
        return None
    if kind == "zstd":
        import zstandard

        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_size=ZSTD_READ_SIZE,
                                                            closefd=True)
        return _ZstdFile(reader, raw)
    reader = gzip.GzipFile(fileobj=raw, mode="rb") if kind == "gzip" else bz2.BZ2File(raw)
    return _PipeFile(reader, raw)


class _Decompressed(ForwardOnlyStream):
    """A decompressing reader with ``readinto`` and forward ``seek`` (for error messages that
    re-read a record at a byte offset); ``raw`` is the compressed input (its tell(): the
    compressed bytes taken so far)."""

    close_raw = False  # close ``raw`` too (the reader does not)

    def __init__(self, reader, raw) -> None:
        self._reader = reader
        self.raw = raw
        self._pos = 0

    def readinto(self, b) -> int:
        got = self._reader.readinto(b)
        self._pos += got
        return got

    def close(self) -> None:
        if not self.closed:
            self._reader.close()
            if self.close_raw:
                self.raw.close()
        super().close()


class _PipeFile(_Decompressed):
    """A gzip or bzip2 reader over a pipe's spool reader: closes both."""

    what = "a compressed pipe"
    close_raw = True


class _ZstdFile(_Decompressed):
    """A zstandard stream reader."""

    what = "a zstd stream"


def compressed_position(f) -> int:
    """How many compressed bytes the decompressing reader ``f`` has taken from its file."""
    raw = getattr(f, "fileobj", None) or getattr(f, "_fp", None) or getattr(f, "raw", None)
    try:
        return raw.tell() if raw is not None else 0
    except (OSError, ValueError):
        return 0


def estimated_size(path: str, compressed_size: int, first_bytes: int, complete: bool,
                   compressed_read: int) -> int:
    """The decompressed size of a compressed file: exact when it was read whole or a zstd
    frame records it, else the first read's ratio applied to the whole file (+25 %)."""
    if complete:
        return first_bytes
    kind = input_kind(path)
    if kind in ARROW_KINDS:
        from .arrow import estimated_csv_bytes

        return estimated_csv_bytes(path, kind)
    if kind == "zstd":
        import zstandard

        with open(path, "rb") as f:
            try:
                size = zstandard.frame_content_size(f.read(18))
            except zstandard.ZstdError:
                size = -1
        if size > 0:
            return size
    ratio = first_bytes / compressed_read if compressed_read else 4.0
    return int(compressed_size * max(ratio, 1.0) * 1.25) + 1
