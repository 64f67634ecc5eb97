"""Every error ruzu raises. One base class; each specific error also inherits the fitting
built-in so callers can catch either. Messages are complete sentences, formatted before raising."""

from __future__ import annotations


class RuzuError(Exception):
    """Base class of every ruzu error. Every one is also a RuntimeError, as every error of
    Kùzu's Python API is (after the fitting built-in, so OSError's fields keep working)."""


class ConfigError(RuzuError, ValueError, RuntimeError):
    """An invalid setting, e.g. a batch_size outside 1…10,000,000."""


class CatalogError(RuzuError, ValueError, RuntimeError):
    """Unknown or duplicate table/column, invalid name or type."""


class LockError(RuzuError, OSError, RuntimeError):
    """Another writer holds the database."""


class CorruptDatabaseError(RuzuError, OSError, RuntimeError):
    """The directory is not a ruzu database, is truncated, damaged or of a newer format."""


class DatabaseNotFoundError(RuzuError, FileNotFoundError, RuntimeError):
    """A database opened read-only does not exist (a writable open creates it)."""


class ReadOnlyError(RuzuError, PermissionError, RuntimeError):
    """A write was attempted on a database opened read-only."""


class DatabaseClosedError(RuzuError, RuntimeError):
    """The database or connection was used after close()."""


class CsvError(RuzuError, ValueError, RuntimeError):
    """Bad CSV input. Carries where: path, line (1-based), column (1-based field), name."""

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        line: int | None = None,
        column: int | None = None,
        column_name: str | None = None,
        reason: str = "",
        record: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column
        self.column_name = column_name
        self.reason = reason
        self.record = record


class DuplicateKeyError(CsvError):
    """A primary key occurs twice."""


class MissingEndpointError(CsvError):
    """A relationship names a node key that does not exist."""


class TooManyErrorsError(CsvError):
    """More rejected rows than the configured tolerance."""


class QueryError(RuzuError, ValueError, RuntimeError):
    """A query that cannot be parsed or bound; the message says where and why."""


class ImportInterrupted(RuzuError, RuntimeError):
    """A partial-mode import stopped part-way after committing the rows before the failure.
    ``result`` describes what was committed; ``resume_line`` / ``resume_skip_rows`` say where to
    continue (pass ``skip_rows=resume_skip_rows`` to the same import)."""

    def __init__(self, message: str, *, result, resume_line: int, resume_skip_rows: int):
        super().__init__(message)
        self.result = result
        self.resume_line = resume_line
        self.resume_skip_rows = resume_skip_rows


class QueryInterruptedError(RuzuError, RuntimeError):
    """A query stopped by ``Connection.interrupt()`` or its timeout
    (``Connection.set_query_timeout``); the message is Kùzu's, "Interrupted."."""


class QueryMemoryError(RuzuError, MemoryError, RuntimeError):
    """A query's intermediate results outgrew its memory budget (``query_memory_limit``)."""


class IntegerOverflowError(QueryError, OverflowError):
    """An INT64 result (arithmetic, SUM, a count of paths) does not fit; never wrapped."""


class InputChangedError(CsvError):
    """An input file changed size or modification time while it was being read."""


class StorageError(RuzuError, OSError, RuntimeError):
    """A file-system operation on the database failed (I/O error, bad path, permissions);
    the message names the path, the operation and the reason."""


class DiskFullError(StorageError):
    """The disk filled up during a write; the database is left as it was before it."""


class InputNotRereadableError(CsvError):
    """A feature needs to read an input a second time (to find the line and record of a
    problem, or to write a ``.bad.csv``), but the input is a pipe or FIFO readable only once."""
