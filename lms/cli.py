"""`flask lms ...`: the command group, the site commands (`setup`, `demo`) and the ONE way
commands are registered: every area lists its commands in `<area>/cli.py` `COMMANDS`, added here
(plugins add theirs with `lms.plugins.register_cli`)."""

from __future__ import annotations

import importlib

import click
from flask import Flask
from flask.cli import with_appcontext

from lms import clock
from lms.auth import services as auth_services
from lms.auth.models import Role

# Demo accounts created by `make run` (listed in the README). Never use them in production.
DEMO_ACCOUNTS = [
    {"email": "peserta@pelita.test", "full_name": "Siti Rahmawati", "role": Role.PARTICIPANT,
     "password": "belajar-bersama-2026", "library_name": "Perpustakaan Desa Sukamaju",
     "library_level": "desa", "province_code": "32", "regency_code": "32.04"},
    {"email": "trainer@pelita.test", "full_name": "Budi Santoso", "role": Role.TRAINER,
     "password": "latih-fasilitator-2026", "library_name": "Dinas Perpustakaan Provinsi Jawa Barat",
     "library_level": "provinsi", "province_code": "32", "regency_code": "32.73"},
    {"email": "fasda@pelita.test", "full_name": "Sri Wahyuni", "role": Role.FACILITATOR,
     "password": "bina-desa-2026", "library_name": "Dinas Perpustakaan Kabupaten Bandung",
     "library_level": "kabupaten", "province_code": "32", "regency_code": "32.04"},
    {"email": "admin@pelita.test", "full_name": "Admin Pelita", "role": Role.ADMIN,
     "password": "kelola-pelita-2026", "library_name": "Perpustakaan Nasional RI",
     "library_level": "provinsi", "province_code": "31", "regency_code": "31.71"},
]


AREA_COMMANDS = (
    "lms.auth.cli", "lms.courses.cli", "lms.paths.cli", "lms.quizzes.cli", "lms.authoring.cli",
    "lms.certificates.cli", "lms.jobs.cli", "lms.reports.cli", "lms.cascade.cli",
)


def register_cli(app: Flask) -> None:
    @app.cli.group("lms")
    def lms():
        """Pelita administration commands."""

    for module in AREA_COMMANDS:
        for command in importlib.import_module(module).COMMANDS:
            lms.add_command(command)
    lms.add_command(demo)
    lms.add_command(setup)


@click.command("demo")
@with_appcontext
def demo():
    """Create the demo accounts listed in the README (skips those that exist)."""
    for account in DEMO_ACCOUNTS:
        if auth_services.get_user_by_email(account["email"]):
            click.echo(f"exists:  {account['email']}")
            continue
        auth_services.register_participant(
            full_name=account["full_name"], email=account["email"],
            password=account["password"], library_name=account["library_name"],
            library_level=account["library_level"], province_code=account["province_code"],
            regency_code=account["regency_code"], role=account["role"],
        )
        click.echo(f"created: {account['email']} / {account['password']} ({account['role']})")
    _demo_trainer_edits_courses()
    _demo_cohort()
    _demo_cascade()


def _demo_cohort():
    from lms.cohorts.services import ensure_demo_cohort

    cohort = ensure_demo_cohort(clock.today())
    if cohort is not None:
        click.echo(f"created: cohort {cohort.name!r} with the demo participant")


def _demo_cascade():
    from lms.cascade.services import ensure_demo_cascade

    activity = ensure_demo_cascade(clock.today())
    if activity is not None:
        click.echo("created: a field activity of the demo facilitator, waiting for the demo "
                   "trainer's confirmation")


def _demo_trainer_edits_courses():
    """The demo trainer may edit every course that is imported (authoring in the browser)."""
    from sqlalchemy import select

    from lms.authoring.services import drafts
    from lms.courses.models import Course
    from lms.extensions import db

    trainer = auth_services.get_user_by_email("trainer@pelita.test")
    if trainer is None or not trainer.is_trainer:
        return
    for slug in db.session.scalars(select(Course.slug).order_by(Course.slug)):
        draft = drafts.open_draft(slug, None)
        if not drafts.is_editor(trainer, draft):
            drafts.add_editor(draft, trainer, user=None)
            click.echo(f"editor:  {trainer.email} edits {slug}")


@click.command("setup")
@click.pass_context
@with_appcontext
def setup(ctx):
    """What `make run` needs after migrating: the credential signing key, import courses/ and
    paths/, create demo accounts."""
    from lms.certificates.cli import ensure_keys
    from lms.courses.cli import import_
    from lms.paths.cli import import_paths

    ctx.invoke(ensure_keys)
    ctx.invoke(import_, paths=(), note="make run")
    ctx.invoke(import_paths, paths=())
    ctx.invoke(demo)
