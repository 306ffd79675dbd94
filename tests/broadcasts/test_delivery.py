"""A broadcast from the organizer's send to the recipients' mailboxes, through the real
SMTP server: headers, languages, consent, crashes, bounces, pause and rate."""

from __future__ import annotations

from datetime import timedelta
from email.message import Message

import pytest
from sqlalchemy import func, select

from campaign.broadcasts import delivery, services
from campaign.broadcasts.audience import candidates, read_audience
from campaign.broadcasts.models import BroadcastDelivery, BroadcastStatus, DeliveryStatus
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs import services as jobs
from campaign.outbox import services as outbox
from campaign.outbox.models import OutboxMessage, Suppression, SuppressionReason
from campaign.people.models import Unsubscribe
from campaign.petitions.models import SignatureStatus


def _parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }


def _received(smtp_server) -> dict[str, Message]:
    return {message["To"]: message for message in smtp_server.mailbox.messages}


def test_a_broadcast_reaches_consenting_signers_in_their_language_with_one_click_unsubscribe(
    app, smtp_server, make_petition, signer, write_broadcast, organizer
):
    petition = make_petition()
    signer(petition, "ana@example.org")
    signer(petition, "luz@example.org", first_name="Luz", locale="es")
    signer(petition, "no-news@example.org", updates=False)
    signer(petition, "pending@example.org", status=SignatureStatus.PENDING)
    signer(petition, "removed@example.org", status=SignatureStatus.INVALIDATED)
    broadcast = write_broadcast(petition.campaign)

    services.send(broadcast, organizer)
    db.session.commit()  # the eager job runner queues, hands over and delivers here

    received = _received(smtp_server)
    assert set(received) == {"ana@example.org", "luz@example.org"}
    english, spanish = received["ana@example.org"], received["luz@example.org"]
    assert english["Subject"] == "The County Board votes Tuesday"
    assert spanish["Subject"] == "La Junta del Condado vota el martes"
    # Flask-Mail wraps the alternative in a mixed part (for attachments): plain text first.
    (alternative,) = [part for part in english.walk() if part.get_content_type() == "multipart/alternative"]
    assert [part.get_content_type() for part in alternative.get_payload()] == ["text/plain", "text/html"]
    text, html = _parts(english)["text/plain"], _parts(english)["text/html"]
    assert "Come to the **County Board**" in text
    assert "<strong>County Board</strong>" in html and 'lang="en"' in html
    assert 'lang="es"' in _parts(spanish)["text/html"] and "Junta del Condado" in _parts(spanish)["text/plain"]

    # RFC 8058: an https link in the header, the one-click marker, the same link in the footer.
    link = english["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://campaign.example.org/unsubscribe/")
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in text and f'href="{link}"' in html
    assert english["Reply-To"] == "team@example.org"
    assert link.endswith("?lang=en") and spanish["List-Unsubscribe"].endswith("?lang=es>")  # the page in their language
    assert spanish["List-Unsubscribe"].strip("<>") != link  # each person's own link

    db.session.refresh(broadcast)
    assert broadcast.status is BroadcastStatus.SENT
    figures = delivery.progress(broadcast)
    assert (figures.recipients, figures.sent, figures.failed, figures.remaining) == (2, 2, 0, 0)


def test_english_only_broadcast_goes_in_english_to_spanish_speakers(
    app, smtp_server, make_petition, signer, write_broadcast, organizer
):
    petition = make_petition()
    signer(petition, "luz@example.org", locale="es")
    services.send(write_broadcast(petition.campaign, spanish=False), organizer)
    db.session.commit()
    (message,) = smtp_server.mailbox.messages
    assert message["Subject"] == "The County Board votes Tuesday"
    assert 'lang="en"' in _parts(message)["text/html"]


