"""Reminders before the date, fulfilment by each route, and the report."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums import checkin
from campaign.forums import services as forums
from campaign.outbox.models import OutboxMessage
from campaign.outbox.services import produce_due
from campaign.pledges import fulfilment, notices, reminders, services
from campaign.pledges.models import Commitment, FulfilledVia
from tests.forums.helpers import confirmed_rsvp
from tests.petitions.helpers import mails_to
from tests.pledges.test_commitments import GOOD, committed, link_in

# The name committed() gives maria@example.org: the same person, not a household member.
AS_COMMITTED = GOOD | {"first_name": "Test", "last_name": "maria"}


def reminders_sent() -> list[str]:
    query = select(OutboxMessage.recipient).where(OutboxMessage.kind == "pledges.reminder")
    return sorted(db.session.scalars(query))


def test_the_reminder_goes_the_day_before_to_those_not_done_yet_once(make_pledge):
    meeting = utcnow() + timedelta(days=3)
    pledge = make_pledge(meeting_at=meeting, meeting_place="Northern Building, Green Bay")
    committed(pledge, "coming@example.org")
    done = committed(pledge, "done@example.org")
    done.fulfilled_at, done.fulfilled_via = utcnow(), FulfilledVia.SELF_REPORT
    services.commit(pledge, services.CommitmentInput(**(GOOD | {"email": "pending@example.org"})))
    db.session.commit()

    assert reminders.send_due_reminders(meeting - timedelta(days=2)) == 0
    assert reminders.send_due_reminders(meeting - timedelta(hours=23)) == 1
    db.session.commit()
    assert reminders_sent() == ["coming@example.org"]
    [mail] = mails_to("coming@example.org")[-1:]
    assert "Northern Building, Green Bay" in mail.body_text and "/done/" in mail.body_text
    assert reminders.send_due_reminders(meeting - timedelta(hours=22)) == 0  # once
    db.session.commit()
    db.session.refresh(pledge)
    assert pledge.reminder_recipients == 1


def test_the_reminder_follows_a_linked_forum_that_moves(make_pledge, make_forum):
    forum = make_forum()
    pledge = make_pledge(forum=forum, campaign=forum.campaign)
    committed(pledge, "coming@example.org")
    assert produce_due(forum.starts_at - timedelta(hours=20))["pledges.reminders"] == 1
    forum.starts_at, forum.ends_at = forum.starts_at + timedelta(days=7), forum.ends_at + timedelta(days=7)
    db.session.commit()
    assert produce_due(forum.starts_at - timedelta(days=3))["pledges.reminders"] == 0
    assert produce_due(forum.starts_at - timedelta(hours=20))["pledges.reminders"] == 1
    assert len(reminders_sent()) == 2


def test_check_in_at_the_linked_forum_fulfils_and_undo_takes_it_back(make_pledge, make_forum):
    forum = make_forum()
    pledge = make_pledge(forum=forum, campaign=forum.campaign)
    other_pledge = make_pledge(campaign=forum.campaign)  # not linked: untouched
    commitment = committed(pledge, "maria@example.org")
    unlinked = committed(other_pledge, "maria@example.org")
    record = confirmed_rsvp(forum, forums.RSVPInput(**AS_COMMITTED))

    checkin.check_in(record)
    db.session.commit()
    db.session.refresh(commitment)
    assert commitment.fulfilled_via is FulfilledVia.CHECK_IN and commitment.fulfilled_at is not None
    assert db.session.get(Commitment, unlinked.id).fulfilled_at is None

    checkin.undo_check_in(record)
    db.session.commit()
    db.session.refresh(commitment)
    assert commitment.fulfilled_at is None and commitment.fulfilled_via is None


def test_a_walk_in_with_the_same_email_fulfils_too(make_pledge, make_forum):
    forum = make_forum()
    pledge = make_pledge(forum=forum, campaign=forum.campaign)
    commitment = committed(pledge, "walkin@example.org")
    checkin.walk_in(forum, checkin.WalkInInput(first_name="Walk", last_name="In", email="walkin@example.org"))
    db.session.commit()
    db.session.refresh(commitment)
    assert commitment.fulfilled_via is FulfilledVia.CHECK_IN


def test_linking_a_forum_after_check_in_counts_those_already_there(make_pledge, make_forum):
    forum = make_forum()
    pledge = make_pledge(campaign=forum.campaign)
    commitment = committed(pledge, "maria@example.org")
    checkin.check_in(confirmed_rsvp(forum, forums.RSVPInput(**AS_COMMITTED)))
    db.session.commit()
    assert commitment.fulfilled_at is None
    data = services.PledgeInput(title=pledge.title, kind=pledge.kind, action=pledge.action, forum_id=forum.id)
    data.slug, data.status = pledge.slug, pledge.status
    services.save_pledge(pledge.campaign, data, pledge)
    db.session.commit()
    db.session.refresh(commitment)
    assert commitment.fulfilled_via is FulfilledVia.CHECK_IN


def test_i_did_it_through_the_signed_link(client, make_pledge):
    pledge = make_pledge()
    commitment = committed(pledge, "maria@example.org")
    url = f"/pledges/{pledge.slug}/done/{notices.report_token(commitment)}"
    asked = client.get(url)
    assert asked.status_code == 200 and "Yes, I did it" in asked.get_data(as_text=True)
    db.session.refresh(commitment)
    assert commitment.fulfilled_at is None  # a GET records nothing

    done = client.post(url)
    assert done.status_code == 200 and "it is recorded that you did it" in done.get_data(as_text=True)
    db.session.refresh(commitment)
    assert commitment.fulfilled_via is FulfilledVia.SELF_REPORT


def test_a_forged_or_foreign_i_did_it_link_is_refused_and_writes_nothing(client, make_pledge):
    pledge, other = make_pledge(), make_pledge()
    mine = committed(pledge, "maria@example.org")
    theirs = committed(pledge, "ana@example.org")
    url = f"/pledges/{pledge.slug}/done/{notices.report_token(mine)}"
    assert client.post(url[:-3] + "abc").status_code == 400  # forged signature
    assert client.post(url.replace(pledge.slug, other.slug)).status_code == 400  # another pledge
    # A validly signed link whose person is not the commitment's: another person's.
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("test-secret-key-not-for-production", salt=notices.REPORT.salt)
    foreign = forged.dumps([theirs.id, mine.person_id])
    response = client.post(f"/pledges/{pledge.slug}/done/{foreign}")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(Commitment.fulfilled_at.is_not(None))) == 0


def test_the_i_did_it_link_in_the_confirmation_mail_confirms_too(client, make_pledge):
    pledge = make_pledge()
    client.post(f"/pledges/{pledge.slug}", data=GOOD)
    client.post(link_in(mails_to("maria@example.org")[0], "confirm"))
    commitment = db.session.scalar(select(Commitment))
    url = f"/pledges/{pledge.slug}/done/{notices.report_token(commitment)}"
    client.post(url)
    db.session.refresh(commitment)
    assert commitment.fulfilled_via is FulfilledVia.SELF_REPORT


def test_organizers_mark_one_or_many_and_the_report_follows(client, login_as, make_pledge):
    pledge = make_pledge()
    brown = [committed(pledge, f"b{number}@example.org", "54301") for number in range(3)]
    dane = committed(pledge, "dane@example.org", "53703")
    login_as("organizer")

    one = client.post(f"/organize/pledges/{pledge.slug}/fulfilment", data={"one": brown[0].id})
    assert one.status_code == 303
    many = client.post(f"/organize/pledges/{pledge.slug}/fulfilment", data={"commitment_ids": [brown[1].id, dane.id]})
    assert many.status_code == 303
    report = fulfilment.report(pledge)
    assert (report.committed, report.fulfilled, report.rate) == (4, 3, 75)
    assert [(row.county.fips, row.committed, row.fulfilled) for row in report.by_county] == [
        ("55009", 3, 2),
        ("55025", 1, 1),
    ]
    assert db.session.get(Commitment, brown[0].id).fulfilled_via is FulfilledVia.ORGANIZER

    page = client.get(f"/organize/pledges/{pledge.slug}").get_data(as_text=True)
    assert "75%" in page and "Dane County, WI" in page and "67%" in page

    client.post(f"/organize/pledges/{pledge.slug}/fulfilment", data={"undo_one": dane.id})
    assert fulfilment.report(pledge).fulfilled == 2


def test_marking_someone_of_another_pledge_is_refused_whole(client, login_as, make_pledge):
    pledge, other = make_pledge(), make_pledge()
    mine = committed(pledge, "a@example.org")
    foreign = committed(other, "b@example.org")
    login_as("organizer")
    response = client.post(
        f"/organize/pledges/{pledge.slug}/fulfilment", data={"commitment_ids": [mine.id, foreign.id]}
    )
    assert response.status_code == 404
    assert "have not committed to this pledge" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(Commitment.fulfilled_at.is_not(None))) == 0
    assert client.post(f"/organize/pledges/{pledge.slug}/fulfilment", data={}).status_code == 422


def test_viewers_read_the_report_but_cannot_mark(client, login_as, make_pledge):
    pledge = make_pledge()
    commitment = committed(pledge, "a@example.org")
    login_as("viewer")
    assert client.get(f"/organize/pledges/{pledge.slug}").status_code == 200
    assert client.post(f"/organize/pledges/{pledge.slug}/fulfilment", data={"one": commitment.id}).status_code == 403


def test_organizers_create_a_pledge_through_the_form(client, login_as, make_campaign, make_forum):
    campaign = make_campaign()
    forum = make_forum(campaign=campaign)
    login_as("organizer")
    form = {
        "title": "Pack the board room",
        "kind": "attend_meeting",
        "action": "I will attend the County Board meeting.",
        "forum_id": forum.id,
        "official_id": 0,
        "threshold": 20,
        "status": "open",
    }
    created = client.post(f"/organize/campaigns/{campaign.slug}/pledges/new", data=form)
    assert created.status_code == 302
    pledge = services.get_pledge("pack-the-board-room")
    assert (pledge.forum_id, pledge.threshold) == (forum.id, 20)

    refused = client.post(
        f"/organize/campaigns/{campaign.slug}/pledges/new", data=form | {"threshold": 0, "slug": "x-2"}
    )
    assert refused.status_code == 422 and "at least 1 person" in refused.get_data(as_text=True)


def test_seed_demo_adds_a_pledge_to_attend_the_next_board_meeting(runner):
    from campaign.pledges import demo

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    pledge = services.get_pledge(demo.DEMO_SLUG)
    assert pledge.kind.value == "attend_meeting" and pledge.meeting.slug == "brown-county-board-regular-meeting"
    local = pledge.happens_at.astimezone(ZoneInfo("America/Chicago"))
    assert pledge.happens_at > utcnow() and local.hour == 18  # the board meeting, 6 pm
    assert fulfilment.report(pledge).committed == 6 and pledge.threshold == 20
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent
    assert fulfilment.report(pledge).committed == 6


def test_organizer_pages_show_the_pledge_its_form_and_its_place_on_the_campaign(
    client, login_as, make_pledge, make_forum, make_official
):
    forum = make_forum()
    official = make_official(name="Robert Vang", title="Chair, County Board")
    pledge = make_pledge(campaign=forum.campaign, forum=forum, official=official, threshold=20)
    committed(pledge, "a@example.org")
    login_as("organizer")
    edit = client.get(f"/organize/pledges/{pledge.slug}/edit").get_data(as_text=True)
    assert f'<option selected value="{forum.id}">' in edit and "Robert Vang, Chair, County Board" in edit
    assert client.get(f"/organize/campaigns/{forum.campaign.slug}/pledges/new").status_code == 200
    campaign_page = client.get(f"/c/{forum.campaign.slug}").get_data(as_text=True)
    assert pledge.title in campaign_page and f"/organize/pledges/{pledge.slug}" in campaign_page
    report = client.get(f"/organize/pledges/{pledge.slug}").get_data(as_text=True)
    assert "a@example.org" not in report and "1 of 20" in report
