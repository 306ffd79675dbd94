"""The county map of a public petition page and the organizer dashboard, on a phone: the map
fits the screen and has a name, the chart and its table of figures work, a county of the map
leads to its county view, the keyboard reaches the map's counties, and axe-core finds no
serious or critical violation. Screenshots are kept under test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.petitions import counts
from campaign.petitions.models import SignatureStatus
from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.dashboard.builders import add_signatures

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "viewer@example.org", "a long enough password"
BROWN, OUTAGAMIE, DANE, MILWAUKEE = "55009", "55087", "55025", "55079"
NO_SIGNATURES = "55001"  # Adams County
WISCONSIN_COUNTIES = 72
CONFIRMED = 9 + 4 + 3 + 2
# A county of the map, not the hatched outline drawn over a target county.
COUNTY = ".county-map path[data-fips='{}']:not(.target-mark)"
TITLE = "Confirmed signatures by county"
FOCUS = "rgb(255, 191, 71)"  # --focus of site.css


@pytest.fixture
def petition(make_petition):
    """A Wisconsin petition open for six days: Brown County the target with a goal, and
    signatures there and in three other counties, on several days."""
    now = utcnow()
    petition = make_petition(counties=((BROWN, 20),), goal=50, created_at=now - timedelta(days=5))
    add_signatures(petition, 9, BROWN, at=now - timedelta(hours=2))
    add_signatures(petition, 4, OUTAGAMIE, at=now - timedelta(days=2), referral="flyer")
    add_signatures(petition, 3, DANE, at=now - timedelta(days=3))
    add_signatures(petition, 2, MILWAUKEE, at=now - timedelta(days=4))
    add_signatures(petition, 1, BROWN, status=SignatureStatus.PENDING, at=now)
    counts.refresh_counts(petition.id, force=True)
    db.session.commit()
    return petition


@pytest.fixture
def page(browser):
    """A phone as in conftest, but with the Content-Security-Policy bypassed: the site's
    policy would refuse the axe script injected into the page."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


def log_in(page, live_server: str, make_user, then: str) -> None:
    """A viewer, the least role that sees the dashboard, logs in on the real login page."""
    make_user("viewer", email=EMAIL, password=PASSWORD)
    page.goto(f"{live_server}/login?lang=en&next={then}")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server + then)


def assert_fits_the_phone(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert width == PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def assert_inside_the_screen(locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, box


def accessible_name(locator) -> str:
    """The text of the elements aria-labelledby points to, as a screen reader would read it."""
    return locator.evaluate(
        """element => (element.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
            .map(id => document.getElementById(id)).filter(Boolean)
            .map(named => named.textContent.trim()).join(' ')"""
    )


def assert_the_map(page, title: str) -> None:
    svg = page.locator("div.county-map > svg")
    assert svg.count() == 1
    svg.scroll_into_view_if_needed()
    assert_inside_the_screen(svg)
    assert_fits_the_phone(page)
    assert svg.get_attribute("role") == "img"
    title_id = svg.get_attribute("aria-labelledby").split()[0]
    assert page.locator(f"[id='{title_id}']").text_content() == title
    assert accessible_name(svg).startswith(title)
    assert page.locator(".county-map path[data-fips]:not(.target-mark)").count() == WISCONSIN_COUNTIES
    brown = page.locator(COUNTY.format(BROWN)).get_attribute("fill")
    nothing = page.locator(COUNTY.format(NO_SIGNATURES)).get_attribute("fill")
    assert brown and nothing and brown != nothing
    # Brown County is the target: outlined and hatched over its shade.
    assert page.locator(f".county-map path.target-mark[data-fips='{BROWN}']").count() == 1


def test_petition_map_on_a_phone_in_both_languages(petition, live_server, page):
    url = f"{live_server}/p/{petition.slug}"
    page.goto(url + "?lang=en")
    assert_the_map(page, TITLE)
    screenshot(page, "petition-map-phone")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    page.wait_for_function("document.documentElement.lang === 'es'")
    page.wait_for_load_state()  # the Spanish page whole, before its map is counted and measured
    with force_locale("es"):
        spanish = gettext(TITLE)  # the English title while the translation is missing
    assert_the_map(page, spanish)
    screenshot(page, "petition-map-es-phone")

    found = blocking_violations(page, url)
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


def test_dashboard_and_county_view_on_a_phone(make_user, petition, live_server, page):
    dashboard = f"/organize/campaigns/{petition.campaign.slug}"
    log_in(page, live_server, make_user, dashboard)
    assert_fits_the_phone(page)

    figures = page.locator(".figures .figure")
    assert figures.count() == 4
    confirmed = figures.first.get_by_role("link")
    expect(confirmed).to_be_visible()
    assert confirmed.locator("strong").inner_text() == str(CONFIRMED)
    assert figures.nth(1).locator("strong").inner_text() == "1"  # waiting for their confirmation

    chart = page.locator("svg.chart").first
    chart.scroll_into_view_if_needed()
    assert_inside_the_screen(chart)
    assert accessible_name(chart) == "Confirmed signatures per day"

    days = page.locator("details.figures-table").first
    rows = days.locator("tbody tr")
    expect(rows.first).not_to_be_visible()
    days.locator("summary").click()
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5  # from the day the petition opened to today
    assert sum(int(cell.replace(",", "")) for cell in rows.locator("td").all_inner_texts()) == CONFIRMED
    assert_fits_the_phone(page)

    county_map = page.locator(".map-and-table svg.county-map")
    county_map.scroll_into_view_if_needed()
    assert_inside_the_screen(county_map)
    assert accessible_name(county_map).startswith(TITLE)
    screenshot(page, "dashboard-phone")

    page.locator(f'.map-and-table a[href$="/counties/{BROWN}"]').click()
    page.wait_for_url(f"{live_server}{dashboard}/counties/{BROWN}")
    assert page.get_by_role("heading", level=1).inner_text() == "Brown County, WI"
    assert page.locator(".figures .figure strong").first.inner_text() == "9"
    assert_fits_the_phone(page)
    screenshot(page, "county-view-phone")

    found = blocking_violations(page, live_server + dashboard)
    found += blocking_violations(page, f"{live_server}{dashboard}/counties/{BROWN}")
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


def test_the_keyboard_reaches_the_counties_of_the_map(make_user, petition, live_server, page):
    dashboard = f"/organize/campaigns/{petition.campaign.slug}"
    log_in(page, live_server, make_user, dashboard)

    # From the control just before the map, Tab goes through every county, then leaves the map.
    page.locator("details.figures-table summary").first.focus()
    reached, brown_fill = [], None
    for _ in range(WISCONSIN_COUNTIES + 5):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.closest('svg.county-map a')?.getAttribute('href') ?? null")
        if href is None and reached:
            break
        if href is not None:
            reached.append(href)
        if href == f"{dashboard}/counties/{BROWN}":
            # Its outline is painted over by the counties drawn after it: the county is filled.
            brown_fill = page.evaluate("getComputedStyle(document.activeElement.querySelector('path')).fill")
    assert len(reached) == WISCONSIN_COUNTIES
    assert f"{dashboard}/counties/{BROWN}" in reached
    assert brown_fill == FOCUS, "a county reached by the keyboard does not show it"

    # Enter on a county follows its link, as a tap does.
    page.locator(f'.map-and-table a[href$="/counties/{BROWN}"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}{dashboard}/counties/{BROWN}")
    assert page.get_by_role("heading", level=1).inner_text() == "Brown County, WI"
