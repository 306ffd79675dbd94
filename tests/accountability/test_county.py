"""The "287(g) in your county" lookup: by ZIP code or by state and county, then the county's
page with its agreements in plain language, what runs there, or how to start."""

from __future__ import annotations

import re
from datetime import date, timedelta

from campaign.agreements.models import AgreementImport, AgreementModel, AgreementSource, AgreementStatus
from campaign.campaigns.models import CampaignStatus
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.geo.services import ZipLookup, counties_in_state
from campaign.pledges.models import PledgeStatus

WSO_START = "Trained jail officers may serve and carry out ICE administrative warrants"
WSO_START_ES = "Oficiales capacitados de la cárcel pueden entregar y ejecutar órdenes"
NONE_KNOWN = "We know of no 287(g) agreement in this county."
HOW_TO_START = "No campaign runs here yet. How to start one"


def text_of(response) -> str:
    return response.get_data(as_text=True)


def plain(html: str) -> str:
    """The page's words as a reader sees them: tags out, entities of quotes back."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


def test_a_zip_with_an_agreement_leads_to_its_county_and_explains_the_model(client, make_agreement):
    make_agreement(signed_on=date(2025, 5, 2), document_url="https://www.ice.gov/moa/brown.pdf")
    found = client.get("/where?zip_code=54301")
    assert found.status_code == 303
    assert found.headers["Location"] == "/where/55009"

    page = client.get("/where/55009")
    text = plain(text_of(page))
    assert page.status_code == 200
    assert "287(g) in Brown County, WI" in text
    assert "Brown County Sheriff's Office" in text
    assert "Warrant Service Officer model" in text
    assert WSO_START in text
    assert "Active" in text and "Signed May 2, 2025." in text
    assert 'href="https://www.ice.gov/moa/brown.pdf"' in text_of(page)
    assert NONE_KNOWN not in text


def test_the_model_is_explained_in_spanish_too(client, make_agreement):
    make_agreement()
    spanish = plain(text_of(client.get("/where/55009?lang=es")))
    assert WSO_START_ES in spanish
    assert WSO_START not in spanish


def test_a_county_without_agreement_says_so_plainly_and_how_to_start(client, make_agreement):
    make_agreement()  # Brown's, not Adams's
    db.session.add(AgreementImport(file_name="participating-agencies.xlsx", sha256="0" * 64, rows=1))
    db.session.commit()
    assert client.get("/where?zip_code=53910").headers["Location"] == "/where/55001"
    text = plain(text_of(client.get("/where/55001")))
    assert "287(g) in Adams County, WI" in text
    assert NONE_KNOWN in text
    assert "Brown County Sheriff's Office" not in text
    today = utcnow().date()
    assert f"as we last imported it on {today:%B} {today.day}, {today.year}" in text
    assert HOW_TO_START in text
    assert "public-records request" in text
    assert 'href="/know-your-rights"' in text_of(client.get("/where/55001"))


def test_without_any_import_the_page_says_the_list_is_not_imported_yet(client):
    text = plain(text_of(client.get("/where/55001")))
    assert NONE_KNOWN in text
    assert "We have not imported ICE's list yet." in text


def test_a_county_with_an_agreement_and_no_campaign_names_the_agreement(client, make_agreement):
    """The issue's Maricopa County: /where used to say only that no campaign ran there."""
    make_agreement(
        agency="Maricopa County Sheriff's Office",
        state="AZ",
        county_fips="04013",
        model=AgreementModel.JAIL_ENFORCEMENT,
    )
    assert client.get("/where?zip_code=85003").headers["Location"] == "/where/04013"
    text = plain(text_of(client.get("/where/04013")))
    assert "287(g) in Maricopa County, AZ" in text
    assert "Maricopa County Sheriff's Office" in text
    assert "Jail Enforcement model" in text
    assert "identify and question people in custody" in text
    assert NONE_KNOWN not in text
    assert HOW_TO_START in text


