"""Planning one MATCH clause into execution steps.

The pattern graph is covered by a spanning tree from a root node. A tree edge whose far
subtree holds no variable anyone needs later is *folded*: the number of ways to complete that
subtree is computed per node with sparse matrix-vector products over the CSR and multiplied
into the row weights, so paths are counted instead of materialised. Every other edge is
*expanded* (rows are produced per edge). Edges outside the tree close cycles and are checked
once both ends exist. A component with no needed variable at all becomes one number.
"""

from __future__ import annotations

from ..binder.steps import MatchStep, PatternNode, PatternRel
from ..syntax import ast
from ..syntax.walk import free_variables
from .ops import (
    Close,
    CountComponent,
    ExecStep,
    Expand,
    Filter,
    Fold,
    FoldAggregate,
    FoldTree,
    Scan,
)
from .rewrite import annotate_columns, fuse_comparisons


def _components(step: MatchStep) -> list[list[str]]:
    adjacency: dict[str, set[str]] = {n: set() for n in step.nodes}
    for rel in step.rels.values():
        adjacency[rel.src].add(rel.dst)
        adjacency[rel.dst].add(rel.src)
    seen: set[str] = set()
    out = []
    for start in step.nodes:
        if start in seen:
            continue
        comp = []
        todo = [start]
        seen.add(start)
        while todo:
            n = todo.pop()
            comp.append(n)
            for m in sorted(adjacency[n]):
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        out.append(comp)
    return out


def pk_equality(node: PatternNode, graph) -> ast.Expr | None:
    """A filter ``node.pk = constant`` that an index lookup can answer."""
    if len(node.tables) != 1:
        return None
    pk = graph.primary_key(node.tables[0])
    for f in node.filters:
        if isinstance(f, ast.BinaryOp) and f.op == "=":
            for prop, other in ((f.left, f.right), (f.right, f.left)):
                if (
                    isinstance(prop, ast.Property)
                    and isinstance(prop.subject, ast.Variable)
                    and prop.subject.name == node.name
                    and prop.key == pk
                    and isinstance(other, ast.Literal | ast.Parameter)
                ):
                    return f
    return None


def _estimate(node: PatternNode, graph) -> float:
    if pk_equality(node, graph) is not None:
        return 1.0
    rows = float(sum(graph.num_nodes(t) for t in node.tables))
    return rows * (0.25 if node.filters else 1.0)


def _choose_root(comp: list[str], step: MatchStep, needed: set[str], graph) -> str:
    nodes = [step.nodes[n] for n in comp]
    bound = [n for n in nodes if n.bound]
    if bound:
        return bound[0].name
    lookups = [n for n in nodes if pk_equality(n, graph) is not None]
    if lookups:
        return lookups[0].name
    wanted = [n for n in nodes if n.name in needed] or nodes
    return min(wanted, key=lambda n: _estimate(n, graph)).name


class _Tree:
    def __init__(self, comp: list[str], step: MatchStep, root: str) -> None:
        self.children: dict[str, list[tuple[PatternRel, str, str]]] = {n: [] for n in comp}
        self.parent_rel: dict[str, PatternRel] = {}
        self.parent: dict[str, str] = {}
        self.closing: list[PatternRel] = []
        self.order = [root]
        members = set(comp)
        rels = [r for r in step.rels.values() if r.src in members]
        used: set[str] = set()
        visited = {root}
        i = 0
        while i < len(self.order):
            x = self.order[i]
            i += 1
            for rel in rels:
                if rel.name in used or x not in (rel.src, rel.dst):
                    continue
                if rel.src == rel.dst:
                    continue  # a self-loop pattern closes on its own node
                side = "src" if rel.src == x else "dst"
                y = rel.dst if side == "src" else rel.src
                if y in visited:
                    continue
                used.add(rel.name)
                visited.add(y)
                self.children[x].append((rel, side, y))
                self.parent[y] = x
                self.parent_rel[y] = rel
                self.order.append(y)
        self.closing = [r for r in rels if r.name not in used]


