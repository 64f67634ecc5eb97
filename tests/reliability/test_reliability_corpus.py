"""The bad-input corpus (tests/data/bad, tests/data/good, expectations in tests/data/cases.json):
every file in abort mode and in ignore mode, at batch sizes 1, 2, 3, 7, 42, 4096 and the
default. Abort: the same typed error, line, column and exact message at every batch size, and the
database byte-identical. Ignore: the same rows skipped and the same rejects at every batch size.
Plus the generated cases too large to commit (long fields, read-buffer boundaries)."""

from __future__ import annotations

import os

import pytest

import ruzu
from tests.reliability.relhelpers import (
    DATA,
    TARGETS,
    load_cases,
    make_schema_db,
    snapshot,
    table_values,
)

BATCH_SIZES = [1, 2, 3, 7, 42, 4096, None]  # None: the default
# each corpus file runs at every batch size, and once more with several parser threads
RUNS = [{"batch_size": bs} if bs else {} for bs in BATCH_SIZES] + [{"threads": 4}]
CASES = load_cases()
ERRORS = {
    "CsvError": ruzu.CsvError,
    "DuplicateKeyError": ruzu.DuplicateKeyError,
    "MissingEndpointError": ruzu.MissingEndpointError,
    "TooManyErrorsError": ruzu.TooManyErrorsError,
}


def test_corpus_is_complete():
    """At least 30 files; every file on disk has a case and every case a file."""
    listed = {c["file"] for c in CASES}
    on_disk = {f"{sub}/{name}" for sub in ("bad", "good")
               for name in os.listdir(os.path.join(DATA, sub))}
    assert listed == on_disk
    assert len([f for f in listed if f.startswith("bad/")]) >= 30
    assert len({c["name"] for c in CASES}) == len(CASES)


def run_import(db, schema: str, path: str, config: dict) -> ruzu.ImportResult:
    table, is_rel, _cols = TARGETS[schema]
    cfg = ruzu.CsvImportConfig(**config)
    if is_rel:
        return db.import_relationships(table, path, config=cfg)
    return db.import_nodes(table, path, config=cfg)


def outcome(db, case: dict, path: str, config: dict) -> dict:
    """What one import did, in the vocabulary of cases.json."""
    try:
        r = run_import(db, case["schema"], path, config)
    except ruzu.RuzuError as e:
        return {"error": type(e).__name__, "line": getattr(e, "line", None),
                "column": getattr(e, "column", None),
                "column_name": getattr(e, "column_name", None),
                "reason": getattr(e, "reason", None), "message": str(e)}
    rejects = []
    for x in r.rejects:
        assert x.path == path
        rejects.append({"line": x.line, "column": x.column, "column_name": x.column_name,
                        "reason": x.reason, "record": x.record, "byte_offset": x.byte_offset})
    return {"rows_imported": r.rows_imported, "rows_skipped": r.rows_skipped,
            "rejects": rejects, "values": table_values(db, case["schema"])}


def expected_outcome(expect: dict, path: str) -> dict:
    """The expectation with {path} filled in."""
    out = dict(expect)
    if "message" in out:
        out["message"] = out["message"].replace("{path}", path)
    return out


def corpus_params():
    for case in CASES:
        for mode in ("abort", "ignore"):
            bug = case["bug"].get(mode)
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            yield pytest.param(case, mode, marks=marks, id=f"{case['name']}-{mode}")


@pytest.mark.parametrize("case, mode", list(corpus_params()))
def test_corpus_file(fast_tmp, case, mode):
    path = os.path.join(DATA, case["file"])
    expect = case[mode]
    by_batch = {}
    for n, run in enumerate(RUNS):
        bs = "/".join(f"{k}={v}" for k, v in run.items()) or "default"
        work = fast_tmp / f"run{n}"
        work.mkdir()
        config = dict(case["config"], ignore_errors=(mode == "ignore"), **run)
        db = make_schema_db(work / "db", case["schema"], case["preload"], work)
        try:
            before = snapshot(work / "db")
            got = outcome(db, case, path, config)
            if "error" in got:
                assert snapshot(work / "db") == before, f"{bs}: database changed"
            want = expected_outcome(expect, path)
            by_batch[bs] = got
            assert got == want, bs
        finally:
            db.close()
        if "error" in got:  # a failed import must also leave a reopenable, unchanged database
            with ruzu.Database(work / "db", read_only=True) as again:
                assert again.generation == db.generation
    # (the loop already pins every batch size to the same expectation)
    assert len({repr(v) for v in by_batch.values()}) == 1


