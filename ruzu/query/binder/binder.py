"""Binding: resolves labels and properties against the catalog, checks that every variable is
in scope and every function exists with its arity, splits WHERE into per-variable filters, and
works out which variables each clause must hand on (the rest of a pattern can be counted
instead of materialised). The result is a list of ``steps``; ``plan`` decides how to run them.
"""

from __future__ import annotations

from ...errors import CatalogError, QueryError
from ..functions.scalar import AGGREGATES, SCALAR_FUNCTIONS, check_arity
from ..graph import Graph
from ..syntax import ast
from ..syntax.lexer import position
from ..syntax.walk import conjuncts, free_variables
from .aggregates import contains_aggregate, find_aggregates
from .naming import column_name
from .outer import with_outer
from .recursive import check_recursive
from .steps import (
    MatchStep,
    PatternNode,
    PatternRel,
    ProjectStep,
    Step,
    Traversal,
    UnwindStep,
    VarInfo,
)

# ----------------------------------------------------------------------------- plan objects


# ----------------------------------------------------------------------------- the binder


class Binder:
    def __init__(self, graph: Graph, query_text: str) -> None:
        self.graph = graph
        self.text = query_text
        self.anonymous = 0

    def where(self, offset: int) -> str:
        if offset < 0:
            return ""
        line, column = position(self.text, offset)
        return f" (line {line}, column {column})"

    # ------------------------------------------------------------------ entry

    def bind(self, query: ast.Query) -> list[Step]:
        scope: dict[str, VarInfo] = {}
        steps: list[Step] = []
        clauses = query.clauses
        self.label_union = _labels_across_matches(clauses)
        for clause in clauses:
            if isinstance(clause, ast.Match):
                step = self.bind_match(clause, scope)
                step.optional = clause.optional
                steps.append(step)
            elif isinstance(clause, ast.Unwind):
                expr = with_outer(clause.expr, scope)
                self.check_expr(expr, scope, allow_aggregates=False)
                tables = _node_list_tables(expr, scope)
                steps.append(UnwindStep(expr, clause.alias, set(), tables))
                info = VarInfo("value") if tables is None else VarInfo("node", tables)
                scope = {**scope, clause.alias: info}
            elif isinstance(clause, ast.With | ast.Return):
                step, scope = self.bind_projection(clause, scope)
                steps.append(step)
        self.compute_liveness(steps)
        for step in steps:
            if isinstance(step, MatchStep) and step.optional:
                step.keep = step.keep | {"#row"}  # see optional.run_optional
        return steps

    # ------------------------------------------------------------------ MATCH

    def bind_match(self, clause: ast.Match, scope: dict[str, VarInfo]) -> MatchStep:
        nodes: dict[str, PatternNode] = {}
        rels: dict[str, PatternRel] = {}
        inline: list[ast.Expr] = []
        new_scope_order: list[str] = []
        paths: dict[str, tuple[list[str], list[str]]] = {}
        for path in clause.patterns:
            names = [self.bind_node(n, scope, nodes, inline, new_scope_order) for n in path.nodes]
            rel_names = []
            for i, rel in enumerate(path.rels):
                self.bind_rel(rel, names[i], names[i + 1], scope, rels, inline, new_scope_order)
                rel_names.append(next(reversed(rels)))
            if path.variable is not None:
                self.bind_path(path, names, rel_names, scope, paths)
        self.prune_tables(nodes, rels)
        # Scope seen by WHERE: earlier variables plus this pattern's.
        inner = dict(scope)
        for name, node in nodes.items():
            if node.user_named and name not in scope:
                inner[name] = VarInfo("node", tuple(self.node_label_tables(node)))
        for name, rel in rels.items():
            if rel.user_named:
                inner[name] = VarInfo("rel", tuple(rel.declared))
        for name in new_scope_order:
            scope[name] = inner[name]
        where = [with_outer(e, inner) for e in conjuncts(clause.where) + inline]
        for expr in where:
            self.check_expr(
                expr, {**inner, **self.anonymous_scope(nodes, rels)}, allow_aggregates=False
            )
        predicates: list[ast.Expr] = []
        input_filters: list[ast.Expr] = []
        for expr in where:
            names = free_variables(expr)
            pattern_names = {n for n in names if (n in nodes and not nodes[n].bound) or n in rels}
            if len(names) == 1 and pattern_names:
                (name,) = names
                target = nodes.get(name) or rels[name]
                target.filters.append(expr)
            elif names and not pattern_names:
                input_filters.append(expr)
            else:
                predicates.append(expr)
        for rel in rels.values():
            if rel.hops is not None and rel.filters:  # on the path value: after expanding it
                predicates.extend(rel.filters)
                rel.filters = []
        step = MatchStep(nodes, rels, predicates, input_filters, set(), set())
        step.paths = paths
        for name in paths:
            scope[name] = VarInfo("value")
        return step

    def bind_path(self, path: ast.PathPattern, names, rel_names, scope, paths) -> None:
        """A named path ``p = (a)-[e]->(b)``: the values of its nodes and rels, per row."""
        if path.variable in scope or path.variable in paths:
            raise QueryError(f"Variable {path.variable} is already bound{self.where(path.offset)}.")
        paths[path.variable] = (list(names), list(rel_names))

    def anonymous_scope(self, nodes, rels) -> dict[str, VarInfo]:
        out = {}
        for name, node in nodes.items():
            if not node.user_named:
                out[name] = VarInfo("node", tuple(self.node_label_tables(node)))
        for name, rel in rels.items():
            if not rel.user_named:
                out[name] = VarInfo("rel", tuple(dict.fromkeys(t.key.name for t in rel.traversals)))
        return out

    def node_label_tables(self, node: PatternNode) -> list[str]:
        """Tables a variable's properties are checked against: those its labels name (a
        pattern that cannot match gives no rows, not an unknown-property error)."""
        return node.declared or node.tables

    def resolve_node_labels(self, labels: tuple[str, ...], offset: int) -> list[str]:
        if not labels:
            return self.graph.node_table_names()
        out = []
        for label in labels:
            if self.graph.is_node_table(label):
                out.append(label)
            elif self.graph.is_rel_table(label):
                raise CatalogError(
                    f"Cannot bind {label} as a node pattern label{self.where(offset)}."
                )
            else:
                raise CatalogError(f"Table {label} does not exist{self.where(offset)}.")
        return list(dict.fromkeys(out))

    def resolve_rel_labels(self, labels: tuple[str, ...], offset: int) -> list[str]:
        if not labels:
            return list(self.graph.catalog.rel_tables)
        out = []
        for label in labels:
            if self.graph.is_rel_table(label):
                out.append(label)
            elif self.graph.is_node_table(label):
                raise CatalogError(
                    f"Cannot bind {label} as a relationship pattern label{self.where(offset)}."
                )
            else:
                raise CatalogError(f"Table {label} does not exist{self.where(offset)}.")
        return list(dict.fromkeys(out))

    def bind_node(self, node: ast.NodePattern, scope, nodes, inline, order) -> str:
        name = node.variable
        user_named = name is not None
        if name is None:
            self.anonymous += 1
            name = f"#n{self.anonymous}"
        labels = node.labels
        if labels and name in getattr(self, "label_union", {}):
            labels = self.label_union[name]
        tables = self.resolve_node_labels(labels, node.offset)
        if name in scope:
            info = scope[name]
            if info.kind != "node":
                raise QueryError(
                    f"Variable {name} is bound as a {info.kind}, not a node"
                    f"{self.where(node.offset)}."
                )
            if node.labels:
                tables = [t for t in info.tables if t in tables]
            else:
                tables = list(info.tables)
            bound = True
        else:
            bound = False
        if name in nodes:
            existing = nodes[name]
            if node.labels:
                existing.tables = [t for t in existing.tables if t in tables]
                existing.declared = list(existing.tables)
        else:
            nodes[name] = PatternNode(
                name, tables, bound, user_named=user_named, declared=list(tables)
            )
            if user_named and not bound:
                order.append(name)
        if bound and node.labels:
            inline.append(_table_filter(name, tables))
        for key, value in node.properties:
            inline.append(
                ast.BinaryOp("=", ast.Property(ast.Variable(name), key), value, offset=node.offset)
            )
        return name

    def bind_rel(
        self, rel: ast.RelPattern, left: str, right: str, scope, rels, inline, order
    ) -> None:
        name = rel.variable
        user_named = name is not None
        if name is None:
            self.anonymous += 1
            name = f"#r{self.anonymous}"
        if name in rels or name in scope:
            raise QueryError(
                f"Variable {name} is already bound{self.where(rel.offset)}; a "
                "relationship variable can be used once per pattern."
            )
        src, dst = (right, left) if rel.direction == "in" else (left, right)
        tables = self.resolve_rel_labels(rel.labels, rel.offset)
        traversals = []
        for table in tables:
            for key in self.graph.rel_keys(table):
                traversals.append(Traversal(key, False))
                if rel.direction == "both":
                    traversals.append(Traversal(key, True))
        rels[name] = PatternRel(
            name, src, dst, traversals, rel.length, user_named=user_named, declared=list(tables),
            recursive=rel.recursive, left=left,
        )
        if user_named:
            order.append(name)
        if rel.recursive is not None:
            check_recursive(self, rels[name], scope)
        for key, value in rel.properties:
            if rel.length is not None:  # every hop of a variable-length rel has them
                rels[name].edge_filters.append(
                    ast.BinaryOp("=", ast.Property(ast.Variable(name), key), value)
                )
                continue
            inline.append(
                ast.BinaryOp("=", ast.Property(ast.Variable(name), key), value, offset=rel.offset)
            )

    def prune_tables(self, nodes: dict[str, PatternNode], rels: dict[str, PatternRel]) -> None:
        """Keep only the node tables and rel-table pairs that can be part of a match."""
        changed = True
        while changed:
            changed = False
            for rel in rels.values():
                if rel.hops is not None:
                    continue  # a variable-length rel may pass through any table
                src = set(nodes[rel.src].tables)
                dst = set(nodes[rel.dst].tables)
                kept = [t for t in rel.traversals if t.src_table in src and t.dst_table in dst]
                if len(kept) != len(rel.traversals):
                    rel.traversals = kept
                    changed = True
                for name, side in ((rel.src, "src_table"), (rel.dst, "dst_table")):
                    allowed = {getattr(t, side) for t in kept}
                    tables = [t for t in nodes[name].tables if t in allowed]
                    if len(tables) != len(nodes[name].tables):
                        nodes[name].tables = tables
                        changed = True

    # ------------------------------------------------------------------ projections

    def bind_projection(self, clause, scope: dict[str, VarInfo]):
        proj: ast.Projection = clause.projection
        is_return = isinstance(clause, ast.Return)
        items = list(proj.items)
        if proj.star:
            visible = [ast.ProjectionItem(ast.Variable(n), None, n) for n in scope]
            if not visible:
                raise QueryError("RETURN * needs at least one variable in scope")
            items = visible + items
        items = [
            ast.ProjectionItem(with_outer(i.expr, scope), i.alias, i.text)
            for i in _expand_stars(items, scope, self.graph)
        ]
        names: list[str] = []
        new_scope: dict[str, VarInfo] = {}
        aggregates: list[ast.FunctionCall] = []
        for item in items:
            self.check_expr(item.expr, scope, allow_aggregates=True)
            find_aggregates(item.expr, aggregates)
            if item.alias is not None:
                name = item.alias
            elif isinstance(item.expr, ast.Variable):
                name = item.expr.name
            elif is_return:
                name = column_name(item.expr, self.graph, scope)
            else:
                raise QueryError(
                    f"Expression in WITH must be aliased (use AS){self.where(_offset(item.expr))}."
                )
            if name in names:
                raise QueryError(
                    f"Multiple result column with the same name {name} are not supported."
                )
            names.append(name)
            if isinstance(item.expr, ast.Variable) and item.expr.name in scope:
                new_scope[name] = scope[item.expr.name]
            else:
                new_scope[name] = VarInfo("value", element_tables=_node_list_tables(item.expr,
                                                                                     scope))
        # ORDER BY sees the output names, and the input variables unless the projection
        # aggregates or is DISTINCT (then only what was projected exists).
        order_scope = dict(new_scope)
        if not aggregates and not proj.distinct:
            order_scope = {**scope, **new_scope}
        for sort in proj.order_by:
            self.check_order_expr(sort.expr, order_scope, items, bool(aggregates))
        for bound in (proj.skip, proj.limit):
            if bound is not None:
                self.check_expr(bound, {}, allow_aggregates=False)
        where = with_outer(getattr(clause, "where", None), new_scope)
        if where is not None:
            self.check_expr(where, new_scope, allow_aggregates=False)
        projection = ast.Projection(
            tuple(items), proj.distinct, False, proj.order_by, proj.skip, proj.limit
        )
        step = ProjectStep(projection, names, where, is_return, aggregates, dict(scope))
        return step, new_scope

    def check_order_expr(self, expr, scope, items, aggregating: bool) -> None:
        item_exprs = {i.expr for i in items}
        if expr in item_exprs:
            return
        if aggregating and contains_aggregate(expr):
            # e.g. ORDER BY count(*) when count(*) is not itself projected: evaluated from the
            # projected items' inputs is not possible; only whole items are.
            for agg in _aggregates_of(expr):
                if agg not in {a for i in items for a in _aggregates_of(i.expr)}:
                    raise QueryError("ORDER BY can only use aggregates that are returned")
            return
        self.check_expr(expr, scope, allow_aggregates=False, replaceable=item_exprs)

    # ------------------------------------------------------------------ expressions

    def check_expr(
        self,
        expr: ast.Expr,
        scope: dict[str, VarInfo],
        *,
        allow_aggregates: bool,
        replaceable=frozenset(),
    ) -> None:
        if expr in replaceable:
            return
        if isinstance(expr, ast.Variable):
            if expr.name not in scope:
                raise QueryError(f"Variable {expr.name} is not in scope{self.where(expr.offset)}.")
            return
        if isinstance(expr, ast.Property) and isinstance(expr.subject, ast.Variable):
            var = expr.subject.name
            if var not in scope:
                raise QueryError(f"Variable {var} is not in scope{self.where(expr.offset)}.")
            info = scope[var]
            if info.kind == "node":
                if not any(expr.key in self.graph.node_columns(t) for t in info.tables):
                    raise CatalogError(
                        f"Cannot find property {expr.key} for {var}{self.where(expr.offset)}."
                    )
            elif info.kind == "rel":
                if not any(expr.key in self.graph.rel_columns(t) for t in info.tables):
                    raise CatalogError(
                        f"Cannot find property {expr.key} for {var}{self.where(expr.offset)}."
                    )
            return
        if isinstance(expr, ast.FunctionCall):
            if expr.name in AGGREGATES:
                if not allow_aggregates:
                    raise QueryError(
                        f"aggregate {expr.name.upper()}() is not allowed here"
                        f"{self.where(expr.offset)}"
                    )
                for a in expr.args:
                    if contains_aggregate(a):
                        raise QueryError(
                            f"Expression {expr.name.upper()}(...) contains nested aggregation"
                            f"{self.where(expr.offset)}."
                        )
            elif expr.name not in SCALAR_FUNCTIONS:
                raise QueryError(
                    f"function {expr.name.upper()} does not exist{self.where(expr.offset)}."
                )
            else:
                check_arity(expr.name, len(expr.args))
        for child in ast.children(expr):
            self.check_expr(
                child, scope, allow_aggregates=allow_aggregates, replaceable=replaceable
            )

    # ------------------------------------------------------------------ liveness

    def compute_liveness(self, steps: list[Step]) -> None:
        """Walk backwards: what each step must hand to the steps after it."""
        live: set[str] = set()
        for i in range(len(steps) - 1, -1, -1):
            step = steps[i]
            if isinstance(step, MatchStep) and i + 1 < len(steps) and not step.optional:
                after = steps[i + 1]
                if isinstance(after, ProjectStep) and after.aggregates:
                    step.fold_aggregates = _foldable_aggregates(step, after)
            if isinstance(step, ProjectStep):
                needs: set[str] = set()
                for item in step.projection.items:
                    needs |= free_variables(item.expr)
                for sort in step.projection.order_by:
                    needs |= free_variables(sort.expr)
                needs &= set(step.input_scope)
                live = needs
            elif isinstance(step, UnwindStep):
                step.keep = set(live) - {step.alias}
                live = (live - {step.alias}) | free_variables(step.expr)
            else:
                keep = set(live)
                for name, (path_nodes, path_rels) in step.paths.items():
                    if name in keep:  # a returned path needs every node and rel on it
                        keep |= set(path_nodes) | set(path_rels)
                step.keep = keep
                needed = {
                    n
                    for n in keep
                    if (n in step.nodes or n in step.rels) and n not in step.fold_aggregates
                }
                for expr in step.predicates:
                    needed |= {n for n in free_variables(expr) if n in step.nodes or n in step.rels}
                needed |= {n for n, node in step.nodes.items() if node.bound}
                needed |= {  # enumerated, never counted (recursive.py)
                    n for n, r in step.rels.items() if r.recursive is not None or r.edge_filters
                }
                step.needed = needed
                before = {
                    n
                    for n in keep
                    if n not in step.nodes and n not in step.rels and n not in step.paths
                }
                before |= {n for n, node in step.nodes.items() if node.bound}
                for expr in step.input_filters + step.predicates:
                    before |= {
                        n
                        for n in free_variables(expr)
                        if n not in step.rels and not (n in step.nodes and not step.nodes[n].bound)
                    }
                for node in step.nodes.values():
                    for expr in node.filters:
                        before |= {
                            n
                            for n in free_variables(expr)
                            if n not in step.nodes and n not in step.rels
                        }
                live = before


