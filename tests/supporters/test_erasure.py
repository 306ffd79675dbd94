"""Erasure on request: the person is anonymised everywhere, their signatures still count."""

from __future__ import annotations

import csv
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from campaign.accounts.models import AuditEvent
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import RSVP, Forum, RSVPStatus
from campaign.outbox.models import MessageStatus, OutboxMessage
from campaign.packets import services as packets
from campaign.people.models import PendingAction, Person
from campaign.petitions import counts
from campaign.petitions.models import PetitionCountyCount, PetitionHourCount, Signature, SignatureStatus
from campaign.pledges.models import Commitment, CommitmentStatus
from tests.supporters.test_export import post as post_streamed

ZIPS = {"55009": "54301", "55087": "54911"}


def make_person(first: str = "Ana", last: str = "Ruiz", email: str = "Ana.Ruiz@example.org") -> Person:
    person = Person(email=email, email_normalized=email.lower(), first_name=first, last_name=last, zip_code="54301")
    db.session.add(person)
    db.session.commit()
    return person


def sign(petition, person: Person | None, fips: str = "55009", status=SignatureStatus.CONFIRMED, **extra) -> Signature:
    first, last = (person.first_name, person.last_name) if person else ("Paper", "Signer")
    values = {
        "petition": petition,
        "person": person,
        "first_name": first,
        "last_name": last,
        "zip_code": ZIPS[fips],
        "city": "Green Bay",
        "county_fips": fips,
        "status": status,
        "street_address": "12 Quiet Street",
        "phone": "(920) 555-0142",
        "comment": "For my neighbours",
        "ip_hash": "f" * 64,
        "show_publicly": True,
        "email_updates": True,
        "consent_text": "[x] Show my first name ...",
        "confirmed_at": utcnow() if status is SignatureStatus.CONFIRMED else None,
    } | extra
    signature = Signature(**values)
    db.session.add(signature)
    db.session.commit()
    return signature


def commit_to(pledge, person: Person) -> Commitment:
    commitment = Commitment(
        pledge=pledge,
        person=person,
        status=CommitmentStatus.CONFIRMED,
        first_name=person.first_name,
        last_name=person.last_name,
        zip_code="54301",
        county_fips="55009",
        email_updates=True,
        consent_text="[x] ...",
    )
    db.session.add(commitment)
    db.session.commit()
    return commitment


def rsvp_to(forum, person: Person) -> RSVP:
    rsvp = RSVP(
        forum=forum,
        person=person,
        status=RSVPStatus.GOING,
        first_name=person.first_name,
        last_name=person.last_name,
        zip_code="54301",
        county_fips="55009",
        accessibility_needs="Wheelchair access",
        interpretation_language="Hmong",
        email_updates=True,
    )
    db.session.add(rsvp)
    db.session.commit()
    return rsvp


def mail(recipient: str, status: MessageStatus, subject: str = "Confirm your signature") -> OutboxMessage:
    message = OutboxMessage(
        recipient=recipient.lower(),
        subject=subject,
        body_text=f"Hello, follow http://localhost/secret-link for {recipient}",
        body_html="<p>Hello</p>",
        kind="petitions.confirm",
        status=status,
        sent_at=utcnow() if status is MessageStatus.SENT else None,
    )
    db.session.add(message)
    db.session.commit()
    return message


def count_rows(petition) -> tuple:
    counts.refresh_counts(petition.id, force=True)
    db.session.commit()
    county = db.session.execute(
        select(PetitionCountyCount.county_fips, PetitionCountyCount.confirmed)
        .where(PetitionCountyCount.petition_id == petition.id)
        .order_by(PetitionCountyCount.county_fips)
    ).all()
    hours = db.session.execute(
        select(PetitionHourCount.hour, PetitionHourCount.channel, PetitionHourCount.confirmed)
        .where(PetitionHourCount.petition_id == petition.id)
        .order_by(PetitionHourCount.hour)
    ).all()
    return county, hours, petition.confirmed_count, petition.resident_count


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def ana(make_petition, make_pledge, make_forum):
    """Ana signed two petitions, committed to a pledge and RSVPed to a forum; Ben signed too."""
    person = make_person()
    petition = make_petition(title="End 287(g) in Brown County")
    other = make_petition(title="Ask the board for a hearing")
    sign(petition, person)
    sign(other, person, fips="55087")
    sign(petition, make_person("Ben", "Okafor", "ben@example.org"))
    commit_to(make_pledge(title="Speak at the board meeting"), person)
    rsvp_to(make_forum(title="Know your rights night"), person)
    db.session.add(PendingAction(purpose="signature", person_id=person.id, subject_id=1, payload={"comment": "x"}))
    db.session.commit()
    return person, petition


