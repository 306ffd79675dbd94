"""Demo forum: a community forum in Green Bay in two weeks, with a few RSVPs."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from campaign.campaigns.models import Campaign
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums import services
from campaign.forums.models import Accessibility, Forum, ForumKind

DEMO_SLUG = "green-bay-community-forum"
RSVPS = [
    ("Mai", "Xiong", "54302", 1, "Hmong"),
    ("Guadalupe", "Ramírez", "54301", 2, "Spanish"),
    ("Linda", "Olson", "54115", 0, None),
    ("Tou", "Vang", "54303", 0, None),
]


def seed(campaign: Campaign) -> Forum:
    forum = db.session.scalar(select(Forum).where(Forum.slug == DEMO_SLUG))
    if forum is not None:
        return forum
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
        services.rsvp(
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
    return forum
