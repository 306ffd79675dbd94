"""An attacker's review of broadcasts (issue 16): races between the sender and the organizer,
refused moves, foreign audiences, header and HTML injection, and unsubscribe links bent out of
shape. Each test says what the attacker tried and what must not happen."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select, update

from campaign.accounts.models import AuditEvent
from campaign.broadcasts import delivery, rendering, services
from campaign.broadcasts.models import Broadcast, BroadcastDelivery, BroadcastStatus, DeliveryStatus
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs.models import Job
from campaign.outbox.models import OutboxMessage, Suppression, SuppressionReason
from campaign.people.models import Person, Unsubscribe
from campaign.supporters.erasure import erase

MESSAGE = {
    "subject_en": "The County Board votes Tuesday",
    "body_en": "Come to the **County Board** on Tuesday.",
    "subject_es": "",
    "body_es": "",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def page_of(broadcast: Broadcast) -> str:
    return f"/organize/broadcasts/{broadcast.id}"


def every_row_count() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables
    }


@pytest.fixture
def no_jobs(monkeypatch):
    """Jobs are not run: each step of sending is called by hand."""
    monkeypatch.setattr(delivery.jobs, "enqueue", lambda *args, **kwargs: None)


@pytest.fixture
def queued(app, make_petition, signer, write_broadcast, organizer, no_jobs):
    """A broadcast to three signers, its deliveries written, none handed over yet."""
    petition = make_petition()
    for number in range(3):
        signer(petition, f"person{number}@example.org")
    broadcast = write_broadcast(petition.campaign, spanish=False)
    services.send(broadcast, organizer)
    db.session.commit()
    app.config["BROADCAST_RATE_PER_MINUTE"] = 0  # queue() ends with a hand-over: keep it empty
    delivery.queue(broadcast.id)
    app.config["BROADCAST_RATE_PER_MINUTE"] = 120
    assert delivery.progress(broadcast).waiting == 3
    return broadcast


# --- the sender against the organizer ---------------------------------------------------------


def test_a_cancel_that_lands_while_the_sender_runs_stays_cancelled(app, queued, organizer, monkeypatch):
    """The organizer cancels (another process commits) after the sender read the broadcasts
    that are sending: nobody is mailed, and the page must not say "Sent"."""
    real = delivery._hand_over_batch

    def cancelled_meanwhile(broadcast, limit, now):
        db.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast.id)
            .values(status=BroadcastStatus.CANCELLED, finished_at=now)
            .execution_options(synchronize_session=False)
        )
        delivery.cancel_waiting(broadcast)
        return real(broadcast, limit, now)

    monkeypatch.setattr(delivery, "_hand_over_batch", cancelled_meanwhile)
    assert delivery.hand_over() == 0
    db.session.expire_all()
    assert db.session.get(Broadcast, queued.id).status is BroadcastStatus.CANCELLED
    assert count(OutboxMessage) == 0


def test_two_senders_at_the_same_time_hand_each_delivery_over_once_within_the_rate(app, queued, monkeypatch):
    """Cron's `flask outbox send` and a booked hand-over job run together, each in its own
    process (here: thread, app context and connection), and both count the minute's room at
    the same moment. With room for two of the three deliveries, two go, once each: had each
    counted the room on its own, both would have seen two free places."""
    app.config["BROADCAST_RATE_PER_MINUTE"] = 2
    real, both_counted = delivery._hand_over_batch, threading.Barrier(2, timeout=3)

    def after_counting(broadcast, limit, now):
        # Wait for the other sender to have counted too, then let one of them hand over and
        # commit before the other takes its turn with the room it counted. Under the lock
        # the other cannot have counted (it waits for this one's commit): once the wait runs
        # out, this one goes on alone.
        try:
            if both_counted.wait() == 0:
                time.sleep(0.5)
        except threading.BrokenBarrierError:
            pass
        return real(broadcast, limit, now)

    monkeypatch.setattr(delivery, "_hand_over_batch", after_counting)
    handed: list[int] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            with app.app_context():
                handed.append(delivery.hand_over())
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.expire_all()
    assert errors == []
    assert sorted(handed) == [0, 2]
    recipients = list(db.session.scalars(select(OutboxMessage.recipient)))
    assert len(recipients) == len(set(recipients)) == 2
    assert delivery.progress(queued).waiting == 1


def test_a_signature_invalidated_before_its_turn_is_not_mailed(app, queued):
    """Consent is read again at hand-over: the signature that gave it was found to be a
    forgery after the deliveries were written."""
    from campaign.petitions.models import Signature, SignatureStatus

    first = db.session.scalar(select(BroadcastDelivery).order_by(BroadcastDelivery.id))
    forged = db.session.scalar(select(Signature).where(Signature.person_id == first.person_id))
    forged.status = SignatureStatus.INVALIDATED
    db.session.commit()
    assert delivery.hand_over() == 3
    assert sorted(db.session.scalars(select(OutboxMessage.recipient))) == ["person1@example.org", "person2@example.org"]
    assert delivery.progress(queued).skipped == 1


def test_a_person_erased_in_the_middle_of_a_broadcast_is_not_mailed(app, queued, organizer):
    first = db.session.scalar(select(BroadcastDelivery).order_by(BroadcastDelivery.id))
    erase(db.session.get(Person, first.person_id), organizer)
    db.session.commit()
    assert delivery.hand_over() == 3
    db.session.commit()
    assert sorted(db.session.scalars(select(OutboxMessage.recipient))) == [
        "person1@example.org",
        "person2@example.org",
    ]
    assert delivery.progress(queued).skipped == 1


def test_the_rate_holds_across_broadcasts(app, make_petition, signer, write_broadcast, organizer, no_jobs):
    app.config["BROADCAST_RATE_PER_MINUTE"] = 0
    petition = make_petition()
    for number in range(3):
        signer(petition, f"person{number}@example.org")
    broadcasts = [write_broadcast(petition.campaign, spanish=False) for _ in range(2)]
    for broadcast in broadcasts:
        services.send(broadcast, organizer)
        db.session.commit()
        delivery.queue(broadcast.id)
    app.config["BROADCAST_RATE_PER_MINUTE"] = 4
    assert delivery.hand_over() == 4
    assert delivery.hand_over() == 0  # the same minute
    assert delivery.hand_over(utcnow() + timedelta(minutes=2)) == 2
    assert count(OutboxMessage) == 6


def test_the_delivery_rows_and_the_audit_log_keep_no_address(app, queued):
    delivery.hand_over()
    db.session.commit()
    columns = [column.name for column in BroadcastDelivery.__table__.columns]
    assert not any("email" in name or "address" in name for name in columns)
    logged = repr([event.details for event in db.session.scalars(select(AuditEvent))])
    assert "broadcast_sent" in repr(list(db.session.scalars(select(AuditEvent.action))))
    assert "@example.org" not in logged.replace("lead@example.org", "")


# --- organizer pages: moves that must be refused ----------------------------------------------


def test_a_double_click_on_send_now_sends_it_once(client, login_as, make_petition, signer):
    login_as("organizer")
    petition = make_petition()
    signer(petition, "ana@example.org")
    client.post(f"/organize/campaigns/{petition.campaign.slug}/broadcasts/new", data=MESSAGE)
    broadcast = db.session.scalar(select(Broadcast))
    assert client.post(f"{page_of(broadcast)}/send", data={"when": "now"}).status_code == 303
    again = client.post(f"{page_of(broadcast)}/send", data={"when": "now"})
    assert again.status_code == 409 and "already being sent" in again.get_data(as_text=True)
    queue_jobs = select(func.count()).where(Job.name == delivery.QUEUE_JOB)
    assert db.session.scalar(queue_jobs) == 1 and count(OutboxMessage) == 1
    assert db.session.get(Broadcast, broadcast.id).status is BroadcastStatus.SENT


@pytest.mark.parametrize(
    ("status", "action", "data"),
    [
        (BroadcastStatus.CANCELLED, "resume", {}),
        (BroadcastStatus.SENDING, "edit", MESSAGE | {"subject_en": "Changed"}),
        (BroadcastStatus.SENDING, "unschedule", {}),
        (BroadcastStatus.SCHEDULED, "discard", {}),
        (BroadcastStatus.DRAFT, "pause", {}),
        (BroadcastStatus.DRAFT, "cancel", {"confirm": "y"}),
        (BroadcastStatus.SENT, "cancel", {"confirm": "y"}),
    ],
)
def test_a_move_the_state_does_not_allow_is_refused_and_changes_nothing(
    client, login_as, make_petition, signer, write_broadcast, no_jobs, status, action, data
):
    login_as("organizer")
    petition = make_petition()
    signer(petition, "ana@example.org")
    broadcast = write_broadcast(petition.campaign, spanish=False)
    broadcast.status = status
    db.session.commit()
    before = every_row_count()
    refused = client.post(f"{page_of(broadcast)}/{action}", data=data)
    assert refused.status_code == 409
    shown = refused.get_data(as_text=True)
    assert 'class="flash flash-error"' in shown or 'class="error"' in shown  # a message, not a bare 409
    db.session.expire_all()
    after = db.session.get(Broadcast, broadcast.id)
    assert (after.status, after.subject_en) == (status, "The County Board votes Tuesday")
    assert every_row_count() == before


def test_an_audience_of_another_campaigns_petition_is_refused(client, login_as, make_petition, signer):
    login_as("organizer")
    ours, theirs = make_petition(), make_petition()
    signer(theirs, "theirs@example.org")
    refused = client.post(
        f"/organize/campaigns/{ours.campaign.slug}/broadcasts/new",
        data=MESSAGE | {"action": f"petition:{theirs.slug}"},
    )
    assert refused.status_code == 422 and 'id="action-error"' in refused.get_data(as_text=True)
    assert count(Broadcast) == 0


# --- what the message carries -----------------------------------------------------------------


def test_a_line_break_in_the_subject_adds_no_header(
    app, smtp_server, make_petition, signer, write_broadcast, organizer
):
    petition = make_petition()
    signer(petition, "ana@example.org")
    broadcast = write_broadcast(
        petition.campaign, spanish=False, subject_en="News\r\nBcc: spy@evil.example\r\n\r\nInjected"
    )
    services.send(broadcast, organizer)
    db.session.commit()
    [received] = smtp_server.mailbox.messages
    assert received["Bcc"] is None and received["Subject"] == "News Bcc: spy@evil.example Injected"
    assert received["X-Envelope-To"] == "ana@example.org"


def test_the_markdown_body_runs_no_script_in_the_mail_or_the_preview(
    app, client, login_as, smtp_server, make_petition, signer, write_broadcast, organizer
):
    petition = make_petition()
    signer(petition, "ana@example.org")
    body = (
        "<script>alert(1)</script>\n\n"
        "[click](javascript:alert(2)) [data](data:text/html,<script>alert(3)</script>)\n\n"
        '<img src=x onerror="alert(4)"> <a href="https://evil.example" onclick="alert(5)">a</a>\n\n'
        '[ok](https://example.org/a "t\\" onmouseover=\\"alert(6)")'
    )
    broadcast = write_broadcast(petition.campaign, spanish=False, body_en=body)
    login_as("organizer")
    preview = client.get(page_of(broadcast)).get_data(as_text=True)
    services.send(broadcast, organizer)
    db.session.commit()
    [received] = smtp_server.mailbox.messages
    html = next(
        part.get_payload(decode=True).decode() for part in received.walk() if part.get_content_type() == "text/html"
    )
    for shown in (html, preview):
        assert "<script" not in shown and "<img" not in shown
        assert not re.search(r"href=\"(javascript|data):", shown)
        assert not re.search(r'<[a-z](?:[^>"]|"[^"]*")*\son\w+=', shown)  # no tag with an event handler


# --- unsubscribe links -------------------------------------------------------------------------


@pytest.fixture
def link(queued):
    """Person 0's own unsubscribe address in the queued broadcast."""
    person_id = db.session.scalar(select(BroadcastDelivery.person_id).order_by(BroadcastDelivery.id))
    token = rendering.unsubscribe_token(person_id, queued.campaign_id, queued.id)
    return f"/unsubscribe/{token}"


