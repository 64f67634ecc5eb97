"""The importer's fixed tuning constants, in one place: buffer sizes and rows per step.

The byte budgets of the memory-hungry stages are not here: they scale with the import's
``memory_limit`` and are split in ``ruzu.csv.config.Budgets`` (parse 1/8, write-behind 1/8 up to
64 MB, index 1/2, endpoint resolve 1/4, CSR sort 1/4). The constants below are the sizes that do
not scale: each is small next to the smallest ``memory_limit`` (64 MB) or is bounded by it where
it is used. Modules import the value under the same name, so a test can still patch one
module's copy (``monkeypatch.setattr(ruzu.csv.arrow, "BATCH_ROWS", 777)``).
"""

from __future__ import annotations

# -- reading the input (ruzu/csv) ----------------------------------------------------------------
# The read buffer of the record parser (at most memory_limit / 16): records longer than it grow
# it (up to the batch budget), so it only decides how many bytes one read() asks for.
READ_BUFFER_BYTES = 8 << 20
# How far ahead of the read position the kernel is asked to fetch a regular file.
READ_AHEAD_BYTES = 64 << 20
# zstd frames are decompressed this many bytes per read.
ZSTD_READ_SIZE = 1 << 20
# Rows per Arrow record batch converted to CSV text (Parquet, Arrow IPC, DataFrames).
ARROW_BATCH_ROWS = 64 * 1024
# ... or fewer, so that a batch holds about this many bytes of values (rows with long lists: a
# 101 MB Parquet file of 4,000 lists of up to 10,000 ints peaked at 1,070 MB in batches of
# 64 Ki rows, at 375 MB in batches of 4 MB).
ARROW_BATCH_BYTES = 4 << 20

# -- relationships (ruzu/csv/rel_loader.py, ruzu/storage/resolve.py) -----------------------------
# Edges per step when the spilled endpoint results are merged back in edge-id order.
MERGE_CHUNK = 1 << 20
# Bytes per spilled edge while a chunk of them is resolved: the row, positions, matches, the
# (edge id, offset) output and numpy temporaries.
RESOLVE_BYTES_PER_EDGE = 96
# Bytes per key of a lookup structure loaded whole: h1 + offset (or key + offset).
RESOLVE_BYTES_PER_ENTRY = 16

# -- the CSR build (ruzu/storage/csr.py) ---------------------------------------------------------
# Edges per step when a committed CSR is streamed back into the buckets of an append.
CSR_STREAM_CHUNK = 1 << 20
# Edges are scattered to the bucket files in groups of this many: one write per bucket per group
# instead of per parse batch (1 GB of edges: 130 K small writes took 5.3 s; grouped, far fewer).
# Two group buffers and a scatter buffer per direction are alive at once (the two directions
# scatter on two threads): 2^20 edges made the peak of random-key edges 278–284 MB, 2^19
# 260–261 MB at the same speed (1 GB: 4.33 / 5.26 s against 4.11 / 4.40 s, quiet, 2026-12-04).
CSR_SCATTER_GROUP = 1 << 19

# Nodes per CSR bucket at most (a power of two): the counting sort of a bucket then keeps its
# counts and outputs in the cache (see ruzu/storage/csr.py, bucket_shift) ...
CSR_BUCKET_NODES = 1 << 18
# ... unless that opens more bucket files than this, per direction.
CSR_MAX_BUCKETS = 256

# -- the primary-key index (ruzu/storage/pk_index.py) --------------------------------------------
# Bytes per key while a partition is sorted: hashes, offsets, order, sorted copies.
INDEX_ENTRY_BYTES = 64
# Integer keys read per step while spilling the partitions.
INDEX_CHUNK_ROWS = 1 << 20
# String keys bring their bytes along (36 a UUID): a step of 1 M of them held ~90 MB of
# transient arrays and made the index stage's peak grow with the key length.
INDEX_STRING_CHUNK_ROWS = 1 << 18

# -- writing (ruzu/storage/writer.py) ------------------------------------------------------------
# Bytes queued for the write-behind thread at most (the budget may lower it).
WRITE_BEHIND_MAX_PENDING = 64 << 20
# The commit must fsync every byte written. Syncing each file every SYNC_EVERY bytes from the
# writer thread overlaps that flush with parsing instead of paying it all at the end (about 2 s
# for the 1.3 GB of columns of a 1 GB node file at the ~0.56 GB/s durable write speed measured).
SYNC_EVERY = 128 << 20

# The write buffers of one group of scratch files written side by side (the partitions of a key
# spill, the buckets of a CSR direction): each file gathers its appends in an aligned buffer of
# the group's bytes / files (16 KiB…1 MiB) and writes it with one O_DIRECT request. Appends
# of a few KB each went to the disk as requests of their own, and each costs a VM exit to
# notify the virtual disk: the two endpoint spills of 1 GB random-key edges spent 0.5 s of
# system CPU each (2026-12-05). A group gets memory_limit / 10 (``Budgets.spill``), at most
# this: a request costs ~64 us before its bytes move (dd with O_DIRECT here: 16 KiB requests
# 255 MB/s, 64 KiB 714 MB/s, 256 KiB 1.4 GB/s, 1 MiB 2.0 GB/s), and at 4 MB a group the
# spill and bucket threads of 1 GB random-key edges spent ~1 s each waiting for requests of
# 40-64 KiB. 16 MB: those edges 4.94 / 5.10 -> 5.29 / 5.46 M/s, peak 270 -> 293 MB.
SPILL_BUFFERS_BYTES = 16 << 20
