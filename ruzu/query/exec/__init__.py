"""Stage 4: execution operators over frames of vectors (``driver`` runs a whole query)."""
