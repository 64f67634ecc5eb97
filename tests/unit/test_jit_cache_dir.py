"""A JIT cache that cannot be written beside the sources (ruzu installed read-only) falls back
to a writable per-user cache directory (issue 15, finding 8: numba raised "cannot cache
function")."""

from __future__ import annotations

import os

from ruzu import _jit


def test_unwritable_package_dir_uses_a_per_user_cache(monkeypatch, tmp_path):
    package = os.path.dirname(os.path.abspath(_jit.__file__))
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p).startswith(package)
                        else real_access(p, mode))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _jit._writable_cache_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "ruzu")
    assert (tmp_path / "ruzu").is_dir()


def test_writable_package_dir_keeps_numba_default(monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(os, "access", lambda p, mode: True)
    _jit._writable_cache_dir()
    assert "NUMBA_CACHE_DIR" not in os.environ


def test_explicit_setting_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(os, "access", lambda p, mode: False)
    _jit._writable_cache_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path)
