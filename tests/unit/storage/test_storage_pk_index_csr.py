"""Unit tests of the primary-key index (storage/pk_index.py) and the CSR builder
(storage/csr.py) against naive oracles: a dict from key to first offset (and the list of later
duplicates), and numpy's lexsort/bincount for the CSR. Small memory budgets and groups force
several partitions, buckets and scatter groups."""

from __future__ import annotations

import os

import numpy as np
import pytest

from ruzu.storage import csr as csr_module
from ruzu.storage.columns import ColumnAppender, create_column, open_column, read_chunk
from ruzu.storage.csr import CsrBuilder
from ruzu.storage.files import FileSet
from ruzu.storage.manifest import Manifest, data_file_name, read_manifest, write_manifest
from ruzu.storage.pk_index import KeyOrder, KeySource, PrimaryKeyIndex, build_hash_index
from ruzu.storage.state import IndexState
from ruzu.storage.transaction import Transaction
from ruzu.tuning import CSR_BUCKET_NODES, CSR_MAX_BUCKETS
from ruzu.types import LogicalType

RNG = np.random.default_rng(11)


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "db")
    os.makedirs(path)
    write_manifest(path, Manifest())
    return path


def _index(db, typ, keys, budget):
    """Write ``keys`` as a column, build the hash index over it, commit; (index, duplicates)."""
    txn = Transaction(db, read_manifest(db))
    state = create_column(txn, typ)
    app = ColumnAppender(txn, state, typ, 0)
    if typ is LogicalType.STRING:
        raw = [k.encode() for k in keys]
        offsets = np.concatenate([[0], np.cumsum([len(r) for r in raw])]).astype(np.int64)
        app.append_strings(offsets, np.frombuffer(b"".join(raw), np.uint8))
    else:
        app.append_values(np.asarray(keys, typ.dtype))
    staging = os.path.join(db, "staging-test")
    os.makedirs(staging)
    source = KeySource(db, typ, state, len(keys))
    txn.drain()
    index_state, dups = build_hash_index(txn, source, staging, budget, workers=2)
    manifest = txn.commit()
    files = FileSet(db, manifest=manifest)
    column = open_column(files, state, typ, len(keys))
    return PrimaryKeyIndex(files, index_state, typ, column, len(keys)), dups


def _oracle(keys):
    first: dict = {}
    dups = []
    for offset, key in enumerate(keys):
        if key in first:
            dups.append((first[key], offset))
        else:
            first[key] = offset
    return first, dups


@pytest.mark.parametrize("budget", [1 << 20, 64 * 64], ids=["one-partition", "partitioned"])
def test_integer_hash_index_answers_as_a_dict(db, budget):
    keys = RNG.integers(-(2**62), 2**62, 3000).tolist()
    keys += [keys[5], keys[2999], keys[5]]  # duplicates, one of them twice
    index, dups = _index(db, LogicalType.INT64, keys, budget)
    first, expected = _oracle(keys)
    assert (index.state.bits > 0) == (budget < 1 << 19)
    assert [tuple(d) for d in dups.tolist()] == expected
    for key, offset in first.items():
        assert index.lookup(key) == offset
    for missing in (-1, 2**62 + 1, 123456789):
        if missing not in first:
            assert index.lookup(missing) is None
    assert index.lookup("not a number") is None and index.lookup(2**70) is None


def test_string_hash_index_answers_as_a_dict(db):
    keys = [f"k{int(v):x}" for v in RNG.integers(0, 2**40, 2000)] + ["", "é", "k1"]
    keys += ["é", keys[0]]
    index, dups = _index(db, LogicalType.STRING, keys, 64 * 128)
    first, expected = _oracle(keys)
    assert index.state.bits > 0
    assert [tuple(d) for d in dups.tolist()] == expected
    for key, offset in first.items():
        assert index.lookup(key) == offset
    assert index.lookup("absent") is None and index.lookup(5) is None


def test_key_order_detects_strictly_increasing_keys():
    order = KeyOrder(IndexState("empty"), LogicalType.INT64)
    order.observe(np.array([3, 5, 9], np.int64))
    order.observe(np.array([10, 20], np.int64))
    assert (order.sorted, order.first, order.last) == (True, 3, 20)
    order.observe(np.array([20, 21], np.int64))  # not beyond the last key
    assert not order.sorted
    order = KeyOrder(IndexState("empty"), LogicalType.INT64)
    order.observe(np.array([1, 3, 2], np.int64))
    assert not order.sorted
    assert not KeyOrder(IndexState("empty"), LogicalType.STRING).sorted  # strings: hashed


