"""Stage 1: Cypher text → tokens (``lexer``) → an abstract syntax tree (``parser``, ``ast``).
Nothing here reads the catalog."""