def test_a_declined_or_rescinded_agreement_is_shown_as_such(client, make_agreement):
    make_agreement(
        agency="Palmyra Police Department",
        agency_type="Municipality",
        status=AgreementStatus.DECLINED,
        status_on=date(2025, 8, 12),
        source=AgreementSource.LOCAL,
        listed=False,
        note="The village board voted it down after public comment.",
    )
    text = plain(text_of(client.get("/where/55009")))
    assert "Palmyra Police Department" in text
    assert "Declined on August 12, 2025" in text
    assert "The village board voted it down after public comment." in text


def test_statewide_agencies_are_listed_on_every_county_of_their_state(client, make_agreement):
    make_agreement(agency="Wisconsin State Patrol", agency_type="State", county_fips=None)
    text = plain(text_of(client.get("/where/55001")))
    assert "Agencies of Wisconsin that act across the state" in text
    assert "Wisconsin State Patrol" in text
    assert NONE_KNOWN in text  # none of Adams County's own


def test_the_county_page_lists_what_runs_there_and_only_public_things(
    client, make_campaign, make_forum, make_pledge, make_meeting
):
    campaign = make_campaign(title="End 287(g) in Brown")
    make_campaign(title="A draft campaign", status=CampaignStatus.DRAFT)
    make_campaign(title="Elsewhere", county_fips="55001")
    make_forum(campaign=campaign, title="Community forum at the library")
    make_pledge(campaign=campaign, title="Pack the board room")
    make_pledge(campaign=campaign, title="A pledge in the works", status=PledgeStatus.DRAFT)
    make_meeting(campaign=campaign, title="Board of Supervisors, budget hearing")
    make_meeting(campaign=campaign, title="Last month's meeting", starts_at=utcnow() - timedelta(days=30))

    page = text_of(client.get("/where/55009"))
    text = plain(page)
    for shown in ("End 287(g) in Brown", "Community forum at the library", "Pack the board room"):
        assert shown in text
    assert "Board of Supervisors, budget hearing" in text
    for hidden in ("A draft campaign", "Elsewhere", "A pledge in the works", "Last month's meeting", HOW_TO_START):
        assert hidden not in text
    assert f'href="/c/{campaign.slug}/officials"' in page
    assert f'href="/c/{campaign.slug}/rights"' in page  # Know your rights: the campaign's own page


def test_lookup_by_state_then_county(client):
    first = client.get("/where?state=WI")
    assert first.status_code == 200
    options = re.findall(r'<option[^>]*value="(\d{5})"[^>]*>([^<]+)</option>', text_of(first))
    assert ("55009", "Brown County") in options
    assert len(options) == len(counties_in_state("WI"))

    chosen = client.get("/where?state=WI&county=55009")
    assert chosen.status_code == 303
    assert chosen.headers["Location"] == "/where/55009"


def test_an_unknown_state_or_a_county_of_another_state_is_refused_beside_the_field(client):
    unknown = client.get("/where?state=XX")
    assert unknown.status_code == 422
    assert re.search(r'id="state-error">Choose a state from the list\.', text_of(unknown))

    elsewhere = client.get("/where?state=WI&county=04013")
    assert elsewhere.status_code == 422
    assert re.search(r'id="county-error">Choose a county of this state from the list\.', text_of(elsewhere))


def test_unknown_fips_is_a_404(client):
    assert client.get("/where/99999").status_code == 404
    assert client.get("/where/brown").status_code == 404


def test_an_unknown_zip_is_a_clear_404_message(client):
    page = client.get("/where?zip_code=00000")
    assert page.status_code == 404
    assert "We don&#39;t know the ZIP code 00000" in text_of(page)


def test_a_malformed_zip_is_a_422_beside_the_field(client):
    page = client.get("/where?zip_code=12")
    assert page.status_code == 422
    assert re.search(r'id="zip_code-error">Enter a 5-digit ZIP code\.', text_of(page))


def test_a_zip_shared_by_counties_lets_the_person_pick_theirs(client, monkeypatch):
    import campaign.accountability.views as views

    counties = counties_in_state("WI")
    monkeypatch.setattr(views, "lookup_zip", lambda raw: ZipLookup("54301", "Green Bay", "WI", None, counties))
    page = client.get("/where?zip_code=54301")
    assert page.status_code == 200
    text = text_of(page)
    assert "This ZIP code does not tell us the county for sure." in text
    assert '<a href="/where/55009">Brown County</a>' in text
