"""Bind-time checks of a recursive relationship pattern (SHORTEST, weighted shortest, the
``(r, n | WHERE …)`` comprehension); ``exec.recursive`` runs it."""

from __future__ import annotations

from ...errors import QueryError
from ..syntax import ast
from ..syntax.walk import free_variables
from .steps import VarInfo

WEIGHT_TYPES = ("INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64",
                "FLOAT", "DOUBLE")


def check_recursive(binder, rel, scope) -> None:
    """Bind-time checks of a recursive rel's comprehension, weight and mode."""
    spec: ast.RecursiveSpec = rel.recursive
    if spec.kind in ("wshortest", "all_wshortest"):
        types = {binder.graph.rel_columns(t).get(spec.weight) for t in rel.declared}
        types.discard(None)
        if not types:
            raise QueryError(f"Cannot find property {spec.weight} for {rel.name}.")
        for typ in types:
            if typ.name not in WEIGHT_TYPES:
                raise QueryError(
                    f"Binder exception: {typ.name} weight type is not supported for weighted "
                    "shortest path."
                )
    if spec.rel_var is None:
        return
    inner = dict(scope)
    inner[spec.rel_var] = VarInfo("rel", tuple(rel.declared))
    inner[spec.node_var] = VarInfo("node", tuple(binder.graph.node_table_names()))
    for expr in (spec.where, *(spec.rel_items or ()), *(spec.node_items or ())):
        if expr is not None:
            binder.check_expr(expr, inner, allow_aggregates=False)
    outer = set()
    if spec.where is not None:
        outer = free_variables(spec.where) - {spec.rel_var, spec.node_var}
    if outer:
        raise QueryError(
            f"the recursive pattern's WHERE may only use {spec.rel_var} and {spec.node_var}, "
            f"not {sorted(outer)[0]}"
        )
