"""A pledge to attend a public meeting, or to speak at it, targets the meeting: its date,
its page, its reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.core.errors import DomainError
from campaign.extensions import db
from campaign.meetings.models import MeetingStatus
from campaign.pledges import reminders, services
from campaign.pledges.models import Pledge, PledgeKind
from tests.petitions.helpers import mails_to
from tests.pledges.test_commitments import committed


def pledge_input(**fields) -> services.PledgeInput:
    values = {"title": "Fill the room", "kind": PledgeKind.ATTEND_MEETING, "action": "I will attend."} | fields
    return services.PledgeInput(**values)


def test_a_pledge_targets_a_meeting_of_its_campaign_and_takes_its_date(app, make_meeting):
    meeting = make_meeting()
    pledge = services.save_pledge(meeting.campaign, pledge_input(meeting_id=meeting.id))
    db.session.commit()
    assert pledge.meeting == meeting and pledge.happens_at == meeting.starts_at


@pytest.mark.parametrize("kind", [PledgeKind.ATTEND_MEETING, PledgeKind.CONTACT_OFFICIAL])
def test_a_meeting_of_another_campaign_or_for_another_kind_of_pledge_is_refused(app, make_meeting, kind):
    foreign = make_meeting()
    own = make_meeting()
    target = foreign if kind is PledgeKind.ATTEND_MEETING else own
    with pytest.raises(DomainError) as refused:
        services.save_pledge(own.campaign, pledge_input(kind=kind, meeting_id=target.id))
    db.session.rollback()
    assert refused.value.field == "meeting_id"
    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 0


def test_the_organizer_form_offers_the_campaigns_meetings_and_refuses_a_forged_one(client, login_as, make_meeting):
    meeting = make_meeting()
    other = make_meeting()
    login_as("organizer")
    url = f"/organize/campaigns/{meeting.campaign.slug}/pledges/new"
    form = client.get(url).get_data(as_text=True)
    assert meeting.title in form and other.title not in form
    data = {"title": "Fill the room", "kind": "attend_meeting", "action": "I will attend.", "status": "open"}
    forged = client.post(url, data=data | {"meeting_id": other.id, "forum_id": 0, "official_id": 0})
    assert forged.status_code == 422 and "Choose a meeting of this campaign." in forged.get_data(as_text=True)
    saved = client.post(url, data=data | {"meeting_id": meeting.id, "forum_id": 0, "official_id": 0})
    assert saved.status_code == 302
    assert db.session.scalar(select(Pledge)).meeting_id == meeting.id


def test_the_pledge_page_links_the_meeting_and_the_meeting_page_links_the_pledge(client, make_meeting, make_pledge):
    meeting = make_meeting(place="Northern Building")
    pledge = make_pledge(campaign=meeting.campaign, meeting=meeting)
    page = client.get(f"/pledges/{pledge.slug}").get_data(as_text=True)
    assert f'href="/meetings/{meeting.slug}"' in page and meeting.title in page and "6:00" in page
    assert f'href="/pledges/{pledge.slug}"' in client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)


def test_the_reminder_comes_the_day_before_the_meeting_and_not_for_a_cancelled_one(make_meeting, make_pledge):
    meeting = make_meeting()
    pledge = make_pledge(campaign=meeting.campaign, meeting=meeting)
    committed(pledge, "coming@example.org")
    cancelled = make_meeting(campaign=meeting.campaign, status=MeetingStatus.CANCELLED)
    committed(make_pledge(campaign=meeting.campaign, meeting=cancelled), "cancelled@example.org")

    assert reminders.send_due_reminders(meeting.starts_at - timedelta(days=2)) == 0
    assert reminders.send_due_reminders(meeting.starts_at - timedelta(hours=20)) == 1
    db.session.commit()
    [mail] = mails_to("coming@example.org")[-1:]
    assert "Northern Building" in mail.body_text and meeting.title in mail.body_text
    assert [m.kind for m in mails_to("cancelled@example.org") if m.kind == "pledges.reminder"] == []
