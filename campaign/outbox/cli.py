from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign.outbox import services

outbox_cli = AppGroup("outbox", help="Outgoing mail.")


@outbox_cli.command("send")
def send_command() -> None:
    """Deliver every message that is due, retrying earlier failures (run it from cron)."""
    totals = services.deliver_pending()
    click.echo(f"{totals['sent']} sent, {totals['retrying']} to retry, {totals['failed']} failed for good.")
    if totals["retrying"] or totals["failed"]:
        raise SystemExit(1)


@outbox_cli.command("status")
def status_command() -> None:
    """Count messages by status."""
    counts = services.status_counts()
    click.echo(", ".join(f"{status}: {count}" for status, count in sorted(counts.items())) or "The outbox is empty.")