# -- CSR --------------------------------------------------------------------------------------
def _csr_oracle(keys, others, eids, n):
    order = np.lexsort((eids, keys))  # by node, then edge id
    indptr = np.concatenate([[0], np.cumsum(np.bincount(keys, minlength=n))])
    return indptr, others[order], eids[order]


def _read(db, state):
    path = {k: os.path.join(db, data_file_name(getattr(state, k)))
            for k in ("indptr", "nbr", "eid")}
    n = state.num_nodes
    indptr = read_chunk(path["indptr"], np.int64, 0, n + 1)
    m = int(indptr[-1])
    dt = np.dtype(state.dtype)
    return indptr, read_chunk(path["nbr"], dt, 0, m), read_chunk(path["eid"], dt, 0, m)


def _build(db, n_src, n_dst, batches, budget, existing=None):
    staging = os.path.join(db, f"staging-{len(os.listdir(db))}")
    os.makedirs(staging)
    txn = Transaction(db, read_manifest(db))
    total = sum(len(b[0]) for b in batches) + (existing[2] if existing else 0)
    builder = CsrBuilder(staging, n_src, n_dst, total, total, budget)
    try:
        if existing:
            builder.add_existing(db, existing[0], existing[1])
        for src, dst, eids in batches:
            builder.add(src, dst, eids)
        fwd, bwd = builder.build(txn)
    finally:
        builder.close()
    txn.commit()
    return fwd, bwd


@pytest.mark.parametrize("budget", [1 << 24, 4096], ids=["one-bucket", "many-buckets"])
def test_csr_equals_a_sort_by_node_then_edge_id(db, budget, monkeypatch):
    monkeypatch.setattr(csr_module, "SCATTER_GROUP", 777)  # several scatter groups
    n_src, n_dst, m = 300, 50, 5000
    src = RNG.integers(0, n_src, m)
    src[:400] = 7  # a hub
    dst = RNG.integers(0, n_dst, m)
    eids = np.arange(m)
    batches = [(src[i:i + 1234], dst[i:i + 1234], eids[i:i + 1234]) for i in range(0, m, 1234)]
    fwd, bwd = _build(db, n_src, n_dst, batches, budget)
    for state, keys, others, n in ((fwd, src, dst, n_src), (bwd, dst, src, n_dst)):
        assert state.num_nodes == n
        got = _read(db, state)
        for a, b in zip(got, _csr_oracle(keys, others, eids, n), strict=True):
            assert np.array_equal(a, b)


def test_appending_edges_equals_building_from_all_of_them(db):
    n = 120
    src = RNG.integers(0, n, 3000)
    dst = RNG.integers(0, n, 3000)
    eids = np.arange(3000)
    first = _build(db, n, n, [(src[:1000], dst[:1000], eids[:1000])], 4096)
    fwd, bwd = _build(db, n, n, [(src[1000:], dst[1000:], eids[1000:])], 4096,
                      existing=(first[0], first[1], 1000))
    for state, keys, others in ((fwd, src, dst), (bwd, dst, src)):
        for a, b in zip(_read(db, state), _csr_oracle(keys, others, eids, n), strict=True):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("num_nodes", [0, 1, 1000, 300_000, 26_692_807, 10**9])
@pytest.mark.parametrize("nbuckets", [1, 3, 13, 4096])
def test_csr_bucket_shift_respects_budget_cache_and_file_bounds(num_nodes, nbuckets):
    """Nodes per bucket: a power of two, never more than the budget allows (``nbuckets``), at
    most CSR_BUCKET_NODES (the counting sort stays in the cache) unless that would make more
    than CSR_MAX_BUCKETS bucket files."""
    per = 1 << csr_module.bucket_shift(num_nodes, nbuckets)
    budget_nodes = -(-max(num_nodes, 1) // nbuckets)
    assert per <= budget_nodes
    assert per * 2 > min(budget_nodes, max(CSR_BUCKET_NODES, -(-num_nodes // CSR_MAX_BUCKETS)))
    if per > CSR_BUCKET_NODES:
        assert -(-num_nodes // (per // 2)) > CSR_MAX_BUCKETS
