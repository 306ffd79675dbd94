"""Committing to a pledge: the form, the mailed confirmation, duplicates, the condition, bad input."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from campaign.core.errors import Conflict, DomainError
from campaign.extensions import db
from campaign.officials.models import Body
from campaign.outbox.models import OutboxMessage
from campaign.pledges import fulfilment, services
from campaign.pledges.models import Commitment, CommitmentStatus, PledgeKind, PledgeStatus
from tests.petitions.helpers import mails_to

GOOD = {"first_name": "María", "last_name": "García", "email": "maria@example.org", "zip_code": "54301"}


def commit(client, pledge, **fields):
    return client.post(f"/pledges/{pledge.slug}", data=GOOD | fields)


def link_in(message: OutboxMessage, kind: str) -> str:
    return re.search(rf"http://localhost(/pledges/\S+/{kind}/\S+)", message.body_text).group(1)


def count_commitments() -> int:
    return db.session.scalar(select(func.count()).select_from(Commitment))


def committed(pledge, email: str, zip_code: str = "54301", county: str | None = None) -> Commitment:
    """A confirmed commitment, made through the service as the form would."""
    data = services.CommitmentInput(
        first_name="Test", last_name=email.split("@")[0], email=email, zip_code=zip_code, county=county
    )
    commitment = services.commit(pledge, data)
    services.confirm_commitment(commitment, commitment.created_at)
    db.session.commit()
    return commitment


def test_commit_then_confirm_through_the_mailed_link(client, make_pledge):
    pledge = make_pledge(goal=10)
    response = commit(client, pledge, email_updates="y")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/pledges/{pledge.slug}/thanks")

    commitment = db.session.scalar(select(Commitment))
    assert commitment.status is CommitmentStatus.PENDING
    assert (commitment.first_name, commitment.county_fips, commitment.zip_code) == ("María", "55009", "54301")
    assert commitment.email_updates and "[x] Email me about this campaign." in commitment.consent_text
    [mail] = mails_to("maria@example.org")
    assert mail.subject == f"Confirm your commitment: {pledge.title}"
    assert pledge.action in mail.body_text
    link = link_in(mail, "confirm")

    page = client.get(link)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "Confirm my commitment" in page.get_data(as_text=True)
    db.session.refresh(commitment)
    assert commitment.status is CommitmentStatus.PENDING
    assert "<strong>0</strong>" in client.get(f"/pledges/{pledge.slug}").get_data(as_text=True)

    done = client.post(link)
    assert done.status_code == 200 and "your commitment is confirmed" in done.get_data(as_text=True)
    db.session.refresh(commitment)
    assert commitment.status is CommitmentStatus.CONFIRMED and commitment.confirmed_at is not None

    shown = client.get(f"/pledges/{pledge.slug}").get_data(as_text=True)
    assert "<strong>1</strong>" in shown and 'value="1"' in shown  # the count and the progress bar
    assert "Brown County, WI" in shown
    assert "maria@example.org" not in shown and "García" not in shown


def test_committing_twice_answers_the_same_and_keeps_one_commitment(client, make_pledge):
    pledge = make_pledge()
    first = commit(client, pledge)
    again = commit(client, pledge, email="MARIA@example.org", first_name="Maria")
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert count_commitments() == 1
    assert db.session.scalar(select(Commitment)).first_name == "María", "a repeat changes nothing before its link"
    client.post(link_in(mails_to("maria@example.org")[-1], "confirm"))
    assert db.session.scalar(select(Commitment)).first_name == "Maria", "the link the mailbox used says Maria"

    commit(client, pledge)
    assert count_commitments() == 1
    latest = mails_to("maria@example.org")[-1]
    assert latest.subject.startswith("You have already committed")
    assert "/done/" in latest.body_text  # the "I did it" link of a confirmed commitment


def test_the_same_person_committing_twice_at_once_gets_one_commitment(make_app, make_pledge):
    slug = make_pledge().slug
    app = make_app()
    barrier = threading.Barrier(2)
    failures: list[Exception] = []

    def attempt() -> None:
        with app.app_context():
            barrier.wait()
            try:
                services.commit(services.get_pledge(slug), services.CommitmentInput(**GOOD))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (collected for the assertion)
                failures.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert count_commitments() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address"),
        ({"zip_code": "00000"}, "zip_code", "We don&#39;t know the ZIP code 00000"),
        ({"first_name": ""}, "first_name", "This field is required"),
        ({"last_name": "x" * 101}, "last_name", "Field cannot be longer than 100 characters."),
        ({"county": "17031"}, "county", "Cook County, IL is not in WI"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_writes_nothing(client, make_pledge, fields, field, message):
    pledge = make_pledge()
    response = commit(client, pledge, **fields)
    assert 400 <= response.status_code < 500
    text = response.get_data(as_text=True)
    assert message in text[text.index(f'id="{field}-error"') :][:300]
    assert count_commitments() == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_closed_draft_or_past_deadline_pledge_takes_no_commitment(client, make_pledge):
    from datetime import timedelta

    from campaign.core.types import utcnow

    closed = make_pledge(status=PledgeStatus.CLOSED)
    assert commit(client, closed).status_code == 409
    past = make_pledge(deadline=utcnow() - timedelta(days=1))
    assert commit(client, past).status_code == 409
    draft = make_pledge(status=PledgeStatus.DRAFT)
    assert client.get(f"/pledges/{draft.slug}").status_code == 404
    assert count_commitments() == 0


def test_the_honeypot_refuses_bots(client, make_pledge):
    response = commit(client, make_pledge(), website="http://spam.example")
    assert response.status_code == 400 and count_commitments() == 0


def test_a_forged_or_foreign_confirmation_link_is_refused(client, make_pledge):
    pledge, other = make_pledge(), make_pledge()
    commit(client, pledge)
    link = link_in(mails_to("maria@example.org")[0], "confirm")
    assert client.post(link + "x").status_code == 400
    assert client.post(link.replace(pledge.slug, other.slug)).status_code == 400
    assert db.session.scalar(select(Commitment.status)) is CommitmentStatus.PENDING


def test_the_condition_is_met_once_and_everyone_is_told(make_pledge):
    pledge = make_pledge(threshold=3)
    committed(pledge, "one@example.org")
    committed(pledge, "two@example.org")
    assert pledge.threshold_met_at is None
    assert db.session.scalar(select(func.count()).where(OutboxMessage.kind == "pledges.threshold_met")) == 0

    committed(pledge, "three@example.org")
    db.session.refresh(pledge)
    assert pledge.threshold_met_at is not None
    told = db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "pledges.threshold_met"))
    assert sorted(told) == ["one@example.org", "three@example.org", "two@example.org"]

    committed(pledge, "four@example.org")  # after it was met: no second announcement
    assert db.session.scalar(select(func.count()).where(OutboxMessage.kind == "pledges.threshold_met")) == 3


def test_the_condition_is_met_once_when_two_confirmations_arrive_together(make_app, make_pledge):
    pledge = make_pledge(threshold=2)
    pending = []
    for email in ("first@example.org", "second@example.org"):
        pending.append(services.commit(pledge, services.CommitmentInput(**(GOOD | {"email": email}))).id)
    db.session.commit()
    app = make_app()
    barrier = threading.Barrier(2)
    failures: list[Exception] = []

    def confirm(commitment_id: int) -> None:
        with app.app_context():
            commitment = db.session.get(Commitment, commitment_id)
            barrier.wait()
            try:
                services.confirm_commitment(commitment, commitment.created_at)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (collected for the assertion)
                failures.append(error)

    threads = [threading.Thread(target=confirm, args=(commitment_id,)) for commitment_id in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    db.session.expire_all()
    assert db.session.get(type(pledge), pledge.id).threshold_met_at is not None
    told = list(
        db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "pledges.threshold_met"))
    )
    assert sorted(told) == ["first@example.org", "second@example.org"]


def test_a_lowered_condition_already_reached_is_announced_on_save(make_pledge):
    pledge = make_pledge(threshold=10)
    committed(pledge, "one@example.org")
    committed(pledge, "two@example.org")
    data = services.PledgeInput(title=pledge.title, kind=pledge.kind, action=pledge.action, threshold=2)
    data.slug, data.status = pledge.slug, PledgeStatus.OPEN
    services.save_pledge(pledge.campaign, data, pledge)
    db.session.commit()
    assert pledge.threshold_met_at is not None
    assert db.session.scalar(select(func.count()).where(OutboxMessage.kind == "pledges.threshold_met")) == 2


def test_bad_pledge_settings_are_refused_and_nothing_is_written(make_campaign, make_forum):
    campaign, elsewhere = make_campaign(), make_campaign()
    foreign_forum = make_forum(campaign=elsewhere)
    base = {"title": "Call the sheriff", "kind": PledgeKind.CONTACT_OFFICIAL, "action": "I will call."}
    with pytest.raises(DomainError) as below_one:
        services.save_pledge(campaign, services.PledgeInput(**base, threshold=0))
    assert below_one.value.field == "threshold" and "at least 1" in below_one.value.message
    with pytest.raises(DomainError) as other_campaign:
        services.save_pledge(campaign, services.PledgeInput(**base, forum_id=foreign_forum.id))
    assert other_campaign.value.field == "forum_id"
    db.session.rollback()
    from campaign.pledges.models import Pledge

    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 0


def test_a_call_pledge_shows_the_official_and_script_after_committing(client, make_pledge, make_official):
    official = make_official(
        name="Dana Kowalski", title="Sheriff", body=Body.SHERIFF, phone="(920) 555-0140", email="sheriff@example.org"
    )
    pledge = make_pledge(
        kind=PledgeKind.CONTACT_OFFICIAL,
        official=official,
        script="Hello, I live in Brown County and I ask you to end the 287(g) agreement.",
    )
    before = client.get(f"/pledges/{pledge.slug}").get_data(as_text=True)
    assert "(920) 555-0140" not in before and "I ask you to end" not in before

    thanks = client.get(commit(client, pledge).headers["Location"]).get_data(as_text=True)
    assert "Dana Kowalski" in thanks and "(920) 555-0140" in thanks and "sheriff@example.org" in thanks
    assert "I ask you to end the 287(g) agreement" in thanks
    [mail] = mails_to("maria@example.org")
    assert "(920) 555-0140" in mail.body_text and "I ask you to end" in mail.body_text


def test_the_public_page_in_spanish(client, make_pledge):
    pledge = make_pledge(title_es="Llenemos la sala", action_es="Asistiré a la reunión.", threshold=5)
    page = client.get(f"/pledges/{pledge.slug}?lang=es").get_data(as_text=True)
    assert "Llenemos la sala" in page and "Asistiré a la reunión." in page
    assert "Me comprometo" in page


def test_commitments_are_shown_by_county(client, make_pledge):
    pledge = make_pledge()
    committed(pledge, "a@example.org", "54301")
    committed(pledge, "b@example.org", "54115")
    committed(pledge, "c@example.org", "53703")  # Madison, Dane County
    progress = fulfilment.report(pledge)
    assert [(row.county.label, row.committed) for row in progress.by_county] == [
        ("Brown County, WI", 2),
        ("Dane County, WI", 1),
    ]
    page = client.get(f"/pledges/{pledge.slug}").get_data(as_text=True)
    assert "Dane County, WI" in page


def test_a_conflicting_status_is_refused_for_pending_commitments(make_pledge, make_user):
    pledge = make_pledge()
    pending = services.commit(pledge, services.CommitmentInput(**GOOD))
    db.session.commit()
    with pytest.raises(Conflict):
        fulfilment.mark_fulfilled(pledge, [pending.id], make_user())
