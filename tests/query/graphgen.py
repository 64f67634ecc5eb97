"""Random property graphs written as CSV files, and loading them into ruzu and Kùzu with the
same COPY statements, for the differential tests.

Schema (created in this order so both engines number tables alike):
  Person(id, name, age?, score?, born?, active)  City(id, name, population)
  Company(name PK, founded)
  Follows(Person→Person, since?, weight)  LivesIn(Person→City)  WorksAt(Person→Company, salary?)
  Likes(Person→City, Person→Company, rating)   (a rel table with two FROM/TO pairs)
'?' columns hold NULLs. Follows has self-loops and parallel edges.
"""

from __future__ import annotations

import csv
import datetime as dt
import os

import numpy as np

SCHEMA = [
    "CREATE NODE TABLE Person(id INT64, name STRING, age INT64, score DOUBLE, born DATE, "
    "active BOOLEAN, seen TIMESTAMP, height FLOAT, PRIMARY KEY(id))",
    "CREATE NODE TABLE City(id INT64 PRIMARY KEY, name STRING, population INT32)",
    "CREATE NODE TABLE Company(name STRING, founded INT16, PRIMARY KEY(name))",
    "CREATE REL TABLE Follows(FROM Person TO Person, since INT64, weight DOUBLE)",
    "CREATE REL TABLE LivesIn(FROM Person TO City)",
    "CREATE REL TABLE WorksAt(FROM Person TO Company, salary INT64)",
    "CREATE REL TABLE Likes(FROM Person TO City, FROM Person TO Company, rating INT64)",
]

_FIRST = [
    "Ana",
    "Bo",
    "Cy",
    "Dee",
    "Eve",
    "Fay",
    "Gus",
    "Hal",
    "Ida",
    "Jo",
    "Kai",
    "Lu",
    "Émile",
    "Zoë",
    "Ünal",
    "O'Neil",
]
_LAST = ["Smith", "Lee", "Kim", "Ng", "Diaz", "Roy", "Berg", "Moss"]


def write_graph(
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
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
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
    return SCHEMA + [
        f"COPY Person FROM '{path('person.csv')}' {header}",
        f"COPY City FROM '{path('city.csv')}' {header}",
        f"COPY Company FROM '{path('company.csv')}' {header}",
        f"COPY Follows FROM '{path('follows.csv')}' {header}",
        f"COPY LivesIn FROM '{path('livesin.csv')}' {header}",
        f"COPY WorksAt FROM '{path('worksat.csv')}' {header}",
        f"COPY Likes FROM '{path('likes_city.csv')}' (HEADER=true, from='Person', to='City')",
        f"COPY Likes FROM '{path('likes_company.csv')}' (HEADER=true, from='Person', to='Company')",
    ]
