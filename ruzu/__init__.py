"""ruzu: an embedded graph database with a bounded-memory CSV importer."""

from . import _malloc  # noqa: F401 - first: sets malloc up before any thread starts
from .catalog import ColumnSchema, NodeTableSchema, RelTableSchema
from .csv.config import CsvImportConfig, ImportProgress, ImportResult, Reject
from .database import Connection, Database
from .errors import (
    CatalogError,
    ConfigError,
    CorruptDatabaseError,
    CsvError,
    DatabaseClosedError,
    DiskFullError,
    DuplicateKeyError,
    ImportInterrupted,
    LockError,
    MissingEndpointError,
    QueryError,
    QueryMemoryError,
    ReadOnlyError,
    RuzuError,
    StorageError,
    TooManyErrorsError,
)
from .storage.columns import StringColumn
from .types import LogicalType

__version__ = "0.1.0"


def __getattr__(name: str):
    # The query layer is imported on first use, so ``import ruzu`` stays quick for importers.
    if name == "QueryResult":
        from .query.result import QueryResult

        return QueryResult
    raise AttributeError(f"module 'ruzu' has no attribute {name!r}")


__all__ = [
    "CatalogError",
    "ColumnSchema",
    "ConfigError",
    "Connection",
    "CorruptDatabaseError",
    "CsvError",
    "CsvImportConfig",
    "Database",
    "DatabaseClosedError",
    "DiskFullError",
    "DuplicateKeyError",
    "ImportInterrupted",
    "ImportProgress",
    "ImportResult",
    "LockError",
    "LogicalType",
    "MissingEndpointError",
    "NodeTableSchema",
    "QueryError",
    "QueryMemoryError",
    "QueryResult",
    "ReadOnlyError",
    "Reject",
    "RelTableSchema",
    "RuzuError",
    "StorageError",
    "StringColumn",
    "TooManyErrorsError",
]
