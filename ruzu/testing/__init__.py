"""The testing kit: the data generators shared by the tests, the benchmarks and the demo, one
place for every generated graph:

- ``graphs``: social graphs of a given number of nodes and edges (the demo's persons and
  follows, the query benchmark's graph, the differential tests' property graph);
- ``datagen``: the import benchmarks' node and edge files of a given size in bytes, for six
  kinds of keys (ordered, random, string, wide, uuid, powerlaw).

Apart from the product: no layer of ruzu imports it (checked by ``lint-imports``), and it
imports none of them."""
