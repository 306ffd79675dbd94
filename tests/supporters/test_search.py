"""Supporter search: one list of signatures, commitments and RSVPs across a campaign, found
by name, email, mail domain, ZIP or phone, filtered, paged, with capped counts."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.accounts.models import AuditEvent
from campaign.core.errors import NotFound
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import RSVPStatus
from campaign.petitions.models import SignatureStatus
from campaign.pledges.models import CommitmentStatus
from campaign.supporters import search
from campaign.supporters.filters import BadFilter, SupporterFilter
from tests.supporters.builders import commit, person, register, sign


@pytest.fixture
def campaign(make_campaign, make_petition, make_pledge, make_forum):
    """A campaign with a petition, a pledge and a forum; each test adds the rows it needs."""
    found = make_campaign()
    make_petition(campaign=found, title="End 287(g) in Brown County")
    make_pledge(campaign=found, title="Attend the board meeting")
    make_forum(campaign=found, title="Community forum in Green Bay")
    return found


def actions(campaign):
    return campaign.petitions[0], campaign.pledges[0], campaign.forums[0]


def found(campaign, page: int = 1, **args) -> list[tuple[str, str]]:
    """(kind, name) of the rows on a page."""
    results = search.search(campaign, SupporterFilter.from_args(campaign, args), page)
    return [(row.kind.name, row.name) for row in results.rows]


def test_a_name_prefix_finds_every_kind_of_row_whatever_the_accents(campaign):
    petition, pledge, forum = actions(campaign)
    maria = person("maria@example.org", "María", "García")
    sign(petition, maria)
    commit(pledge, maria)
    register(forum, maria)
    sign(petition, person("ana@example.org", "Ana", "Marin"))
    sign(petition, first_name="Mario", last_name="Paper")  # paper, no email

    assert set(found(campaign, q="mari")) == {
        ("commitment", "María García"),
        ("rsvp", "María García"),
        ("signature", "María García"),
        ("signature", "Mario Paper"),
    }
    assert [name for _, name in found(campaign, q="MARIA GAR")] == ["María García"] * 3
    assert found(campaign, q="garcia") == []  # a prefix of the whole name, first name first


def test_a_name_with_like_wildcards_is_matched_literally(campaign):
    petition, _, _ = actions(campaign)
    sign(petition, first_name="a_b", last_name="Test")
    sign(petition, first_name="axb", last_name="Test")
    assert found(campaign, q="a_b") == [("signature", "a_b Test")]


def test_an_email_finds_the_canonical_mailbox_and_its_household(campaign):
    petition, pledge, _ = actions(campaign)
    sign(petition, person("ab@gmail.com", "Alma", "Baez"))
    commit(pledge, person("AB@googlemail.com", "Beto", "Baez"))  # same mailbox, another person
    sign(petition, person("abc@gmail.com", "Carla", "Cruz"))

    assert sorted(found(campaign, q="a.b+x@gmail.com")) == [("commitment", "Beto Baez"), ("signature", "Alma Baez")]
    assert found(campaign, q="nobody@example.org") == []


def test_an_at_domain_finds_everyone_at_that_mail_domain(campaign):
    petition, _, forum = actions(campaign)
    sign(petition, person("one@example.org", "Uno", "Example"))
    register(forum, person("two@EXAMPLE.org", "Dos", "Example"))
    sign(petition, person("three@gmail.com", "Tres", "Gmail"))

    assert sorted(found(campaign, q="@example.org")) == [("rsvp", "Dos Example"), ("signature", "Uno Example")]
    assert found(campaign, q="@googlemail.com") == [("signature", "Tres Gmail")]


def test_a_zip_code_and_a_phone_number(campaign):
    petition, pledge, _ = actions(campaign)
    sign(petition, first_name="Brown", last_name="Signer", phone="(920) 555-0100")
    sign(petition, first_name="Outagamie", last_name="Signer", county="55087")
    commit(pledge, person("c@example.org", "Brown", "Committed"))

    assert sorted(found(campaign, q="54301")) == [("commitment", "Brown Committed"), ("signature", "Brown Signer")]
    assert found(campaign, q="54911") == [("signature", "Outagamie Signer")]
    for typed in ("920-555-0100", "+1 920 555 0100", "9205550100"):
        assert found(campaign, q=typed) == [("signature", "Brown Signer")], typed
    assert found(campaign, q="920-555-0199") == []


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("x" * 10_000, "at most 200 characters"),
        ("not an address@", "valid email address"),
        ("@not a domain", "mail domain after the @"),
        ("!!!", "Search by a name"),
    ],
)
def test_a_search_that_cannot_be_read_says_why(campaign, q, message):
    with pytest.raises(BadFilter) as refused:
        SupporterFilter.from_args(campaign, {"q": q})
    assert message in refused.value.message
    assert refused.value.status_code == 400
    assert refused.value.field == "q"


def test_each_filter(campaign, make_petition):
    petition, pledge, forum = actions(campaign)
    other = make_petition(campaign=campaign, title="Second petition")
    long_ago = utcnow() - timedelta(days=40)
    sign(petition, first_name="Active", last_name="Brown", referral="lwv-brown", email_updates=True)
    sign(petition, first_name="Pending", last_name="Brown", status=SignatureStatus.PENDING, locale="es")
    sign(petition, first_name="Removed", last_name="Brown", status=SignatureStatus.INVALIDATED, at=long_ago)
    sign(other, first_name="Other", last_name="Outagamie", county="55087")
    commit(pledge, person("p@example.org", "Pending", "Pledge"), status=CommitmentStatus.PENDING)
    register(forum, person("w@example.org", "Waiting", "Forum"), status=RSVPStatus.WAITLISTED, referral="lwv-brown")
    register(forum, person("c@example.org", "Cancelled", "Forum"), status=RSVPStatus.CANCELLED, email_updates=True)

    def names(**args) -> set[str]:
        return {name for _, name in found(campaign, **args)}

    assert names(action=f"petition:{other.slug}") == {"Other Outagamie"}
    assert names(action=f"forum:{forum.slug}") == {"Waiting Forum", "Cancelled Forum"}
    assert names(county="55087") == {"Other Outagamie"}
    assert names(status="active") == {"Active Brown", "Other Outagamie", "Waiting Forum"}
    assert names(status="pending") == {"Pending Brown", "Pending Pledge"}
    assert names(status="removed") == {"Removed Brown", "Cancelled Forum"}
    assert names(source="LWV-Brown") == {"Active Brown", "Waiting Forum"}
    assert names(language="es") == {"Pending Brown"}
    assert names(consent="yes") == {"Active Brown", "Cancelled Forum"}
    day = long_ago.date()
    assert names(since=str(day - timedelta(days=1)), until=str(day + timedelta(days=1))) == {"Removed Brown"}
    assert "Removed Brown" not in names(since=str(day + timedelta(days=2)))
    # Filters add up.
    assert names(status="active", source="lwv-brown", action=f"forum:{forum.slug}") == {"Waiting Forum"}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"since": "2025-02-30"}, "since"),
        ({"until": "31/12/2025"}, "until"),
        ({"until": "9999-12-31"}, "until"),  # the day after cannot be computed
        ({"since": "0001-01-01"}, "since"),
        ({"since": "2025-03-02", "until": "2025-03-01"}, "until"),
        ({"status": "confirmed"}, "status"),
        ({"language": "fr"}, "language"),
        ({"consent": "maybe"}, "consent"),
        ({"source": "not a code!"}, "source"),
    ],
)
def test_a_filter_value_that_cannot_be_read_is_a_400_beside_its_field(campaign, args, field):
    with pytest.raises(BadFilter) as refused:
        SupporterFilter.from_args(campaign, args)
    assert refused.value.field == field


def test_another_campaigns_action_or_an_unknown_county_is_a_404(campaign, make_petition):
    elsewhere = make_petition()  # in a campaign of its own
    for args in (
        {"action": f"petition:{elsewhere.slug}"},
        {"action": "petition:no-such-petition"},
        {"action": f"pledge:{campaign.petitions[0].slug}"},  # a petition's slug is no pledge
        {"action": "meeting:x"},
        {"county": "99999"},
        {"county": "５５００９"},
    ):
        with pytest.raises(NotFound):
            SupporterFilter.from_args(campaign, args)


def test_rows_of_other_campaigns_never_show(campaign, make_petition):
    sign(actions(campaign)[0], first_name="Mine", last_name="Signer")
    sign(make_petition(), first_name="Theirs", last_name="Signer")
    assert found(campaign) == [("signature", "Mine Signer")]


def test_the_filter_gives_back_its_parameters(campaign):
    petition, _, _ = actions(campaign)
    args = {
        "q": "ana",
        "action": f"petition:{petition.slug}",
        "county": "55009",
        "status": "pending",
        "source": "lwv-brown",
        "since": "2025-01-01",
        "until": "2025-01-31",
        "language": "es",
        "consent": "no",
    }
    wanted = SupporterFilter.from_args(campaign, args)
    assert wanted.to_args() == args
    assert SupporterFilter.from_args(campaign, wanted.to_args()) == wanted
    described = "; ".join(wanted.describe())
    assert "Brown County, WI" in described and petition.title in described and "Email updates: no" in described


def test_pages_hold_every_row_once_newest_first(campaign):
    petition, pledge, forum = actions(campaign)
    start = utcnow() - timedelta(days=1)
    made = []
    for number in range(120):
        at = start + timedelta(minutes=number)
        who = person(f"p{number}@example.org", f"P{number:03d}", "Test")
        kind = number % 3
        if kind == 0:
            sign(petition, who, at=at)
        elif kind == 1:
            commit(pledge, who, at=at)
        else:
            register(forum, who, at=at)
        made.append(f"P{number:03d} Test")

    pages = [search.search(campaign, SupporterFilter(), number) for number in (1, 2, 3)]
    assert [len(page.rows) for page in pages] == [50, 50, 20]
    assert [page.has_more for page in pages] == [True, True, False]
    assert [row.name for page in pages for row in page.rows] == made[::-1]
    assert pages[0].counts == {"signature": 40, "commitment": 40, "rsvp": 40}
    assert pages[0].shown_total == "120"


def test_counts_stop_at_the_cap(campaign, monkeypatch, client, login_as):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    petition, pledge, _ = actions(campaign)
    for number in range(5):
        sign(petition, first_name=f"Signer{number}", last_name="Test")
    commit(pledge, person("c@example.org"))

    results = search.search(campaign, SupporterFilter(), 1)
    assert results.counts["signature"] == 4  # stops counting at the cap + 1
    assert len(results.rows) == 6  # the list itself is not capped
    login_as("viewer")
    page = html.unescape(client.get(f"/organize/campaigns/{campaign.slug}/supporters").get_data(as_text=True))
    assert re.search(r"<strong>3\+</strong> <span>signatures", page)
    assert re.search(r"<strong>4\+</strong> <span>rows in all", page)
    assert re.search(r"<strong>1</strong> <span>commitments", page)


def test_a_page_past_the_listed_rows_is_a_404(campaign):
    with pytest.raises(NotFound):
        search.search(campaign, SupporterFilter(), search.LISTED_ROWS // search.PAGE_SIZE + 1)


# --- the page -------------------------------------------------------------------------------


def test_the_page_lists_rows_with_links_to_each_person(campaign, client, login_as):
    petition, _, _ = actions(campaign)
    ana = person("ana@example.org", "Ana", "Lopez")
    sign(petition, ana, referral="lwv-brown")
    erased = sign(petition, person("gone@example.org", "Gone", "Person"))
    erased.anonymised_at = utcnow()
    db.session.commit()
    login_as("viewer")

    page = client.get(f"/organize/campaigns/{campaign.slug}/supporters?q=ana")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="/organize/people/{ana.id}">Ana Lopez</a>' in text
    assert "Gone Person" not in text and "ana@example.org" not in text
    assert "Export these as CSV" not in text  # viewers never export

    everyone = client.get(f"/organize/campaigns/{campaign.slug}/supporters").get_data(as_text=True)
    assert ">Erased</a>" in everyone and "Gone Person" not in everyone


def test_organizers_get_the_export_link_with_the_filter(campaign, client, login_as):
    login_as("organizer")
    text = client.get(f"/organize/campaigns/{campaign.slug}/supporters?status=active&q=ana").get_data(as_text=True)
    link = re.search(r'href="([^"]*/supporters/export[^"]*)"', text).group(1)
    assert "status=active" in link and "q=ana" in link


def test_page_links_keep_the_filter(campaign, client, login_as):
    petition, _, _ = actions(campaign)
    for number in range(55):
        sign(petition, first_name=f"Ana{number}", last_name="Test", referral="flyer")
    login_as("viewer")
    text = html.unescape(
        client.get(f"/organize/campaigns/{campaign.slug}/supporters?source=flyer").get_data(as_text=True)
    )
    following = re.search(r'href="([^"]+)" rel="next"', text).group(1)
    assert "source=flyer" in following and "page=2" in following
    second = client.get(following).get_data(as_text=True)
    assert second.count("Ana") >= 5 and 'rel="prev"' in second


def test_a_search_of_ten_thousand_characters_is_refused_with_a_message(campaign, client, login_as):
    login_as("viewer")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.get(f"/organize/campaigns/{campaign.slug}/supporters", query_string={"q": "x" * 10_000})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Search for at most 200 characters" in text
    assert 'aria-invalid="true"' in text  # beside the search field
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_the_page_answers_404_for_another_campaigns_action(campaign, client, login_as, make_petition):
    elsewhere = make_petition()
    login_as("viewer")
    url = f"/organize/campaigns/{campaign.slug}/supporters?action=petition:{elsewhere.slug}"
    assert client.get(url).status_code == 404
    assert client.get("/organize/campaigns/no-such-campaign/supporters").status_code == 404


def test_the_page_needs_a_login(campaign, client):
    response = client.get(f"/organize/campaigns/{campaign.slug}/supporters")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
