"""`newsarchive webhooks send`: send the webhooks that are due, outside a crawl."""

from __future__ import annotations

import click

from newsarchive import services
from newsarchive.cli.common import load_settings, open_sessions
from newsarchive.db.base import utc_now


@click.group()
def webhooks() -> None:
    """Webhooks of alerts and saved searches (crawl runs send them as they end)."""


@webhooks.command("send")
@click.option(
    "--budget",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds of sending at most; what is left waits.",
)
def webhooks_send(budget: float) -> None:
    """Send the webhooks that are due now (for a deployment whose crawls run rarely)."""
    from newsarchive.watch.webhooks import deliver_due

    settings = load_settings()
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    with open_sessions() as sessions, services.poster(settings) as poster:
        arrived = deliver_due(sessions, poster, secret=secret, clock=utc_now, budget=budget)
    click.echo(f"delivered {arrived}")
