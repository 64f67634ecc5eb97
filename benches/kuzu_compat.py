"""Kùzu's end-to-end tests as a yardstick: run the read statements of Kùzu's ``.test`` files
against ruzu and print pass / wrong / error / skipped per directory.

    python benches/kuzu_compat.py /work/kuzu-src [--dirs match,filter,...] [--verbose]

The Kùzu checkout is an argument; nothing of it is copied into this repository.

How a dataset is loaded: Kùzu 0.11.3 (``import kuzu``) loads the dataset as its
``schema.cypher``/``copy.cypher`` say, then every column whose type ruzu cannot create is
dropped and the rest is exported to plain CSV files (header, one file per table, rels as
``from-key,to-key,props``, in Kùzu's internal-id order, so node offsets and edge ids agree).
ruzu and a fresh Kùzu database both load those files, so Kùzu on the same reduced data is the
oracle for every statement:

- ``pass``: ruzu's rows equal the test file's expected rows, or Kùzu's own rows on the reduced
  dataset (the expected rows may print a dropped column); an expected error raised by both.
- ``wrong``: ruzu returned rows that differ from Kùzu's on the same data.
- ``error``: ruzu raised where Kùzu returned rows.
- ``lenient``: ruzu returned rows where Kùzu raises.
- ``skipped``: writes and anything after a write in the same case, statements Kùzu itself cannot
  run on the reduced dataset (a dropped column, a feature of a dropped type), directives ruzu
  does not model (``-SKIP``, imports, multiple connections).

"Kùzu passes" counts the statements whose expected rows Kùzu itself reproduces through this
runner's formatting; the figure to watch is how many of those ruzu passes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import re
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field

READ_DIRS = (
    "match",
    "filter",
    "projection",
    "agg",
    "order_by",
    "optional_match",
    "subquery",
    "path",
    "recursive_join",
    "unwind",
    "cyclic",
    "generic_hash_join",
)

_WRITE = re.compile(
    r"^\s*(CREATE|SET|DELETE|DETACH|MERGE|REMOVE|COPY|DROP|ALTER|INSTALL|LOAD|EXPORT|IMPORT|"
    r"ATTACH|DETACH|USE|BEGIN|COMMIT|ROLLBACK|CHECKPOINT|PROFILE|EXPLAIN|CALL)\b"
    r"|\b(CREATE|SET|DELETE|MERGE|REMOVE)\b",
    re.IGNORECASE,
)

# ----------------------------------------------------------------------------- test file parsing


@dataclass
class Statement:
    text: str
    expected: list[str] | None  # None: an error is expected
    check_order: bool
    line: int
    kind: str = "rows"  # rows / error / ok / hash
    skip_reason: str | None = None


@dataclass
class TestCase:
    name: str
    statements: list[Statement] = field(default_factory=list)
    skip_reason: str | None = None


@dataclass
class TestFile:
    path: str
    dataset: str | None
    cases: list[TestCase]


_UNMODELLED = (
    "-IMPORT_DATABASE",
    "-CREATE_CONNECTION",
    "-BEGIN_CONCURRENT_EXECUTION",
    "-INSERT_STATEMENT_BLOCK",
    "-DEFINE_STATEMENT_BLOCK",
    "-LOOP",
    "-RELOADDB",
    "-BATCH_STATEMENTS",
    "-MULTI_COPY_RANDOM",
    "-REMOVE_FILE",
    "-INSERT_DATASET_BY_ROW",
    "-CREATE_DATASET_SCHEMA",
    "-WASM_ONLY",
)


def parse_test_file(path: str) -> TestFile:
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    dataset = None
    cases: list[TestCase] = []
    current: TestCase | None = None
    header_skip = None
    i = 0
    check_order = False
    while i < len(lines):
        line = lines[i].rstrip("\r")
        stripped = line.strip()
        if stripped.startswith("-DATASET"):
            parts = stripped.split()
            dataset = " ".join(parts[1:3]) if len(parts) >= 3 else None
        elif stripped.startswith("-CASE"):
            current = TestCase(stripped[5:].strip(), skip_reason=header_skip)
            cases.append(current)
            check_order = False
        elif stripped == "-SKIP" or stripped.startswith("-SKIP ") and current is None:
            if current is None:
                header_skip = "-SKIP"
            else:
                current.skip_reason = "-SKIP"
        elif stripped == "-SKIP" and current is not None:
            current.skip_reason = "-SKIP"
        elif any(stripped.startswith(d) for d in _UNMODELLED):
            if current is not None:
                current.skip_reason = stripped.split()[0]
            else:
                header_skip = stripped.split()[0]
        elif stripped.startswith("-CHECK_ORDER"):
            check_order = True
        elif stripped.startswith("-STATEMENT") and current is not None:
            text = stripped[len("-STATEMENT") :].strip()
            start = i + 1
            i += 1
            # A statement may continue on the following lines until its result marker.
            # Directives between a statement and its marker (-CHECK_ORDER, -PARALLELISM …)
            # belong to that statement.
            while i < len(lines) and not lines[i].startswith("----"):
                nxt = lines[i].strip()
                if nxt.startswith("-CHECK_ORDER"):
                    check_order = True
                elif nxt.startswith("-") and nxt[1:2].isupper():
                    if not nxt.startswith(("-PARALLELISM", "-ENUMERATE", "-CHECK_")):
                        break
                elif nxt:
                    text += "\n" + nxt
                i += 1
            if i >= len(lines) or not lines[i].startswith("----"):
                continue
            marker = lines[i][4:].strip()
            i += 1
            stmt = Statement(text, [], check_order, start)
            if marker.startswith("error"):
                stmt.kind = "error"
                stmt.expected = None
                while i < len(lines) and lines[i].strip() and not lines[i].startswith("-"):
                    i += 1
            elif marker == "ok":
                stmt.kind = "ok"
            elif marker == "hash":
                stmt.kind = "hash"
                while i < len(lines) and lines[i].strip() and not lines[i].startswith("-"):
                    i += 1
            else:
                try:
                    n = int(marker)
                except ValueError:
                    stmt.kind = "unknown"
                    n = 0
                rows = []
                for _ in range(n):
                    if i >= len(lines):
                        break
                    rows.append(lines[i].rstrip("\r"))
                    i += 1
                stmt.expected = rows
            current.statements.append(stmt)
            check_order = False
            continue
        i += 1
    return TestFile(path, dataset, cases)


# ----------------------------------------------------------------------------- value formatting


def format_value(value) -> str:
    """A Python value as Kùzu's test files print it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.6f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        if value.microsecond:
            text += f".{value.microsecond:06d}".rstrip("0")
        if value.tzinfo is not None:
            text += "+00"
        return text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _format_interval(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_nested(v) for v in value) + "]"
    if isinstance(value, dict):
        if "_nodes" in value and "_rels" in value:
            nodes = ",".join(format_value(n) for n in value["_nodes"])
            rels = ",".join(format_value(r) for r in value["_rels"])
            return f"{{_NODES: [{nodes}], _RELS: [{rels}]}}"
        if "_src" in value and "_dst" in value:
            src, dst = _id(value["_src"]), _id(value["_dst"])
            props = ", ".join(
                f"{k}: {format_value(v)}"
                for k, v in value.items()
                if k not in ("_src", "_dst", "_id", "_label") and v is not None
            )
            body = f"_LABEL: {value.get('_label')}, _ID: {_id(value.get('_id'))}"
            if props:
                body += ", " + props
            return f"({src})-{{{body}}}->({dst})"
        if "_id" in value and "_label" in value:
            props = ", ".join(
                f"{k}: {format_value(v)}"
                for k, v in value.items()
                if k not in ("_id", "_label") and v is not None
            )
            body = f"_ID: {_id(value['_id'])}, _LABEL: {value['_label']}"
            if props:
                body += ", " + props
            return "{" + body + "}"
        return "{" + ", ".join(f"{k}: {_nested(v)}" for k, v in value.items()) + "}"
    return str(value)


