"""A tiny hand-written graph for unit tests (ruzu only), loaded through COPY statements."""

from __future__ import annotations

import os

import ruzu

PERSONS = """id,name,age,score,born,seen
1,Ann,30,1.5,2000-01-05,2024-03-01 10:00:00
2,Bob,,2.5,1990-12-31,
3,Cyd,20,,,2023-01-01 00:00:01
4,Dee,41,0.25,1985-06-15,2022-07-04 12:30:00
"""
FOLLOWS = """from,to,since
1,2,2010
2,1,2011
2,2,
1,3,2015
3,4,2020
4,1,2021
"""
CITIES = """id,name
10,Paris
11,Oslo
"""
LIVES = """from,to
1,10
2,10
3,11
"""


def build(directory) -> str:
    """Create the database (closed afterwards) and return its path."""
    directory = str(directory)
    files = {
        "persons.csv": PERSONS,
        "follows.csv": FOLLOWS,
        "cities.csv": CITIES,
        "lives.csv": LIVES,
    }
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)
    path = os.path.join(directory, "db")
    with ruzu.Database(path) as db:
        db.execute(
            "CREATE NODE TABLE Person(id INT64, name STRING, age INT64, score DOUBLE, "
            "born DATE, seen TIMESTAMP, PRIMARY KEY(id))"
        )
        db.execute("CREATE NODE TABLE City(id INT64 PRIMARY KEY, name STRING)")
        db.execute("CREATE REL TABLE Follows(FROM Person TO Person, since INT64)")
        db.execute("CREATE REL TABLE LivesIn(FROM Person TO City)")
        for table, name in (
            ("Person", "persons.csv"),
            ("City", "cities.csv"),
            ("Follows", "follows.csv"),
            ("LivesIn", "lives.csv"),
        ):
            db.execute(f"COPY {table} FROM '{os.path.join(directory, name)}' (HEADER=true)")
    return path