@pytest.mark.parametrize("query", ["", "?lang=es", "?lang=xx", "?lang=../../etc/passwd", "?lang=es%00", "?lang="])
def test_opening_the_link_writes_nothing_whatever_the_language_asked(app, link, query):
    before = every_row_count()
    page = app.test_client().get(link + query)
    if "%00" in query:  # a NUL anywhere in a request is refused before any view
        assert page.status_code == 400
    else:
        assert page.status_code == 200 and 'value="everything"' in page.get_data(as_text=True)
    assert every_row_count() == before


@pytest.mark.parametrize(
    "token",
    ["A" * 100_000, "%00", "abc%00def", "abc%0d%0aSet-Cookie:x=1", "0", "..%2F..%2Fsecret", "%E2%80%AE"],
)
def test_a_token_bent_out_of_shape_is_refused_without_a_crash(app, link, token):
    client = app.test_client()
    for response in (
        client.get(f"/unsubscribe/{token}"),
        client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}),
    ):
        assert response.status_code in (400, 404, 414), response.status_code
        assert "Set-Cookie" not in response.headers
    assert count(Unsubscribe) == 0


def test_a_token_made_for_another_purpose_with_the_same_ids_is_refused(app, queued, link):
    from campaign.forums.notices import CANCELLATION

    person_id = db.session.scalar(select(BroadcastDelivery.person_id).order_by(BroadcastDelivery.id))
    token = CANCELLATION.dumps(person_id, queued.campaign_id, queued.id)
    refused = app.test_client().post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert refused.status_code == 400 and count(Unsubscribe) == 0


