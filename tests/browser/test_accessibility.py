"""axe-core over the public and organizer pages, with the demo data so every table has rows,
on a phone (where wide tables scroll) and in both languages. A serious or critical violation
fails the test with its rule and the elements it was found on."""

from __future__ import annotations

import json
from pathlib import Path

import axe_playwright_python
import pytest
from sqlalchemy import select

from campaign.accounts.services import create_user
from campaign.broadcasts import rendering
from campaign.broadcasts import services as broadcasts
from campaign.campaigns.demo import DEMO_CAMPAIGN_SLUG as CAMPAIGN
from campaign.campaigns.models import Campaign
from campaign.extensions import db
from campaign.forums import checkin
from campaign.forums.demo import DEMO_SLUG as FORUM
from campaign.forums.models import RSVP, Forum
from campaign.meetings.demo import DEMO_SLUG as MEETING
from campaign.meetings.demo import PAST_SLUG as PAST_MEETING
from campaign.packets import services as packets
from campaign.petitions.demo import DEMO_SLUG as PETITION
from campaign.petitions.models import Petition, Signature
from campaign.pledges.demo import DEMO_SLUG as PLEDGE
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

# axe-core's own build (MPL-2.0), shipped inside the axe-playwright-python wheel.
AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
BLOCKING = ("serious", "critical")
# Off by default in axe as "experimental", and the one that caught buttons whose name in
# Spanish did not contain their visible words.
OPTIONS = {"rules": {"label-content-name-mismatch": {"enabled": True}}}
LANGUAGES = ("en", "es")
EMAIL, PASSWORD = "pat@example.org", "a long enough password"


@pytest.fixture
def demo(app, runner):
    """The demo campaign, a built packet, one person checked in, and an admin (who sees every
    organizer page). Returns what the page addresses need: the packet and a supporter."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    petition = db.session.scalar(select(Petition).where(Petition.slug == PETITION))
    packet = packets.request_packet(petition, packets.PacketRequest(county_fips=[]))
    packets.build(packet)
    forum = db.session.scalar(select(Forum).where(Forum.slug == FORUM))
    checkin.check_in(db.session.scalar(select(RSVP).where(RSVP.forum_id == forum.id).order_by(RSVP.id)))
    admin = create_user(EMAIL, PASSWORD, "admin", name="Pat")
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == CAMPAIGN))
    message = broadcasts.Draft(
        subject_en="The County Board votes Tuesday",
        body_en="## Come\n\nThe **County Board** votes on the agreement. [The agenda](https://example.org/agenda)",
        subject_es="La Junta del Condado vota el martes",
        body_es="## Venga\n\nLa **Junta del Condado** vota sobre el acuerdo.",
        audience={"action": f"petition:{PETITION}"},
    )
    draft = broadcasts.create(campaign, message, admin)
    paused = broadcasts.create(campaign, message, admin)  # its progress bar and buttons
    broadcasts.send(paused, admin)
    broadcasts.pause(paused, admin)
    db.session.commit()
    supporter = db.session.scalar(select(Signature.person_id).where(Signature.person_id.is_not(None)))
    return {
        "packet": packet.public_id,
        "person": supporter,
        "draft": draft.id,
        "paused": paused.id,
        "unsubscribe": rendering.unsubscribe_token(supporter, campaign.id, draft.id),
    }


@pytest.fixture
def page(browser):
    # The site's Content-Security-Policy would refuse the injected axe script.
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def blocking_violations(page, url: str) -> list[str]:
    """`url` opened in each language and checked by axe: one line per violation that counts."""
    found = []
    for language in LANGUAGES:
        address = f"{url}{'&' if '?' in url else '?'}lang={language}"
        response = page.goto(address)
        assert response is not None and response.status == 200, address
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("options => axe.run(document, options)", OPTIONS)
        for violation in result["violations"]:
            if violation["impact"] in BLOCKING:
                targets = json.dumps([node["target"] for node in violation["nodes"]])
                found.append(f"{address}: {violation['id']} ({violation['impact']}) {violation['help']} {targets}")
    return found


PUBLIC = [
    "/",
    f"/c/{CAMPAIGN}",
    f"/p/{PETITION}",
    "/forums/",
    f"/forums/{FORUM}",
    f"/pledges/{PLEDGE}",
    f"/meetings/{MEETING}",
    f"/meetings/{PAST_MEETING}",
    "/where",
    "/where?state=WI",
    "/where/55009",
    f"/c/{CAMPAIGN}/officials",
    "/packets/verify/{packet}",
    "/login",
    "/unsubscribe/{unsubscribe}",
]
ORGANIZER = [
    "/organize/",
    "/organize/campaigns/",
    "/organize/status",
    f"/organize/petitions/{PETITION}/signatures",
    f"/organize/petitions/{PETITION}/packets",
    "/organize/packets/{packet}",
    f"/organize/forums/{FORUM}",
    f"/organize/forums/{FORUM}/check-in",
    f"/organize/pledges/{PLEDGE}",
    f"/organize/meetings/{PAST_MEETING}",
    f"/organize/meetings/{MEETING}/edit",
    f"/organize/campaigns/{CAMPAIGN}/supporters?q=a",
    f"/organize/campaigns/{CAMPAIGN}/supporters/export?action=petition:{PETITION}",
    "/organize/people/{person}",
    "/organize/people/{person}/erase",
    f"/organize/petitions/{PETITION}/fraud",
    f"/organize/petitions/{PETITION}/signatures/bulk?source=library-flyer",
    "/organize/audit",
    "/organize/privacy",
    f"/organize/campaigns/{CAMPAIGN}/broadcasts",
    f"/organize/campaigns/{CAMPAIGN}/broadcasts/new",
    "/organize/broadcasts/{draft}",
    "/organize/broadcasts/{paused}",
]


def test_public_and_organizer_pages_have_no_serious_violation(demo, live_server, page):
    # One test for both: the demo data takes most of its time to build.
    found = [line for path in PUBLIC for line in blocking_violations(page, live_server + path.format(**demo))]
    page.goto(f"{live_server}/login?lang=en")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/organize/")
    found += [line for path in ORGANIZER for line in blocking_violations(page, live_server + path.format(**demo))]
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)
