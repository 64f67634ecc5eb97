"""The storage layer: a database directory on disk (below ``ruzu.csv`` and ``ruzu.query``; it
imports only ``catalog``, ``types``, ``errors`` and ``_jit``).

- ``manifest`` (the commit point: catalog, table states, file sizes and CRCs), ``transaction``
  (stage file changes, commit with one manifest rename), ``writer`` (write-behind thread),
  ``io``, ``failures``, ``lock`` (one writer), ``opening`` (a consistent committed generation),
  ``files`` (data files, checked before they are trusted), ``checks``.
- ``columns`` / ``composite_columns`` / ``arrow_columns``: column files and their values.
- ``pk_index`` (primary-key index), ``csr`` (building the CSRs), ``resolve`` (endpoint keys to
  node offsets with bounded memory), ``node_table`` / ``rel_table`` (a table's files and read
  access), ``_kernels`` (numba kernels of the storage layer).
"""
