"""Share links and `?source=` codes: kept on the action through the confirmation, counted on
the dashboard for the partner; a bad code is dropped and the action still counts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from campaign.campaigns.models import ShareLink
from campaign.extensions import db
from campaign.forums.models import RSVP
from campaign.petitions import counts
from campaign.petitions.models import Signature
from campaign.pledges.models import Commitment
from tests.petitions.helpers import GOOD, confirmation_link, mails_to


@pytest.fixture
def petition(make_petition, make_campaign, make_organization):
    campaign = make_campaign()
    campaign.partners = [make_organization(name="Voces de la Frontera", slug="voces")]
    db.session.commit()
    return make_petition(campaign=campaign)


def create_link(client, petition, **fields):
    data = {"target": f"petition:{petition.slug}", "partner": str(petition.campaign.partners[0].id)} | fields
    return client.post(f"/organize/campaigns/{petition.campaign.slug}/share-links", data=data)


def test_a_partner_link_survives_sign_confirm_and_reaches_the_dashboard(client, login_as, petition):
    login_as("organizer")
    assert create_link(client, petition).status_code == 302
    link = db.session.scalar(select(ShareLink))
    assert link.code == "voces"

    redirect = client.get("/s/voces")
    assert redirect.status_code == 302
    assert redirect.headers["Location"] == f"/p/{petition.slug}?source=voces"
    page = client.get(redirect.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="source"[^>]*value="voces"', page)

    assert client.post(f"/p/{petition.slug}?source=voces", data=GOOD | {"source": "voces"}).status_code == 303
    client.post(confirmation_link(mails_to(GOOD["email"])[-1]))
    signature = db.session.scalar(select(Signature))
    assert (signature.status.value, signature.referral) == ("confirmed", "voces")

    counts.refresh_counts(petition.id, force=True)
    db.session.commit()
    html = client.get(f"/organize/campaigns/{petition.campaign.slug}").get_data(as_text=True)
    row = re.search(r"<code>voces</code></th>\s*<td>Voces de la Frontera</td>\s*<td>(.*?)</td>", html, re.S)
    assert row and ">1<" in row.group(1)


@pytest.mark.parametrize("bad", ["x" * 41, "<script>", "a b", "-lead", "ñandú", ""])
def test_a_bad_source_code_is_dropped_and_the_signature_still_counts(client, petition, bad):
    response = client.post(f"/p/{petition.slug}", data=GOOD | {"source": bad})
    assert response.status_code == 303
    signature = db.session.scalar(select(Signature))
    assert signature is not None and signature.referral is None


def test_the_code_is_kept_by_the_first_action_only(client, petition):
    client.post(f"/p/{petition.slug}", data=GOOD | {"source": "first"})
    client.post(f"/p/{petition.slug}", data=GOOD | {"source": "second"})
    assert db.session.scalar(select(Signature.referral)) == "first"


def test_pledges_and_rsvps_keep_their_source_too(client, make_pledge, make_forum):
    pledge = make_pledge()
    client.post(f"/pledges/{pledge.slug}", data=GOOD | {"source": "Church-Flyer"})
    assert db.session.scalar(select(Commitment.referral)) == "church-flyer"
    forum = make_forum()
    client.post(f"/forums/{forum.slug}", data=GOOD | {"source": "radio_ad"})
    assert db.session.scalar(select(RSVP.referral)) == "radio_ad"


def test_share_link_rules(client, login_as, petition, make_petition):
    login_as("organizer")
    assert create_link(client, petition, code="Bad Code!").status_code == 422
    assert create_link(client, petition, code="lwv").status_code == 302
    taken = create_link(client, petition, code="lwv")
    assert taken.status_code == 409 and "already taken" in taken.get_data(as_text=True)
    other = make_petition()  # another campaign's petition
    assert create_link(client, petition, target=f"petition:{other.slug}").status_code == 422
    assert create_link(client, petition, partner="999999").status_code in (404, 422)
    assert db.session.scalar(select(db.func.count()).select_from(ShareLink)) == 1
    # Without a code, one is made from the partner's name, and kept unique.
    create_link(client, petition)
    create_link(client, petition)
    assert set(db.session.scalars(select(ShareLink.code))) == {"lwv", "voces", "voces-2"}


def test_viewers_see_links_but_cannot_make_or_delete_them(client, login_as, petition):
    login_as("viewer")
    assert client.get(f"/organize/campaigns/{petition.campaign.slug}/share-links").status_code == 200
    assert create_link(client, petition).status_code == 403


def test_deleting_a_link_keeps_the_counted_code(client, login_as, petition):
    login_as("organizer")
    create_link(client, petition)
    link = db.session.scalar(select(ShareLink))
    client.post(f"/p/{petition.slug}", data=GOOD | {"source": link.code})
    url = f"/organize/campaigns/{petition.campaign.slug}/share-links/{link.id}/delete"
    assert client.post(url).status_code == 302
    assert client.get("/s/voces").status_code == 404
    assert db.session.scalar(select(Signature.referral)) == "voces"
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("code", ["nope", "x" * 500, "%00"])
def test_unknown_or_odd_share_codes_are_not_found(client, code):
    assert client.get(f"/s/{code}").status_code == 404


def test_a_draft_campaign_link_is_not_found(client, login_as, petition):
    from campaign.campaigns.models import CampaignStatus

    login_as("organizer")
    create_link(client, petition)
    petition.campaign.status = CampaignStatus.DRAFT
    db.session.commit()
    assert client.get("/s/voces").status_code == 404
