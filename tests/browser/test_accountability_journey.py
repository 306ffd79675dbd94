"""A resident on a phone asks "does my county have a 287(g) agreement?": types a ZIP code on
/where, lands on the county's page, reads what the Warrant Service Officer model allows,
finds the campaign there, and follows the Know Your Rights link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

WSO = "Trained jail officers may serve and carry out ICE administrative warrants"


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def test_a_resident_looks_up_their_county_by_zip(demo, live_server, phone):
    phone.goto(f"{live_server}/where?lang=en")
    phone.get_by_label("ZIP code").fill("54301")
    phone.get_by_role("button", name="Look up").click()

    expect(phone).to_have_url(f"{live_server}/where/55009")
    expect(phone.get_by_role("heading", level=1)).to_have_text("287(g) in Brown County, WI", use_inner_text=True)
    agreement = phone.locator(".agreement").filter(has_text="Brown County Sheriff")
    expect(agreement).to_contain_text("Warrant Service Officer model", use_inner_text=True)
    expect(agreement).to_contain_text(WSO, use_inner_text=True)
    expect(agreement).to_be_visible()
    campaigns = phone.get_by_role("region", name="Campaigns here")
    expect(campaigns.get_by_role("link", name="End the 287(g) agreement in Brown County")).to_be_visible()
    screenshot(phone, "where-county-en-phone")

    phone.get_by_role("complementary", name="Know your rights").get_by_role("link", name="Know your rights").click()
    expect(phone).to_have_url(f"{live_server}/c/end-287g-brown-county/rights")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Know your rights", use_inner_text=True)
    expect(phone.get_by_role("region", name="Who to call for help")).to_be_visible()
