"""QueryResult: the rows of a query, read like Kùzu's (get_next, get_all, get_as_df, ...)."""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from ..errors import DatabaseClosedError, QueryError
from .values.kinds import TYPE_NAMES
from .values.output import python_values
from .values.vectors import LazyStrings, Vec


class QueryResult:
    """Rows of a finished query. Column values are converted to Python objects on first use;
    ``get_as_df``/``get_as_arrow`` build their columns straight from the numpy arrays."""

    def __init__(self, names: list[str], columns: list[Any], num_rows: int, graph=None) -> None:
        self._names = list(names)
        self._vectors = columns
        self._num_rows = num_rows
        self._graph = graph
        self._python: list[list] | None = None
        self._cursor = 0
        self._as_dict = False
        self.is_closed = False
        self.compiling_ms = 0.0  # set by statements.execute
        self.execution_ms = 0.0

    @classmethod
    def from_rows(cls, names: list[str], rows: list[list], kinds=None) -> QueryResult:
        result = cls(names, [], len(rows))
        result._python = [[row[i] for row in rows] for i in range(len(names))]
        result._kinds = kinds  # the columns' vector kinds, when known
        return result

    def _columns(self) -> list[list]:
        if self._python is None:
            self._python = [python_values(v, self._graph) for v in self._vectors]
        return self._python

    # ------------------------------------------------------------------ Kùzu's API

    def get_column_names(self) -> list[str]:
        return list(self._names)

    def get_num_tuples(self) -> int:
        return self._num_rows

    def __len__(self) -> int:
        return self._num_rows

    def has_next(self) -> bool:
        return self._cursor < self._num_rows

    def get_next(self) -> list:
        self._check_open()
        if not self.has_next():
            raise IndexError("no more rows in the query result")
        cols = self._columns()
        row = [c[self._cursor] for c in cols]
        self._cursor += 1
        return dict(zip(self._names, row, strict=True)) if self._as_dict else row

    def get_all(self) -> list[list]:
        """The rows not yet read (all rows before any get_next)."""
        self._check_open()
        cols = self._columns()
        rows = [list(r) for r in zip(*cols, strict=True)] if cols else []
        rows = rows[self._cursor :]
        self._cursor = self._num_rows
        if self._as_dict:
            return [dict(zip(self._names, r, strict=True)) for r in rows]
        return rows

    def get_n(self, count: int) -> list:
        """Up to ``count`` of the rows not yet read."""
        out = []
        while count > 0 and self.has_next():
            out.append(self.get_next())
            count -= 1
        return out

    def rows_as_dict(self, state: bool = True) -> QueryResult:
        """Rows as {column name: value} dicts from now on (or lists again with False)."""
        self._as_dict = bool(state)
        return self

    def get_column_data_types(self) -> list[str]:
        """Kùzu's type name of each column (from the values' kinds: INT64, DOUBLE, STRING,
        NODE, REL, …)."""
        kinds = getattr(self, "_kinds", None)
        if not self._vectors and kinds:  # rows gathered from other results (UNION)
            return [TYPE_NAMES.get(kind, "ANY") for kind in kinds]
        out = []
        for i in range(len(self._names)):
            vec = self._vectors[i] if self._vectors else None
            kind = getattr(vec, "kind", None)
            ltype = getattr(vec, "ltype", None)  # a composite property: its column type
            if ltype is not None:
                out.append(ltype.value if isinstance(ltype, enum.Enum) else str(ltype))
                continue
            out.append(TYPE_NAMES.get(kind, "ANY") if kind else "ANY")
        return out

    def column_kinds(self) -> list[str]:
        """The vector kind of each column (``values.kinds``; "null" when not known)."""
        if not self._vectors:
            return list(getattr(self, "_kinds", None) or ["null"] * len(self._names))
        return [getattr(vec, "kind", None) or "null" for vec in self._vectors]

    def get_schema(self) -> dict[str, str]:
        return dict(zip(self._names, self.get_column_data_types(), strict=True))

    def get_as_pl(self):
        """A polars DataFrame (needs polars installed)."""
        import polars as pl

        return pl.from_arrow(self.get_as_arrow())

    def get_as_networkx(self, directed: bool = True):
        """The result's nodes and rels as a networkx ``MultiDiGraph`` (``MultiGraph`` when
        ``directed`` is False), as Kùzu builds it (needs networkx installed)."""
        from .networkx_export import to_networkx

        self._check_open()
        return to_networkx(self._columns(), self._graph, directed)

    def get_execution_time(self) -> float:
        """Milliseconds spent running the query (after parsing and binding)."""
        return self.execution_ms

    def get_compiling_time(self) -> float:
        """Milliseconds spent parsing the query."""
        return self.compiling_ms

    def _check_open(self) -> None:
        if self.is_closed:
            raise QueryError("Query result is closed")
        db = getattr(self._graph, "db", None)
        if db is not None and db.is_closed:  # its columns may map the database's files
            raise DatabaseClosedError("the parent database is closed")

    @property
    def _query_result(self):
        """Kùzu's handle attribute (None once closed); its Python API tests look at it."""
        return None if self.is_closed else self

    def __enter__(self) -> QueryResult:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __next__(self):
        if not self.has_next():
            raise StopIteration
        return self.get_next()

    def reset_iterator(self) -> None:
        self._cursor = 0

    def __iter__(self):
        return self

    def close(self) -> None:
        self._vectors = []
        self._python = None
        self.is_closed = True

    def get_as_df(self):
        """A pandas DataFrame (needs pandas installed)."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - pandas is a dev dependency
            raise ImportError("get_as_df() needs pandas: pip install pandas") from e
        data = {}
        for i, name in enumerate(self._names):
            data[name] = self._numpy_column(i)
        return pd.DataFrame(data, columns=self._names)

    def get_as_arrow(self, chunk_size: int | None = None):
        """A pyarrow Table (needs pyarrow installed) in chunks of ``chunk_size`` rows, as
        Kùzu cuts it: None picks about 10 M values a chunk (at least 10 rows), 0 or less
        gives one chunk."""
        try:
            import pyarrow as pa
        except ImportError as e:  # pragma: no cover - pyarrow is a dev dependency
            raise ImportError("get_as_arrow() needs pyarrow: pip install pyarrow") from e
        arrays = []
        for i in range(len(self._names)):
            vec = self._vectors[i] if self._vectors else None
            if isinstance(vec, Vec) and vec.kind in ("int", "float", "bool", "date", "timestamp"):
                mask = None if vec.valid is None else ~vec.valid
                arrays.append(pa.array(np.asarray(vec.values), mask=mask))
            elif isinstance(vec, Vec) and vec.ltype is not None:
                from ..storage.arrow_columns import python_to_arrow

                arrays.append(python_to_arrow(self._columns()[i], vec.ltype))
            else:
                arrays.append(pa.array(self._columns()[i]))
        table = pa.Table.from_arrays(arrays, names=self._names)
        if chunk_size is None:
            chunk_size = max(10_000_000 // max(len(self._names), 1), 10)
        if 0 < chunk_size < table.num_rows:
            table = pa.Table.from_batches(
                table.combine_chunks().to_batches(max_chunksize=chunk_size), schema=table.schema)
        return table

    def _numpy_column(self, i: int):
        """A column as Kùzu's get_as_df gives it: int64/float64/bool arrays, NULL integers as
        NaN in float64, dates and timestamps as datetime64[us] (NULL as NaT), other values
        (strings, lists, nodes) as objects."""
        vec = self._vectors[i] if self._vectors else None
        if isinstance(vec, Vec) and vec.kind in ("int", "float", "bool", "date", "timestamp"):
            values = np.asarray(vec.values)
            if vec.kind in ("date", "timestamp"):
                values = values.astype("datetime64[us]")
                if vec.valid is not None:
                    values = np.where(vec.valid, values, np.datetime64("NaT"))
                return values
            if vec.valid is None:
                return values
            if vec.kind in ("int", "float"):
                return np.where(vec.valid, values.astype(np.float64), np.nan)
        if isinstance(vec, Vec) and vec.kind == "str" and isinstance(vec.values, LazyStrings):
            values = vec.values.materialize()
            if vec.valid is not None:
                values[~vec.valid] = None
            return values
        out = np.empty(self._num_rows, object)
        for j, value in enumerate(self._columns()[i]):  # element-wise: values may be lists
            out[j] = value
        return out

    def __repr__(self) -> str:
        return f"QueryResult(columns={self._names}, rows={self._num_rows})"
