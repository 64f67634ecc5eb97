"""Where a database's data files are read from.

A read-only open *pins* its generation: it opens every data file the manifest names once, at
open time, and maps from those descriptors. A writer that commits later and retires files
(an index or CSR it rebuilt, a dropped table) unlinks only names; the pinned reader keeps
reading the generation it opened. A writable open reads by path.
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import CorruptDatabaseError
from .manifest import Manifest, data_file_name


class FileSet:
    def __init__(self, db_path: str, pin: Manifest | None = None) -> None:
        self.db_path = db_path
        self._pinned: dict = {}
        if pin is not None:
            try:
                for file_id in pin.files:
                    self._pinned[file_id] = open(self.path(file_id), "rb")  # noqa: SIM115
            except FileNotFoundError as e:
                self.close()
                raise CorruptDatabaseError(f"{e.filename}: data file missing") from None

    def path(self, file_id: int) -> str:
        return os.path.join(self.db_path, data_file_name(file_id))

    def map(self, file_id: int, dtype, count: int, offset_items: int = 0) -> np.ndarray:
        """A read-only memmap of ``count`` items of ``dtype`` (empty when count is 0)."""
        dtype = np.dtype(dtype)
        if count == 0:
            return np.empty(0, dtype)
        return np.memmap(self._pinned.get(file_id) or self.path(file_id), dtype=dtype,
                         mode="r", offset=offset_items * dtype.itemsize, shape=(count,))

    def close(self) -> None:
        for f in self._pinned.values():
            f.close()
        self._pinned.clear()
