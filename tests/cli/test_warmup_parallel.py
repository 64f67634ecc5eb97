"""The warm-up compiles on two processes (issue 16, item 1): a child compiles the storage and
query kernels from recorded signatures while the parent compiles the CSV parser. The list must
be what the workload really calls, or the child's work is wasted and the parent compiles
alone (correct but slow: 28 s instead of ~12 s on a quiet 2-core machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numba import typeof
from numba.core import types

from ruzu.cli import precompile
from ruzu.cli.kernel_signatures import SIGNATURES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", [
    np.zeros(3, np.int64), np.zeros(3, np.int32), np.zeros(3, np.uint8), np.zeros(3, np.bool_),
    np.zeros(3, np.float64), np.zeros((2, 3), np.uint64), np.zeros((4, 3), np.int64)[:, 1:],
    np.int64(1), 7, 2.5, True,
])
def test_argument_types_survive_the_list(value):
    t = typeof(value)
    assert precompile.decode(precompile.encode(t)) == t


def test_read_only_and_omitted_arguments_survive_the_list():
    ro = np.zeros(3, np.int64)
    ro.flags.writeable = False
    for t in (typeof(ro), types.Omitted(0), types.Omitted(None), types.Omitted(True)):
        assert precompile.decode(precompile.encode(t)) == t
    assert precompile.encode(typeof((1, 2))) is None  # not carried: the workload compiles it


def test_a_stale_entry_is_skipped_not_fatal():
    good = SIGNATURES[0]
    stale = (good[0], good[1], good[2][:-1])  # one argument fewer: no longer compiles
    gone = ("ruzu.storage._kernels", "_no_such_kernel", ("int64",))
    assert precompile.compile_listed([good, stale, gone]) == (1, 2)


def test_the_list_is_what_the_workload_calls():
    """Fails after a storage or query kernel's arguments change: run
    ``python tools/record_kernel_signatures.py`` and commit ruzu/cli/kernel_signatures.py."""
    code = ("import json, ruzu; from ruzu.cli.warmup import recorded_signatures; "
            "print(json.dumps(recorded_signatures()))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=1800, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    recorded = [(m, n, tuple(a)) for m, n, a in json.loads(r.stdout.strip().splitlines()[-1])]
    assert recorded == SIGNATURES, "run: python tools/record_kernel_signatures.py"
    assert all(not m.startswith(precompile.PARENT_PACKAGE) for m, _, _ in recorded)
