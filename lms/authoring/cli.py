"""`flask lms export-zip` commands: thin wrappers over the authoring services the web views use too.
Registered by lms/cli.py from `COMMANDS`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.authoring.services import drafts
from lms.authoring.services.zips import export_zip_bytes, live_files


@click.command("export-zip")
@click.argument("slug")
@click.argument("dest", type=click.Path(dir_okay=False, writable=True))
@click.option("--draft", is_flag=True, help="Export the authoring draft instead of the live version.")
@with_appcontext
def export_zip_command(slug: str, dest: str, draft: bool):
    """Write a course's live version (or draft) to a zip file, byte for byte."""
    if draft:
        workspace = drafts.draft_for(slug)
        files = drafts.files(workspace) if workspace is not None else None
    else:
        files = live_files(slug)
    if files is None:
        raise click.ClickException(f"no {'draft' if draft else 'published version'} of course "
                                   f"{slug!r}")
    Path(dest).write_bytes(export_zip_bytes(slug, files))
    click.echo(f"exported {slug} ({len(files)} files) to {dest}")


COMMANDS = [export_zip_command]
