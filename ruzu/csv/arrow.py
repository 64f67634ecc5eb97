"""Parquet files (or a directory of part files), Arrow IPC files and in-memory tables (pandas
and polars DataFrames, pyarrow Tables) as input of the CSV import pipeline.

Each source is read one bounded record batch at a time and written out as CSV (pyarrow's C++
CSV writer: a header of the column names, ``,`` delimiter, ``"`` quotes, NULL an empty unquoted
field, the empty string ``""``, floats in their shortest round-trip form), so the same parser,
column writers, index build and endpoint resolution as for CSV files load it. COPY fills the
table's columns by position (as Kùzu), the CLI by column name. Error line numbers count the
header as line 1 (row i is line i + 1). pyarrow is imported only when such an input is used.
LIST, STRUCT and MAP columns are written as Kùzu's literal text (for error messages and
STRING columns) and, for the import's own parse, also kept as Arrow arrays that become column
values natively (arrow_values.py): strings inside them come back exactly.
"""

from __future__ import annotations

import datetime as dt
import io
import os

from ..tuning import ARROW_BATCH_BYTES
from ..tuning import ARROW_BATCH_ROWS as BATCH_ROWS
from .forward_stream import ForwardOnlyStream

PARQUET_MAGIC = b"PAR1"
IPC_MAGIC = b"ARROW1"
IPC_STREAM_MAGIC = b"\xff\xff\xff\xff"
NPY_MAGIC = b"\x93NUMPY"

# in-memory inputs of a running COPY, by the name that stands for their path ("<df>")
IN_MEMORY: dict[str, object] = {}


def is_memory_name(path: str) -> bool:
    return path in IN_MEMORY


def part_files(directory: str) -> list[str]:
    """The data files of a Spark/Dask/DuckDB output directory, sorted by name (markers such
    as ``_SUCCESS`` and hidden ``.crc`` files left out)."""
    out = []
    for name in sorted(os.listdir(directory)):
        full = os.path.join(directory, name)
        if name.startswith(("_", ".")) or not os.path.isfile(full):
            continue
        out.append(full)
    return out


def arrow_kind(path: str, head: bytes | None = None) -> str | None:
    """"parquet", "ipc", "memory" or None (not an Arrow-family input)."""
    if path in IN_MEMORY:
        return "memory"
    if os.path.isdir(path):
        parts = part_files(path)
        return arrow_kind(parts[0]) if parts else None
    if head is None:
        with open(path, "rb") as f:
            head = f.read(8)
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(IPC_MAGIC) or head.startswith(IPC_STREAM_MAGIC):
        return "ipc"
    if head.startswith(NPY_MAGIC):
        return "npy"
    return None


def _batches(path: str, kind: str):
    import pyarrow as pa

    if kind == "memory":  # converted a slice at a time: no second copy of a whole DataFrame
        obj = IN_MEMORY[path]
        if frame_library(obj) == "npy":  # COPY … BY COLUMN (npy.py)
            yield from obj.batches(BATCH_ROWS)
            return
        if frame_library(obj) == "pyarrow":
            table = to_arrow(obj)
            yield from table.to_batches(max_chunksize=_batch_rows(table.nbytes, table.num_rows))
            return
        for start in range(0, len(obj), BATCH_ROWS):
            piece = obj.iloc[start : start + BATCH_ROWS] if frame_library(obj) == "pandas" \
                else obj.slice(start, BATCH_ROWS)
            yield from to_arrow(piece).to_batches()
        return
    files = part_files(path) if os.path.isdir(path) else [path]
    if kind == "npy":
        from .npy import NpyColumns

        yield from NpyColumns(files).batches(BATCH_ROWS)
        return
    for one in files:
        if kind == "parquet":
            import pyarrow.parquet as pq

            # no pre-buffering and no reader threads: with them pyarrow reads ahead
            # (1 GB file: 609 MB peak RSS for the batches alone; without: 116 MB)
            try:
                with pq.ParquetFile(one, pre_buffer=False, buffer_size=1 << 20) as f:
                    yield from f.iter_batches(batch_size=_parquet_batch_rows(f.metadata),
                                              use_threads=False)
            except pa.ArrowInvalid as e:  # e.g. b"PAR1" and nothing more: a ruzu error
                from ..errors import CsvError

                raise CsvError(f"{one}: not a readable Parquet file ({e})", path=one,
                               reason="invalid Parquet input") from None
        else:
            import pyarrow.ipc as ipc

            with pa.OSFile(one) as source:  # read, not mapped: mapped pages count as RSS
                try:
                    reader = ipc.open_file(source)
                    for i in range(reader.num_record_batches):
                        yield reader.get_batch(i)
                except pa.ArrowInvalid:
                    source.seek(0)
                    try:
                        yield from ipc.open_stream(source)
                    except pa.ArrowInvalid as e:  # e.g. only the magic bytes: not an error
                        from ..errors import CsvError  # a ruzu error, naming the file

                        raise CsvError(f"{one}: not a readable Arrow IPC file or stream ({e})",
                                       path=one, reason="invalid Arrow input") from None