def test_consent_decides_who_is_counted_and_mailed(app, make_petition, make_pledge, signer, write_broadcast):
    from tests.supporters import builders

    petition = make_petition()
    campaign = petition.campaign
    other = make_petition(campaign=campaign)
    pledge = make_pledge(campaign=campaign)
    signer(petition, "ana@example.org")
    left = signer(petition, "left@example.org").person
    everything = signer(petition, "everything@example.org").person
    back = signer(petition, "back@example.org").person
    signer(petition, "Bounced@Example.org")
    erased = signer(petition, "erased@example.org").person
    signer(petition, "home@example.org")
    builders.sign(petition, builders.person("home@example.org", first_name="Eva"), email_updates=True)
    signer(other, "elsewhere@example.org", county="55087")
    old = utcnow() - timedelta(days=30)
    db.session.add_all(
        [
            Unsubscribe(person_id=left.id, campaign_id=campaign.id, via="page"),
            Unsubscribe(person_id=everything.id, campaign_id=None, via="page"),
            Unsubscribe(person_id=back.id, campaign_id=campaign.id, via="page", created_at=old),
            Suppression(address="bounced@example.org", reason=SuppressionReason.BOUNCE, source="smtp"),
        ]
    )
    erased.erased_at, erased.email, erased.email_normalized = utcnow(), None, None
    db.session.commit()
    # Committing to a pledge later, with the box ticked, subscribes `back` again.
    builders.commit(pledge, back, email_updates=True)

    everyone = services.preview_reach(write_broadcast(campaign))
    # ana, back, one copy for the household, elsewhere; left and everything unsubscribed; bounced.
    assert (everyone.recipients, everyone.unsubscribed, everyone.suppressed) == (4, 2, 1)
    only_other = services.preview_reach(write_broadcast(campaign, audience={"action": f"petition:{other.slug}"}))
    assert only_other.recipients == 1
    by_county = services.preview_reach(write_broadcast(campaign, audience={"county": "55087"}))
    assert by_county.recipients == 1
    spanish = services.preview_reach(write_broadcast(campaign, audience={"language": "es"}))
    assert spanish.recipients == 0


def test_consent_counts_from_the_confirmation_that_proved_the_mailbox(app, make_petition, signer, write_broadcast):
    """Signed (box ticked) before unsubscribing, confirmed by the mailed link after it: the
    confirmation is the later word, so they are subscribed again."""
    from tests.supporters import builders

    first = make_petition()
    second = make_petition(campaign=first.campaign)
    luz = signer(first, "luz@example.org", at=utcnow() - timedelta(days=3)).person
    started = builders.sign(second, luz, email_updates=True, at=utcnow() - timedelta(days=2))
    yesterday = utcnow() - timedelta(days=1)
    db.session.add(Unsubscribe(person_id=luz.id, campaign_id=first.campaign_id, via="page", created_at=yesterday))
    db.session.commit()
    assert services.preview_reach(write_broadcast(first.campaign)).recipients == 0

    started.confirmed_at = utcnow()
    db.session.commit()
    assert services.preview_reach(write_broadcast(first.campaign)).recipients == 1


def test_each_person_is_mailed_in_the_language_of_their_latest_action(app, make_petition, signer, write_broadcast):
    """First seen signing in English, then signing again in Spanish: Spanish, also when the
    audience is narrowed to Spanish speakers."""
    from tests.supporters import builders

    first = make_petition()
    second = make_petition(campaign=first.campaign)
    rosa = signer(first, "rosa@example.org", locale="en", at=utcnow() - timedelta(days=2)).person
    builders.sign(second, rosa, email_updates=True, locale="es")
    wanted = read_audience(first.campaign, {"language": "es"})
    assert [row.locale for row in db.session.execute(candidates(first.campaign, wanted))] == ["es"]
    everyone = read_audience(first.campaign, {})
    assert [row.locale for row in db.session.execute(candidates(first.campaign, everyone))] == ["es"]


def test_nobody_in_the_audience_is_refused(app, make_petition, signer, write_broadcast, organizer):
    petition = make_petition()
    signer(petition, "no-news@example.org", updates=False)
    broadcast = write_broadcast(petition.campaign)
    with pytest.raises(services.DomainError, match="Nobody"):
        services.send(broadcast, organizer)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(BroadcastDelivery)) == 0


def test_a_crash_while_queuing_resumes_without_writing_anyone_twice(
    app, smtp_server, make_petition, signer, write_broadcast, organizer, monkeypatch
):
    petition = make_petition()
    for number in range(7):
        signer(petition, f"person{number}@example.org")
    broadcast = write_broadcast(petition.campaign)
    monkeypatch.setattr(delivery.jobs, "enqueue", lambda *args, **kwargs: None)  # run the job by hand
    services.send(broadcast, organizer)
    db.session.commit()

    real_insert, calls = delivery._insert_new, []

    def crash_on_third_batch(rows):
        calls.append(rows)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real_insert(rows)

    monkeypatch.setattr(delivery, "_insert_new", crash_on_third_batch)
    with pytest.raises(RuntimeError):
        delivery.queue(broadcast.id, batch_size=2)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(BroadcastDelivery)) == 4  # two batches committed

    monkeypatch.setattr(delivery, "_insert_new", real_insert)
    broadcast.queued_through = 0  # worst case: the cursor was lost too; the unique rows still hold
    db.session.commit()
    delivery.queue(broadcast.id, batch_size=2)
    outbox.deliver_pending()
    assert sorted(message["To"] for message in smtp_server.mailbox.messages) == [
        f"person{number}@example.org" for number in range(7)
    ]


