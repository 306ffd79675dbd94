"""The dashboard's figures against hand-counted fixtures: totals, weeks, days, the residents
and elsewhere split, and sources by code and by partner."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaign.campaigns.models import ShareLink, ShareTarget
from campaign.dashboard import figures
from campaign.extensions import db
from campaign.forums.models import RSVP, RSVPStatus
from campaign.people.models import Person
from campaign.petitions import counts
from campaign.petitions.models import PetitionCounty, SignatureSource, SignatureStatus
from campaign.pledges.models import Commitment, CommitmentStatus
from tests.dashboard.builders import add_signatures

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # noon in Green Bay


@pytest.fixture
def petition(make_petition, make_campaign, make_organization):
    partner = make_organization(name="League of Women Voters of Brown County", slug="lwv-brown")
    campaign = make_campaign()
    campaign.partners = [partner]
    petition = make_petition(campaign=campaign, counties=(("55009", 10),), created_at=NOW - timedelta(days=30))
    petition.counties.append(PetitionCounty(county_fips="55087", is_target=True))  # Outagamie, no goal
    db.session.add(
        ShareLink(
            campaign=campaign, code="lwv", organization=partner, target=ShareTarget.PETITION, target_slug=petition.slug
        )
    )
    db.session.commit()
    # Brown: 6 confirmed (2 today, 1 three days ago by lwv, 3 ten days ago: 2 online via "flyer", 1 paper)
    add_signatures(petition, 2, "55009", at=NOW - timedelta(hours=2))
    add_signatures(petition, 1, "55009", at=NOW - timedelta(days=3), referral="lwv")
    add_signatures(petition, 2, "55009", at=NOW - timedelta(days=10), referral="flyer")
    add_signatures(petition, 1, "55009", at=NOW - timedelta(days=10), channel=SignatureSource.PAPER)
    # Outagamie (target): 1 confirmed via lwv; Dane (elsewhere): 3 confirmed, 20 days ago
    add_signatures(petition, 1, "55087", at=NOW - timedelta(days=1), referral="lwv")
    add_signatures(petition, 3, "55025", at=NOW - timedelta(days=20))
    # Not counted: 4 pending, 2 invalidated
    add_signatures(petition, 4, "55009", status=SignatureStatus.PENDING, at=NOW)
    add_signatures(petition, 2, "55025", status=SignatureStatus.INVALIDATED, at=NOW)
    counts.refresh_counts(petition.id, force=True, now=NOW)
    db.session.commit()
    return petition


def test_headline_figures_and_weeks(petition):
    item = figures.petition_figures(petition, CHICAGO, now=NOW)
    assert (item.confirmed, item.pending, item.paper) == (10, 4, 1)
    assert (item.this_week, item.last_week) == (4, 3)  # 2 + 1 + 1 this week; 2 + 1 ten days ago


def test_signatures_per_local_day(petition):
    item = figures.petition_figures(petition, CHICAGO, now=NOW)
    per_day = dict(item.days)
    assert item.days[0][0] == date(2026, 10, 31) and item.days[-1][0] == date(2026, 11, 30)  # created → today
    assert per_day[date(2026, 11, 30)] == 2
    assert per_day[date(2026, 11, 27)] == 1
    assert per_day[date(2026, 11, 20)] == 3
    assert per_day[date(2026, 11, 10)] == 3
    assert sum(per_day.values()) == 10


def test_a_late_evening_signature_counts_on_its_local_day(petition):
    evening = datetime(2026, 11, 26, 3, 30, tzinfo=UTC)  # 9:30 pm on the 25th in Green Bay
    add_signatures(petition, 1, "55009", at=evening)
    counts.refresh_counts(petition.id, force=True, now=NOW)
    per_day = dict(figures.petition_figures(petition, CHICAGO, now=NOW).days)
    assert per_day[date(2026, 11, 25)] == 1 and per_day[date(2026, 11, 26)] == 0


def test_residents_of_target_counties_apart_from_supporters_elsewhere(petition):
    item = figures.petition_figures(petition, CHICAGO, now=NOW)
    residents = {row.county.fips: (row.confirmed, row.goal, row.percent_of_goal) for row in item.residents}
    assert residents == {"55009": (6, 10, 60), "55087": (1, None, None)}
    assert [(row.county.fips, row.confirmed) for row in item.elsewhere] == [("55025", 3)]
    assert petition.resident_count == 7 and item.elsewhere_total == 3


def test_hour_counts_are_kept_incrementally_and_recounted_after_an_invalidation(petition):
    later = NOW + timedelta(minutes=30)
    add_signatures(petition, 2, "55009", at=later)
    assert counts.refresh_counts(petition.id, now=later + timedelta(seconds=20))  # incremental: new hours only
    per_day = dict(figures.petition_figures(petition, CHICAGO, now=later).days)
    assert per_day[date(2026, 11, 30)] == 4 and sum(per_day.values()) == 12
    # A confirmed one: Dane also holds two invalidated, and rows come back in no set order.
    signature = next(
        s for s in petition_signatures(petition) if s.county_fips == "55025" and s.status is SignatureStatus.CONFIRMED
    )
    signature.status = SignatureStatus.INVALIDATED
    counts.refresh_counts(petition.id, force=True, now=later + timedelta(minutes=1))
    per_day = dict(figures.petition_figures(petition, CHICAGO, now=later).days)
    assert per_day[date(2026, 11, 10)] == 2 and sum(per_day.values()) == 11


def petition_signatures(petition):
    from sqlalchemy import select

    from campaign.petitions.models import Signature

    return list(db.session.scalars(select(Signature).where(Signature.petition_id == petition.id)))


def test_sources_by_code_and_by_partner_across_actions(petition, make_pledge, make_forum):
    campaign = petition.campaign
    pledge = make_pledge(campaign=campaign)
    forum = make_forum(campaign=campaign)
    people = iter(
        Person(email=f"p{n}@example.org", email_normalized=f"p{n}@example.org", first_name="A", last_name="B")
        for n in range(10)
    )
    for referral, status in [
        ("lwv", CommitmentStatus.CONFIRMED),
        ("lwv", CommitmentStatus.PENDING),
        (None, CommitmentStatus.CONFIRMED),
    ]:
        db.session.add(
            Commitment(
                pledge=pledge,
                person=next(people),
                first_name="A",
                last_name="B",
                zip_code="54301",
                county_fips="55009",
                consent_text="t",
                status=status,
                referral=referral,
            )
        )
    for referral, status in [
        ("flyer", RSVPStatus.GOING),
        ("flyer", RSVPStatus.CANCELLED),
        ("lwv", RSVPStatus.WAITLISTED),
    ]:
        db.session.add(RSVP(forum=forum, first_name="A", last_name="B", status=status, referral=referral))
    db.session.commit()

    rows, partners = figures.sources(campaign)
    found = {(row.channel.value, row.code): (row.partner, row.signatures, row.commitments, row.rsvps) for row in rows}
    assert found == {
        ("online", None): (None, 5, 1, 0),  # 2 today + 3 in Dane
        ("online", "lwv"): ("League of Women Voters of Brown County", 2, 1, 1),
        ("online", "flyer"): (None, 2, 0, 1),
        ("paper", None): (None, 1, 0, 0),
    }
    assert [(row.partner, row.signatures, row.commitments, row.rsvps) for row in partners] == [
        ("League of Women Voters of Brown County", 2, 1, 1)
    ]


def test_a_campaign_with_nothing_yet_has_empty_figures(make_campaign):
    campaign = make_campaign()
    result = figures.campaign_figures(campaign, now=NOW)
    assert (result.petitions, result.pledges, result.forums, result.sources, result.partners) == ([], [], [], [], [])


def test_the_county_view_counts_one_county(petition, make_official):
    make_official(name="Sheriff Example", county_fips="55009")
    make_official(name="Elsewhere", county_fips="55025")
    result = figures.county_figures(petition.campaign, "55009", now=NOW)
    item = result.petitions[0]
    assert (item.confirmed, item.pending, item.goal, item.is_target) == (6, 4, 10, True)
    assert sum(count for _day, count in item.days) == 6
    assert len(item.latest) == 6 and {signature.county_fips for signature in item.latest} == {"55009"}
    assert [official.name for official in result.officials] == ["Sheriff Example"]


def test_an_unknown_county_is_not_found(petition):
    from campaign.core.errors import NotFound

    with pytest.raises(NotFound):
        figures.county_figures(petition.campaign, "99999", now=NOW)
