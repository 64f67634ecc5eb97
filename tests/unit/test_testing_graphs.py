"""The testing kit's graph generator (ruzu/testing/graphs.py) writes exactly the bytes the demo,
the query benchmark and the differential tests had before it was shared: benchmark figures
taken before and after stay comparable. The digests were taken from the generators' former
homes (ruzu/demo.py, benches/query_benchmark.py, tests/query/graphgen.py) on the same inputs."""

from __future__ import annotations

import hashlib
import os

from ruzu import demo
from ruzu.testing import graphs

PINNED = {
    "demo/persons.csv": "feb587c1e73caeb8",
    "demo/follows.csv": "8228118350663c32",
    "demo/schema.cypher": "20917c419e3b0fcd",
    "bench/person.csv": "e4afd7c498314aae",
    "bench/city.csv": "63341dafbc6ebe64",
    "bench/interest.csv": "e327062b7d987f3b",
    "bench/follows.csv": "85f7fc06506270ee",
    "bench/livesin.csv": "e591ee53e5d4c330",
    "bench/hasinterest.csv": "52fd2c47f68999d5",
    "property/person.csv": "1a9bef57bcf9ef45",
    "property/follows.csv": "5930770fdd8e3694",
    "property/worksat.csv": "18dd02ca7486b2ac",
    "property/likes_company.csv": "ce9b3508f75cdd02",
}


def _digest(path) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def test_generated_files_are_byte_identical_to_the_pinned_ones(tmp_path):
    demo.generate(tmp_path / "demo", 5000, seed=3)
    statements = graphs.write_benchmark_graph(str(tmp_path / "bench"), 3000, 20000)
    assert statements[0].startswith("CREATE NODE TABLE Person(")
    statements = graphs.write_property_graph(str(tmp_path / "property"), 5)
    assert statements[-1].startswith("COPY Likes FROM")
    got = {name: _digest(os.path.join(tmp_path, name)) for name in PINNED}
    assert got == PINNED

