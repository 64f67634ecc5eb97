"""Table schemas: node tables (typed columns, a primary key) and rel tables (node-table pairs,
typed property columns). Names are validated: 1 to 64 printable characters, no backquote
(plain identifiers, or anything Kùzu accepts between backquotes such as ``Lives-In``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import CatalogError
from .types import LogicalType

_NAME = re.compile(r"^[^`\x00-\x1f\x7f]{1,64}$")
_RESERVED_COLUMNS = {"_id", "_label", "_src", "_dst"}


def validate_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise CatalogError(
            f"invalid {what} name {name!r}: use 1 to 64 printable characters, no backquote"
        )
    return name


@dataclass(frozen=True)
class ColumnSchema:
    name: str
    type: LogicalType


def _columns(columns, what: str) -> list[ColumnSchema]:
    out: list[ColumnSchema] = []
    seen: set[str] = set()
    for item in columns:
        if isinstance(item, ColumnSchema):
            name, typ = item.name, item.type
        else:
            name, typ = item
        validate_name(name, f"{what} column")
        if name in _RESERVED_COLUMNS:
            raise CatalogError(f"column name {name!r} is reserved")
        if name in seen:
            raise CatalogError(f"duplicate column {name!r}")
        seen.add(name)
        if isinstance(typ, str):
            typ = LogicalType.parse(typ)
        if typ is LogicalType.SERIAL and what != "node table":
            raise CatalogError(f"column {name!r}: SERIAL is only allowed in node tables (as Kùzu)")
        out.append(ColumnSchema(name, typ))
    return out


@dataclass
class NodeTableSchema:
    name: str
    columns: list[ColumnSchema]
    primary_key: str

    def __post_init__(self) -> None:
        validate_name(self.name, "table")
        self.columns = _columns(self.columns, "node table")
        if not self.columns:
            raise CatalogError(f"node table {self.name} needs at least one column")
        if self.primary_key not in self.column_names:
            raise CatalogError(
                f"primary key {self.primary_key!r} is not a column of table {self.name}"
            )
        pk_type = self.column(self.primary_key).type
        if not (pk_type.is_integer or pk_type in (LogicalType.STRING, LogicalType.UUID)):
            raise CatalogError(
                f"primary key {self.primary_key!r} of table {self.name} must be an integer, "
                f"STRING or UUID column, not {pk_type.value}"
            )

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSchema:
        for c in self.columns:
            if c.name == name:
                return c
        raise CatalogError(f"table {self.name} has no column {name!r}")

    def to_dict(self) -> dict:
        return {
            "kind": "node",
            "name": self.name,
            "columns": [[c.name, c.type.value] for c in self.columns],
            "primary_key": self.primary_key,
        }


@dataclass
class RelTableSchema:
    name: str
    pairs: list[tuple[str, str]]
    columns: list[ColumnSchema] = field(default_factory=list)

    def __post_init__(self) -> None:
        validate_name(self.name, "table")
        self.columns = _columns(self.columns, "rel table")
        self.pairs = [(validate_name(a, "table"), validate_name(b, "table")) for a, b in self.pairs]
        if not self.pairs:
            raise CatalogError(f"rel table {self.name} needs at least one FROM … TO … pair")
        if len(set(self.pairs)) != len(self.pairs):
            raise CatalogError(f"rel table {self.name} names the same FROM … TO … pair twice")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSchema:
        for c in self.columns:
            if c.name == name:
                return c
        raise CatalogError(f"rel table {self.name} has no column {name!r}")

    def to_dict(self) -> dict:
        return {
            "kind": "rel",
            "name": self.name,
            "pairs": [list(p) for p in self.pairs],
            "columns": [[c.name, c.type.value] for c in self.columns],
        }


@dataclass
class Catalog:
    node_tables: dict[str, NodeTableSchema] = field(default_factory=dict)
    rel_tables: dict[str, RelTableSchema] = field(default_factory=dict)
    # Kùzu's table ids, in creation order and never reused: a node table takes one, a rel
    # table one per FROM/TO pair (the ids its edges carry) and one for itself.
    oids: dict[str, int] = field(default_factory=dict)
    next_oid: int = 0

    def has(self, name: str) -> bool:
        return name in self.node_tables or name in self.rel_tables

    def add(self, schema: NodeTableSchema | RelTableSchema) -> None:
        if self.has(schema.name):
            raise CatalogError(f"table {schema.name} already exists")
        if isinstance(schema, NodeTableSchema):
            self.node_tables[schema.name] = schema
        else:
            for a, b in schema.pairs:
                for end in (a, b):
                    if end not in self.node_tables:
                        raise CatalogError(
                            f"rel table {schema.name}: node table {end} does not exist"
                        )
            self.rel_tables[schema.name] = schema
        self.oids[schema.name] = self.next_oid
        self.next_oid += 1 if isinstance(schema, NodeTableSchema) else len(schema.pairs) + 1

    def node(self, name: str) -> NodeTableSchema:
        try:
            return self.node_tables[name]
        except KeyError:
            raise CatalogError(f"node table {name} does not exist") from None

    def rel(self, name: str) -> RelTableSchema:
        try:
            return self.rel_tables[name]
        except KeyError:
            raise CatalogError(f"rel table {name} does not exist") from None

    def remove(self, name: str) -> None:
        if name in self.node_tables:
            users = [r.name for r in self.rel_tables.values() for p in r.pairs if name in p]
            if users:
                raise CatalogError(
                    f"cannot drop node table {name}: rel table {users[0]} references it"
                )
            del self.node_tables[name]
        elif name in self.rel_tables:
            del self.rel_tables[name]
        else:
            raise CatalogError(f"table {name} does not exist")

    def to_dict(self) -> dict:
        return {
            "tables": [t.to_dict() for t in self.node_tables.values()]
            + [t.to_dict() for t in self.rel_tables.values()],
            "oids": dict(self.oids),
            "next_oid": self.next_oid,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Catalog:
        cat = cls()
        for t in data.get("tables", []):
            if t["kind"] == "node":
                cat.add(NodeTableSchema(t["name"], [tuple(c) for c in t["columns"]],
                                        t["primary_key"]))
            else:
                cat.add(RelTableSchema(t["name"], [tuple(p) for p in t["pairs"]],
                                       [tuple(c) for c in t["columns"]]))
        if "oids" in data:  # older catalogs: ids in the order above
            cat.oids = {k: int(v) for k, v in data["oids"].items() if cat.has(k)}
            cat.next_oid = int(data.get("next_oid", cat.next_oid))
        return cat