def test_a_crash_while_sending_resumes_without_mailing_anyone_twice(
    app, smtp_server, make_petition, signer, write_broadcast, organizer, monkeypatch
):
    petition = make_petition()
    for number in range(5):
        signer(petition, f"person{number}@example.org")
    monkeypatch.setattr(outbox.jobs, "enqueue", lambda *args, **kwargs: None)  # every job by hand below
    broadcast = write_broadcast(petition.campaign)
    services.send(broadcast, organizer)
    db.session.commit()
    delivery.queue(broadcast.id)

    real_deliver, sent = outbox.deliver, []

    def die_before_the_third(message):
        if len(sent) == 2:
            raise SystemExit("the worker was killed")
        real_deliver(message)
        sent.append(message.recipient)

    monkeypatch.setattr(outbox, "deliver", die_before_the_third)
    with pytest.raises(SystemExit):
        outbox.deliver_pending()
    db.session.rollback()
    monkeypatch.setattr(outbox, "deliver", real_deliver)
    # The killed sender's lease runs out; the next run sends the rest.
    outbox.deliver_pending(now=utcnow() + outbox.LEASE + timedelta(seconds=1))
    received = sorted(message["To"] for message in smtp_server.mailbox.messages)
    assert received == [f"person{number}@example.org" for number in range(5)]


def test_a_permanent_refusal_suppresses_the_address_for_later_broadcasts(
    app, smtp_server, make_petition, signer, write_broadcast, organizer
):
    petition = make_petition()
    signer(petition, "ana@example.org")
    signer(petition, "gone@example.org")
    smtp_server.mailbox.refuse_recipients["gone@example.org"] = "550 5.1.1 No such user"
    first = write_broadcast(petition.campaign)
    services.send(first, organizer)
    db.session.commit()

    suppression = db.session.scalar(select(Suppression).where(Suppression.address == "gone@example.org"))
    assert suppression.reason is SuppressionReason.BOUNCE and "550" in suppression.detail
    figures = delivery.progress(first)
    assert (figures.sent, figures.failed) == (1, 1)

    second = write_broadcast(petition.campaign)
    services.send(second, organizer)
    db.session.commit()
    db.session.refresh(second)
    assert (second.recipients, second.suppressed) == (1, 1)
    # Transactional mail never goes to a bounced address either.
    assert outbox.enqueue("gone@example.org", "outbox/test", {"link": "https://x.example"}) is None


def test_pause_holds_and_cancel_stops_what_was_not_handed_over(
    app, make_app, make_petition, signer, write_broadcast, organizer, monkeypatch
):
    app.config["BROADCAST_RATE_PER_MINUTE"] = 2
    petition = make_petition()
    for number in range(5):
        signer(petition, f"person{number}@example.org")
    broadcast = write_broadcast(petition.campaign)
    services.send(broadcast, organizer)
    db.session.commit()  # queued, and the first minute's two handed over
    assert delivery.progress(broadcast).waiting == 3
    assert delivery.hand_over() == 0  # the rate: nothing more this minute

    services.pause(broadcast, organizer)
    db.session.commit()
    later = utcnow() + timedelta(minutes=2)
    assert delivery.hand_over(later) == 0
    services.resume(broadcast, organizer)
    db.session.commit()
    assert delivery.hand_over(later) == 2
    assert services.cancel(broadcast, organizer) == 1
    db.session.commit()
    figures = delivery.progress(broadcast)
    assert (figures.cancelled, figures.waiting) == (1, 0)
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "broadcasts.broadcast")
        )
        == 4
    )


def test_a_scheduled_broadcast_starts_when_due(app, make_petition, signer, write_broadcast, organizer):
    petition = make_petition()
    signer(petition, "ana@example.org")
    broadcast = write_broadcast(petition.campaign)
    with pytest.raises(services.DomainError, match="future"):
        services.send(broadcast, organizer, at=utcnow() - timedelta(minutes=1))
    db.session.rollback()
    services.send(broadcast, organizer, at=utcnow() + timedelta(hours=1))
    db.session.commit()
    assert broadcast.status is BroadcastStatus.SCHEDULED
    assert delivery.produce(utcnow()) == 0 and broadcast.status is BroadcastStatus.SCHEDULED
    # The job booked for its time (a worker's timer) starts it; cron's producer would as well.
    assert jobs.run_due(now=utcnow() + timedelta(minutes=30)) == []
    (started,) = jobs.run_due(now=utcnow() + timedelta(hours=1, minutes=1))
    assert started.name == delivery.START_JOB and started.result == {"started": 1}
    db.session.refresh(broadcast)
    assert broadcast.status is BroadcastStatus.SENT
    assert db.session.scalar(select(BroadcastDelivery.status)) is DeliveryStatus.HANDED_OVER