def _batch_rows(nbytes: int, rows: int) -> int:
    """Rows per record batch: BATCH_ROWS, fewer when rows are large (long lists), so that one
    batch holds about ARROW_BATCH_BYTES of values (a batch, its CSV text and the parser's copy
    of it are in memory together)."""
    per_row = nbytes / rows if rows else 0
    return max(1, min(BATCH_ROWS, int(ARROW_BATCH_BYTES / per_row) if per_row else BATCH_ROWS))


def _parquet_batch_rows(meta) -> int:
    """_batch_rows for the largest rows of any row group (sizes as Parquet records them,
    uncompressed)."""
    rows = BATCH_ROWS
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        rows = min(rows, _batch_rows(group.total_byte_size, group.num_rows))
    return rows


def frame_library(obj) -> str | None:
    """"pandas", "polars", "pyarrow" or "npy" for a table COPY can read, else None."""
    from .npy import NpyColumns

    if isinstance(obj, NpyColumns):
        return "npy"
    module = type(obj).__module__.split(".")[0]
    if module in ("pandas", "polars") and hasattr(obj, "columns"):
        return module
    if module == "pyarrow" and type(obj).__name__ in ("Table", "RecordBatch"):
        return "pyarrow"
    return None


def to_arrow(obj):
    """A pyarrow Table of a pandas or polars DataFrame, a pyarrow Table or RecordBatch."""
    import pyarrow as pa

    if isinstance(obj, pa.Table):
        return obj
    if isinstance(obj, pa.RecordBatch):
        return pa.Table.from_batches([obj])
    module = type(obj).__module__.split(".")[0]
    if module == "polars":
        return obj.to_arrow()
    if module == "pandas":
        return pa.Table.from_pandas(obj, preserve_index=False)
    raise TypeError(f"cannot copy from a {type(obj).__name__}: expected a pandas or polars "
                    "DataFrame or a pyarrow Table")


