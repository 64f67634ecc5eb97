"""Stage 3: bound steps → a whole-query plan, as plain data (``query_plan``): how each MATCH
is walked (``match_plan`` into the operators of ``ops``: scans, folds, expansions, closes,
filters), the rewrites decided once (``rewrite``: live columns, fused comparisons) and the
text EXPLAIN prints (``explain``)."""