def test_reject_byte_offsets_point_at_the_record(tmp_path):
    """Every reject pins its raw record and byte offset (reliability.md: ignore mode records
    file, line, byte offset, column, reason and raw record), and the offset is where that
    record starts in the file."""
    checked = 0
    for case in CASES:
        ign = case["ignore"]
        for r in ign.get("rejects", []):
            with open(os.path.join(DATA, case["file"]), "rb") as f:
                raw = f.read()
            rec = raw[r["byte_offset"]:]
            assert rec.decode("utf-8", "backslashreplace").startswith(r["record"]), case["name"]
            checked += 1
    assert checked >= 50



# ------------------------------------------------------------------------------------------
# Generated cases (too large to commit)
# ------------------------------------------------------------------------------------------
def person_db(tmp_path, name="db"):
    db = ruzu.Database(tmp_path / name)
    db.create_node_table("Person", [("id", "INT64"), ("name", "STRING"), ("age", "INT64")],
                         "id")
    return db


def each_batch_size(tmp_path, data: bytes, *, ignore: bool, sizes=BATCH_SIZES, **config):
    """Import ``data`` at every batch size into a fresh Person table: {bs: outcome}."""
    path = tmp_path / "input.csv"
    path.write_bytes(data)
    out = {}
    for bs in sizes:
        db = person_db(tmp_path, f"db{bs}")
        before = snapshot(tmp_path / f"db{bs}")
        cfg = dict(config, ignore_errors=ignore)
        if bs is not None:
            cfg["batch_size"] = bs
        try:
            r = db.import_nodes("Person", path, config=ruzu.CsvImportConfig(**cfg))
            t = db.table("Person")
            out[bs] = ("ok", r.rows_imported,
                       [(x.line, x.column, x.reason, x.byte_offset) for x in r.rejects],
                       t.to_pylist("id"), [len(s) for s in t.to_pylist("name")])
        except ruzu.CsvError as e:
            assert snapshot(tmp_path / f"db{bs}") == before
            out[bs] = (type(e).__name__, e.line, e.column, e.reason)
        finally:
            db.close()
    return out


@pytest.mark.parametrize("ignore", [False, True])
def test_very_long_field_is_read_whole(fast_tmp, ignore):
    """A 3 MB field (bigger than the 64 KB initial string buffer, generated not committed)."""
    big = b"\xc3\xa9" * 1_500_000
    data = b"id,name,age\n1,a,1\n2," + big + b",2\n3,\"" + big + b"\",3\n4,d,4\n"
    out = each_batch_size(fast_tmp, data, ignore=ignore, sizes=[1, 2, 42, None])
    want = ("ok", 4, [], [1, 2, 3, 4], [1, 1_500_000, 1_500_000, 1])
    assert out == dict.fromkeys(out, want)


@pytest.mark.parametrize("ignore", [False, True])
def test_field_over_the_memory_bound_is_a_clear_error(fast_tmp, ignore):
    """A 26 MB record with memory_limit=64 MB (records are bounded at 3/8 of it: 24 MB)."""
    data = b"id,name,age\n1,a,1\n2," + b"B" * 26_000_000 + b",2\n3,c,3\n"
    out = each_batch_size(fast_tmp, data, ignore=ignore, sizes=[1, 7, None],
                          memory_limit=64 << 20)
    assert out == dict.fromkeys(out, ("CsvError", 3, None, "record too long"))


