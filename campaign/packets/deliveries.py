"""Packets handed to officials, and what the officials answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from campaign.campaigns.models import Campaign, CampaignStatus
from campaign.core.errors import DomainError, NotFound
from campaign.core.types import utcnow
from campaign.core.urls import web_link
from campaign.extensions import db
from campaign.officials import signals as official_signals
from campaign.officials.models import Official
from campaign.packets.models import Delivery, DeliveryMethod, Packet, PacketStatus, Response
from campaign.petitions.models import Petition, PetitionStatus

# Sent with the Delivery when a packet is recorded as delivered (follow-up broadcasts listen).
delivered = Namespace().signal("packet-delivered")


@dataclass
class DeliveryInput:
    recipient: str
    method: DeliveryMethod
    delivered_at: datetime
    official_id: int | None = None
    notes: str | None = None
    response: str | None = None


def record_delivery(packet: Packet, data: DeliveryInput, user) -> Delivery:
    official = db.session.get(Official, data.official_id) if data.official_id else None
    if data.official_id and official is None:
        raise NotFound(_("There is no official number %(id)s.", id=data.official_id), field="official_id")
    recipient = (data.recipient or "").strip() or (f"{official.name}, {official.title}" if official else "")
    if not recipient:
        raise DomainError(_("Say to whom the packet was delivered."), field="recipient")
    if data.delivered_at > utcnow():
        raise DomainError(_("A delivery cannot be in the future."), field="delivered_at")
    delivery = Delivery(
        packet=packet,
        official=official,
        recipient=recipient[:200],
        method=data.method,
        delivered_at=data.delivered_at,
        delivered_by_id=user.id,
        notes=(data.notes or "").strip() or None,
    )
    db.session.add(delivery)
    db.session.flush()
    delivered.send(delivery)
    if (data.response or "").strip():
        record_response(delivery, ResponseInput(responded_on=data.delivered_at.date(), text=data.response), user)
    return delivery


@dataclass
class ResponseInput:
    responded_on: date
    text: str | None = None
    document_url: str | None = None


def record_response(delivery: Delivery, data: ResponseInput, user) -> Response:
    """An official's answer to a delivered packet; its follow-up notice goes to the signers."""
    text = (data.text or "").strip() or None
    document_url = web_link(data.document_url, "document_url")
    if text is None and document_url is None:
        raise DomainError(_("Write the response or link to it."), field="text")
    if data.responded_on < delivery.delivered_at.date():
        raise DomainError(_("A response cannot come before the delivery."), field="responded_on")
    if data.responded_on > utcnow().date():
        raise DomainError(_("A response cannot be in the future."), field="responded_on")
    response = Response(
        delivery=delivery,
        official=delivery.official,
        responded_on=data.responded_on,
        text=text,
        document_url=document_url,
        recorded_by_id=user.id,
    )
    db.session.add(response)
    db.session.flush()
    official_signals.responded.send(
        response,
        petition_id=delivery.packet.petition_id,
        official_name=delivery.official.name if delivery.official else delivery.recipient,
        response="\n\n".join(part for part in (text, document_url) if part),
        key=f"response:{response.id}",
        user_id=user.id,
    )
    return response


def get_delivery(packet: Packet, delivery_id: int) -> Delivery:
    delivery = db.session.scalar(select(Delivery).where(Delivery.id == delivery_id, Delivery.packet_id == packet.id))
    if delivery is None:
        raise NotFound(_("This packet has no delivery number %(id)s.", id=delivery_id))
    return delivery


def deliveries_to(official_ids) -> dict[int, list[Delivery]]:
    """The deliveries of built packets of public petitions to each official, newest first,
    with their packet, petition and responses, in one query: the public record of what each
    official was handed (the officials' standings page links each to packets.verify)."""
    query = (
        select(Delivery)
        .join(Delivery.packet)
        .join(Packet.petition)
        .join(Petition.campaign)
        .where(
            Delivery.official_id.in_(set(official_ids)),
            Packet.status == PacketStatus.READY,
            Petition.status != PetitionStatus.DRAFT,
            Campaign.status != CampaignStatus.DRAFT,
        )
        .options(contains_eager(Delivery.packet).contains_eager(Packet.petition), selectinload(Delivery.responses))
        .order_by(Delivery.delivered_at.desc(), Delivery.id.desc())
    )
    found: dict[int, list[Delivery]] = {}
    for delivery in db.session.scalars(query).unique():
        found.setdefault(delivery.official_id, []).append(delivery)
    return found
