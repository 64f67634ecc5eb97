"""EXPLAIN: a query plan as text, one operator per line, the result at the top and the scans
at the bottom (as Kùzu and DuckDB print plans). Each operator's input is drawn below it."""

from __future__ import annotations

from ..binder.steps import PatternRel
from ..syntax import ast
from .match_plan import pk_equality
from .ops import Close, CountComponent, Expand, Filter, Fold, FoldTree, Scan
from .query_plan import MatchPart, ProjectPart, QueryPlan, UnwindPart


def explain_text(plan: QueryPlan, graph) -> str:
    return "\n".join(explain_lines(plan, graph))


def explain_lines(plan: QueryPlan, graph) -> list[str]:
    """Top-down: the last part first; below each line, what feeds it."""
    chain: list[tuple[str, list]] = []  # (line, a side branch: a COUNT component's plan)
    for index, part in enumerate(plan.parts):
        if isinstance(part, MatchPart):
            for op in part.ops:
                chain.append(_op_line(op, part, index == 0 and plan.first_rows, graph))
            match = part.step
            keep = ", ".join(sorted(n for n in match.keep if not n.startswith("#")))
            head = "OPTIONAL MATCH" if match.optional else "MATCH"
            paths = f" [paths: {', '.join(match.paths)}]" if match.paths else ""
            chain.append((f"{head} [hands on: {keep or 'row counts only'}]{paths}", []))
        elif isinstance(part, UnwindPart):
            chain.append((f"UNWIND {expr_text(part.step.expr)} AS {part.step.alias}", []))
        else:
            chain.append((_projection_line(part, plan.parallel == index), []))
    lines: list[str] = []
    _draw(_tree(chain), "", "", lines)
    return lines


def _tree(chain: list[tuple[str, list]]) -> tuple[str, list]:
    """The chain (in execution order) as a tree rooted at its last element; a side branch
    becomes a first child."""
    node = None
    for line, branch in chain:
        children = [_tree(branch)] if branch else []
        if node is not None:
            children.append(node)
        node = (line, children)
    return node


def _draw(node, lead: str, rest: str, out: list[str]) -> None:
    line, children = node
    out.append(lead + line)
    for k, child in enumerate(children):
        last = k == len(children) - 1
        _draw(child, rest + ("└─ " if last else "├─ "), rest + ("   " if last else "│  "), out)


def _op_line(op, part: MatchPart, first_rows: bool, graph) -> tuple[str, list]:
    step = part.step
    if isinstance(op, Scan):
        node = step.nodes[op.node]
        text = f"SCAN {_name(op.node)} ON {_tables(node.tables)}"
        if node.filters:
            text += " WHERE " + " AND ".join(expr_text(f) for f in node.filters)
        if pk_equality(node, graph) is not None:
            text += " [primary-key lookup]"
        if first_rows and op is part.ops[0]:
            text += " [first rows: small blocks first]"
        return text, []
    if isinstance(op, Expand):
        text = f"EXPAND {_pattern(op.rel, op.from_var, op.to_var, step)}"
        target = step.nodes[op.to_var]
        if target.filters:
            text += " WHERE " + " AND ".join(expr_text(f) for f in target.filters)
        spec = op.rel.recursive
        if spec is not None and spec.kind != "walk":
            text += f" [{spec.kind.upper().replace('_', ' ')}]"
        if op.fused is not None:
            fused = f"{expr_text(op.fused.other)} vs {op.to_var}.{op.fused.key}"
            text += f" [comparison fused: {fused}]"
        if op.counting:
            text += " [counts matches, rows not produced]"
        return text, []
    if isinstance(op, Close):
        return f"CLOSE {_pattern(op.rel, op.from_var, op.to_var, step)}", []
    if isinstance(op, Fold):
        text = f"FOLD {_fold(op.tree, op.anchor, step)} [counted into row weights]"
        if op.aggregates:
            aggs = ", ".join(f"{a.func}({a.var}.{a.key})" for a in op.aggregates)
            text += f" [aggregates folded: {aggs}]"
        return text, []
    if isinstance(op, Filter):
        text = f"FILTER {expr_text(op.expr)}"
        if op.fused:
            text += " [checked inside the EXPAND below]"
        return text, []
    if isinstance(op, CountComponent):
        return "COUNT_COMPONENT [one number multiplies the row weights]", [
            _op_line(sub, part, False, graph) for sub in op.steps
        ]
    return type(op).__name__.upper(), []


