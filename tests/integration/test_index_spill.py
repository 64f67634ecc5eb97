"""The primary-key index spilled while the keys are parsed (``storage/key_spill.py``): the
index it builds answers every key as a dict does (the oracle), and every case where the spill
cannot be used — the row estimate too low, integer keys sorted at first, an interrupted or
failed import, dropped duplicates — falls back to reading the key column and stays right."""

from __future__ import annotations

import os
import threading
import uuid

import numpy as np
import pytest

import ruzu
from ruzu.errors import CsvError, DuplicateKeyError
from ruzu.storage import key_spill, pk_index
from tests.conftest import write


@pytest.fixture
def tiny_index_budget(monkeypatch):
    """An index budget of 100 entries a partition: a few thousand keys spill to many files."""
    budgets = ruzu.csv.config.Budgets(parse=1 << 20, index=64 * 200, resolve=4096, csr=4096)
    monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: budgets))


@pytest.fixture
def read_backs(monkeypatch):
    """Counts the rows the index build reads back from the key column."""
    seen = []
    chunks = pk_index.KeySource.chunks

    def counting(self):
        for start, h1, h2 in chunks(self):
            seen.append(len(h1))
            yield start, h1, h2

    monkeypatch.setattr(pk_index.KeySource, "chunks", counting)
    return seen


def make_keys(key_type: str, n: int, seed: int = 1) -> list:
    rng = np.random.default_rng(seed)
    if key_type == "STRING":
        return [f"user-{v:x}" for v in rng.permutation(n * 7)[:n]]
    if key_type == "UUID":
        return [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(n)]
    return [int(v) for v in rng.choice(2**62, n, replace=False) - 2**61]


def check_index(db, keys: list, table: str = "K") -> None:
    t = db.table(table)
    oracle = {k: i for i, k in enumerate(keys)}
    assert [t.lookup(k) for k in keys] == [oracle[k] for k in keys]
    absent = "nope" if isinstance(keys[0], str) and not _is_uuid(keys[0]) else None
    if absent:
        assert t.lookup(absent) is None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("key_type", ["STRING", "UUID", "INT64"])
def test_spilled_during_the_parse_never_reads_the_keys_back(tmp_path, key_type,
                                                            tiny_index_budget, read_backs):
    keys = make_keys(key_type, 3000)
    path = write(tmp_path / "k.csv", "k,v\n" + "".join(f"{k},{i}\n" for i, k in enumerate(keys)))
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("K", [("k", key_type), ("v", "INT64")], "k")
        db.import_nodes("K", path, ruzu.CsvImportConfig(batch_size=97))
        check_index(db, keys)
    assert read_backs == []  # the index came from the spill alone
    with ruzu.Database(tmp_path / "db") as db:  # and it is what was committed
        check_index(db, keys)


def test_integer_keys_sorted_at_first_spill_the_stored_prefix(tmp_path, tiny_index_budget,
                                                              read_backs):
    keys = list(range(1000)) + make_keys("INT64", 2000)
    keys = list(dict.fromkeys(keys))
    path = write(tmp_path / "k.csv", "k,v\n" + "".join(f"{k},{i}\n" for i, k in enumerate(keys)))
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("K", [("k", "INT64"), ("v", "INT64")], "k")
        db.import_nodes("K", path, ruzu.CsvImportConfig(batch_size=100))
        check_index(db, keys)
    assert sum(read_backs) == 1000  # only the rows stored before the keys stopped rising


@pytest.mark.parametrize("key_type", ["STRING", "INT64"])
def test_appending_spills_the_stored_rows_then_the_new_ones(tmp_path, key_type,
                                                           tiny_index_budget, read_backs):
    keys = make_keys(key_type, 3000)
    first = write(tmp_path / "a.csv", "k,v\n" + "".join(f"{k},1\n" for k in keys[:1200]))
    second = write(tmp_path / "b.csv", "k,v\n" + "".join(f"{k},2\n" for k in keys[1200:]))
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("K", [("k", key_type), ("v", "INT64")], "k")
        db.import_nodes("K", first, ruzu.CsvImportConfig(batch_size=100))
        read_backs.clear()
        db.import_nodes("K", second, ruzu.CsvImportConfig(batch_size=100))
        assert sum(read_backs) == 1200
        check_index(db, keys)
        new = "fresh" if key_type == "STRING" else 2**62 + 5
        again = write(tmp_path / "c.csv", f"k,v\n{new},3\n{keys[7]},3\n")
        with pytest.raises(DuplicateKeyError, match="row 7 already in the table"):
            db.import_nodes("K", again)
        check_index(db, keys)


def test_a_row_estimate_too_low_falls_back_to_the_key_column(tmp_path, tiny_index_budget,
                                                             read_backs):
    # long rows first: the estimate from the first batch's bytes is far too low
    keys = make_keys("STRING", 4000)
    rows = [f"{k},{'x' * 400 if i < 100 else ''}\n" for i, k in enumerate(keys)]
    path = write(tmp_path / "k.csv", "k,pad\n" + "".join(rows))
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("K", [("k", "STRING"), ("pad", "STRING")], "k")
        db.import_nodes("K", path, ruzu.CsvImportConfig(batch_size=100))
        check_index(db, keys)
    assert sum(read_backs) == 4000  # the spill was too coarse: rebuilt from the column
    assert not any(n.startswith("staging") for n in os.listdir(tmp_path / "db"))


