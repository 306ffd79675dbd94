"""Follow-up drafts: moments supporters want to hear about produce a ready-made broadcast,
in English and Spanish, that an organizer reviews and sends, or discards. Nothing is sent
by itself.

- a packet recorded as delivered: to the petition's consenting signers;
- an official's response recorded (officials.signals.responded): to the same;
- an official's vote recorded on an agenda item about the agreement
  (meetings.services.vote_recorded): one draft per item, however many officials vote, to
  the campaign's consenting supporters, linking to the page of every official's votes;
- a pledge's condition met: to the campaign's consenting supporters (the committed people
  get their own announcement at once, pledges.services).

Each draft is in the audit log, by whoever recorded the moment (nobody for a job).
"""

from __future__ import annotations

from flask_babel import force_locale, format_number
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from campaign.accounts.models import User
from campaign.accounts.services import record_event
from campaign.broadcasts.models import Broadcast, BroadcastOrigin
from campaign.core.i18n import localized, wall_clock
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.meetings import services as meetings
from campaign.meetings.models import Vote
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
    try:
        # Two organizers recording votes on one item at once both find no draft: the second
        # insert meets the unique key, and only that insert is undone, not their vote.
        with db.session.begin_nested():
            db.session.add(broadcast)
    except IntegrityError:
        return None
    user = db.session.get(User, user_id) if user_id is not None else None
    record_event(user, "broadcast_drafted", broadcast_id=broadcast.id, origin=origin.value, key=key)
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


@meetings.vote_recorded.connect
def draft_for_vote(vote: Vote, **_extra) -> Broadcast | None:
    """Made at an item's first vote only: the draft links to the pages that list every
    vote, so the officials recorded after it (and corrections) are there when it is sent,
    and a draft the organizers discarded does not come back with the next official."""
    item = vote.agenda_item
    if not item.concerns_agreement:
        return None
    if db.session.scalar(select(func.count()).where(Vote.agenda_item_id == item.id)) > 1:
        return None
    meeting = item.meeting

    def texts():
        meeting_title, item_title = localized(meeting, "title"), localized(item, "title")
        subject = _("How the %(meeting)s voted on “%(item)s”", meeting=meeting_title, item=item_title)
        body = "\n\n".join(
            [
                _(
                    "The %(meeting)s voted on “%(item)s” at its meeting on %(date)s.",
                    meeting=meeting_title,
                    item=item_title,
                    date=wall_clock(meeting.starts_at, meetings.meeting_zone(meeting)),
                ),
                _("What the vote means, and what comes next: …"),
                _(
                    "How each official voted, on this and on every vote about the agreement: %(link)s",
                    link=external_url("accountability.standings", slug=meeting.campaign.slug),
                ),
                _("The meeting: %(link)s", link=external_url("meetings.show", slug=meeting.slug)),
            ]
        )
        return subject, body

    return _draft(
        meeting.campaign_id, BroadcastOrigin.VOTE_RECORDED, f"votes:{item.id}", {}, texts, vote.recorded_by_id
    )


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
