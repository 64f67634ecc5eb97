"""Fast generators of the reference benchmark CSV files, sized in bytes.

Files (the seed shape used in ``shared/design/import-pipeline.md``):

* nodes ``id,name,age`` — ``name`` is ``Person<row>``, ``age`` 18…99;
* edges ``from,to,since`` — endpoints are uniform random rows of the matching node file,
  ``since`` 1990…2024;
* the ``wide`` node file adds ``birthday`` (DATE ``YYYY-MM-DD``), ``active`` (BOOLEAN
  ``true``/``false``) and ``score`` (DOUBLE ``ddd.ddd``).

Id kinds (the key of row ``i`` is a pure function of ``i``, so an edge file can reference the
node file without reading it):

* ``ordered`` (and ``wide``): ``i`` — ids 0…N-1 in file order;
* ``random``: a bijection of ``i`` onto [0, 2**63) — sparse, unique, in random file order;
* ``string``: ``u`` + 16 hex digits of that bijection (e.g. ``u8a3f09c1d2e4b7f6``), unique;
* ``uuid``: a 36-character UUIDv4 text key (``8-4-4-4-12`` lower-case hex, version nibble 4,
  variant 8…b); 63 of its 122 random bits are that bijection, so keys are unique, in random order;
* ``powerlaw``: the ``random`` node file, but edge endpoints are drawn with P(row k) ∝ 1/(k+1)
  (``k = floor(n ** u) - 1`` for a uniform ``u``): node degrees follow a power law with exponent
  ~2, so a few hubs hold a large share of the edges (row 0 alone ~1/ln(n) of the endpoints,
  about 6 % at 27 M nodes) while most nodes have a handful.

Sizes are bytes. ``parse_size`` reads ``K``/``M``/``G``/``T`` (optionally followed by ``B``) as
powers of **1000** — ``1G`` is 1,000,000,000 bytes, the "1 GB" of the design figures — and
``Ki``/``Mi``/``Gi``/``Ti`` (optionally ``B``) as powers of 1024.

The node count of a node file is derived from its size alone (``node_count``), so an edge file
of any size can be generated for a node file of a given size. A node file holds exactly
``node_count(size, kind)`` rows and is within a fraction of a percent of ``size`` bytes; an edge
file holds as many whole rows as fit in ``size`` bytes.

Speed: numba kernels (GIL released) format chunks of rows on two threads into three reused
~33 MB buffers while the calling thread writes them in order. Measured here for 1 GB files:
150–500 MB/s of formatting (to /dev/null), 85–230 MB/s to disk, which is what limits it (a 1 GB
file takes 4–12 s); memory stays at the buffers.
"""

from __future__ import annotations

import os
import re
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .._jit import kernel

KINDS = ("ordered", "random", "string", "wide", "uuid", "powerlaw")
FILES = ("nodes", "edges")
CHUNK_ROWS = 1 << 18
MAX_ROW_BYTES = 128  # upper bound of one generated row in any file

NODE_HEADER = {
    "ordered": b"id,name,age\n",
    "random": b"id,name,age\n",
    "string": b"id,name,age\n",
    "wide": b"id,name,age,birthday,active,score\n",
    "uuid": b"id,name,age\n",
    "powerlaw": b"id,name,age\n",
}
EDGE_HEADER = b"from,to,since\n"

_KIND_CODE = {"ordered": 0, "random": 1, "string": 2, "wide": 3, "uuid": 4, "powerlaw": 5}
_KEY_CODE = {"ordered": 0, "random": 1, "string": 2, "wide": 0, "uuid": 4, "powerlaw": 1}
_M63 = np.uint64((1 << 63) - 1)

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*$", re.IGNORECASE)
_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4}


def parse_size(text: str | int) -> int:
    """``"1G"`` → 1_000_000_000, ``"1GiB"`` → 1_073_741_824, ``"500M"``, ``"100MB"``, ``1234``."""
    if isinstance(text, int):
        return text
    m = _SIZE_RE.match(str(text))
    if not m:
        raise ValueError(f"not a size: {text!r} (examples: 100M, 1G, 5G, 1GiB, 123456)")
    number, unit, binary = m.groups()
    base = 1024 if binary else 1000
    if binary and not unit:
        raise ValueError(f"not a size: {text!r}")
    return int(float(number) * base ** _POWERS[unit.lower()])


