"""Dialect sniffing: guess a CSV file's delimiter, quote, escape and header from a bounded
sample (the first ``sample_rows`` records, at most ``SAMPLE_BYTES`` bytes), as Kùzu and DuckDB
do when the options are not given.

Each (delimiter, quote, escape) candidate parses the sample; the winner's most common number
of fields is the expected one (when the table says how many it wants), then is above one,
then the largest share of rows has it, then it is the largest, then the most fields open with
its quote, then the earlier candidate wins (``,`` before ``|``, tab and ``;``; ``"`` before ``'``).
The header is detected as Kùzu does: the first record is a header when one of its fields does
not parse as its column's type.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ..types import LogicalType

DELIMITERS = (",", "|", "\t", ";")
QUOTES = ('"', "'")
SAMPLE_BYTES = 1 << 20
DEFAULT_SAMPLE_ROWS = 256

try:  # fields over csv's default 128 KiB must not raise _csv.Error
    csv.field_size_limit(sys.maxsize)
except OverflowError:  # pragma: no cover - 32-bit C long
    csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class Dialect:
    delimiter: str = ","
    quote: str = '"'
    escape: str = '"'


def read_sample(open_binary: Callable[[], io.BufferedIOBase], skip_rows: int = 0,
                max_bytes: int = SAMPLE_BYTES) -> tuple[str, bool]:
    """(text, complete): at most ``max_bytes`` from the start of the stream, decoded leniently,
    BOM dropped, ``skip_rows`` lines skipped; ``complete`` when the whole input fit."""
    from .sources import DECOMPRESS_ERRORS

    chunks: list[bytes] = []
    size = 0
    try:
        with open_binary() as f:
            while size <= max_bytes:
                chunk = f.read(min(1 << 16, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except OSError:
        if not chunks:
            return "", True
    except DECOMPRESS_ERRORS:  # a damaged file: the sample is what could be read
        pass
    raw = b"".join(chunks)
    complete = len(raw) <= max_bytes
    raw = raw[:max_bytes]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not complete:  # drop the last, probably cut, line
        cut = raw.rfind(b"\n")
        raw = raw[: cut + 1] if cut >= 0 else raw
    text = raw.decode("utf-8", errors="replace")
    for _ in range(skip_rows):
        nl = text.find("\n")
        text = "" if nl < 0 else text[nl + 1 :]
    return text, complete


ESCAPES = ('"', "\\", "'")  # Kùzu's escape search space, in its order


def _escape_for(text: str, delimiter: str, quote: str, sample_rows: int) -> str:
    """Kùzu's rule: of the escape candidates that parse the sample without error, the last one
    the sample actually uses (an escape followed by the quote or itself, or a doubled quote
    when the escape is the quote) wins; when none is used the quote is the escape (none)."""
    chosen = quote
    for esc in ESCAPES:
        used = _escape_used(text, delimiter, quote, esc, sample_rows)
        if used:
            chosen = esc
    return chosen


def _escape_used(text: str, delimiter: str, quote: str, escape: str,
                 sample_rows: int) -> bool | None:
    """As Kùzu's sniffing parse with (delimiter, quote, escape) over ``sample_rows`` records:
    None when it fails (unterminated quote, an escape before anything but the quote or itself,
    a closing quote followed by anything but a delimiter, line end or - escape being the quote
    - another quote), else whether the escape was used."""
    plain = re.compile("[" + re.escape(delimiter) + "\r\n]")
    special = re.compile("[" + re.escape(quote + escape) + "]")
    used = False
    pos, end, rows = 0, len(text), 0
    while pos < end and rows <= sample_rows:
        if text[pos] != quote:  # an unquoted value runs to the delimiter or the line end
            m = plain.search(text, pos)
            if m is None:
                break
            pos = m.end()
            rows += m.group() != delimiter
            continue
        pos += 1
        while True:  # inside quotes
            m = special.search(text, pos)
            if m is None:
                return None
            pos = m.end()
            if m.group() == quote:
                if pos >= end:
                    return used
                after = text[pos]
                if after == quote and escape == quote:
                    used, pos = True, pos + 1
                    continue
                if after == delimiter:
                    pos += 1
                elif after in "\r\n":
                    pos += 1
                    rows += 1
                else:
                    return None
                break
            if pos >= end or text[pos] not in (quote, escape):
                return None
            used, pos = True, pos + 1
    return used


def parse_sample(text: str, dialect: Dialect, sample_rows: int) -> list[list[str]]:
    doubled = dialect.escape == dialect.quote
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar=dialect.quote,
        doublequote=doubled, escapechar=None if doubled else dialect.escape, strict=False,
    )
    rows = []
    try:
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) >= sample_rows:
                break
    except csv.Error:
        pass
    return rows


def _quoted_fields(text: str, delimiter: str, quote: str) -> int:
    """Fields that open with the quote: at the start of a line or after the delimiter."""
    pattern = rf"(?:^|[\n{re.escape(delimiter)}])[ \t]*{re.escape(quote)}"
    return len(re.findall(pattern, text[: 1 << 16]))


def sniff_dialect(text: str, *, delimiter: str | None = None, quote: str | None = None,
                  escape: str | None = None, expected_fields: int | None = None,
                  sample_rows: int = DEFAULT_SAMPLE_ROWS) -> Dialect:
    """The best dialect for ``text``; options given by the user are kept as they are."""
    delimiters = (delimiter,) if delimiter else DELIMITERS
    quotes = (quote,) if quote else QUOTES
    best_key = None
    best = Dialect(delimiter or ",", quote or '"', escape or (quote or '"'))
    for qi, q in enumerate(quotes):
        for di, d in enumerate(delimiters):
            if d == q:
                continue
            esc = escape or _escape_for(text, d, q, sample_rows)
            candidate = Dialect(d, q, esc)
            rows = parse_sample(text, candidate, sample_rows)
            if not rows:
                continue
            widths = Counter(len(r) for r in rows)
            modal, agree = widths.most_common(1)[0]
            key = (
                expected_fields is not None and modal == expected_fields,
                modal > 1,  # a delimiter that splits the records beats one that does not
                agree / len(rows),  # share of rows of the most common width
                modal,
                _quoted_fields(text, d, q),
                -di,
                -qi,
            )
            if best_key is None or key > best_key:
                best_key, best = key, candidate
    return best


def first_record(text: str, dialect: Dialect) -> list[str] | None:
    rows = parse_sample(text, dialect, 1)
    return rows[0] if rows else None


def detect_header(first: list[str] | None, names: list[str], types: list) -> bool:
    """Kùzu's rule: a header when one of the first record's fields does not parse as its
    column's type. (A first record equal to the column names of an all-STRING table is data
    in Kùzu too.)"""
    del names  # kept for the callers: Kùzu does not compare names
    if not first or not any(v.strip() for v in first):
        return False
    return not all(_parses(v, t) for v, t in zip(first, types, strict=False))


def _temporal_parses(text: str, date: bool) -> bool:
    """As the import reads dates and timestamps (1950-7-23, …Z+00:00, 9-digit fractions)."""
    import numpy as np

    from . import _kernels as K

    raw = np.frombuffer(text.encode("utf-8"), np.uint8)
    ok, _ = (K._parse_date if date else K._parse_timestamp)(raw, 0, len(raw))
    return bool(ok)


def _parses(text: str, typ) -> bool:
    text = text.strip()
    if text == "":
        return True
    kind = getattr(typ, "kind", None)  # a composite type (ruzu/types.py)
    if kind in ("LIST", "ARRAY"):
        return text.startswith("[") and text.endswith("]")
    if kind in ("STRUCT", "MAP"):
        return text.startswith("{") and text.endswith("}")
    if kind == "DECIMAL":
        typ = LogicalType.DOUBLE
    if not isinstance(typ, LogicalType):
        return True
    try:
        if typ.is_integer:
            int(text)
        elif typ in (LogicalType.FLOAT, LogicalType.DOUBLE):
            float(text)
        elif typ is LogicalType.BOOLEAN:
            return text.lower() in ("true", "false", "t", "f", "1", "0")
        elif typ is LogicalType.DATE or typ.name.startswith("TIMESTAMP"):
            return _temporal_parses(text, typ is LogicalType.DATE)
        elif typ.name == "UUID":
            uuid.UUID(text)
    except ValueError:
        return False
    return True
