"""Unsubscribing as it happens on the wire: the headers of the message the SMTP server
received, the mail provider's one-click POST to that very address, and what follows from
it. Signatures and counts stay as they were, transactional mail still goes (never to a
hard bounce), a later action with "email me" ticked subscribes again, and a later action
in Spanish gets the broadcast in Spanish."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from sqlalchemy import inspect, select

from campaign.broadcasts import services
from campaign.extensions import db
from campaign.outbox.models import OutboxMessage
from campaign.people.models import Person, Unsubscribe
from campaign.petitions import counts
from campaign.petitions.models import Signature, SignatureStatus

SITE = "https://campaign.example.org"  # BASE_URL in tests/broadcasts/conftest.py


# --- the mailbox side ---------------------------------------------------------------------------


def received_by(smtp_server, address: str) -> list[EmailMessage]:
    """What the SMTP server took for `address`, parsed from the bytes as they came over the
    wire (the modern policy unfolds long headers as a mail program does)."""
    parsed = [email.message_from_bytes(raw, policy=policy.default) for raw in smtp_server.mailbox.raw]
    return [message for message in parsed if message["To"] == address]


def subjects_received_by(smtp_server, address: str) -> list[str]:
    return [message["Subject"] for message in received_by(smtp_server, address)]


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    found = {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
    return found["text/plain"], found["text/html"]


def one_click_target(message: EmailMessage) -> str:
    """The path and query of the message's List-Unsubscribe address."""
    link = urlsplit(message["List-Unsubscribe"].strip("<>"))
    return f"{link.path}?{link.query}" if link.query else link.path


def press_unsubscribe_in_the_mail_program(app, message: EmailMessage):
    """What Gmail or Yahoo send when the person presses "Unsubscribe" (RFC 8058): a POST to
    the header's address with that one field, from their own servers, so with no cookie, no
    form token and no Origin or Sec-Fetch headers."""
    provider = app.test_client(use_cookies=False)
    return provider.post(
        one_click_target(message),
        base_url=SITE,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )


# --- the site side ------------------------------------------------------------------------------


def send_now(broadcast, organizer):
    """Send, then commit: the eager job runner queues the deliveries, hands them over and
    the outbox delivers them to the SMTP server."""
    services.send(broadcast, organizer)
    db.session.commit()
    return broadcast


def sign_on_the_page(client, petition, address: str, updates: bool, language: str = "en"):
    """Sign through the public form as Ana Lopez of Green Bay (the `signer` fixture's name and
    ZIP code, so the same person), in `language`."""
    data = {"first_name": "Ana", "last_name": "Lopez", "email": address, "zip_code": "54301"}
    if updates:
        data["email_updates"] = "y"
    return client.post(f"/p/{petition.slug}?lang={language}", data=data)


def sign_and_confirm(client, smtp_server, petition, address: str, updates: bool, language: str = "en") -> None:
    """Sign, take the confirmation link from the mail the SMTP server received, press Confirm."""
    assert sign_on_the_page(client, petition, address, updates, language).status_code == 303
    text, _html = text_and_html(received_by(smtp_server, address)[-1])
    path = re.search(rf"{re.escape(SITE)}(/p/{re.escape(petition.slug)}/confirm/\S+)", text).group(1)
    assert client.post(path).status_code == 200
    signature = db.session.scalar(
        select(Signature).join(Person).where(Person.email == address, Signature.petition_id == petition.id)
    )
    assert signature.status is SignatureStatus.CONFIRMED


def unsubscribes_of(person: Person) -> list[Unsubscribe]:
    return list(db.session.scalars(select(Unsubscribe).where(Unsubscribe.person_id == person.id)))


def unsubscribed_by_one_click(app, smtp_server, address: str) -> None:
    (message,) = received_by(smtp_server, address)
    assert press_unsubscribe_in_the_mail_program(app, message).status_code == 200


# --- 1. the headers and the one-click POST ------------------------------------------------------