def _nested(value) -> str:
    if isinstance(value, str):
        return value
    return format_value(value)


def _id(value) -> str:
    if isinstance(value, dict):
        return f"{value.get('table')}:{value.get('offset')}"
    return str(value)


def _format_interval(td: dt.timedelta) -> str:
    days = td.days
    seconds = td.seconds
    micros = td.microseconds
    parts = []
    if days:
        parts.append(f"{days} days")
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    clock = f"{h:02d}:{m:02d}:{s:02d}"
    if micros:
        clock += f".{micros:06d}".rstrip("0")
    if seconds or micros or not parts:
        parts.append(clock)
    return " ".join(parts)


def _float_tolerant_equal(a: str, b: str) -> bool:
    if a == b:
        return True
    fa, fb = a.split("|"), b.split("|")
    if len(fa) != len(fb):
        return False
    for x, y in zip(fa, fb, strict=True):
        if x == y:
            continue
        try:
            vx, vy = float(x), float(y)
        except ValueError:
            return False
        if not math.isclose(vx, vy, rel_tol=1e-5, abs_tol=1e-6):
            return False
    return True


def rows_match(actual: list[str], expected: list[str], ordered: bool) -> bool:
    if len(actual) != len(expected):
        return False
    if not ordered:
        actual, expected = sorted(actual), sorted(expected)
    return all(_float_tolerant_equal(a, e) for a, e in zip(actual, expected, strict=True))


