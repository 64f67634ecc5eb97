"""Fixtures of the reliability battery."""

from __future__ import annotations

import os
import pathlib
import shutil
import tempfile

import pytest

# ------------------------------------------------------------------------------------------
# Work directories on tmpfs: the crash tests simulate failures through the fault hook, so real
# fsyncs only cost time (they dominate on a disk); /dev/shm makes them free.
# ------------------------------------------------------------------------------------------
SHM = "/dev/shm"


@pytest.fixture
def fast_tmp(tmp_path):
    """A fresh directory on tmpfs when there is one (else the usual tmp_path)."""
    if not (os.path.isdir(SHM) and os.access(SHM, os.W_OK)):
        yield tmp_path
        return
    path = tempfile.mkdtemp(prefix="ruzu-rel-", dir=SHM)
    try:
        yield pathlib.Path(path)
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def fast_tmp_factory(tmp_path_factory):
    """mktemp(name) -> a fresh directory (on tmpfs when there is one), removed at module end."""
    if not (os.path.isdir(SHM) and os.access(SHM, os.W_OK)):
        yield lambda name: str(tmp_path_factory.mktemp(name))
        return
    root = tempfile.mkdtemp(prefix="ruzu-rel-", dir=SHM)
    try:
        yield lambda name: tempfile.mkdtemp(prefix=name + "-", dir=root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
