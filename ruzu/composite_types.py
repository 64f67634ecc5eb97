"""Kept for imports written before the merge: the parameterised types live in ``ruzu.types``."""

from .types import (  # noqa: F401
    DECIMAL_DTYPE,
    CompositeType,
    is_composite,
    list_of,
    map_entry_type,
    parse_composite,
    union_storage_type,
)
