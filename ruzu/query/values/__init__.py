"""Query values: vectors and frames (``vectors``), overflow-checked integer arithmetic
(``checked``), conversion to Python values (``output``) and the numba kernels (``_kernels``)."""