def test_the_received_headers_lead_a_mail_program_to_unsubscribe_in_one_click(
    app, smtp_server, make_petition, signer, write_broadcast, organizer
):
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: the POST has to do without a form token
    petition = make_petition()
    campaign = petition.campaign
    ana = signer(petition, "ana@example.org").person
    signer(petition, "luz@example.org", first_name="Luz")
    first = send_now(write_broadcast(campaign, subject_en="The Board votes Tuesday"), organizer)

    (message,) = received_by(smtp_server, "ana@example.org")
    assert len(message.get_all("List-Unsubscribe")) == 1
    header = message["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/unsubscribe/") and header.endswith(">")  # https, no mailto: beside it
    link = header[1:-1]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = text_and_html(message)
    assert link in text and f'href="{link}"' in html  # the visible footer link is the same address

    for _press in range(2):  # a second POST (a retry, a double press) is harmless
        done = press_unsubscribe_in_the_mail_program(app, message)
        assert 200 <= done.status_code < 300
        (record,) = unsubscribes_of(ana)
        assert (record.campaign_id, record.broadcast_id, record.via) == (campaign.id, first.id, "one-click")

    second = send_now(write_broadcast(campaign, subject_en="We delivered the signatures"), organizer)
    assert subjects_received_by(smtp_server, "ana@example.org") == ["The Board votes Tuesday"]
    assert subjects_received_by(smtp_server, "luz@example.org") == [
        "The Board votes Tuesday",
        "We delivered the signatures",
    ]
    db.session.refresh(second)
    assert (second.recipients, second.unsubscribed) == (1, 1)


# --- 2. signatures and counts stay as they were --------------------------------------------------


def shown_count(client, petition, read: str) -> int:
    """The confirmed figure on the public page; `read` makes each read's query string its
    own, so the page is rendered anew rather than served from the page cache."""
    page = client.get(f"/p/{petition.slug}?read={read}").get_data(as_text=True)
    return int(re.search(r'<p class="count"><strong>([\d,]+)</strong>', page).group(1).replace(",", ""))


def stored(row) -> dict:
    return {column.key: getattr(row, column.key) for column in inspect(type(row)).column_attrs}


def test_unsubscribing_touches_no_signature_and_no_count(
    app, client, smtp_server, make_petition, signer, write_broadcast, organizer
):
    petition = make_petition()
    signature = signer(petition, "ana@example.org")
    signer(petition, "luz@example.org", first_name="Luz")
    counts.refresh_counts(petition.id, force=True)
    db.session.commit()
    signature_before = stored(signature)
    before = (petition.confirmed_count, signature.status, shown_count(client, petition, "before"))
    assert before == (2, SignatureStatus.CONFIRMED, 2)

    send_now(write_broadcast(petition.campaign), organizer)
    unsubscribed_by_one_click(app, smtp_server, "ana@example.org")
    assert len(unsubscribes_of(signature.person)) == 1

    counts.refresh_counts(petition.id, force=True)  # a recount after it finds the same
    db.session.commit()
    db.session.refresh(petition)
    db.session.refresh(signature)
    assert (petition.confirmed_count, signature.status, shown_count(client, petition, "after")) == before
    assert stored(signature) == signature_before


# --- 3. transactional mail ----------------------------------------------------------------------


def test_an_unsubscribed_person_still_gets_the_confirmation_of_their_next_signature(
    app, client, smtp_server, make_petition, signer, write_broadcast, organizer
):
    petition = make_petition()
    later = make_petition(campaign=petition.campaign)
    signer(petition, "ana@example.org")
    send_now(write_broadcast(petition.campaign, subject_en="The Board votes Tuesday"), organizer)
    unsubscribed_by_one_click(app, smtp_server, "ana@example.org")

    assert sign_on_the_page(client, later, "ana@example.org", updates=False).status_code == 303
    assert subjects_received_by(smtp_server, "ana@example.org") == [
        "The Board votes Tuesday",
        f"Confirm your signature: {later.title}",
    ]