def test_one_click_with_a_scope_as_well_unsubscribes_from_the_campaign_only(app, link, queued):
    done = app.test_client().post(link, data={"List-Unsubscribe": "One-Click", "scope": "everything"})
    assert done.status_code == 200
    [record] = db.session.scalars(select(Unsubscribe))
    assert record.campaign_id == queued.campaign_id


def test_the_mail_providers_one_click_needs_no_origin_and_a_foreign_page_is_still_refused(app, link):
    """RFC 8058: the provider's server posts without cookies, Origin or Sec-Fetch headers."""
    client = app.test_client()
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert count(Unsubscribe) == 1


def test_a_one_click_post_sent_from_a_webmail_page_unsubscribes(app, link):
    client = app.test_client()
    response = client.post(
        link,
        data={"List-Unsubscribe": "One-Click"},
        headers={"Origin": "https://mail.example.com", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 200 and count(Unsubscribe) == 1


def test_after_an_unsubscribe_the_next_hand_over_skips_them(app, link, queued):
    app.test_client().post(link, data={"List-Unsubscribe": "One-Click"})
    assert delivery.hand_over() == 3
    db.session.commit()
    assert count(OutboxMessage) == 2 and delivery.progress(queued).skipped == 1


# --- suppression --------------------------------------------------------------------------------


def test_a_suppressed_address_is_not_mailed_whatever_its_case(
    app, make_petition, signer, write_broadcast, organizer, no_jobs
):
    petition = make_petition()
    signer(petition, "Ana.Lopez@Example.ORG")
    signer(petition, "luz@example.org")
    db.session.add(Suppression(address="ana.lopez@example.org", reason=SuppressionReason.COMPLAINT, source="import"))
    db.session.commit()
    broadcast = write_broadcast(petition.campaign, spanish=False)
    assert services.preview_reach(broadcast).recipients == 1
    services.send(broadcast, organizer)
    db.session.commit()
    delivery.queue(broadcast.id)
    assert list(db.session.scalars(select(OutboxMessage.recipient))) == ["luz@example.org"]
    assert db.session.scalar(select(BroadcastDelivery.status)) is DeliveryStatus.HANDED_OVER


def test_the_subject_and_campaign_title_stay_text_in_the_html_part(app, make_petition, signer, write_broadcast):
    petition = make_petition()
    petition.campaign.title = 'End it</title><script>alert(1)</script><a href="https://evil.example">'
    db.session.commit()
    broadcast = write_broadcast(petition.campaign, spanish=False, subject_en='<img src="https://evil.example/p">News')
    html = rendering.render(broadcast, "en").html
    # Parsed, not searched: the inliner re-serializes an attribute holding "<" unescaped (aria-label).
    tags = start_tags(html)
    assert {"script", "img"}.isdisjoint(name for name, _ in tags)
    assert not [attrs for name, attrs in tags if name == "a" and ("href", "https://evil.example") in attrs]
    assert "&lt;img src=" in html and "&lt;/title&gt;&lt;script&gt;" in html


def start_tags(html: str) -> list[tuple[str, list]]:
    found: list[tuple[str, list]] = []
    parser = HTMLParser()
    parser.handle_starttag = lambda name, attrs: found.append((name, attrs))
    parser.feed(html)
    return found


def test_a_markdown_image_in_a_broadcast_is_not_fetched_by_the_mail_program(app, make_petition, write_broadcast):
    petition = make_petition()
    body = "Read on.\n\n![](https://tracker.example/open.gif?id=42)"
    broadcast = write_broadcast(petition.campaign, spanish=False, body_en=body)
    html = rendering.render(broadcast, "en").html
    assert "<img" not in html and "https://tracker.example/open.gif" in html  # a link to it at most


@pytest.mark.parametrize("action", ["edit", "send", "test", "unschedule", "pause", "resume", "cancel", "discard"])
def test_an_organizer_post_without_its_csrf_token_is_refused_and_changes_nothing(
    app, client, login_as, make_petition, signer, write_broadcast, action
):
    app.config["WTF_CSRF_ENABLED"] = True
    login_as("organizer")
    petition = make_petition()
    signer(petition, "ana@example.org")
    broadcast = write_broadcast(petition.campaign, spanish=False)
    before = every_row_count()
    refused = client.post(f"{page_of(broadcast)}/{action}", data=MESSAGE | {"when": "now", "confirm": "y"})
    assert refused.status_code == 400
    assert every_row_count() == before
    db.session.expire_all()
    assert db.session.get(Broadcast, broadcast.id).status is BroadcastStatus.DRAFT


# --- consent ------------------------------------------------------------------------------------


def test_consenting_again_in_another_campaign_resumes_only_that_campaign(app, make_petition, signer, write_broadcast):
    from campaign.petitions.models import SignatureStatus
    from tests.supporters import builders

    first, second = make_petition(), make_petition()
    ana = signer(first, "ana@example.org", at=utcnow() - timedelta(days=2)).person
    luz = signer(first, "luz@example.org", first_name="Luz").person
    builders.sign(second, luz, email_updates=True)
    db.session.add(Unsubscribe(person_id=ana.id, campaign_id=None, via="page", created_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    builders.sign(second, ana, email_updates=True)
    # A signature someone typed with her address, never confirmed, subscribes nobody.
    builders.sign(make_petition(campaign=first.campaign), ana, email_updates=True, status=SignatureStatus.PENDING)

    assert services.preview_reach(write_broadcast(second.campaign, spanish=False)).recipients == 2
    first_reach = services.preview_reach(write_broadcast(first.campaign, spanish=False))
    assert (first_reach.recipients, first_reach.unsubscribed) == (1, 1)


# --- the audit log ------------------------------------------------------------------------------


def test_the_audit_log_names_the_audience_a_scheduled_broadcast_went_to(
    app, make_petition, signer, write_broadcast, organizer, no_jobs
):
    first = make_petition()
    second = make_petition(campaign=first.campaign)
    signer(first, "ana@example.org")
    signer(second, "luz@example.org", first_name="Luz")
    broadcast = write_broadcast(first.campaign, spanish=False, audience={"action": f"petition:{first.slug}"})
    services.send(broadcast, organizer, at=utcnow() + timedelta(hours=1))
    db.session.commit()
    changed = services.Draft(subject_en="Changed", body_en="Changed", audience={"action": f"petition:{second.slug}"})
    services.update(broadcast, changed, organizer)
    db.session.commit()
    delivery.produce(utcnow() + timedelta(hours=2))
    logged = [event.details.get("audience") for event in db.session.scalars(select(AuditEvent))]
    assert {"action": f"petition:{second.slug}"} in logged
