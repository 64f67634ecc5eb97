"""Progress: a tqdm bar per stage on a terminal, plain throttled lines otherwise."""

from __future__ import annotations

import io

from ruzu import ImportProgress
from ruzu.cli import ProgressDisplay


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
