"""Campaigns: created by organizers, shown to the public in English and Spanish."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from campaign.campaigns import services
from campaign.campaigns.models import Campaign, CampaignStatus
from campaign.core.errors import Conflict, DomainError, NotFound
from campaign.extensions import db


def _input(organization, **fields) -> services.CampaignInput:
    values = {"title": "End 287(g) in Brown County", "county": "55009", "organization_id": organization.id} | fields
    return services.CampaignInput(**values)


def count_campaigns() -> int:
    return db.session.scalar(select(func.count()).select_from(Campaign))


def test_create_campaign_derives_slug_and_jurisdiction(app, make_organization, make_official):
    organization = make_organization()
    partner = make_organization(name="Partner")
    sheriff = make_official()
    campaign = services.create_campaign(
        _input(organization, county="Brown County, WI", partner_ids=[partner.id], target_ids=[sheriff.id])
    )
    db.session.commit()
    assert campaign.slug == "end-287-g-in-brown-county"
    assert (campaign.state, campaign.county_fips) == ("WI", "55009")
    assert campaign.partners == [partner]
    assert campaign.targets == [sheriff]
    assert campaign.status is CampaignStatus.DRAFT


def test_a_slug_that_exists_is_refused_and_nothing_written(app, make_organization, make_campaign):
    make_campaign(slug="brown")
    before = count_campaigns()
    with pytest.raises(Conflict) as caught:
        services.create_campaign(_input(make_organization(), slug="brown"))
    assert caught.value.field == "slug"
    db.session.rollback()
    assert count_campaigns() == before


@pytest.mark.parametrize("slug", ["Has Spaces", "under_score", "trailing-", "ünï", "a--b"])
def test_malformed_slug_is_refused(app, make_organization, slug):
    with pytest.raises(DomainError) as caught:
        services.create_campaign(_input(make_organization(), slug=slug))
    assert caught.value.field == "slug"


def test_unknown_county_is_refused(app, make_organization):
    with pytest.raises(NotFound) as caught:
        services.create_campaign(_input(make_organization(), county="Nowhere County, WI"))
    assert caught.value.field == "county"


def test_public_list_hides_drafts(client, make_campaign):
    make_campaign(title="Public one", status=CampaignStatus.ACTIVE)
    make_campaign(title="Secret draft", slug="draft-one", status=CampaignStatus.DRAFT)
    text = client.get("/").get_data(as_text=True)
    assert "Public one" in text
    assert "Secret draft" not in text
    assert client.get("/c/draft-one").status_code == 404


def test_campaign_page_shows_agreement_officials_and_partners(client, make_campaign, make_official, make_organization):
    from campaign.agreements.models import Agreement, AgreementModel

    agreement = Agreement(
        agency="Brown County Sheriff's Office", state="WI", model=AgreementModel.WARRANT_SERVICE_OFFICER
    )
    campaign = make_campaign(
        slug="brown",
        summary="We ask the **Sheriff** to end it. <script>alert(1)</script>",
        agreement=agreement,
        targets=[make_official(name="Dana Kowalski", phone="(920) 555-0140")],
        partners=[make_organization(name="Fox Valley Coalition")],
    )
    page = client.get(f"/c/{campaign.slug}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<strong>Sheriff</strong>" in text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
    assert "Warrant Service Officer model" in text
    assert "already held in the county jail" in text
    assert "Dana Kowalski" in text and "(920) 555-0140" in text
    assert "Fox Valley Coalition" in text


def test_campaign_page_in_spanish_uses_spanish_text(client, make_campaign):
    make_campaign(slug="brown", title="End it", title_es="Terminarlo", summary="English", summary_es="Español")
    text = client.get("/c/brown?lang=es").get_data(as_text=True)
    assert "Terminarlo" in text and "Español" in text
    assert 'lang="es"' in text
    english = client.get("/c/brown?lang=en").get_data(as_text=True)
    assert "End it" in english and "Terminarlo" not in english


def test_organizer_creates_campaign_through_the_form(client, login_as, make_organization):
    login_as("organizer")
    organization = make_organization()
    response = client.post(
        "/organize/campaigns/new",
        data={"title": "Brown County", "county": "55009", "organization_id": organization.id, "status": "active"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/brown-county")
    assert count_campaigns() == 1


def test_form_shows_slug_conflict_beside_the_field(client, login_as, make_campaign):
    login_as("organizer")
    existing = make_campaign(slug="brown")
    response = client.post(
        "/organize/campaigns/new",
        data={"title": "Other", "slug": "brown", "county": "55009", "organization_id": existing.organization_id},
    )
    assert response.status_code == 409
    assert "The address brown is already taken" in response.get_data(as_text=True)
    assert count_campaigns() == 1


def test_form_with_missing_fields_is_422(client, login_as, make_organization):
    login_as("organizer")
    make_organization()
    response = client.post("/organize/campaigns/new", data={"title": "", "county": ""})
    assert response.status_code == 422
    assert count_campaigns() == 0


def test_viewer_cannot_create_campaigns(client, login_as, make_organization):
    login_as("viewer")
    make_organization()
    assert client.get("/organize/campaigns/new").status_code == 403
    assert client.get("/organize/campaigns/").status_code == 200


def test_anonymous_is_sent_to_login(client):
    response = client.get("/organize/campaigns/new")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_seed_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    campaign = db.session.scalar(select(Campaign))
    assert count_campaigns() == 1
    assert campaign.county.label == "Brown County, WI"
    assert campaign.agreement.model.value == "wso"
    assert {official.title for official in campaign.targets} == {"Sheriff", "Chair, County Board of Supervisors"}
    assert len(campaign.partners) == 3
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has campaigns" in skipped.output


def test_seed_demo_organizer_login_works(app, runner, client):
    result = runner.invoke(args=["seed-demo", "--organizer"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Demo organizer login:"))
    email, password = line.removeprefix("Demo organizer login: ").split("  ")[0].split(" / ")
    again = runner.invoke(args=["seed-demo", "--organizer", "--if-empty"])
    assert f"{email} / {password}" in again.output, "the printed login must stay valid"
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
