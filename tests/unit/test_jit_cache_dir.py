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
    assert _jit.choose_cache_dir() == str(tmp_path / "ruzu" / "numba")
    assert (tmp_path / "ruzu" / "numba").is_dir()


def test_unwritable_home_falls_back_to_a_temporary_directory(monkeypatch, tmp_path):
    home = tmp_path / "home-cache"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p).startswith(str(home))
                        else real_access(p, mode))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    got = _jit.choose_cache_dir()
    assert got == os.path.join(tempfile.gettempdir(), f"ruzu-numba-{os.getuid()}")
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