def test_a_scheduled_broadcast_whose_audience_left_goes_back_to_the_drafts(
    app, make_petition, signer, write_broadcast, organizer
):
    """Its one recipient unsubscribed before its time: it is not "sent" to nobody."""
    from campaign.accounts.models import AuditEvent

    petition = make_petition()
    ana = signer(petition, "ana@example.org").person
    broadcast = write_broadcast(petition.campaign)
    services.send(broadcast, organizer, at=utcnow() + timedelta(hours=1))
    db.session.commit()
    services.unsubscribe(services.UnsubscribeLink(ana, petition.campaign, None), everything=False, via="page")
    db.session.commit()

    (started,) = jobs.run_due(now=utcnow() + timedelta(hours=1, minutes=1))

    assert started.result == {"started": 0}
    db.session.refresh(broadcast)
    assert (broadcast.status, broadcast.scheduled_for) == (BroadcastStatus.DRAFT, None)
    assert db.session.scalar(select(func.count()).select_from(BroadcastDelivery)) == 0
    logged = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first()
    assert logged == "broadcast_reached_nobody"


def test_someone_who_unsubscribes_after_queuing_is_skipped(
    app, make_petition, signer, write_broadcast, organizer, monkeypatch
):
    petition = make_petition()
    ana = signer(petition, "ana@example.org").person
    signer(petition, "luz@example.org")
    monkeypatch.setattr(delivery, "hand_over", lambda now=None: 0)  # queue only
    broadcast = write_broadcast(petition.campaign)
    services.send(broadcast, organizer)
    db.session.commit()
    link = services.UnsubscribeLink(ana, petition.campaign, broadcast.id)
    services.unsubscribe(link, everything=False, via="one-click")
    db.session.commit()
    monkeypatch.undo()
    delivery.hand_over()
    figures = delivery.progress(broadcast)
    assert (figures.skipped, figures.unsubscribed_by_link) == (1, 1)
    assert (
        db.session.scalar(select(OutboxMessage.recipient).where(OutboxMessage.kind == "broadcasts.broadcast"))
        == "luz@example.org"
    )


def test_a_campaign_without_actions_reaches_nobody(app, make_campaign, write_broadcast):
    found = services.preview_reach(write_broadcast(make_campaign()))
    assert (found.recipients, found.unsubscribed, found.suppressed) == (0, 0, 0)


def test_without_cron_the_hand_over_books_itself_a_minute_later(
    app, smtp_server, make_petition, signer, write_broadcast, organizer
):
    from campaign.jobs.models import Job, JobStatus

    app.config["BROADCAST_RATE_PER_MINUTE"] = 2
    petition = make_petition()
    for number in range(5):
        signer(petition, f"person{number}@example.org")
    broadcast = write_broadcast(petition.campaign)
    services.send(broadcast, organizer)
    db.session.commit()
    assert len(smtp_server.mailbox.messages) == 2

    def booked() -> list[Job]:
        query = select(Job).where(Job.name == delivery.HAND_OVER_JOB, Job.status == JobStatus.QUEUED)
        return list(db.session.scalars(query))

    (job,) = booked()
    assert timedelta(seconds=50) < job.run_after - utcnow() <= timedelta(minutes=1)
    for _minute in range(3):  # what a worker's timer does: the job runs when due, and books the next
        # A minute goes by: the deliveries handed over no longer count against the rate.
        for handed in db.session.scalars(
            select(BroadcastDelivery).where(BroadcastDelivery.handed_over_at.is_not(None))
        ):
            handed.handed_over_at -= timedelta(minutes=2)
        db.session.commit()
        jobs.run_due(now=utcnow() + timedelta(minutes=2))
        outbox.deliver_pending()
    assert sorted(message["To"] for message in smtp_server.mailbox.messages) == [
        f"person{number}@example.org" for number in range(5)
    ]
    db.session.refresh(broadcast)
    assert broadcast.status is BroadcastStatus.SENT and booked() == []