def test_a_hard_bounced_address_gets_no_transactional_mail_written_at_all(
    app, client, smtp_server, make_petition, signer, write_broadcast, organizer
):
    petition = make_petition()
    later = make_petition(campaign=petition.campaign)
    signer(petition, "ana@example.org")
    signer(petition, "gone@example.org", first_name="Gil")
    smtp_server.mailbox.refuse_recipients["gone@example.org"] = "550 5.1.1 No such user"
    send_now(write_broadcast(petition.campaign), organizer)
    assert received_by(smtp_server, "gone@example.org") == []

    # The page answers as for anyone (it tells nothing), and no confirmation is written.
    assert sign_on_the_page(client, later, "gone@example.org", updates=True).status_code == 303
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient == "gone@example.org"))
    assert list(kinds) == ["broadcasts.broadcast"]
    assert received_by(smtp_server, "gone@example.org") == []


# --- 4. ticking "email me" again subscribes again -------------------------------------------------


@pytest.fixture
def resubscribed(app, client, smtp_server, make_petition, signer, write_broadcast, organizer):
    """The original petition and a later one of the campaign. Ana and Luz signed the original;
    Ana unsubscribed in one click from a broadcast, then signed the later petition with
    "email me" ticked and confirmed."""
    original = make_petition()
    later = make_petition(campaign=original.campaign)
    ana = signer(original, "ana@example.org").person
    signer(original, "luz@example.org", first_name="Luz")
    send_now(write_broadcast(original.campaign, subject_en="Before"), organizer)
    unsubscribed_by_one_click(app, smtp_server, "ana@example.org")
    sign_and_confirm(client, smtp_server, later, "ana@example.org", updates=True)
    assert len(unsubscribes_of(ana)) == 1  # the unsubscribe stays on record; the newer consent outweighs it
    return original, later


def test_ticking_email_me_on_a_later_signature_subscribes_again(resubscribed, smtp_server, write_broadcast, organizer):
    _original, later = resubscribed
    campaign = later.campaign
    send_now(write_broadcast(campaign, subject_en="To everyone"), organizer)
    send_now(write_broadcast(campaign, audience={"action": f"petition:{later.slug}"}, subject_en="To later"), organizer)
    assert subjects_received_by(smtp_server, "ana@example.org") == [
        "Before",
        f"Confirm your signature: {later.title}",
        "To everyone",
        "To later",
    ]


def test_resubscribed_person_is_reached_by_a_broadcast_narrowed_to_their_original_petition(
    resubscribed, smtp_server, write_broadcast, organizer
):
    """The unsubscribe is outweighed by the latest consent anywhere in the campaign, not
    only by one inside the action the broadcast is narrowed to."""
    original, later = resubscribed
    audience = {"action": f"petition:{original.slug}"}
    send_now(write_broadcast(original.campaign, audience=audience, subject_en="To original"), organizer)
    assert subjects_received_by(smtp_server, "luz@example.org")[-1] == "To original"
    assert subjects_received_by(smtp_server, "ana@example.org") == [
        "Before",
        f"Confirm your signature: {later.title}",
        "To original",
    ]


# --- 5. a later action in Spanish ---------------------------------------------------------------


def test_a_person_who_later_signs_in_spanish_gets_a_spanish_broadcast_in_spanish(
    app, client, smtp_server, make_petition, signer, write_broadcast, organizer
):
    """The person was made by an English signature, so their record still says English;
    the Spanish signature is what puts them in the audience, and its language is theirs."""
    petition = make_petition()
    later = make_petition(campaign=petition.campaign)
    signer(petition, "ana@example.org", locale="en")
    sign_and_confirm(client, smtp_server, later, "ana@example.org", updates=True, language="es")

    send_now(write_broadcast(petition.campaign, audience={"language": "es"}), organizer)
    assert subjects_received_by(smtp_server, "ana@example.org")[-1] == "La Junta del Condado vota el martes"
