"""DELETE and DETACH DELETE. ruzu's tables are append-only files, so a statement that deletes
writes the tables it changes anew, in its one transaction: a node table without the deleted
rows, and every relationship table joined to it (its endpoints are numbered anew) without the
deleted relationships — and, for DETACH DELETE, without those of the deleted nodes; DELETE of
a node that still has relationships raises Kùzu's error. The cost is the size of the tables.
Unlike Kùzu, which leaves holes, the remaining rows are renumbered: ``id()`` values change."""

from __future__ import annotations

from ..errors import QueryError
from ..types import LogicalType
from .table_rewrite import reload_nodes, reload_rels, stored_nodes, stored_rels


class Deletions:
    def __init__(self, db, detach: bool) -> None:
        self.db = db
        self.detach = detach
        self.nodes: dict[str, set[int]] = {}  # node table → offsets
        self.rels: dict[tuple[str, tuple[str, str]], set[int]] = {}  # (table, pair) → edge ids

    def add(self, var: str, value) -> None:
        if value is None:
            return  # an OPTIONAL MATCH found nothing: nothing to delete (as Kùzu)
        if not isinstance(value, dict) or "_label" not in value:
            raise QueryError(f"Binder exception: Delete {var} is not a node or relationship.")
        if "_src" in value:
            table = value["_label"]
            pair = (self._table_of(value["_src"]), self._table_of(value["_dst"]))
            self.rels.setdefault((table, pair), set()).add(value["_id"]["offset"])
        else:
            self.nodes.setdefault(value["_label"], set()).add(value["_id"]["offset"])

    def _table_of(self, node_id: dict) -> str:
        names = {oid: name for name, oid in self.db.catalog.oids.items()}
        return names[node_id["table"]]

    def commit(self) -> None:
        if not self.nodes and not self.rels:
            return
        catalog = self.db.catalog
        rel_tables = {t for t, _ in self.rels}
        rel_tables |= {name for name, schema in catalog.rel_tables.items()
                       if any(a in self.nodes or b in self.nodes for a, b in schema.pairs)}
        kept_rels = {name: self._kept_rels(name) for name in sorted(rel_tables)}
        with self.db._write() as txn:
            for table in self.nodes:
                self._rewrite_nodes(txn, table)
            for name, pairs in kept_rels.items():
                reload_rels(txn, self.db, name, pairs)

    def _kept_rels(self, name: str) -> dict[tuple[str, str], list[list]]:
        """Per pair, the relationships that stay: [from key, to key, properties…]."""
        schema = self.db.catalog.rel(name)
        out = {}
        blocked: list[tuple[int, int, str]] = []  # (direction, node offset, table)
        for pair in [tuple(p) for p in schema.pairs]:
            gone = self.rels.get((name, pair), set())
            kept = []
            for row in stored_rels(self.db, name, pair):
                offset, src, dst = row[0], row[1], row[2]
                if offset in gone:
                    continue
                ends = [(d, node) for d, node in ((0, src), (1, dst))
                        if node in self.nodes.get(pair[d], ())]
                if not ends:
                    kept.append(row[3:])
                elif not self.detach:
                    blocked.append((ends[0][0], ends[0][1], name))
            out[pair] = kept
        if blocked:  # Kùzu looks at the forward direction first
            direction, node, table = min(blocked, key=lambda b: b[0])
            raise QueryError(
                f"Runtime exception: Node(nodeOffset: {node}) has connected edges in table "
                f"{table} in the {('fwd', 'bwd')[direction]} direction, which cannot be "
                "deleted. Please delete the edges first or try DETACH DELETE.")
        return out

    def _rewrite_nodes(self, txn, table: str) -> None:
        schema = self.db.catalog.node(table)
        if any(c.type is LogicalType.SERIAL for c in schema.columns):
            raise QueryError(f"DELETE from {table}: a table with a SERIAL column cannot be "
                             "renumbered (its values would change)")
        gone = self.nodes[table]
        reload_nodes(txn, self.db, table,
                     [r[1:] for r in stored_nodes(self.db, table) if r[0] not in gone])
