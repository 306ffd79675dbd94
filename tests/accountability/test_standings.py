"""'Where your officials stand': each official of a campaign side by side, with the source of
each position, their votes on the agreement and the signatures delivered to them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from campaign.campaigns.models import CampaignStatus
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.meetings.models import VoteChoice
from campaign.officials.models import Body, Stance
from tests.accountability.helpers import add_position, add_vote, deliver, respond
from tests.petitions.helpers import count_signatures


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


@pytest.fixture
def brown(make_campaign, make_official, make_petition, make_meeting):
    """The demo-like campaign: the sheriff and the board chair targeted, a board member not."""
    sheriff = make_official(name="Dana Kowalski", title="Sheriff", phone="(920) 555-0140")
    chair = make_official(
        name="Robert Vang", title="Chair, County Board", body=Body.COUNTY_BOARD, district="7", email="chair@example.org"
    )
    member = make_official(name="Lee Moua", title="Supervisor", body=Body.COUNTY_BOARD, district="12")
    make_official(name="Alex Council", title="Alder", body=Body.CITY_COUNCIL)  # another body
    make_official(name="Sam Elsewhere", title="Supervisor", body=Body.COUNTY_BOARD, county_fips="55001")
    campaign = make_campaign(title="End 287(g) in Brown", targets=[sheriff, chair])
    petition = make_petition(campaign=campaign, title="Rescind the agreement")
    return campaign, petition, sheriff, chair, member


def test_each_official_with_stance_source_history_votes_and_deliveries(client, brown, make_meeting):
    campaign, petition, sheriff, chair, member = brown
    add_position(sheriff, Stance.UNDECIDED, date(2024, 3, 1), "https://news.example.org/sheriff-2024")
    add_position(
        sheriff, Stance.OPPOSES, date(2025, 6, 10), "https://news.example.org/sheriff-2025", "Will keep the agreement."
    )
    add_position(chair, Stance.SUPPORTS, date(2025, 9, 2), "https://minutes.example.org/2025-09-02")
    meeting = make_meeting(
        campaign=campaign, title="Brown County Board", starts_at=datetime(2025, 10, 14, 23, tzinfo=UTC)
    )
    add_vote(meeting, chair, VoteChoice.NO, source_url="https://minutes.example.org/first")
    add_vote(meeting, chair, VoteChoice.YES, source_url="https://minutes.example.org/corrected")  # the correction
    add_vote(meeting, member, VoteChoice.ABSTAIN, title="Parking lot repairs").agenda_item.concerns_agreement = False
    db.session.commit()
    delivery = deliver(petition, sheriff, "BRWN2345", datetime(2025, 11, 3, 15, tzinfo=UTC))
    respond(delivery, date(2025, 11, 20), "I will not end the agreement.", "https://sheriff.example.org/letter.pdf")

    page = client.get(f"/c/{campaign.slug}/officials")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    names = re.findall(r'<li class="card">\s*<h2>([^<]+)</h2>', html)
    assert names == ["Dana Kowalski", "Robert Vang", "Lee Moua"]  # targets first, then the same bodies
    text = plain(html)
    assert "Alex Council" not in text and "Sam Elsewhere" not in text

    sheriff_card = html[html.index("Dana Kowalski") : html.index("Robert Vang")]
    assert "Opposes rescission" in plain(sheriff_card)
    assert "stated June 10, 2025" in plain(sheriff_card)
    assert 'href="https://news.example.org/sheriff-2025"' in sheriff_card
    history = re.search(r"<details>.*?</details>", sheriff_card, re.S).group(0)
    assert "1 earlier position" in plain(history)
    assert "Undecided, March 1, 2024" in plain(history)
    assert 'href="https://news.example.org/sheriff-2024"' in history
    assert '<a href="/packets/verify/BRWN2345">Signatures delivered on November 3, 2025</a>' in sheriff_card
    assert "250 signatures" in plain(sheriff_card)
    assert "Response of November 20, 2025" in plain(sheriff_card)
    assert "I will not end the agreement." in sheriff_card
    assert 'href="https://sheriff.example.org/letter.pdf"' in sheriff_card
    assert "(920) 555-0140" in sheriff_card

    chair_card = html[html.index("Robert Vang") : html.index("Lee Moua")]
    assert "Supports rescission" in plain(chair_card)
    assert "District 7" in plain(chair_card)
    votes = re.search(r"Votes on the agreement</h3>\s*<ul>(.*?)</ul>", chair_card, re.S).group(1)
    assert plain(votes).startswith("Yes · 7.b Resolution to end the 287(g) agreement · Brown County Board")
    assert 'href="https://minutes.example.org/corrected"' in votes
    assert "first" not in votes  # the corrected row no longer counts
    assert f'href="/meetings/{meeting.slug}"' in votes

    member_card = html[html.index("Lee Moua") :]
    assert "No position recorded yet." in plain(member_card)
    assert "Parking lot repairs" not in member_card  # not about the agreement


def test_nothing_about_signers_or_organizers_notes(app, client, brown):
    campaign, petition, sheriff, _chair, _member = brown
    signer = {"first_name": "Hana", "last_name": "Signerova", "email": "hana@example.org", "zip_code": "54301"}
    assert app.test_client().post(f"/p/{petition.slug}", data=signer).status_code == 303
    assert count_signatures() == 1
    deliver(petition, sheriff, "BRWN2346", utcnow() - timedelta(days=2))
    text = client.get(f"/c/{campaign.slug}/officials").get_data(as_text=True)
    assert "Signatures delivered on" in text
    assert "Signerova" not in text and "hana@example.org" not in text
    assert "front desk" not in text  # the organizers' delivery note


def test_a_draft_campaigns_page_is_for_organizers_only(client, login_as, make_campaign):
    draft = make_campaign(status=CampaignStatus.DRAFT)
    assert client.get(f"/c/{draft.slug}/officials").status_code == 404
    assert client.get("/c/no-such-campaign/officials").status_code == 404
    login_as("viewer")
    assert client.get(f"/c/{draft.slug}/officials").status_code == 200


def test_without_targets_the_countys_sheriff_and_board_are_shown(client, make_campaign, make_official):
    make_official(name="Dana Kowalski")
    make_official(name="Robert Vang", title="Chair", body=Body.COUNTY_BOARD)
    make_official(name="Alex Council", title="Alder", body=Body.CITY_COUNCIL)
    campaign = make_campaign()
    text = plain(client.get(f"/c/{campaign.slug}/officials").get_data(as_text=True))
    assert "Dana Kowalski" in text and "Robert Vang" in text
    assert "Alex Council" not in text
    assert "Target of this campaign" not in text


def test_the_campaign_page_links_to_the_standings(client, brown):
    campaign = brown[0]
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert f'<a href="/c/{campaign.slug}/officials">Where your officials stand</a>' in page


def _statements_for(client, url: str) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _fill(official, meeting, petition, number: int) -> None:
    add_position(official, Stance.UNDECIDED, date(2024, 1, 1), f"https://example.org/{number}/a")
    add_position(official, Stance.SUPPORTS, date(2025, 1, 1), f"https://example.org/{number}/b")
    add_vote(meeting, official, VoteChoice.YES)
    delivery = deliver(petition, official, f"PKT{number:05d}", utcnow() - timedelta(days=number))
    respond(delivery, date(2025, 2, 1), f"Answer {number}")


def test_the_page_asks_a_fixed_number_of_queries_whatever_the_number_of_officials(
    app, client, make_campaign, make_official, make_petition, make_meeting
):
    app.config["PAGE_CACHE_SECONDS"] = 0
    counts = []
    for size in (2, 6):
        officials = [
            make_official(name=f"Official {size}-{number}", body=Body.COUNTY_BOARD, district=str(number))
            for number in range(size)
        ]
        campaign = make_campaign(targets=officials, county_fips="55001" if size == 2 else "55003")
        petition = make_petition(campaign=campaign)
        meeting = make_meeting(campaign=campaign)
        for number, official in enumerate(officials):
            _fill(official, meeting, petition, size * 100 + number)
        db.session.expire_all()
        counts.append(_statements_for(client, f"/c/{campaign.slug}/officials"))
    assert counts[0] == counts[1]
