"""Scalar, nested-type and row-wise functions callable from Cypher expressions."""
