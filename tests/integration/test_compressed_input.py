"""gzip, zstd and bzip2 input, told by magic bytes: the same tables as from the plain CSV (the
oracle), errors that name the compressed file and the line, damaged streams refused cleanly."""

from __future__ import annotations

import bz2
import gzip
import os
import threading

import pytest
import zstandard

import ruzu

COMPRESSORS = {
    "gzip": gzip.compress,
    "zstd": lambda b: zstandard.ZstdCompressor().compress(b),
    "zstd_stream": lambda b: zstandard.ZstdCompressor().compressobj().compress(b)
    + zstandard.ZstdCompressor().compressobj().flush(),  # replaced below: no content size
    "bz2": bz2.compress,
}


def _zstd_without_size(data: bytes) -> bytes:
    cobj = zstandard.ZstdCompressor(write_content_size=False).compressobj()
    return cobj.compress(data) + cobj.flush()


COMPRESSORS["zstd_stream"] = _zstd_without_size

NODES = "id,name,score\n" + "".join(
    f"{i},\"name {i}, the {i % 7}th\",{i * 0.5 if i % 5 else ''}\n" for i in range(30_000)
)
RELS = "from,to,w\n" + "".join(
    f"{i % 30_000},{(i * 7919) % 30_000},{i % 13}\n" for i in range(60_000)
)


def _load(tmp_path, name: str, node_file, rel_file):
    with ruzu.Database(tmp_path / name) as db:
        db.execute("CREATE NODE TABLE P(id INT64, name STRING, score DOUBLE, PRIMARY KEY(id))")
        db.execute("CREATE REL TABLE R(FROM P TO P, w INT64)")
        db.execute(f"COPY P FROM '{node_file}'")
        db.execute(f"COPY R FROM '{rel_file}'")
        return (
            db.execute("MATCH (p:P) RETURN p.id, p.name, p.score ORDER BY p.id").get_all(),
            db.execute("MATCH (a:P)-[r:R]->(b:P) RETURN a.id, b.id, r.w "
                       "ORDER BY a.id, b.id, r.w").get_all(),
        )


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    d = tmp_path_factory.mktemp("plain")
    (d / "p.csv").write_text(NODES)
    (d / "r.csv").write_text(RELS)
    return _load(d, "db", d / "p.csv", d / "r.csv")


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_compressed_loads_like_plain(tmp_path, plain, kind):
    compress = COMPRESSORS[kind]
    # names say nothing: the magic bytes decide
    (tmp_path / "p.csv").write_bytes(compress(NODES.encode()))
    (tmp_path / "r.data").write_bytes(compress(RELS.encode()))
    got = _load(tmp_path, "db", tmp_path / "p.csv", tmp_path / "r.data")
    assert got == plain
    assert len(got[0]) == 30_000 and len(got[1]) == 60_000


@pytest.mark.parametrize("kind", ["gzip", "zstd_stream", "bz2"])
def test_errors_name_the_compressed_file_and_line(tmp_path, kind):
    path = tmp_path / "p.csv.z"
    path.write_bytes(COMPRESSORS[kind](b"id,name\n1,a\n2,b\n2,c\n"))
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id))")
        with pytest.raises(ruzu.CsvError) as info:
            db.execute(f"COPY P FROM '{path}'")
        assert info.value.line == 4 and "Record: '2,c'" in str(info.value)
        path.write_bytes(COMPRESSORS[kind](b"id,name\n1,a\nx,b\n"))
        with pytest.raises(ruzu.CsvError, match=r"p\.csv\.z:3:1 \(id\): invalid integer"):
            db.execute(f"COPY P FROM '{path}'")
        assert db.execute("MATCH (p:P) RETURN count(*)").get_all() == [[0]]


def test_damaged_gzip_is_a_clear_error(tmp_path):
    data = gzip.compress(("id\n" + "".join(f"{i}\n" for i in range(200_000))).encode())
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with ruzu.Database(tmp_path / "db") as db:
        db.execute("CREATE NODE TABLE P(id INT64, PRIMARY KEY(id))")
        with pytest.raises(ruzu.CsvError, match="cut.gz: cannot decompress"):
            db.execute(f"COPY P FROM '{tmp_path / 'cut.gz'}'")
        assert db.execute("MATCH (p:P) RETURN count(*)").get_all() == [[0]]


def test_python_api_and_globs_of_compressed_parts(tmp_path, plain):
    lines = NODES.splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    for i in range(3):
        part = header + "".join(body[i::3])
        (tmp_path / f"part-{i}.csv.gz").write_bytes(gzip.compress(part.encode()))
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("P", [("id", "INT64"), ("name", "STRING"), ("score", "DOUBLE")],
                             "id")
        result = db.import_nodes("P", str(tmp_path / "part-*.csv.gz"))
        assert result.rows_imported == 30_000
        rows = db.execute("MATCH (p:P) RETURN p.id, p.name, p.score ORDER BY p.id").get_all()
    assert rows == plain[0]


def _fifo_of(path, data: bytes) -> threading.Thread:
    """``path`` made a FIFO that a thread fills with ``data`` once a reader opens it."""
    os.mkfifo(path)

    def feed():
        with open(path, "wb") as f:
            f.write(data)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("kind", ["gzip", "zstd_stream", "bz2"])
def test_compressed_pipes_load_like_plain(tmp_path, plain, kind):
    """A FIFO has no first bytes to peek at before the import reads it: they are read
    through its spool, which replays them to the decompressor."""
    compress = COMPRESSORS[kind]
    nodes, rels = tmp_path / "p.fifo", tmp_path / "r.fifo"
    feeders = [_fifo_of(nodes, compress(NODES.encode())), _fifo_of(rels, compress(RELS.encode()))]
    got = _load(tmp_path, "db", nodes, rels)
    for t in feeders:
        t.join(60)
    assert got == plain


def test_bad_row_of_a_compressed_pipe_shows_its_record(tmp_path):
    path = tmp_path / "l.fifo"
    _fifo_of(path, gzip.compress(b'id,xs\n1,"[1,2]"\n2,"[1,x]"\n3,[]\n4,"[y]"\n'))
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("L", [("id", "INT64"), ("xs", "INT64[]")], "id")
        result = db.import_nodes("L", str(path), config=ruzu.CsvImportConfig(ignore_errors=True))
        assert result.rows_imported == 2
        assert [(r.line, r.record) for r in result.rejects] == [(3, '2,"[1,x]"'), (5, '4,"[y]"')]
