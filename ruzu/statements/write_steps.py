"""The steps of a CREATE or MERGE clause (what creation.py makes and merge.py looks for) and
the reference to a relationship that a write binds."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class NodeStep:
    var: str
    table: str | None  # None: a variable bound before (by the reads or an earlier step)
    props: list[tuple[str, str]] = field(default_factory=list)  # (column, evaluated name)
    on_create: list[tuple[str, str]] = field(default_factory=list)  # MERGE … ON CREATE SET


@dataclass
class RelStep:
    var: str | None
    table: str
    src: str
    dst: str
    props: list[tuple[str, str]] = field(default_factory=list)
    on_create: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RelRef:
    """A relationship by its table pair and edge id (``offset(id(r))``): the id of a new one
    is known once it is committed."""

    table: str
    pair: tuple[str, str]
    offset: int | None = None


@dataclass
class WriteGroup:
    """The steps of one CREATE clause, of one MERGE clause (its patterns as one), or the
    items of one SET clause."""

    merge: bool
    steps: list = field(default_factory=list)
    patterns: tuple = ()
    sets: list = field(default_factory=list)  # SET items, or MERGE's ON MATCH SET items
