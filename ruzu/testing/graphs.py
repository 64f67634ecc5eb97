"""The one graph generator of the testing kit, shared by the tests, the benchmarks and the demo.

Three shapes of the same social graph (``Person`` nodes that ``Follows`` each other), each a
pure function of its sizes and seed:

- :func:`write_persons` / :func:`write_follows`: the demo's ``Person(id, name, age)`` and
  ``Follows(from, to, since)`` files, any size in fixed-size chunks (a few tens of MB of memory
  whatever the row count); ``ruzu.demo`` and ``ruzu-import demo`` write them.
- :func:`write_benchmark_graph`: the query benchmark's graph (``benches/query_benchmark.py``),
  adding cities and interests.
- :func:`write_property_graph`: the differential tests' graph (``tests/query``) with every
  scalar type, NULLs, self-loops, parallel edges and a rel table of two FROM/TO pairs.

Integer and plain-text columns are written by :func:`format_rows` (vectorised digit arithmetic,
no per-row Python); the property graph, whose fields need quoting, by Python's ``csv`` module.
The byte-sized files of the import benchmarks are this kit's other generator,
:mod:`ruzu.testing.datagen` (numba kernels, any size in bytes).
"""

from __future__ import annotations

import csv
import datetime as dt
import os

import numpy as np

CHUNK_ROWS = 1 << 18  # ~8 MB of CSV per chunk for follows, ~7 MB for persons

# -- the demo's persons and follows --------------------------------------------------------------
_DEMO_FIRST = (
    "Ada Alan Alice Amara Ana Ben Bruno Carla Chen Chloe Dario Dmitri Elena Emil Eva Farah "
    "Felix Grace Hana Hugo Ines Ivan Jana Jonas Kai Kenji Lara Leo Lina Luca Maya Mei Nadia "
    "Noah Olga Omar Paula Priya Rosa Sami Sofia Tariq Tomas Una Vera Wei Yara Yusuf Zoe Zane"
).split()
_DEMO_LAST = (
    "Abe Baker Bauer Costa Das Diaz Eriksen Fischer Garcia Gupta Hansen Ito Jensen Kim Kowalski "
    "Lee Lopez Meyer Moreau Nakamura Novak Okafor Olsen Patel Petrov Quinn Rossi Sato Schmidt "
    "Silva Smith Tanaka Torres Ueda Varga Wagner Wang Weber Xu Yilmaz Young Zhang Zimmer"
).split()


def write_persons(path: str | os.PathLike, n: int, *, seed: int = 0,
                  chunk_rows: int = CHUNK_ROWS) -> int:
    """``id,name,age`` for ids 0 … n-1 (in order); returns the bytes written."""
    rng = np.random.default_rng(seed)
    names = _name_vocabulary()
    with open(path, "wb") as f:
        written = f.write(b"id,name,age\n")
        for start in range(0, n, chunk_rows):
            k = min(chunk_rows, n - start)
            ids = np.arange(start, start + k, dtype=np.int64)
            name_rows = names[rng.integers(0, len(names), k)]
            ages = rng.integers(18, 90, k)
            written += f.write(format_rows([ids, name_rows, ages]))
    return written


def write_follows(path: str | os.PathLike, n_persons: int, n_follows: int, *, seed: int = 0,
                  chunk_rows: int = CHUNK_ROWS) -> int:
    """``from,to,since`` rows between persons 0 … n_persons-1, never a self-loop when there is
    more than one person. Half of the targets are skewed towards low ids so a few people are
    popular, as in real social graphs. Returns the bytes written."""
    rng = np.random.default_rng(seed)
    with open(path, "wb") as f:
        written = f.write(b"from,to,since\n")
        for start in range(0, n_follows, chunk_rows):
            k = min(chunk_rows, n_follows - start)
            src = rng.integers(0, n_persons, k)
            dst = rng.integers(0, n_persons, k)
            popular = rng.random(k) < 0.5
            dst[popular] = (rng.random(int(popular.sum())) ** 3 * n_persons).astype(np.int64)
            if n_persons > 1:
                loops = dst == src
                dst[loops] = (dst[loops] + 1) % n_persons
            since = rng.integers(2005, 2026, k)
            written += f.write(format_rows([src, dst, since]))
    return written


