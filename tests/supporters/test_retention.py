"""The retention purge: what has aged out is anonymised or cleared; counts by county stay."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from pypdf import PdfReader
from sqlalchemy import select, update

from campaign.accounts.models import AuditEvent
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums.models import RSVP
from campaign.outbox.models import MessageStatus, OutboxMessage
from campaign.packets import services as packets
from campaign.people.models import Person
from campaign.petitions.models import PetitionStatus, Signature
from campaign.pledges.models import Commitment, Pledge, PledgeStatus
from campaign.supporters import retention
from campaign.supporters.models import PurgeRun
from tests.supporters.test_erasure import commit_to, count_rows, mail, make_person, rsvp_to, sign


def closed_petition(make_petition, months_ago: int, **fields):
    petition = make_petition(status=PetitionStatus.CLOSED, **fields)
    petition.closed_at = utcnow() - relativedelta(months=months_ago)
    db.session.commit()
    return petition


@pytest.fixture
def world(make_petition, make_pledge):
    """Ana signed only a petition closed 13 months ago; Carla signed it too and committed to
    an open pledge; Dan signed one closed 11 months ago; Eve signed an open one."""
    old = closed_petition(make_petition, 13, title="Old petition")
    recent = closed_petition(make_petition, 11, title="Recent petition")
    current = make_petition(title="Open petition")
    people = {
        name: make_person(name, "Tester", f"{name.lower()}@example.org") for name in ("Ana", "Carla", "Dan", "Eve")
    }
    sign(old, people["Ana"], fips="55009")
    sign(old, people["Carla"], fips="55087")
    sign(old, None, fips="55009")  # on paper, without an email: anonymised all the same
    sign(recent, people["Dan"])
    sign(current, people["Eve"])
    commit_to(make_pledge(), people["Carla"])
    return {"old": old, "recent": recent, "current": current, **people}


def names_on(petition) -> list[str]:
    query = select(Signature.first_name).where(Signature.petition_id == petition.id).order_by(Signature.id)
    return list(db.session.scalars(query))


def test_signers_of_petitions_closed_past_retention_are_anonymised_and_still_counted(world, make_user):
    old = world["old"]
    before = count_rows(old)
    ana_mail = mail("ana@example.org", MessageStatus.PENDING).id
    admin = make_user("admin")

    run = retention.purge(user=admin)

    assert names_on(old) == ["Erased", "Erased", "Erased"]
    assert names_on(world["recent"]) == ["Dan"]
    assert names_on(world["current"]) == ["Eve"]
    for signature in db.session.scalars(select(Signature).where(Signature.petition_id == old.id)):
        assert signature.street_address is None and signature.phone is None and signature.anonymised_at is not None
    assert count_rows(old) == before

    ana, carla = db.session.get(Person, world["Ana"].id), db.session.get(Person, world["Carla"].id)
    assert (ana.first_name, ana.email, ana.erased_at is not None) == ("Erased", None, True)
    # Carla's commitment to an open pledge still needs her: her record stays.
    assert (carla.first_name, carla.email, carla.erased_at) == ("Carla", "carla@example.org", None)
    assert db.session.get(Person, world["Dan"].id).erased_at is None
    assert db.session.get(OutboxMessage, ana_mail) is None

    stored = db.session.get(PurgeRun, run.id)
    assert stored.user_id == admin.id and stored.finished_at is not None and stored.error is None
    assert stored.removed["signatures"] == 3 and stored.removed["people"] == 1
    assert stored.settings == {"RETENTION_MONTHS": 12, "IP_HASH_DAYS": 30, "OUTBOX_KEEP_BODIES_DAYS": 30}
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy_purge"))
    assert event.user_id == admin.id
    assert event.details["signatures"] == 3 and event.details["people"] == 1

    again = retention.purge()  # nothing left to do: the next run finds it done
    assert again.removed["signatures"] == 0 and again.removed["people"] == 0


def test_address_hashes_older_than_the_window_are_cleared_and_newer_kept(make_petition):
    petition = make_petition()
    old = sign(petition, make_person("Old", "Hash", "old@example.org"), created_at=utcnow() - timedelta(days=31))
    new = sign(petition, make_person("New", "Hash", "new@example.org"), created_at=utcnow() - timedelta(days=29))
    db.session.add_all(
        [
            AuditEvent(action="login", details={}, ip_hash="a" * 64, created_at=utcnow() - timedelta(days=31)),
            AuditEvent(action="login", details={}, ip_hash="b" * 64, created_at=utcnow() - timedelta(days=1)),
        ]
    )
    db.session.commit()

    run = retention.purge()

    assert db.session.get(Signature, old.id).ip_hash is None
    assert db.session.get(Signature, new.id).ip_hash == "f" * 64
    assert db.session.get(Signature, new.id).first_name == "New"  # an open petition keeps its names
    hashes = db.session.scalars(select(AuditEvent.ip_hash).where(AuditEvent.action == "login")).all()
    assert sorted(hashes, key=str) == [None, "b" * 64]
    assert (run.removed["ip_hashes"], run.removed["login_ips"]) == (1, 1)


def test_sent_mail_bodies_past_their_time_are_emptied(app):
    message = mail("someone@example.org", MessageStatus.SENT)
    message.sent_at = utcnow() - timedelta(days=31)
    db.session.commit()
    run = retention.purge()
    assert run.removed["mail_bodies"] == 1
    assert db.session.get(OutboxMessage, message.id).body_text == ""


def test_the_command_prints_one_line_per_kind(runner, world):
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "signatures: 3" in lines and "people: 1" in lines
    for kind in ("commitments", "rsvps", "ip_hashes", "login_ips", "mail_bodies"):
        assert any(line.startswith(f"{kind}: ") for line in lines), kind
    assert db.session.scalar(select(PurgeRun.user_id)) is None


def test_the_command_refuses_a_negative_setting_in_one_line_and_writes_nothing(app, runner, world, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", -1)
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: RETENTION_MONTHS must be zero or more, not -1."
    assert names_on(world["old"]) == ["Ana", "Carla", "Paper"]
    assert db.session.scalar(select(PurgeRun.id)) is None


def test_a_failure_is_recorded_on_the_run_and_reported_in_one_line(runner, world, monkeypatch):
    def broken(_cutoff):
        raise RuntimeError("database went away\nsecond line")

    monkeypatch.setattr(retention.petition_retention, "purge_ip_hashes", broken)
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: The purge stopped: RuntimeError: database went away"
    run = db.session.scalar(select(PurgeRun))
    assert run.error.startswith("RuntimeError: database went away") and run.finished_at is not None
    # The batches committed before the failure stay done: the next run carries on from there.
    assert names_on(world["old"]) == ["Erased", "Erased", "Erased"]


def test_commitments_to_long_closed_pledges_and_rsvps_to_long_past_forums_go_too(make_pledge, make_forum):
    long_ago = utcnow() - relativedelta(months=13)
    closed = make_pledge(status=PledgeStatus.CLOSED)
    still_open = make_pledge()
    past = make_forum(starts_at=long_ago - timedelta(hours=2), ends_at=long_ago)
    db.session.execute(update(Pledge).where(Pledge.id == closed.id).values(updated_at=long_ago))
    fay, gus = make_person("Fay", "Tester", "fay@example.org"), make_person("Gus", "Tester", "gus@example.org")
    commit_to(closed, fay)
    rsvp_to(past, fay)
    commit_to(still_open, gus)

    run = retention.purge()

    assert (run.removed["commitments"], run.removed["rsvps"], run.removed["people"]) == (1, 1, 1)
    names = dict(db.session.execute(select(Commitment.pledge_id, Commitment.first_name)).all())
    assert names == {closed.id: "Erased", still_open.id: "Gus"}
    assert db.session.scalar(select(RSVP.first_name)) == "Erased"
    assert db.session.get(Person, fay.id).erased_at is not None
    assert db.session.get(Person, gus.id).erased_at is None


def test_a_packet_built_after_the_purge_counts_the_signers_without_their_names(world):
    retention.purge()
    packet = packets.request_packet(world["old"], packets.PacketRequest(county_fips=[]))
    packets.build(packet)
    db.session.commit()
    data = (packets.packet_dir() / packet.file_name).read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", " ")
    assert "Ana" not in text and "Carla" not in text and "Erased" not in text
    assert "Confirmed signatures: 3" in text
    assert "3 signatures are counted without a name" in text
