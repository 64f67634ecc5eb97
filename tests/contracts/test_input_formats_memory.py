"""Peak RSS (VmHWM) of a fresh process importing 1 GB of nodes (datagen ``ordered``) as
gzip, zstd and bzip2 CSV and as Parquet: within the 500 MB contract like the plain CSV.
Slow (generates and compresses 1 GB): not run in CI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

LIMIT = 500_000_000
CHILD = r"""
import json, sys, ruzu
from ruzu.testing import datagen
path, db = sys.argv[1], sys.argv[2]
d = ruzu.Database(db)
d.create_node_table("Person", datagen.node_columns("ordered"), "id")
rows = d.execute(f"COPY Person FROM '{path}'").get_all()
hwm = [int(x.split()[1]) * 1024 for x in open("/proc/self/status") if x.startswith("VmHWM")]
print(json.dumps({"rows": rows, "peak_rss": hwm[0]}))
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    import bz2
    import gzip
    import shutil

    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq
    import zstandard

    from ruzu.testing import datagen

    d = tmp_path_factory.mktemp("formats")
    csv = d / "nodes.csv"
    datagen.write_nodes(csv, "1GB", "ordered")
    with open(csv, "rb") as src, gzip.open(d / "nodes.csv.gz", "wb", compresslevel=1) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    with open(csv, "rb") as src, open(d / "nodes.csv.zst", "wb") as dst:
        zstandard.ZstdCompressor(level=3).copy_stream(src, dst)
    with open(csv, "rb") as src, bz2.open(d / "nodes.csv.bz2", "wb", compresslevel=1) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    reader = pcsv.open_csv(csv)
    with pq.ParquetWriter(d / "nodes.parquet", reader.schema) as w:
        for batch in reader:
            w.write_batch(batch)
    return d


@pytest.mark.slow
@pytest.mark.parametrize("name", ["nodes.csv", "nodes.csv.gz", "nodes.csv.zst",
                                  "nodes.csv.bz2", "nodes.parquet"])
def test_one_gb_import_within_contract(inputs, name, tmp_path):
    done = subprocess.run([sys.executable, "-c", CHILD, str(inputs / name), str(tmp_path / "db")],
                          capture_output=True, text=True, check=True)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["peak_rss"] < LIMIT, measured
    assert measured["rows"][0][0].endswith("tuples have been copied to the Person table.")