_FOLDABLE = ("sum", "avg", "count", "min", "max")


def _foldable_aggregates(match: MatchStep, projection: ProjectStep) -> dict:
    """Pattern nodes the projection uses only as ``f(node.property)`` with f a sum, avg,
    count, min or max (not DISTINCT): their values can be summed (or minimised) per fold
    instead of being materialised per path."""
    uses: dict[str, list[tuple[int, str, str]]] = {}
    elsewhere: set[str] = set()
    for index, call in enumerate(projection.aggregates):
        arg = call.args[0] if len(call.args) == 1 else None
        if (
            call.name in _FOLDABLE
            and not call.distinct
            and not call.star
            and isinstance(arg, ast.Property)
            and isinstance(arg.subject, ast.Variable)
        ):
            uses.setdefault(arg.subject.name, []).append((index, call.name, arg.key))
        elif not call.star:
            for a in call.args:
                elsewhere |= free_variables(a)

    def outside_aggregates(expr: ast.Expr) -> None:
        if isinstance(expr, ast.FunctionCall) and expr.name in AGGREGATES:
            return
        if isinstance(expr, ast.Variable):
            elsewhere.add(expr.name)
        for child in ast.children(expr):
            outside_aggregates(child)

    for item in projection.projection.items:
        outside_aggregates(item.expr)
    for sort in projection.projection.order_by:
        outside_aggregates(sort.expr)
    for expr in match.predicates:
        elsewhere |= free_variables(expr)
    out = {}
    for name, calls in uses.items():
        node = match.nodes.get(name)
        if node is None or node.bound or name in elsewhere or len(node.tables) != 1:
            continue
        out[name] = calls
    return out


