"""The forum sign-in sheet, read back from the PDF as the people at the door would read it."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from campaign.extensions import db
from campaign.forums import services
from campaign.forums.models import RSVPStatus
from campaign.packets.fonts import FONT, REPLACEMENT
from campaign.packets.signin_sheet import NAME_SIZE, build_signin_sheet, name_cell
from tests.forums.helpers import confirmed_rsvp

# Not the forum's own ZIP (its address is printed), so finding it would mean an RSVP's leaked.
RSVP_ZIP = "54911"
EMAIL_NUMBERS = itertools.count(1)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def register(forum, first_name: str, last_name: str, guests: int = 0):
    email = f"guest{next(EMAIL_NUMBERS)}@example.org"
    data = services.RSVPInput(first_name, last_name, email, zip_code=RSVP_ZIP, guests=guests)
    return confirmed_rsvp(forum, data)


def sheet(client, forum, query: str = "") -> list[str]:
    """The text of each page of the sheet, as downloaded."""
    response = client.get(f"/organize/forums/{forum.slug}/sign-in-sheet.pdf{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages]


def row_numbers(pages: list[str]) -> list[int]:
    """The number of each table row (below the last column head), in reading order."""
    bodies = [page.split("Arrived", 1)[1] for page in pages]
    return [int(number) for body in bodies for number in re.findall(r"^\d+$", body, re.MULTILINE)]


def flat(pages: list[str]) -> str:
    """All text with line breaks as spaces: a wrapped name reads as one."""
    return re.sub(r"\s+", " ", " ".join(pages))


@pytest.fixture
def viewer(login_as):
    return login_as("viewer")


@pytest.fixture
def forum(make_forum):
    """Two going (one with guests), two on the waitlist (one with a guest), one cancelled."""
    forum = make_forum(capacity=5)
    register(forum, "Ana", "Zamora", guests=2)
    register(forum, "Bo", "Lindqvist")
    gone = register(forum, "Cass", "Cancelled")
    register(forum, "Carla", "Ávila", guests=1)
    register(forum, "Dmitri", "Petrov")
    services.cancel_rsvp(gone)  # frees one seat: too few for Ávila's party, so nobody moves up
    db.session.commit()
    return forum


def test_going_by_last_name_then_the_waitlist_and_nothing_private(client, viewer, forum):
    statuses = {record.last_name: record.status for record in forum.rsvps}
    assert statuses["Ávila"] is RSVPStatus.WAITLISTED and statuses["Cancelled"] is RSVPStatus.CANCELLED
    pages = sheet(client, forum)
    text = flat(pages)
    for name in ("Lindqvist, Bo", "Zamora, Ana", "Ávila, Carla", "Petrov, Dmitri"):
        assert text.count(name) == 1, name
    assert "Cancelled" not in text
    assert re.search(r"1 Lindqvist, Bo 2 Zamora, Ana \+2 guests 3 Ávila, Carla \+1 guest · waitlist", text)
    assert re.search(r"4 Petrov, Dmitri waitlist 5 ", text)
    assert "@" not in text and "example.org" not in text and RSVP_ZIP not in text
    for column in ("No.", "Name", "ZIP code", "Email (optional)", "Signature or initials", "Arrived"):
        assert column in text, column


def test_title_block_shows_the_forum_in_its_own_time_zone_and_language(client, viewer, forum, make_forum):
    text = flat(sheet(client, forum))
    day = forum.starts_at.astimezone(services.zone_for(forum.timezone))
    assert f"{day:%A}, {day:%B} {day.day}, {day.year} · 6:00 PM – 8:00 PM" in text
    assert "Brown County Central Library, 515 Pine St, Green Bay, WI 54301" in text
    assert text.startswith(f"{forum.title} — ")

    spanish = flat(sheet(client, forum, "?lang=es"))
    assert "18:00 – 20:00" in spanish

    online = make_forum(venue_name=None, venue_address=None, virtual_url="https://meet.example.org/forum")
    online_text = flat(sheet(client, online, "?lang=en"))  # the language chosen sticks (a cookie)
    assert "Online" in online_text and "meet.example.org" not in online_text


def test_blank_rows_continue_the_numbering(client, viewer, make_forum):
    forum = make_forum()
    for first, last in (("Ana", "Zamora"), ("Bo", "Lindqvist"), ("Carla", "Ávila")):
        register(forum, first, last)
    assert row_numbers(sheet(client, forum, "?blank=5")) == list(range(1, 9))
    assert row_numbers(sheet(client, forum, "?blank=0")) == [1, 2, 3]
    assert row_numbers(sheet(client, forum)) == list(range(1, 34)), "30 blank rows unless asked"


def test_many_rsvps_run_over_pages_numbered_x_of_y(client, viewer, make_forum):
    forum = make_forum()
    names = [(f"Person{number:02d}", f"Family{number:02d}") for number in range(60)]
    for first, last in names:
        register(forum, first, last)
    pages = sheet(client, forum)
    assert len(pages) >= 4
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"Sign-in sheet · page {number} of\s*{len(pages)}\b", text), number
        assert "Signature or initials" in flat([text]), "the column heads repeat on every page"
    text = flat(pages)
    for first, last in names:
        assert text.count(f"{last}, {first}") == 1
    assert row_numbers(pages) == list(range(1, 91))


def test_names_in_any_script_print_and_long_ones_stay_in_their_cell(client, viewer, make_forum):
    forum = make_forum()
    register(forum, "Nguyễn Thị Minh", "Khai-Łukasz Müller-Núñez")
    text = flat(sheet(client, forum))
    assert "Khai-Łukasz Müller-Núñez, Nguyễn Thị Minh" in text
    assert REPLACEMENT not in text

    endless = register(forum, "Maximiliano " + "Bartholomew-" * 6 + "Hernández", "Smith", guests=3)
    width = 170
    lines, note = name_cell(endless, width)
    assert len(lines) == 1 and lines[0].endswith("…") and note == "+3 guests"
    assert all(stringWidth(line, FONT, NAME_SIZE) <= width for line in lines)
    endless.guests = 0
    lines, note = name_cell(endless, width)
    assert len(lines) == 2 and lines[1].endswith("…") and note == ""
    assert all(stringWidth(line, FONT, NAME_SIZE) <= width for line in lines)


def test_only_organizers_may_print_and_bad_requests_are_refused(client, login_as, make_forum):
    forum = make_forum(slug="library-forum")
    url = f"/organize/forums/{forum.slug}/sign-in-sheet.pdf"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")

    login_as("viewer")
    page = client.get(f"/organize/forums/{forum.slug}").get_data(as_text=True)
    assert "Print the sign-in sheet (PDF)" in page and url in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="library-forum-sign-in.pdf"'
    for blank in ("abc", "999", "201", "-1", "", "1.5"):
        refused = client.get(f"{url}?blank={blank}")
        assert refused.status_code == 400, blank
        assert "whole number from 0 to 200" in refused.get_data(as_text=True)
    assert client.get(f"{url}?blank=200").status_code == 200
    assert client.get("/organize/forums/no-such-forum/sign-in-sheet.pdf").status_code == 404


def test_first_page_renders_to_png_for_a_person_to_look_at(app, forum, tmp_path):
    """pdftoppm draws the page as it prints; the image is kept in test-artifacts/."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: run `make browser-deps`")
    source = tmp_path / "sheet.pdf"
    with app.test_request_context(), source.open("wb") as stream:
        assert build_signin_sheet(forum, stream) == 2
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = ARTIFACTS / f"signin-sheet-{forum.slug}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source), prefix], check=True
    )
    image = Image.open(prefix.with_suffix(".png")).convert("L")
    assert image.size == (510, 660)  # US Letter at 60 dpi
    assert sum(image.histogram()[:128]) > 2000, "the page looks blank"
