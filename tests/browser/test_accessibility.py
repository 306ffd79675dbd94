"""axe-core over the public and organizer pages, with the demo data so every table has rows,
on a phone (where wide tables scroll) and in both languages. A serious or critical violation
fails the test with its rule and the elements it was found on. Which pages are listed is
checked against app.url_map by test_page_coverage.py."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import axe_playwright_python
import pytest
from sqlalchemy import select

from campaign.accounts.services import create_user
from campaign.agreements import services as agreements
from campaign.agreements.models import Agreement
from campaign.broadcasts import rendering
from campaign.broadcasts import services as broadcasts
from campaign.campaigns.demo import DEMO_CAMPAIGN_SLUG as CAMPAIGN
from campaign.campaigns.models import Campaign
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums import checkin, notices
from campaign.forums.demo import DEMO_SLUG as FORUM
from campaign.forums.models import RSVP, Forum
from campaign.meetings.demo import DEMO_SLUG as MEETING
from campaign.meetings.demo import PAST_SLUG as PAST_MEETING
from campaign.meetings.models import AgendaItem, Meeting
from campaign.officials.models import Official
from campaign.outbox.models import OutboxMessage
from campaign.packets import deliveries
from campaign.packets import services as packets
from campaign.packets.models import DeliveryMethod
from campaign.petitions import bulk, paper_import
from campaign.petitions.demo import DEMO_SLUG as PETITION
from campaign.petitions.listing import SignatureFilter
from campaign.petitions.models import Petition, Signature
from campaign.pledges.demo import DEMO_SLUG as PLEDGE
from campaign.pledges.models import Commitment, Pledge
from campaign.pledges.notices import report_token
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
PERSON = {"first_name": "Mai", "last_name": "Vang", "zip_code": "54301", "locale": "en"}
# The ICE list's layout with its dirty values (a pending link, an #N/A county, three date formats).
AGREEMENTS_CSV = b"""STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,ADDENDUM
WI,Brown County Sheriff's Office,County,Brown,Warrant Service Officer,02/14/2025,link pending,
WI,Waukesha County Sheriff's Office,County,Waukesha,Jail Enforcement Model,3/1/2025,https://example.org/moa.pdf,
WI,Wisconsin State Patrol,State Agency,#N/A,Task Force Model,2025-04-02,,
"""
PAPER_SHEET = b"first_name,last_name,zip_code,sheet\nTeng,Xiong,54302,3\n"


def mailed_token(address: str, prefix: str) -> str:
    """The token ending the latest link that starts with `prefix` mailed to `address`."""
    query = select(OutboxMessage.body_text).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id.desc())
    for body in db.session.scalars(query):
        found = re.search(rf"http://localhost({re.escape(prefix)}[^\s?]+)", body)
        if found:
            return found.group(1).rsplit("/", 1)[1]
    raise AssertionError(f"no {prefix} link was mailed to {address}")


def sign_ups(client, item: AgendaItem) -> dict[str, str]:
    """Sign, RSVP, commit and sign up as observer and speaker as a person does, and ask for a
    password reset: the tokens of the links the mails hold (each still pending)."""
    forms = {
        f"/p/{PETITION}": ("petition", f"/p/{PETITION}/confirm/"),
        f"/forums/{FORUM}": ("rsvp", f"/forums/{FORUM}/confirm/"),
        f"/pledges/{PLEDGE}": ("pledge", f"/pledges/{PLEDGE}/confirm/"),
        f"/meetings/{MEETING}/observe": ("observer", f"/meetings/{MEETING}/observe/confirm/"),
        f"/meetings/{MEETING}/items/{item.id}/speak": ("speaker", f"/meetings/{MEETING}/speak/confirm/"),
    }
    tokens = {}
    for form, (name, prefix) in forms.items():
        address = f"{name}@example.org"
        response = client.post(form, data=PERSON | {"email": address})
        assert response.status_code == 303, (form, response.get_data(as_text=True))
        tokens[name] = mailed_token(address, prefix)
    # The meeting mails carry the cancel link with the confirmation one.
    tokens["observer_cancel"] = mailed_token("observer@example.org", f"/meetings/{MEETING}/observe/cancel/")
    tokens["speaker_cancel"] = mailed_token("speaker@example.org", f"/meetings/{MEETING}/speak/cancel/")
    assert client.post("/reset", data={"email": EMAIL}).status_code == 200
    tokens["reset"] = mailed_token(EMAIL, "/reset/")
    return tokens


def one(model, *where):
    return db.session.scalars(select(model).where(*where).order_by(model.id)).first()


@pytest.fixture
def demo(app, runner):
    """The demo campaign, a packet delivered to an official who answered, sign-ups waiting for
    their confirmation, one person checked in, an agreements import, a paper import, a bulk
    moderation, broadcasts, and an admin (who sees every organizer page). Returns what the
    page addresses need."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    admin = create_user(EMAIL, PASSWORD, "admin", name="Pat")
    db.session.commit()
    meeting = one(Meeting, Meeting.slug == MEETING)
    item = one(AgendaItem, AgendaItem.meeting_id == meeting.id, AgendaItem.speaker_slots.is_not(None))
    tokens = sign_ups(app.test_client(), item)

    campaign = one(Campaign, Campaign.slug == CAMPAIGN)
    petition = one(Petition, Petition.slug == PETITION)
    packet = packets.request_packet(petition, packets.PacketRequest(county_fips=[]))
    packets.build(packet)
    official = one(Official, Official.county_fips == campaign.county_fips)
    delivered = utcnow() - timedelta(days=3)
    delivery = deliveries.record_delivery(
        packet,
        deliveries.DeliveryInput(
            recipient="", method=DeliveryMethod.AT_MEETING, delivered_at=delivered, official_id=official.id
        ),
        admin,
    )
    deliveries.record_response(
        delivery,
        deliveries.ResponseInput(responded_on=utcnow().date(), text="I will bring the resolution to the Board."),
        admin,
    )
    forum = one(Forum, Forum.slug == FORUM)
    rsvp = one(RSVP, RSVP.forum_id == forum.id)
    checkin.check_in(rsvp)
    commitment = one(Commitment, Commitment.pledge_id == one(Pledge, Pledge.slug == PLEDGE).id)
    imported = agreements.apply_import("participating-agencies.csv", AGREEMENTS_CSV, admin).record
    sheet = paper_import.start_import(petition, "sheet.csv", PAPER_SHEET, forum_id=forum.id, user=admin)
    in_county = SignatureFilter(county_fips=campaign.county_fips)
    moderation = bulk.start(petition, in_county, "invalidate", "Demo check", admin)
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
    past_item = one(AgendaItem, AgendaItem.meeting_id == one(Meeting, Meeting.slug == PAST_MEETING).id)
    return tokens | {
        "packet": packet.public_id,
        "person": supporter,
        "draft": draft.id,
        "paused": paused.id,
        "unsubscribe": rendering.unsubscribe_token(supporter, campaign.id, draft.id),
        "rsvp_cancel": notices.cancel_token(rsvp),
        "done": report_token(commitment),
        "item": item.id,
        "past_item": past_item.id,
        "official": official.id,
        "agreement": one(Agreement, Agreement.county_fips == campaign.county_fips).id,
        "agreements_import": imported.id,
        "paper_import": sheet.id,
        "bulk": moderation.id,
        "document": campaign.documents[0].id,
        "helpline": campaign.helplines[0].id,
        "county": campaign.county_fips,
    }


