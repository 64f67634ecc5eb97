"""DELETE and DETACH DELETE. ruzu's tables are append-only files, so a statement that deletes
writes the tables it changes anew, in its one transaction: a node table without the deleted
rows, and every relationship table joined to it (its endpoints are numbered anew) without the
deleted relationships — and, for DETACH DELETE, without those of the deleted nodes; DELETE of
a node that still has relationships raises Kùzu's error. The cost is the size of the tables.
Unlike Kùzu, which leaves holes, the remaining rows are renumbered: ``id()`` values change."""

from __future__ import annotations

from ..errors import QueryError
from ..query import run_query
from ..query.syntax.parser import parse
from ..types import LogicalType
from .write_values import arrow_rows, check_loaded, import_config


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
                self._rewrite_rels(txn, name, pairs)

    def _kept_rels(self, name: str) -> dict[tuple[str, str], list[list]]:
        """Per pair, the relationships that stay: [from key, to key, properties…]."""
        schema = self.db.catalog.rel(name)
        out = {}
        blocked: list[tuple[int, int, str]] = []  # (direction, node offset, table)
        for pair in [tuple(p) for p in schema.pairs]:
            gone = self.rels.get((name, pair), set())
            ends = [self.db.catalog.node(t) for t in pair]
            items = "".join(f", r.`{c}`" for c in schema.column_names)
            query = (f"MATCH (a:`{pair[0]}`)-[r:`{name}`]->(b:`{pair[1]}`) RETURN "
                     f"offset(id(r)) AS __o, offset(id(a)), offset(id(b)), "
                     f"a.`{ends[0].primary_key}`, b.`{ends[1].primary_key}`{items} "
                     "ORDER BY __o")
            kept = []
            for row in run_query(self.db, parse(query), {}, query).get_all():
                offset, src, dst = row[0], row[1], row[2]
                if offset in gone:
                    continue
                ends = [(d, node) for d, node in ((0, src), (1, dst))
                        if node in self.nodes.get(pair[d], ())]
                if not ends:
                    kept.append(list(row[3:]))
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
        from ..csv.node_loader import load_nodes
        from ..storage.node_table import create_node_storage, node_storage_files

        schema = self.db.catalog.node(table)
        cols = [c for c in schema.columns if c.type is not LogicalType.SERIAL]
        if any(c.type is LogicalType.SERIAL for c in schema.columns):
            raise QueryError(f"DELETE from {table}: a table with a SERIAL column cannot be "
                             "renumbered (its values would change)")
        names = [c.name for c in cols]
        items = ", ".join(f"n.`{n}`" for n in names)
        query = f"MATCH (n:`{table}`) RETURN offset(id(n)) AS __o, {items} ORDER BY __o"
        gone = self.nodes[table]
        rows = [list(r[1:]) for r in run_query(self.db, parse(query), {}, query).get_all()
                if r[0] not in gone]
        state = txn.manifest.tables[table]
        for file_id in node_storage_files(state):
            txn.retire(file_id)
        txn.manifest.tables[table] = create_node_storage(txn, schema)
        if rows:
            with arrow_rows(names, [c.type for c in cols], rows) as name:
                check_loaded(load_nodes(txn, schema, name, import_config(tuple(names)), None,
                                        None), len(rows))

    def _rewrite_rels(self, txn, name: str, pairs: dict) -> None:
        from ..csv.rel_loader import load_relationships
        from ..storage.rel_table import create_rel_storage, rel_storage_files

        schema = self.db.catalog.rel(name)
        state = txn.manifest.tables[name]
        for file_id in rel_storage_files(state):
            txn.retire(file_id)
        txn.manifest.tables[name] = create_rel_storage(txn, schema)
        catalog = self.db.catalog
        for pair, rows in pairs.items():
            if not rows:
                continue
            ends = [catalog.node(t) for t in pair]
            types = [e.column(e.primary_key).type for e in ends] + [c.type for c in schema.columns]
            with arrow_rows(["from", "to", *schema.column_names], types, rows) as source:
                check_loaded(load_relationships(txn, schema, pair, catalog, source,
                                                import_config(None), None, None), len(rows))

