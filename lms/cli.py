"""`flask lms ...` commands: thin wrappers over the same services the web views use."""

from __future__ import annotations

import click
from flask import Flask, current_app

from lms import clock
from lms.auth import services as auth_services
from lms.auth.models import Role
from lms.content import CoursePackError
from lms.courses.services import importer
from lms.errors_domain import ServiceError

# Demo accounts created by `make run` (listed in the README). Never use them in production.
DEMO_ACCOUNTS = [
    {"email": "peserta@pelita.test", "full_name": "Siti Rahmawati", "role": Role.PARTICIPANT,
     "password": "belajar-bersama-2026", "library_name": "Perpustakaan Desa Sukamaju",
     "library_level": "desa", "province_code": "32", "regency_code": "32.04"},
    {"email": "trainer@pelita.test", "full_name": "Budi Santoso", "role": Role.TRAINER,
     "password": "latih-fasilitator-2026", "library_name": "Dinas Perpustakaan Provinsi Jawa Barat",
     "library_level": "provinsi", "province_code": "32", "regency_code": "32.73"},
    {"email": "admin@pelita.test", "full_name": "Admin Pelita", "role": Role.ADMIN,
     "password": "kelola-pelita-2026", "library_name": "Perpustakaan Nasional RI",
     "library_level": "provinsi", "province_code": "31", "regency_code": "31.71"},
]


def _warn_unknown_templates(packs) -> None:
    """A pack naming a certificate design no plugin installed still imports (the built-in design
    is used), but its authors should know."""
    from lms.certificates.services import unknown_templates

    for warning in unknown_templates(packs):
        click.echo(warning, err=True)


def _warn_guessable(packs, *, figures: bool = False) -> None:
    """Quizzes whose questions can be guessed (lms.quizzes.quality): warnings, never errors.
    With `figures`, every quiz's longest-is-right figure is printed as well."""
    from lms.quizzes.quality import check_quiz

    for pack in packs:
        for quiz in pack.quizzes:
            result = check_quiz(quiz)
            where = f"{pack.slug}/{quiz.filename}"
            if figures and result.figure:
                click.echo(f"quality: {where}: right option uniquely longest in {result.figure}")
            for warning in result.warnings:
                click.echo(f"warning: {where}: {warning}", err=True)


