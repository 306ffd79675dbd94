"""Demo forums: a community forum in Green Bay in two weeks with a few RSVPs, and one held
three weeks ago with its check-ins, walk-ins and paper petition sheets typed in."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from campaign.campaigns.models import Campaign
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums import checkin, services
from campaign.forums.models import Accessibility, Forum, ForumKind, ForumStatus
from campaign.petitions import counts, paper
from campaign.petitions.models import Petition

DEMO_SLUG = "green-bay-community-forum"
PAST_SLUG = "de-pere-know-your-rights-forum"
RSVPS = [
    ("Mai", "Xiong", "54302", 1, "Hmong"),
    ("Guadalupe", "Ramírez", "54301", 2, "Spanish"),
    ("Linda", "Olson", "54115", 0, None),
    ("Tou", "Vang", "54303", 0, None),
]


# First, last, ZIP, came; then walk-ins; then paper signatures from the sheets.
PAST_RSVPS = [
    ("Rosa", "Hernández", "54115", True),
    ("Dale", "Kowalski", "54115", True),
    ("Pa", "Lor", "54304", True),
    ("Miguel", "Torres", "54301", True),
    ("Karen", "Jansen", "54115", False),
    ("Samuel", "Okafor", "54911", True),
    ("Beth", "Schmidt", "54155", False),
    ("Yesenia", "Cruz", "54302", True),
]
PAST_WALK_INS = [("Arturo", "Medina", "54115"), ("Nancy", "Vue", "54303"), ("Tom", "Bauer", None)]
PAST_SHEETS = [
    ("Arturo", "Medina", "54115", 1),
    ("Nancy", "Vue", "54303", 1),
    ("Rosa", "Hernández", "54115", 1),
    ("Gloria", "Sánchez", "54115", 1),
    ("Ted", "Lindgren", "54115", 2),
    ("Fatima", "Yusuf", "54304", 2),
    ("Jorge", "Castillo", "54301", 2),
]


def seed(campaign: Campaign) -> Forum:
    forum = db.session.scalar(select(Forum).where(Forum.slug == DEMO_SLUG))
    if forum is not None:
        return forum
    _seed_past_forum(campaign)
    day = (utcnow() + timedelta(days=14)).date()
    forum = services.schedule(
        campaign,
        services.ForumInput(
            slug=DEMO_SLUG,
            title="What 287(g) means for Brown County: a community forum",
            title_es="Qué significa el 287(g) para el condado de Brown: foro comunitario",
            kind=ForumKind.COMMUNITY_FORUM,
            starts_local=datetime.combine(day, time(18, 30)),
            ends_local=datetime.combine(day, time(20, 0)),
            description="A nonpartisan evening: how the Warrant Service Officer agreement works, what it "
            "costs, and how residents can speak at the County Board. Questions welcome in any language.",
            description_es="Una tarde no partidista: cómo funciona el acuerdo de Oficial de Servicio de Órdenes, "
            "cuánto cuesta y cómo los residentes pueden hablar ante la Junta del Condado.",
            venue_name="Brown County Central Library, Auditorium",
            venue_address="515 Pine St, Green Bay, WI 54301",
            accessibility=Accessibility.ACCESSIBLE,
            accessibility_notes="Step-free entrance on Pine St; hearing loop in the auditorium.",
            capacity=120,
            languages="English, Spanish",
            interpretation="Spanish and Hmong",
            childcare=True,
            speakers="An immigration attorney (legal-aid partner); a retired county jail administrator.",
            partner_ids=[org.id for org in campaign.partners],
            official_ids=[official.id for official in campaign.targets],
        ),
    )
    for number, (first, last, zip_code, guests, language) in enumerate(RSVPS, start=1):
        record = services.rsvp(
            forum,
            services.RSVPInput(
                first_name=first,
                last_name=last,
                email=f"demo.rsvp{number}@example.org",
                zip_code=zip_code,
                guests=guests,
                interpretation_language=language,
            ),
        )
        services.take_seat(record)  # as if each had pressed Confirm in the mail
    return forum


def _seed_past_forum(campaign: Campaign) -> Forum:
    """A forum that already happened. Written as it would have been at the time (scheduled
    and RSVP'd before the day), then checked in, completed and its sheets typed in."""
    day = (utcnow() - timedelta(days=21)).date()
    before = utcnow() - timedelta(days=35)
    forum = services.schedule(
        campaign,
        services.ForumInput(
            slug=PAST_SLUG,
            title="Know your rights and the 287(g) agreement: De Pere forum",
            title_es="Conozca sus derechos y el acuerdo 287(g): foro en De Pere",
            kind=ForumKind.COMMUNITY_FORUM,
            starts_local=datetime.combine(day, time(18, 0)),
            ends_local=datetime.combine(day, time(19, 30)),
            description="Residents asked questions of a legal-aid attorney about the county's 287(g) agreement.",
            venue_name="De Pere Community Center",
            venue_address="600 Grant St, De Pere, WI 54115",
            accessibility=Accessibility.ACCESSIBLE,
            capacity=60,
            languages="English, Spanish",
            interpretation="Spanish",
        ),
        now=before,
    )
    for number, (first, last, zip_code, came) in enumerate(PAST_RSVPS, start=1):
        record = services.rsvp(
            forum,
            services.RSVPInput(
                first_name=first, last_name=last, email=f"demo.past{number}@example.org", zip_code=zip_code
            ),
            now=before,
        )
        services.take_seat(record, now=before)
        if came:
            checkin.check_in(record, now=forum.starts_at)
    for first, last, zip_code in PAST_WALK_INS:
        checkin.walk_in(
            forum, checkin.WalkInInput(first_name=first, last_name=last, zip_code=zip_code), now=forum.starts_at
        )
    for reminder in forum.reminders:  # they went out at the time
        reminder.sent_at, reminder.recipients = reminder.due_at, len(PAST_RSVPS)
    forum.status = ForumStatus.COMPLETED
    petition = db.session.scalar(select(Petition).where(Petition.campaign_id == campaign.id).order_by(Petition.id))
    if petition is not None:
        for first, last, zip_code, sheet in PAST_SHEETS:
            paper.add_paper_signature(
                petition,
                paper.PaperSignatureInput(first_name=first, last_name=last, zip_code=zip_code, sheet_number=sheet),
                forum_id=forum.id,
                default_signed_at=forum.starts_at,
            )
        counts.refresh_counts(petition.id, force=True)
    db.session.flush()
    return forum
