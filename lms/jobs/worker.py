"""The worker loop behind `flask lms worker`: run due jobs, sleep when idle, stop cleanly.

SIGTERM or SIGINT sets a flag: the job in hand finishes (and is recorded), then the loop ends;
a second Ctrl-C aborts at once. Give the process manager's stop timeout (systemd
`TimeoutStopSec`, Kubernetes `terminationGracePeriodSeconds`) more than the longest job.
Any number of workers can run at once, on any number of machines, against one database.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from lms.errors import is_outage
from lms.extensions import db
from lms.jobs import services

log = logging.getLogger("pelita.jobs")

PERIODIC_EVERY = 60.0  # seconds between schedule_periodic() calls
PURGE_EVERY = 3600.0


@dataclass
class Worker:
    interval: float = 5.0
    max_jobs: int | None = None
    worker_id: str = field(default_factory=services.new_worker_id)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    stopping: bool = False
    processed: int = 0
    _next_periodic: float = 0.0
    _next_purge: float = 0.0
    _database_down: bool = False

    def stop(self, signum: int | None = None, _frame=None) -> None:
        """First SIGTERM/SIGINT: finish the current job, then stop. A second Ctrl-C aborts now
        (the job in hand stays `running`; its heartbeats stop, so it is taken back within
        `JOB_HEARTBEAT_TIMEOUT_SECONDS`)."""
        if self.stopping and signum == signal.SIGINT:
            raise KeyboardInterrupt
        if not self.stopping:
            log.info("worker %s: stopping after the current job", self.worker_id)
        self.stopping = True

    def run(self, *, once: bool = False) -> int:
        """Loop until stopped (or, with `once`, until no job is due); returns jobs processed."""
        log.info("worker %s started", self.worker_id)
        while not self.stopping:
            ran = self._tick()
            if once or self._limit_reached():
                break
            if ran == 0:
                self._idle(self.interval)
        log.info("worker %s stopped after %s job(s)", self.worker_id, self.processed)
        return self.processed

    def _limit_reached(self) -> bool:
        return self.max_jobs is not None and self.processed >= self.max_jobs

    def _tick(self) -> int:
        """Housekeeping when due, then drain the due jobs; a database error is logged, not fatal."""
        try:
            now = self.clock()
            if now >= self._next_periodic:
                services.schedule_periodic()
                self._next_periodic = now + PERIODIC_EVERY
            if now >= self._next_purge:
                services.purge_finished()
                self._next_purge = now + PURGE_EVERY
            limit = None if self.max_jobs is None else self.max_jobs - self.processed
            ran = services.run_pending(limit=limit, worker_id=self.worker_id,
                                       should_stop=lambda: self.stopping)
        except Exception as exc:  # noqa: BLE001 - e.g. the database restarting: wait and try again
            with suppress(Exception):  # the connection may be gone
                db.session.rollback()
            if not is_outage(exc):
                log.exception("worker %s: error while polling for jobs", self.worker_id)
            elif not self._database_down:  # one line per outage, not a traceback per poll
                self._database_down = True
                log.error("worker %s: database unavailable (%s); trying again every %s s",
                          self.worker_id, str(getattr(exc, "orig", exc)).strip().splitlines()[0],
                          self.interval)
            return 0
        if self._database_down:
            self._database_down = False
            log.warning("worker %s: the database is reachable again", self.worker_id)
        self.processed += ran
        return ran

    def _idle(self, seconds: float) -> None:
        """Sleep in short slices so a stop signal is honoured within a second."""
        deadline = self.clock() + seconds
        while not self.stopping:
            remaining = deadline - self.clock()
            if remaining <= 0:
                return
            self.sleep(min(remaining, 1.0))


@contextmanager
def stop_on_signals(worker: Worker):
    """Route SIGTERM/SIGINT to `worker.stop` for the duration; restore the old handlers after."""
    previous = {}
    if threading.current_thread() is threading.main_thread():  # only there can Python set them
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, worker.stop)
    try:
        yield worker
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
