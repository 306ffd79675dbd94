"""Building packets (streamed from the database), verifying them, logging deliveries."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from campaign.accounts.services import record_event
from campaign.campaigns.models import ShareLink
from campaign.core.errors import DomainError, NotFound
from campaign.core.i18n import localized
from campaign.core.types import utcnow
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.geo.models import County
from campaign.jobs import services as jobs
from campaign.jobs.registry import handler
from campaign.officials.models import Official
from campaign.packets.builder import PacketContent, build_pdf
from campaign.packets.fonts import printable
from campaign.packets.models import Packet, PacketStatus
from campaign.petitions.models import (
    Petition,
    PetitionCounty,
    Signature,
    SignatureSource,
    SignatureStatus,
)

BUILD_JOB = "packets.build"
BATCH = 2000
ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on paper


@dataclass
class PacketRequest:
    county_fips: list[str]
    official_id: int | None = None
    include_address: bool = False
    language: str = "en"


def _new_public_id() -> str:
    raw = "".join(secrets.choice(ID_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _confirmed(petition: Petition, county_fips: list[str]):
    query = select(Signature).where(Signature.petition_id == petition.id, Signature.status == SignatureStatus.CONFIRMED)
    return query.where(Signature.county_fips.in_(county_fips)) if county_fips else query


def request_packet(petition: Petition, request: PacketRequest, user=None, via: str = "web") -> Packet:
    """Check the filters and record a packet to build, with who asked for it in the audit
    log (`via` tells where from). Refused input writes nothing."""
    counties = sorted(set(request.county_fips))
    for fips in counties:
        if db.session.get(County, fips) is None:
            raise NotFound(_("No county has the FIPS code %(fips)s.", fips=fips), field="county_fips")
    if request.official_id is not None and db.session.get(Official, request.official_id) is None:
        raise NotFound(_("There is no official number %(id)s.", id=request.official_id), field="official_id")
    if request.language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Choose English or Spanish."), field="language")
    count = _count(_confirmed(petition, counties))
    if not count:
        if counties:
            raise DomainError(_("No confirmed signature comes from the chosen counties."), field="county_fips")
        raise DomainError(_("This petition has no confirmed signature yet: there is nothing to print."))
    packet = Packet(
        public_id=_new_public_id(),
        petition=petition,
        county_fips=counties,
        official_id=request.official_id,
        include_address=request.include_address,
        language=request.language,
        built_by_id=getattr(user, "id", None),
    )
    db.session.add(packet)
    db.session.flush()
    record_event(
        user,
        "packet_requested",
        packet=packet.public_id,
        petition=petition.slug,
        counties=counties,
        include_address=request.include_address,
        via=via,
    )
    return packet


def enqueue_build(packet: Packet) -> None:
    packet.job_id = jobs.enqueue(BUILD_JOB, packet_id=packet.id).id


def packet_dir() -> Path:
    directory = Path(current_app.instance_path) / "packets"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _county_groups(petition: Petition, counties: list[str]) -> list[tuple[str, str, int]]:
    """(FIPS, label, confirmed) for each county in the packet: the petition's own counties
    first, then by number of signatures."""
    query = (
        select(Signature.county_fips, County.name, County.state, func.count())
        .join(County, County.fips == Signature.county_fips)
        .where(Signature.petition_id == petition.id, Signature.status == SignatureStatus.CONFIRMED)
        .group_by(Signature.county_fips, County.name, County.state)
    )
    if counties:
        query = query.where(Signature.county_fips.in_(counties))
    targets = set(
        db.session.scalars(
            select(PetitionCounty.county_fips).where(
                PetitionCounty.petition_id == petition.id, PetitionCounty.is_target.is_(True)
            )
        )
    )
    rows = [(fips, f"{name}, {state}", count) for fips, name, state, count in db.session.execute(query)]
    return sorted(rows, key=lambda row: (row[0] not in targets, -row[2], row[1]))


def _rows(petition: Petition, fips: str, label: str, numbers: Iterator[int], include_address: bool) -> Iterator[dict]:
    """One county's confirmed signatures in signing order, streamed in batches. Anonymised
    ones (erasure, retention) have no name to print: they count in the totals only."""
    columns = [
        Signature.first_name,
        Signature.last_name,
        Signature.city,
        Signature.zip_code,
        Signature.created_at,
        Signature.source,
        Signature.comment,
        Signature.street_address,
    ]
    query = (
        select(*columns)
        .where(
            Signature.petition_id == petition.id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.county_fips == fips,
            Signature.anonymised_at.is_(None),
        )
        .order_by(Signature.created_at, Signature.id)
        .execution_options(yield_per=BATCH)
    )
    county = printable(label)
    online, paper = _("online"), _("paper")
    for first, last, city, zip_code, created_at, source, comment, address in db.session.execute(query):
        yield {
            "number": str(next(numbers)),
            "name": printable(f"{first} {last}"),
            "city": printable(city),
            "county": county,
            "zip": zip_code,
            "signed": created_at.strftime("%Y-%m-%d"),
            "source": paper if source is SignatureSource.PAPER else online,
            "comment": printable(comment),
            "address": printable(address) if include_address else "",
        }


def default_letter() -> str:
    return _(
        "Dear {official},\n"
        "We are delivering the signatures of {count} people who call on you to act on the petition "
        '"{petition}". {residents}\n'
        "Each online signature was confirmed by its signer by email; signatures gathered on paper "
        "are marked as such. The last page of this packet tells how to check that it is genuine.\n"
        "Respectfully,\n{organization}"
    )


def _letter(petition: Petition, packet: Packet, recipient: str, total: int, residents: int | None) -> str:
    organization = petition.campaign.organization.name
    values = {
        "official": recipient,
        "count": f"{total:,}",
        "petition": localized(petition, "title"),
        "organization": organization,
        "residents": _("%(count)s of them live in the counties the petition is about.", count=f"{residents:,}")
        if residents
        else "",
    }
    template = petition.cover_letter or default_letter()
    # Only the named placeholders are filled: braces in an organizer's letter stay as typed.
    return re.sub(r"\{(\w+)\}", lambda match: values.get(match.group(1), match.group(0)), template)


def build(packet: Packet, on_progress=None) -> Packet:
    """Write the PDF under instance/packets/, then record its page count and SHA-256."""
    petition = packet.petition
    with force_locale(packet.language):
        groups = _county_groups(petition, packet.county_fips)
        total = sum(count for _fips, _label, count in groups)
        targets = {entry.county_fips for entry in petition.counties if entry.is_target}
        residents = sum(count for fips, _label, count in groups if fips in targets) if targets else None
        paper = _count(_confirmed(petition, packet.county_fips).where(Signature.source == SignatureSource.PAPER))
        partner_codes = select(ShareLink.code).where(
            ShareLink.campaign_id == petition.campaign_id, ShareLink.organization_id.is_not(None)
        )
        via_partners = _count(_confirmed(petition, packet.county_fips).where(Signature.referral.in_(partner_codes)))
        anonymous = _count(_confirmed(petition, packet.county_fips).where(Signature.anonymised_at.is_not(None)))
        officials = [packet.official] if packet.official else list(petition.targets)
        recipients = [f"{official.name}, {official.title}" for official in officials]
        recipients += [official.office_address for official in officials[:1] if official.office_address]
        greeting = " / ".join(official.name for official in officials) or _("Officials")
        numbers = iter(range(1, total + 1))
        content = PacketContent(
            packet_id=packet.public_id,
            campaign_title=localized(petition.campaign, "title"),
            petition_title=localized(petition, "title"),
            ask=localized(petition, "ask"),
            body=localized(petition, "body") or "",
            letter=_letter(petition, packet, greeting, total, residents),
            recipients=recipients,
            organization=petition.campaign.organization.name,
            generated_at=utcnow(),
            verify_url=external_url("packets.verify", public_id=packet.public_id),
            total=total,
            residents=residents,
            online=total - paper,
            paper=paper,
            via_partners=via_partners,
            anonymous=anonymous,
            county_counts=[(label, count) for _fips, label, count in groups],
            include_address=packet.include_address,
            signatures=(
                (label, count, _rows(petition, fips, label, numbers, packet.include_address))
                for fips, label, count in groups
            ),
        )
        step = max(total // 50, 1)

        def progress(drawn: int) -> None:
            if on_progress is not None and drawn % step == 0:
                on_progress(min(99, 100 * drawn // total))

        target = packet_dir() / packet.file_name
        partial = target.with_suffix(".part")
        with partial.open("wb") as stream:
            pages = build_pdf(content, stream, progress)
        os.replace(partial, target)
    packet.page_count = pages
    packet.signature_count = total
    packet.county_counts = [[label, count] for label, count in content.county_counts]
    packet.sha256 = file_digest(target)
    packet.built_at = content.generated_at
    packet.status = PacketStatus.READY
    packet.error = None
    return packet


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@handler(BUILD_JOB)
def build_job(packet_id: int) -> dict:
    packet = db.session.get(Packet, packet_id)
    try:
        build(
            packet, on_progress=lambda percent: jobs.report_progress(packet.job_id, percent) if packet.job_id else None
        )
    except Exception as error:
        db.session.rollback()
        packet = db.session.get(Packet, packet_id)
        packet.status = PacketStatus.FAILED
        packet.error = f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()
        raise
    db.session.commit()
    return {"pages": packet.page_count, "sha256": packet.sha256}


def get_packet(public_id: str) -> Packet:
    packet = db.session.scalar(select(Packet).where(Packet.public_id == (public_id or "").strip().upper()))
    if packet is None or packet.status is not PacketStatus.READY:
        raise NotFound(_("No packet has the ID %(id)s. Check the ID printed at the foot of its pages.", id=public_id))
    return packet


def matches(packet: Packet, digest: str) -> bool:
    """Whether a SHA-256 (hex, as printed by sha256sum) is the one recorded for the packet."""
    # As bytes: compare_digest refuses non-ASCII text, and a pasted digest may hold any character.
    return hmac.compare_digest((digest or "").strip().lower().encode(), (packet.sha256 or "").encode())