def values_match(a: list[list], b: list[list], ordered: bool) -> bool:
    """Rows of Python values compared as Kùzu prints them (floats with a tolerance)."""
    return rows_match(_format_rows(a), _format_rows(b), ordered)


def _format_rows(rows: list[list]) -> list[str]:
    return ["|".join(format_value(v) for v in row) for row in rows]


# ----------------------------------------------------------------------------- datasets


_TABLE = re.compile(
    r"create\s+(node|rel)\s+table\s+(?:if\s+not\s+exists\s+)?(\w+)\s*\((.*)\)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _split_top(text: str) -> list[str]:
    out, depth, cur = [], 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


@dataclass
class TableDef:
    kind: str
    name: str
    columns: list[tuple[str, str]]
    primary_key: str | None = None
    pairs: list[tuple[str, str]] = field(default_factory=list)
    multiplicity: str | None = None


def parse_schema(text: str) -> list[TableDef]:
    tables = []
    for stmt in _statements(text):
        m = _TABLE.match(stmt.strip())
        if not m:
            continue
        kind, name, body = m.group(1).lower(), m.group(2), m.group(3)
        t = TableDef(kind, name, [])
        for part in _split_top(body):
            up = part.upper()
            pk = re.match(r"PRIMARY\s+KEY\s*\((\w+)\)", part, re.IGNORECASE)
            if pk:
                t.primary_key = pk.group(1)
            elif up.startswith("FROM "):
                f = re.match(r"FROM\s+(\w+)\s+TO\s+(\w+)", part, re.IGNORECASE)
                t.pairs.append((f.group(1), f.group(2)))
            elif up in ("MANY_MANY", "MANY_ONE", "ONE_MANY", "ONE_ONE"):
                t.multiplicity = up
            else:
                bits = part.split(None, 1)
                if len(bits) != 2:
                    continue
                col, typ = bits
                inline_pk = re.search(r"\s+PRIMARY\s+KEY\s*$", typ, re.IGNORECASE)
                if inline_pk:
                    typ = typ[: inline_pk.start()]
                    t.primary_key = col
                typ = re.sub(r"\s+DEFAULT\s+.*$", "", typ, flags=re.IGNORECASE)
                t.columns.append((col, typ.strip()))
        tables.append(t)
    return tables


def _statements(text: str) -> list[str]:
    out, cur, quote = [], [], None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == ";":
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur))
    return [s for s in out if s.strip()]


class UnsupportedDataset(Exception):
    pass


def ruzu_supports_type(typ: str, cache: dict) -> bool:
    """Whether ruzu can create a column of this type (asked of ruzu itself, so new types count
    as soon as ruzu has them)."""
    key = typ.upper()
    if key in cache:
        return cache[key]
    import ruzu

    tmp = tempfile.mkdtemp(prefix="ruzu-type-")
    try:
        with ruzu.Database(os.path.join(tmp, "db")) as db:
            ruzu.Connection(db).execute(f"CREATE NODE TABLE t(id INT64, c {typ}, PRIMARY KEY(id))")
        ok = True
    except Exception:
        ok = False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cache[key] = ok
    return ok


