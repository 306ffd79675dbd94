from __future__ import annotations

import getpass
import shutil

import click
from flask.cli import AppGroup

from campaign.core.errors import DomainError
from campaign.core.params import AsciiInt
from campaign.extensions import db
from campaign.packets import services
from campaign.petitions.services import get_petition

packets_cli = AppGroup("packets", help="Signature packets.")


@packets_cli.command("build")
@click.argument("petition_slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--county", "counties", multiple=True, help="County FIPS code; repeat for several.")
@click.option("--official", "official_id", type=AsciiInt(1), help="Address the packet to this official (ID).")
@click.option("--include-address", is_flag=True, help="Print street addresses (off by default).")
@click.option("--lang", "language", default="en", type=click.Choice(["en", "es"]))
def build_command(petition_slug, output, counties, official_id, include_address, language) -> None:
    """Build a packet now and copy it to OUTPUT."""
    try:
        petition = get_petition(petition_slug, include_drafts=True)
        packet = services.request_packet(
            petition,
            services.PacketRequest(list(counties), official_id, include_address, language),
            via=f"cli:{getpass.getuser()}",
        )
        services.build(packet)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    shutil.copyfile(services.packet_dir() / packet.file_name, output)
    click.echo(
        f"Packet {packet.public_id}: {packet.signature_count:,} signatures, {packet.page_count} pages, "
        f"sha256 {packet.sha256} -> {output}"
    )
