"""What the organizer pages of broadcasts read and show, writing nothing: a campaign's
broadcasts with their figures, the audience in words, and each message as its recipients
will read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from campaign.broadcasts import delivery, rendering, services
from campaign.broadcasts.audience import read_audience
from campaign.broadcasts.models import Broadcast, BroadcastOrigin, BroadcastStatus
from campaign.campaigns.models import Campaign
from campaign.core.i18n import wall_clock
from campaign.geo.services import county_zone


@dataclass(frozen=True)
class Row:
    broadcast: Broadcast
    progress: delivery.Progress | None  # None until sending starts: nothing to count yet


@dataclass(frozen=True)
class Listing:
    rows: list[Row]
    follow_ups_waiting: int  # drafts a packet, a response, a vote or a pledge made, not sent or discarded


def listing(campaign: Campaign) -> Listing:
    rows = [
        Row(broadcast, None if broadcast.editable else delivery.progress(broadcast))
        for broadcast in services.for_campaign(campaign)
    ]
    waiting = sum(
        1
        for row in rows
        if row.broadcast.status is BroadcastStatus.DRAFT and row.broadcast.origin is not BroadcastOrigin.MANUAL
    )
    return Listing(rows, waiting)


def audience_words(broadcast: Broadcast) -> list[str]:
    """The audience as a person reads it: "Petition: …", "County: …", and always the active
    supporters who asked for email."""
    return read_audience(broadcast.campaign, broadcast.audience).describe()


def local_time(moment: datetime, campaign: Campaign) -> str:
    return wall_clock(moment, county_zone(campaign.county), "medium")


@dataclass(frozen=True)
class Preview:
    language: str
    subject: str
    html: Markup  # the HTML part's body and footer, without the mail's own layout
    text: str  # the plain-text part


def previews(broadcast: Broadcast) -> list[Preview]:
    """The message in English, and in Spanish when written, with the unsubscribe link of a
    test message: it leads to a page saying so."""
    found = []
    for language in rendering.written_languages(broadcast):
        rendered = rendering.render(broadcast, language)
        link = rendering.test_link(broadcast, language)
        text, _html = rendered.for_link(link)
        found.append(Preview(language, rendered.subject, rendered.content_for_link(link), text))
    return found
