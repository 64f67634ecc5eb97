"""COPY as Kùzu does it: sniffed dialects, columns by position after a skipped header, column
subsets, file lists and globs, backquoted names, Kùzu's extra options. Each case runs the same
statements in ruzu and in Kùzu 0.11.3 and compares full dumps of the tables."""

from __future__ import annotations

import os

import pytest

import ruzu

kuzu = pytest.importorskip("kuzu")

# name -> (files, statements, dump queries); {d} is the case directory
CASES = {
    "semicolon_header_other_names": (
        {"p.csv": "ID;fName;AGE\n1;Ann;30\n2;Bob;\n"},
        ["CREATE NODE TABLE P(id INT64, fname STRING, age INT64, PRIMARY KEY(id))",
         "COPY P FROM '{d}/p.csv'"],
        ["MATCH (p:P) RETURN p.id, p.fname, p.age ORDER BY p.id"],
    ),
    "pipe_neo4j_style_header": (
        {"c.csv": "id:ID(City)|name:string\n7|Oslo\n8|Rome\n"},
        ["CREATE NODE TABLE City(id INT64, name STRING, PRIMARY KEY(id))",
         "COPY City FROM '{d}/c.csv'"],
        ["MATCH (c:City) RETURN c.id, c.name ORDER BY c.id"],
    ),
    "tab_no_header_all_ints": (
        {"t.csv": "1\t10\n2\t20\n3\t30\n"},
        ["CREATE NODE TABLE T(a INT64, b INT64, PRIMARY KEY(a))",
         "COPY T FROM '{d}/t.csv'"],
        ["MATCH (t:T) RETURN t.a, t.b ORDER BY t.a"],
    ),
    "single_quotes_and_backslash_escape": (
        {"q.csv": "id;s\n1;'a;b'\n2;'it\\'s'\n"},
        ["CREATE NODE TABLE Q(id INT64, s STRING, PRIMARY KEY(id))",
         "COPY Q FROM '{d}/q.csv'"],
        ["MATCH (q:Q) RETURN q.id, q.s ORDER BY q.id"],
    ),
    "doubled_quotes_with_delimiters_inside": (
        {"q.csv": 'id,s\n1,"a,b"\n2,"say ""hi"""\n'},
        ["CREATE NODE TABLE Q(id INT64, s STRING, PRIMARY KEY(id))",
         "COPY Q FROM '{d}/q.csv'"],
        ["MATCH (q:Q) RETURN q.id, q.s ORDER BY q.id"],
    ),
    "column_subset_and_bare_options": (
        {"p.csv": "1,Ann\n2,Bob\n", "r.csv": "1,2,2020\n2,1,2021\n"},
        ["CREATE NODE TABLE P(id INT64, name STRING, age INT64, PRIMARY KEY(id))",
         "CREATE REL TABLE R(FROM P TO P, since INT64, note STRING)",
         "COPY P(id, name) FROM '{d}/p.csv' (HEADER=false, PARALLEL=false)",
         "COPY R(since) FROM '{d}/r.csv' (SAMPLE_SIZE=10, AUTO_DETECT=true)"],
        ["MATCH (p:P) RETURN p.id, p.name, p.age ORDER BY p.id",
         "MATCH (a:P)-[r:R]->(b:P) RETURN a.id, b.id, r.since, r.note ORDER BY a.id"],
    ),
    "file_list_glob_and_backquoted_names": (
        {"part-2.csv": "id,name\n3,Cy\n", "part-1.csv": "id,name\n1,Ann\n2,Bob\n",
         "k1.csv": "from,to\n1,2\n", "k2.csv": "from,to\n2,3\n3,1\n"},
        ["CREATE NODE TABLE `my-Person`(id INT64, name STRING, PRIMARY KEY(id))",
         "CREATE REL TABLE `knows-1`(FROM `my-Person` TO `my-Person`)",
         "COPY `my-Person` FROM '{d}/part-*.csv'",
         "COPY `knows-1` FROM ['{d}/k1.csv', '{d}/k2.csv'] (HEADER=true)"],
        ["MATCH (p:`my-Person`) RETURN p.id, p.name ORDER BY p.id",
         "MATCH (a)-[:`knows-1`]->(b) RETURN a.id, b.id ORDER BY a.id"],
    ),
    "auto_detect_off_keeps_defaults": (
        {"p.csv": "1,Ann\n2,Bob\n"},
        ["CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id))",
         "COPY P FROM '{d}/p.csv' (AUTO_DETECT=false)"],
        ["MATCH (p:P) RETURN p.id, p.name ORDER BY p.id"],
    ),
    "string_table_names_row_is_data": (
        {"s.csv": "x,y\nc,d\n"},
        ["CREATE NODE TABLE S(x STRING, y STRING, PRIMARY KEY(x))",
         "CREATE NODE TABLE E(id SERIAL, x STRING, y STRING, PRIMARY KEY(id))",
         "COPY S FROM '{d}/s.csv'", "COPY E FROM '{d}/s.csv'"],
        ["MATCH (s:S) RETURN s.x, s.y ORDER BY s.x", "MATCH (e:E) RETURN e.id, e.x, e.y"],
    ),
    "sniffed_backslash_escape_of_backslashes": (  # tinysnb's vMovies/eMeets
        {"b.csv": 'id,s,b\n1,"a\\\\b","\\\\xAA\\\\xAB"\n2,"x\\\\y",x\n'},
        ["CREATE NODE TABLE B(id INT64, s STRING, b BLOB, PRIMARY KEY(id))",
         "COPY B FROM '{d}/b.csv'"],
        ["MATCH (b:B) RETURN b.id, b.s, b.b ORDER BY b.id"],
    ),
    "backslash_before_other_text_is_no_escape": (
        {"b.csv": 'id,s\n1,"a\\b"\n2,"c\\\\d"\n'},
        ["CREATE NODE TABLE B(id INT64, s STRING, PRIMARY KEY(id))",
         "COPY B FROM '{d}/b.csv'"],
        ["MATCH (b:B) RETURN b.id, b.s ORDER BY b.id"],
    ),
    "doubled_quote_beats_backslash": (
        {"b.csv": 'id,s\n1,"a""b"\n2,"c\\\\d"\n'},
        ["CREATE NODE TABLE B(id INT64, s STRING, PRIMARY KEY(id))",
         "COPY B FROM '{d}/b.csv'"],
        ["MATCH (b:B) RETURN b.id, b.s ORDER BY b.id"],
    ),
    "string_table_first_row_is_data": (
        {"s.csv": "a,b\nc,d\n"},
        ["CREATE NODE TABLE S(x STRING, y STRING, PRIMARY KEY(x))",
         "COPY S FROM '{d}/s.csv'"],
        ["MATCH (s:S) RETURN s.x, s.y ORDER BY s.x"],
    ),
}


