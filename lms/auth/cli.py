"""`flask lms create-admin` commands: thin wrappers over the account services the web views use too.
Registered by lms/cli.py from `COMMANDS`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.auth import services as auth_services
from lms.auth.models import Role
from lms.errors_domain import ServiceError


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(email: str, full_name: str, password: str):
    """Create an administrator account (the first admin of a new installation)."""
    try:
        user = auth_services.create_user(email=email, full_name=full_name,
                                         password=password, role=Role.ADMIN)
    except ServiceError as err:
        raise click.ClickException(str(err.message)) from None
    click.echo(f"Administrator {user.email} created.")


COMMANDS = [create_admin]
