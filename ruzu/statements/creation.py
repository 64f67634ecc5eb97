"""What CREATE and MERGE patterns make, row by row, and how it is committed.

``PatternWriter`` checks the patterns against the catalog (one node table per new node, one
rel table per new relationship, known properties, a primary key unless it is SERIAL) and
lists the values the reading part must evaluate (``columns``). ``apply`` turns one evaluated
row into new nodes and relationships in ``Creations``, which appends them all in one
transaction through the importer (``write_values.arrow_rows``)."""

from __future__ import annotations

from ..errors import CatalogError, DuplicateKeyError, QueryError
from ..query import ast
from ..query.syntax.walk import mentioned
from ..types import LogicalType
from .merge import identity, merged
from .set_props import SetStep, Updates, check_rel_target, check_target
from .write_steps import NodeStep, RelRef, RelStep, WriteGroup
from .write_values import arrow_rows, check_loaded, column_text, import_config


class PatternWriter:
    def __init__(self, db, bound: set[str]) -> None:
        self.db = db
        self.catalog = db.catalog
        self.bound = set(bound)  # bound by the reading part
        self.declared: dict[str, str] = {}  # variable → node table, declared by the writes
        self.columns: dict[str, ast.Expr] = {}  # evaluated by the reading part
        self.groups: list[WriteGroup] = []
        self.rel_ends: dict[str, tuple[str, str]] = {}  # relationship variable → its nodes
        self.set_targets: set[str] = set()  # variables whose properties a SET changes
        self.bound_rels: set[str] = set()  # relationship variables of the reading part
        self._anon = 0

    # ------------------------------------------------------------------ binding

    def add(self, clause) -> None:
        if isinstance(clause, ast.SetClause):
            group = WriteGroup(False)
            group.sets = [self._set_step(item) for item in clause.items]
            self.groups.append(group)
            return
        group = WriteGroup(isinstance(clause, ast.Merge), patterns=clause.patterns)
        for path in clause.patterns:
            if path.variable:
                raise QueryError(f"a named path ({path.variable} = …) in "
                                 f"{'MERGE' if group.merge else 'CREATE'} is not supported")
            names = [self._node(n, group) for n in path.nodes]
            for i, rel in enumerate(path.rels):
                self._rel(rel, names[i], names[i + 1], group)
        if group.merge:
            self._on_create(clause.on_create, group)
            group.sets = [self._set_step(item) for item in clause.on_match]
        self.groups.append(group)

    def _set_step(self, item: ast.SetItem) -> SetStep:
        var = item.variable
        if var not in self.bound and var not in self.declared:
            raise QueryError(f"Binder exception: Variable {var} is not in scope.")
        if var in self.rel_ends:
            check_rel_target(self.catalog, self.declared[var], item.key, var)
        elif var in self.declared:
            check_target(self.catalog, self.declared[var], item.key, var)
        else:
            self._value(f"__v_{var}", ast.Variable(var))
        step = SetStep(var, item.key, self._expression(item.value))
        self.set_targets.add(var)
        return step

    def _node(self, node: ast.NodePattern, group: WriteGroup) -> str:
        var = node.variable
        if var is not None and (var in self.bound or var in self.declared):
            if node.labels or node.properties:
                raise QueryError(f"Binder exception: Variable {var} already exists.")
            if var in self.bound:
                self._value(f"__v_{var}", ast.Variable(var))
            group.steps.append(NodeStep(var, None))
            return var
        if var is None:
            self._anon += 1
            var = f"__anon{self._anon}"
        table = self._node_table(node, var)
        schema = self.catalog.node(table)
        step = NodeStep(var, table)
        for key, expr in node.properties:
            column = _column(schema, key, node.variable)
            step.props.append((column, self._expression(expr)))
        given = {c for c, _ in step.props}
        pk = schema.column(schema.primary_key)
        if pk.type is not LogicalType.SERIAL and schema.primary_key not in given:
            raise QueryError(f"Binder exception: Create node {node.variable or ''} expects "
                             f"primary key {schema.primary_key} as input.")
        self.declared[var] = table
        group.steps.append(step)
        return var

    def _node_table(self, node: ast.NodePattern, var: str) -> str:
        labels = node.labels or tuple(self.catalog.node_tables)
        shown = node.variable or ""
        if len(labels) != 1:
            raise QueryError(f"Binder exception: Create node {shown} with "
                             f"{'multiple' if labels else 'empty'} node labels is not "
                             "supported.")
        label = labels[0]
        if label in self.catalog.rel_tables:
            raise QueryError(f"Binder exception: Cannot bind {label} as a node pattern "
                             "label.")
        if label not in self.catalog.node_tables:
            raise CatalogError(f"Binder exception: Table {label} does not exist.")
        return label

    def _rel(self, rel: ast.RelPattern, left: str, right: str, group: WriteGroup) -> None:
        shown = rel.variable or ""
        if rel.length is not None or rel.recursive is not None:
            raise QueryError("Binder exception: Cannot create recursive relationship "
                             f"{shown}.")
        if rel.direction == "both":
            raise QueryError("Binder exception: Create undirected relationship is not "
                             "supported. Try create 2 directed relationships instead.")
        if rel.variable and (rel.variable in self.bound or rel.variable in self.declared):
            raise QueryError(f"Binder exception: Variable {rel.variable} already exists.")
        labels = rel.labels or tuple(self.catalog.rel_tables)
        if len(labels) != 1:
            raise QueryError(f"Binder exception: Create rel {shown} with "
                             f"{'multiple' if labels else 'empty'} rel labels is not supported.")
        if labels[0] not in self.catalog.rel_tables:
            if labels[0] in self.catalog.node_tables:
                raise QueryError(f"Binder exception: Cannot bind {labels[0]} as a "
                                 "relationship pattern label.")
            raise CatalogError(f"Binder exception: Table {labels[0]} does not exist.")
        schema = self.catalog.rel(labels[0])
        src, dst = (left, right) if rel.direction == "out" else (right, left)
        step = RelStep(rel.variable, labels[0], src, dst)
        for key, expr in rel.properties:
            step.props.append((_column(schema, key, rel.variable), self._expression(expr)))
        if rel.variable:
            self.declared[rel.variable] = labels[0]
            self.rel_ends[rel.variable] = (src, dst)
        group.steps.append(step)

    def _on_create(self, items, group: WriteGroup) -> None:
        steps = {s.var: s for s in group.steps if s.var is not None}
        for item in items:
            step = steps.get(item.variable)
            if step is None or (isinstance(step, NodeStep) and step.table is None):
                raise QueryError(f"ON CREATE SET {item.variable}.{item.key}: only the "
                                 "variables the MERGE creates can be set")
            table = step.table
            schema = (self.catalog.node(table) if isinstance(step, NodeStep)
                      else self.catalog.rel(table))
            column = _column(schema, item.key, item.variable)
            step.on_create = [p for p in step.on_create if p[0] != column]
            step.on_create.append((column, self._expression(item.value)))

    def _expression(self, expr: ast.Expr) -> str:
        unknown = {v for v in mentioned(expr) if v not in self.bound}
        if unknown:
            raise QueryError(f"a property value that uses {sorted(unknown)[0]}, a variable "
                             "this statement creates, is not supported")
        changed = mentioned(expr) & self.set_targets
        if changed:
            raise QueryError(f"a value that reads {sorted(changed)[0]} after a SET of it in "
                             "the same statement is not supported")
        name = f"__e{len(self.columns)}"
        self.columns[name] = expr
        return name

    def _value(self, name: str, expr: ast.Expr) -> None:
        self.columns.setdefault(name, expr)

    # ------------------------------------------------------------------ one row

    def apply(self, row: dict, creations: Creations) -> list[dict]:
        """Create what ``row`` makes; returns the bindings after the writes (one per row
        unless a MERGE matched several times): variable → (table, key) or ``RelRef``."""
        envs: list[dict] = [{}]
        for group in self.groups:
            following = []
            for env in envs:
                if group.merge:
                    key = identity(self, group.steps, row, env)
                    matches = ([creations.merged[key]] if key in creations.merged
                               else merged(self, group, row, env))
                    if matches:
                        for m in matches:
                            following.append({**env, **m})
                            self._set(group, row, following[-1], creations)
                        continue
                env = dict(env)
                if not group.merge and group.sets:
                    self._set(group, row, env, creations)
                    following.append(env)
                    continue
                self._create(group, row, env, creations)
                if group.merge:
                    creations.merged[key] = {s.var: env[s.var] for s in group.steps if s.var}
                following.append(env)
            envs = following
        return envs

    def _set(self, group: WriteGroup, row: dict, env: dict, creations: Creations) -> None:
        for step in group.sets:
            target = env.get(step.var)
            value = row[step.value]
            if target is None:
                bound = row.get(f"__v_{step.var}")
                if isinstance(bound, dict) and "_src" in bound:  # a relationship of the reads
                    names = {oid: name for name, oid in self.catalog.oids.items()}
                    target = RelRef(bound["_label"], (names[bound["_src"]["table"]],
                                                      names[bound["_dst"]["table"]]),
                                    bound["_id"]["offset"])
                else:
                    target = self._bound_node(step.var, row, "SET")
            if isinstance(target, RelRef):
                check_rel_target(self.catalog, target.table, step.key, step.var)
                creations.set_rel_property(target, step.key, value)
                continue
            table, key = target
            check_target(self.catalog, table, step.key, step.var)
            creations.set_property(table, key, step.key, value)

    def _create(self, group: WriteGroup, row: dict, env: dict, creations: Creations) -> None:
        for step in group.steps:
            values = {c: row[n] for c, n in step.props + step.on_create}
            if isinstance(step, NodeStep):
                if step.table is None:
                    if step.var not in env:
                        env[step.var] = self._bound_node(step.var, row)
                else:
                    env[step.var] = (step.table, creations.add_node(step.table, values))
            else:
                ref = creations.add_rel(step.table, env[step.src], env[step.dst], values,
                                        (step.src, step.dst))
                if step.var:
                    env[step.var] = ref

    def _bound_node(self, var: str, row: dict, what: str = "CREATE") -> tuple[str, object]:
        value = row.get(f"__v_{var}")
        if value is None:
            raise QueryError(f"Runtime exception: {what} on {var}, which is NULL (an OPTIONAL "
                             "MATCH found nothing), is not supported")
        if not isinstance(value, dict) or "_label" not in value or "_src" in value:
            raise QueryError(f"Binder exception: {var} is not a node.")
        label = value["_label"]
        return label, value[self.catalog.node(label).primary_key]


