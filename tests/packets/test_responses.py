"""Officials' responses to delivered packets: recorded against the delivery, shown on the
packet's pages, and turned into a follow-up draft for the signers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.accounts.models import Role
from campaign.broadcasts.models import Broadcast, BroadcastOrigin, BroadcastStatus
from campaign.core.errors import DomainError
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.officials import signals as official_signals
from campaign.packets import deliveries
from campaign.packets.models import DeliveryMethod, Packet, PacketStatus, Response
from tests.officials.statements import statements

TODAY = utcnow().date()


@pytest.fixture
def organizer(make_user):
    return make_user(Role.ORGANIZER, email="lead@example.org")


@pytest.fixture
def sheriff(make_official):
    return make_official(name="Dana Kowalski", title="Sheriff")


def _packet(petition, public_id: str = "ABCDE-23456", status: PacketStatus = PacketStatus.READY) -> Packet:
    packet = Packet(
        public_id=public_id,
        petition=petition,
        status=status,
        signature_count=1204,
        page_count=31,
        sha256="0" * 64,
        built_at=utcnow() - timedelta(days=3),
        county_counts=[["Brown County, WI", 1204]],
    )
    db.session.add(packet)
    db.session.commit()
    return packet


def _deliver(packet, organizer, official=None, days_ago: int = 2, **fields):
    delivery = deliveries.record_delivery(
        packet,
        deliveries.DeliveryInput(
            recipient=fields.pop("recipient", ""),
            official_id=official.id if official else None,
            method=DeliveryMethod.AT_MEETING,
            delivered_at=utcnow() - timedelta(days=days_ago),
            **fields,
        ),
        organizer,
    )
    db.session.commit()
    return delivery


def _respond(delivery, organizer, text="We will review the agreement.", responded_on=TODAY, document_url=None):
    data = deliveries.ResponseInput(responded_on=responded_on, text=text, document_url=document_url)
    response = deliveries.record_response(delivery, data, organizer)
    db.session.commit()
    return response


def _response_drafts() -> list[Broadcast]:
    query = select(Broadcast).where(Broadcast.origin == BroadcastOrigin.OFFICIAL_RESPONSE).order_by(Broadcast.id)
    return list(db.session.scalars(query))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_each_response_leaves_one_draft_quoting_it(app, make_petition, organizer, sheriff):
    petition = make_petition()
    delivery = _deliver(_packet(petition), organizer, sheriff)
    first = _respond(delivery, organizer, "We will review the agreement.\nA decision comes in March.")

    (draft,) = _response_drafts()
    assert draft.status is BroadcastStatus.DRAFT and draft.created_by_id == organizer.id
    assert draft.audience == {"action": f"petition:{petition.slug}"}
    assert "Dana Kowalski" in draft.subject_en and draft.subject_es
    assert "> We will review the agreement.\n> A decision comes in March." in draft.body_en
    assert "> We will review the agreement." in draft.body_es

    # The same response announced again (a retried request) adds nothing.
    official_signals.responded.send(
        first,
        petition_id=petition.id,
        official_name="Dana Kowalski",
        response="We will review the agreement.",
        key=f"response:{first.id}",
        user_id=organizer.id,
    )
    db.session.commit()
    assert len(_response_drafts()) == 1

    _respond(delivery, organizer, text=None, document_url="https://sheriff.example.org/letter.pdf")
    drafts = _response_drafts()
    assert len(drafts) == 2 and "> https://sheriff.example.org/letter.pdf" in drafts[1].body_en
    assert [response.official_id for response in delivery.responses] == [sheriff.id, sheriff.id]


def test_a_response_typed_with_the_delivery_is_its_first_response(app, make_petition, organizer, sheriff):
    delivery = _deliver(
        _packet(make_petition()), organizer, sheriff, days_ago=1, response="Referred to the Public Safety Committee"
    )
    (response,) = delivery.responses
    assert response.text == "Referred to the Public Safety Committee"
    assert response.responded_on == delivery.delivered_at.date() and response.recorded_by_id == organizer.id
    assert len(_response_drafts()) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "   ", "document_url": None}, "text", "Write the response or link to it."),
        ({"responded_on": TODAY + timedelta(days=1)}, "responded_on", "cannot be in the future"),
        ({"responded_on": TODAY - timedelta(days=30)}, "responded_on", "cannot come before the delivery"),
        ({"document_url": "javascript:alert(1)"}, "document_url", "https://"),
    ],
)
def test_a_bad_response_is_refused_and_nothing_is_written(
    app, make_petition, organizer, sheriff, fields, field, message
):
    delivery = _deliver(_packet(make_petition()), organizer, sheriff)
    with pytest.raises(DomainError) as refused:
        _respond(delivery, organizer, **fields)
    assert refused.value.field == field and message in refused.value.message
    db.session.rollback()
    assert _count(Response) == 0 and _response_drafts() == []


def test_the_packet_page_records_and_lists_responses(client, login_as, make_petition, sheriff):
    user = login_as("organizer")
    packet = _packet(make_petition(targets=[sheriff]))
    delivery = _deliver(packet, user, sheriff)
    page = client.get(f"/organize/packets/{packet.public_id}").get_data(as_text=True)
    assert "Addressed to:" in page and f'href="/organize/officials/{sheriff.id}"' in page
    url = f"/organize/packets/{packet.public_id}/deliveries/{delivery.id}/responses"
    assert f'action="{url}"' in page

    prefix = f"response-{delivery.id}-"
    refused = client.post(url, data={f"{prefix}responded_on": TODAY.isoformat(), f"{prefix}text": ""})
    assert refused.status_code == 422
    assert f'id="{prefix}text-error"' in refused.get_data(as_text=True)
    assert _count(Response) == 0

    recorded = client.post(
        url,
        data={
            f"{prefix}responded_on": TODAY.isoformat(),
            f"{prefix}text": "The Sheriff will meet the committee.",
            f"{prefix}document_url": "https://sheriff.example.org/reply.pdf",
        },
    )
    assert recorded.status_code == 303
    page = client.get(f"/organize/packets/{packet.public_id}").get_data(as_text=True)
    assert "The Sheriff will meet the committee." in page and 'href="https://sheriff.example.org/reply.pdf"' in page
    assert len(_response_drafts()) == 1


def test_only_organizers_record_responses_and_only_on_the_packets_deliveries(
    client, login_as, make_petition, make_user, sheriff
):
    petition = make_petition()
    packet, other = _packet(petition), _packet(petition, public_id="ZZZZZ-22222")
    delivery = _deliver(packet, make_user(), sheriff)
    data = {f"response-{delivery.id}-responded_on": TODAY.isoformat(), f"response-{delivery.id}-text": "Yes."}
    login_as("viewer")
    assert (
        client.post(f"/organize/packets/{packet.public_id}/deliveries/{delivery.id}/responses", data=data).status_code
        == 403
    )
    login_as("organizer")
    assert (
        client.post(f"/organize/packets/{other.public_id}/deliveries/{delivery.id}/responses", data=data).status_code
        == 404
    )
    assert _count(Response) == 0


def test_the_public_verification_page_shows_deliveries_and_responses_only(client, make_petition, organizer, sheriff):
    packet = _packet(make_petition())
    delivery = _deliver(packet, organizer, sheriff, days_ago=5, notes="Handed over by Ana after public comment")
    _respond(delivery, organizer, "Referred to the committee.", responded_on=TODAY - timedelta(days=1))
    _respond(delivery, organizer, text=None, document_url="https://sheriff.example.org/letter.pdf")

    page = client.get(f"/packets/verify/{packet.public_id}").get_data(as_text=True)
    delivered = delivery.delivered_at.date().isoformat()
    assert f"Delivered to Dana Kowalski, Sheriff on {delivered}" in page
    assert page.index((TODAY - timedelta(days=1)).isoformat()) < page.index("Referred to the committee.")
    assert 'href="https://sheriff.example.org/letter.pdf"' in page
    assert "lead@example.org" not in page and "Handed over by Ana" not in page


def test_deliveries_to_officials_come_newest_first_with_their_packets_and_responses_in_two_queries(
    app, make_petition, organizer, sheriff, make_official
):
    chair = make_official(name="Robert Vang", title="Chair, County Board")
    petition = make_petition()
    packet = _packet(petition)
    first = _deliver(packet, organizer, sheriff, days_ago=9)
    second = _deliver(packet, organizer, sheriff, days_ago=2)
    _respond(first, organizer, "No.", responded_on=TODAY - timedelta(days=8))
    _respond(first, organizer, "Still no.")
    _deliver(packet, organizer, recipient="The county clerk")  # to no official listed
    _deliver(_packet(petition, "FFFFF-33333", PacketStatus.FAILED), organizer, chair)  # no public page
    ids = [sheriff.id, chair.id]
    db.session.expire_all()

    with statements() as run:
        found = deliveries.deliveries_to(ids)
        seen = {
            official_id: [
                (delivery.id, delivery.packet.public_id, [response.text for response in delivery.responses])
                for delivery in deliveries
            ]
            for official_id, deliveries in found.items()
        }
    assert len(run) == 2  # the deliveries with their packets and petitions, then the responses
    assert seen == {
        sheriff.id: [(second.id, "ABCDE-23456", []), (first.id, "ABCDE-23456", ["No.", "Still no."])],
    }
    assert deliveries.deliveries_to([]) == {}
