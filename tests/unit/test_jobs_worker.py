"""The worker loop's stop and sleep behaviour, without a database."""

from __future__ import annotations

import signal

import pytest

from lms.jobs.worker import Worker


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_idle_sleeps_in_short_slices_for_the_whole_interval():
    t = FakeTime()
    worker = Worker(interval=3.5, clock=t.clock, sleep=t.sleep)
    worker._idle(3.5)
    assert t.sleeps == [1.0, 1.0, 1.0, 0.5]


def test_a_stop_signal_ends_the_idle_wait_within_a_second():
    t = FakeTime()
    worker = Worker(clock=t.clock)

    def sleep(seconds):
        t.sleep(seconds)
        if len(t.sleeps) == 2:
            worker.stop(signal.SIGTERM, None)

    worker.sleep = sleep
    worker._idle(60)
    assert t.sleeps == [1.0, 1.0] and worker.stopping


def test_a_second_sigint_aborts_but_repeated_sigterms_do_not():
    worker = Worker()
    worker.stop(signal.SIGTERM, None)
    worker.stop(signal.SIGTERM, None)
    assert worker.stopping
    with pytest.raises(KeyboardInterrupt):
        worker.stop(signal.SIGINT, None)


def test_worker_ids_are_unique_per_worker():
    assert Worker().worker_id != Worker().worker_id