def erase_page(person_id: int) -> str:
    return f"/organize/people/{person_id}/erase"


def test_the_confirmation_page_names_what_will_be_touched(client, login_as, ana):
    person, _petition = ana
    login_as("organizer")
    page = client.get(erase_page(person.id))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for title in ("End 287(g) in Brown County", "Ask the board for a hearing", "Speak at the board meeting"):
        assert title in text
    assert "Know your rights night" in text
    assert "cannot be undone" in text
    assert db.session.get(Person, person.id).erased_at is None  # a GET writes nothing


def test_erasure_removes_the_person_everywhere_and_keeps_the_counts(client, login_as, ana):
    person, petition = ana
    before = count_rows(petition)
    pending = mail(person.email, MessageStatus.PENDING).id
    sent = mail(person.email, MessageStatus.SENT, subject="Thank you for signing").id
    someone_else = mail("ben@example.org", MessageStatus.PENDING).id
    organizer = login_as("organizer")

    response = client.post(erase_page(person.id), data={"confirm": "y"})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/organize/people/{person.id}")
    erased = db.session.get(Person, person.id)
    assert (erased.first_name, erased.last_name, erased.email, erased.email_normalized) == ("Erased", "", None, None)
    assert erased.email_domain is None and erased.zip_code is None and erased.erased_at is not None
    signatures = db.session.scalars(select(Signature).where(Signature.person_id == person.id)).all()
    assert len(signatures) == 2
    for signature in signatures:
        assert (signature.first_name, signature.last_name) == ("Erased", "")
        assert signature.street_address is None and signature.phone is None and signature.phone_digits is None
        assert signature.comment is None and signature.city is None and signature.ip_hash is None
        assert not signature.show_publicly and not signature.email_updates
        assert signature.anonymised_at is not None
        assert signature.status is SignatureStatus.CONFIRMED and signature.zip_code  # still counts where it did
    commitment = db.session.scalar(select(Commitment).where(Commitment.person_id == person.id))
    assert (commitment.first_name, commitment.email_updates, commitment.anonymised_at is not None) == (
        "Erased",
        False,
        True,
    )
    rsvp = db.session.scalar(select(RSVP).where(RSVP.person_id == person.id))
    assert (rsvp.first_name, rsvp.accessibility_needs, rsvp.interpretation_language) == ("Erased", None, None)
    assert rsvp.anonymised_at is not None and not rsvp.email_updates
    assert db.session.scalar(select(func.count()).select_from(PendingAction)) == 0
    ben = db.session.scalar(select(Signature).where(Signature.last_name == "Okafor"))
    assert ben.street_address == "12 Quiet Street" and ben.anonymised_at is None

    assert count_rows(petition) == before

    assert db.session.get(OutboxMessage, pending) is None
    kept = db.session.get(OutboxMessage, sent)
    assert (kept.subject, kept.status, kept.recipient, kept.body_text, kept.body_html) == (
        "Thank you for signing",
        MessageStatus.SENT,
        "",
        "",
        None,
    )
    assert db.session.get(OutboxMessage, someone_else).recipient == "ben@example.org"

    [event] = audit("person_erased")
    assert event.user_id == organizer.id
    assert event.details == {
        "person": person.id,
        "signatures": 2,
        "commitments": 1,
        "rsvps": 1,
        "observers": 0,
        "speakers": 0,
        "mail_dropped": 1,
    }
    written = json.dumps(event.details).lower()
    for private in ("ana", "ruiz", "example.org", "quiet", "555"):
        assert private not in written


