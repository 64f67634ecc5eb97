"""The kinds of query vectors and their Cypher type names (see ``values.vectors`` for how
each kind is stored)."""

from __future__ import annotations

NUMERIC = ("int", "float")


TYPE_NAMES = {
    "int": "INT64",
    "float": "DOUBLE",
    "bool": "BOOL",
    "str": "STRING",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "list": "LIST",
    "node": "NODE",
    "rel": "REL",
    "null": "NULL",
    "any": "ANY",
}