def _expand_stars(items, scope: dict[str, VarInfo], graph) -> list:
    """``n.*`` as one item per property of n's tables (Kùzu's columns ``n.a``, ``n.b``, …)."""
    out = []
    for item in items:
        e = item.expr
        if not (isinstance(e, ast.Property) and e.key == "*"):
            out.append(item)
            continue
        if isinstance(e.subject, ast.Property):
            out += _struct_star(e.subject, scope, graph)
            continue
        if not isinstance(e.subject, ast.Variable) or e.subject.name not in scope:
            raise QueryError("* expands the properties of a node or relationship variable")
        name = e.subject.name
        info = scope[name]
        if info.kind not in ("node", "rel"):
            raise QueryError(f"{name}.* needs a node or relationship variable")
        columns = graph.node_columns if info.kind == "node" else graph.rel_columns
        keys = dict.fromkeys(k for t in info.tables for k in columns(t))
        out += [ast.ProjectionItem(ast.Property(e.subject, k), None, f"{name}.{k}") for k in keys]
    return out


def _node_list_tables(expr: ast.Expr, scope: dict[str, VarInfo]) -> tuple[str, ...] | None:
    """The node tables of a list of nodes (``collect(a)``, ``[a, b]``, a variable holding
    one), None for any other expression."""
    if isinstance(expr, ast.Variable):
        info = scope.get(expr.name)
        return None if info is None else info.element_tables
    if (isinstance(expr, ast.FunctionCall) and expr.name.lower() == "collect"
            and len(expr.args) == 1):
        items: tuple = expr.args
    elif isinstance(expr, ast.ListLiteral) and expr.items:
        items = expr.items
    else:
        return None
    tables: dict[str, None] = {}
    for item in items:
        info = scope.get(item.name) if isinstance(item, ast.Variable) else None
        if info is None or info.kind != "node":
            return None
        tables.update(dict.fromkeys(info.tables))
    return tuple(tables)


