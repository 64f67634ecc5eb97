"""Memory contracts of the CSV import, measured in fresh processes.

The figure is the peak RSS (VmHWM) of the whole importing process (see
``shared/design/import-pipeline.md``), with numba's cache warm (the measured processes are
re-run if they had to compile). Contracts (MB = 10**6 bytes):

* MC-001 / MC-002: a 1 GB node / edge file imports below 500 MB;
* MC-003: a 5 GB file imports below 500 MB;
* MC-004: the peak does not grow with the input: spread across sizes below 100 MB.

CI runs them at reduced scale — ``RUZU_CONTRACT_SMALL`` (default 20M) against
``RUZU_CONTRACT_LARGE`` (default 150M) bytes per file, for ordered, random and string ids,
nodes and edges, default CsvImportConfig — plus two imports running at once and a check that
RSS stays flat through the steady state of a larger import. The full 1 GB / 5 GB runs are marked
``slow`` and run only with ``RUZU_SLOW=1`` (``benches/memory_benchmark.py`` prints the same
figures as a table).
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from ruzu.testing import datagen
from tests.contracts.contracthelpers import (
    FILES,
    KINDS,
    LIMIT,
    MB,
    SPREAD_LIMIT,
    generate,
    import_pairs,
    prime_jit,
)

SMALL = datagen.parse_size(os.environ.get("RUZU_CONTRACT_SMALL", "20M"))
LARGE = datagen.parse_size(os.environ.get("RUZU_CONTRACT_LARGE", "150M"))
SIZES = (SMALL, LARGE)
# "No growth in the steady state": the late samples may exceed the early ones by this much
# (allocator noise and page-granular buffers, not a per-row cost).
STEADY_TOLERANCE = 8 * MB
EARLY = (0.15, 0.45)  # fractions of the input read
LATE = (0.55, 1.0)
MAIN_STAGE = {"nodes": "nodes", "edges": "relationships"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("memory-contracts")
    (root / "db").mkdir()
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def primed(workdir):
    prime_jit(workdir / "csv", workdir / "db")


@pytest.fixture(scope="module")
def inputs(workdir):
    return {(kind, size): generate(workdir / "csv", kind, size)
            for kind in KINDS for size in SIZES}


# The large random-id and string-id imports run at the same time (two processes, two
# databases), and so do the uuid and powerlaw ones: that is the concurrency contract, and it
# halves the wall time on two cores.
CONCURRENT = (("random", "string"), ("uuid", "powerlaw"))


@pytest.fixture(scope="module")
def measured(primed, inputs, workdir):
    plan = [inputs[(kind, SMALL)] for kind in KINDS]
    together = {kind for group in CONCURRENT for kind in group}
    plan += [inputs[(kind, LARGE)] for kind in KINDS if kind not in together]
    plan += [[inputs[(kind, LARGE)] for kind in group] for group in CONCURRENT]
    results = import_pairs(plan, workdir / "db", samples=True)
    shutil.rmtree(workdir / "db")
    (workdir / "db").mkdir()
    return results


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


@pytest.mark.parametrize("size", SIZES, ids=[datagen.format_size(s) for s in SIZES])
@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("kind", KINDS)
def test_peak_below_bound(measured, kind, file, size):
    peak = measured[(kind, file, size)]["peak_rss"]
    assert peak < LIMIT, f"{kind} {file} {datagen.format_size(size)}: peak {_mb(peak)}"


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("kind", KINDS)
def test_peak_does_not_grow_with_input(measured, kind, file):
    small = measured[(kind, file, SMALL)]["peak_rss"]
    large = measured[(kind, file, LARGE)]["peak_rss"]
    assert large - small < SPREAD_LIMIT, (
        f"{kind} {file}: {_mb(small)} at {datagen.format_size(SMALL)}, {_mb(large)} at "
        f"{datagen.format_size(LARGE)} (spread {_mb(large - small)})")


def steady_state_growth(samples: list, stage: str, total: int) -> tuple[int, int, int]:
    """(max early RSS, median late RSS, number of samples used) over the main stage's samples,
    placed by the fraction of the input read. The late median, not maximum: a bounded buffer
    that fills for a moment (the write-behind queue when the disk is busy) is not growth, while
    a per-row cost lifts every late sample."""
    early = [rss for s, read, rss in samples
             if s == stage and EARLY[0] * total <= read <= EARLY[1] * total]
    late = [rss for s, read, rss in samples
            if s == stage and LATE[0] * total <= read <= LATE[1] * total]
    assert len(early) >= 3 and len(late) >= 3, (
        f"too few progress samples in stage {stage!r}: {len(early)} early, {len(late)} late")
    return max(early), int(np.median(late)), len(early) + len(late)


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("kind", KINDS)
def test_rss_flat_in_steady_state(measured, inputs, kind, file):
    """RSS sampled through the progress callback (ImportProgress.rss, less the bytes queued for
    the write-behind thread: a bounded queue that fills when the writer's core is busy — under
    load, late in the run — is not growth) while the large input is read: the late samples
    (their median) are not higher than the early ones (their maximum) by more than a few MB."""
    inp = inputs[(kind, LARGE)]
    total = os.path.getsize(inp.nodes if file == "nodes" else inp.edges)
    samples = measured[(kind, file, LARGE)]["samples"]
    early, late, _ = steady_state_growth(samples, MAIN_STAGE[file], total)
    assert late - early <= STEADY_TOLERANCE, (
        f"{kind} {file}: RSS grew from {_mb(early)} (early maximum) to {_mb(late)} (late "
        f"median) while reading the input")


@pytest.mark.parametrize("file", FILES)
def test_two_concurrent_imports_each_keep_their_bound(measured, file):
    """Two imports into two databases at the same time (two processes: the large random-id and
    string-id inputs, then the uuid and powerlaw ones): each keeps its bound and imports
    everything."""
    for group in CONCURRENT:
        for kind in group:
            res = measured[(kind, file, LARGE)]
            assert res["concurrent"] == len(group)
            assert res["peak_rss"] < LIMIT, (
                f"{kind} {file} {datagen.format_size(LARGE)} (concurrently with "
                f"{[k for k in group if k != kind]}): peak {_mb(res['peak_rss'])}")


# -- full scale (RUZU_SLOW=1) -----------------------------------------------------------------

FULL_SIZES = (1_000_000_000, 5_000_000_000)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_full_scale_contracts(kind, tmp_path_factory):
    """MC-001…MC-004 for one id kind at 1 GB and 5 GB per file (about 12 GB of CSV while it
    runs, deleted afterwards)."""
    root = tmp_path_factory.mktemp(f"full-{kind}")
    (root / "db").mkdir()
    try:
        prime_jit(root / "csv", root / "db")
        peaks = {}
        for size in FULL_SIZES:
            inp = generate(root / "csv", kind, size)
            res = import_pairs([inp], root / "db")
            for (_, file, _), r in res.items():
                peaks[(file, size)] = r["peak_rss"]
            os.remove(inp.nodes)
            os.remove(inp.edges)
            shutil.rmtree(root / "db")
            (root / "db").mkdir()
        report = {f"{f} {datagen.format_size(s)}": _mb(p) for (f, s), p in peaks.items()}
        over = [key for key, peak in peaks.items() if peak >= LIMIT]
        assert not over, f"{kind}: peaks at or above 500 MB (MC-001/002/003): {report}"
        for file in FILES:
            spread = max(peaks[(file, s)] for s in FULL_SIZES) - min(
                peaks[(file, s)] for s in FULL_SIZES)
            assert spread < SPREAD_LIMIT, f"{kind} {file}: spread {_mb(spread)} (MC-004): {report}"
    finally:
        shutil.rmtree(root, ignore_errors=True)
