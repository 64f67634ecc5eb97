"""Sizes that bound how much memory a query's operators use at once. Read at run time
(``tuning.CHUNK_ROWS``), so tests can shrink them to exercise every chunk boundary."""

CHUNK_ROWS = 1 << 21  # rows per frame handed between operators
# Expansions from at least this many rows read the adjacency lists in node order.
SORT_SOURCES_FROM = 4096