def _struct_star(subject: ast.Property, scope: dict[str, VarInfo], graph) -> list:
    """``a.s.*`` (``a.s.b.*``) for a STRUCT property: one item per field, named as Kùzu names
    them (``STRUCT_EXTRACT(a.s,f)``)."""
    chain = []
    root = subject
    while isinstance(root, ast.Property):
        chain.append(root.key)
        root = root.subject
    chain.reverse()
    info = scope.get(root.name) if isinstance(root, ast.Variable) else None
    if info is None or info.kind not in ("node", "rel"):
        raise QueryError("* expands a STRUCT property of a node or relationship variable")
    columns = graph.node_columns if info.kind == "node" else graph.rel_columns
    typ = next((columns(t)[chain[0]] for t in info.tables if chain[0] in columns(t)), None)
    text = f"{root.name}.{chain[0]}"
    for key in chain[1:]:
        fields = dict(getattr(typ, "fields", ())) if getattr(typ, "kind", "") == "STRUCT" else {}
        typ = next((t for name, t in fields.items() if name.lower() == key.lower()), None)
        text = f"STRUCT_EXTRACT({text},{key})"
    if getattr(typ, "kind", "") != "STRUCT":
        raise QueryError(f"Cannot bind property for expression {text}: * needs a STRUCT")
    return [ast.ProjectionItem(ast.Property(subject, name), f"STRUCT_EXTRACT({text},{name})",
                               f"STRUCT_EXTRACT({text},{name})") for name, _ in typ.fields]


