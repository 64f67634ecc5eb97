"""Stage 2: the AST bound against the catalog (``binder``): labels, properties, variable
scope, function and aggregate names are checked; the result is a list of bound steps."""
