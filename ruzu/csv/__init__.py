"""The CSV importer: input sources (files, compressed files, pipes, Parquet/Arrow, DataFrames),
sniffing, the numba record parser (``_kernels``) and the node and relationship loaders that feed
parsed batches to the storage layer. Above ``ruzu.storage``; independent of ``ruzu.query``."""
