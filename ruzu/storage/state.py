"""The storage state of every table, as the manifest records it: typed, not nested dicts.

On disk (``manifest.json``'s ``tables``) each state is the JSON object ``to_dict`` gives; the
format is unchanged from when these were plain dicts, so existing databases open as before.
``from_dict`` keeps the values as stored (file ids are checked when files are opened, see
``files.FileSet``); a missing key or a wrong shape raises ``KeyError``/``TypeError``/
``ValueError``, which the manifest reports as a malformed manifest.

- ``ColumnState``: ``data``, ``offsets``, ``validity`` file ids (None when absent); a nested
  column (LIST, ARRAY, MAP: ``child``; STRUCT, UNION: ``fields``) has children of its own.
- ``IndexState``: a node table's primary-key index: ``empty``, ``sorted`` (the key column is
  the index: ``first``, ``last``, ``dense``) or ``hash`` (``bits``, files ``h1``, ``h2``,
  ``offsets``, ``dir``; string keys: the ``string_hash`` version, absent for version 1).
- ``CsrState``: one direction of a rel-table pair: files ``indptr``, ``nbr``, ``eid``, the
  ``num_nodes`` it covers and the ``dtype`` of ``nbr``/``eid``.
- ``NodeTableState`` (``num_rows``, ``columns``, ``index``) and ``RelTableState`` (``pairs``:
  ``"FROM|TO"`` → ``RelPairState``: ``num_rels``, ``columns``, ``fwd``, ``bwd``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ColumnState:
    data: int | None
    offsets: int | None = None
    validity: int | None = None
    child: ColumnState | None = None  # LIST, ARRAY, MAP
    fields: list[ColumnState] | None = None  # STRUCT, UNION

    @property
    def children(self) -> list[ColumnState]:
        if self.child is not None:
            return [self.child]
        return list(self.fields or [])

    def file_ids(self) -> list[int]:
        own = [f for f in (self.data, self.offsets, self.validity) if f is not None]
        for child in self.children:
            own += child.file_ids()
        return own

    def to_dict(self) -> dict:
        out: dict = {"data": self.data, "offsets": self.offsets, "validity": self.validity}
        if self.child is not None:
            out["child"] = self.child.to_dict()
        elif self.fields is not None:
            out["fields"] = [f.to_dict() for f in self.fields]
        return out

    @classmethod
    def from_dict(cls, d: dict) -> ColumnState:
        child = d.get("child")
        fields = d.get("fields")
        return cls(
            data=d["data"], offsets=d["offsets"], validity=d["validity"],
            child=None if child is None else cls.from_dict(child),
            fields=None if fields is None else [cls.from_dict(f) for f in _as_list(fields)],
        )


INDEX_KINDS = ("empty", "sorted", "hash")


@dataclass
class IndexState:
    kind: str = "empty"
    # sorted: the key column itself is the index
    first: int | None = None
    last: int | None = None
    dense: bool | None = None
    # hash: 2**bits partitions; h1 (and h2 for strings) hashes, offsets, partition directory
    bits: int | None = None
    h1: int | None = None
    h2: int | None = None
    offsets: int | None = None
    dir: int | None = None
    string_hash: int | None = None  # version of the string-key hash (None: 1, the first)

    @classmethod
    def sorted_keys(cls, first, last, num_rows: int) -> IndexState:
        """The key column is the index: keys ``first … last`` strictly increasing."""
        return cls("sorted", first=int(first), last=int(last),
                   dense=int(last) - int(first) == num_rows - 1)

    def file_ids(self) -> list[int]:
        if self.kind != "hash":
            return []
        return [f for f in (self.h1, self.h2, self.offsets, self.dir) if f is not None]

    def to_dict(self) -> dict:
        if self.kind == "sorted":
            return {"kind": "sorted", "first": self.first, "last": self.last, "dense": self.dense}
        if self.kind == "hash":
            out = {"kind": "hash", "bits": self.bits, "h1": self.h1, "h2": self.h2,
                   "offsets": self.offsets, "dir": self.dir}
            if self.string_hash is not None:
                out["string_hash"] = self.string_hash
            return out
        return {"kind": self.kind}

    @classmethod
    def from_dict(cls, d: dict) -> IndexState:
        kind = d["kind"]
        if kind == "sorted":
            return cls("sorted", first=d["first"], last=d["last"], dense=d["dense"])
        if kind == "hash":
            return cls("hash", bits=d["bits"], h1=d["h1"], h2=d["h2"], offsets=d["offsets"],
                       dir=d["dir"], string_hash=d.get("string_hash"))
        if kind == "empty":
            return cls("empty")
        raise ValueError(f"unknown index kind {kind!r}")


@dataclass
class CsrState:
    indptr: int
    nbr: int
    eid: int
    num_nodes: int
    dtype: str  # of nbr and eid: "int32" while the counts allow it, else "int64"

    def file_ids(self) -> list[int]:
        return [self.indptr, self.nbr, self.eid]

    def to_dict(self) -> dict:
        return {"indptr": self.indptr, "nbr": self.nbr, "eid": self.eid,
                "num_nodes": self.num_nodes, "dtype": self.dtype}

    @classmethod
    def from_dict(cls, d: dict | None) -> CsrState | None:
        if d is None:
            return None
        return cls(d["indptr"], d["nbr"], d["eid"], d["num_nodes"], d["dtype"])


@dataclass
class NodeTableState:
    num_rows: int = 0
    columns: dict[str, ColumnState] = field(default_factory=dict)
    index: IndexState = field(default_factory=IndexState)

    def file_ids(self) -> list[int]:
        ids = [f for col in self.columns.values() for f in col.file_ids()]
        return ids + self.index.file_ids()

    def to_dict(self) -> dict:
        return {"num_rows": self.num_rows,
                "columns": {k: c.to_dict() for k, c in self.columns.items()},
                "index": self.index.to_dict()}

    @classmethod
    def from_dict(cls, d: dict) -> NodeTableState:
        return cls(d["num_rows"], _columns(d["columns"]), IndexState.from_dict(d["index"]))


@dataclass
class RelPairState:
    num_rels: int = 0
    columns: dict[str, ColumnState] = field(default_factory=dict)
    fwd: CsrState | None = None
    bwd: CsrState | None = None

    def csr(self, direction: str) -> CsrState | None:
        if direction == "fwd":
            return self.fwd
        if direction == "bwd":
            return self.bwd
        raise ValueError(f"direction must be 'fwd' or 'bwd', got {direction!r}")

    def file_ids(self) -> list[int]:
        ids = [f for col in self.columns.values() for f in col.file_ids()]
        for csr in (self.fwd, self.bwd):
            if csr is not None:
                ids += csr.file_ids()
        return ids

    def to_dict(self) -> dict:
        return {"num_rels": self.num_rels,
                "columns": {k: c.to_dict() for k, c in self.columns.items()},
                "fwd": None if self.fwd is None else self.fwd.to_dict(),
                "bwd": None if self.bwd is None else self.bwd.to_dict()}

    @classmethod
    def from_dict(cls, d: dict) -> RelPairState:
        return cls(d["num_rels"], _columns(d["columns"]), CsrState.from_dict(d["fwd"]),
                   CsrState.from_dict(d["bwd"]))


@dataclass
class RelTableState:
    pairs: dict[str, RelPairState] = field(default_factory=dict)  # "FROM|TO" -> pair state

    def file_ids(self) -> list[int]:
        return [f for pair in self.pairs.values() for f in pair.file_ids()]

    def to_dict(self) -> dict:
        return {"pairs": {k: p.to_dict() for k, p in self.pairs.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> RelTableState:
        return cls({str(k): RelPairState.from_dict(p) for k, p in _as_dict(d["pairs"]).items()})


TableState = NodeTableState | RelTableState


def table_state_from_dict(d: dict) -> TableState:
    """A node or rel table's state from its manifest form (rel tables have ``pairs``)."""
    d = _as_dict(d)
    if "pairs" in d:
        return RelTableState.from_dict(d)
    return NodeTableState.from_dict(d)


def _columns(d) -> dict[str, ColumnState]:
    return {str(k): ColumnState.from_dict(_as_dict(c)) for k, c in _as_dict(d).items()}


def _as_dict(d) -> dict:
    if not isinstance(d, dict):
        raise TypeError(f"expected an object, got {type(d).__name__}")
    return d


def _as_list(d) -> list:
    if not isinstance(d, list):
        raise TypeError(f"expected a list, got {type(d).__name__}")
    return d
