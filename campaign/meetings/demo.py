"""Demo meetings: the Brown County Board's next regular meeting, with the resolution on the
287(g) agreement open for public comment, and a committee meeting held a month ago with its
outcome and the votes of the demo officials. Dates are relative to today; the agenda links
point at example.org."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from campaign.campaigns.models import Campaign
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.geo.services import county_zone
from campaign.meetings import services
from campaign.meetings.models import Meeting, VoteChoice
from campaign.officials.models import Body, Official

DEMO_SLUG = "brown-county-board-regular-meeting"
PAST_SLUG = "brown-county-public-safety-committee"
PLACE = "County Board meeting room, Northern Building, 305 E. Walnut St., Green Bay"

TALKING_POINTS = """- **Public safety needs trust.** When residents fear that any contact with the jail can lead to
  deportation, fewer people report crimes or come forward as witnesses.
- **The agreement is voluntary.** The Sheriff signed it and can end it; the Board can ask for that.
- **It costs the county.** Jail staff time spent on ICE work is paid by Brown County taxpayers.
- Speak from your own experience, stay within your 3 minutes, and give your name and town."""

TALKING_POINTS_ES = """- **La seguridad pública necesita confianza.** Cuando los residentes temen que cualquier
  contacto con la cárcel los lleve a la deportación, menos personas denuncian delitos o se ofrecen
  como testigos.
- **El acuerdo es voluntario.** El Sheriff lo firmó y puede terminarlo; la Junta puede pedirlo.
- **Le cuesta al condado.** El tiempo del personal de la cárcel dedicado al trabajo de ICE lo pagan
  los contribuyentes del condado de Brown.
- Hable de su propia experiencia, respete sus 3 minutos y diga su nombre y su ciudad."""


def _local(campaign: Campaign, days: int, hour: int) -> datetime:
    """A wall-clock time `days` from today in the campaign county, without a zone."""
    day = (utcnow() + timedelta(days=days)).astimezone(county_zone(campaign.county)).date()
    return datetime.combine(day, time(hour, 0))


def seed(campaign: Campaign) -> Meeting:
    """Add the demo meetings when missing; returns the upcoming one."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == DEMO_SLUG))
    if meeting is not None:
        return meeting
    _seed_past_meeting(campaign)
    meeting = services.save_meeting(
        campaign,
        services.MeetingInput(
            slug=DEMO_SLUG,
            body=Body.COUNTY_BOARD,
            title="Brown County Board of Supervisors, regular meeting",
            title_es="Junta de Supervisores del condado de Brown, reunión ordinaria",
            starts_local=_local(campaign, 12, 18),
            place=PLACE,
            agenda_url="https://browncounty.example.org/board/agenda.pdf",
            observer_limit=12,
        ),
    )
    services.save_item(
        meeting, services.AgendaItemInput(number="4", title="Approval of the minutes", concerns_agreement=False)
    )
    services.save_item(
        meeting,
        services.AgendaItemInput(
            number="7.b",
            title="Resolution asking the Sheriff to end the 287(g) agreement",
            title_es="Resolución que pide al Sheriff terminar el acuerdo 287(g)",
            speaker_slots=10,
            minutes_per_speaker=3,
            talking_points=TALKING_POINTS,
            talking_points_es=TALKING_POINTS_ES,
        ),
    )
    return meeting


def _seed_past_meeting(campaign: Campaign) -> None:
    meeting = services.save_meeting(
        campaign,
        services.MeetingInput(
            slug=PAST_SLUG,
            body=Body.COUNTY_BOARD,
            title="Public Safety Committee of the County Board",
            title_es="Comité de Seguridad Pública de la Junta del Condado",
            starts_local=_local(campaign, -30, 17),
            place=PLACE,
            agenda_url="https://browncounty.example.org/board/public-safety/agenda.pdf",
            minutes_url="https://browncounty.example.org/board/public-safety/minutes.pdf",
            video_url="https://video.example.org/brown-county/public-safety",
            outcome="About 40 residents came; 9 spoke during public comment, in English, Spanish and Hmong. "
            "The committee sent the resolution on to the full Board instead of tabling it.",
        ),
    )
    item = services.save_item(
        meeting,
        services.AgendaItemInput(
            number="5",
            title="Discussion of the Sheriff's 287(g) agreement",
            title_es="Discusión del acuerdo 287(g) del Sheriff",
            speaker_slots=10,
            minutes_per_speaker=3,
            talking_points=TALKING_POINTS,
            talking_points_es=TALKING_POINTS_ES,
            result="Sent to the full Board",
        ),
    )
    board = db.session.scalars(
        select(Official)
        .where(Official.county_fips == campaign.county_fips, Official.body == Body.COUNTY_BOARD)
        .order_by(Official.id)
    )
    source = "https://browncounty.example.org/board/public-safety/minutes.pdf"
    for number, official in enumerate(board):
        if number == 0:  # first typed wrongly, then corrected from the minutes: the history keeps both
            services.record_vote(item, official, VoteChoice.ABSTAIN, None, None)
        services.record_vote(item, official, VoteChoice.YES if number % 3 != 2 else VoteChoice.NO, source, None)
