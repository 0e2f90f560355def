"""`flask lms worker | jobs` commands: thin wrappers over the job queue services the web views use too.
Registered by lms/cli.py from `COMMANDS`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs due now, then exit.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds to sleep when no job is due.")
@click.option("--max-jobs", type=click.IntRange(min=1), default=None,
              help="Exit after this many jobs (e.g. to recycle the process).")
@with_appcontext
def worker(once, interval, max_jobs):
    """Run background jobs until SIGTERM/SIGINT (finishes the current job first)."""
    from lms.jobs.worker import Worker, stop_on_signals

    job_worker = Worker(interval=interval, max_jobs=max_jobs)
    with stop_on_signals(job_worker):
        processed = job_worker.run(once=once)
    click.echo(f"worker {job_worker.worker_id}: processed {processed} job(s)")


@click.command("jobs")
@with_appcontext
def jobs():
    """Show background jobs by status and the last 10 failures."""
    from lms.jobs import services as job_services

    report = job_services.stats()
    for status, count in report.counts.items():
        extra = f" ({report.due} due now)" if status == "queued" else ""
        click.echo(f"{status:<8} {count:>6}{extra}")
    if not report.recent_failures:
        click.echo("no failed jobs")
        return
    click.echo("last failures:")
    for job in report.recent_failures:
        when = f"{job_services.aware(job.finished_at):%Y-%m-%d %H:%M} UTC" if job.finished_at else "-"
        lines = (job.last_error or "").strip().splitlines()
        click.echo(f"  #{job.id} {job.kind} {when} attempts {job.attempts}/{job.max_attempts}: "
                   f"{lines[-1] if lines else '(no error recorded)'}")


COMMANDS = [worker, jobs]
