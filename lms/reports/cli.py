"""`flask lms set-target`: the programme's targets from the server, through the same service as
the targets form (`lms.reports.services.set_target`, audited with no actor).
Registered by lms/cli.py from `COMMANDS`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("set-target")
@click.argument("code")
@click.argument("villages", type=click.IntRange(min=0))
@click.option("--facilitators", type=click.IntRange(min=0), default=None,
              help="Certified facilitators wanted in the region (left out: unchanged).")
@with_appcontext
def set_target_cmd(code, villages, facilitators):
    """Set the target of a province or regency/city (Kemendagri CODE, e.g. 32 or 32.04):
    VILLAGES village libraries to reach, and optionally a facilitator target."""
    from flask_babel import force_locale

    from lms import regions
    from lms.errors_domain import ServiceError
    from lms.reports import queries, services

    if facilitators is None:  # keep what is set
        facilitators = queries.targets([code.strip()]).get(code.strip(), (None, None))[1]
    with force_locale("en"):
        try:
            target = services.set_target(None, code, villages, facilitators)
        except ServiceError as err:
            raise click.ClickException(str(err.message)) from None
    wanted = "no facilitator target" if target.facilitators_target is None else (
        f"{target.facilitators_target} facilitators")
    click.echo(f"{regions.name(target.region_code)} ({target.region_code}): "
               f"{target.villages_target} village libraries, {wanted}")


COMMANDS = [set_target_cmd]