def _column(schema, key: str, var: str | None) -> str:
    if key not in schema.column_names:
        raise QueryError(f"Binder exception: Cannot find property {key} for {var or ''}.")
    return key


class Creations:
    """The rows a write statement adds, per node table and per rel table pair."""

    def __init__(self, db) -> None:
        self.db = db
        self.nodes: dict[str, list[dict]] = {}
        self.keys: dict[str, set] = {}  # primary keys added, per table (as text)
        self.rels: dict[tuple[str, tuple[str, str]], list[tuple]] = {}
        self._serial: dict[str, int] = {}
        self.merged: dict[tuple, dict] = {}  # MERGE patterns created, → their nodes
        self.created: dict[tuple[str, str], dict] = {}  # (table, key text) → new row
        self.updates = Updates(db)
        self.created_rels: dict[int, dict] = {}  # id(RelRef) → values of a new relationship

    def add_node(self, table: str, values: dict):
        schema = self.db.catalog.node(table)
        pk = schema.primary_key
        rows = self.nodes.setdefault(table, [])
        values = dict(values)
        for col in schema.columns:
            if col.type is LogicalType.SERIAL:
                values[col.name] = self._next_serial(table) if col.name == pk else None
        key = values.get(pk)
        if key is None:
            raise QueryError("Runtime exception: Found NULL, which violates the "
                             "non-null constraint of the primary key column.")
        text = column_text(key, schema.column(pk).type)
        seen = self.keys.setdefault(table, set())
        if text in seen or self._stored(table, key):
            raise DuplicateKeyError(f"Runtime exception: Found duplicated primary key value "
                                    f"{text}, which violates the uniqueness constraint of the "
                                    "primary key column.")
        seen.add(text)
        rows.append(values)
        self.created[(table, text)] = values
        return key

    def set_property(self, table: str, key, column: str, value) -> None:
        schema = self.db.catalog.node(table)
        text = column_text(key, schema.column(schema.primary_key).type)
        row = self.created.get((table, text))
        if row is None:
            self.updates.set(table, key, column, value)
        else:
            column_text(value, schema.column(column).type)  # CREATE's kind checks
            row[column] = value

    def _next_serial(self, table: str) -> int:
        if table not in self._serial:
            self._serial[table] = len(self.db.table(table))
        value = self._serial[table]
        self._serial[table] += 1
        return value

    def _stored(self, table: str, key) -> bool:
        try:
            return self.db.table(table).lookup(key) is not None
        except (TypeError, ValueError, OverflowError):
            return False  # a key of the wrong type: the importer reports it

    def add_rel(self, table: str, src: tuple, dst: tuple, values: dict,
                names=("", "")) -> RelRef:
        schema = self.db.catalog.rel(table)
        pair = (src[0], dst[0])
        for end, label, tables in ((0, src[0], [p[0] for p in schema.pairs]),
                                   (1, dst[0], [p[1] for p in schema.pairs])):
            if label not in tables:
                name = names[end] if not names[end].startswith("__") else ""
                raise QueryError(f"Binder exception: Query node {name} violates schema. "
                                 f"Expected labels are {', '.join(dict.fromkeys(tables))}.")
        if pair not in [tuple(p) for p in schema.pairs]:
            raise QueryError(f"Binder exception: Cannot create a relationship of type {table} "
                             f"from {pair[0]} to {pair[1]}: the table connects "
                             + ", ".join(f"{a} to {b}" for a, b in schema.pairs))
        ref = RelRef(table, pair)
        self.rels.setdefault((table, pair), []).append((src[1], dst[1], values, ref))
        self.created_rels[id(ref)] = values
        return ref

    def set_rel_property(self, ref: RelRef, column: str, value) -> None:
        values = self.created_rels.get(id(ref))
        if values is None:
            self.updates.set_rel(ref.table, ref.pair, ref.offset, column, value)
        else:
            column_text(value, self.db.catalog.rel(ref.table).column(column).type)
            values[column] = value

    def commit(self) -> None:
        """Append every new row in one transaction (node tables, then rel tables)."""
        if not self.nodes and not self.rels and self.updates.empty:
            return
        from ..csv.node_loader import load_nodes
        from ..csv.rel_loader import load_relationships

        db = self.db
        with db._write() as txn:
            self.updates.rewrite(txn)
            for table, rows in self.nodes.items():
                schema = db.catalog.node(table)
                cols = [c for c in schema.columns if c.type is not LogicalType.SERIAL]
                data = [[r.get(c.name) for c in cols] for r in rows]
                with arrow_rows([c.name for c in cols], [c.type for c in cols], data) as name:
                    cfg = import_config(tuple(c.name for c in cols))
                    check_loaded(load_nodes(txn, schema, name, cfg, None, None), len(rows))
            for (table, pair), rows in self.rels.items():
                schema = db.catalog.rel(table)
                ends = [db.catalog.node(t) for t in pair]
                key_types = [e.column(e.primary_key).type for e in ends]
                types = key_types + [c.type for c in schema.columns]
                data = [[s, d, *(v.get(c.name) for c in schema.columns)]
                        for s, d, v, _ in rows]
                base = db.rel_table(table, *pair).num_rels
                for i, (*_, ref) in enumerate(rows):
                    ref.offset = base + i
                names = ["from", "to", *schema.column_names]
                with arrow_rows(names, types, data) as name:
                    result = load_relationships(txn, schema, pair, db.catalog, name,
                                                import_config(None), None, None)
                    check_loaded(result, len(rows))
