"""`flask lms webhooks ...`."""

from __future__ import annotations

import click

from lms.plugins import PermanentJobError
from pelita_webhooks import delivery, store


@click.group("webhooks", help="Webhooks for learning events (the pelita-webhooks plugin).")
def webhooks() -> None:
    pass


@webhooks.command("list", help="List the endpoints and the events each receives.")
def list_endpoints() -> None:
    found = store.endpoints()
    if not found:
        click.echo("No endpoints. Add one at /p/webhooks/.")
    for endpoint in found:
        click.echo(f"{endpoint.id}  {endpoint.url}  {', '.join(endpoint.events) or 'all events'}")


@webhooks.command("send-test", help="POST a signed `ping` delivery to an endpoint now.")
@click.argument("endpoint_id")
def send_test(endpoint_id: str) -> None:
    endpoint = store.get_endpoint(endpoint_id)
    if endpoint is None:
        raise click.ClickException(f"no endpoint {endpoint_id!r}; `flask lms webhooks list` "
                                   "shows the ids")
    try:
        result = delivery.send_test(endpoint)
    except (delivery.DeliveryFailed, PermanentJobError) as err:
        raise click.ClickException(f"not delivered: {err}") from None
    click.echo(f"Delivered to {endpoint.url}: HTTP {result.status}")
