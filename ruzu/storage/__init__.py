"""The storage layer: a database directory on disk (below ``ruzu.csv`` and ``ruzu.query``; it
imports only ``catalog``, ``types``, ``errors``, ``tuning``, ``_jit`` and ``_intrinsics``).

- ``manifest`` (the commit point: catalog, table states, file sizes and CRCs), ``transaction``
  (stage file changes, commit with one manifest rename), ``writer`` (write-behind thread),
  ``io``, ``failures``, ``lock`` (one writer), ``opening`` (a consistent committed generation),
  ``files`` (data files, checked before they are trusted), ``checks``.
- ``columns`` / ``composite_columns`` / ``arrow_columns``: column files and their values.
- ``pk_index`` (primary-key index), ``csr`` (building the CSRs), ``resolve`` (endpoint keys to
  node offsets with bounded memory), ``ordered_map`` (two partitions at a time, in order),
  ``node_table`` / ``rel_table`` (a table's files, read access, and the writers an import
  uses), ``state`` (typed table states), ``_kernels`` (numba kernels of the storage layer).
"""
