"""Data files are checked before their bytes are trusted (issue 15, finding 1).

Byte-flip fuzz over every data file of a small database (every file kind: fixed-width column,
string offsets and bytes, validity, hash index, sorted key, CSR indptr / neighbours / edge ids):
each damaged copy, opened read-only and writable, must give CorruptDatabaseError from a read or
a query — never a segfault, another exception, or an answer (any answer from damaged bytes is a
wrong answer: every single-byte change alters the CRC-32C). Also: a manifest whose table state
disagrees with its files (with valid checksums) and an older manifest put back are refused.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import zlib

import pytest

import ruzu
from ruzu.errors import CorruptDatabaseError
from ruzu.storage.checksum import updater
from ruzu.storage.manifest import read_manifest
from tests.reliability.relhelpers import content, copy_db, manifest_files, snapshot

QUERIES = [
    "MATCH (a:Person)-[f:Follows]->(b:Person) RETURN a.name, b.id, f.since ORDER BY a.name",
    "MATCH (c:City) RETURN c.name, c.pop ORDER BY c.name",
    "MATCH (a:Person)-[:LivesIn]->(c:City) RETURN a.id, c.name ORDER BY a.id",
    "MATCH (a:Person) WHERE a.id = 2 RETURN a.name",
    "MATCH (c:City {name: 'Köln'}) RETURN c.pop",
    "MATCH (a:Person)<-[:Follows]-(b:Person) RETURN count(*), sum(b.age)",
]


def write(path, text: str) -> str:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return str(path)


@pytest.fixture(scope="module")
def original(fast_tmp_factory):
    """(path, content, query answers) of a database with every kind of data file."""
    root = fast_tmp_factory("checksums")
    path = os.path.join(root, "db")
    with ruzu.Database(path) as db:
        db.create_node_table("Person", [("id", "INT64"), ("name", "STRING"), ("age", "INT64")],
                             "id")
        db.create_node_table("City", [("name", "STRING"), ("pop", "INT32")], "name")
        db.create_rel_table("Follows", [("Person", "Person")], [("since", "INT64")])
        db.create_rel_table("LivesIn", [("Person", "City")])
        db.import_nodes("Person", write(os.path.join(root, "p.csv"),
                                        "id,name,age\n1,Ann,30\n2,\"Bo, B\",\n3,Cy,25\n4,Di,41\n"))
        db.import_nodes("City", write(os.path.join(root, "c.csv"),
                                      "name,pop\nKöln,1000\nBonn,\nAachen,250\n"))
        db.import_relationships("Follows", write(os.path.join(root, "f.csv"),
                                                 "from,to,since\n1,2,2001\n2,3,\n3,1,2003\n"
                                                 "4,1,2004\n1,4,2005\n"))
        db.import_relationships("LivesIn", write(os.path.join(root, "l.csv"),
                                                 "from,to\n1,Köln\n2,Bonn\n3,Köln\n4,Aachen\n"))
        answers = [db.execute(q).get_all() for q in QUERIES]
        state = content(db)
    return path, state, answers


def damaged_copy(path: str, victim: str, file_of) -> str:
    """A copy of the database at ``path`` with the first byte of one data file flipped:
    ``file_of(tables)`` names it from the manifest's table states."""
    copy_db(path, victim)
    with open(os.path.join(victim, "manifest.json"), "rb") as f:
        tables = json.loads(json.loads(f.read())["body"])["tables"]
    with open(os.path.join(victim, f"{file_of(tables):06d}.dat"), "r+b") as f:
        byte = f.read(1)
        f.seek(0)
        f.write(bytes([byte[0] ^ 4]))
    return victim


def outcome(path, read_only: bool):
    """'corrupt', or (content, answers) when everything read fine, or the other exception."""
    try:
        with ruzu.Database(path, read_only=read_only) as db:
            return content(db), [db.execute(q).get_all() for q in QUERIES]
    except CorruptDatabaseError:
        return "corrupt"
    except Exception as e:  # noqa: BLE001 - any other exception is a finding
        return e


