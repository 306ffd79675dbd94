"""The organizer's "RSVPs over time": seats taken and the waitlist per day of the forum's
time zone, as a chart against the capacity and as a table with the same figures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums import timeline
from campaign.forums.models import RSVP, RSVPStatus

CHICAGO = ZoneInfo("America/Chicago")  # make_forum's time zone
SVG = "{http://www.w3.org/2000/svg}"


def add_rsvp(forum, status: RSVPStatus, at: datetime, guests: int = 0) -> None:
    number = len(forum.rsvps) + 1
    forum.rsvps.append(
        RSVP(status=status, guests=guests, first_name="Test", last_name=f"Person {number}", created_at=at)
    )


def figures(page: str) -> list[list[str]]:
    """The rows of the table beside the chart: the day, then its figures."""
    table = page[page.index('<details class="figures-table">') : page.index("</details>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    ]


def chart(page: str) -> ET.Element:
    return ET.fromstring(page[page.index("<svg") : page.index("</svg>") + 6])  # noqa: S314 (our own page)


def test_the_page_charts_seats_and_the_waitlist_per_local_day_against_capacity(client, login_as, make_forum):
    forum = make_forum(capacity=10)
    today = utcnow().astimezone(CHICAGO).date()
    first, third = today - timedelta(days=3), today - timedelta(days=1)
    local = lambda day, hour, minute=0: datetime.combine(day, time(hour, minute), tzinfo=CHICAGO)  # noqa: E731
    add_rsvp(forum, RSVPStatus.GOING, local(first, 10), guests=1)  # 2 seats
    add_rsvp(forum, RSVPStatus.GOING, local(first, 21, 30))  # the next day in UTC, still this day in Green Bay
    add_rsvp(forum, RSVPStatus.GOING, local(third, 9), guests=2)  # 3 seats
    add_rsvp(forum, RSVPStatus.WAITLISTED, local(third, 12))
    add_rsvp(forum, RSVPStatus.CANCELLED, local(third, 8))  # holds nothing
    add_rsvp(forum, RSVPStatus.PENDING, local(today, 0, 30))  # waits for the mail: nothing yet
    db.session.commit()

    login_as("viewer")
    page = client.get(f"/organize/forums/{forum.slug}").get_data(as_text=True)

    day = lambda offset: format_date(today + timedelta(days=offset), "medium", locale="en")  # noqa: E731
    assert figures(page) == [
        [day(-3), "3", "0"],
        [day(-2), "3", "0"],
        [day(-1), "6", "1"],
        [day(0), "6", "1"],
    ]
    assert "Seats taken" in page and "Capacity" in page and "Waitlist" in page
    svg = chart(page)
    assert svg.find(f"{SVG}title").text == "RSVPs over time"
    names = {node.text for node in svg.iter(f"{SVG}text")}
    assert {"Seats taken", "Waitlist", "Capacity"} <= names
    assert [path for path in svg.iter(f"{SVG}path") if path.get("stroke-dasharray")]  # the capacity line


def test_the_figures_and_labels_in_spanish_without_capacity_or_waitlist(client, login_as, make_forum):
    forum = make_forum()
    yesterday = utcnow() - timedelta(days=1)
    add_rsvp(forum, RSVPStatus.GOING, yesterday, guests=1)
    db.session.commit()

    login_as("viewer")
    page = client.get(f"/organize/forums/{forum.slug}?lang=es").get_data(as_text=True)

    assert [row[1:] for row in figures(page)][-2:] == [["2"], ["2"]]  # no waitlist column
    svg = chart(page)
    assert svg.find(f"{SVG}title").text == "Asistencias confirmadas a lo largo del tiempo"
    assert not [path for path in svg.iter(f"{SVG}path") if path.get("stroke-dasharray")]  # no capacity line
    assert "Personas" in {node.text for node in svg.iter(f"{SVG}text")}


def test_no_rsvp_yet_says_so_without_a_chart(client, login_as, make_forum):
    forum = make_forum(capacity=40)
    add_rsvp(forum, RSVPStatus.PENDING, utcnow())
    db.session.commit()
    assert timeline.rsvps_over_time(forum) == []

    login_as("viewer")
    page = client.get(f"/organize/forums/{forum.slug}").get_data(as_text=True)
    assert "Nobody has RSVP&#39;d yet" in page or "Nobody has RSVP'd yet" in page
    assert "<svg" not in page and "figures-table" not in page