def _csv_ready(batch):
    """Columns the CSV writer can write: dictionaries decoded; LIST, STRUCT and MAP values as
    Kùzu's text (``[1,2]``, ``{id: 1, name: x}``, ``{k=v}``) that the CSV parser reads back."""
    import pyarrow as pa

    arrays = []
    for col in batch.columns:
        if pa.types.is_dictionary(col.type):
            col = col.dictionary_decode()
        text = _numeric_list_text(col)
        if text is not None:
            col = text
        elif pa.types.is_nested(col.type):
            col = pa.array([None if v is None else kuzu_text(v, col.type)
                            for v in col.to_pylist()], pa.string())
        arrays.append(col)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _numeric_list_text(col):
    """A LIST or ARRAY column of numbers as ``[1,2.5]`` text, built by pyarrow's kernels (no
    Python call per value; floats in their shortest round-trip form); NULL lists stay NULL.
    None for other columns, and for lists holding NULL elements (kuzu_text keeps those)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    typ = col.type
    if not (pa.types.is_list(typ) or pa.types.is_fixed_size_list(typ)) or not (
            pa.types.is_integer(typ.value_type) or pa.types.is_floating(typ.value_type)):
        return None
    # the child values every row spans, NULL rows included (flatten() skips a NULL row's
    # values, which a fixed-size list still has: the offsets would run past them)
    if pa.types.is_fixed_size_list(typ):
        offsets = np.arange(len(col) + 1, dtype=np.int64) * typ.list_size
        values = col.values.slice(col.offset * typ.list_size, len(col) * typ.list_size)
    else:
        offsets = np.asarray(col.offsets, dtype=np.int64)
        values = col.values.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
        offsets = offsets - offsets[0]
    if values.null_count:
        return None
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), pc.cast(values, pa.string()),
                                          mask=col.is_null() if col.null_count else None)
    return pc.binary_join_element_wise("[", pc.binary_join(lists, ","), "]", "")


_SPECIAL = set(",[]{}'\":=")


def kuzu_text(value, typ=None) -> str:
    """A nested value in Kùzu's literal syntax (strings quoted only when they must be)."""
    import pyarrow as pa

    if value is None:
        return ""
    if typ is not None and pa.types.is_map(typ):
        return "{" + ", ".join(f"{kuzu_text(k)}={kuzu_text(v)}" for k, v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {kuzu_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        child = getattr(typ, "value_type", None) if typ is not None else None
        return "[" + ",".join(kuzu_text(v, child) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.timedelta):  # an INTERVAL as Kùzu's interval text reads it
        sign = "-" if value < dt.timedelta(0) else ""
        value = abs(value)
        return f"{sign}{value.days} days {value.seconds} seconds {value.microseconds} us"
    text = str(value)
    if text == "" or text != text.strip() or any(c in _SPECIAL for c in text):
        return f'"{text}"' if "'" in text else f"'{text}'"
    return text


def estimated_csv_bytes(path: str, kind: str) -> int:
    """About how many CSV bytes the input becomes (progress and buffer sizing only)."""
    try:
        if kind == "memory":
            obj = IN_MEMORY[path]
            if frame_library(obj) == "pandas":
                return max(1, int(obj.memory_usage(deep=False).sum() * 1.5))
            if frame_library(obj) == "polars":
                return max(1, int(obj.estimated_size() * 1.5))
            if frame_library(obj) == "npy":
                return max(1, int(obj.nbytes * 2))
            return max(1, int(obj.nbytes * 1.5))
        files = part_files(path) if os.path.isdir(path) else [path]
        if kind == "parquet":
            import pyarrow.parquet as pq

            total = 0
            for one in files:
                meta = pq.ParquetFile(one).metadata
                total += sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
            return max(1, int(total * 1.5))
        return max(1, sum(os.path.getsize(f) for f in files))
    except Exception:  # noqa: BLE001 - an estimate only
        return 1


class ArrowCsvStream(ForwardOnlyStream):
    """The input's record batches as CSV bytes (``readinto``; forward ``seek``)."""

    what = "an Arrow input"

    def __init__(self, path: str, kind: str, *, native: bool = False) -> None:
        self._batches = _batches(path, kind)
        self._chunk = b""
        self._at = 0
        self._pos = 0
        self._done = False
        # native: the nested columns are also kept as Arrow arrays for the batch parser
        self._keep_native = native
        self.native = None  # NativeColumns once a batch has a nested column
        self._line = 2  # the CSV line of the next row (the header is line 1)

    def _next_chunk(self) -> bool:
        import pyarrow.csv as pcsv

        for batch in self._batches:
            if batch.num_rows == 0:
                continue
            out = io.BytesIO()
            try:
                written = _csv_ready(batch)
                pcsv.write_csv(written, out, pcsv.WriteOptions(include_header=not self._pos))
            except Exception as e:  # noqa: BLE001 - pyarrow's errors name the type
                from ..errors import CsvError

                raise CsvError(f"cannot read a column of this input as CSV text ({e})",
                               reason="unsupported column type") from None
            self._keep(batch, written)
            self._chunk, self._at = out.getvalue(), 0
            return True
        self._done = True
        return False

    def _keep(self, batch, written) -> None:
        import pyarrow as pa

        if self.native is None and self._keep_native and any(
                pa.types.is_nested(t) for t in batch.schema.types):
            from .arrow_values import NativeColumns

            self.native = NativeColumns()
        if self.native is not None:
            self._line = self.native.add(batch, written, self._line)

    def readinto(self, b) -> int:
        view = memoryview(b).cast("B")
        while self._at >= len(self._chunk):
            if self._done or not self._next_chunk():
                return 0
        n = min(len(view), len(self._chunk) - self._at)
        view[:n] = self._chunk[self._at : self._at + n]
        self._at += n
        self._pos += n
        return n

    def close(self) -> None:
        self._batches.close() if hasattr(self._batches, "close") else None
        super().close()
