"""`flask lms validate | import | export` commands: thin wrappers over the course services the web views use too.
Registered by lms/cli.py from `COMMANDS`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.content import CoursePackError
from lms.courses.services import importer


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


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--figures", is_flag=True,
              help="Also print every quiz's share of right options that are the longest.")
@with_appcontext
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


@click.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--note", default="", help="A change note stored with new versions.")
@with_appcontext
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


@click.command("export")
@click.argument("slug")
@click.argument("dest", type=click.Path())
@click.option("--overwrite", is_flag=True, help="Replace files in a non-empty folder.")
@with_appcontext
def export(slug, dest, overwrite):
    """Write a course's current version back to a pack folder, byte for byte."""
    try:
        path = importer.export_course(slug, dest, overwrite=overwrite)
    except (LookupError, CoursePackError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"exported {slug} to {path}")


@click.command("export-offline")
@click.argument("slug")
@click.argument("dest", type=click.Path(dir_okay=False, writable=True))
@click.option("--overwrite", is_flag=True, help="Replace the file if it exists.")
@with_appcontext
def export_offline(slug, dest, overwrite):
    """Write a course's current version as static HTML in a zip, for a library without
    internet: unzip it on a USB stick and open index.html in any browser (docs/offline.md)."""
    from pathlib import Path

    from lms.courses import queries

    course = queries.course_by_slug(slug)
    if course is None:
        raise click.ClickException(f"no course with the slug {slug!r} (flask lms import first?)")
    path = Path(dest)
    if path.exists() and not overwrite:
        raise click.ClickException(f"{path} exists; use --overwrite to replace it")
    bundle = queries.offline_zip(course)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(bundle.data)
    partial.replace(path)
    click.echo(f"exported {slug} (version {course.current_version.version_label}) to {path}: "
               f"{len(bundle.data)} bytes; unzip it and open {bundle.filename[:-4]}/index.html")


@click.command("rerender-modules")
@click.argument("slug", required=False)
@with_appcontext
def rerender_modules(slug):
    """Render every stored module page again (all courses, or SLUG) from its version's own
    sources with the current renderer. Run it once after an upgrade whose notes say module HTML
    changed; restart the web instances afterwards (they cache rendered pages per version)."""
    try:
        results = importer.rerender_modules(slug)
    except LookupError:
        raise click.ClickException(f"no course with the slug {slug!r}") from None
    for result in results:
        changed = ", ".join(result.modules_changed) or "no change"
        click.echo(f"{result.slug} version {result.version_id}: {changed}")
    total = sum(len(r.modules_changed) for r in results)
    click.echo(f"{total} module page(s) rendered anew in {len(results)} version(s)")


COMMANDS = [validate, import_, export, export_offline, rerender_modules]
