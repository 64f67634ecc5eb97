"""The demo's sample social graph: ``Person(id, name, age)`` nodes and ``Follows(from, to,
since)`` relationships with their schema, written by the testing kit's graph generator
(``ruzu.testing.graphs``: fixed-size chunks, a few tens of MB of memory whatever the row count).
The output depends only on the counts, the seed and the chunk size.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from .testing.graphs import write_follows, write_persons

DEFAULT_PERSONS = 1_000_000
FOLLOWS_PER_PERSON = 3

SCHEMA = """\
// ruzu demo schema: a small social network.
CREATE NODE TABLE Person(id INT64, name STRING, age INT64, PRIMARY KEY (id));
CREATE REL TABLE Follows(FROM Person TO Person, since INT64);
"""


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
