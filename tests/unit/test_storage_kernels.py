"""Storage kernels against numpy: the hash directory search equals np.searchsorted, the CSR
counting sort equals argsort + bincount, hashing of integer keys is a bijection."""

from __future__ import annotations

import numpy as np
import pytest

from ruzu.storage import _kernels as K
from ruzu.storage.resolve import HashDirectory


@pytest.mark.parametrize("n", [0, 1, 2, 7, 1000, 100_000])
@pytest.mark.parametrize("bits", [0, 3])
def test_hash_directory_search_equals_searchsorted(n, bits):
    rng = np.random.default_rng(n + bits)
    part = 5 if bits else 0
    lo = part << (64 - bits) if bits else 0
    span = 1 << (64 - bits)
    keys = np.sort(rng.integers(lo, lo + span - 1, n, dtype=np.uint64, endpoint=True))
    probes = [rng.integers(lo, lo + span - 1, 500, dtype=np.uint64, endpoint=True),
              np.array([lo, lo + span - 1], np.uint64)]
    if n:
        probes.append(keys[rng.integers(0, n, 500)])
    wanted = np.concatenate(probes)
    directory = HashDirectory(keys, part, bits)
    assert np.array_equal(directory.searchsorted(wanted), np.searchsorted(keys, wanted))


@pytest.mark.parametrize("n", [0, 1, 5, 1000, 50_000])
@pytest.mark.parametrize("bits", [0, 3])
@pytest.mark.parametrize("shape", ["uniform", "crowded", "h1_runs"])
def test_lookup_hashes_equals_a_dict(n, bits, shape):
    """The pipelined lookup (prefetches, a linear scan then a binary search in crowded ranges)
    finds exactly the (h1, h2) pairs a dict finds: uniform hashes, one range holding many keys
    (more than the linear scan covers) and runs of equal h1 told apart by h2."""
    rng = np.random.default_rng(n * 7 + bits)
    part = 5 if bits else 0
    lo = part << (64 - bits) if bits else 0
    span = 1 << (64 - bits)
    h1 = rng.integers(lo, lo + span - 1, n, dtype=np.uint64, endpoint=True)
    if shape == "crowded" and n:  # a third of the keys share the top 40 bits of the range
        h1[: n // 3] = np.uint64(lo + span // 2) + rng.integers(0, 1 << 20, n // 3,
                                                                  dtype=np.uint64)
    if shape == "h1_runs" and n > 1:
        h1[1::2] = h1[0::2][: n // 2]
    h2 = rng.integers(0, 2**63, n, dtype=np.uint64)
    order = np.lexsort((h2, h1))
    h1, h2 = h1[order], h2[order]
    pairs = {(int(a), int(b)) for a, b in zip(h1, h2, strict=True)}
    offsets = rng.permutation(n).astype(np.int64)
    truth = {(int(a), int(b)): int(o) for a, b, o in zip(h1, h2, offsets, strict=True)}
    take = rng.integers(0, max(n, 1), 3000) if n else np.zeros(0, np.int64)
    w1 = np.concatenate([h1[take], rng.integers(lo, lo + span - 1, 500, dtype=np.uint64,
                                                 endpoint=True),
                         np.array([lo, lo + span - 1], np.uint64)])
    w2 = np.concatenate([h2[take], rng.integers(0, 2**63, 502, dtype=np.uint64)])
    w2[: len(take) // 4] ^= np.uint64(1)  # right h1, wrong h2: a miss
    directory = HashDirectory(h1, part, bits)
    for use_h2 in (True, False):
        out = np.empty(len(w1), np.int64)
        K._lookup_hashes(directory.keys, directory.directory, directory.lo, directory.shift, w1,
                         h2, w2, use_h2, offsets, out)
        if use_h2:
            expected = [truth.get((int(a), int(b)), -1) for a, b in zip(w1, w2, strict=True)]
        else:  # h1 alone: the first key of the run of equal h1
            first = {}
            for a, o in zip(h1.tolist(), offsets.tolist(), strict=True):
                first.setdefault(a, o)
            expected = [first.get(int(a), -1) for a in w1]
        assert out.tolist() == expected
        assert len(pairs) == n


def test_csr_counting_sort_equals_numpy():
    rng = np.random.default_rng(1)
    src = rng.integers(10, 60, 5000)
    dst = rng.integers(0, 1000, 5000)
    triples = np.stack([src, dst, np.arange(5000)], axis=1)
    indptr = np.empty(51, np.int64)
    nbr = np.empty(5000, np.int64)
    eid = np.empty(5000, np.int64)
    K._csr_from_triples(triples, 10, indptr, nbr, eid)
    order = np.argsort(src, kind="stable")
    assert np.array_equal(indptr, np.concatenate([[0], np.cumsum(np.bincount(src - 10,
                                                                             minlength=50))]))
    assert np.array_equal(nbr, dst[order]) and np.array_equal(eid, order)


def test_integer_hash_is_a_bijection_on_samples():
    keys = np.concatenate([np.arange(-1000, 1000), np.array([2**63 - 1, -(2**63)])])
    out = np.empty(len(keys), np.uint64)
    K._hash_ints(keys.astype(np.int64), out)
    assert len(np.unique(out)) == len(keys)


@pytest.mark.parametrize("n", [0, 1, 5, 1000, 200_000])
@pytest.mark.parametrize("skip_bits", [0, 4])
@pytest.mark.parametrize("dups", [False, True])
def test_sort_by_hash_equals_stable_lexsort(n, skip_bits, dups):
    """The bucket + insertion sort of an index partition equals numpy's stable lexsort, with
    duplicate keys (many of one key sends it to numpy's sort) and with strings' second hash."""
    from ruzu.storage.pk_index import sort_by_hash

    rng = np.random.default_rng(n + skip_bits)
    h1 = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    if skip_bits:
        h1 = (h1 >> np.uint64(skip_bits)) | np.uint64(3 << (64 - skip_bits))
    h2 = rng.integers(0, 3, n, dtype=np.uint64)
    if dups and n:
        h1[rng.integers(0, n, n // 3)] = h1[0]  # one key repeated: a bucket far over the limit
        h1[1::7] = h1[1 % n]
    offs = rng.permutation(n).astype(np.int64)
    order = np.lexsort((h2, h1))
    got = sort_by_hash(h1, h2, offs, skip_bits)
    for g, want in zip(got, (h1[order], h2[order], offs[order]), strict=True):
        assert np.array_equal(g, want)
    fast = [np.empty_like(a) for a in (h1, h2, offs)]
    assert K._sort_by_hash(h1, h2, offs, skip_bits, *fast) == (not dups or n <= 5)