def _aggregates_of(expr: ast.Expr) -> list[ast.FunctionCall]:
    out: list[ast.FunctionCall] = []
    find_aggregates(expr, out)
    return out


def _offset(expr: ast.Expr) -> int:
    return getattr(expr, "offset", -1)


def _table_filter(name: str, tables: list[str]) -> ast.Expr:
    """label(name) IN [tables]: a bound node re-used with a label must be in one of them."""
    return ast.BinaryOp(
        "IN",
        ast.FunctionCall("label", (ast.Variable(name),)),
        ast.ListLiteral(tuple(ast.Literal(t) for t in tables)),
    )


def _labels_across_matches(clauses) -> dict[str, tuple[str, ...]]:
    """Variables labelled in several MATCH clauses of one query part: Kùzu binds such a node
    to the union of the labels (``MATCH (x:A) MATCH (x:B)`` ranges over A and B)."""
    out: dict[str, tuple[str, ...]] = {}
    part: dict[str, list[tuple[str, ...]]] = {}

    def flush() -> None:
        for name, label_sets in part.items():
            if len(label_sets) > 1:
                out[name] = tuple(dict.fromkeys(lab for ls in label_sets for lab in ls))
        part.clear()

    for clause in clauses:
        if isinstance(clause, ast.Match):
            seen: dict[str, tuple[str, ...]] = {}
            for path in clause.patterns:
                for node in path.nodes:
                    if node.variable and node.labels:
                        seen.setdefault(node.variable, node.labels)
            for name, labels in seen.items():
                part.setdefault(name, []).append(labels)
        else:
            flush()
    flush()
    return out


def bind(graph: Graph, query: ast.Query, text: str) -> list[Step]:
    try:
        return Binder(graph, text).bind(query)
    except (QueryError, CatalogError) as e:
        message = str(e)
        if type(e) not in (QueryError, CatalogError) or " exception: " in message.split(".")[0]:
            raise
        raise type(e)(f"Binder exception: {message}") from None  # Kùzu's prefix
