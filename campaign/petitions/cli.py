from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from campaign.accounts import services as accounts
from campaign.core.params import AsciiInt
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.petitions import counts, retention
from campaign.petitions.models import Petition, PetitionStatus

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
    type=AsciiInt(0, 36_500),
    help="Keep the hashes of records younger than this (default: IP_HASH_DAYS).",
)
def purge_ip_hashes_command(days: int | None) -> None:
    """Forget the keyed address hashes of signatures and of login audit events once abuse
    review no longer needs them (`flask privacy purge` does this and the rest daily)."""
    cutoff = utcnow() - timedelta(days=current_app.config["IP_HASH_DAYS"] if days is None else days)
    signatures = retention.purge_ip_hashes(cutoff)
    events = accounts.purge_ip_hashes(cutoff)
    db.session.commit()
    click.echo(f"{signatures} address hash(es) removed.")
    click.echo(f"{events} login address hash(es) removed.")
