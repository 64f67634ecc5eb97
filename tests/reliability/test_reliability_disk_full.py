"""A full disk is a DiskFullError naming the file being written, what the import had written
and the free space, with the database unchanged (issue 15, finding 8: a bare
``OSError: [Errno 28]`` without a file name). The disk is "filled" with RLIMIT_FSIZE in a
forked child (EFBIG, handled as a full disk); the CLI prints it on one line."""

from __future__ import annotations

import errno
import os
import resource
import signal

import ruzu
from tests.conftest import snapshot
from tests.reliability.relhelpers import serial_parsing_in_forked_child


def test_disk_full_is_a_disk_full_error_naming_the_file(fast_tmp):
    path = str(fast_tmp / "db")
    csv = fast_tmp / "p.csv"
    csv.write_text("id,name\n" + "".join(f"{i},name number {i}\n" for i in range(60_000)))
    with ruzu.Database(path) as db:
        db.create_node_table("P", [("id", "INT64"), ("name", "STRING")], "id")
    before = snapshot(path)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            serial_parsing_in_forked_child()
            os.close(r)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
            db = ruzu.Database(path)
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))
            try:
                db.import_nodes("P", str(csv))
                message = "no error"
            except ruzu.DiskFullError as e:
                message = f"DiskFullError {e.errno} {e}"
            except BaseException as e:  # noqa: BLE001
                message = f"other {type(e).__name__}: {e}"
            os.write(w, message.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        message = f.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert message.startswith(f"DiskFullError {errno.EFBIG} "), message
    assert ".dat" in message or "staging" in message or path in message, message
    assert "disk full" in message and "MB" in message and "database is unchanged" in message
    assert snapshot(path) == before
