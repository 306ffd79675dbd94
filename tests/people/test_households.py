"""One mailbox: the same person typing it another way, and a household signing as several people."""

from __future__ import annotations

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.people.models import Person
from campaign.petitions.models import Signature, SignatureStatus
from tests.petitions.helpers import GOOD, confirmation_link, count_signatures, mails_to


def sign(client, petition, **fields):
    return client.post(f"/p/{petition.slug}", data=GOOD | fields)


def people() -> list[Person]:
    return list(db.session.scalars(select(Person).order_by(Person.id)))


def test_dots_and_a_tag_are_the_same_person_and_the_mail_goes_as_typed(client, make_petition):
    petition = make_petition()
    first = sign(client, petition, email="A.B+petition@Gmail.com")
    again = sign(client, petition, email="ab@googlemail.com")
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    [person] = people()
    assert (person.email, person.email_normalized, person.email_domain) == (
        "A.B+petition@gmail.com",
        "ab@gmail.com",
        "gmail.com",
    )
    assert count_signatures() == 1, "the second is a repeat, not a second signature"
    # Both mails go to the address as first typed (the outbox keeps it in lower case).
    assert len(mails_to("a.b+petition@gmail.com")) == 2
    assert not mails_to("ab@googlemail.com") and not mails_to("ab@gmail.com")


def test_a_household_signs_as_up_to_three_people_each_link_naming_its_person(client, make_petition):
    petition = make_petition()
    names = [("María", "García"), ("José", "García"), ("Lucía", "Pérez")]
    answers = [sign(client, petition, first_name=first, last_name=last) for first, last in names]
    assert [person.public_name for person in people()] == ["María G.", "José G.", "Lucía P."]
    rows = list(db.session.scalars(select(Signature).order_by(Signature.id)))
    assert [row.status for row in rows] == [SignatureStatus.PENDING] * 3
    assert len({row.person_id for row in rows}) == 3

    mails = mails_to("maria@example.org")
    assert len(mails) == 3
    for mail, (first, last) in zip(mails, names, strict=True):
        assert f"This link confirms the signature of {first} {last[0]}." in mail.body_text

    # Each link confirms its own person's signature, and only that one.
    client.post(confirmation_link(mails[1]))
    statuses = list(db.session.scalars(select(Signature.status).order_by(Signature.id)))
    assert statuses == [SignatureStatus.PENDING, SignatureStatus.CONFIRMED, SignatureStatus.PENDING]

    # The fourth name: no new person, and the same public answer as every other signature.
    fourth = sign(client, petition, first_name="Ana", last_name="Ruiz")
    assert len(people()) == 3
    assert count_signatures() == 3
    assert {answer.status_code for answer in [*answers, fourth]} == {303}
    assert {answer.headers["Location"] for answer in [*answers, fourth]} == {fourth.headers["Location"]}
    assert db.session.scalar(select(Signature.first_name).where(Signature.id == rows[0].id)) == "María", (
        "the fourth name is a change only the mailbox can apply"
    )
    last = mails_to("maria@example.org")[-1]
    assert "This link confirms the signature of María G." in last.body_text


def test_the_limit_comes_from_the_settings(make_app, make_petition):
    app = make_app(HOUSEHOLD_LIMIT=1)
    client = app.test_client()
    with app.app_context():
        petition = make_petition()
        sign(client, petition)
        sign(client, petition, first_name="José")
        assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_another_zip_code_makes_no_new_person_and_answers_alike(client, make_petition):
    petition = make_petition()
    first = sign(client, petition)
    other = sign(client, petition, first_name="Rosa", zip_code="54302")
    assert first.headers["Location"] == other.headers["Location"]
    assert len(people()) == 1
    assert count_signatures() == 1
    assert db.session.scalar(select(Signature.first_name)) == "María", "nothing changes before the mailbox agrees"


def test_the_same_name_again_is_the_same_person_whatever_the_accents(client, make_petition):
    petition = make_petition()
    sign(client, petition)
    sign(client, petition, first_name="maria", last_name="GARCIA")
    assert len(people()) == 1 and count_signatures() == 1


def test_commitments_and_rsvps_name_their_person_too(client, make_pledge, make_forum):
    pledge = make_pledge()
    forum = make_forum(campaign=pledge.campaign)
    for first in ("María", "José"):
        client.post(f"/pledges/{pledge.slug}", data=GOOD | {"first_name": first})
        client.post(f"/forums/{forum.slug}", data=GOOD | {"first_name": first, "guests": "0"})
    bodies = [mail.body_text for mail in mails_to("maria@example.org")]
    assert sum("This link confirms the commitment of José G." in body for body in bodies) == 1
    assert sum("This link confirms the commitment of María G." in body for body in bodies) == 1
    assert sum("This link confirms the RSVP of José G." in body for body in bodies) == 1
    assert sum("This link confirms the RSVP of María G." in body for body in bodies) == 1