def format_size(size: int) -> str:
    """Inverse of ``parse_size`` for round decimal sizes: 1_000_000_000 → ``"1G"``."""
    for unit, power in (("T", 4), ("G", 3), ("M", 2), ("K", 1)):
        if size % 1000**power == 0:
            return f"{size // 1000**power}{unit}"
    return str(size)


@dataclass(frozen=True)
class Generated:
    path: str
    kind: str
    file: str  # "nodes" or "edges"
    rows: int
    bytes: int
    num_nodes: int  # rows of the node file (the referenced one for an edge file)


# ---------------------------------------------------------------------------------------------
# Schemas of the generated files
# ---------------------------------------------------------------------------------------------

def node_columns(kind: str) -> list[tuple[str, str]]:
    """ruzu columns of the node file of ``kind`` (primary key ``id``)."""
    _check_kind(kind)
    cols = [("id", "STRING" if kind in ("string", "uuid") else "INT64"), ("name", "STRING"),
            ("age", "INT64")]
    if kind == "wide":
        cols += [("birthday", "DATE"), ("active", "BOOLEAN"), ("score", "DOUBLE")]
    return cols


EDGE_COLUMNS = [("since", "INT64")]


def kuzu_node_ddl(kind: str, table: str = "Person") -> str:
    cols = ", ".join(f"{n} {t}" for n, t in node_columns(kind))
    return f"CREATE NODE TABLE {table}({cols}, PRIMARY KEY(id))"


def kuzu_rel_ddl(table: str = "Follows", node_table: str = "Person") -> str:
    return f"CREATE REL TABLE {table}(FROM {node_table} TO {node_table}, since INT64)"


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown id kind {kind!r}; expected one of {', '.join(KINDS)}")


# ---------------------------------------------------------------------------------------------
# Node count from a file size
# ---------------------------------------------------------------------------------------------

def _sum_digits(n: int) -> int:
    """Σ len(str(i)) for 0 <= i < n."""
    total, lo, d = 0, 0, 1
    while lo < n:
        hi = min(n, 10**d)
        total += (hi - lo) * d
        lo, d = hi, d + 1
    return total


def _expected_key_digits63() -> float:
    """Mean decimal length of a uniform integer in [0, 2**63)."""
    top = 1 << 63
    mean, lo = 0.0, 0
    for d in range(1, 20):
        hi = min(top, 10**d)
        mean += (hi - lo) / top * d
        lo = hi
    return mean


_E63 = _expected_key_digits63()


def _expected_file_bytes(kind: str, n: int) -> float:
    """Expected size of a node file of ``n`` rows. Per row: ``,Person<i>,aa\\n`` = 11 + digits(i)
    bytes, plus the key, plus in ``wide`` ``,YYYY-MM-DD,true|false,ddd.ddd`` (24.5 on average)."""
    rows = 11 * n + _sum_digits(n)
    if kind in ("ordered", "wide"):
        rows += _sum_digits(n)
    elif kind in ("random", "powerlaw"):
        rows += _E63 * n
    elif kind == "uuid":
        rows += 36 * n
    else:  # string
        rows += 17 * n
    if kind == "wide":
        rows += 24.5 * n
    return len(NODE_HEADER[kind]) + rows


def node_count(size: int | str, kind: str) -> int:
    """Rows of the node file of ``kind`` whose size is ``size`` bytes (the largest ``n`` whose
    expected size does not exceed it)."""
    _check_kind(kind)
    size = parse_size(size)
    lo, hi = 0, max(1, size)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _expected_file_bytes(kind, mid) <= size:
            lo = mid
        else:
            hi = mid - 1
    return lo


# ---------------------------------------------------------------------------------------------
# numba kernels: format rows into a caller-owned uint8 buffer
# ---------------------------------------------------------------------------------------------

