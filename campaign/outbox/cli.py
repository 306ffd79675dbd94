from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup

from campaign.core.csvimport import sniff_dialect
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.outbox import services, suppression
from campaign.outbox.models import MessageStatus, SuppressionReason

outbox_cli = AppGroup("outbox", help="Outgoing mail.")
mail_cli = AppGroup("mail", help="Addresses that get no more mail (bounces and complaints).")

MAX_LIST_MB = 50
LIST_BATCH = 1_000  # addresses per transaction: an interrupted import is simply run again
# Column names as providers write them, compared in lower case without spaces, dashes or a
# BOM; the first one found holds the addresses.
ADDRESS_COLUMNS = ("email", "emailaddress", "recipient", "address")
REASON_COLUMNS = ("type", "reason", "bouncetype")


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


def _column_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _read_list(path: Path) -> str:
    """The whole file as text, or one line saying why not, before anything is recorded."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise click.ClickException(f"{path} is not a file.")
        if size > MAX_LIST_MB * 1024 * 1024:
            raise click.ClickException(f"{path} is over {MAX_LIST_MB} MB: split it and import each part.")
        data = path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror or error}.") from None
    if b"\x00" in data:
        raise click.ClickException(f"{path} is not a CSV text file (it holds binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{path} is not UTF-8 text (byte {error.start}): export it again as CSV in UTF-8."
        ) from None


def _reason(value: str, default: SuppressionReason) -> SuppressionReason | None:
    """What a provider's type column says; None for a soft bounce (a full mailbox, a server
    down for a while), which is no reason to stop the mail."""
    value = value.lower()
    if "soft" in value or "transient" in value:
        return None
    if "bounce" in value or "hard" in value:
        return SuppressionReason.BOUNCE
    if "complaint" in value or "spam" in value or "abuse" in value:
        return SuppressionReason.COMPLAINT
    return default


def _entry(
    row: list[str], address_column: int, reason_column: int | None, default: SuppressionReason
) -> tuple[str, SuppressionReason, str]:
    """(address, reason, the type the file gave) of one line; ValueError saying why it is left out."""
    address = row[address_column].strip() if address_column < len(row) else ""
    if not address:
        raise ValueError("no address.")
    try:
        address = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(f"{address[:100]!r} is not an email address: {error}") from None
    given = row[reason_column].strip() if reason_column is not None and reason_column < len(row) else ""
    reason = _reason(given, default)
    if reason is None:
        raise ValueError(f"{address}: {given!r} is a temporary failure, not suppressed.")
    return address, reason, given


@mail_cli.command("suppress")
@click.argument("path", metavar="FILE.csv", type=click.Path(path_type=Path))
@click.option(
    "--reason",
    type=click.Choice([reason.value for reason in SuppressionReason]),
    default=SuppressionReason.BOUNCE.value,
    show_default=True,
    help="For lines the file gives no type: bounce stops all mail, complaint stops broadcasts.",
)
def suppress_command(path: Path, reason: str) -> None:
    """Stop mail to the addresses of a mail provider's bounce or complaint list (CSV, UTF-8):
    a column named email, email address, recipient or address, and optionally one named
    type or reason ("hard bounce", "spam complaint"; a soft bounce is left out). A bounced
    address gets no mail at all; an address that complained gets no more broadcasts."""
    text = _read_list(path)
    rows = csv.reader(io.StringIO(text, newline=""), sniff_dialect(text))
    names = next(rows, [])
    header = [_column_key(name) for name in names]
    address_column = next((header.index(name) for name in ADDRESS_COLUMNS if name in header), None)
    if address_column is None:
        found = ", ".join(repr(name) for name in names)[:300] or "none"
        raise click.ClickException(
            f"{path} has no address column (email, email address, recipient or address); its columns: {found}."
        )
    reason_column = next((header.index(name) for name in REASON_COLUMNS if name in header), None)
    suppressed = new = skipped = 0
    try:
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            try:
                address, found_reason, given = _entry(row, address_column, reason_column, SuppressionReason(reason))
            except ValueError as problem:
                skipped += 1
                click.echo(f"line {rows.line_num}: {problem}", err=True)
                continue
            if suppression.suppress(address, found_reason, "import", f"{path.name}: {given}" if given else path.name):
                new += 1
            suppressed += 1
            if suppressed % LIST_BATCH == 0:
                db.session.commit()
    except csv.Error as error:
        _imported(path, suppressed, new, skipped, stopped_at_line=rows.line_num)
        db.session.commit()
        raise click.ClickException(
            f"line {rows.line_num}: {error}; the {suppressed} addresses before it are recorded."
        ) from None
    _imported(path, suppressed, new, skipped)
    db.session.commit()
    click.echo(f"{suppressed} suppressed ({new} new), {skipped} lines skipped")


def _imported(path: Path, suppressed: int, new: int, skipped: int, **more) -> None:
    suppression.imported.send(None, file=path.name, suppressed=suppressed, new=new, skipped=skipped, **more)
