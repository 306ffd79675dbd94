"""Meetings, agenda items and votes as organizers record them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from campaign.accounts.models import AuditEvent
from campaign.core.errors import DomainError, NotFound
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.meetings import services
from campaign.meetings.models import AgendaItem, Meeting, MeetingStatus, Vote, VoteChoice
from campaign.officials.models import Body

CHICAGO = ZoneInfo("America/Chicago")


def meeting_input(**fields) -> services.MeetingInput:
    values = {
        "title": "Brown County Board of Supervisors",
        "body": Body.COUNTY_BOARD,
        "starts_local": datetime(2027, 1, 20, 18, 0),
        "place": "Northern Building, Green Bay",
    } | fields
    return services.MeetingInput(**values)


def test_a_meeting_is_kept_in_utc_from_the_county_clock_and_a_past_one_is_allowed(app, make_campaign):
    campaign = make_campaign()
    meeting = services.save_meeting(campaign, meeting_input(agenda_url="https://example.org/agenda.pdf"))
    held = services.save_meeting(campaign, meeting_input(starts_local=datetime(2024, 3, 5, 17, 30), outcome="Tabled."))
    db.session.commit()

    assert meeting.starts_at == datetime(2027, 1, 21, 0, 0, tzinfo=ZoneInfo("UTC"))  # 6 pm CST
    assert meeting.county_fips == "55009" and meeting.slug == "brown-county-board-of-supervisors-2027-01-20"
    assert meeting.agenda_url == "https://example.org/agenda.pdf"
    assert services.is_past(held) and held.outcome == "Tabled."
    assert services.upcoming_meetings(campaign) == [meeting]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "meeting_saved"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("agenda_url", "javascript:alert(1)"),
        ("minutes_url", "ftp://example.org/minutes"),
        ("video_url", "example.org/video"),
        ("observer_limit", 0),
    ],
)
def test_a_bad_link_or_limit_is_refused_beside_its_field_and_nothing_is_written(app, make_campaign, field, value):
    campaign = make_campaign()
    with pytest.raises(DomainError) as refused:
        services.save_meeting(campaign, meeting_input(**{field: value}))
    db.session.rollback()
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_agenda_items_go_to_the_end_and_move_up_and_down(app, make_meeting):
    meeting = make_meeting()
    first = services.save_item(meeting, services.AgendaItemInput(title="Minutes", concerns_agreement=False))
    second = services.save_item(meeting, services.AgendaItemInput(title="287(g) resolution", speaker_slots=10))
    third = services.save_item(meeting, services.AgendaItemInput(title="Jail budget"))
    db.session.commit()
    assert [item.position for item in (first, second, third)] == [1, 2, 3]

    services.move_item(third, -1)
    services.move_item(first, -1)  # already first: nothing moves
    db.session.commit()
    db.session.expire_all()
    assert [item.title for item in meeting.items] == ["Minutes", "Jail budget", "287(g) resolution"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"speaker_slots": 0}, "speaker_slots"), ({"minutes_per_speaker": 11}, "minutes_per_speaker")],
)
def test_speaker_slots_and_minutes_stay_within_bounds(app, make_meeting, fields, field):
    meeting = make_meeting()
    with pytest.raises(DomainError) as refused:
        services.save_item(meeting, services.AgendaItemInput(title="Resolution", **fields))
    db.session.rollback()
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 0


def test_a_correction_is_a_new_vote_and_the_newest_counts(app, make_agenda_item, make_official, make_user):
    item = make_agenda_item()
    chair = make_official(name="Robert Vang", title="Chair", body=Body.COUNTY_BOARD)
    member = make_official(name="Alice Nguyen", title="Supervisor", body=Body.COUNTY_BOARD)
    user = make_user()
    services.record_vote(item, chair, VoteChoice.ABSTAIN, None, user)
    services.record_vote(item, member, VoteChoice.NO, "https://example.org/minutes.pdf", user)
    services.record_vote(item, chair, VoteChoice.YES, "https://example.org/minutes.pdf", user)
    db.session.commit()

    history = services.vote_history(item)
    assert [(vote.official.name, vote.choice) for vote in history] == [
        ("Robert Vang", VoteChoice.YES),
        ("Alice Nguyen", VoteChoice.NO),
        ("Robert Vang", VoteChoice.ABSTAIN),  # the corrected row is kept
    ]
    counting = services.meeting_votes(item.meeting)[item.id]
    assert [(vote.official.name, vote.choice) for vote in counting] == [
        ("Alice Nguyen", VoteChoice.NO),
        ("Robert Vang", VoteChoice.YES),
    ]
    assert history[0].recorded_by_id == user.id


def test_a_vote_by_an_official_of_another_county_or_with_a_bad_source_is_refused(app, make_agenda_item, make_official):
    item = make_agenda_item()
    elsewhere = make_official(name="Pat Example", county_fips="04013", body=Body.COUNTY_BOARD)
    local = make_official(name="Robert Vang", body=Body.COUNTY_BOARD)
    with pytest.raises(DomainError) as foreign:
        services.record_vote(item, elsewhere, VoteChoice.YES, None, None)
    with pytest.raises(DomainError) as bad_link:
        services.record_vote(item, local, VoteChoice.YES, "javascript:alert(1)", None)
    with pytest.raises(NotFound) as unknown:
        services.get_official(999_999)
    db.session.rollback()
    assert (foreign.value.field, bad_link.value.field, unknown.value.field) == (
        "official_id",
        "source_url",
        "official_id",
    )
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_votes_of_gives_each_officials_counting_votes_newest_meeting_first_in_one_query(
    app, make_meeting, make_agenda_item, make_official
):
    older = make_meeting(starts_at=utcnow() - timedelta(days=40))
    newer = make_meeting(campaign=older.campaign, starts_at=utcnow() - timedelta(days=5))
    old_item, new_item = make_agenda_item(meeting=older), make_agenda_item(meeting=newer, number="3")
    chair = make_official(name="Robert Vang", body=Body.COUNTY_BOARD)
    member = make_official(name="Alice Nguyen", body=Body.COUNTY_BOARD)
    silent = make_official(name="Sam Silent", body=Body.COUNTY_BOARD)
    services.record_vote(old_item, chair, VoteChoice.NO, None, None)
    services.record_vote(new_item, chair, VoteChoice.ABSTAIN, None, None)
    services.record_vote(new_item, chair, VoteChoice.YES, None, None)  # correction
    services.record_vote(new_item, member, VoteChoice.ABSENT, None, None)
    db.session.commit()
    ids = chair.id, member.id, silent.id
    expected = {
        chair.id: [(VoteChoice.YES, new_item.id, newer.slug), (VoteChoice.NO, old_item.id, older.slug)],
        member.id: [(VoteChoice.ABSENT, new_item.id, newer.slug)],
    }
    db.session.expire_all()

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = services.votes_of(ids)
        shape = {
            official_id: [(vote.choice, item.id, meeting.slug) for vote, item, meeting in rows]
            for official_id, rows in result.items()
        }
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)

    assert len(statements) == 1
    assert shape == expected
    assert services.votes_of([]) == {}


def test_a_meeting_of_a_draft_campaign_is_not_found_by_the_public(app, make_campaign, make_meeting):
    from campaign.campaigns.models import CampaignStatus

    meeting = make_meeting(campaign=make_campaign(status=CampaignStatus.DRAFT))
    with pytest.raises(NotFound):
        services.get_meeting(meeting.slug)
    assert services.get_meeting(meeting.slug, include_drafts=True) == meeting


def test_seed_demo_adds_the_board_meeting_and_a_past_one_with_votes(runner):
    from campaign.meetings import demo

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    meeting = services.get_meeting(demo.DEMO_SLUG)
    local = meeting.starts_at.astimezone(CHICAGO)
    assert meeting.starts_at > utcnow() and local.hour == 18 and meeting.status is MeetingStatus.SCHEDULED
    [resolution] = [item for item in meeting.items if item.concerns_agreement]
    assert (resolution.speaker_slots, resolution.minutes_per_speaker) == (10, 3)
    assert resolution.talking_points and resolution.talking_points_es

    past = services.get_meeting(demo.PAST_SLUG)
    assert services.is_past(past) and past.outcome
    [item] = past.items
    assert services.meeting_votes(past)[item.id]
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 2