def test_intact_database_reads_back(original, fast_tmp):
    path, state, answers = original
    victim = str(fast_tmp / "v")
    copy_db(path, victim)
    assert outcome(victim, True) == (state, answers)
    assert outcome(victim, False) == (state, answers)


def flip_positions(size: int, rng: random.Random) -> list[int]:
    """Every byte of a small file; the ends and a sample of the rest of a larger one."""
    if size <= 48:
        return list(range(size))
    return sorted({0, 1, size - 1, size - 8, *rng.sample(range(size), 40)})


def test_every_data_file_kind_byte_flip_is_detected(original, fast_tmp):
    path, state, answers = original
    victim = str(fast_tmp / "v")
    copy_db(path, victim)
    before = snapshot(victim)
    rng = random.Random(15)
    tried = detected = 0
    problems = []
    names = sorted(manifest_files(victim))
    assert len(names) >= 20
    for name in names:
        full = os.path.join(victim, name)
        with open(full, "rb") as f:
            data = bytearray(f.read())
        for pos in flip_positions(len(data), rng):
            for new in {data[pos] ^ (1 << rng.randrange(8)), data[pos] ^ 0xFF, 0}:
                if new == data[pos]:
                    continue
                old = data[pos]
                data[pos] = new
                with open(full, "wb") as f:
                    f.write(data)
                for read_only in (True, False) if pos % 3 == 0 else (True,):
                    tried += 1
                    got = outcome(victim, read_only)
                    if got == "corrupt":
                        detected += 1
                    else:
                        kind = "wrong answer" if isinstance(got, tuple) else repr(got)
                        problems.append((name, pos, new, read_only, kind))
                data[pos] = old
        with open(full, "wb") as f:
            f.write(data)
    print(f"\nbyte flips tried {tried}, detected {detected}")
    assert not problems, f"{len(problems)} of {tried} flips not detected: {problems[:5]}"
    assert snapshot(victim) == before  # detection never modified anything
    assert outcome(victim, True) == (state, answers)


def crafted(path: str, change) -> None:
    """Rewrite the manifest with ``change(body)`` applied and a matching checksum."""
    mpath = os.path.join(path, "manifest.json")
    with open(mpath, "rb") as f:
        doc = json.loads(f.read())
    body = json.loads(doc["body"])
    change(body)
    text = json.dumps(body)
    doc["body"] = text
    doc["checksum"] = zlib.crc32(text.encode())
    with open(mpath, "w") as f:
        json.dump(doc, f)


def _node_state(body, table):
    return body["tables"][table]


def _rewrite_data(path: str, file_id: int, transform) -> None:
    """Change a data file and record its new size and CRC in the manifest (so only the
    structural checks can notice)."""
    full = os.path.join(path, f"{file_id:06d}.dat")
    with open(full, "rb") as f:
        data = transform(f.read())
    with open(full, "wb") as f:
        f.write(data)
    crc = updater(read_manifest(path).file_checksum)(data, 0)
    crafted(path, lambda b: b["files"].__setitem__(str(file_id), [len(data), crc]))


def _person_name_offsets(path: str) -> int:
    with open(os.path.join(path, "manifest.json"), "rb") as f:
        body = json.loads(json.loads(f.read())["body"])
    return body["tables"]["Person"]["columns"]["name"]["offsets"]


def _follows_csr(path: str) -> dict:
    with open(os.path.join(path, "manifest.json"), "rb") as f:
        body = json.loads(json.loads(f.read())["body"])
    return body["tables"]["Follows"]["pairs"]["Person|Person"]["fwd"]


def _city_index(path: str) -> dict:
    with open(os.path.join(path, "manifest.json"), "rb") as f:
        body = json.loads(json.loads(f.read())["body"])
    return body["tables"]["City"]["index"]


