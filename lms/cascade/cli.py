"""`flask lms grant-path-roles`: give the facilitator role (or whatever role a path grants) to
people already certified on the path — those who finished before the path granted it. Calls
the same service as certification (`lms.cascade.services`). Registered by lms/cli.py."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("grant-path-roles")
@with_appcontext
def grant_path_roles_cmd():
    """Give each path's role to the participants already certified on it (audited)."""
    from lms.cascade import services

    granted = services.grant_missed_path_roles()
    for user, role in granted:
        click.echo(f"{user.email}: {role}")
    click.echo(f"{len(granted)} account(s) given a role.")


COMMANDS = [grant_path_roles_cmd]
