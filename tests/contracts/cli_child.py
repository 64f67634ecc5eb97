"""Child process of ``test_cli_max_memory``: ``python cli_child.py ARG…`` runs ``ruzu-import
ARG…`` and prints one JSON line: the exit code, this process's VmHWM (the whole process:
interpreter, numpy, numba, kernels and buffers) and how many kernels it had to compile."""

from __future__ import annotations

import contextlib
import io
import json
import sys

from contracthelpers import _jit_compiles, _vm_hwm  # this script's folder is on sys.path

if __name__ == "__main__":
    from ruzu.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        code = main(sys.argv[1:])
    print(json.dumps({"code": code, "peak_rss": _vm_hwm(), "jit_compiles": _jit_compiles()}))