def _run(engine_execute, d: str, statements, dumps):
    for s in statements:
        engine_execute(s.format(d=d))
    out = []
    for q in dumps:
        out.append(engine_execute(q).get_all())
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_copy_loads_like_kuzu(tmp_path, name):
    files, statements, dumps = CASES[name]
    d = str(tmp_path / "in")
    os.makedirs(d)
    for fname, text in files.items():
        with open(os.path.join(d, fname), "w", newline="") as f:
            f.write(text)
    kdb = kuzu.Database(str(tmp_path / "kuzu"))
    conn = kuzu.Connection(kdb)
    try:
        expected = _run(conn.execute, d, statements, dumps)
    finally:
        conn.close()
        kdb.close()
    with ruzu.Database(tmp_path / "ruzu") as db:
        got = _run(db.execute, d, statements, dumps)
    assert got == expected
    assert any(rows for rows in expected)  # the case loads something


def test_copy_error_names_the_right_file_of_a_list(tmp_path):
    (tmp_path / "a.csv").write_text("id\n1\n2\n")
    (tmp_path / "b.csv").write_text("id\n3\nfour\n")
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE P(id INT64, PRIMARY KEY(id))")
        with pytest.raises(ruzu.CsvError) as info:
            db.execute(f"COPY P FROM ['{tmp_path}/a.csv', '{tmp_path}/b.csv'] (HEADER=true)")
        assert info.value.path.endswith("b.csv") and info.value.line == 3
        # all or nothing: the first file's rows are not kept either
        assert db.execute("MATCH (p:P) RETURN count(*)").get_all() == [[0]]


def test_glob_without_match_is_a_clear_error(tmp_path):
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE P(id INT64, PRIMARY KEY(id))")
        with pytest.raises(ruzu.CsvError, match="no file matches"):
            db.execute(f"COPY P FROM '{tmp_path}/none-*.csv'")


def test_python_api_maps_by_header_name_any_case(tmp_path):
    (tmp_path / "p.csv").write_text("NAME,Id\nAnn,1\nBob,2\n")
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("P", [("id", "INT64"), ("name", "STRING")], "id")
        db.import_nodes("P", tmp_path / "p.csv")
        rows = db.execute("MATCH (p:P) RETURN p.id, p.name ORDER BY p.id").get_all()
    assert rows == [[1, "Ann"], [2, "Bob"]]


def test_column_list_needs_the_primary_key(tmp_path):
    (tmp_path / "p.csv").write_text("Ann\n")
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id))")
        with pytest.raises(ruzu.CsvError, match="primary key"):
            db.execute(f"COPY P(name) FROM '{tmp_path}/p.csv'")


def test_partial_import_of_several_files_names_where_it_stopped(tmp_path):
    (tmp_path / "a.csv").write_text("id\n1\n2\n")
    (tmp_path / "b.csv").write_text("id\n3\nfour\n5\n")
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE P(id INT64, PRIMARY KEY(id))")
        cfg = ruzu.CsvImportConfig(partial=True, batch_size=1)
        with pytest.raises(ruzu.ImportInterrupted) as info:
            db.import_nodes("P", [tmp_path / "a.csv", tmp_path / "b.csv"], config=cfg)
        assert str(info.value).startswith(f"{tmp_path / 'b.csv'}: import stopped at line 3")
        assert info.value.resume_skip_rows == 1
        rows = db.execute("MATCH (p:P) RETURN p.id ORDER BY p.id").get_all()
    assert rows == [[1], [2], [3]]