def test_dropped_duplicates_rebuild_the_index(tmp_path, tiny_index_budget):
    keys = make_keys("STRING", 2000)
    dups = keys[10:20]
    path = write(tmp_path / "k.csv", "k,v\n" + "".join(f"{k},{i}\n" for i, k in
                                                       enumerate(keys + dups)))
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("K", [("k", "STRING"), ("v", "INT64")], "k")
        r = db.import_nodes("K", path, ruzu.CsvImportConfig(batch_size=100,
                                                            on_duplicate="keep_first"))
        assert (r.rows_imported, r.rows_skipped) == (2000, 10)
        check_index(db, keys)


def test_a_failed_import_leaves_no_spill_and_the_table_unchanged(tmp_path, tiny_index_budget):
    keys = make_keys("STRING", 3000)
    ok = write(tmp_path / "a.csv", "k,v\n" + "".join(f"{k},1\n" for k in keys[:500]))
    bad = write(tmp_path / "b.csv", "k,v\n" + "".join(f"{k},1\n" for k in keys[500:2500])
                + "late,notanumber\n")
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("K", [("k", "STRING"), ("v", "INT64")], "k")
        db.import_nodes("K", ok, ruzu.CsvImportConfig(batch_size=100))
        with pytest.raises(CsvError, match=r"b\.csv:2002:2"):
            db.import_nodes("K", bad, ruzu.CsvImportConfig(batch_size=100))
        assert not any(n.startswith("staging") for n in os.listdir(tmp_path / "db"))
        assert len(db.table("K")) == 500
        check_index(db, keys[:500])
        assert db.table("K").lookup(keys[600]) is None


def test_partial_import_keeps_the_batches_before_the_error(tmp_path, tiny_index_budget):
    keys = make_keys("STRING", 3000)
    path = write(tmp_path / "k.csv", "k,v\n" + "".join(f"{k},1\n" for k in keys[:1050])
                 + "late,notanumber\n")
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("K", [("k", "STRING"), ("v", "INT64")], "k")
        with pytest.raises(ruzu.errors.ImportInterrupted) as stop:
            db.import_nodes("K", path, ruzu.CsvImportConfig(batch_size=100, partial=True))
        kept = stop.value.result.rows_imported
        assert kept == 1000  # the ten complete batches
        check_index(db, keys[:kept])
        assert db.table("K").lookup(keys[1049]) is None


def test_key_spill_groups_rows_by_partition_in_row_order(tmp_path):
    """Unit: every partition file holds exactly its keys' (h1, h2, offset) rows, offsets rising
    (oracle: numpy masks over the same hashes)."""
    rng = np.random.default_rng(5)
    h1 = rng.integers(0, 2**64 - 1, 5000, dtype=np.uint64, endpoint=True)
    h2 = rng.integers(0, 2**64 - 1, 5000, dtype=np.uint64, endpoint=True)
    for bits in (0, 3):
        spill = key_spill.KeySpill(str(tmp_path), bits, pairs=True, prefix=f"t{bits}")
        for a in range(0, 5000, 700):
            spill.add(h1[a : a + 700], h2[a : a + 700], a)
        parts = [key_spill.load_partition(p, spill.width) for p in spill.finish()]
        assert len(parts) == 1 << bits
        part_of = (h1 >> np.uint64(64 - bits)) if bits else np.zeros(5000, np.uint64)
        for p, (g1, g2, offs) in enumerate(parts):
            want = np.flatnonzero(part_of == p)
            assert offs.tolist() == want.tolist()
            assert (g1 == h1[want]).all() and (g2 == h2[want]).all()
        assert os.listdir(tmp_path) == []
    spill = key_spill.KeySpill(str(tmp_path), 2, pairs=False)
    with pytest.raises(ValueError, match="added after"):
        spill.add(h1[:10], None, 5)
    spill.discard()
    assert os.listdir(tmp_path) == []


def test_key_spill_counts_the_bytes_its_thread_has_not_taken_yet(tmp_path):
    """Progress reports subtract these bytes like the write-behind queue's: a bounded queue
    that fills while the spill's core is busy is not growth (the steady-state RSS contract)."""
    gate = threading.Event()

    def slow_hash(keys):
        gate.wait(10)
        return pk_index.hash_int_keys(keys), None

    spill = key_spill.KeySpill(str(tmp_path), bits=2, pairs=False)
    a, b = np.arange(1000, dtype=np.int64), np.arange(1000, 3000, dtype=np.int64)
    spill.add_keys(a, len(a), slow_hash, 0)
    spill.add_keys(b, len(b), slow_hash, 1000)
    assert spill.queued_bytes == a.nbytes + b.nbytes
    gate.set()
    paths = spill.finish()
    assert spill.queued_bytes == 0
    rows = sum(os.path.getsize(p) for p in paths) // 16
    assert rows == 3000