def csv_literal(value, typ: str = "") -> str:
    """A Python value from Kùzu written the way Kùzu's CSV reader reads it back."""
    if value is None:
        return ""
    if isinstance(value, dict) and typ.upper().startswith("MAP"):
        return "{" + ", ".join(f"{_csv_nested(k)}={_csv_nested(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return "".join(chr(b) if 32 <= b < 127 and b != 92 else f"\\x{b:02X}" for b in value)
    if isinstance(value, dt.timedelta):
        total = value.days * 86_400_000_000 + value.seconds * 1_000_000 + value.microseconds
        days, rest = divmod(abs(total), 86_400_000_000)
        sign = "-" if total < 0 else ""
        return f"{sign}{days} days {sign}{rest} microseconds"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ",".join(_csv_nested(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_csv_nested(v)}" for k, v in value.items()) + "}"
    return str(value)


def _csv_nested(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        if any(c in value for c in ",[]{}'\"") or value != value.strip() or not value:
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return value
    return csv_literal(value)


@dataclass
class Dataset:
    name: str
    directory: str  # reduced CSVs + schema
    schema: list[TableDef]
    dropped: dict[str, list[str]]  # table -> dropped column names
    ruzu_db: object = None
    kuzu_conn: object = None
    holders: list = field(default_factory=list)


def _kuzu_copy_statements(kuzu_root: str, name: str) -> list[str]:
    path = os.path.join(kuzu_root, "dataset", name, "copy.cypher")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    chunks = []
    for stmt in _statements(text):  # some files end statements with a newline, not ';'
        chunks.extend(re.split(r"\n(?=\s*COPY\b)", stmt, flags=re.IGNORECASE))
    for stmt in chunks:
        stmt = stmt.strip()
        if not stmt:
            continue
        stmt = re.sub(
            r'"(dataset/[^"]+)"', lambda m: '"' + os.path.join(kuzu_root, m.group(1)) + '"', stmt
        )
        stmt = re.sub(
            r"'(dataset/[^']+)'", lambda m: "'" + os.path.join(kuzu_root, m.group(1)) + "'", stmt
        )
        out.append(stmt)
    return out


def build_dataset(kuzu_root: str, name: str, work: str, type_cache: dict) -> Dataset:
    import kuzu

    src_dir = os.path.join(kuzu_root, "dataset", name)
    schema_path = os.path.join(src_dir, "schema.cypher")
    if not os.path.exists(src_dir) and name.lower() == "empty":
        schema_text = ""  # an empty database
    elif not os.path.exists(schema_path):
        raise UnsupportedDataset(f"{name}: no schema.cypher")
    else:
        with open(schema_path, encoding="utf-8") as f:
            schema_text = f.read()
    full = kuzu.Database(os.path.join(work, f"kuzu-full-{name.replace('/', '_')}"))
    fconn = kuzu.Connection(full)
    for stmt in _statements(schema_text):
        fconn.execute(stmt)
    if os.path.exists(os.path.join(src_dir, "copy.cypher")):
        for stmt in _kuzu_copy_statements(kuzu_root, name):
            fconn.execute(stmt)
    tables = parse_schema(schema_text)
    out_dir = os.path.join(work, "data-" + name.replace("/", "_"))
    os.makedirs(out_dir, exist_ok=True)
    dropped: dict[str, list[str]] = {}
    reduced: list[TableDef] = []
    node_pk = {t.name: t.primary_key for t in tables if t.kind == "node"}
    for t in tables:
        kept, gone = [], []
        for col, typ in t.columns:
            typ_norm = "INT64" if typ.upper() == "SERIAL" else typ
            if ruzu_supports_type(typ_norm, type_cache):
                kept.append((col, typ_norm))
            elif t.kind == "node" and col.lower() == (t.primary_key or "").lower():
                raise UnsupportedDataset(f"{name}: primary key {t.name}.{col} of type {typ}")
            else:
                gone.append(col)
        dropped[t.name] = gone
        reduced.append(TableDef(t.kind, t.name, kept, t.primary_key, t.pairs, t.multiplicity))
        names = [c for c, _ in kept]
        if t.kind == "node":
            rows = fconn.execute(
                f"MATCH (n:{t.name}) RETURN "
                + ", ".join(f"n.{c}" for c in names)
                + " ORDER BY offset(id(n))"
            ).get_all()
            types = [typ for _, typ in kept]
            _write_csv(os.path.join(out_dir, f"{t.name}.csv"), names, rows, types)
        else:
            if len(t.pairs) != 1:
                raise UnsupportedDataset(f"{name}: rel table {t.name} has {len(t.pairs)} pairs")
            a, b = t.pairs[0]
            cols = "".join(f", r.{c}" for c in names)
            rows = fconn.execute(
                f"MATCH (a:{a})-[r:{t.name}]->(b:{b}) RETURN a.{node_pk[a]}, b.{node_pk[b]}"
                f"{cols} ORDER BY offset(id(r))"
            ).get_all()
            types = ["", "", *(typ for _, typ in kept)]
            _write_csv(os.path.join(out_dir, f"{t.name}.csv"), ["from", "to", *names], rows, types)
    del fconn, full
    return Dataset(name, out_dir, reduced, dropped)


def _write_csv(path: str, header: list[str], rows: list[list], types: list[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        for row in rows:
            w.writerow([csv_literal(v, t) for v, t in zip(row, types, strict=True)])


def schema_statements(tables: list[TableDef]) -> list[str]:
    out = []
    for t in tables:
        cols = ", ".join(f"{c} {typ}" for c, typ in t.columns)
        if t.kind == "node":
            out.append(f"CREATE NODE TABLE {t.name}({cols}, PRIMARY KEY({t.primary_key}))")
        else:
            pairs = ", ".join(f"FROM {a} TO {b}" for a, b in t.pairs)
            extra = (", " + cols) if cols else ""
            mult = f", {t.multiplicity}" if t.multiplicity else ""
            out.append(f"CREATE REL TABLE {t.name}({pairs}{extra}{mult})")
    return out


def load_engines(ds: Dataset, work: str) -> None:
    import kuzu

    import ruzu

    stmts = schema_statements(ds.schema)
    copies = [
        f"COPY {t.name} FROM '{os.path.join(ds.directory, t.name + '.csv')}' (HEADER=true)"
        for t in ds.schema
    ]
    tag = ds.name.replace("/", "_")
    kdb = kuzu.Database(os.path.join(work, f"kuzu-{tag}"))
    kconn = kuzu.Connection(kdb)
    rdb = ruzu.Database(os.path.join(work, f"ruzu-{tag}"))
    rconn = ruzu.Connection(rdb)
    for s in stmts + copies:
        kconn.execute(s)
        rconn.execute(s)
    ds.kuzu_conn = kconn
    ds.ruzu_db = rconn
    ds.holders = [kdb, rdb]


# ----------------------------------------------------------------------------- running


def run_statement(conn, text: str):
    """(rows, None) or (None, error message). Several statements: the last one's rows."""
    try:
        result = conn.execute(text)
        if isinstance(result, list):
            result = result[-1]
        return result.get_all(), None
    except Exception as e:  # noqa: BLE001 - any failure is a result here
        return None, f"{type(e).__name__}: {e}"


def mentions_dropped(text: str, ds: Dataset) -> str | None:
    names = {c.lower() for cols in ds.dropped.values() for c in cols}
    for m in re.finditer(r"\.\s*(\w+)", text):
        if m.group(1).lower() in names:
            return m.group(1)
    return None


def classify(stmt: Statement, ds: Dataset) -> tuple[str, bool, str]:
    """(category, whether Kùzu reproduces the expected answer, detail)."""
    k_rows, k_err = run_statement(ds.kuzu_conn, stmt.text)
    r_rows, r_err = run_statement(ds.ruzu_db, stmt.text)
    if stmt.kind == "error":
        kuzu_ok = k_err is not None
        if not kuzu_ok:
            return "skipped", False, "Kùzu does not raise on the reduced dataset"
        if r_err is not None:
            return "pass", True, ""
        return "lenient", True, "ruzu returned rows where Kùzu raises: " + k_err
    if stmt.kind != "rows":
        return "skipped", False, f"---- {stmt.kind}"
    if k_err is not None:
        return "skipped", False, "Kùzu fails on the reduced dataset: " + k_err
    kuzu_ok = rows_match(_format_rows(k_rows), stmt.expected, stmt.check_order)
    if r_err is not None:
        return "error", kuzu_ok, r_err
    if kuzu_ok and rows_match(_format_rows(r_rows), stmt.expected, stmt.check_order):
        return "pass", True, ""
    if values_match(r_rows, k_rows, stmt.check_order):
        return "pass", kuzu_ok, ""
    detail = f"ruzu {_format_rows(r_rows)[:5]} vs Kùzu {_format_rows(k_rows)[:5]}"
    return "wrong", kuzu_ok, detail


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("kuzu_checkout")
    ap.add_argument("--dirs", default=",".join(READ_DIRS))
    ap.add_argument("--verbose", "-v", action="store_true", help="print every non-pass")
    ap.add_argument("--show", default="wrong,error,lenient", help="categories printed with -v")
    args = ap.parse_args(argv)
    root = os.path.abspath(args.kuzu_checkout)
    test_root = os.path.join(root, "test", "test_files")
    work = tempfile.mkdtemp(prefix="ruzu-compat-")
    datasets: dict[str, Dataset | str] = {}
    type_cache: dict = {}
    per_dir: dict[str, Counter] = defaultdict(Counter)
    show = set(args.show.split(","))
    try:
        for d in args.dirs.split(","):
            for dirpath, _, files in sorted(os.walk(os.path.join(test_root, d))):
                for fname in sorted(files):
                    if not fname.endswith(".test"):
                        continue
                    path = os.path.join(dirpath, fname)
                    tf = parse_test_file(path)
                    rel = os.path.relpath(path, test_root)
                    _run_file(tf, rel, d, root, work, datasets, type_cache, per_dir, args, show)
    finally:
        for ds in datasets.values():
            if isinstance(ds, Dataset):
                ds.kuzu_conn = ds.ruzu_db = None
                ds.holders = []
        shutil.rmtree(work, ignore_errors=True)
    _print_table(per_dir)
    if args.verbose:
        print("\nskipped, by reason:")
        for reason, n in SKIP_REASONS.most_common():
            print(f"  {n:5d}  {reason}")
    return 0


def _run_file(tf, rel, d, root, work, datasets, type_cache, per_dir, args, show) -> None:
    counts = per_dir[d]
    ds = None
    if tf.dataset is None or not tf.dataset.startswith("CSV "):
        reason = f"dataset {tf.dataset}"
    else:
        name = tf.dataset.split()[1]
        if name not in datasets:
            try:
                ds_new = build_dataset(root, name, work, type_cache)
                load_engines(ds_new, work)
                datasets[name] = ds_new
                gone = {t: c for t, c in ds_new.dropped.items() if c}
                print(
                    f"# {name}: loaded; columns dropped (types ruzu lacks): {gone}", file=sys.stderr
                )
            except Exception as e:  # noqa: BLE001
                datasets[name] = f"load failed: {type(e).__name__}: {e}"[:300]
                print(f"# {name}: {datasets[name]}", file=sys.stderr)
        ds = datasets[name]
        reason = ds if isinstance(ds, str) else None
    for case in tf.cases:
        written = False
        for stmt in case.statements:
            skip = reason or case.skip_reason
            if skip is None and (written or _WRITE.search(_strip_strings(stmt.text))):
                written = True
                skip = "write"
            if skip is None and ";" in _strip_strings(stmt.text).rstrip().rstrip(";"):
                skip = None  # several statements: run as one execute
            if skip is None:
                col = mentions_dropped(stmt.text, ds)
                if col:
                    skip = f"dropped column {col}"
            if skip is not None:
                counts["skipped"] += 1
                SKIP_REASONS[skip.split(":")[0][:60]] += 1
                continue
            category, kuzu_ok, detail = classify(stmt, ds)
            if category == "skipped":
                SKIP_REASONS[detail.split(":")[0][:60]] += 1
            counts[category] += 1
            if kuzu_ok:
                counts["kuzu_passes"] += 1
                if category == "pass":
                    counts["pass_of_kuzu"] += 1
            if args.verbose and category in show:
                print(
                    f"{category.upper()} {rel}:{stmt.line} [{case.name}] {stmt.text}\n    {detail}"
                )


SKIP_REASONS: Counter = Counter()


def _strip_strings(text: str) -> str:
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`", "''", text)


def _print_table(per_dir: dict[str, Counter]) -> None:
    cols = ("pass", "wrong", "error", "lenient", "skipped")
    print(
        f"| {'directory':<18} | "
        + " | ".join(f"{c:>7}" for c in cols)
        + " | Kùzu passes | ruzu of those |"
    )
    print("|" + "---|" * (len(cols) + 3))
    total = Counter()
    for d, c in per_dir.items():
        total.update(c)
        print(_row(d, c, cols))
    print(_row("**total**", total, cols))
    if total["kuzu_passes"]:
        share = 100.0 * total["pass_of_kuzu"] / total["kuzu_passes"]
        print(
            f"\nruzu gives Kùzu's answer on {total['pass_of_kuzu']}/{total['kuzu_passes']} "
            f"({share:.1f}%) of the statements Kùzu passes; {total['wrong']} wrong."
        )


def _row(name: str, c: Counter, cols) -> str:
    return (
        f"| {name:<18} | "
        + " | ".join(f"{c[k]:>7}" for k in cols)
        + f" | {c['kuzu_passes']:>11} | {c['pass_of_kuzu']:>13} |"
    )


if __name__ == "__main__":
    sys.exit(main())
