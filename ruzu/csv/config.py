"""What an import is told (CsvImportConfig), what it reports while running (ImportProgress) and
what it returns (ImportResult with its Rejects)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ConfigError
from ..tuning import SPILL_BUFFERS_BYTES

MAX_BATCH_SIZE = 10_000_000
PROGRESS_EVERY_ROWS = 100_000  # FR-006: progress at least this often
MIN_MEMORY_LIMIT = 64 << 20


def _one_byte(name: str, value: str) -> int:
    if not isinstance(value, str) or len(value.encode("utf-8")) != 1:
        raise ConfigError(f"{name} must be a single one-byte character, got {value!r}")
    if value in "\r\n":
        raise ConfigError(f"{name} cannot be a newline")
    return value.encode()[0]


@dataclass(frozen=True)
class CsvImportConfig:
    """Options of one CSV import (Kùzu's COPY options and neo4j-admin's switches).

    batch_size: rows parsed into the column buffers before they are written (1…10,000,000).
    memory_limit: working-memory budget in bytes from which buffer and partition sizes derive:
        the importer's own budget; the interpreter, numpy, numba and the kernels (~150 MB) come
        on top. ``ruzu-import --max-memory`` is the whole process's bound and derives it.
    ignore_errors: skip bad rows (and report them) instead of aborting the import.
    on_duplicate: "error" or "keep_first" (default: keep_first when ignore_errors, else error).
    on_missing_endpoint: "error" or "skip" (default: skip when ignore_errors, else error).
    bad_tolerance: abort once more than this many rows were rejected (None: no limit).
    partial: on a failure keep the batches completed before it (continue-partial) instead of
        rolling the whole import back; the error says the line to resume from.
    threads: parser threads. 1 (the default) parses on one core while writing, checksumming
        and CSR scattering run on the other; None or >1 splits each read buffer into blocks
        parsed in parallel (numba's OpenMP layer: results identical to the serial parse).
        Serial is the default because the serial kernel (~750 MB/s) already outruns the rest of
        the pipeline here, and GNU OpenMP cannot be used again in a forked child process.
    column_mapping: "name" (the header names the columns, any order and letter case; the
        default of the Python API and CLI) or "position" (Kùzu's COPY: field i fills column i,
        a header is only skipped).
    columns: the columns the file holds, in order (``COPY T(a, b)``); the others get NULL.
    """

    header: bool = True
    delimiter: str = ","
    quote: str = '"'
    escape: str = '"'
    skip_rows: int = 0
    ignore_errors: bool = False
    null_strings: tuple[str, ...] = ("",)
    batch_size: int = 100_000
    memory_limit: int = 160 << 20
    on_duplicate: str | None = None
    on_missing_endpoint: str | None = None
    bad_tolerance: int | None = None
    partial: bool = False
    threads: int | None = 1
    column_mapping: str = "name"
    columns: tuple[str, ...] | None = None
    _bytes: tuple[int, int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or not (
            1 <= self.batch_size <= MAX_BATCH_SIZE
        ):
            raise ConfigError(
                f"batch_size must be an integer in 1…{MAX_BATCH_SIZE:,}, got {self.batch_size!r}"
            )
        if not isinstance(self.skip_rows, int) or self.skip_rows < 0:
            raise ConfigError(f"skip_rows must be a non-negative integer, got {self.skip_rows!r}")
        if not isinstance(self.memory_limit, int) or self.memory_limit < MIN_MEMORY_LIMIT:
            raise ConfigError(
                f"memory_limit must be at least {MIN_MEMORY_LIMIT >> 20} MB, "
                f"got {self.memory_limit!r}"
            )
        if self.on_duplicate not in (None, "error", "keep_first"):
            raise ConfigError(
                f"on_duplicate must be 'error' or 'keep_first', got {self.on_duplicate!r}"
            )
        if self.on_missing_endpoint not in (None, "error", "skip"):
            raise ConfigError(
                f"on_missing_endpoint must be 'error' or 'skip', got {self.on_missing_endpoint!r}"
            )
        if self.bad_tolerance is not None and (
            not isinstance(self.bad_tolerance, int) or self.bad_tolerance < 0
        ):
            raise ConfigError("bad_tolerance must be a non-negative integer or None")
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 1):
            raise ConfigError(f"threads must be a positive integer, got {self.threads!r}")
        if self.column_mapping not in ("name", "position"):
            raise ConfigError(
                f"column_mapping must be 'name' or 'position', got {self.column_mapping!r}")
        if self.columns is not None:
            object.__setattr__(self, "columns", tuple(self.columns))
        if isinstance(self.null_strings, str):
            object.__setattr__(self, "null_strings", (self.null_strings,))
        if not isinstance(self.null_strings, list | tuple | set | frozenset) or not all(
                isinstance(s, str) for s in self.null_strings):
            raise ConfigError(
                "null_strings must be a string or a sequence of strings, got "
                f"{self.null_strings!r}")
        object.__setattr__(self, "null_strings", tuple(self.null_strings))
        delim = _one_byte("delimiter", self.delimiter)
        quote = _one_byte("quote", self.quote)
        escape = _one_byte("escape", self.escape)
        if delim == quote:
            raise ConfigError("delimiter and quote must differ")
        object.__setattr__(self, "_bytes", (delim, quote, escape))

    @property
    def dialect_bytes(self) -> tuple[int, int, int]:
        """(delimiter, quote, escape) as byte values."""
        return self._bytes

    @property
    def budgets(self) -> Budgets:
        return Budgets.from_limit(self.memory_limit)

    @property
    def keep_first_duplicate(self) -> bool:
        default = "keep_first" if self.ignore_errors else "error"
        return (self.on_duplicate or default) == "keep_first"

    @property
    def skip_missing_endpoints(self) -> bool:
        return (self.on_missing_endpoint or ("skip" if self.ignore_errors else "error")) == "skip"


@dataclass(frozen=True)
class Budgets:
    """Byte budgets of the memory-hungry stages, all derived from ``memory_limit``: the parse
    buffers take 1/8 and the bytes queued for the write-behind thread 1/8 (at most 64 MB),
    while parsing; then one primary-key index partition 1/2, or the endpoint lookup
    structures 1/4 and the CSR buckets being sorted 1/4. The write buffers of a group of
    scratch files (the partitions of a key spill) take 1/10 (at most ``SPILL_BUFFERS_BYTES``);
    two groups are written at once at most (the two endpoints' spills; the two CSR directions'
    buckets share one group's bytes), before the memory of the stage that reads them back is
    taken. Stages that run at the same time add
    up to at most ``memory_limit``; the interpreter, numpy and numba (~140 MB) come on top."""

    parse: int
    index: int
    resolve: int
    csr: int
    write_behind: int = 64 << 20
    spill: int = SPILL_BUFFERS_BYTES

    @classmethod
    def from_limit(cls, memory_limit: int) -> Budgets:
        return cls(parse=memory_limit // 8, index=memory_limit // 2,
                   resolve=memory_limit // 4, csr=memory_limit // 4,
                   write_behind=min(64 << 20, memory_limit // 8),
                   spill=min(SPILL_BUFFERS_BYTES, memory_limit // 10))


@dataclass(frozen=True)
class ImportProgress:
    """A progress report; ``rows`` and ``bytes_read`` never decrease within a stage."""

    table: str
    stage: str  # "nodes", "index", "relationships", "resolve", "csr", "commit"
    rows: int
    bytes_read: int
    bytes_total: int
    batch_count: int
    elapsed: float
    rss: int
    # of ``rss``: bytes queued for the background threads, the write-behind writer and the key
    # hashing of the index and endpoint spills (bounded; they fill when the disk or the threads'
    # core is slower than the parser, so they are not growth)
    write_queue_bytes: int = 0

    @property
    def fraction(self) -> float:
        return self.bytes_read / self.bytes_total if self.bytes_total else 1.0


@dataclass(frozen=True)
class Reject:
    """A rejected input row (like Kùzu's ``show_warnings``)."""

    path: str
    line: int
    byte_offset: int
    column: int | None  # 1-based field number, None when the whole record is at fault
    column_name: str | None
    reason: str
    record: str

    def to_dict(self) -> dict:
        return {
            "file": self.path,
            "line": self.line,
            "byte_offset": self.byte_offset,
            "column": self.column,
            "column_name": self.column_name,
            "reason": self.reason,
            "record": self.record,
        }


@dataclass(frozen=True)
class Interruption:
    """Where a partial-mode import stopped: rows before ``resume_line`` were committed; run the
    same import again with ``skip_rows=resume_skip_rows`` to continue there."""

    error: BaseException
    resume_line: int
    resume_skip_rows: int


@dataclass
class ImportResult:
    table: str
    path: str
    rows_imported: int = 0
    rows_skipped: int = 0
    rejects: list[Reject] = field(default_factory=list)
    bytes_read: int = 0
    batch_count: int = 0
    seconds: float = 0.0
    peak_rss: int = 0
    interruption: Interruption | None = None

    @property
    def rows_read(self) -> int:
        return self.rows_imported + self.rows_skipped

    def skipped_by_reason(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rejects:
            key = r.reason.split(":")[0]
            out[key] = out.get(key, 0) + 1
        return out