def test_a_packet_built_after_erasure_counts_the_signature_without_the_name(client, login_as, ana):
    person, petition = ana
    login_as("organizer")
    client.post(erase_page(person.id), data={"confirm": "y"})

    packet = packets.request_packet(petition, packets.PacketRequest(county_fips=[]))
    packets.build(packet)
    db.session.commit()
    data = (packets.packet_dir() / packet.file_name).read_bytes()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)

    assert "Ruiz" not in text and "Quiet Street" not in text
    assert "Ben Okafor" in text
    assert "Confirmed signatures: 2" in text
    assert "1 signature is counted without a name: the signer asked to be removed" in text.replace("\n", " ")
    assert packet.signature_count == 2
    verified = client.get(f"/packets/verify/{packet.public_id}?digest={packet.sha256}")
    assert verified.status_code == 200


@pytest.mark.parametrize(
    ("role", "person_id", "data", "status"),
    [
        ("viewer", None, {"confirm": "y"}, 403),
        ("organizer", 999_999, {"confirm": "y"}, 404),
        ("organizer", None, {}, 422),
    ],
    ids=["viewer", "unknown-person", "box-not-ticked"],
)
def test_a_refused_erasure_writes_nothing(client, login_as, ana, role, person_id, data, status):
    person, _petition = ana
    message = mail(person.email, MessageStatus.PENDING).id
    login_as(role)
    response = client.post(erase_page(person_id or person.id), data=data)
    assert response.status_code == status
    if status == 422:
        assert "Tick the box to confirm the erasure." in response.get_data(as_text=True)
    assert db.session.get(Person, person.id).first_name == "Ana"
    assert db.session.scalar(select(func.count()).where(Signature.anonymised_at.is_not(None))) == 0
    assert db.session.get(OutboxMessage, message) is not None
    assert audit("person_erased") == []


def test_erasing_twice_is_refused(client, login_as, ana):
    person, _petition = ana
    login_as("organizer")
    assert client.post(erase_page(person.id), data={"confirm": "y"}).status_code == 303
    again = client.post(erase_page(person.id), data={"confirm": "y"})
    assert again.status_code == 409
    assert "already erased" in again.get_data(as_text=True)
    assert len(audit("person_erased")) == 1
    assert "There is nothing left to remove." in client.get(erase_page(person.id)).get_data(as_text=True)


def test_the_forum_sign_in_sheet_no_longer_lists_an_erased_person(client, login_as, ana):
    person, _petition = ana
    login_as("organizer")
    address = f"/organize/forums/{db.session.scalar(select(Forum.slug))}/sign-in-sheet.pdf"

    def sheet_text() -> str:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(client.get(address).data)).pages)

    assert "Ruiz, Ana" in sheet_text()
    client.post(erase_page(person.id), data={"confirm": "y"})
    text = sheet_text()
    assert "Ruiz" not in text and "Erased" not in text


def test_an_export_made_after_erasure_leaves_the_person_out(client, login_as, ana):
    person, petition = ana
    login_as("organizer")
    url = f"/organize/campaigns/{petition.campaign.slug}/supporters/export"
    assert "Ruiz" in post_streamed(client, url).get_data(as_text=True)
    client.post(erase_page(person.id), data={"confirm": "y"})
    response = post_streamed(client, url, data={"fields": ["email", "phone", "street"]})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [row for row in rows if "Okafor" in row]  # the export itself works
    text = "\n".join(",".join(row) for row in rows)
    assert "Ruiz" not in text and "Erased" not in text and "ana.ruiz@example.org" not in text.lower()


def test_erasing_one_of_a_household_keeps_the_mailbox_mail_of_the_others(client, login_as, make_petition):
    petition = make_petition()
    ana = make_person(first="Ana", email="home@example.org")
    bea = make_person(first="Bea", email="home@example.org")
    sign(petition, ana)
    sign(petition, bea, status=SignatureStatus.PENDING)
    waiting = mail("home@example.org", MessageStatus.PENDING, subject="Confirm the signature of Bea R.").id
    sent = mail("home@example.org", MessageStatus.SENT).id
    login_as("organizer")
    assert client.post(f"/organize/people/{ana.id}/erase", data={"confirm": "y"}).status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(Person, ana.id).erased_at is not None
    assert db.session.get(OutboxMessage, waiting).recipient == "home@example.org"
    assert db.session.get(OutboxMessage, sent).body_text  # Bea's record of what was sent
    # Once the last of the household is erased, the mailbox's mail goes too.
    assert client.post(f"/organize/people/{bea.id}/erase", data={"confirm": "y"}).status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, waiting) is None
    assert db.session.get(OutboxMessage, sent).recipient == ""
