"""The broadcast pages through the test client: writing, previewing, testing, sending and
scheduling, following and stopping a broadcast as an organizer; the public unsubscribe page
and the mail program's one-click POST."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from campaign.broadcasts import rendering
from campaign.broadcasts.models import Broadcast, BroadcastOrigin, BroadcastStatus
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs.models import Job
from campaign.outbox.models import OutboxMessage
from campaign.people.models import Person, Unsubscribe
from campaign.petitions import services as petitions
from campaign.petitions.models import Signature

CHICAGO = ZoneInfo("America/Chicago")  # Brown County, WI: the test campaigns' county
MESSAGE = {
    "subject_en": "The County Board votes Tuesday",
    "body_en": "Come to the **County Board** on Tuesday.",
    "subject_es": "La Junta vota el martes",
    "body_es": "Venga a la **Junta** el martes.",
}


@pytest.fixture
def petition(make_petition, signer):
    """A petition with two signers who asked for news and one who did not."""
    petition = make_petition()
    signer(petition, "ana@example.org")
    signer(petition, "luz@example.org", first_name="Luz", locale="es")
    signer(petition, "quiet@example.org", updates=False)
    return petition


@pytest.fixture
def held_jobs(app):
    """Jobs are recorded but not run until the test says so."""
    runner = app.extensions["jobs_runner"]
    held: list[int] = []
    app.extensions["jobs_runner"] = SimpleNamespace(submit=lambda job_id, delay=None: held.append(job_id))

    def run() -> None:
        for job_id in held:  # jobs these enqueue are held too, and run in turn in this loop
            runner.submit(job_id)
        held.clear()

    yield SimpleNamespace(run=run)
    app.extensions["jobs_runner"] = runner


def page_of(broadcast_id: int) -> str:
    return f"/organize/broadcasts/{broadcast_id}"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def figure(text: str, label: str) -> int:
    """The number shown in the figure labelled `label`."""
    found = re.search(rf"<strong>([\d,]+)</strong> <span>{re.escape(label)}</span>", text)
    assert found, f"no figure {label!r}"
    return int(found.group(1).replace(",", ""))


def the_broadcast() -> Broadcast:
    return db.session.scalar(select(Broadcast))


# --- writing and previewing -----------------------------------------------------------------


def test_a_new_broadcast_shows_its_recipients_and_both_languages(client, login_as, petition):
    login_as("organizer")
    form = client.get(f"/organize/campaigns/{petition.campaign.slug}/broadcasts/new").get_data(as_text=True)
    assert f'value="petition:{petition.slug}"' in form and 'name="body_es"' in form

    created = client.post(
        f"/organize/campaigns/{petition.campaign.slug}/broadcasts/new",
        data=MESSAGE | {"action": f"petition:{petition.slug}", "county": "", "language": "", "source": ""},
    )
    broadcast = the_broadcast()
    assert created.status_code == 303 and created.headers["Location"].endswith(page_of(broadcast.id))
    assert broadcast.status is BroadcastStatus.DRAFT and broadcast.audience == {"action": f"petition:{petition.slug}"}

    text = client.get(page_of(broadcast.id)).get_data(as_text=True)
    assert figure(text, "recipients") == 2  # the signer who did not ask for news is left out
    assert "<strong>County Board</strong>" in text and "<strong>Junta</strong>" in text
    assert "La Junta vota el martes" in text
    assert f"Petition: {petition.title}" in text  # the audience in words
    assert "Send a test to me" in text and "Discard draft" in text


def test_the_audience_can_be_narrowed_to_one_language(client, login_as, petition):
    login_as("organizer")
    client.post(
        f"/organize/campaigns/{petition.campaign.slug}/broadcasts/new",
        data=MESSAGE | {"language": "es"},
    )
    text = client.get(page_of(the_broadcast().id)).get_data(as_text=True)
    assert figure(text, "recipient") == 1
    assert "Language: Spanish" in text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject_en": "   "}, "subject_en"),
        ({"body_en": ""}, "body_en"),
        ({"body_en": "x" * 200 * 1024}, "body_en"),
        ({"body_es": ""}, "body_es"),  # a Spanish subject without its message
        ({"action": "petition:no-such-petition"}, "action"),
        ({"source": "Not a code!"}, "source"),
    ],
)
def test_a_refused_message_is_shown_beside_its_field_and_saves_nothing(client, login_as, petition, change, field):
    login_as("organizer")
    refused = client.post(f"/organize/campaigns/{petition.campaign.slug}/broadcasts/new", data=MESSAGE | change)
    assert refused.status_code == 422
    assert f'<p class="error" id="{field}-error">' in refused.get_data(as_text=True)
    assert count(Broadcast) == 0


def test_an_edit_changes_the_draft(client, login_as, petition, write_broadcast):
    login_as("organizer")
    broadcast = write_broadcast(petition.campaign)
    saved = client.post(f"{page_of(broadcast.id)}/edit", data=MESSAGE | {"subject_en": "Tuesday at six"})
    assert saved.status_code == 303
    assert "Tuesday at six" in client.get(page_of(broadcast.id)).get_data(as_text=True)
    refused = client.post(f"{page_of(broadcast.id)}/edit", data=MESSAGE | {"body_en": "x" * 200 * 1024})
    assert refused.status_code == 422 and "at most 100 KB" in refused.get_data(as_text=True)
    assert db.session.get(Broadcast, broadcast.id).subject_en == "Tuesday at six"


# --- testing, sending, scheduling ------------------------------------------------------------


def mail() -> list[tuple[str, str]]:
    """(recipient, subject) of every message written to the outbox."""
    return sorted(tuple(row) for row in db.session.execute(select(OutboxMessage.recipient, OutboxMessage.subject)))


def test_a_test_goes_to_the_organizer_only_in_each_language(client, login_as, petition, write_broadcast):
    user = login_as("organizer")
    broadcast = write_broadcast(petition.campaign)
    response = client.post(f"{page_of(broadcast.id)}/test")
    assert response.status_code == 303
    assert mail() == [
        (user.email, "[Prueba] La Junta del Condado vota el martes"),  # marked in its own language
        (user.email, "[Test] The County Board votes Tuesday"),
    ]
    assert db.session.get(Broadcast, broadcast.id).status is BroadcastStatus.DRAFT
    assert "Last test sent" in client.get(page_of(broadcast.id)).get_data(as_text=True)


def test_send_now_queues_it_in_a_job_then_mails_the_consenting_signers(
    client, login_as, petition, write_broadcast, held_jobs
):
    user = login_as("organizer")
    broadcast = write_broadcast(petition.campaign)
    sent = client.post(f"{page_of(broadcast.id)}/send", data={"when": "now"})
    assert sent.status_code == 303
    broadcast = db.session.get(Broadcast, broadcast.id)
    assert broadcast.status is BroadcastStatus.QUEUING and broadcast.sent_by_id == user.id
    assert [job.name for job in db.session.scalars(select(Job))] == ["broadcasts.queue"]
    assert "Preparing the recipients" in client.get(page_of(broadcast.id)).get_data(as_text=True)

    held_jobs.run()
    assert mail() == [
        ("ana@example.org", "The County Board votes Tuesday"),
        ("luz@example.org", "La Junta del Condado vota el martes"),
    ]
    text = client.get(page_of(broadcast.id)).get_data(as_text=True)
    assert figure(text, "recipients") == 2 and figure(text, "sent") == 2 and figure(text, "remaining") == 0


def test_a_broadcast_scheduled_on_the_county_clock_is_stored_in_utc(client, login_as, petition, write_broadcast):
    login_as("organizer")
    broadcast = write_broadcast(petition.campaign)
    local = (utcnow() + timedelta(days=3)).astimezone(CHICAGO).replace(hour=9, minute=30, second=0, microsecond=0)
    scheduled = client.post(
        f"{page_of(broadcast.id)}/send",
        data={"when": "later", "scheduled_for": local.strftime("%Y-%m-%dT%H:%M")},
    )
    assert scheduled.status_code == 303
    broadcast = db.session.get(Broadcast, broadcast.id)
    assert broadcast.status is BroadcastStatus.SCHEDULED
    assert broadcast.scheduled_for == local.astimezone(UTC)
    text = client.get(page_of(broadcast.id)).get_data(as_text=True)
    assert "9:30" in text and "Back to draft" in text

    assert client.post(f"{page_of(broadcast.id)}/unschedule").status_code == 303
    broadcast = db.session.get(Broadcast, broadcast.id)
    assert broadcast.status is BroadcastStatus.DRAFT and broadcast.scheduled_for is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"when": "later", "scheduled_for": "2020-01-01T10:00"}, "Choose a time in the future"),
        ({"when": "later", "scheduled_for": ""}, "Choose the day and time"),
        ({"when": "later", "scheduled_for": "9999-12-31T23:59"}, "between the years 2000 and 2999"),
        ({"when": "soon"}, "Not a valid choice"),
    ],
)
def test_a_refused_schedule_sends_nothing(client, login_as, petition, write_broadcast, data, message):
    login_as("organizer")
    broadcast = write_broadcast(petition.campaign)
    refused = client.post(f"{page_of(broadcast.id)}/send", data=data)
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    assert db.session.get(Broadcast, broadcast.id).status is BroadcastStatus.DRAFT
    assert count(Job) == 0


def test_an_audience_of_nobody_is_refused(client, login_as, make_petition, signer, write_broadcast):
    login_as("organizer")
    petition = make_petition()
    signer(petition, "quiet@example.org", updates=False)
    broadcast = write_broadcast(petition.campaign)
    text = client.get(page_of(broadcast.id)).get_data(as_text=True)
    assert figure(text, "recipients") == 0
    refused = client.post(f"{page_of(broadcast.id)}/send", data={"when": "now"})
    assert refused.status_code == 422
    assert "Nobody in this audience can be mailed" in refused.get_data(as_text=True)
    assert db.session.get(Broadcast, broadcast.id).status is BroadcastStatus.DRAFT
    assert count(Job) == 0


def test_pause_resume_and_cancel(client, login_as, petition, write_broadcast, held_jobs):
    login_as("organizer")
    broadcast = write_broadcast(petition.campaign)
    client.post(f"{page_of(broadcast.id)}/send", data={"when": "now"})

    def status() -> BroadcastStatus:
        return db.session.get(Broadcast, broadcast.id).status

    assert client.post(f"{page_of(broadcast.id)}/pause").status_code == 303
    assert status() is BroadcastStatus.PAUSED
    assert "Resume" in client.get(page_of(broadcast.id)).get_data(as_text=True)
    assert client.post(f"{page_of(broadcast.id)}/resume").status_code == 303
    assert status() is BroadcastStatus.QUEUING

    unticked = client.post(f"{page_of(broadcast.id)}/cancel", data={})
    assert unticked.status_code == 422 and "Tick the box" in unticked.get_data(as_text=True)
    assert status() is BroadcastStatus.QUEUING
    assert client.post(f"{page_of(broadcast.id)}/cancel", data={"confirm": "y"}).status_code == 303
    assert status() is BroadcastStatus.CANCELLED

    held_jobs.run()  # the queuing job finds it cancelled and writes nothing
    assert count(OutboxMessage) == 0
    refused = client.post(f"{page_of(broadcast.id)}/resume")
    assert refused.status_code == 409 and "Only a paused broadcast can be resumed" in refused.get_data(as_text=True)
    edit = client.post(f"{page_of(broadcast.id)}/edit", data=MESSAGE)
    assert edit.status_code == 409 and status() is BroadcastStatus.CANCELLED


def test_a_follow_up_draft_is_marked_and_can_be_discarded(client, login_as, petition):
    login_as("organizer")
    draft = Broadcast(
        campaign=petition.campaign,
        origin=BroadcastOrigin.PACKET_DELIVERED,
        origin_key="delivery:1",
        subject_en="We delivered 2 signatures",
        body_en="Today we handed the Board our packet.",
        audience={"action": f"petition:{petition.slug}"},
    )
    db.session.add(draft)
    db.session.commit()
    listing = client.get(f"/organize/campaigns/{petition.campaign.slug}/broadcasts").get_data(as_text=True)
    assert "1 follow-up draft is waiting" in listing and "Draft from: packet delivered" in listing

    discarded = client.post(f"{page_of(draft.id)}/discard")
    assert discarded.status_code == 303
    assert discarded.headers["Location"].endswith(f"/organize/campaigns/{petition.campaign.slug}/broadcasts")
    assert count(Broadcast) == 0


def test_a_viewer_sees_the_pages_and_can_post_nothing(app, client, login_as, petition, write_broadcast):
    broadcast = write_broadcast(petition.campaign)
    login_as("viewer")
    listing = client.get(f"/organize/campaigns/{petition.campaign.slug}/broadcasts").get_data(as_text=True)
    assert broadcast.subject_en in listing and "New broadcast" not in listing
    page = client.get(page_of(broadcast.id))
    assert page.status_code == 200 and "Send a test" not in page.get_data(as_text=True)

    # Built from the URL map: a POST route added later is covered.
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("broadcasts_organize.") and "POST" in rule.methods
    ]
    assert len(rules) >= 9
    for rule in rules:
        values = {"slug": petition.campaign.slug, "broadcast_id": broadcast.id}
        path = app.url_map.bind("localhost").build(rule.endpoint, {key: values[key] for key in rule.arguments})
        response = client.post(path, data=MESSAGE | {"when": "now", "confirm": "y"})
        assert response.status_code == 403, path
    assert count(Broadcast) == 1 and count(Job) == 0 and count(OutboxMessage) == 0
    assert db.session.get(Broadcast, broadcast.id).status is BroadcastStatus.DRAFT


# --- unsubscribing ----------------------------------------------------------------------------


@pytest.fixture
def link(petition, write_broadcast):
    """The unsubscribe address of Ana, the first signer, in a broadcast of the campaign."""
    broadcast = write_broadcast(petition.campaign)
    signature = db.session.scalar(select(Signature).where(Signature.petition_id == petition.id).order_by(Signature.id))
    token = rendering.unsubscribe_token(signature.person_id, petition.campaign_id, broadcast.id)
    return SimpleNamespace(path=f"/unsubscribe/{token}", person_id=signature.person_id, broadcast=broadcast)


def unsubscribes() -> list[Unsubscribe]:
    return list(db.session.scalars(select(Unsubscribe).order_by(Unsubscribe.id)))


def test_the_page_says_what_the_link_is_for_and_changes_nothing(app, link, petition):
    page = app.test_client().get(link.path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Unsubscribe from “{petition.campaign.title}”" in text
    assert 'value="campaign"' in text and 'value="everything"' in text
    assert "no-store" in page.headers["Cache-Control"] and "Set-Cookie" not in page.headers
    assert unsubscribes() == []


def test_the_page_in_spanish(app, link, petition):
    petition.campaign.title_es = "Fin del acuerdo"
    db.session.commit()
    text = app.test_client().get(f"{link.path}?lang=es").get_data(as_text=True)
    assert '<html lang="es">' in text and "Campañas" in text
    assert "Fin del acuerdo" in text and petition.campaign.title not in text


def test_one_click_unsubscribes_at_once_without_cookie_or_form_token_and_twice_is_harmless(app, link):
    app.config["WTF_CSRF_ENABLED"] = True
    mail_program = app.test_client()
    for _ in range(2):
        done = mail_program.post(link.path, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    [record] = unsubscribes()
    assert (record.person_id, record.campaign_id, record.via) == (
        link.person_id,
        link.broadcast.campaign_id,
        "one-click",
    )
    assert record.broadcast_id == link.broadcast.id


def test_the_page_button_can_unsubscribe_from_everything(app, link):
    done = app.test_client().post(link.path, data={"scope": "everything"})
    assert done.status_code == 200
    assert "no more news from any campaign" in done.get_data(as_text=True)
    [record] = unsubscribes()
    assert (record.campaign_id, record.via) == (None, "page")


def test_the_page_refuses_a_scope_it_did_not_offer(app, link):
    refused = app.test_client().post(link.path, data={"scope": "all-of-them"})
    assert refused.status_code == 400 and "Choose one of the two buttons" in refused.get_data(as_text=True)
    assert unsubscribes() == []


def test_the_link_of_a_test_message_unsubscribes_nobody(app, link):
    token = rendering.unsubscribe_token(0, link.broadcast.campaign_id, link.broadcast.id)
    client = app.test_client()
    assert "This was a test message" in client.get(f"/unsubscribe/{token}").get_data(as_text=True)
    assert client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert unsubscribes() == []


def _expired_token(app, link) -> str:
    """The link as it was made a day longer ago than links work."""
    then = (datetime.now(UTC) - timedelta(days=app.config["UNSUBSCRIBE_LINK_DAYS"] + 1)).timestamp()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("itsdangerous.timed.time.time", lambda: then)
        return rendering.unsubscribe_token(link.person_id, link.broadcast.campaign_id, link.broadcast.id)


@pytest.mark.parametrize("kind", ["forged", "other purpose", "expired", "erased person"])
def test_a_bad_link_is_refused_with_its_message(app, link, petition, kind):
    if kind == "forged":
        token = link.path.removeprefix("/unsubscribe/")[:-3] + "abc"
        message = "This unsubscribe link is not valid"
    elif kind == "other purpose":
        token = petitions.CONFIRMATION.dumps(link.person_id, petition.campaign_id, link.broadcast.id)
        message = "This unsubscribe link is not valid"
    elif kind == "expired":
        token = _expired_token(app, link)
        message = "This unsubscribe link has expired"
    else:
        token = link.path.removeprefix("/unsubscribe/")
        db.session.get(Person, link.person_id).erased_at = utcnow()
        db.session.commit()
        message = "This unsubscribe link is not valid"
    client = app.test_client()
    for response in (
        client.get(f"/unsubscribe/{token}"),
        client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}),
    ):
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert unsubscribes() == []
