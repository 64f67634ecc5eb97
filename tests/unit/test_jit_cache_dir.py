"""numba's cache goes to a writable per-user directory: ``~/.cache/ruzu/numba`` (issue 16: it
survives reinstalls), or a per-user temporary directory when that cannot be written (issue 15,
finding 8: installed read-only, numba raised "cannot cache function"); an explicit
``NUMBA_CACHE_DIR`` wins."""

from __future__ import annotations

import os
import tempfile

from ruzu import _jit


def test_per_user_cache_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    want = tmp_path / "ruzu" / "numba" / _jit.source_fingerprint()
    assert _jit.choose_cache_dir() == str(want)
    assert want.is_dir()


def test_unwritable_home_falls_back_to_a_temporary_directory(monkeypatch, tmp_path):
    home = tmp_path / "home-cache"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p).startswith(str(home))
                        else real_access(p, mode))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    got = _jit.choose_cache_dir()
    assert got == os.path.join(tempfile.gettempdir(), f"ruzu-numba-{os.getuid()}",
                               _jit.source_fingerprint())
    assert os.path.isdir(got)


def test_nothing_writable_keeps_numba_default(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(os, "access", lambda p, mode: False)
    assert _jit.choose_cache_dir() is None


def test_explicit_setting_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(os, "access", lambda p, mode: False)
    assert _jit.choose_cache_dir() == str(tmp_path)


def test_a_changed_source_gets_its_own_cache(monkeypatch, tmp_path):
    """numba would reuse machine code that inlined an older version of another module; a
    different source tree must not share the cache directory."""
    import shutil

    copy = tmp_path / "ruzu"
    shutil.copytree(os.path.dirname(_jit.__file__), copy,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(_jit, "__file__", str(copy / "_jit.py"))
    same = _jit.source_fingerprint()
    with open(copy / "csv" / "_kernels" / "records.py", "a") as f:
        f.write("\n# changed\n")
    assert _jit.source_fingerprint() != same