@pytest.mark.parametrize("ignore", [False, True])
def test_unterminated_quote_in_a_large_file_names_its_line(fast_tmp, ignore):
    rows = b"".join(b"%d,n%d,%d\n" % (i, i, i) for i in range(3, 1_700_000))  # 30 MB
    data = b'id,name,age\n1,a,1\n2,"b,2\n' + rows
    out = each_batch_size(fast_tmp, data, ignore=ignore, sizes=[1, 42, None],
                          memory_limit=64 << 20)
    assert out == dict.fromkeys(out, ("CsvError", 3, None, "record too long"))


@pytest.mark.parametrize("ignore", [False, True])
@pytest.mark.parametrize("shift", [-1, 0, 1, 5])
def test_bad_record_straddling_the_read_buffer_boundary(fast_tmp, ignore, shift):
    """With memory_limit=64 MB the read buffer is 4 MiB: put a bad record across (or just
    before / after) that boundary; the same line at every batch size."""
    boundary = 4 << 20
    head = b"id,name,age\n"
    rows = []
    size = len(head)
    i = 1
    filler = b"f" * 1000  # long rows: few of them, so batch size 1 stays quick
    while size < boundary - 1100:
        row = b"%d,%s,%d\n" % (i, filler, i % 100)
        rows.append(row)
        size += len(row)
        i += 1
    pad = boundary + shift - size - len(b"%d,bad" % i)
    bad = b"%d,%s,x\n" % (i, b"q" * max(pad, 1))
    bad_line = i + 1
    data = head + b"".join(rows) + bad + b"".join(b"%d,z,%d\n" % (j, j % 100)
                                                     for j in range(i + 1, i + 50))
    out = each_batch_size(fast_tmp, data, ignore=ignore, sizes=[1, 7, 4096, None],
                          memory_limit=64 << 20)
    if ignore:
        ids = list(range(1, i)) + list(range(i + 1, i + 50))
        for v in out.values():
            assert v[:3] == ("ok", len(ids), [(bad_line, 3, "invalid integer", size)])
            assert v[3] == ids
    else:
        assert out == dict.fromkeys(out, ("CsvError", bad_line, 3, "invalid integer"))


def test_rejects_beyond_the_kept_ten_thousand_are_counted_and_streamed(fast_tmp):
    """The result keeps the first 10,000 rejects; all are counted and passed to on_reject."""
    rows = "".join(f"{i},n{i},{'x' if i % 2 else i}\n" for i in range(25_000))
    path = fast_tmp / "many.csv"
    path.write_text("id,name,age\n" + rows)
    seen = []
    with person_db(fast_tmp) as db:
        r = db.import_nodes("Person", path, config=ruzu.CsvImportConfig(ignore_errors=True),
                            on_reject=seen.append)
        assert (r.rows_imported, r.rows_skipped) == (12_500, 12_500)
        assert len(r.rejects) == 10_000
        assert [x.line for x in r.rejects] == [i + 2 for i in range(1, 20_000, 2)]
        assert [x.line for x in seen] == [i + 2 for i in range(1, 25_000, 2)]
        assert db.table("Person").to_pylist("id") == list(range(0, 25_000, 2))


def test_message_shows_a_long_record_truncated(fast_tmp):
    path = fast_tmp / "long.csv"
    path.write_text("id,name,age\n1,a,1\n2," + "é" * 20_000 + ",x\n")
    with person_db(fast_tmp) as db:
        with pytest.raises(ruzu.CsvError) as info:
            db.import_nodes("Person", path)
    e = info.value
    assert (e.line, e.column, e.column_name) == (3, 3, "age")
    assert str(e).startswith(f"{path}:3:3 (age): invalid integer. Record: '2,éé")
    assert str(e).endswith("…'") and len(str(e)) < 500
    r = None
    with person_db(fast_tmp, "db2") as db:
        r = db.import_nodes("Person", path, config=ruzu.CsvImportConfig(ignore_errors=True))
    (reject,) = r.rejects
    assert reject.record.startswith("2,éé") and len(reject.record) < 300
    assert reject.byte_offset == len("id,name,age\n1,a,1\n")
