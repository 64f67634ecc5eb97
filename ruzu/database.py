"""The public face: ``Database`` (a directory on disk) and ``Connection``."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .catalog import Catalog, NodeTableSchema, RelTableSchema
from .csv.config import (
    MIN_MEMORY_LIMIT,
    CsvImportConfig,
    ImportProgress,
    ImportResult,
    Reject,
)
from .csv.once import keeps_one_shot_inputs
from .errors import (
    CatalogError,
    ConfigError,
    CorruptDatabaseError,
    DatabaseClosedError,
    DatabaseNotFoundError,
    ImportInterrupted,
    ReadOnlyError,
    RuzuError,
    StorageError,
)
from .storage.failures import storage_error
from .storage.lock import LOCK_NAME, WriterLock
from .storage.manifest import (
    MANIFEST_NAME,
    Manifest,
    verify_files,
    write_manifest,
)
from .storage.node_table import (
    NodeTable,
    create_node_storage,
    key_lookup_files,
    node_storage_files,
)
from .storage.opening import open_committed
from .storage.rel_table import RelTable, create_rel_storage, rel_storage_files
from .storage.transaction import Transaction, restore_files

if TYPE_CHECKING:
    from .query.result import QueryResult

ProgressCallback = Callable[[ImportProgress], None]
RejectCallback = Callable[[Reject], None]


class Database:
    """A ruzu database directory. One writer at a time (others get ``LockError``); any number
    of ``read_only=True`` opens, each seeing the generation committed when it opened."""

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False,
                 buffer_pool_size: int | None = None,
                 database_path: str | os.PathLike | None = None,
                 query_memory_limit: int | None = None,
                 max_db_size: int = 1 << 43, max_num_threads: int = 0,
                 auto_checkpoint: bool = True, checkpoint_threshold: int = -1) -> None:
        """``buffer_pool_size`` is Kùzu's bound on the memory the database uses, in bytes
        (0 or None: no bound of its own). Here it is the default query memory budget (when
        ``query_memory_limit`` is not given) and caps the working memory of every import into
        this database (``CsvImportConfig.memory_limit``, not below its 64 MB minimum: a smaller
        pool warns)."""
        from .query.options import validate_limit

        _check_checkpointing(auto_checkpoint, checkpoint_threshold)
        if isinstance(max_num_threads, bool) or not isinstance(max_num_threads, int) or (
                max_num_threads < 0):
            raise ConfigError(f"max_num_threads must be a non-negative int, not "
                              f"{max_num_threads!r}")
        self.max_num_threads = max_num_threads  # default threads of its connections (0: ours)
        self.buffer_pool_size = _validate_pool(buffer_pool_size)
        _check_kuzu_sizes(self.buffer_pool_size, max_db_size)
        # bytes a query's intermediate results may use (None: a quarter of the memory)
        self.query_memory_limit = validate_limit(query_memory_limit) or self.buffer_pool_size
        # Kùzu's spellings: Database(database_path=…); no path or ":memory:" is an in-memory
        # database (here: a temporary directory removed on close).
        if path is None:
            path = database_path
        self._temporary: str | None = None
        if path is None or os.fspath(path) in ("", ":memory:"):
            if read_only:
                raise ReadOnlyError("Cannot open an in-memory database under READ ONLY mode.")
            import tempfile

            self._temporary = tempfile.mkdtemp(prefix="ruzu-memory-")
            path = os.path.join(self._temporary, "db")
        self.path = os.path.abspath(os.fspath(path))
        self.database_path = ":memory:" if self._temporary else os.fspath(path)  # as Kùzu's
        self.read_only = read_only
        self._lock: WriterLock | None = None
        self._closed = False
        self.last_import_result: ImportResult | None = None
        try:
            self._open_directory()
        except (OSError, ValueError) as e:
            if isinstance(e, RuzuError):
                raise
            self.close()
            raise StorageError(f"{self.path!r}: cannot open the database directory "
                               f"({getattr(e, 'strerror', None) or e})") from None

    def _open_directory(self) -> None:
        if "\0" in self.path:
            raise ValueError("the path contains a NUL byte")
        if os.path.islink(self.path) and not os.path.exists(self.path):
            raise ValueError("a symbolic link to nothing, or a loop of symbolic links")
        if not os.path.exists(self.path):
            if self.read_only:
                raise DatabaseNotFoundError(
                    f"{self.path}: database does not exist (a read-only open does not create "
                    "one)")
            os.makedirs(self.path)
        elif not os.path.isdir(self.path):
            raise CorruptDatabaseError(f"{self.path}: not a directory, so not a ruzu database")
        if not self.read_only:
            self._lock = WriterLock(self.path)
            self._lock.acquire()
        try:
            self._open_manifest()
        except BaseException:
            self.close()
            raise

    def _open_manifest(self) -> None:
        has_manifest = os.path.exists(os.path.join(self.path, MANIFEST_NAME))
        if not has_manifest:
            others = set(os.listdir(self.path)) - {LOCK_NAME, MANIFEST_NAME + ".tmp"}
            if others or self.read_only:
                raise CorruptDatabaseError(
                    f"{self.path}: not a ruzu database (no {MANIFEST_NAME}, directory not empty)"
                )
            fresh = Manifest(catalog=Catalog().to_dict())
            write_manifest(self.path, fresh)
            self._lock.record_generation(fresh.db_id, fresh.generation)
        self._manifest, self._files = open_committed(self.path, read_only=self.read_only)
        if not self.read_only:
            restore_files(self.path, self._manifest)
        try:
            self._catalog = Catalog.from_dict(self._manifest.catalog)
        except (KeyError, TypeError, ValueError) as e:
            raise CorruptDatabaseError(f"{self.path}: catalog is malformed ({e})") from None

    @property
    def is_closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._closed

    def close(self) -> None:
        """Release the database; safe to call more than once."""
        self._closed = True
        files = getattr(self, "_files", None)
        if files is not None:
            files.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if getattr(self, "_temporary", None):
            import shutil

            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None

    def __enter__(self) -> Database:
        """``with Database(path) as db:`` closes the database when the block ends."""
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    @property
    def _database(self):
        """Kùzu's handle attribute (None once closed); its Python API tests look at it."""
        return None if self._closed else self

    def _check_open(self) -> None:
        if self._closed:
            raise DatabaseClosedError(f"Database is closed: {self.path}")

    def _check_writable(self) -> None:
        self._check_open()
        if self.read_only:
            raise ReadOnlyError(f"Cannot execute write operations in a read-only database! "
                                f"({self.path} is open read-only)")

    @contextlib.contextmanager
    def _write(self) -> Iterator[Transaction]:
        """A write transaction: commits when the block ends, rolls back on any exception
        (including KeyboardInterrupt)."""
        self._check_writable()
        txn = Transaction(self.path, self._manifest)
        try:
            yield txn
            self._manifest = txn.commit()
            self._files.manifest = self._manifest
            if txn.durable and self._lock is not None:
                self._lock.record_generation(self._manifest.db_id, self._manifest.generation)
        except BaseException as e:
            written = 0 if txn.done else txn.bytes_written()
            if not txn.done:
                txn.rollback()
            if isinstance(e, OSError) and not isinstance(e, RuzuError):
                raise storage_error(self.path, e, written) from e
            raise
        finally:
            self._catalog = Catalog.from_dict(self._manifest.catalog)

    def verify(self) -> None:
        """Check every data file against the sizes and checksums (CRC-32C) in the manifest
        (reads the whole database); raises CorruptDatabaseError naming the damaged file."""
        self._check_open()
        verify_files(self.path, self._manifest)

    def _verify_tables(self, names) -> None:
        """CRC-check the committed files an import reads back (keys, index, old CSR) before
        building on them: a damaged byte must not spread into a new generation."""
        for name in names:
            state = self._manifest.tables.get(name)
            if state is None:
                continue
            is_node = name in self._catalog.node_tables
            for file_id in node_storage_files(state) if is_node else rel_storage_files(state):
                self._files.verify(file_id, direct=True)

    def _verify_key_lookups(self, node_tables) -> None:
        """CRC-check what a relationship import reads of its endpoint tables: their key
        lookup files only (the other columns are not read: checking them cost 1.5 s of CPU
        before 12.7 M UUID-key edges, reading 1.8 GB)."""
        for name in dict.fromkeys(node_tables):
            state = self._manifest.tables.get(name)
            if state is not None:
                pk = self._catalog.node(name).primary_key
                for file_id in key_lookup_files(state, pk):
                    self._files.verify(file_id, direct=True)

    @property
    def manifest(self) -> Manifest:
        """The committed manifest this handle sees (catalog, table states, file checksums)."""
        return self._manifest

    @property
    def generation(self) -> int:
        """The committed generation: it grows by one with every commit."""
        return self._manifest.generation

    @property
    def imports(self) -> list[dict]:
        """The CSV imports committed into this database, oldest first: one dict per file with
        ``table``, ``kind`` ("nodes"/"relationships"), ``path`` (absolute), ``size`` and
        ``mtime_ns`` of the file when it was read, ``rows_imported``, ``rows_skipped``,
        ``generation`` and ``complete`` (False for a ``partial`` import that stopped early).
        ``ruzu-import`` uses it to refuse or skip a file imported before."""
        self._check_open()
        return [dict(r) for r in self._manifest.imports]

    @property
    def catalog(self) -> Catalog:
        """The tables and their columns (node tables, rel tables)."""
        self._check_open()
        return self._catalog

    def create_node_table(self, name: str, columns, primary_key: str) -> None:
        """``columns``: (name, type) pairs, e.g. ``[("id", "INT64"), ("name", "STRING")]``."""
        schema = NodeTableSchema(name, list(columns), primary_key)
        with self._write() as txn:
            catalog = Catalog.from_dict(txn.manifest.catalog)
            catalog.add(schema)
            txn.manifest.catalog = catalog.to_dict()
            txn.manifest.tables[name] = create_node_storage(txn, schema)

    def create_rel_table(self, name: str, pairs, columns=()) -> None:
        """``pairs``: (from table, to table) pairs; ``columns``: (name, type) pairs."""
        schema = RelTableSchema(name, [tuple(p) for p in pairs], list(columns))
        with self._write() as txn:
            catalog = Catalog.from_dict(txn.manifest.catalog)
            catalog.add(schema)
            txn.manifest.catalog = catalog.to_dict()
            txn.manifest.tables[name] = create_rel_storage(txn, schema)

    def drop_table(self, name: str) -> None:
        """Remove a table, its data files and its records in :attr:`imports`."""
        with self._write() as txn:
            catalog = Catalog.from_dict(txn.manifest.catalog)
            is_node = name in catalog.node_tables
            catalog.remove(name)
            txn.manifest.catalog = catalog.to_dict()
            state = txn.manifest.tables.pop(name)
            files = node_storage_files(state) if is_node else rel_storage_files(state)
            for file_id in files:
                txn.retire(file_id)
            txn.manifest.imports = [r for r in txn.manifest.imports if r.get("table") != name]

    def table(self, name: str) -> NodeTable:
        """The node table ``name``: row count, key lookup, columns as numpy arrays."""
        self._check_open()
        return NodeTable(self._files, self._catalog.node(name), self._manifest.tables[name])

    def rel_table(self, name: str, from_table: str | None = None,
                  to_table: str | None = None) -> RelTable:
        """The rel table ``name`` (one FROM/TO pair of it): CSR per direction, columns."""
        self._check_open()
        schema = self._catalog.rel(name)
        return RelTable(self._files, schema, self._manifest.tables[name], from_table, to_table,
                        self._manifest.tables)

    @keeps_one_shot_inputs  # a pipe's records can be found again (once.py)
    def import_nodes(self, table: str, path: str | os.PathLike,
                     config: CsvImportConfig | None = None,
                     progress: ProgressCallback | None = None,
                     on_reject: RejectCallback | None = None) -> ImportResult:
        """Append the rows of a CSV file to a node table, all or nothing.

        ``progress`` is called at least every 100,000 rows; ``on_reject`` with every rejected
        row, duplicates included (the result keeps the first 10,000). A pipe or FIFO is
        spooled as it is read, so its errors and rejects show their lines and records."""
        from .csv.files import expand_paths, merge_results
        from .csv.node_loader import load_nodes

        self._check_writable()
        schema = self._catalog.node(table)
        self._verify_tables([table])
        result = None
        with self._write() as txn:  # several files (a list, a glob): one all-or-nothing import
            for one in expand_paths(path):
                stat = _stat(one)
                part = load_nodes(txn, schema, one, self._import_config(config), progress,
                                  on_reject)
                _record_import(txn, "nodes", table, one, stat, part)
                result = merge_results(result, part)
                if result.interruption is not None:
                    break
        return self._finish_import(result)

    @keeps_one_shot_inputs  # a pipe's records can be found again (once.py)
    def import_relationships(self, table: str, path: str | os.PathLike,
                             config: CsvImportConfig | None = None,
                             progress: ProgressCallback | None = None,
                             from_table: str | None = None,
                             to_table: str | None = None,
                             on_reject: RejectCallback | None = None) -> ImportResult:
        """Append the relationships of a CSV file (from key, to key, properties…), all or
        nothing; ``from_table``/``to_table`` pick the pair of a multi-pair rel table."""
        from .csv.files import expand_paths, merge_results
        from .csv.rel_loader import load_relationships

        self._check_writable()
        schema = self._catalog.rel(table)
        pair = _choose_pair(schema, from_table, to_table)
        self._verify_key_lookups(pair)
        self._verify_tables([table])
        result = None
        with self._write() as txn:
            for one in expand_paths(path):
                stat = _stat(one)
                part = load_relationships(txn, schema, pair, self._catalog, one,
                                          self._import_config(config), progress, on_reject)
                _record_import(txn, "relationships", table, one, stat, part)
                result = merge_results(result, part)
                if result.interruption is not None:
                    break
        return self._finish_import(result)

    def _import_config(self, config: CsvImportConfig | None) -> CsvImportConfig:
        """The import's settings, its working memory capped by ``buffer_pool_size``."""
        config = config or CsvImportConfig()
        pool = self.buffer_pool_size
        if pool is not None and config.memory_limit > pool:
            config = dataclasses.replace(config, memory_limit=max(pool, MIN_MEMORY_LIMIT))
        return config

    def _finish_import(self, result: ImportResult) -> ImportResult:
        self.last_import_result = result
        stop = result.interruption
        if stop is not None:
            raise ImportInterrupted(
                f"{result.path}: import stopped at line {stop.resume_line} ({stop.error}); "
                f"{result.rows_imported} rows before it were committed; resume with "
                f"skip_rows={stop.resume_skip_rows}",
                result=result, resume_line=stop.resume_line,
                resume_skip_rows=stop.resume_skip_rows,
            ) from stop.error
        return result

    def execute(self, query: str, parameters: dict | None = None) -> QueryResult:
        """Run one Cypher statement (``$name`` parameters from ``parameters``); returns a
        :class:`~ruzu.query.result.QueryResult` (``get_next()``, ``get_all()``,
        ``get_as_df()``, ``get_as_arrow()``)."""
        from .statements import execute

        self._check_open()
        return execute(self, query, parameters)


