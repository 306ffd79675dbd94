"""Demo pledge: attend the next Brown County Board meeting (the demo meeting), counting once 20 commit."""

from __future__ import annotations

from sqlalchemy import select

from campaign.campaigns.models import Campaign
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.meetings import demo as meetings_demo
from campaign.meetings.services import meeting_zone
from campaign.officials.models import Body, Official
from campaign.pledges import services
from campaign.pledges.models import Pledge, PledgeKind, PledgeStatus

DEMO_SLUG = "pack-the-brown-county-board-meeting"
# First, last, ZIP, confirmed
COMMITMENTS = [
    ("Guadalupe", "Ramírez", "54301", True),
    ("Linda", "Olson", "54115", True),
    ("Tou", "Vang", "54303", True),
    ("Ana", "Flores", "54304", True),
    ("Mark", "Hendricks", "54311", True),
    ("Samuel", "Okafor", "54911", True),
    ("Kia", "Moua", "54302", False),
]


def seed(campaign: Campaign) -> Pledge:
    meeting = meetings_demo.seed(campaign)  # the demo's upcoming board meeting (made when missing)
    pledge = db.session.scalar(select(Pledge).where(Pledge.slug == DEMO_SLUG))
    if pledge is not None:
        if pledge.meeting is None:  # seeded before meetings existed
            pledge.meeting, pledge.meeting_at, pledge.meeting_place = meeting, None, None
        return pledge
    chair = db.session.scalar(select(Official).where(Official.body == Body.COUNTY_BOARD).order_by(Official.id))
    day = meeting.starts_at.astimezone(meeting_zone(meeting)).date()
    pledge = services.save_pledge(
        campaign,
        services.PledgeInput(
            slug=DEMO_SLUG,
            kind=PledgeKind.ATTEND_MEETING,
            title="Fill the room at the next County Board meeting",
            title_es="Llenemos la sala en la próxima reunión de la Junta del Condado",
            action=f"I will attend the Brown County Board of Supervisors meeting on {day:%B} {day.day} "
            "and stand with my neighbours during public comment on the 287(g) agreement.",
            action_es=f"Asistiré a la reunión de la Junta de Supervisores del condado de Brown del {day.day} "
            "y acompañaré a mis vecinos durante el comentario público sobre el acuerdo 287(g).",
            body="Supervisors notice who is in the room. If 20 of us commit, we will reserve seats together, "
            "arrange rides and bring Spanish and Hmong interpreters. You do not have to speak.",
            body_es="Los supervisores se fijan en quién está en la sala. Si 20 personas nos comprometemos, "
            "reservaremos asientos juntos, organizaremos transporte y traeremos intérpretes de español y hmong. "
            "No tiene que hablar.",
            meeting_id=meeting.id,
            official_id=chair.id if chair else None,
            goal=50,
            threshold=20,
            status=PledgeStatus.OPEN,
        ),
    )
    for number, (first, last, zip_code, confirmed) in enumerate(COMMITMENTS, start=1):
        commitment = services.commit(
            pledge,
            services.CommitmentInput(
                first_name=first, last_name=last, email=f"demo.pledge{number}@example.org", zip_code=zip_code
            ),
        )
        if confirmed:
            services.confirm_commitment(commitment, utcnow())
    return pledge
