"""numba kernels that turn CSV bytes into caller-owned column buffers.

Every kernel here is private and verb-named, fills numpy buffers the caller allocated and returns
status / error codes; none of them raises. The Python reader owns the buffers, reads the file in
chunks, and turns the codes into typed errors (``ERROR_REASONS`` has the reason texts).

Kernels: ``_parse_records`` (a batch of records into columns), ``_parse_records_parallel`` (the
same on several threads, same results), ``_split_record`` (one record into fields, e.g. the
header), ``_skip_records`` (skip n records), ``_find_block_starts`` (record starts for
parallel parsing).

Record syntax (RFC 4180 plus the usual extensions):

* records end at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (mixed is fine); a ``\\r`` that is the last
  byte of a non-final buffer is left unconsumed because a ``\\n`` may follow;
* completely empty lines are skipped (they still count as lines); a record never comes from one;
* a field starting with the quote char is quoted: it may hold delimiters, newlines and quotes
  (doubled when ``escape == quote``; otherwise ``escape`` makes the next byte literal); after the
  closing quote only a delimiter, a newline or the end of input may follow;
* line numbers count every newline, also the ones inside quoted fields; CRLF counts once.
* malformed quoting is an error of that field, and the record still ends predictably: a quote
  inside an unquoted field is kept literally, text after a closing quote runs on (unquoted) to
  the next delimiter or newline, an unterminated quote runs to the end of the input.

Values: an unquoted field equal to a null string is NULL (a quoted one never is, so with the
default null string "" an empty field is NULL and ``""`` the empty string). Numbers are strict
(no spaces, no ``_``): integers ``[+-]?[0-9]+`` range-checked; floats as Python's ``float()``
reads them, bit for bit (Clinger's exact fast path, else C strtod), plus inf/infinity/nan;
booleans true/false/t/f/1/0 in any case; dates ``YYYY-MM-DD``; timestamps
``YYYY-MM-DD[ T]HH:MM[:SS[.f{1,9}]][Z|+-HH[[:]MM]]`` to UTC microseconds (a date alone is
midnight); strings must be valid UTF-8 as Python decodes it (NUL bytes are kept).

A kernel never decides on a record it has not seen completely (or, in abort mode, on a field it has
not seen completely), so the answer never depends on where the caller's chunks happen to end.

Modules, one concern each: ``codes`` (status, error and kind codes: the contract with the Python
side), ``_constants`` and ``_intrinsics`` (what the kernels are built from), ``values`` (one field
to one value), ``fields`` (field scanners), ``records`` (the record parser: the hot loop, kept in
one kernel because its inlining is measured), ``boundaries`` (finding records without converting
them), ``parallel`` (the record parser on several threads). This package re-exports the codes
and the kernels the Python side calls (``from ruzu.csv import _kernels as K; K._parse_records``).
"""

from __future__ import annotations

from .._values_temporal import _parse_date
from .boundaries import _find_block_starts, _skip_records, _split_record
from .codes import (
    E_AFTER_QUOTE,
    E_BAD_BOOL,
    E_BAD_DATE,
    E_BAD_FLOAT,
    E_BAD_INT,
    E_BAD_TIMESTAMP,
    E_INT_RANGE,
    E_INVALID_UTF8,
    E_NONE,
    E_NULL_NOT_ALLOWED,
    E_STRAY_QUOTE,
    E_TOO_FEW_FIELDS,
    E_TOO_MANY_FIELDS,
    E_UNTERMINATED_QUOTE,
    ERROR_REASONS,
    KIND_BOOL,
    KIND_DATE,
    KIND_FLOAT,
    KIND_INT,
    KIND_SKIP,
    KIND_STRING,
    KIND_TIMESTAMP,
    KIND_UINT64,
    REJECT_WIDTH,
    ST_BATCH_FULL,
    ST_ERROR,
    ST_NEED_MORE,
    ST_REJECTS_FULL,
    ST_ROW_TOO_LARGE,
)
from .parallel import MIN_PARALLEL_BLOCK, _parse_records_parallel
from .records import _parse_records
from .values import _convert, _parse_timestamp, _utf8_ok

__all__ = [
    "_parse_date",
    "_find_block_starts",
    "_skip_records",
    "_split_record",
    "ERROR_REASONS",
    "E_AFTER_QUOTE",
    "E_BAD_BOOL",
    "E_BAD_DATE",
    "E_BAD_FLOAT",
    "E_BAD_INT",
    "E_BAD_TIMESTAMP",
    "E_INT_RANGE",
    "E_INVALID_UTF8",
    "E_NONE",
    "E_NULL_NOT_ALLOWED",
    "E_STRAY_QUOTE",
    "E_TOO_FEW_FIELDS",
    "E_TOO_MANY_FIELDS",
    "E_UNTERMINATED_QUOTE",
    "KIND_BOOL",
    "KIND_DATE",
    "KIND_FLOAT",
    "KIND_INT",
    "KIND_SKIP",
    "KIND_STRING",
    "KIND_TIMESTAMP",
    "KIND_UINT64",
    "REJECT_WIDTH",
    "ST_BATCH_FULL",
    "ST_ERROR",
    "ST_NEED_MORE",
    "ST_REJECTS_FULL",
    "ST_ROW_TOO_LARGE",
    "MIN_PARALLEL_BLOCK",
    "_parse_records_parallel",
    "_parse_records",
    "_convert",
    "_parse_timestamp",
    "_utf8_ok",
]
