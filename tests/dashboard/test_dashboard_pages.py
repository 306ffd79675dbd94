"""The dashboard and county pages as an organizer opens them, and the organizer home."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.petitions import counts
from campaign.petitions.models import PetitionCounty, SignatureStatus
from tests.dashboard.builders import add_signatures

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def petition(make_petition):
    petition = make_petition(counties=(("55009", 20),), goal=10)
    petition.counties.append(PetitionCounty(county_fips="55087", is_target=True))
    add_signatures(petition, 5, "55009", at=utcnow() - timedelta(hours=1))
    add_signatures(petition, 4, "55025", at=utcnow() - timedelta(days=2), referral="flyer")
    add_signatures(petition, 2, "55009", status=SignatureStatus.PENDING, at=utcnow())
    counts.refresh_counts(petition.id, force=True)
    db.session.commit()
    return petition


def svgs(html: str) -> list[ET.Element]:
    """Every inline <svg> of the page, parsed back."""
    found, start = [], 0
    while (start := html.find("<svg", start)) != -1:
        end = html.index("</svg>", start) + len("</svg>")
        found.append(ET.fromstring(html[start:end]))  # noqa: S314 (our own page)
        start = end
    return found


def test_the_dashboard_shows_each_figure_with_a_link_to_its_list(client, login_as, petition):
    login_as("viewer")
    page = client.get(f"/organize/campaigns/{petition.campaign.slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    slug = petition.slug
    assert f'href="/organize/petitions/{slug}/signatures?status=confirmed"><strong>9</strong>' in html
    assert f'href="/organize/petitions/{slug}/signatures?status=pending"><strong>2</strong>' in html
    assert f'href="/organize/petitions/{slug}/signatures?status=confirmed&amp;county=55009">5</a>' in html
    assert f'href="/organize/petitions/{slug}/signatures?status=confirmed&amp;county=55025">4</a>' in html
    assert "Residents of the target counties: 5" in html and "Supporters elsewhere: 4" in html
    assert "<code>flyer</code>" in html
    # A chart and a map, both real SVG, with the map's counties linking to the county view.
    parsed = svgs(html)
    maps = [svg for svg in parsed if svg.findall(f".//{SVG}path[@data-fips]")]
    assert len(maps) == 1
    links = {a.get("href") for a in maps[0].iter(f"{SVG}a")}
    assert f"/organize/campaigns/{petition.campaign.slug}/counties/55009" in links
    assert len(parsed) >= 2  # the chart per day too


def test_the_county_view_and_its_404s(client, login_as, petition):
    login_as("viewer")
    slug = petition.campaign.slug
    page = client.get(f"/organize/campaigns/{slug}/counties/55009")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Brown County, WI" in html and html.count("Signer") == 5
    assert client.get(f"/organize/campaigns/{slug}/counties/99999").status_code == 404
    assert client.get(f"/organize/campaigns/{slug}/counties/abc").status_code == 404
    assert client.get("/organize/campaigns/no-such-campaign").status_code == 404
    assert client.get("/organize/campaigns/no-such-campaign/counties/55009").status_code == 404


def test_an_empty_campaign_shows_empty_states(client, login_as, make_campaign):
    login_as("viewer")
    campaign = make_campaign()
    page = client.get(f"/organize/campaigns/{campaign.slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "This campaign has no petition yet." in html and "No pledges yet." in html and "No forums yet." in html
    assert client.get(f"/organize/campaigns/{campaign.slug}/counties/55009").status_code == 200


def test_a_petition_with_no_signatures_shows_empty_states(client, login_as, make_petition):
    login_as("viewer")
    petition = make_petition()
    html = client.get(f"/organize/campaigns/{petition.campaign.slug}").get_data(as_text=True)
    assert "No confirmed signatures yet." in html


def test_the_dashboard_needs_a_login(client, petition):
    assert client.get(f"/organize/campaigns/{petition.campaign.slug}").status_code == 302


def test_the_home_lists_headline_figures_and_what_needs_attention(client, login_as, petition, make_forum):
    login_as("viewer")
    forum = make_forum(campaign=petition.campaign, capacity=10)
    from campaign.forums.models import RSVP, RSVPStatus

    db.session.add_all([RSVP(forum=forum, first_name="A", last_name=str(n), status=RSVPStatus.GOING) for n in range(9)])
    db.session.commit()
    html = client.get("/organize/").get_data(as_text=True)
    assert "<strong>9</strong> confirmed signatures" in html
    assert f"{petition.title} is close to its goal: 9 of 10." in html
    assert f"{forum.title} is nearly full: 9 of 10 seats taken." in html


def test_the_dashboard_in_spanish(client, login_as, petition):
    login_as("viewer")
    html = client.get(f"/organize/campaigns/{petition.campaign.slug}", headers={"Accept-Language": "es"}).get_data(
        as_text=True
    )
    assert "Firmas por día" in html and "confirmadas" in html
