"""ordered_map: results in item order, at most ``workers`` items in progress, errors raised in
order and later items never started."""

from __future__ import annotations

import threading
import time

import pytest

from ruzu.storage.ordered_map import ordered_map


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_in_item_order(workers):
    def slow_first(i):
        time.sleep(0.02 if i % 3 == 0 else 0)
        return i * i

    assert list(ordered_map(slow_first, range(20), workers)) == [i * i for i in range(20)]


def test_at_most_workers_items_in_progress_and_the_consumer_holds_one():
    lock = threading.Lock()
    running = [0]
    peak = [0]

    def work(i):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return i

    started = []

    def items():
        for i in range(12):
            started.append(i)
            yield i

    for got in ordered_map(work, items(), 2):
        # the consumer is at item ``got``: at most two later items were taken from the input
        assert len(started) <= got + 3
    assert peak[0] <= 2


def test_an_error_is_raised_in_order_and_later_items_do_not_start():
    started = []

    def work(i):
        started.append(i)
        if i == 3:
            raise ValueError("item 3")
        return i

    out = []
    with pytest.raises(ValueError, match="item 3"):
        for x in ordered_map(work, range(100), 2):
            out.append(x)
    assert out == [0, 1, 2]
    assert max(started) <= 5