CASES = {
    "hash index offset out of range": lambda p: _rewrite_data(
        p, _city_index(p)["offsets"], lambda d: (3).to_bytes(8, "little") + d[8:]),
    "hash index directory past the end": lambda p: _rewrite_data(
        p, _city_index(p)["dir"], lambda d: d[:-8] + (4).to_bytes(8, "little")),
    "sorted index bounds wrong": lambda p: crafted(
        p, lambda b: _node_state(b, "Person")["index"].__setitem__("first", 0)),
    "num_rows larger": lambda p: crafted(
        p, lambda b: _node_state(b, "Person").__setitem__("num_rows", 5)),
    "num_rows smaller": lambda p: crafted(
        p, lambda b: _node_state(b, "Person").__setitem__("num_rows", 3)),
    "num_rels smaller": lambda p: crafted(
        p, lambda b: b["tables"]["Follows"]["pairs"]["Person|Person"].__setitem__("num_rels", 4)),
    "column names another file": lambda p: crafted(
        p, lambda b: _node_state(b, "Person")["columns"]["age"].__setitem__(
            "data", _node_state(b, "Person")["columns"]["name"]["data"])),
    "file id not in manifest": lambda p: crafted(
        p, lambda b: _node_state(b, "Person")["columns"]["age"].__setitem__("data", 9999)),
    "string offsets decrease": lambda p: _rewrite_data(
        p, _person_name_offsets(p),
        lambda d: d[:8] + (10**6).to_bytes(8, "little") + d[16:]),
    "string offsets past the bytes": lambda p: _rewrite_data(
        p, _person_name_offsets(p), lambda d: d[:-8] + (10**9).to_bytes(8, "little")),
    "csr indptr decreases": lambda p: _rewrite_data(
        p, _follows_csr(p)["indptr"], lambda d: d[:8] + (7).to_bytes(8, "little") + d[16:]),
    "csr neighbour out of range": lambda p: _rewrite_data(
        p, _follows_csr(p)["nbr"], lambda d: (2**31 - 5).to_bytes(4, "little") + d[4:]),
    "csr edge id out of range": lambda p: _rewrite_data(
        p, _follows_csr(p)["eid"], lambda d: (99).to_bytes(4, "little") + d[4:]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_manifest_disagreeing_with_files_is_refused(original, fast_tmp, case):
    """Valid checksums everywhere, but the table state and the files disagree."""
    victim = str(fast_tmp / "v")
    copy_db(original[0], victim)
    CASES[case](victim)
    assert outcome(victim, True) == "corrupt"
    assert outcome(victim, False) == "corrupt"


def test_older_manifest_put_back_is_refused(original, fast_tmp):
    victim = str(fast_tmp / "v")
    copy_db(original[0], victim)
    mpath = os.path.join(victim, "manifest.json")
    old = str(fast_tmp / "manifest.old")
    shutil.copyfile(mpath, old)
    with ruzu.Database(victim) as db:
        db.import_nodes("Person", write(fast_tmp / "more.csv", "id,name,age\n9,Zed,9\n"))
        newer = content(db)
    current = str(fast_tmp / "manifest.current")
    shutil.copyfile(mpath, current)
    shutil.copyfile(old, mpath)
    before = snapshot(victim)
    for read_only in (True, False):
        with pytest.raises(CorruptDatabaseError, match="older than the last commit"):
            ruzu.Database(victim, read_only=read_only)
    assert snapshot(victim) == before  # nothing cut or removed by the writable attempt
    shutil.copyfile(current, mpath)  # the current manifest back: all is well again
    with ruzu.Database(victim, read_only=True) as db:
        assert content(db) == newer


def test_manifest_of_another_database_is_refused(original, fast_tmp):
    victim = str(fast_tmp / "v")
    copy_db(original[0], victim)
    with ruzu.Database(victim) as db:  # a commit here records the database id
        db.create_node_table("Extra", [("id", "INT64")], "id")
    other = str(fast_tmp / "other")
    with ruzu.Database(other) as db:
        db.create_node_table("Person", [("id", "INT64")], "id")
    shutil.copyfile(os.path.join(other, "manifest.json"), os.path.join(victim, "manifest.json"))
    for read_only in (True, False):
        with pytest.raises(CorruptDatabaseError, match="another database"):
            ruzu.Database(victim, read_only=read_only)


def test_directory_emptied_and_reused_is_a_fresh_database(fast_tmp):
    """The generation record in .lock never refuses a new database made in the same place."""
    path = str(fast_tmp / "db")
    with ruzu.Database(path) as db:
        db.create_node_table("T", [("id", "INT64")], "id")
    for name in os.listdir(path):
        if name != ".lock":
            os.remove(os.path.join(path, name))
    with ruzu.Database(path) as db:
        assert not db.catalog.node_tables
        db.create_node_table("U", [("id", "INT64")], "id")
    with ruzu.Database(path, read_only=True) as db:
        assert list(db.catalog.node_tables) == ["U"]


def test_import_onto_a_damaged_table_is_refused(original, fast_tmp):
    """An import reads the table's keys and index back: damaged bytes there are reported
    before a new generation is built on them, and the database stays as it was."""
    victim = damaged_copy(original[0], str(fast_tmp / "v"), lambda t: t["City"]["index"]["h1"])
    before = snapshot(victim)
    with ruzu.Database(victim) as db:
        with pytest.raises(CorruptDatabaseError, match="checksum mismatch"):
            db.import_nodes("City", write(fast_tmp / "c2.csv", "name,pop\nParis,7\n"))
        with pytest.raises(CorruptDatabaseError, match="checksum mismatch"):
            db.import_relationships("LivesIn", write(fast_tmp / "l2.csv", "from,to\n4,Bonn\n"))
    assert snapshot(victim) == before


def test_relationship_import_checks_only_the_endpoint_keys_it_reads(original, fast_tmp):
    """A relationship import reads its endpoint tables' key lookups (City's hash index), not
    their other columns: damage in City.pop does not stop it, and is still reported when the
    column itself is read."""
    victim = damaged_copy(original[0], str(fast_tmp / "v"),
                          lambda t: t["City"]["columns"]["pop"]["data"])
    with ruzu.Database(victim) as db:
        db.import_relationships("LivesIn", write(fast_tmp / "l2.csv", "from,to\n4,Bonn\n"))
        assert db.execute("MATCH (:Person)-[r:LivesIn]->(c:City) RETURN count(*)").get_all() \
            == [[5]]
        with pytest.raises(CorruptDatabaseError, match="checksum mismatch"):
            db.execute("MATCH (c:City) RETURN sum(c.pop)").get_all()


@pytest.mark.parametrize("damaged", ["h1", "offsets", "dir"])
def test_damage_in_a_spilled_endpoint_index_stops_the_import(original, fast_tmp, monkeypatch,
                                                             damaged):
    """With a resolve budget too small to load City's index, the endpoint keys are spilled
    and resolved partition by partition against slices of the index (the directory says where
    they are): damage in any of its files is reported, and the database stays as it was.
    Intact, the same import resolves every key."""
    budgets = ruzu.csv.config.Budgets(parse=1 << 20, index=1 << 20, resolve=16, csr=4096)
    monkeypatch.setattr(ruzu.CsvImportConfig, "budgets", property(lambda self: budgets))
    from ruzu.storage import resolve
    spilled = []
    spill = resolve.EndpointResolver.spill
    monkeypatch.setattr(resolve.EndpointResolver, "spill",
                        lambda self, *a: (spilled.append(self.name_of_table), spill(self, *a)))
    intact = str(fast_tmp / "intact")
    copy_db(original[0], intact)
    with ruzu.Database(intact) as db:
        db.import_relationships("LivesIn", write(fast_tmp / "l2.csv", "from,to\n4,Bonn\n"))
        assert db.execute("MATCH (:Person {id: 4})-[:LivesIn]->(c:City) RETURN c.name "
                          "ORDER BY c.name").get_all() == [["Aachen"], ["Bonn"]]
    assert "City" in spilled
    victim = damaged_copy(original[0], str(fast_tmp / "v"),
                          lambda t: t["City"]["index"][damaged])
    before = snapshot(victim)
    with ruzu.Database(victim) as db:
        with pytest.raises(CorruptDatabaseError, match="checksum mismatch"):
            db.import_relationships("LivesIn", write(fast_tmp / "l2.csv", "from,to\n4,Bonn\n"))
    assert snapshot(victim) == before