def plan_match(step: MatchStep, graph, input_vars: set[str]) -> list[ExecStep]:
    needed = set(step.needed)
    # Variables of multi-variable predicates must exist as columns.
    for expr in step.predicates:
        needed |= free_variables(expr) & (set(step.nodes) | set(step.rels))
    out: list[ExecStep] = []
    bound = set(input_vars)
    pending = list(step.predicates)

    def flush_filters() -> None:
        for expr in list(pending):
            if free_variables(expr) <= bound:
                out.append(Filter(expr))
                pending.remove(expr)

    flush_filters()
    comps = _components(step)
    comps.sort(key=lambda c: not any(step.nodes[n].bound for n in c))
    for comp in comps:
        members = set(comp) | {r.name for r in step.rels.values() if r.src in comp}
        comp_needed = needed & members
        fold_vars = set(step.fold_aggregates) & set(comp)
        if fold_vars and not comp_needed:
            comp_needed |= fold_vars  # nothing to fold them into: materialise them
        root = _choose_root(comp, step, comp_needed, graph)
        tree = _Tree(comp, step, root)
        for rel in tree.closing:
            comp_needed |= {rel.src, rel.dst}
        comp_needed |= {n for n in comp if step.nodes[n].bound}
        for var in fold_vars - comp_needed:
            if not _can_fold_aggregates(step, tree, var, root, graph):
                comp_needed.add(var)
        folded = {v: step.fold_aggregates[v] for v in fold_vars - comp_needed}
        if not comp_needed:
            sub: list[ExecStep] = [Scan(root)]
            _emit_tree(root, tree, step, set(), sub, set())
            out.append(CountComponent(sub))
            continue
        comp_needed.add(root)
        if not step.nodes[root].bound:
            out.append(Scan(root))
        bound.add(root)
        flush_filters()
        _emit_tree(root, tree, step, comp_needed, out, bound, flush_filters, folded)
        for rel in tree.closing:
            out.append(Close(rel, rel.src, rel.dst, rel.name in needed))
            bound.add(rel.name)
            flush_filters()
    if pending:
        for expr in pending:
            out.append(Filter(expr))
    annotate_columns(out, step.keep)
    fuse_comparisons(out, step, graph)
    return out


def _subtree_has(tree: _Tree, node: str, wanted: set[str]) -> bool:
    if node in wanted:
        return True
    for rel, _, child in tree.children[node]:
        if rel.name in wanted or _subtree_has(tree, child, wanted):
            return True
    return False


def _fold_tree(tree: _Tree, rel: PatternRel, side: str, node: str) -> FoldTree:
    return FoldTree(node, rel, side, [_fold_tree(tree, r, s, c) for r, s, c in tree.children[node]])


def _can_fold_aggregates(step: MatchStep, tree: _Tree, var: str, root: str, graph) -> bool:
    """Fixed-length hops only between the root and ``var``, and property types the folded
    arithmetic handles (numbers; dates too for min/max; anything for count)."""
    node = var
    while node != root:
        if node not in tree.parent or tree.parent_rel[node].hops is not None:
            return False
        node = tree.parent[node]
    columns = graph.node_columns(step.nodes[var].tables[0])
    for _, func, key in step.fold_aggregates[var]:
        typ = columns.get(key)
        if typ is None:
            return False
        numeric = typ.is_integer or typ.name in ("FLOAT", "DOUBLE")
        if func in ("sum", "avg") and not numeric:
            return False
        if func in ("min", "max") and not (numeric or typ.name in ("DATE", "TIMESTAMP")):
            return False
    return True


def _subtree_nodes(tree: _Tree, node: str) -> list[str]:
    out = [node]
    for _, _, child in tree.children[node]:
        out += _subtree_nodes(tree, child)
    return out


def _emit_tree(
    root: str,
    tree: _Tree,
    step: MatchStep,
    needed: set[str],
    out: list,
    bound: set[str],
    flush=lambda: None,
    folded: dict | None = None,
) -> None:
    """Steps for the tree below ``root`` in breadth-first order, folds before expansions."""
    queue = [root]
    while queue:
        x = queue.pop(0)
        expansions = []
        for rel, side, y in tree.children[x]:
            if rel.name in needed or _subtree_has(tree, y, needed):
                expansions.append((rel, y))
            else:
                aggregates = [
                    FoldAggregate(index, func, var, key)
                    for var in _subtree_nodes(tree, y)
                    for index, func, key in (folded or {}).get(var, [])
                ]
                out.append(Fold(x, _fold_tree(tree, rel, side, y), aggregates))
        for rel, y in expansions:
            if step.nodes[y].bound:
                out.append(Close(rel, x, y, rel.name in needed))
            else:
                out.append(Expand(rel, x, y, rel.name in needed))
            bound.add(y)
            bound.add(rel.name)
            flush()
            queue.append(y)