@pytest.fixture
def page(browser):
    # The site's Content-Security-Policy would refuse the injected axe script.
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def violations_here(page, name: str) -> list[str]:
    """axe over the page as it is now: one line per violation that counts."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("options => axe.run(document, options)", OPTIONS)
    return [
        f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} "
        + json.dumps([node["target"] for node in violation["nodes"]])
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]


def in_each_language(url: str) -> list[str]:
    return [f"{url}{'&' if '?' in url else '?'}lang={language}" for language in LANGUAGES]


def blocking_violations(page, url: str) -> list[str]:
    """`url` opened in each language and checked by axe."""
    found = []
    for address in in_each_language(url):
        response = page.goto(address)
        assert response is not None and response.status == 200, address
        found += violations_here(page, address)
    return found


def violations_after_pressing(page, url: str) -> list[str]:
    """The page a confirm, cancel or unsubscribe link's button leads to, in each language. The
    second press finds the action done already; a page that then shows no button is the done
    page itself."""
    found = []
    for address in in_each_language(url):
        page.goto(address)
        button = page.locator("main form[method=post] button[type=submit]").first
        if button.count():
            with page.expect_navigation() as navigation:
                button.click()
            assert navigation.value.status == 200, f"{address} (pressed)"
        found += violations_here(page, f"{address} (pressed)")
    return found


# The pages of the links mailed to people: each is opened, then its button pressed.
PRESSED = [
    f"/p/{PETITION}/confirm/{{petition}}",
    f"/forums/{FORUM}/confirm/{{rsvp}}",
    f"/forums/{FORUM}/cancel/{{rsvp_cancel}}",
    f"/pledges/{PLEDGE}/confirm/{{pledge}}",
    f"/pledges/{PLEDGE}/done/{{done}}",
    f"/meetings/{MEETING}/observe/confirm/{{observer}}",
    f"/meetings/{MEETING}/observe/cancel/{{observer_cancel}}",
    f"/meetings/{MEETING}/speak/confirm/{{speaker}}",
    f"/meetings/{MEETING}/speak/cancel/{{speaker_cancel}}",
    "/unsubscribe/{unsubscribe}",
]
# Every page a GET renders, with the demo's values in braces; a route missing from both lists
# (and from test_page_coverage.NOT_PAGES) fails test_page_coverage.
PUBLIC = [
    "/",
    f"/c/{CAMPAIGN}",
    f"/c/{CAMPAIGN}/officials",
    f"/c/{CAMPAIGN}/rights",
    "/know-your-rights",
    f"/p/{PETITION}",
    f"/p/{PETITION}/thanks",
    "/forums/",
    f"/forums/{FORUM}",
    f"/forums/{FORUM}/registered",
    f"/pledges/{PLEDGE}",
    f"/pledges/{PLEDGE}/thanks",
    f"/meetings/{MEETING}",
    f"/meetings/{PAST_MEETING}",
    f"/meetings/{MEETING}/observe",
    f"/meetings/{MEETING}/items/{{item}}/speak",
    f"/meetings/{MEETING}/signed-up",
    "/where",
    "/where?state=WI",
    "/where/{county}",
    "/where/55055",  # a county with a declined agreement and no campaign
    "/packets/verify",
    "/packets/verify/{packet}",
    "/login",
    "/reset",
    "/reset/{reset}",
    *PRESSED,
]
ORGANIZER = [
    "/organize/",
    "/organize/status",
    "/organize/campaigns/",
    "/organize/campaigns/new",
    "/organize/organizations/new",
    f"/organize/campaigns/{CAMPAIGN}",
    f"/organize/campaigns/{CAMPAIGN}/edit",
    f"/organize/campaigns/{CAMPAIGN}/counties/{{county}}",
    f"/organize/campaigns/{CAMPAIGN}/share-links",
    f"/organize/campaigns/{CAMPAIGN}/petitions/new",
    f"/organize/campaigns/{CAMPAIGN}/forums/new",
    f"/organize/campaigns/{CAMPAIGN}/pledges/new",
    f"/organize/campaigns/{CAMPAIGN}/meetings/new",
    f"/organize/campaigns/{CAMPAIGN}/documents",
    f"/organize/campaigns/{CAMPAIGN}/documents/new",
    f"/organize/campaigns/{CAMPAIGN}/documents/{{document}}/edit",
    f"/organize/campaigns/{CAMPAIGN}/rights",
    f"/organize/campaigns/{CAMPAIGN}/rights/helplines/{{helpline}}",
    f"/organize/petitions/{PETITION}/edit",
    f"/organize/petitions/{PETITION}/signatures",
    f"/organize/petitions/{PETITION}/packets",
    "/organize/packets/{packet}",
    f"/organize/petitions/{PETITION}/fraud",
    f"/organize/petitions/{PETITION}/signatures/bulk?source=library-flyer",
    f"/organize/petitions/{PETITION}/signatures/bulk/{{bulk}}",
    f"/organize/forums/{FORUM}",
    f"/organize/forums/{FORUM}/edit",
    f"/organize/forums/{FORUM}/check-in",
    f"/organize/forums/{FORUM}/paper",
    f"/organize/forums/{FORUM}/paper/import",
    "/organize/paper-imports/{paper_import}",
    f"/organize/pledges/{PLEDGE}",
    f"/organize/pledges/{PLEDGE}/edit",
    f"/organize/meetings/{PAST_MEETING}",
    f"/organize/meetings/{MEETING}/edit",
    f"/organize/meetings/{MEETING}/items/new",
    f"/organize/meetings/{MEETING}/items/{{item}}/edit",
    f"/organize/meetings/{PAST_MEETING}/items/{{past_item}}/votes",
    f"/organize/meetings/{MEETING}/observers",
    f"/organize/meetings/{MEETING}/speakers",
    "/organize/officials/",
    "/organize/officials/new",
    "/organize/officials/{official}",
    "/organize/officials/{official}/edit",
    "/organize/agreements/",
    "/organize/agreements/new",
    "/organize/agreements/{agreement}",
    "/organize/agreements/import",
    "/organize/agreements/imports",
    "/organize/agreements/imports/{agreements_import}",
    f"/organize/campaigns/{CAMPAIGN}/supporters?q=a",
    f"/organize/campaigns/{CAMPAIGN}/supporters/export?action=petition:{PETITION}",
    "/organize/people/{person}",
    "/organize/people/{person}/erase",
    "/organize/audit",
    "/organize/privacy",
    f"/organize/campaigns/{CAMPAIGN}/broadcasts",
    f"/organize/campaigns/{CAMPAIGN}/broadcasts/new",
    "/organize/broadcasts/{draft}",
    "/organize/broadcasts/{paused}",
]


def log_in(page, live_server: str) -> None:
    page.goto(f"{live_server}/login?lang=en")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/organize/")


def test_public_and_organizer_pages_have_no_serious_violation(demo, live_server, page):
    # One test for both: the demo data takes most of its time to build.
    found = [line for path in PUBLIC for line in blocking_violations(page, live_server + path.format(**demo))]
    found += [line for path in PRESSED for line in violations_after_pressing(page, live_server + path.format(**demo))]
    log_in(page, live_server)
    found += [line for path in ORGANIZER for line in blocking_violations(page, live_server + path.format(**demo))]
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)
