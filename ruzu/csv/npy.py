"""NumPy ``.npy`` files as COPY input: Kùzu's ``COPY T FROM ('a.npy', 'b.npy') BY COLUMN``
(file i fills column i) and a single ``.npy`` file for a one-column table.

Each file's header is read with numpy's format module; the rows are then read a bounded batch
at a time with plain reads (a mapping would do too, but its touched pages count as RSS, so a
1 GB file would peak at 1 GB) and handed on as pyarrow record batches to arrow.py's CSV
stream. A file of shape (n, a, b, …) gives n rows of a fixed-size list of a·b·… values, flat
in C order, as Kùzu fills an ``ARRAY`` column (``INT64[12]`` from shape (n, 3, 4)).
"""

from __future__ import annotations

import math
import os

MAGIC = b"\x93NUMPY"


class NpyColumns:
    """The columns of one or more ``.npy`` files of equal length, read by row batches."""

    def __init__(self, paths: list[str], names: list[str] | None = None) -> None:
        from ..errors import CsvError

        self.paths = list(paths)
        self.names = names or [f"column{i}" for i in range(len(self.paths))]
        self._layout = [_header(p) for p in self.paths]  # (rows, row shape, dtype, offset)
        self.num_rows = self._layout[0][0] if self._layout else 0
        for path, (rows, _, _, _) in zip(self.paths, self._layout, strict=True):
            if rows != self.num_rows:
                raise CsvError(
                    f"{path}: has {rows} rows but {self.paths[0]} has {self.num_rows}; the "
                    "files of COPY … BY COLUMN must have the same number of rows",
                    path=path, reason="npy files of different lengths")
        self.nbytes = sum(os.path.getsize(p) for p in self.paths)

    def batches(self, rows_per_batch: int):
        import numpy as np
        import pyarrow as pa

        files = [open(p, "rb") for p in self.paths]  # noqa: SIM115 - closed below
        try:
            for f, (_, _, _, offset) in zip(files, self._layout, strict=True):
                f.seek(offset)
            for start in range(0, self.num_rows, rows_per_batch):
                count = min(rows_per_batch, self.num_rows - start)
                arrays = []
                for f, path, (_, shape, dtype, _) in zip(files, self.paths, self._layout,
                                                          strict=True):
                    width = math.prod(shape)
                    data = f.read(count * width * dtype.itemsize)
                    values = np.frombuffer(data, dtype, count=len(data) // dtype.itemsize)
                    if len(values) != count * width:
                        from ..errors import CsvError

                        raise CsvError(f"{path}: the file ends before its last row",
                                       path=path, reason="truncated npy file")
                    if not dtype.isnative:
                        values = values.astype(dtype.newbyteorder("="))
                    flat = pa.array(values)
                    arrays.append(flat if not shape
                                  else pa.FixedSizeListArray.from_arrays(flat, width))
                yield pa.RecordBatch.from_arrays(arrays, names=self.names)
        finally:
            for f in files:
                f.close()


def _header(path: str):
    import numpy as np

    from ..errors import CsvError

    try:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                    else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read(f)
            offset = f.tell()
    except (ValueError, OSError) as e:
        raise CsvError(f"{path}: not a readable .npy file ({e})", path=path,
                       reason="invalid npy file") from None
    if fortran and len(shape) > 1:
        raise CsvError(f"{path}: Fortran-order arrays are not supported (save it in C order, "
                       "numpy.ascontiguousarray)", path=path, reason="Fortran-order npy")
    if dtype.hasobject or dtype.fields is not None or dtype.kind not in "biuf":
        raise CsvError(f"{path}: npy dtype {dtype} is not supported (booleans, integers and "
                       "floats are)", path=path, reason="unsupported npy dtype")
    if not shape:
        raise CsvError(f"{path}: a 0-dimensional array has no rows", path=path,
                       reason="invalid npy file")
    return shape[0], tuple(shape[1:]), dtype, offset