@kernel
def _mix64(x):
    """splitmix64 finaliser: a well-mixed uint64 from a counter."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@kernel
def _mix63(i):
    """A bijection of [0, 2**63): odd multipliers mod 2**63 and xor-shifts right are each
    invertible on 63-bit values, so distinct rows get distinct ids (the offset only keeps row 0
    away from id 0)."""
    m = np.uint64(0x7FFFFFFFFFFFFFFF)
    x = ((i + np.uint64(0x5BD1E995)) * np.uint64(0x9E3779B97F4A7C15)) & m
    x ^= x >> np.uint64(31)
    x = (x * np.uint64(0xBF58476D1CE4E5B9)) & m
    x ^= x >> np.uint64(29)
    x = (x * np.uint64(0x94D049BB133111EB)) & m
    x ^= x >> np.uint64(32)
    return x


@kernel
def _put_uint(out, pos, v):
    """Decimal digits of the uint64 ``v`` at ``out[pos:]``; returns the end position."""
    if v == np.uint64(0):
        out[pos] = 48
        return pos + 1
    n = 0
    t = v
    while t > np.uint64(0):
        t //= np.uint64(10)
        n += 1
    end = pos + n
    p = end - 1
    while v > np.uint64(0):
        out[p] = np.uint8(np.uint64(48) + v % np.uint64(10))
        v //= np.uint64(10)
        p -= 1
    return end


@kernel
def _put_fixed(out, pos, v, width):
    """``v`` as exactly ``width`` decimal digits (zero padded)."""
    p = pos + width - 1
    for _ in range(width):
        out[p] = np.uint8(48 + v % 10)
        v //= 10
        p -= 1
    return pos + width


@kernel
def _hex_digit(nib):
    return np.uint8(nib + np.uint64(48)) if nib < np.uint64(10) else np.uint8(nib + np.uint64(87))


@kernel
def _put_uuid(out, pos, i):
    """A UUIDv4 text of 36 bytes for row ``i``: the 63-bit bijection ``x = _mix63(i)`` fills hex
    digits 0…11 and 13…15 (60 bits) and 3 bits of digits 16…17, so distinct rows get distinct
    keys; digit 12 is the version 4, digit 16 has the variant bits 10; the rest is noise."""
    x = _mix63(i)
    noise = _mix64(i ^ np.uint64(0xA0761D6478BD642F))
    p = pos
    for k in range(32):
        if k == 8 or k == 12 or k == 16 or k == 20:
            out[p] = 45  # '-'
            p += 1
        out[p] = _hex_digit(_uuid_nibble(x, noise, k))
        p += 1
    return p


@kernel
def _uuid_nibble(x, noise, k):
    """Hex digit ``k`` (0…31) of the UUID of ``_put_uuid``."""
    if k < 12:
        return (x >> np.uint64(4 * k)) & np.uint64(15)
    if k == 12:
        return np.uint64(4)
    if k < 16:
        return (x >> np.uint64(4 * (k - 1))) & np.uint64(15)
    if k == 16:
        return np.uint64(8) | ((x >> np.uint64(60)) & np.uint64(3))
    if k == 17:
        return ((x >> np.uint64(62)) & np.uint64(1)) | ((noise & np.uint64(7)) << np.uint64(1))
    return (noise >> np.uint64(3 + 4 * (k - 18))) & np.uint64(15)


@kernel
def _put_key(out, pos, kind, i):
    """The id of node row ``i`` (uint64) for the id ``kind`` code."""
    if kind == 1:
        return _put_uint(out, pos, _mix63(i))
    if kind == 2:
        x = _mix63(i)
        out[pos] = 117  # 'u'
        for k in range(16):
            nib = (x >> np.uint64(4 * (15 - k))) & np.uint64(15)
            out[pos + 1 + k] = _hex_digit(nib)
        return pos + 17
    if kind == 4:
        return _put_uuid(out, pos, i)
    return _put_uint(out, pos, i)


@kernel
def _civil_from_days(z):
    """(year, month, day) of days since 1970-01-01 (Howard Hinnant's algorithm)."""
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    if m <= 2:
        y += 1
    return y, m, d


@kernel
def _fill_nodes(kind, key, first, count, seed, out):
    """Rows ``first…first+count-1`` of the node file into ``out`` (at least
    ``count * MAX_ROW_BYTES`` bytes); returns the bytes written."""
    pos = 0
    s = np.uint64(seed) * np.uint64(0xD1B54A32D192ED03)
    for r in range(first, first + count):
        i = np.uint64(r)
        rnd = _mix64(s ^ i)
        pos = _put_key(out, pos, key, i)
        out[pos] = 44
        out[pos + 1] = 80  # Person
        out[pos + 2] = 101
        out[pos + 3] = 114
        out[pos + 4] = 115
        out[pos + 5] = 111
        out[pos + 6] = 110
        pos = _put_uint(out, pos + 7, i)
        out[pos] = 44
        pos = _put_fixed(out, pos + 1, 18 + np.int64(rnd % np.uint64(82)), 2)
        if kind == 3:
            rnd2 = _mix64(rnd)
            # birthday 1950-01-01 … 2005-12-31 (-7305 … 13148 days)
            y, m, d = _civil_from_days(-7305 + np.int64(rnd2 % np.uint64(20454)))
            out[pos] = 44
            pos = _put_fixed(out, pos + 1, y, 4)
            out[pos] = 45
            pos = _put_fixed(out, pos + 1, m, 2)
            out[pos] = 45
            pos = _put_fixed(out, pos + 1, d, 2)
            out[pos] = 44
            pos += 1
            if (rnd2 >> np.uint64(40)) & np.uint64(1):
                out[pos] = 116  # true
                out[pos + 1] = 114
                out[pos + 2] = 117
                out[pos + 3] = 101
                pos += 4
            else:
                out[pos] = 102  # false
                out[pos + 1] = 97
                out[pos + 2] = 108
                out[pos + 3] = 115
                out[pos + 4] = 101
                pos += 5
            out[pos] = 44
            score = np.int64((rnd2 >> np.uint64(41)) % np.uint64(900000))
            pos = _put_fixed(out, pos + 1, 100 + score // 1000, 3)
            out[pos] = 46
            pos = _put_fixed(out, pos + 1, score % 1000, 3)
        out[pos] = 10
        pos += 1
    return pos


@kernel
def _endpoint_row(r, n, skewed):
    """Node row of an endpoint from the uniform 64-bit ``r``: ``r % n``, or with ``skewed``
    ``floor(n ** u) - 1`` for ``u`` = the top 53 bits of ``r`` in [0, 1) — P(row k) ∝ 1/(k+1)."""
    if not skewed:
        return r % n
    u = np.float64(r >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    k = np.uint64(np.floor(np.exp(u * np.log(np.float64(n))))) - np.uint64(1)
    return k if k < n else n - np.uint64(1)


@kernel
def _fill_edges(kind, key, first, max_rows, limit, num_nodes, seed, out):
    """Edge rows from row ``first`` on, while the written bytes stay within ``limit`` (and at
    most ``max_rows``); returns (rows, bytes). ``out`` has ``limit + MAX_ROW_BYTES`` bytes."""
    pos = 0
    s = (np.uint64(seed) + np.uint64(0x632BE59BD9B4E019)) * np.uint64(0xD1B54A32D192ED03)
    n = np.uint64(num_nodes)
    rows = 0
    for r in range(first, first + max_rows):
        i = np.uint64(r)
        a = _mix64(s ^ (i << np.uint64(1)))
        b = _mix64(s ^ ((i << np.uint64(1)) | np.uint64(1)))
        skewed = kind == 5
        end = _put_key(out, pos, key, _endpoint_row(a, n, skewed))
        out[end] = 44
        end = _put_key(out, end + 1, key, _endpoint_row(b, n, skewed))
        out[end] = 44
        end = _put_fixed(out, end + 1, 1990 + np.int64((b >> np.uint64(40)) % np.uint64(35)), 4)
        out[end] = 10
        end += 1
        if end > limit:
            break
        pos = end
        rows += 1
    return rows, pos


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------

def _write_atomic(path: str, fill) -> None:
    """Write through ``path.<pid>.partial`` and rename, so a killed run never leaves a short
    file that a cache would take for a finished one, and two processes generating the same
    file do not write into each other's."""
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}.partial"
    try:
        with open(tmp, "wb") as f:
            fill(f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _pipelined(f, fill_piece, pieces) -> None:
    """Fill pieces on two threads (the kernels release the GIL) and write them in order from
    this one; ``fill_piece(k, buf)`` returns the bytes to write (a view of ``buf``) or None to
    stop. Three reused buffers: two being filled while one is written."""
    bufs = [np.empty(CHUNK_ROWS * MAX_ROW_BYTES + MAX_ROW_BYTES, np.uint8) for _ in range(3)]
    with ThreadPoolExecutor(2) as pool:
        inflight: deque = deque()
        free = list(range(3))
        k = 0
        while True:
            while len(inflight) < 2 and k < pieces:
                b = free.pop()
                inflight.append((b, pool.submit(fill_piece, k, bufs[b])))
                k += 1
            if not inflight:
                return
            b, fut = inflight.popleft()
            data = fut.result()
            if data is None:
                for _, other in inflight:
                    other.result()
                return
            f.write(data)
            free.append(b)


def write_nodes(path: str | os.PathLike, size: int | str, kind: str = "ordered",
                seed: int = 0) -> Generated:
    """The node file of ``kind`` with ``node_count(size, kind)`` rows (≈ ``size`` bytes)."""
    _check_kind(kind)
    path = os.fspath(path)
    n = node_count(size, kind)
    code = _KIND_CODE[kind]
    written = [len(NODE_HEADER[kind])]

    def piece(k: int, buf: np.ndarray):
        first = k * CHUNK_ROWS
        nbytes = _fill_nodes(code, _KEY_CODE[kind], first, min(CHUNK_ROWS, n - first), seed, buf)
        written[0] += nbytes
        return memoryview(buf)[:nbytes]

    def fill(f) -> None:
        f.write(NODE_HEADER[kind])
        _pipelined(f, piece, -(-n // CHUNK_ROWS))

    _write_atomic(path, fill)
    return Generated(path, kind, "nodes", n, written[0], n)


def write_edges(path: str | os.PathLike, size: int | str, kind: str = "ordered",
                num_nodes: int | None = None, node_size: int | str | None = None,
                seed: int = 0) -> Generated:
    """An edge file of at most ``size`` bytes whose endpoints are ids of the node file of
    ``kind`` with ``num_nodes`` rows (or of size ``node_size``; default: ``size``)."""
    _check_kind(kind)
    path = os.fspath(path)
    size = parse_size(size)
    if num_nodes is None:
        num_nodes = node_count(size if node_size is None else node_size, kind)
    if num_nodes < 1:
        raise ValueError("an edge file needs at least one node to reference")
    code = _KIND_CODE[kind]
    state = {"rows": 0, "bytes": len(EDGE_HEADER), "full": False}
    room = CHUNK_ROWS * MAX_ROW_BYTES

    def fill_piece(k: int, buf: np.ndarray):
        if state["full"]:
            return None
        rows, nbytes = _fill_edges(code, _KEY_CODE[kind], k * CHUNK_ROWS, CHUNK_ROWS, room,
                                   num_nodes, seed, buf)
        return rows, nbytes, buf

    class _Writer:  # called in piece order by ``_pipelined``
        def __init__(self, f) -> None:
            self.f = f

        def write(self, piece) -> None:
            rows, nbytes, buf = piece
            left = size - state["bytes"]
            if nbytes >= left:  # the last piece: keep the whole rows that fit
                ends = np.flatnonzero(buf[:left] == 10)
                rows, nbytes = len(ends), (int(ends[-1]) + 1 if len(ends) else 0)
                state["full"] = True
            self.f.write(memoryview(buf)[:nbytes])
            state["rows"] += rows
            state["bytes"] += nbytes

    def fill(f) -> None:
        f.write(EDGE_HEADER)
        _pipelined(_Writer(f), fill_piece, max(1, size // (CHUNK_ROWS * 6)) + 1)

    _write_atomic(path, fill)
    return Generated(path, kind, "edges", state["rows"], state["bytes"], num_nodes)


# ---------------------------------------------------------------------------------------------
# Reference values (slow, obviously correct; the oracle of the tests)
# ---------------------------------------------------------------------------------------------

def node_key(kind: str, i: int) -> int | str:
    """The id of node row ``i`` in a file of ``kind``."""
    _check_kind(kind)
    if kind in ("ordered", "wide"):
        return i
    x = int(_mix63(np.uint64(i)))
    if kind == "uuid":
        noise = int(_mix64(np.uint64(i) ^ np.uint64(0xA0761D6478BD642F)))
        digits = [(x >> 4 * k) & 15 for k in range(12)] + [4]
        digits += [(x >> 4 * (k - 1)) & 15 for k in range(13, 16)]
        digits += [8 | (x >> 60) & 3, (x >> 62) & 1 | (noise & 7) << 1]
        digits += [(noise >> 3 + 4 * (k - 18)) & 15 for k in range(18, 32)]
        h = "".join(f"{d:x}" for d in digits)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return x if kind in ("random", "powerlaw") else f"u{x:016x}"
