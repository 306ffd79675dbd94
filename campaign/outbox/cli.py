from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.outbox import services
from campaign.outbox.models import MessageStatus

outbox_cli = AppGroup("outbox", help="Outgoing mail.")


@outbox_cli.command("send")
def send_command() -> None:
    """Write the mail that has come due (forum reminders), then deliver every message that is
    due, retrying earlier failures, and empty the bodies of messages sent long ago. Run it
    from cron every few minutes."""
    produced = services.produce_due()
    for name, outcome in produced.items():
        if isinstance(outcome, str):
            click.echo(f"{name}: failed: {outcome}", err=True)
        elif outcome:
            click.echo(f"{name}: {outcome} written.")
    totals = services.deliver_pending()
    click.echo(f"{totals['sent']} sent, {totals['retrying']} to retry, {totals['failed']} failed for good.")
    purged = services.purge_sent_bodies()
    db.session.commit()
    if purged:
        click.echo(f"{purged} sent messages emptied of their bodies.")
    if totals["retrying"] or totals["failed"] or any(isinstance(outcome, str) for outcome in produced.values()):
        raise SystemExit(1)


@outbox_cli.command("status")
def status_command() -> None:
    """Count messages by status."""
    counts = services.status_counts()
    click.echo(", ".join(f"{status}: {count}" for status, count in sorted(counts.items())) or "The outbox is empty.")


@outbox_cli.command("test")
@click.argument("recipient")
def test_command(recipient: str) -> None:
    """Send a test message to RECIPIENT now (with any other mail that is due), to check the
    mail settings."""
    # Written as due and sent here rather than by the job runner, so the outcome can be shown.
    message = services.enqueue(
        recipient, "outbox/test", {"link": current_app.config["BASE_URL"] + "/"}, not_before=utcnow()
    )
    db.session.commit()
    services.deliver_pending()
    db.session.refresh(message)
    if message.status is not MessageStatus.SENT:
        raise click.ClickException(f"the test message to {recipient} was not sent: {message.last_error}")
    where = "by SMTP" if current_app.config["MAIL_SERVER"] else f"as a file in {current_app.config['MAIL_FILE_DIR']}"
    click.echo(f"Test message to {recipient} sent {where}.")
