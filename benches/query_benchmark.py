"""Query benchmark: ruzu and Kùzu side by side on a social-network-shaped graph.

    python benches/query_benchmark.py [--persons 100000] [--follows 2400000] [--repeat 5]

Data (``ruzu.testing.graphs.write_benchmark_graph``, generated once into
bench-data/query-<scale>/, outside every timed region):
  Person(id, name, age, joined DATE) ~100 K; City(id, name, country) 1 K;
  Interest(id, name) 50; Follows(Person→Person, since) 2.4 M with a skewed (Zipf-like)
  in-degree; LivesIn(Person→City); HasInterest(Person→Interest) ~3 per person.
Both engines load the same CSVs with the same COPY statements; ruzu is then opened read-only.
Each query runs once untimed (JIT compilation, caches), then ``--repeat`` times; the median
is reported with the ratio ruzu / Kùzu (below 1: ruzu is faster). Answers are compared too.
"""

from __future__ import annotations

import argparse
import decimal
import os
import resource
import shutil
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import ruzu  # noqa: E402
from ruzu.testing.graphs import write_benchmark_graph  # noqa: E402

QUERIES: dict[str, str] = {
    "top_followed": "MATCH (a:Person)<-[:Follows]-(:Person) "
    "RETURN a.id, a.name, count(*) AS followers "
    "ORDER BY followers DESC, a.id LIMIT 10",
    "paths_of_length_two": "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(c:Person) "
    "RETURN count(*)",
    "friends_of_friends": "MATCH (a:Person {id: 42})-[:Follows]->(b:Person)-[:Follows]->"
    "(c:Person) RETURN count(DISTINCT c)",
    "avg_age_by_city": "MATCH (p:Person)-[:LivesIn]->(c:City) "
    "RETURN c.name, avg(p.age) AS avg_age, count(*) AS n "
    "ORDER BY n DESC, c.name LIMIT 10",
    "avg_age_by_country": "MATCH (p:Person)-[:LivesIn]->(c:City) "
    "RETURN c.country, avg(p.age), min(p.joined), count(*) "
    "ORDER BY c.country",
    "age_range_count": "MATCH (p:Person) WHERE p.age >= 30 AND p.age < 40 RETURN count(*)",
    "interest_and_age": "MATCH (p:Person)-[:HasInterest]->(i:Interest) "
    "WHERE i.name = 'music' AND p.age > 50 RETURN count(*)",
    "followers_by_city": "MATCH (a:Person)-[:Follows]->(b:Person)-[:LivesIn]->(c:City) "
    "RETURN c.name, count(*) AS n ORDER BY n DESC, c.name LIMIT 5",
    "mutual_follows": "MATCH (a:Person)-[:Follows]->(b:Person)-[:Follows]->(a) RETURN count(*)",
    "followee_interests": "MATCH (p:Person {id: 7})-[:Follows]->(f:Person)-[:HasInterest]->"
    "(i:Interest) RETURN i.name, count(*) AS c ORDER BY c DESC, i.name "
    "LIMIT 5",
    "reach_three_hops": "MATCH (a:Person {id: 1})-[:Follows*1..3]->(b:Person) "
    "RETURN count(DISTINCT b)",
    "name_prefix": "MATCH (p:Person) WHERE p.name STARTS WITH 'Ann' RETURN count(*)",
    "interest_profile": "MATCH (p:Person)-[:HasInterest]->(i:Interest) "
    "RETURN i.name, avg(p.age), count(*) ORDER BY i.name",
    "fof_age_by_age": "MATCH (a:Person)-[:Follows]->(:Person)-[:Follows]->(c:Person) "
    "RETURN a.age, avg(c.age) AS fof_age, count(*) AS paths ORDER BY a.age",
    "older_two_hops_away": "MATCH (a:Person)-[:Follows]->(:Person)-[:Follows]->(c:Person) "
    "WHERE c.age > a.age RETURN count(*)",
    "popular_then_city": "MATCH (a:Person)<-[:Follows]-(b:Person) WITH a, count(*) AS c "
    "WHERE c > 100 MATCH (a)-[:LivesIn]->(city:City) "
    "RETURN city.country, count(*) AS n ORDER BY n DESC, city.country "
    "LIMIT 5",
    # recursive joins with paths (query/recursive.py)
    "path_lengths_two_hops": "MATCH (a:Person {id: 7})-[e:Follows*1..2]->(b:Person) "
    "RETURN length(e) AS hops, count(*) ORDER BY hops",
    "filtered_var_length": "MATCH (a:Person {id: 1})-[:Follows*1..3 (r, n | WHERE "
    "r.since >= 2016)]->(b:Person) RETURN count(DISTINCT b)",
    "shortest_path_lengths": "MATCH (a:Person {id: 1})-[e:Follows* SHORTEST 1..8]->(b:Person) "
    "RETURN length(e) AS hops, count(*) ORDER BY hops",
    "shortest_path_pair": "MATCH (a:Person {id: 1})-[e:Follows* SHORTEST 1..8]->"
    "(b:Person {id: 42}) RETURN length(e)",
    "all_shortest_paths": "MATCH (a:Person {id: 1})-[e:Follows* ALL SHORTEST 1..8]->"
    "(b:Person {id: 42}) RETURN length(e), count(*)",
    "weighted_shortest": "MATCH (a:Person {id: 1})-[e:Follows* WSHORTEST(since)]->(b:Person) "
    "WHERE b.id < 1000 RETURN count(*), sum(cost(e))",
}