def format_rows(columns: list[np.ndarray], delimiter: bytes = b",") -> bytes:
    """CSV bytes of equally long columns: non-negative integer arrays or fixed-width ``S``
    (bytes) arrays without delimiters, quotes or NUL bytes.

    Each column becomes a uint8 matrix padded with NUL bytes; the matrices and the separator
    columns are stacked side by side and the NULs dropped, which leaves the rows in order.
    """
    n = len(columns[0])
    sep = np.full((n, 1), delimiter[0], np.uint8)
    newline = np.full((n, 1), ord("\n"), np.uint8)
    blocks: list[np.ndarray] = []
    for i, col in enumerate(columns):
        if i:
            blocks.append(sep)
        if col.dtype.kind == "S":
            blocks.append(col.view(np.uint8).reshape(n, col.dtype.itemsize))
        else:
            blocks.append(_digits(col))
    blocks.append(newline)
    mat = np.hstack(blocks)
    flat = mat.ravel()
    return flat[flat != 0].tobytes()


def _digits(values: np.ndarray) -> np.ndarray:
    """uint8[n, w]: the decimal digits of non-negative integers, right-aligned, NUL-padded."""
    v = np.asarray(values, dtype=np.int64)
    if len(v) and int(v.min()) < 0:
        raise ValueError("format_rows handles non-negative integers only")
    width = len(str(int(v.max()))) if len(v) else 1
    out = np.empty((len(v), width), np.uint8)
    rest = v.copy()
    for k in range(width - 1, -1, -1):
        out[:, k] = rest % 10 + ord("0")
        rest //= 10
    if width > 1:
        # Position k is a leading zero when the value has fewer than width - k digits.
        limits = 10 ** np.arange(width - 1, 0, -1, dtype=np.int64)
        out[:, : width - 1][v[:, None] < limits[None, :]] = 0
    return out


def _name_vocabulary() -> np.ndarray:
    return np.array([f"{a} {b}".encode() for a in _DEMO_FIRST for b in _DEMO_LAST])


def write_csv(path: str, header: str, columns: list[np.ndarray]) -> None:
    """A CSV file of ``header`` and equally long columns (non-negative integers, or text without
    delimiters, quotes or NUL bytes)."""
    encoded = [c if c.dtype.kind in "iuS" else np.char.encode(c.astype(str), "utf-8")
               for c in columns]
    with open(path, "wb") as f:
        f.write(header.encode() + b"\n")
        f.write(format_rows(encoded))


# -- the query benchmark's graph -----------------------------------------------------------------
_BENCH_FIRST = np.array((
    "Ann Anna Ben Carl Dora Eli Finn Gina Hugo Iris Jan Kim Lea Max Nora Omar Pia Quinn Rosa "
    "Sam"
).split())
_BENCH_LAST = np.array((
    "Meyer Smith Garcia Chen Novak Rossi Kowalski Silva Dubois Jensen Okafor Tanaka"
).split())
_INTERESTS = (
    "music sports books film travel food art games science tech fashion hiking cycling chess "
    "poetry dance theatre photography cooking gardening history politics economics languages "
    "yoga running swimming climbing sailing fishing birds cats dogs cars trains planes space "
    "math coding design comics anime jazz rock opera wine coffee tea beer podcasts"
).split()


