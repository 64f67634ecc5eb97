"""Stage 3: bound steps → a plan: how each MATCH is walked (``match_plan``: scans, folds,
expansions, closes), as plain data."""
