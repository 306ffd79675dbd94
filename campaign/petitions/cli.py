from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select, update

from campaign.accounts import services as accounts
from campaign.core.params import AsciiInt
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.petitions import counts
from campaign.petitions.models import Petition, PetitionStatus, Signature

petitions_cli = AppGroup("petitions", help="Petitions and signatures.")


@petitions_cli.command("refresh-counts")
@click.option("--all", "every", is_flag=True, help="Closed and delivered petitions too.")
def refresh_counts_command(every: bool) -> None:
    """Recount confirmed signatures by county (pages also ask for this every 10 seconds)."""
    query = select(Petition.id)
    if not every:
        query = query.where(Petition.status == PetitionStatus.OPEN)
    recounted = 0
    for petition_id in db.session.scalars(query).all():
        recounted += counts.refresh_counts(petition_id, force=every)
        db.session.commit()
    click.echo(f"{recounted} petition(s) recounted.")


@petitions_cli.command("purge-ip-hashes")
@click.option(
    "--days",
    default=30,
    type=AsciiInt(0, 36_500),
    show_default=True,
    help="Keep the hashes of records younger than this.",
)
def purge_ip_hashes_command(days: int) -> None:
    """Forget the keyed address hashes of signatures and of login audit events once abuse
    review no longer needs them (run daily)."""
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(
        update(Signature).where(Signature.created_at < cutoff, Signature.ip_hash.is_not(None)).values(ip_hash=None)
    )
    events = accounts.purge_ip_hashes(cutoff)
    db.session.commit()
    click.echo(f"{result.rowcount} address hash(es) removed.")
    click.echo(f"{events} login address hash(es) removed.")
