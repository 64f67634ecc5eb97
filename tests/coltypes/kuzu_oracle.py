"""Load the same schema and CSV into Kùzu 0.11.3 and into ruzu; return both full dumps."""

from __future__ import annotations

import kuzu

import ruzu


def kuzu_dump(schema: str, copies: list[str], order: str = "id"):
    """Rows of every column of table T after the COPY statements, or the error text."""
    db = kuzu.Database(":memory:")
    conn = kuzu.Connection(db)
    conn.execute(schema)
    try:
        for copy in copies:
            conn.execute(copy)
    except RuntimeError as e:
        return ("error", str(e))
    return conn.execute(f"MATCH (t:T) RETURN t.* ORDER BY t.{order}").get_all()


def ruzu_dump(path, schema: str, copies: list[str], order: str = "id"):
    db = ruzu.Database(path)
    try:
        db.execute(schema)
        try:
            for copy in copies:
                db.execute(copy)
        except ruzu.RuzuError as e:
            return ("error", str(e))
        names = db.catalog.node_tables["T"].column_names
        cols = ", ".join(f"t.{n}" for n in names)
        return db.execute(f"MATCH (t:T) RETURN {cols} ORDER BY t.{order}").get_all()
    finally:
        db.close()