def write_benchmark_graph(directory: str, persons: int, follows: int,
                          seed: int = 7) -> list[str]:
    """The query benchmark's graph: write the CSVs (unless all are there) and return the DDL
    + COPY statements. Person(id, name, age, joined DATE), City(id, name, country) 1 K,
    Interest(id, name); Follows(Person→Person, since) with a Zipf-like in-degree,
    LivesIn(Person→City), HasInterest(Person→Interest) 1–5 per person."""
    os.makedirs(directory, exist_ok=True)
    path = {
        name: os.path.join(directory, f"{name}.csv")
        for name in ("person", "city", "interest", "follows", "livesin", "hasinterest")
    }
    if not all(os.path.exists(p) for p in path.values()):
        rng = np.random.default_rng(seed)
        ids = np.arange(persons)
        names = np.char.add(
            np.char.add(rng.choice(_BENCH_FIRST, persons), " "), rng.choice(_BENCH_LAST, persons)
        )
        ages = rng.integers(16, 90, persons)
        joined = (np.datetime64("2008-01-01") + rng.integers(0, 5000, persons)).astype(str)
        write_csv(path["person"], "id,name,age,joined", [ids, names, ages, joined])
        n_cities = 1000
        countries = np.array([f"Country{k:02d}" for k in range(40)])
        write_csv(
            path["city"],
            "id,name,country",
            [
                np.arange(n_cities),
                np.char.add("City", np.arange(n_cities).astype(str)),
                rng.choice(countries, n_cities),
            ],
        )
        write_csv(path["interest"], "id,name", [np.arange(len(_INTERESTS)), np.array(_INTERESTS)])
        # Preferential-attachment-like in-degree: popularity ~ Zipf over a random ranking.
        rank = rng.permutation(persons)
        popularity = 1.0 / (rank + 10.0) ** 0.9
        popularity /= popularity.sum()
        src = rng.integers(0, persons, follows)
        dst = rng.choice(persons, follows, p=popularity)
        since = rng.integers(2008, 2025, follows)
        write_csv(path["follows"], "from,to,since", [src, dst, since])
        city_weights = rng.pareto(1.2, n_cities) + 1
        city_weights /= city_weights.sum()
        write_csv(path["livesin"], "from,to", [ids, rng.choice(n_cities, persons, p=city_weights)])
        k = rng.integers(1, 6, persons)
        who = np.repeat(ids, k)
        interest_weights = 1.0 / np.arange(1, len(_INTERESTS) + 1)
        interest_weights /= interest_weights.sum()
        what = rng.choice(len(_INTERESTS), len(who), p=interest_weights)
        pairs = np.unique(who * 100 + what)
        write_csv(path["hasinterest"], "from,to", [pairs // 100, pairs % 100])
    return [
        "CREATE NODE TABLE Person(id INT64, name STRING, age INT64, joined DATE, PRIMARY KEY(id))",
        "CREATE NODE TABLE City(id INT64, name STRING, country STRING, PRIMARY KEY(id))",
        "CREATE NODE TABLE Interest(id INT64, name STRING, PRIMARY KEY(id))",
        "CREATE REL TABLE Follows(FROM Person TO Person, since INT64)",
        "CREATE REL TABLE LivesIn(FROM Person TO City)",
        "CREATE REL TABLE HasInterest(FROM Person TO Interest)",
        f"COPY Person FROM '{path['person']}' (HEADER=true)",
        f"COPY City FROM '{path['city']}' (HEADER=true)",
        f"COPY Interest FROM '{path['interest']}' (HEADER=true)",
        f"COPY Follows FROM '{path['follows']}' (HEADER=true)",
        f"COPY LivesIn FROM '{path['livesin']}' (HEADER=true)",
        f"COPY HasInterest FROM '{path['hasinterest']}' (HEADER=true)",
    ]


# -- the differential tests' property graph ------------------------------------------------------
PROPERTY_SCHEMA = [
    "CREATE NODE TABLE Person(id INT64, name STRING, age INT64, score DOUBLE, born DATE, "
    "active BOOLEAN, seen TIMESTAMP, height FLOAT, PRIMARY KEY(id))",
    "CREATE NODE TABLE City(id INT64 PRIMARY KEY, name STRING, population INT32)",
    "CREATE NODE TABLE Company(name STRING, founded INT16, PRIMARY KEY(name))",
    "CREATE REL TABLE Follows(FROM Person TO Person, since INT64, weight DOUBLE)",
    "CREATE REL TABLE LivesIn(FROM Person TO City)",
    "CREATE REL TABLE WorksAt(FROM Person TO Company, salary INT64)",
    "CREATE REL TABLE Likes(FROM Person TO City, FROM Person TO Company, rating INT64)",
]

_PROPERTY_FIRST = (
    "Ana Bo Cy Dee Eve Fay Gus Hal Ida Jo Kai Lu Émile Zoë Ünal O'Neil"
).split()
_PROPERTY_LAST = ["Smith", "Lee", "Kim", "Ng", "Diaz", "Roy", "Berg", "Moss"]


def write_property_graph(
    directory: str,
    seed: int,
    persons: int = 300,
    cities: int = 12,
    companies: int = 9,
    follows: int = 1500,
) -> list[str]:
    """Write the CSVs; returns the COPY statements that load them (schema first)."""
    rng = np.random.default_rng(seed)
    os.makedirs(directory, exist_ok=True)

    def path(name: str) -> str:
        return os.path.join(directory, name)

    def maybe(value, p_null: float):
        return "" if rng.random() < p_null else value

    ids = rng.permutation(np.arange(1, persons * 3))[:persons]
    with open(path("person.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "age", "score", "born", "active", "seen", "height"])
        for i in ids:
            name = f"{rng.choice(_PROPERTY_FIRST)} {rng.choice(_PROPERTY_LAST)}"
            born = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 55)))
            seen = dt.datetime(2020, 1, 1) + dt.timedelta(seconds=int(rng.integers(0, 10**8)))
            w.writerow(
                [
                    int(i),
                    name,
                    maybe(int(rng.integers(15, 80)), 0.1),
                    maybe(round(float(rng.normal(50, 20)), 3), 0.15),
                    maybe(born.isoformat(), 0.1),
                    bool(rng.random() < 0.6),
                    maybe(seen.isoformat(sep=" "), 0.1),
                    round(float(rng.uniform(1.4, 2.1)), 2),
                ]
            )
    city_ids = np.arange(100, 100 + cities)
    with open(path("city.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "population"])
        for c in city_ids:
            w.writerow([int(c), f"City{c % 7}", int(rng.integers(1000, 10**6))])
    company_names = [f"Co{k:02d}" for k in range(companies)]
    with open(path("company.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "founded"])
        for name in company_names:
            w.writerow([name, int(rng.integers(1900, 2020))])
    # Skewed out-degrees (a few hubs), plus self-loops and parallel edges.
    src = ids[np.minimum(rng.zipf(1.6, follows) - 1, persons - 1)]
    dst = ids[rng.integers(0, persons, follows)]
    loops = rng.random(follows) < 0.02
    dst[loops] = src[loops]
    dup = rng.integers(0, follows, follows // 20)
    src = np.concatenate([src, src[dup]])
    dst = np.concatenate([dst, dst[dup]])
    with open(path("follows.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["from", "to", "since", "weight"])
        for a, b in zip(src.tolist(), dst.tolist(), strict=True):
            w.writerow(
                [a, b, maybe(int(rng.integers(2000, 2024)), 0.1), round(float(rng.random()), 4)]
            )
    with open(path("livesin.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["from", "to"])
        for i in ids:
            if rng.random() < 0.9:
                w.writerow([int(i), int(rng.choice(city_ids))])
    with open(path("worksat.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["from", "to", "salary"])
        for i in ids:
            for _ in range(int(rng.integers(0, 3))):
                w.writerow(
                    [
                        int(i),
                        str(rng.choice(company_names)),
                        maybe(int(rng.integers(20, 200)) * 1000, 0.2),
                    ]
                )
    with open(path("likes_city.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["from", "to", "rating"])
        for i in rng.choice(ids, persons // 2):
            w.writerow([int(i), int(rng.choice(city_ids)), int(rng.integers(1, 6))])
    with open(path("likes_company.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["from", "to", "rating"])
        for i in rng.choice(ids, persons // 3):
            w.writerow([int(i), str(rng.choice(company_names)), int(rng.integers(1, 6))])
    header = "(HEADER=true)"
    return PROPERTY_SCHEMA + [
        f"COPY Person FROM '{path('person.csv')}' {header}",
        f"COPY City FROM '{path('city.csv')}' {header}",
        f"COPY Company FROM '{path('company.csv')}' {header}",
        f"COPY Follows FROM '{path('follows.csv')}' {header}",
        f"COPY LivesIn FROM '{path('livesin.csv')}' {header}",
        f"COPY WorksAt FROM '{path('worksat.csv')}' {header}",
        f"COPY Likes FROM '{path('likes_city.csv')}' (HEADER=true, from='Person', to='City')",
        f"COPY Likes FROM '{path('likes_company.csv')}' (HEADER=true, from='Person', to='Company')",
    ]
