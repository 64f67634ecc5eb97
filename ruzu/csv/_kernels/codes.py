"""Status, error and field-kind codes shared by the CSV kernels and the Python reader
(the contract between them; ``ERROR_REASONS`` has the reason texts)."""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Public constants
# ---------------------------------------------------------------------------------------------

KIND_SKIP = 0
KIND_INT = 1
KIND_UINT64 = 2
KIND_FLOAT = 3
KIND_BOOL = 4
KIND_DATE = 5
KIND_TIMESTAMP = 6
KIND_STRING = 7

ST_NEED_MORE = 0
ST_BATCH_FULL = 1
ST_ERROR = 2
ST_REJECTS_FULL = 3
ST_ROW_TOO_LARGE = 4

E_NONE = 0
E_UNTERMINATED_QUOTE = 1
E_STRAY_QUOTE = 2
E_AFTER_QUOTE = 3
E_TOO_FEW_FIELDS = 4
E_TOO_MANY_FIELDS = 5
E_BAD_INT = 6
E_INT_RANGE = 7
E_BAD_FLOAT = 8
E_BAD_BOOL = 9
E_BAD_DATE = 10
E_BAD_TIMESTAMP = 11
E_INVALID_UTF8 = 12
E_NULL_NOT_ALLOWED = 13

ERROR_REASONS = {
    E_NONE: "no error",
    E_UNTERMINATED_QUOTE: "unterminated quoted field",
    E_STRAY_QUOTE: "quote character inside an unquoted field",
    E_AFTER_QUOTE: "unexpected character after a closing quote",
    E_TOO_FEW_FIELDS: "expected {expected} values per row, but got {got}",
    E_TOO_MANY_FIELDS: "expected {expected} values per row, but got {got}",
    E_BAD_INT: "invalid integer",
    E_INT_RANGE: "integer out of range for the column type",
    E_BAD_FLOAT: "invalid floating-point number",
    E_BAD_BOOL: "invalid boolean (expected true/false/t/f/1/0)",
    E_BAD_DATE: "invalid date (expected YYYY-MM-DD)",
    E_BAD_TIMESTAMP: "invalid timestamp (expected YYYY-MM-DD[ T]HH:MM[:SS[.f]][Z|+HH:MM])",
    E_INVALID_UTF8: "invalid UTF-8",
    E_NULL_NOT_ALLOWED: "NULL not allowed (primary key)",
}

# Width of one row of the reject array: (line, record_start, record_end, field, code, got).
REJECT_WIDTH = 6