def load(statements: list[str], ruzu_path: str, kuzu_path: str) -> dict[str, float]:
    import kuzu

    seconds = {}
    if not os.path.exists(ruzu_path):
        t = time.perf_counter()
        with ruzu.Database(ruzu_path) as db:
            for s in statements:
                db.execute(s)
        seconds["ruzu load"] = time.perf_counter() - t
    if not os.path.exists(kuzu_path):
        t = time.perf_counter()
        conn = kuzu.Connection(kuzu.Database(kuzu_path))
        for s in statements:
            conn.execute(s)
        seconds["kuzu load"] = time.perf_counter() - t
    return seconds


def _normalise(rows):
    out = []
    for row in rows:
        out.append(
            tuple(
                int(v)
                if isinstance(v, decimal.Decimal)
                else round(v, 6)
                if isinstance(v, float)
                else v
                for v in row
            )
        )
    return out


def _time(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm-up: JIT compilation and caches, not timed
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    import kuzu

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--follows", type=int, default=2_400_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", default=os.path.join("bench-data", "query"))
    parser.add_argument("--rebuild", action="store_true", help="regenerate data and databases")
    parser.add_argument("--only", nargs="*", help="run only these queries")
    args = parser.parse_args(argv)

    base = f"{args.data}-{args.persons}-{args.follows}"
    if args.rebuild:
        shutil.rmtree(base, ignore_errors=True)
    statements = write_benchmark_graph(os.path.join(base, "csv"), args.persons, args.follows)
    ruzu_path = os.path.join(base, "ruzu")
    kuzu_path = os.path.join(base, "kuzu")
    for name, seconds in load(statements, ruzu_path, kuzu_path).items():
        print(f"{name}: {seconds:.1f} s")

    t = time.perf_counter()
    db = ruzu.Database(ruzu_path, read_only=True)
    kconn = kuzu.Connection(kuzu.Database(kuzu_path, read_only=True))
    print(f"open both: {time.perf_counter() - t:.2f} s")

    names = args.only or list(QUERIES)
    print(f"\n{'query':<22}{'ruzu ms':>10}{'kuzu ms':>10}{'ratio':>8}  same")
    ratios = []
    for name in names:
        query = QUERIES[name]
        t0 = time.perf_counter()
        db.execute(query).get_all()
        first = time.perf_counter() - t0
        ours_s, ours = _time(lambda q=query: db.execute(q).get_all(), args.repeat)
        theirs_s, theirs = _time(lambda q=query: kconn.execute(q).get_all(), args.repeat)
        ordered = "ORDER BY" in query
        a, b = _normalise(ours), _normalise(theirs)
        same = a == b if ordered else sorted(a, key=repr) == sorted(b, key=repr)
        ratio = ours_s / theirs_s
        ratios.append(ratio)
        print(
            f"{name:<22}{ours_s * 1e3:>10.1f}{theirs_s * 1e3:>10.1f}{ratio:>8.2f}  "
            f"{'yes' if same else 'NO'}   (first run {first * 1e3:.0f} ms)"
        )
    geo = float(np.exp(np.mean(np.log(ratios))))
    print(f"\ngeometric mean ratio ruzu/kuzu: {geo:.2f}; worst: {max(ratios):.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (both engines): {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
