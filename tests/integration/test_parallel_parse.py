"""Block-parallel parsing gives exactly the serial results: same rows, same rejects, and the
same (earliest) error line, on files large enough to be split into blocks."""

from __future__ import annotations

import random

import pytest

import ruzu
import ruzu.csv.parser
from ruzu.errors import CsvError
from tests.conftest import write


def make_file(tmp_path, n: int, bad_at: list[int], seed: int) -> str:
    rng = random.Random(seed)
    lines = ["id,name,age"]
    for i in range(n):
        name = rng.choice(["plain", '"quoted, with comma"', '"multi\nline"', '"say ""hi"""',
                           "ünï"])
        age = "oops" if i in bad_at else str(rng.randint(0, 99))
        lines.append(f"{i},{name},{age}")
    return write(tmp_path / f"p{seed}.csv", "\r\n".join(lines) + "\r\n")


@pytest.fixture(autouse=True)
def parallel_rows(monkeypatch):
    """Counts the rows the parallel kernel stored, to be sure the tests exercise it."""
    kernels = ruzu.csv.parser.K
    counted = {"rows": 0}

    def counting(*args):
        result = kernels._parse_records_parallel(*args)
        counted["rows"] += result[1]
        return result

    class Kernels:
        def __getattr__(self, name):
            return counting if name == "_parse_records_parallel" else getattr(kernels, name)

    monkeypatch.setattr(ruzu.csv.parser, "K", Kernels())
    return counted


def run(tmp_path, path: str, threads: int, **options):
    # batches of 20,000 rows (~500 KB): several kernel calls, each split into two blocks
    options.setdefault("batch_size", 20_000)
    with ruzu.Database(tmp_path / f"db{threads}") as db:
        db.create_node_table("P", [("id", "INT64"), ("name", "STRING"), ("age", "INT64")], "id")
        try:
            r = db.import_nodes("P", path, ruzu.CsvImportConfig(threads=threads, **options))
        except CsvError as e:
            return ("error", e.line, e.column, str(e))
        t = db.table("P")
        rejects = [(x.line, x.column, x.byte_offset, x.record) for x in r.rejects]
        return (t.to_pylist("id"), t.to_pylist("name"), t.to_pylist("age"), rejects)


@pytest.mark.parametrize("seed", [1, 2])
def test_parallel_equals_serial(tmp_path, seed, parallel_rows):
    path = make_file(tmp_path, 60_000, [], seed)
    serial = run(tmp_path, path, 1)
    assert len(serial[0]) == 60_000 and parallel_rows["rows"] == 0
    assert run(tmp_path, path, 2) == serial
    assert parallel_rows["rows"] > 30_000


@pytest.mark.parametrize("bad_at", [[5], [31_337], [59_999], [20_000, 40_000]])
@pytest.mark.parametrize("ignore", [False, True])
def test_errors_are_reported_alike(tmp_path, bad_at, ignore, parallel_rows):
    path = make_file(tmp_path, 60_000, bad_at, 3)
    serial = run(tmp_path, path, 1, ignore_errors=ignore)
    parallel = run(tmp_path, path, 2, ignore_errors=ignore)
    assert parallel == serial
    if ignore:
        assert parallel_rows["rows"] > 0
    if not ignore:
        assert serial[0] == "error"
