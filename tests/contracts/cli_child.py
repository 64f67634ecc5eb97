"""Child process of ``test_cli_max_memory``: ``python cli_child.py ARG…`` runs ``ruzu-import
ARG…`` and prints one JSON line: the exit code, this process's VmHWM (the whole process:
interpreter, numpy, numba, kernels and buffers) and how many kernels it had to compile."""

from __future__ import annotations

import contextlib
import io
import json
import sys


def _vm_hwm() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def _jit_compiles() -> int:
    from numba.core.dispatcher import Dispatcher

    seen, count = set(), 0
    for name, module in list(sys.modules.items()):
        if name.startswith("ruzu") and module is not None:
            for obj in vars(module).values():
                if isinstance(obj, Dispatcher) and id(obj) not in seen:
                    seen.add(id(obj))
                    count += sum(obj.stats.cache_misses.values())
    return count


if __name__ == "__main__":
    from ruzu.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        code = main(sys.argv[1:])
    print(json.dumps({"code": code, "peak_rss": _vm_hwm(), "jit_compiles": _jit_compiles()}))