def register_cli(app: Flask) -> None:
    @app.cli.group("lms")
    def lms():
        """Pelita administration commands."""

    from lms.quizzes.cli import register_quiz_cli

    register_quiz_cli(lms)

    from lms.authoring.services.zips import export_zip_command

    lms.add_command(export_zip_command)  # flask lms export-zip <slug> <file.zip> [--draft]

    @lms.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", "full_name", prompt="Full name")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def create_admin(email: str, full_name: str, password: str):
        """Create an administrator account (the first admin of a new installation)."""
        try:
            user = auth_services.create_user(email=email, full_name=full_name,
                                             password=password, role=Role.ADMIN)
        except ServiceError as err:
            raise click.ClickException(str(err.message)) from None
        click.echo(f"Administrator {user.email} created.")

    @lms.command("demo")
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

    def _demo_cohort():
        from lms.cohorts.services import ensure_demo_cohort

        cohort = ensure_demo_cohort(clock.today())
        if cohort is not None:
            click.echo(f"created: cohort {cohort.name!r} with the demo participant")

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

    @lms.command("validate")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
    @click.option("--figures", is_flag=True,
                  help="Also print every quiz's share of right options that are the longest.")
    def validate(paths, figures):
        """Check course packs and list every problem (exit status 1 if there is any).

        Quiz questions that can be guessed (the right option is the longest, "semua benar",
        duplicate options, an unemphasised negative question, a multiple-answer question with
        one wrong option) are printed as warnings; they do not change the exit status."""
        packs, problems = importer.load_packs(list(paths))
        for problem in problems:
            click.echo(str(problem), err=True)
        _warn_unknown_templates(packs)
        _warn_guessable(packs, figures=figures)
        if problems:
            raise click.ClickException(f"{len(problems)} problem(s) found")
        for pack in packs:
            click.echo(f"ok: {pack.slug} ({len(pack.modules)} modules, {len(pack.quizzes)} quizzes)"
                       f" from {pack.source}")

    @lms.command("import")
    @click.argument("paths", nargs=-1, type=click.Path(exists=True))
    @click.option("--note", default="", help="A change note stored with new versions.")
    def import_(paths, note):
        """Import course packs (default: the configured course folders and installed packs)."""
        targets = list(paths) or current_app.config["COURSE_DIRS"]
        packs, problems = importer.load_packs(targets)
        for problem in problems:
            click.echo(str(problem), err=True)
        _warn_unknown_templates(packs)
        if problems:
            raise click.ClickException(f"{len(problems)} problem(s) found; nothing was imported")
        for result in importer.import_packs(packs, note=note):
            extra = ""
            if result.modules_added:
                extra += f" +{','.join(result.modules_added)}"
            if result.modules_removed:
                extra += f" -{','.join(result.modules_removed)}"
            click.echo(f"{result.status}: {result.slug} (version {result.version_id}){extra}")

    @lms.command("import-paths")
    @click.argument("paths", nargs=-1, type=click.Path(exists=True))
    def import_paths(paths):
        """Import learning paths (default: the configured path folders) after their courses."""
        from lms.paths import services as path_services

        targets = list(paths) or current_app.config["PATH_DIRS"]
        sources, problems = path_services.load_paths(targets)
        if not problems:
            problems = path_services.missing_courses(sources)
        for problem in problems:
            click.echo(str(problem), err=True)
        if problems:
            raise click.ClickException(f"{len(problems)} problem(s) found; no path was imported")
        for result in path_services.import_paths(sources):
            click.echo(f"{result.status}: {result.slug} ({result.courses} courses)")

    @lms.command("export")
    @click.argument("slug")
    @click.argument("dest", type=click.Path())
    @click.option("--overwrite", is_flag=True, help="Replace files in a non-empty folder.")
    def export(slug, dest, overwrite):
        """Write a course's current version back to a pack folder, byte for byte."""
        try:
            path = importer.export_course(slug, dest, overwrite=overwrite)
        except (LookupError, CoursePackError) as err:
            raise click.ClickException(str(err)) from None
        click.echo(f"exported {slug} to {path}")

    @lms.command("close-overdue")
    def close_overdue():
        """Grade quiz attempts whose time limit has run out (run from cron or a worker)."""
        from lms.quizzes.services import attempts as quiz_attempts

        closed = quiz_attempts.close_overdue()
        click.echo(f"closed {closed} overdue attempt(s)")

    @lms.command("export-gift")
    @click.argument("quiz_id", type=int)
    def export_gift(quiz_id):
        """Print the questions of a quiz's current version in Moodle's GIFT format."""
        from lms.courses.models import Quiz
        from lms.extensions import db
        from lms.quizzes import queries as quiz_queries
        from lms.quizzes.formats.gift import export_gift_report

        quiz = db.session.get(Quiz, quiz_id)
        version = quiz_queries.current_version(quiz) if quiz is not None else None
        if version is None:
            raise click.ClickException(f"no quiz {quiz_id} in a current course version")
        unscored = {t.name for t in quiz_queries.registry() if not t.scored}
        text, report = export_gift_report(version.questions, unscored)
        for question_id, message in report:
            click.echo(f"warning: {question_id}: {message}", err=True)
        click.echo(text, nl=False)

    @lms.command("verify-credential")
    @click.argument("file", type=click.File("rb"))
    @click.option("--offline", is_flag=True,
                  help="Check the signature only; do not look the certificate up in the database.")
    def verify_credential_cmd(file, offline):
        """Check a downloaded certificate credential (JSON) against this installation's key.

        The signature proves the file is unchanged; the certificate's status (revoked, replaced,
        expired) is looked up in this installation's database when it can be. Exit status 0: the
        signature is valid and the certificate stands (or its status cannot be checked here);
        1: the file is not valid, or the certificate was revoked, replaced or has expired.
        """
        from sqlalchemy.exc import SQLAlchemyError

        from lms.certificates import services as cert_services
        from lms.certificates.signing import (
            CredentialParseError,
            parse_credential_json,
            verify_credential,
        )

        try:
            document = parse_credential_json(file.read())
        except CredentialParseError as err:
            raise click.ClickException(f"NOT VALID: {err}") from None
        result = verify_credential(document, cert_services.public_keys(), now=clock.now())
        if not result.signature_ok:
            raise click.ClickException(f"NOT VALID: {result.reason}")
        claims = result.claims
        cert, looked_up = None, False
        if not offline:
            try:
                cert = cert_services.lookup_credential(claims)
                looked_up = True
            except SQLAlchemyError as err:  # e.g. a copy of the key without the database
                click.echo(f"warning: the database cannot be read ({type(err).__name__})",
                           err=True)
        status = cert.status(clock.today()) if cert is not None else None
        code = claims.get("code") or (cert.code if cert is not None else None)
        if status == "revoked":
            raise click.ClickException(
                f"REVOKED: the signature is valid, but certificate {cert.code} was revoked on "
                f"{clock.local_date(cert.revoked_at).isoformat()} because: {cert.revoke_reason}")
        if status == "superseded":
            newer = f" by {cert.superseded_by.code}" if cert.superseded_by is not None else ""
            raise click.ClickException(
                f"SUPERSEDED: the signature is valid, but certificate {cert.code} was replaced"
                f"{newer} on {clock.local_date(cert.superseded_at).isoformat()}")
        if status == "expired":
            raise click.ClickException(
                f"EXPIRED: the signature is valid, but certificate {cert.code} expired on "
                f"{cert.expires_on.isoformat()}")
        if not result.valid:
            raise click.ClickException(f"NOT VALID: {result.reason}")
        click.echo(f"VALID: {claims.get('holder_name')} — {claims.get('achievement_name')} "
                   f"({claims.get('hours')} JP, {claims.get('valid_from')}), code {code}")
        if status == "valid":
            click.echo("Status: valid (neither revoked nor replaced, checked in this "
                       "installation's database).")
        else:
            where = claims.get("id") if str(claims.get("id", "")).startswith("http") else None
            if where is None and code:
                where = cert_services.verify_url(code)
            reason = ("not on record in this installation's database" if looked_up
                      else "the database was not consulted")
            click.echo(f"The signature is valid; whether the certificate was revoked or replaced "
                       f"can only be checked online ({reason}): {where or 'no URL in the file'}")

    @lms.command("render-certificates")
    @click.option("--limit", type=int, default=None, help="Render at most this many.")
    def render_certificates(limit):
        """Render missing or outdated certificate PDFs (run after a design change, or by a worker)."""
        from lms.certificates import services as cert_services

        click.echo(f"rendered {cert_services.render_stale(limit)} certificate(s)")

    @lms.command("worker")
    @click.option("--once", is_flag=True, help="Run the jobs due now, then exit.")
    @click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
                  help="Seconds to sleep when no job is due.")
    @click.option("--max-jobs", type=click.IntRange(min=1), default=None,
                  help="Exit after this many jobs (e.g. to recycle the process).")
    def worker(once, interval, max_jobs):
        """Run background jobs until SIGTERM/SIGINT (finishes the current job first)."""
        from lms.jobs.worker import Worker, stop_on_signals

        job_worker = Worker(interval=interval, max_jobs=max_jobs)
        with stop_on_signals(job_worker):
            processed = job_worker.run(once=once)
        click.echo(f"worker {job_worker.worker_id}: processed {processed} job(s)")

    @lms.command("jobs")
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

    @lms.command("setup")
    @click.pass_context
    def setup(ctx):
        """What `make run` needs after migrating: import courses/ and paths/, create demo accounts."""
        ctx.invoke(import_, paths=(), note="make run")
        ctx.invoke(import_paths, paths=())
        ctx.invoke(demo)
