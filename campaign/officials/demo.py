"""Demo officials' directory: two Brown County supervisors beside the Sheriff and the Board
chair the campaign demo adds, and a history of positions for each. The people, their
statements and the articles quoted are fictional: every source is an example.org address."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from campaign.extensions import db
from campaign.officials.models import Body, Official, Position, Stance

BROWN_COUNTY = "55009"

SUPERVISORS = [
    {
        "name": "Karen Lindqvist",
        "title": "Supervisor, District 7",
        "district": "7",
        "email": "district7@browncounty.example.org",
        "phone": "(920) 555-0127",
        "term_starts_on": date(2026, 4, 21),
        "term_ends_on": date(2028, 4, 18),
    },
    {
        "name": "Luis Morales",
        "title": "Supervisor, District 12",
        "district": "12",
        "email": "district12@browncounty.example.org",
        "term_starts_on": date(2024, 4, 16),
        "term_ends_on": date(2028, 4, 18),
    },
]

# Name: (stance, stated on, source, summary), oldest first.
POSITIONS = {
    "Dana Kowalski": [
        (
            Stance.UNDECIDED,
            date(2026, 3, 11),
            "https://news.example.org/2026/03/sheriff-reviews-jail-agreement",
            "Told a reporter the agreement is under review and no decision is near. (Fictional demo statement.)",
        ),
        (
            Stance.OPPOSES,
            date(2026, 9, 16),
            "https://browncounty.example.org/minutes/2026-09-16-public-safety",
            "Told the Public Safety Committee the agreement stays in place. (Fictional demo minutes.)",
        ),
    ],
    "Robert Vang": [
        (
            Stance.UNDECIDED,
            date(2026, 10, 21),
            "https://browncounty.example.org/minutes/2026-10-21-county-board",
            "Said the Board will hear public comment before taking any position. (Fictional demo minutes.)",
        ),
    ],
    "Karen Lindqvist": [
        (
            Stance.UNKNOWN,
            date(2026, 5, 2),
            "https://voters-league.example.org/2026/candidate-questionnaire",
            "Did not answer the candidate questionnaire's question on 287(g). (Fictional demo source.)",
        ),
        (
            Stance.SUPPORTS,
            date(2026, 11, 4),
            "https://news.example.org/2026/11/supervisor-backs-rescission-resolution",
            "Will sponsor a resolution asking the Sheriff to end the agreement. (Fictional demo article.)",
        ),
    ],
}


def seed() -> None:
    """Add the missing supervisors, and the positions of officials that have none yet;
    running it twice changes nothing."""
    for values in SUPERVISORS:
        found = select(Official.id).where(Official.name == values["name"], Official.county_fips == BROWN_COUNTY)
        if db.session.scalar(found) is None:
            db.session.add(Official(body=Body.COUNTY_BOARD, county_fips=BROWN_COUNTY, **values))
    db.session.flush()
    for name, positions in POSITIONS.items():
        official = db.session.scalar(
            select(Official).where(Official.name == name, Official.county_fips == BROWN_COUNTY)
        )
        if official is None or db.session.scalar(select(exists().where(Position.official_id == official.id))):
            continue
        for stance, stated_on, source_url, summary in positions:
            db.session.add(
                Position(official=official, stance=stance, stated_on=stated_on, source_url=source_url, summary=summary)
            )
    db.session.flush()
