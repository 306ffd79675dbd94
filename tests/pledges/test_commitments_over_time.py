"""The organizer's "Commitments over time": confirmed commitments per day where the pledge
happens, as a chart against the goal and the condition and as a table with the same figures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.pledges import services, timeline
from tests.pledges.test_commitments import GOOD, committed

CHICAGO = ZoneInfo("America/Chicago")  # the test campaign's county, Brown (WI)
SVG = "{http://www.w3.org/2000/svg}"


def figures(page: str) -> list[list[str]]:
    table = page[page.index('<details class="figures-table">') : page.index("</details>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    ]


def chart(page: str) -> ET.Element:
    return ET.fromstring(page[page.index("<svg") : page.index("</svg>") + 6])  # noqa: S314 (our own page)


def confirmed_on(pledge, email: str, moment: datetime) -> None:
    commitment = committed(pledge, email)
    commitment.confirmed_at = moment
    db.session.commit()


def test_the_page_charts_confirmed_commitments_per_local_day_against_goal_and_condition(client, login_as, make_pledge):
    pledge = make_pledge(goal=10, threshold=5)
    today = utcnow().astimezone(CHICAGO).date()
    local = lambda offset, hour, minute=0: datetime.combine(  # noqa: E731
        today + timedelta(days=offset), time(hour, minute), tzinfo=CHICAGO
    )
    confirmed_on(pledge, "one@example.org", local(-4, 9))
    confirmed_on(pledge, "two@example.org", local(-4, 22, 45))  # the next day in UTC, still this day in Green Bay
    confirmed_on(pledge, "three@example.org", local(-2, 0, 15))
    services.commit(pledge, services.CommitmentInput(**(GOOD | {"email": "pending@example.org"})))  # not confirmed
    db.session.commit()

    login_as("viewer")
    page = client.get(f"/organize/pledges/{pledge.slug}").get_data(as_text=True)

    day = lambda offset: format_date(today + timedelta(days=offset), "medium", locale="en")  # noqa: E731
    assert figures(page) == [[day(-4), "2"], [day(-3), "2"], [day(-2), "3"], [day(-1), "3"], [day(0), "3"]]
    assert "Goal 10" in page and "Counts only if 5 people commit" in page
    svg = chart(page)
    assert svg.find(f"{SVG}title").text == "Commitments over time"
    names = {node.text for node in svg.iter(f"{SVG}text")}
    assert {"Committed", "Goal", "Counts only if 5 people commit"} <= names
    dashed = {path.get("stroke-dasharray") for path in svg.iter(f"{SVG}path") if path.get("stroke-dasharray")}
    assert len(dashed) == 2  # the goal and the condition, each in its own pattern


def test_the_chart_in_spanish(client, login_as, make_pledge):
    pledge = make_pledge(threshold=1)
    confirmed_on(pledge, "one@example.org", utcnow() - timedelta(days=1))

    login_as("viewer")
    page = client.get(f"/organize/pledges/{pledge.slug}?lang=es").get_data(as_text=True)

    assert [row[1] for row in figures(page)][-1] == "1"
    svg = chart(page)
    assert svg.find(f"{SVG}title").text == "Compromisos a lo largo del tiempo"
    assert "Cuenta solo si se compromete 1 persona" in {node.text for node in svg.iter(f"{SVG}text")}


def test_no_confirmed_commitment_yet_says_so_without_a_chart(client, login_as, make_pledge):
    pledge = make_pledge(goal=10)
    services.commit(pledge, services.CommitmentInput(**GOOD))
    db.session.commit()
    assert timeline.commitments_over_time(pledge) == []

    login_as("viewer")
    page = client.get(f"/organize/pledges/{pledge.slug}").get_data(as_text=True)
    assert "Nobody has confirmed a commitment yet" in page
    assert "<svg" not in page and "figures-table" not in page
