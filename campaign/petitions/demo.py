"""Demo petition: a few hundred confirmed signatures over Wisconsin counties, Brown the
largest, and some pending. Names are generated from common first and last names."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from campaign.campaigns.models import Campaign, ShareLink, ShareTarget
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.people.models import Person
from campaign.petitions import counts
from campaign.petitions.models import (
    Petition,
    PetitionCounty,
    PetitionStatus,
    Signature,
    SignatureStatus,
)
from campaign.petitions.services import consent_text

DEMO_SLUG = "brown-county-end-287g"
# County FIPS, ZIP, city, number of confirmed signatures.
PLACES = [
    ("55009", "54301", "Green Bay", 180),
    ("55009", "54115", "De Pere", 60),
    ("55087", "54911", "Appleton", 45),
    ("55139", "54901", "Oshkosh", 25),
    ("55025", "53703", "Madison", 30),
    ("55079", "53204", "Milwaukee", 35),
    ("55061", "54216", "Kewaunee", 12),
    ("55083", "54153", "Oconto", 10),
]
FIRST_NAMES = [
    "María",
    "José",
    "Ana",
    "Luis",
    "Emily",
    "James",
    "Mai",
    "Tou",
    "Sarah",
    "David",
    "Guadalupe",
    "Nguyễn",
    "Fatima",
    "Ahmed",
    "Linda",
    "Robert",
    "Xee",
    "Carmen",
    "Jorge",
    "Heidi",
]
LAST_NAMES = [
    "García",
    "Hernández",
    "Vang",
    "Xiong",
    "Schmidt",
    "Müller",
    "Johnson",
    "Kowalski",
    "López",
    "Nowak",
    "Thao",
    "Martínez",
    "Peterson",
    "Olson",
    "Lee",
    "Rodríguez",
    "Larsen",
    "Yang",
]

BODY = """Brown County's jail officers serve ICE administrative warrants under a *Warrant Service
Officer* agreement. People who are arrested, even for a traffic matter, can be handed to ICE.
Residents afraid of that stop calling for help, reporting crimes and coming forward as witnesses.

We ask our county's leaders to end the agreement, as other Wisconsin communities have declined to
sign one."""

BODY_ES = """Los oficiales de la cárcel del condado de Brown ejecutan órdenes administrativas de ICE
bajo un acuerdo de *Oficial de Servicio de Órdenes*. Las personas arrestadas, aunque sea por una
infracción de tránsito, pueden ser entregadas a ICE. Los residentes que temen eso dejan de pedir
ayuda, de denunciar delitos y de presentarse como testigos.

Pedimos a los líderes de nuestro condado que terminen el acuerdo, como otras comunidades de
Wisconsin han decidido no firmarlo."""


def seed(campaign: Campaign) -> Petition:
    petition = db.session.scalar(select(Petition).where(Petition.slug == DEMO_SLUG))
    if petition is not None:
        return petition
    petition = Petition(
        campaign=campaign,
        slug=DEMO_SLUG,
        title="End the 287(g) agreement in Brown County",
        title_es="Terminen el acuerdo 287(g) en el condado de Brown",
        ask="We call on the Brown County Sheriff to end the 287(g) agreement with ICE, and on the "
        "County Board of Supervisors to ask for its end.",
        ask_es="Pedimos al Sheriff del condado de Brown que termine el acuerdo 287(g) con ICE, y a la "
        "Junta de Supervisores del condado que pida su fin.",
        body=BODY,
        body_es=BODY_ES,
        goal=1000,
        status=PetitionStatus.OPEN,
        targets=list(campaign.targets),
        counties=[PetitionCounty(county_fips="55009", is_target=True, goal=500)],
    )
    db.session.add(petition)
    db.session.flush()
    _share_links(campaign, petition)
    _signatures(petition)
    counts.refresh_counts(petition.id, force=True)
    return petition


# Share links for two partners, and a code printed on flyers: (code, partner slug, share of signers).
SOURCES = [("fox-valley", "fox-valley-immigrant-rights", 0.15), ("voters-league", "green-bay-voters-league", 0.1)]
FLYER_CODE, FLYER_SHARE = "library-flyer", 0.05


def _share_links(campaign: Campaign, petition: Petition) -> None:
    partners = {organization.slug: organization for organization in campaign.partners}
    for code, partner_slug, _share in SOURCES:
        db.session.add(
            ShareLink(
                campaign=campaign,
                code=code,
                organization=partners.get(partner_slug),
                target=ShareTarget.PETITION,
                target_slug=petition.slug,
                note="Shared in the partner's newsletter (demo).",
            )
        )


def _referral(picker: random.Random) -> str | None:
    """The code a demo signer came by: a partner's link, a flyer, or none."""
    roll = picker.random()
    for code, _partner, share in [*SOURCES, (FLYER_CODE, None, FLYER_SHARE)]:
        if roll < share:
            return code
        roll -= share
    return None


def _signatures(petition: Petition) -> None:
    picker = random.Random(287)  # the same demo on every machine
    sources = random.Random(14)  # apart, so the names stay those of earlier demos
    now = utcnow()
    offset = db.session.scalar(select(func.count()).select_from(Person)) or 0
    number = 0
    for fips, zip_code, city, confirmed in PLACES:
        for index in range(confirmed + confirmed // 10):
            number += 1
            first, last = picker.choice(FIRST_NAMES), picker.choice(LAST_NAMES)
            email = f"demo.signer{offset + number}@example.org"
            person = Person(
                email=email,
                email_normalized=email,
                first_name=first,
                last_name=last,
                zip_code=zip_code,
                county_fips=fips,
            )
            signed = now - timedelta(days=picker.uniform(0, 40))
            pending = index >= confirmed
            show, updates = picker.random() < 0.4, picker.random() < 0.5
            db.session.add(
                Signature(
                    petition=petition,
                    person=person,
                    first_name=first,
                    last_name=last,
                    zip_code=zip_code,
                    city=city,
                    county_fips=fips,
                    show_publicly=show,
                    email_updates=updates,
                    consent_text=consent_text(show, updates, "en"),
                    status=SignatureStatus.PENDING if pending else SignatureStatus.CONFIRMED,
                    created_at=signed,
                    confirmed_at=None if pending else signed + timedelta(minutes=5),
                    locale=picker.choice(["en", "en", "es"]),
                    referral=_referral(sources),
                )
            )
    db.session.flush()
