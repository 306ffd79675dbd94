"""Follow-up drafts: moments supporters want to hear about produce a ready-made broadcast,
in English and Spanish, that an organizer reviews and sends, or discards. Nothing is sent
by itself.

- a packet recorded as delivered: to the petition's consenting signers;
- an official's response recorded (officials.signals.responded): to the same;
- a pledge's condition met: to the campaign's consenting supporters (the committed people
  get their own announcement at once, pledges.services).
"""

from __future__ import annotations

from flask_babel import force_locale, format_number
from flask_babel import gettext as _
from sqlalchemy import select

from campaign.broadcasts.models import Broadcast, BroadcastOrigin
from campaign.core.i18n import localized
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.officials import signals as official_signals
from campaign.packets import deliveries as packets
from campaign.packets.models import Delivery
from campaign.petitions.models import Petition
from campaign.pledges import services as pledges
from campaign.pledges.models import Pledge


def _draft(
    campaign_id: int, origin: BroadcastOrigin, key: str, audience: dict, texts, user_id: int | None
) -> Broadcast | None:
    """One draft per moment (`key`); `texts()` gives (subject, body) in the current language."""
    if db.session.scalar(select(Broadcast.id).where(Broadcast.origin_key == key)) is not None:
        return None
    written = {}
    for language in ("en", "es"):
        with force_locale(language):
            written[language] = texts()
    broadcast = Broadcast(
        campaign_id=campaign_id,
        origin=origin,
        origin_key=key,
        audience=audience,
        subject_en=written["en"][0],
        body_en=written["en"][1],
        subject_es=written["es"][0],
        body_es=written["es"][1],
        created_by_id=user_id,
    )
    db.session.add(broadcast)
    db.session.flush()
    return broadcast


def _petition_link(petition: Petition) -> str:
    return external_url("petitions.show", slug=petition.slug)


@packets.delivered.connect
def draft_for_delivery(delivery: Delivery, **_extra) -> Broadcast | None:
    petition = delivery.packet.petition

    def texts():
        title = localized(petition, "title")
        subject = _("We delivered %(count)s signatures", count=format_number(delivery.packet.signature_count))
        body = "\n\n".join(
            [
                _(
                    "Today we handed %(recipient)s a packet of %(count)s signatures on “%(petition)s”.",
                    recipient=delivery.recipient,
                    count=format_number(delivery.packet.signature_count),
                    petition=title,
                ),
                _("Thank you: every one of those names is yours. Here is what comes next: …"),
                _("The petition: %(link)s", link=_petition_link(petition)),
            ]
        )
        return subject, body

    audience = {"action": f"petition:{petition.slug}"}
    return _draft(
        petition.campaign_id,
        BroadcastOrigin.PACKET_DELIVERED,
        f"delivery:{delivery.id}",
        audience,
        texts,
        delivery.delivered_by_id,
    )


@official_signals.responded.connect
def draft_for_response(
    _sender, *, petition_id: int, official_name: str | None, response: str, key: str, user_id: int | None = None
) -> Broadcast | None:
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        return None

    def texts():
        who = official_name or _("An official")
        subject = _("%(official)s answered our petition", official=who)
        body = "\n\n".join(
            [
                _("%(official)s answered “%(petition)s”:", official=who, petition=localized(petition, "title")),
                "\n".join(f"> {line}" for line in response.strip().splitlines()),
                _("What we make of it, and what comes next: …"),
                _("The petition: %(link)s", link=_petition_link(petition)),
            ]
        )
        return subject, body

    audience = {"action": f"petition:{petition.slug}"}
    return _draft(petition.campaign_id, BroadcastOrigin.OFFICIAL_RESPONSE, key, audience, texts, user_id)


@pledges.condition_met.connect
def draft_for_pledge(pledge: Pledge, **_extra) -> Broadcast | None:
    def texts():
        title = localized(pledge, "title")
        subject = _("The pledge “%(pledge)s” is on", pledge=title)
        body = "\n\n".join(
            [
                _(
                    "%(count)s people committed to “%(pledge)s”: enough for it to count.",
                    count=format_number(pledge.threshold),
                    pledge=title,
                ),
                _("Join them: %(link)s", link=external_url("pledges.show", slug=pledge.slug)),
            ]
        )
        return subject, body

    return _draft(pledge.campaign_id, BroadcastOrigin.PLEDGE_MET, f"pledge:{pledge.id}", {}, texts, None)
