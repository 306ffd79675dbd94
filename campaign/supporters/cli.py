"""`flask privacy ...` (retention) and `flask signatures ...` (export) commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign.core.errors import DomainError
from campaign.core.text import SLUG_PATTERN
from campaign.extensions import db
from campaign.petitions.services import get_petition
from campaign.supporters import export, retention
from campaign.supporters.filters import SupporterFilter
from campaign.supporters.kinds import Status

privacy_cli = AppGroup("privacy", help="Retention: forget what has aged out.")


@privacy_cli.command("purge")
def purge_command() -> None:
    """Anonymise the signers of petitions closed longer than RETENTION_MONTHS and clear
    everything else that has aged out (address hashes, login addresses, mail texts).
    Run it daily."""
    try:
        run = retention.purge()
    except DomainError as error:
        raise click.ClickException(error.message) from None
    except Exception as error:  # recorded on the run; the operator gets one line, not a traceback
        first_line = (str(error).strip().splitlines() or [""])[0]
        raise click.ClickException(f"The purge stopped: {type(error).__name__}: {first_line}") from None
    for kind, count in run.removed.items():
        click.echo(f"{kind}: {count}")


signatures_cli = AppGroup("signatures", help="Signatures of a petition.")


@signatures_cli.command("export")
@click.argument("slug")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The CSV file to write.")
@click.option("--with-email", is_flag=True, help="Add the signers' email addresses.")
@click.option("--with-phone", is_flag=True, help="Add their phone numbers.")
@click.option("--with-street", is_flag=True, help="Add their street addresses.")
@click.option("--status", type=click.Choice([status.value for status in Status]), help="Only these signatures.")
def export_command(
    slug: str, output: str, with_email: bool, with_phone: bool, with_street: bool, status: str | None
) -> None:
    """Write the signatures of the petition SLUG to a CSV file, as the organizer pages'
    export does: erased signers left out, contact details only when asked. Audited."""
    try:
        if not SLUG_PATTERN.fullmatch(slug):
            raise DomainError(f"No petition has the address {slug!r}.")
        petition = get_petition(slug, include_drafts=True)
        wanted = SupporterFilter.from_args(petition.campaign, {"action": f"petition:{slug}", "status": status or ""})
    except DomainError as error:
        raise click.ClickException(error.message) from None
    asked = {"email": with_email, "phone": with_phone, "street": with_street}
    fields = [name for name, ticked in asked.items() if ticked]
    # Recorded, then written, then committed: a file that cannot be written leaves no event.
    rows = export.record_export(None, petition.campaign, wanted, fields, via="cli")
    try:
        with open(output, "w", encoding="utf-8", newline="") as file:
            for chunk in export.csv_text(petition.campaign, wanted, fields):
                file.write(chunk)
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(f"{output}: {error.strerror or error}") from None
    db.session.commit()
    click.echo(f"{rows} rows written to {output}")
