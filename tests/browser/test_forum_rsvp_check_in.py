"""A resident RSVPs to a forum on a phone; on the day an organizer, on another phone, logs
in, finds them by part of their last name, checks them in, then adds a walk-in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from campaign.extensions import db
from campaign.forums import services
from campaign.forums.models import RSVP, RSVPStatus
from tests.browser.conftest import PHONE, screenshot
from tests.forums.helpers import confirmation_link, confirmed_rsvp

pytestmark = pytest.mark.browser


@pytest.fixture
def second_phone(browser):
    """Another phone, with its own cookies: the organizer's, beside the resident's."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def rsvps_of(forum_id: int) -> list[RSVP]:
    """What the live server committed, read afresh (no snapshot kept open between steps)."""
    db.session.rollback()
    records = list(db.session.scalars(select(RSVP).where(RSVP.forum_id == forum_id).order_by(RSVP.id)))
    db.session.rollback()
    return records


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_rsvp_on_a_phone_then_check_in_and_a_walk_in(app, make_forum, make_user, live_server, phone, second_phone):
    forum = make_forum(capacity=10)
    forum_id, slug = forum.id, forum.slug
    confirmed_rsvp(
        forum, services.RSVPInput(first_name="Linda", last_name="Olson", email="linda@example.org", zip_code="54301")
    )
    make_user("organizer", email="pat@example.org", password="a long enough password")

    # 1. The resident RSVPs on the public forum page.
    phone.goto(f"{live_server}/forums/{slug}?lang=en")
    assert phone.get_by_role("heading", level=1).inner_text() == forum.title
    assert "9 of 10 left" in phone.locator(".facts").inner_text()
    rsvp = phone.get_by_role("region", name="RSVP")
    rsvp.get_by_label("First name").fill("Rosa")
    rsvp.get_by_label("Last name").fill("Hernández")
    rsvp.get_by_label("Email", exact=True).fill("rosa.hernandez@example.org")
    rsvp.get_by_label("ZIP code").fill("54301")
    rsvp.get_by_label("Guests coming with you").fill("1")
    rsvp.get_by_label("Interpretation needed (language)").fill("Spanish")
    screenshot(phone, "forum-rsvp-phone")
    assert fits_the_phone(phone)
    rsvp.get_by_role("button", name="RSVP").click()

    phone.wait_for_url(re.compile(rf"/forums/{slug}/registered$"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Check your email"
    [linda, rosa] = rsvps_of(forum_id)
    assert rosa.status is RSVPStatus.PENDING, "no seat is held before the mailbox proves itself"

    # She opens the link in her mail: the page shows what the button will record.
    phone.goto(live_server + confirmation_link("rosa.hernandez@example.org"))
    details = phone.locator(".facts").inner_text()
    assert "Rosa Hernández" in details and "Spanish" in details and "Brown County, WI" in details
    phone.get_by_role("button", name="Confirm my RSVP").click()
    expect(phone.get_by_role("status")).to_contain_text("You are registered, with 1 guest.", use_inner_text=True)
    screenshot(phone, "forum-registered-phone")
    [linda, rosa] = rsvps_of(forum_id)
    assert (rosa.first_name, rosa.last_name, rosa.zip_code) == ("Rosa", "Hernández", "54301")
    assert rosa.status is RSVPStatus.GOING
    assert (rosa.guests, rosa.interpretation_language, rosa.county_fips) == (1, "Spanish", "55009")
    assert rosa.checked_in_at is None and not rosa.walk_in
    rosa_id = rosa.id

    # 2. The organizer opens the check-in page, is sent to log in, and comes back to it.
    organizer = second_phone
    organizer.goto(f"{live_server}/organize/forums/{slug}/check-in?lang=en")
    assert organizer.get_by_role("heading", level=1).inner_text() == "Organizer login"
    expect(organizer.get_by_text("Log in to open this page.")).to_be_visible()
    organizer.get_by_label("Email").fill("pat@example.org")
    organizer.get_by_label("Password").fill("a long enough password")
    organizer.get_by_role("button", name="Log in").click()
    organizer.wait_for_url(f"{live_server}/organize/forums/{slug}/check-in?lang=en")
    assert organizer.get_by_role("heading", level=1).inner_text() == "Check-in"
    assert "0 people checked in" in organizer.locator(".attendance-summary").inner_text()
    expect(organizer.get_by_role("button", name="Check in Linda Olson")).to_be_visible()

    organizer.get_by_label("Find by name").fill("hern")
    organizer.get_by_role("search").get_by_role("button", name="Search").click()
    organizer.wait_for_url(re.compile(r"\?q=hern$"))
    people = organizer.locator(".checkin-list > li")
    assert people.count() == 1
    assert "Hernández, Rosa" in people.first.inner_text()
    assert "+1 guest" in people.first.inner_text()
    assert organizer.get_by_role("button", name="Check in Linda Olson").count() == 0
    assert "Olson" not in organizer.locator(".checkin-list").inner_text()
    screenshot(organizer, "forum-check-in-search-phone")
    assert fits_the_phone(organizer)

    organizer.get_by_role("button", name="Check in Rosa Hernández").click()
    organizer.wait_for_url(re.compile(rf"\?q=hern#rsvp-{rosa_id}$"))  # back to the same search, at her row
    expect(organizer.get_by_role("status").filter(has_text="Rosa Hernández is checked in.")).to_be_visible()
    here = organizer.locator(f"#rsvp-{rosa_id}")
    expect(here).to_be_in_viewport()
    expect(here.get_by_text("Here ✓")).to_be_visible()
    expect(here.get_by_role("button", name="Undo check-in of Rosa Hernández")).to_be_visible()
    assert "1 person checked in" in organizer.locator(".attendance-summary").inner_text()
    assert "1 of 2 who RSVP'd came" in organizer.locator(".attendance-summary").inner_text()
    screenshot(organizer, "forum-check-in-done-phone")

    # A walk-in: first and last name only.
    walk_in = organizer.locator("form", has=organizer.get_by_role("button", name="Check in the walk-in"))
    walk_in.get_by_label("First name").fill("Tomás")
    walk_in.get_by_label("Last name").fill("Reyes")
    walk_in.get_by_role("button", name="Check in the walk-in").click()
    # Back at the new person's row, so the organizer sees it worked without scrolling.
    organizer.wait_for_url(re.compile(rf"/organize/forums/{slug}/check-in#rsvp-\d+$"))
    new_row = organizer.url.rsplit("#", 1)[1]
    expect(organizer.locator(f"#{new_row}")).to_be_in_viewport()
    assert "Reyes, Tomás" in organizer.locator(f"#{new_row}").inner_text()
    assert organizer.get_by_role("status").filter(has_text="Tomás Reyes is checked in.").count() == 1
    summary = organizer.locator(".attendance-summary").inner_text()
    assert "2 people checked in" in summary and "1 walk-in" in summary
    rosa_row, linda_row, tomas_row = organizer.locator(".checkin-list > li").all_inner_texts()
    assert rosa_row.startswith("Hernández, Rosa") and "Here ✓" in rosa_row
    assert linda_row.startswith("Olson, Linda") and "Here" not in linda_row
    assert tomas_row.startswith("Reyes, Tomás") and "walk-in" in tomas_row and "Here ✓" in tomas_row
    expect(organizer.get_by_role("button", name="Check in Linda Olson")).to_be_visible()
    assert walk_in.get_by_label("First name").input_value() == ""  # ready for the next one
    screenshot(organizer, "forum-check-in-walk-in-phone")
    assert fits_the_phone(organizer)

    linda, rosa, tomas = rsvps_of(forum_id)
    assert rosa.id == rosa_id
    assert rosa.checked_in_at is not None and rosa.status is RSVPStatus.GOING
    assert linda.checked_in_at is None
    assert [record.walk_in for record in (linda, rosa, tomas)] == [False, False, True]
    assert (tomas.first_name, tomas.last_name, tomas.person_id) == ("Tomás", "Reyes", None)
    assert tomas.checked_in_at is not None and tomas.status is RSVPStatus.GOING