def _projection_line(part: ProjectPart, parallel: bool) -> str:
    step = part.step
    proj = step.projection
    head = "RETURN" if step.is_return else "WITH"
    if proj.distinct:
        head += " DISTINCT"
    items = []
    for name, item in zip(step.names, proj.items, strict=True):
        text = expr_text(item.expr)
        items.append(text if text == name else f"{text} AS {name}")
    line = f"{head} {', '.join(items)}"
    if step.aggregates:
        line += " [aggregate: " + ", ".join(expr_text(a) for a in step.aggregates) + "]"
    if step.where is not None:
        line += f" WHERE {expr_text(step.where)}"
    if proj.order_by:
        keys = ", ".join(expr_text(s.expr) + (" DESC" if s.descending else "")
                         for s in proj.order_by)
        line += f" ORDER BY {keys}"
    if proj.skip is not None:
        line += f" SKIP {expr_text(proj.skip)}"
    if proj.limit is not None:
        line += f" LIMIT {expr_text(proj.limit)}"
    if parallel:
        line += " [MATCHes below may run on several threads]"
    return line


def _name(var: str) -> str:
    return "" if var.startswith("#") else var


def _tables(tables) -> str:
    return "|".join(tables) if tables else "(no table)"


def _pattern(rel: PatternRel, from_var: str, to_var: str, step) -> str:
    """``(a)-[r:T]->(b)`` written from ``from_var``'s side."""
    forward = rel.src == from_var
    arrow_in, arrow_out = ("-", "->") if forward else ("<-", "-")
    hops = ""
    if rel.hops is not None:
        lo, hi = rel.hops
        hops = f"*{lo}..{hi}"
    labels = ":" + "|".join(rel.declared) if rel.declared else ""
    to_node = step.nodes.get(to_var)
    to_labels = ":" + _tables(to_node.tables) if to_node is not None else ""
    return (f"({_name(from_var)}){arrow_in}[{_name(rel.name)}{labels}{hops}]{arrow_out}"
            f"({_name(to_var)}{to_labels})")


def _fold(tree: FoldTree, anchor: str, step) -> str:
    text = _pattern(tree.rel, anchor, tree.node, step)
    for child in tree.children:
        text += " + " + _fold(child, tree.node, step)
    return text


_INFIX = {"STARTS_WITH": "STARTS WITH", "ENDS_WITH": "ENDS WITH"}


def expr_text(expr) -> str:
    """An expression written back as Cypher (spacing normalised, parentheses where needed)."""
    if expr is None:
        return ""
    if isinstance(expr, ast.Variable):
        return _name(expr.name) or "_"
    if isinstance(expr, ast.Property):
        return f"{expr_text(expr.subject)}.{expr.key}"
    if isinstance(expr, ast.Literal):
        return _literal(expr.value)
    if isinstance(expr, ast.Parameter):
        return f"${expr.name}"
    if isinstance(expr, ast.FunctionCall):
        if expr.star:
            return f"{expr.name}(*)"
        distinct = "DISTINCT " if expr.distinct else ""
        return f"{expr.name}({distinct}{', '.join(expr_text(a) for a in expr.args)})"
    if isinstance(expr, ast.BinaryOp):
        op = _INFIX.get(expr.op, expr.op)
        return f"{_operand(expr.left)} {op} {_operand(expr.right)}"
    if isinstance(expr, ast.UnaryOp):
        space = " " if expr.op == "NOT" else ""
        return f"{expr.op}{space}{_operand(expr.operand)}"
    if isinstance(expr, ast.IsNull):
        return f"{_operand(expr.operand)} IS {'NOT ' if expr.negated else ''}NULL"
    if isinstance(expr, ast.ListLiteral):
        return "[" + ", ".join(expr_text(i) for i in expr.items) + "]"
    if isinstance(expr, ast.Subscript):
        return f"{_operand(expr.subject)}[{expr_text(expr.index)}]"
    if isinstance(expr, ast.Case):
        parts = ["CASE"]
        if expr.operand is not None:
            parts.append(expr_text(expr.operand))
        for cond, value in expr.whens:
            parts.append(f"WHEN {expr_text(cond)} THEN {expr_text(value)}")
        if expr.default is not None:
            parts.append(f"ELSE {expr_text(expr.default)}")
        parts.append("END")
        return " ".join(parts)
    if isinstance(expr, ast.Subquery):
        return f"{expr.kind.upper()} {{ … }}"
    return type(expr).__name__


def _operand(expr) -> str:
    text = expr_text(expr)
    return f"({text})" if isinstance(expr, ast.BinaryOp | ast.UnaryOp | ast.IsNull) else text


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return repr(value)
