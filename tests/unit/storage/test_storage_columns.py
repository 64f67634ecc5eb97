"""Unit tests of column files (storage/columns.py): values appended in batches, with NULLs
arriving late, read back equal to a plain Python list; ``drop_rows`` and ``truncate_rows`` on
the uncommitted tail equal ``np.delete`` / slicing of that list."""

from __future__ import annotations

import os

import numpy as np
import pytest

from ruzu.storage.columns import (
    ColumnAppender,
    create_column,
    drop_rows,
    open_column,
    open_validity,
    to_pylist,
    truncate_rows,
)
from ruzu.storage.files import FileSet
from ruzu.storage.manifest import Manifest, read_manifest, write_manifest
from ruzu.storage.transaction import Transaction
from ruzu.types import LogicalType

RNG = np.random.default_rng(5)


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "db")
    os.makedirs(path)
    write_manifest(path, Manifest())
    return path


def _values(typ, n):
    if typ is LogicalType.STRING:
        return ["".join(RNG.choice(list("abcé😀"), RNG.integers(0, 6))) for _ in range(n)]
    if typ is LogicalType.DOUBLE:
        return RNG.normal(size=n).tolist()
    return RNG.integers(-(2**40), 2**40, n).tolist()


def _append(app, typ, values, valid):
    first = app.num_rows
    if typ is LogicalType.STRING:
        raw = [v.encode() for v in values]
        offsets = np.concatenate([[0], np.cumsum([len(r) for r in raw])]).astype(np.int64)
        app.append_strings(offsets, np.frombuffer(b"".join(raw) or b"\0", np.uint8))
    else:
        app.append_values(np.asarray(values, typ.dtype))
    app.append_validity(np.asarray(valid, np.uint8), first)


def _read(db, manifest, state, typ, n):
    files = FileSet(db, manifest=manifest)
    try:
        return to_pylist(open_column(files, state, typ, n), open_validity(files, state, n))
    finally:
        files.close()


def _expected(values, valid):
    return [v if ok else None for v, ok in zip(values, valid, strict=True)]


TYPES = [LogicalType.INT64, LogicalType.DOUBLE, LogicalType.STRING]


@pytest.mark.parametrize("typ", TYPES, ids=lambda t: t.name)
def test_batches_read_back_as_written(db, typ):
    txn = Transaction(db, read_manifest(db))
    state = create_column(txn, typ)
    app = ColumnAppender(txn, state, typ, 0)
    values, valid = [], []
    for size, nulls in [(50, False), (0, False), (70, True), (30, False)]:
        batch = _values(typ, size)
        ok = (RNG.random(size) > 0.3).tolist() if nulls else [True] * size
        _append(app, typ, batch, ok)
        values += batch
        valid += ok
        if size and not nulls:
            assert (state.validity is None) == all(valid)  # made at the first NULL only
    app.append_nulls(4)
    values += [None] * 4
    valid += [False] * 4
    manifest = txn.commit()
    assert _read(db, manifest, state, typ, len(values)) == _expected(values, valid)


@pytest.mark.parametrize("typ", TYPES, ids=lambda t: t.name)
def test_drop_and_truncate_rows_of_the_uncommitted_tail(db, typ):
    txn = Transaction(db, read_manifest(db))
    state = create_column(txn, typ)
    app = ColumnAppender(txn, state, typ, 0)
    committed = _values(typ, 40)
    _append(app, typ, committed, [True] * 40)
    manifest = txn.commit()
    txn = Transaction(db, manifest)
    app = ColumnAppender(txn, state, typ, 40)
    tail = _values(typ, 300)
    tail_valid = (RNG.random(300) > 0.2).tolist()
    _append(app, typ, tail, tail_valid)
    drop = np.sort(RNG.choice(np.arange(40, 340), 57, replace=False))
    drop_rows(txn, state, typ, 40, 340, drop)
    keep = np.setdiff1d(np.arange(340), drop)
    values = committed + tail
    valid = [True] * 40 + tail_valid
    expected = [_expected(values, valid)[i] for i in keep]
    n = len(keep)
    truncate_rows(txn, state, typ, n - 25)
    manifest = txn.commit()
    assert _read(db, manifest, state, typ, n - 25) == expected[: n - 25]
