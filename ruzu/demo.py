"""A sample social graph for the demo and the benchmarks: ``Person(id, name, age)`` nodes and
``Follows(from, to, since)`` relationships, written as CSV with numpy in fixed-size chunks.

Memory stays at a few tens of MB whatever the row count: each chunk is formatted to bytes by
vectorised digit arithmetic (no per-row Python), written, and dropped. The output depends only
on the counts, the seed and the chunk size.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

DEFAULT_PERSONS = 1_000_000
FOLLOWS_PER_PERSON = 3
CHUNK_ROWS = 1 << 18  # ~8 MB of CSV per chunk for follows, ~7 MB for persons

SCHEMA = """\
// ruzu demo schema: a small social network.
CREATE NODE TABLE Person(id INT64, name STRING, age INT64, PRIMARY KEY (id));
CREATE REL TABLE Follows(FROM Person TO Person, since INT64);
"""

_FIRST = (
    "Ada Alan Alice Amara Ana Ben Bruno Carla Chen Chloe Dario Dmitri Elena Emil Eva Farah "
    "Felix Grace Hana Hugo Ines Ivan Jana Jonas Kai Kenji Lara Leo Lina Luca Maya Mei Nadia "
    "Noah Olga Omar Paula Priya Rosa Sami Sofia Tariq Tomas Una Vera Wei Yara Yusuf Zoe Zane"
).split()
_LAST = (
    "Abe Baker Bauer Costa Das Diaz Eriksen Fischer Garcia Gupta Hansen Ito Jensen Kim Kowalski "
    "Lee Lopez Meyer Moreau Nakamura Novak Okafor Olsen Patel Petrov Quinn Rossi Sato Schmidt "
    "Silva Smith Tanaka Torres Ueda Varga Wagner Wang Weber Xu Yilmaz Young Zhang Zimmer"
).split()


@dataclass(frozen=True)
class DemoFiles:
    """Where :func:`generate` wrote the sample graph, and how big it is."""

    directory: str
    schema: str
    persons: str
    follows: str
    num_persons: int
    num_follows: int
    bytes_written: int
    seconds: float


def generate(directory: str | os.PathLike, persons: int = DEFAULT_PERSONS,
             follows: int | None = None, *, seed: int = 0) -> DemoFiles:
    """Write ``schema.cypher``, ``persons.csv`` and ``follows.csv`` into ``directory``
    (created if needed; these three files are overwritten). ``follows`` defaults to
    ``3 * persons``."""
    if persons < 1:
        raise ValueError(f"persons must be at least 1, got {persons}")
    follows = FOLLOWS_PER_PERSON * persons if follows is None else follows
    if follows < 0:
        raise ValueError(f"follows must be non-negative, got {follows}")
    t0 = time.perf_counter()
    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)
    schema = os.path.join(directory, "schema.cypher")
    with open(schema, "w", encoding="utf-8") as f:
        f.write(SCHEMA)
    p_path = os.path.join(directory, "persons.csv")
    f_path = os.path.join(directory, "follows.csv")
    size = write_persons(p_path, persons, seed=seed)
    size += write_follows(f_path, persons, follows, seed=seed + 1)
    return DemoFiles(directory, schema, p_path, f_path, persons, follows, size,
                     time.perf_counter() - t0)


def write_persons(path: str | os.PathLike, n: int, *, seed: int = 0,
                  chunk_rows: int = CHUNK_ROWS) -> int:
    """``id,name,age`` for ids 0 … n-1 (in order); returns the bytes written."""
    rng = np.random.default_rng(seed)
    names = _name_vocabulary()
    with open(path, "wb") as f:
        written = f.write(b"id,name,age\n")
        for start in range(0, n, chunk_rows):
            k = min(chunk_rows, n - start)
            ids = np.arange(start, start + k, dtype=np.int64)
            name_rows = names[rng.integers(0, len(names), k)]
            ages = rng.integers(18, 90, k)
            written += f.write(format_rows([ids, name_rows, ages]))
    return written


def write_follows(path: str | os.PathLike, n_persons: int, n_follows: int, *, seed: int = 0,
                  chunk_rows: int = CHUNK_ROWS) -> int:
    """``from,to,since`` rows between persons 0 … n_persons-1, never a self-loop when there is
    more than one person. Half of the targets are skewed towards low ids so a few people are
    popular, as in real social graphs. Returns the bytes written."""
    rng = np.random.default_rng(seed)
    with open(path, "wb") as f:
        written = f.write(b"from,to,since\n")
        for start in range(0, n_follows, chunk_rows):
            k = min(chunk_rows, n_follows - start)
            src = rng.integers(0, n_persons, k)
            dst = rng.integers(0, n_persons, k)
            popular = rng.random(k) < 0.5
            dst[popular] = (rng.random(int(popular.sum())) ** 3 * n_persons).astype(np.int64)
            if n_persons > 1:
                loops = dst == src
                dst[loops] = (dst[loops] + 1) % n_persons
            since = rng.integers(2005, 2026, k)
            written += f.write(format_rows([src, dst, since]))
    return written


def format_rows(columns: list[np.ndarray], delimiter: bytes = b",") -> bytes:
    """CSV bytes of equally long columns: non-negative integer arrays or fixed-width ``S``
    (bytes) arrays without delimiters, quotes or NUL bytes.

    Each column becomes a uint8 matrix padded with NUL bytes; the matrices and the separator
    columns are stacked side by side and the NULs dropped, which leaves the rows in order.
    """
    n = len(columns[0])
    sep = np.full((n, 1), delimiter[0], np.uint8)
    newline = np.full((n, 1), ord("\n"), np.uint8)
    blocks: list[np.ndarray] = []
    for i, col in enumerate(columns):
        if i:
            blocks.append(sep)
        if col.dtype.kind == "S":
            blocks.append(col.view(np.uint8).reshape(n, col.dtype.itemsize))
        else:
            blocks.append(_digits(col))
    blocks.append(newline)
    mat = np.hstack(blocks)
    flat = mat.ravel()
    return flat[flat != 0].tobytes()


def _digits(values: np.ndarray) -> np.ndarray:
    """uint8[n, w]: the decimal digits of non-negative integers, right-aligned, NUL-padded."""
    v = np.asarray(values, dtype=np.int64)
    if len(v) and int(v.min()) < 0:
        raise ValueError("format_rows handles non-negative integers only")
    width = len(str(int(v.max()))) if len(v) else 1
    out = np.empty((len(v), width), np.uint8)
    rest = v.copy()
    for k in range(width - 1, -1, -1):
        out[:, k] = rest % 10 + ord("0")
        rest //= 10
    if width > 1:
        # Position k is a leading zero when the value has fewer than width - k digits.
        limits = 10 ** np.arange(width - 1, 0, -1, dtype=np.int64)
        out[:, : width - 1][v[:, None] < limits[None, :]] = 0
    return out


def _name_vocabulary() -> np.ndarray:
    return np.array([f"{a} {b}".encode() for a in _FIRST for b in _LAST])
