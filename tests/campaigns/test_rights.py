"""Know Your Rights: the campaign's page (its own text or the general one, and its helplines),
the general page, nothing set or loaded that could track a visitor, the link on every
thank-you and confirmation page, and the organizer pages that edit it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import render_template
from sqlalchemy import func, select

from campaign.campaigns.models import CampaignStatus, Helpline
from campaign.extensions import db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Every thank-you and confirmation page includes the link (and names the object whose campaign it is).
THANKS_PAGES = {
    "petitions/thanks.html": "petition",
    "petitions/confirm.html": "petition",
    "forums/registered.html": "forum",
    "forums/confirm.html": "forum",
    "forums/cancel.html": "forum",
    "pledges/thanks.html": "pledge",
    "pledges/confirm.html": "pledge",
    "pledges/done.html": "pledge",
}


@pytest.fixture
def campaign(make_campaign):
    campaign = make_campaign(rights="## Our county\n\nCall **us** first.", rights_es="## Nuestro condado\n\nLlámenos.")
    campaign.helplines = [
        Helpline(
            position=1,
            name="Fox Valley Legal Aid (test)",
            phone="(920) 555-0188",
            website="https://legal-aid.example.org",
            hours="Mon-Fri 9-5",
            languages="English, Spanish",
            description="Free legal advice.",
            description_es="Asesoría legal gratuita.",
        )
    ]
    db.session.commit()
    return campaign


def test_the_campaign_page_in_english_and_spanish(client, campaign):
    english = client.get(f"/c/{campaign.slug}/rights").get_data(as_text=True)
    assert "<h2>Our county</h2>" in english and "<strong>us</strong>" in english
    assert 'href="tel:9205550188"' in english and "(920) 555-0188" in english
    assert "https://legal-aid.example.org" in english and "Free legal advice." in english
    assert "not legal advice" in english
    spanish = client.get(f"/c/{campaign.slug}/rights", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "<h2>Nuestro condado</h2>" in spanish and "Asesoría legal gratuita." in spanish
    assert "Our county" not in spanish


def test_a_campaign_without_its_own_text_shows_the_general_one(client, make_campaign):
    campaign = make_campaign()
    page = client.get(f"/c/{campaign.slug}/rights").get_data(as_text=True)
    assert "You have the right to remain silent" in page
    assert "I-200 or I-205" in page and "signed by a judge" in page


def test_the_general_page_points_to_the_county_lookup(app, client):
    response = client.get("/know-your-rights")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You have the right to remain silent" in page and "whatever their immigration status" in page
    assert "not legal advice" in page
    with app.test_request_context():
        from flask import url_for

        assert f'href="{url_for("accountability.where")}"' in page


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_pages_set_no_cookie_and_load_nothing_from_elsewhere(client, campaign, language):
    for url in (f"/c/{campaign.slug}/rights", "/know-your-rights"):
        response = client.get(url, headers={"Accept-Language": language})
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "public" in response.headers["Cache-Control"]
        page = response.get_data(as_text=True)
        loaded = re.findall(r'<(?:script|img|link|iframe|source|video|audio)\b[^>]*(?:src|href)="([^"]+)"', page)
        assert loaded and all(address.startswith("/") and not address.startswith("//") for address in loaded)
        assert "<script" not in page and "<form" not in page


def test_a_draft_campaign_has_no_public_rights_page(client, make_campaign):
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    assert client.get(f"/c/{campaign.slug}/rights").status_code == 404
    assert client.get("/c/no-such-campaign/rights").status_code == 404


def test_the_campaign_page_links_to_its_rights_page(client, campaign):
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert f'href="/c/{campaign.slug}/rights"' in page


@pytest.mark.parametrize("template", sorted(THANKS_PAGES))
def test_every_thanks_and_confirmation_page_includes_the_link(template):
    source = (TEMPLATES / template).read_text()
    owner = THANKS_PAGES[template]
    assert f'{{% with campaign={owner}.campaign %}}{{% include "_rights_link.html" %}}{{% endwith %}}' in source


def test_the_link_goes_to_the_campaign_page_or_the_general_one(app, campaign, make_campaign):
    draft = make_campaign(status=CampaignStatus.DRAFT)
    with app.test_request_context():
        assert f'href="/c/{campaign.slug}/rights"' in render_template("_rights_link.html", campaign=campaign)
        assert 'href="/know-your-rights"' in render_template("_rights_link.html", campaign=draft)
        assert 'href="/know-your-rights"' in render_template("_rights_link.html", campaign=None)
        assert 'href="/know-your-rights"' in render_template("_rights_link.html")


@pytest.mark.parametrize(
    ("builder", "prefix"), [("make_petition", "/p"), ("make_forum", "/forums"), ("make_pledge", "/pledges")]
)
def test_the_thanks_page_after_an_action_links_to_the_rights_page(request, client, builder, prefix):
    from tests.petitions.helpers import GOOD

    action = request.getfixturevalue(builder)()
    response = client.post(f"{prefix}/{action.slug}", data=GOOD)
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your email" in thanks
    assert f'href="/c/{action.campaign.slug}/rights"' in thanks


# --- organizer pages ----------------------------------------------------------------------


def test_organizers_write_the_text_in_both_languages(client, login_as, campaign):
    login_as("organizer")
    url = f"/organize/campaigns/{campaign.slug}/rights"
    assert client.post(url, data={"rights": "## Local\n\nText.", "rights_es": ""}).status_code == 303
    assert (campaign.rights, campaign.rights_es) == ("## Local\n\nText.", None)
    too_long = client.post(url, data={"rights": "x" * 20_001})
    assert too_long.status_code == 422 and "20000" in too_long.get_data(as_text=True).replace(",", "")
    assert campaign.rights == "## Local\n\nText."


def helpline_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Helpline))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "Hotline", "phone": "call us"}, "phone", "digits only"),
        ({"name": "Hotline", "phone": "12"}, "phone", "digits only"),
        ({"name": "Hotline", "website": "javascript:alert(1)"}, "website", "https://"),
        ({"name": "Hotline", "website": "ftp://files.example.org"}, "website", "https://"),
        ({"name": "Hotline"}, "phone", "a phone number or a website"),
        ({"name": "", "phone": "211"}, "name", "required"),
    ],
)
def test_helpline_input_is_checked(client, login_as, campaign, fields, field, message):
    login_as("organizer")
    response = client.post(f"/organize/campaigns/{campaign.slug}/rights/helplines", data=fields)
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error and message in error.group(1)
    assert helpline_count() == 1


def test_helplines_are_added_edited_moved_and_deleted(client, login_as, campaign):
    login_as("organizer")
    base = f"/organize/campaigns/{campaign.slug}/rights/helplines"
    added = client.post(
        base, data={"name": "  Rapid Response  ", "phone": " 211 ", "website": "https://rr.example.org"}
    )
    assert added.status_code == 303
    first, second = campaign.helplines
    assert (second.name, second.phone, second.position) == ("Rapid Response", "211", 2)
    organizer_page = client.get(f"/organize/campaigns/{campaign.slug}/rights").get_data(as_text=True)
    assert organizer_page.count(">Move up<") == organizer_page.count(">Move down<") == 1  # not past the ends
    client.post(f"{base}/{second.id}/move", data={"direction": "up"})
    db.session.expire(campaign)
    assert [helpline.name for helpline in campaign.helplines] == ["Rapid Response", "Fox Valley Legal Aid (test)"]
    page = client.get(f"/c/{campaign.slug}/rights").get_data(as_text=True)
    assert page.index("Rapid Response") < page.index("Fox Valley")

    edit = client.post(
        f"{base}/{first.id}", data={"name": "Fox Valley Legal Aid", "phone": "+1 920 555 0188", "website": ""}
    )
    assert edit.status_code == 303 and (first.phone, first.website) == ("+1 920 555 0188", None)
    assert 'href="tel:+19205550188"' in client.get(f"/c/{campaign.slug}/rights").get_data(as_text=True)
    delete = f"{base}/{first.id}/delete"
    assert client.post(delete).status_code == 303
    assert helpline_count() == 1
    assert client.post(delete).status_code == 404


def test_viewers_read_but_do_not_edit(client, login_as, campaign):
    login_as("viewer")
    url = f"/organize/campaigns/{campaign.slug}/rights"
    page = client.get(url)
    assert page.status_code == 200 and "Fox Valley Legal Aid (test)" in page.get_data(as_text=True)
    assert client.post(url, data={"rights": "changed"}).status_code == 403
    assert client.post(f"{url}/helplines", data={"name": "X", "phone": "211"}).status_code == 403
    helpline = campaign.helplines[0]
    assert client.post(f"{url}/helplines/{helpline.id}/delete").status_code == 403
    assert campaign.rights.startswith("## Our county") and helpline_count() == 1


def test_a_helpline_of_another_campaign_is_not_found(client, login_as, campaign, make_campaign):
    login_as("organizer")
    other = make_campaign()
    helpline = campaign.helplines[0]
    url = f"/organize/campaigns/{other.slug}/rights/helplines/{helpline.id}"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/delete").status_code == 404
    assert helpline_count() == 1