def _validate_pool(size) -> int | None:
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ConfigError(f"buffer_pool_size must be a non-negative number of bytes, not {size!r}")
    if 0 < size < MIN_MEMORY_LIMIT:
        warnings.warn(f"buffer_pool_size={size:,} is below the importer's minimum working "
                      f"memory of {MIN_MEMORY_LIMIT >> 20} MB: imports use {MIN_MEMORY_LIMIT >> 20}"
                      " MB", RuntimeWarning, stacklevel=3)
    return size or None  # 0: Kùzu's "the default"


def _stat(path: str | os.PathLike) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):  # missing, a NUL byte…: the loader reports it
        return None


def _record_import(txn: Transaction, kind: str, table: str, path: str | os.PathLike,
                   stat: os.stat_result | None, result: ImportResult) -> None:
    """Note a CSV import in the manifest of the transaction that commits it."""
    if stat is None:
        return
    txn.manifest.imports.append({
        "table": table, "kind": kind, "path": os.path.abspath(os.fspath(path)),
        "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
        "rows_imported": result.rows_imported, "rows_skipped": result.rows_skipped,
        "generation": txn.manifest.generation, "complete": result.interruption is None,
    })


def _choose_pair(schema: RelTableSchema, from_table: str | None,
                 to_table: str | None) -> tuple[str, str]:
    matches = [p for p in schema.pairs
               if (from_table is None or p[0] == from_table)
               and (to_table is None or p[1] == to_table)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CatalogError(f"rel table {schema.name} has no pair FROM {from_table} TO {to_table}")
    raise CatalogError(
        f"rel table {schema.name} connects several node-table pairs; say which with "
        "from_table=… and to_table=… (COPY … (from='A', to='B'))"
    )


class Connection:
    """Kùzu-style connection: ``Connection(db).execute(query, parameters)``.

    It owns the settings its statements run with, one :class:`~ruzu.query.options.
    QueryOptions` (``options``): ``num_threads`` (worker threads of parallel query operators
    and of a COPY's CSV parser; 0 or None: the default), ``query_memory_limit`` (bytes; None:
    the database's) and the timeout of ``set_query_timeout``."""

    def __init__(self, database: Database, num_threads: int | None = None,
                 query_memory_limit: int | None = None) -> None:
        from .query.options import QueryOptions

        self.database = database
        self._closed = False
        threads = num_threads or getattr(database, "max_num_threads", 0) or None
        self.options = QueryOptions(threads=threads, memory_limit=query_memory_limit)
        self._interrupt = threading.Event()

    @property
    def query_memory_limit(self) -> int | None:
        """Bytes a query's intermediate results may use (None: the database's setting)."""
        return self.options.memory_limit

    def execute(self, query, parameters: dict | None = None) -> QueryResult:
        """Run a query (or a statement from ``prepare``) with ``$name`` parameters."""
        if self._closed:
            raise DatabaseClosedError("connection is closed")
        from .query.prepared import PreparedStatement

        if isinstance(query, PreparedStatement):
            query.check()
            query = query.query
        from .query.options import running_with

        self._interrupt.clear()
        with running_with(self.options, self._interrupt):
            return self.database.execute(query, parameters)

    def set_query_timeout(self, timeout_in_ms: int) -> None:
        """Queries on this connection stop with ``QueryInterruptedError`` ("Interrupted.")
        after this many milliseconds (0: no timeout)."""
        if isinstance(timeout_in_ms, bool) or not isinstance(timeout_in_ms, int) or (
            timeout_in_ms < 0
        ):
            raise ValueError(f"timeout must be a non-negative number of ms, not {timeout_in_ms!r}")
        self.options = self.options.with_(timeout_ms=timeout_in_ms)

    def set_max_threads_for_exec(self, num_threads: int) -> None:
        """Kùzu's spelling: the threads this connection's statements may use (0: default)."""
        self.options = self.options.with_(threads=num_threads)

    def interrupt(self) -> None:
        """Stop the query this connection is running (call it from another thread)."""
        self._interrupt.set()

    def explain(self, query: str) -> str:
        """The plan of a read query as text (what ``EXPLAIN <query>`` returns as its row)."""
        from .query import explain

        if self._closed:
            raise DatabaseClosedError("connection is closed")
        self.database._check_open()
        return explain(self.database, query)

    def prepare(self, query: str, parameters: dict | None = None):
        """A statement parsed once and run with ``execute(prepared, parameters)``."""
        from .query.prepared import PreparedStatement

        if parameters:
            raise TypeError("prepare() takes the parameters at execute(), not here")
        return PreparedStatement(query)

    def close(self) -> None:
        """Close the connection (the database stays open)."""
        self._closed = True

    @property
    def is_closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._closed

    @property
    def _connection(self):
        """Kùzu's handle attribute (None once closed); its Python API tests look at it."""
        return None if self._closed else self

    def __enter__(self) -> Connection:
        """``with Connection(db) as conn:`` closes the connection when the block ends."""
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _check_kuzu_sizes(buffer_pool_size, max_db_size) -> None:
    """Kùzu's checks of its buffer manager's sizes, with its messages. ruzu maps its files
    and has no database-size cap: a max_db_size other than the default is refused rather
    than ignored."""
    if isinstance(max_db_size, bool) or not isinstance(max_db_size, int):
        raise ConfigError(f"max_db_size must be a number of bytes, not {max_db_size!r}")
    if buffer_pool_size is not None and 0 < buffer_pool_size < 4096:
        raise ConfigError("Buffer manager exception: The given buffer pool size should be at "
                          "least 4096 bytes.")
    if max_db_size < 1 << 23:
        raise ConfigError("Buffer manager exception: The given max db size should be at least "
                          "8388608 bytes.")
    if max_db_size & (max_db_size - 1):
        raise ConfigError("Buffer manager exception: The given max db size should be a power "
                          "of 2.")
    if max_db_size != 1 << 43:
        raise ConfigError("max_db_size other than the default is not supported: ruzu maps its "
                          "files and has no database-size cap")


def _check_checkpointing(auto_checkpoint, checkpoint_threshold) -> None:
    """Kùzu's WAL settings. ruzu has no write-ahead log: every commit writes its files and a
    new manifest, a checkpoint per transaction. That is ``auto_checkpoint=True`` with any
    threshold reached at once; other settings are refused rather than ignored."""
    if auto_checkpoint is not True:
        raise ConfigError("auto_checkpoint=False is not supported: ruzu has no write-ahead "
                          "log; every commit is checkpointed (written to the database files)")
    if checkpoint_threshold != -1:
        raise ConfigError("checkpoint_threshold is not supported: ruzu has no write-ahead log; "
                          "every commit is checkpointed (written to the database files)")
