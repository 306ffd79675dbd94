"""Reminders the day before and two hours before, moving with the forum."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums import checkin, reminders, services
from campaign.forums.models import ForumReminder
from campaign.outbox.models import MessageStatus, OutboxMessage
from tests.forums.test_forums import forum_input, register


def reminder_mails() -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == "forums.reminder").order_by(OutboxMessage.recipient)
    return list(db.session.scalars(query))


def scheduled(make_campaign, **fields):
    forum = services.schedule(make_campaign(), forum_input(**fields))
    db.session.commit()
    return forum


def by_offset(forum) -> dict[int, ForumReminder]:
    db.session.expire_all()
    return {reminder.minutes_before: reminder for reminder in forum.reminders}


def test_a_new_forum_gets_a_day_before_and_a_two_hours_before_reminder(make_campaign):
    forum = scheduled(make_campaign)
    planned = by_offset(forum)
    assert sorted(planned) == [120, 1440]
    assert planned[1440].due_at == forum.starts_at - timedelta(days=1)
    assert planned[120].due_at == forum.starts_at - timedelta(hours=2)
    assert all(reminder.sent_at is None for reminder in planned.values())


def test_the_day_before_reminder_goes_to_everyone_coming_once(make_campaign):
    forum = scheduled(make_campaign, capacity=1)
    register(forum, email="coming@example.org")
    register(forum, email="waiting@example.org")  # full: waitlisted, no reminder
    register(forum, email="gone@example.org", first_name="Gone")
    services.cancel_rsvp(checkin.checkin_list(forum, "Gone")[0])
    db.session.commit()
    assert reminders.send_due_reminders(forum.starts_at - timedelta(hours=25)) == 0

    written = reminders.send_due_reminders(forum.starts_at - timedelta(hours=23))
    db.session.commit()
    [mail] = reminder_mails()
    assert written == 1 and mail.recipient == "coming@example.org"
    assert mail.subject.startswith("Reminder: ")
    assert "/forums/" in mail.body_text and "/cancel/" in mail.body_text  # details and a way to free the seat
    assert by_offset(forum)[1440].recipients == 1
    assert reminders.send_due_reminders(forum.starts_at - timedelta(hours=22)) == 0  # never twice


def test_a_rescheduled_forum_moves_its_reminders(make_campaign):
    forum = scheduled(make_campaign)
    register(forum)
    reminders.send_due_reminders(forum.starts_at - timedelta(hours=23))
    db.session.commit()
    old_start = forum.starts_at
    base = forum_input()
    week = timedelta(days=7)
    later = forum_input(starts_local=base.starts_local + week, ends_local=base.ends_local + week)
    services.schedule(forum.campaign, later, forum, now=old_start - timedelta(hours=22))
    db.session.commit()
    planned = by_offset(forum)
    assert planned[1440].due_at == forum.starts_at - timedelta(days=1) == old_start + timedelta(days=6)
    assert planned[1440].sent_at is None  # armed again for the new day
    assert reminders.send_due_reminders(old_start - timedelta(hours=1)) == 0  # the old time means nothing now
    assert reminders.send_due_reminders(forum.starts_at - timedelta(hours=2)) == 1
    assert [mail.kind for mail in reminder_mails()] == ["forums.reminder"] * 2


def test_when_the_sender_was_down_only_the_nearest_reminder_goes(make_campaign):
    forum = scheduled(make_campaign)
    register(forum)
    assert reminders.send_due_reminders(forum.starts_at - timedelta(minutes=90)) == 1
    planned = by_offset(forum)
    assert planned[1440].skipped and planned[1440].recipients == 0
    assert not planned[120].skipped and planned[120].recipients == 1
    assert len(reminder_mails()) == 1
    assert reminders.send_due_reminders(forum.starts_at + timedelta(minutes=1)) == 0


def test_a_forum_scheduled_late_skips_the_reminder_whose_time_has_passed(make_campaign):
    soon = (utcnow() + timedelta(hours=10)).replace(tzinfo=None, second=0, microsecond=0)
    forum = services.schedule(
        make_campaign(), forum_input(starts_local=soon, ends_local=soon + timedelta(hours=1), timezone="UTC")
    )
    db.session.commit()
    planned = by_offset(forum)
    assert planned[1440].skipped and planned[1440].sent_at is not None
    assert planned[120].sent_at is None


def test_a_cancelled_forum_sends_no_reminder(make_campaign):
    forum = scheduled(make_campaign)
    register(forum)
    services.cancel_forum(forum)
    db.session.commit()
    assert reminders.send_due_reminders(forum.starts_at - timedelta(hours=1)) == 0
    assert reminder_mails() == []


def test_two_senders_at_once_write_each_reminder_once(make_app, make_campaign):
    forum = scheduled(make_campaign)
    for number in range(3):
        register(forum, email=f"p{number}@example.org")
    moment = forum.starts_at - timedelta(hours=23)
    app = make_app()
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def send() -> None:
        with app.app_context():
            barrier.wait()
            try:
                reminders.send_due_reminders(moment)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (collected for the assertion)
                errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert db.session.scalar(select(func.count()).where(OutboxMessage.kind == "forums.reminder")) == 3


def test_outbox_send_writes_and_delivers_due_reminders(app, runner, make_forum, tmp_path):
    forum = make_forum()
    register(forum)
    reminders.plan_reminders(forum, utcnow())  # as schedule() does; the fixture writes the forum directly
    forum.reminders[-1].due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "forums.reminders: 1 written." in result.output
    [mail] = reminder_mails()
    assert mail.status is MessageStatus.SENT
    assert mail.attachments == []  # the calendar file came with the confirmation
