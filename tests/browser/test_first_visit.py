"""A visitor on a phone: reads the campaign, switches to Spanish, finds their county; an
organizer logs in and out. Checked in headless Chromium as a person would see it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def test_visitor_reads_campaign_and_switches_to_spanish(demo, live_server, phone):
    phone.goto(live_server + "/")
    phone.get_by_role("link", name="End the 287(g) agreement in Brown County").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "End the 287(g) agreement in Brown County", use_inner_text=True
    )
    expect(phone.locator("#agreement-heading + p")).to_contain_text(
        "Warrant Service Officer model", use_inner_text=True
    )
    # Nothing on the page is wider than the phone, once its style sheet is in.
    phone.wait_for_load_state()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "campaign-en-phone")

    phone.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Terminemos el acuerdo 287(g) en el condado de Brown", use_inner_text=True
    )
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    screenshot(phone, "campaign-es-phone")

    # The choice is remembered on the next page.
    phone.goto(live_server + "/where")
    assert phone.locator("html").get_attribute("lang") == "es"


def test_visitor_finds_their_county_by_zip(demo, live_server, phone):
    phone.goto(live_server + "/where?lang=en")
    phone.get_by_label("ZIP code").fill("54301")
    phone.get_by_role("button", name="Look up").click()
    expect(phone.get_by_role("heading", name="Brown County, WI")).to_be_visible()
    expect(phone.get_by_role("link", name="End the 287(g) agreement in Brown County")).to_be_visible()

    phone.get_by_label("ZIP code").fill("00000")
    phone.get_by_role("button", name="Look up").click()
    error = phone.locator(".field-error .error")
    expect(error).to_contain_text("We don't know the ZIP code 00000", use_inner_text=True)
    expect(phone.get_by_label("ZIP code")).to_have_attribute("aria-invalid", "true")


def test_keyboard_focus_is_visible(demo, live_server, phone):
    phone.goto(live_server + "/")
    phone.keyboard.press("Tab")
    focused = phone.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_organizer_logs_in_and_out(app, make_user, live_server, phone):
    make_user("organizer", email="pat@example.org", password="a long enough password")
    phone.goto(live_server + "/login?lang=en")
    phone.get_by_label("Email").fill("pat@example.org")
    phone.get_by_label("Password").fill("wrong password here")
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_text("Email or password is incorrect.")).to_be_visible()

    phone.get_by_label("Password").fill("a long enough password")
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_role("button", name="Log out", exact=True)).to_be_visible()
    screenshot(phone, "organizer-home-phone")
    phone.get_by_role("button", name="Log out", exact=True).click()
    expect(phone.get_by_role("link", name="Organizer login")).to_be_visible()
