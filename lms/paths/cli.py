"""`flask lms import-paths` commands: thin wrappers over the learning-path services the web views use too.
Registered by lms/cli.py from `COMMANDS`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("import-paths")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@with_appcontext
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


COMMANDS = [import_paths]
