"""Progress: a tqdm bar per stage on a terminal, plain throttled lines otherwise."""

from __future__ import annotations

import io
import re

from ruzu import ImportProgress
from ruzu.cli import ProgressDisplay
from tests.conftest import write


def progress(stage, rows, done, total=1000, elapsed=1.0):
    return ImportProgress("Person", stage, rows, done, total, 0, elapsed, 50 << 20)


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_plain_lines_are_throttled_and_mark_stage_changes():
    out = io.StringIO()
    clock = FakeClock()
    display = ProgressDisplay(out, "Person", bars=False, interval=1.0, clock=clock)
    display(progress("nodes", 0, 0))
    for i in range(1, 20):  # 19 reports within 0.95 s: none printed
        clock.now = i * 0.05
        display(progress("nodes", i * 10, i * 10))
    clock.now = 1.5
    display(progress("nodes", 500, 500, elapsed=2.0))
    display(progress("nodes", 510, 510, elapsed=2.0))  # too soon after the last line
    display(progress("index", 1000, 1000))
    display(progress("commit", 1000, 1000))
    display.close()
    lines = out.getvalue().splitlines()
    assert lines == [
        "Person: reading nodes (1000 B)",
        "Person: reading nodes: 500 rows, 50% of 1000 B, 250 rows/s, ~2 s left, "
        "memory 50.0 MB",
        "Person: building the primary-key index",
        "Person: committing",
    ]


def test_bar_shows_bytes_rows_per_second_and_stages():
    out = io.StringIO()
    display = ProgressDisplay(out, "Person", bars=True)
    display(progress("nodes", 0, 0, total=4 << 20))
    display(progress("nodes", 100_000, 2 << 20, total=4 << 20, elapsed=0.5))
    display(progress("nodes", 200_000, 4 << 20, total=4 << 20, elapsed=1.0))
    display(progress("index", 200_000, 4 << 20, total=4 << 20))
    display(progress("commit", 200_000, 4 << 20, total=4 << 20))
    display.close()
    text = out.getvalue()
    assert "Person: reading nodes" in text
    assert "100%" in text and "4.00M/4.00M" in text
    assert "200,000 rows, 200,000 rows/s" in text
    assert "Person: building the primary-key index" in text


def test_quiet_import_prints_lines_not_bars(run, files):
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={files['persons']}",
            "--quiet")
    assert r.code == 0
    assert "Person: reading nodes (" in r.out
    assert "\r" not in r.out and "it/s" not in r.out


def test_bars_go_to_stderr_when_it_is_a_terminal(run, files, monkeypatch):
    """Issue 16: with stdout redirected to a log nothing was drawn on the terminal."""
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    r = run(files["db"], "--schema", files["schema"], "--nodes", f"Person={files['persons']}")
    assert r.code == 0, r.err
    assert "Person: reading nodes" in r.err  # the bar, on the terminal
    assert "Person: reading nodes" not in r.out  # the log keeps the summary only
    assert "Person ← " in r.out and "done: 1 file(s)" in r.out


def test_stage_timer_ticks_without_progress_reports():
    """A stage that reports nothing until it ends (the index) still shows its time running."""
    import time

    out = io.StringIO()
    display = ProgressDisplay(out, "Person", bars=True)
    display(progress("index", 100, 1000, total=1000))
    deadline = time.monotonic() + 20
    while "00:01" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.1)
    display.close()
    assert "00:01" in out.getvalue()


def test_one_callback_per_batch(tmp_path):
    import ruzu

    path = write(tmp_path / "p.csv", "id,name\n" + "".join(f"{i},n{i}\n" for i in range(1000)))
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("P", [("id", "INT64"), ("name", "STRING")], "id")
        seen = []
        r = db.import_nodes("P", path, config=ruzu.CsvImportConfig(batch_size=100),
                            progress=seen.append)
    reading = [(p.rows, p.batch_count) for p in seen if p.stage == "nodes"]
    assert r.batch_count == 10
    assert reading == [(100 * k, k) for k in range(1, 11)]


def test_a_first_run_compile_shows_as_a_state_with_its_time(monkeypatch):
    """Issue 16: the first import sat at 0 % for 14-32 s while numba compiled, with no word
    why. While a compilation runs the bar says so, with its time; plain (log) output gets a
    line every COMPILE_LINE_EVERY seconds."""
    import time

    from numba.core import event

    from ruzu.cli import display as display_module

    monkeypatch.setattr(display_module, "COMPILE_LINE_EVERY", 1.0)
    # the ticker wakes every 0.5 s; on a loaded machine its first wake after 1 s of compiling
    # may come at 2 s or later, so any whole number of seconds counts (not exactly "1 s")
    shown = re.compile(r"compiling ruzu's kernels \(first run only\), [1-9]\d* s")
    for bars in (True, False):
        out = io.StringIO()
        display = ProgressDisplay(out, "Person", bars=bars)
        display(progress("nodes", 0, 0, total=4 << 20))
        with event.trigger_event("numba:compile", data={}):  # as numba's dispatcher does
            deadline = time.monotonic() + 20
            while not shown.search(out.getvalue()) and time.monotonic() < deadline:
                time.sleep(0.1)
        display(progress("nodes", 100_000, 4 << 20, total=4 << 20, elapsed=3.0))
        display.close()
        text = out.getvalue()
        assert shown.search(text), (bars, text)
        if not bars:
            assert re.search(r"^Person: " + shown.pattern + "\n", text, re.M), text


def test_compile_watch_sees_real_compilations_only():
    import numba

    from ruzu._jit import CompileWatch

    with CompileWatch() as watch:
        numba.njit(lambda x: x * 3 + 1)(2)  # a new function: compiled now
        assert watch.compiled >= 1 and watch.seconds() is None
        before = watch.compiled
        from ruzu.csv import _kernels  # noqa: F401 - already compiled or loaded from the cache
    assert watch.compiled == before
