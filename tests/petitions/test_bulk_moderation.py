"""Bulk moderation: preview what a filter matches, invalidate or restore all of it in
batches, exactly those rows, resumable, recorded once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.accounts.models import AuditEvent
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs.models import Job
from campaign.petitions import bulk, counts, moderation
from campaign.petitions.listing import SignatureFilter
from campaign.petitions.models import BulkActionStatus, BulkModeration, Petition, Signature, SignatureStatus

IP_A, IP_B = "a" * 64, "b" * 64
CONFIRMED, PENDING, INVALIDATED = SignatureStatus.CONFIRMED, SignatureStatus.PENDING, SignatureStatus.INVALIDATED


def add(petition, at, ip=IP_A, status=CONFIRMED, times=1, reason=None) -> list[int]:
    rows = [
        Signature(
            petition=petition,
            first_name="Test",
            last_name=f"Signer{number}",
            zip_code="54301",
            county_fips="55009",
            consent_text="[ ] ...",
            status=status,
            created_at=at,
            confirmed_at=None if status is PENDING else at,
            invalidated_at=at if status is INVALIDATED else None,
            invalidated_reason=reason,
            ip_hash=ip,
        )
        for number in range(times)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


@pytest.fixture
def attack(make_petition):
    """A bot's hour on one address, among signatures the action must leave alone."""
    petition, other = make_petition(), make_petition()
    start = utcnow().replace(microsecond=0) - timedelta(hours=2)
    rows = {
        "bot": add(petition, start + timedelta(minutes=10), times=5),
        "bot_pending": add(petition, start + timedelta(minutes=20), status=PENDING),
        "bot_invalidated": add(petition, start + timedelta(minutes=30), status=INVALIDATED, reason="Seen by hand"),
        "same_ip_later": add(petition, start + timedelta(hours=1, minutes=30), times=2),
        "same_ip_before": add(petition, start - timedelta(minutes=1)),
        "other_ip": add(petition, start + timedelta(minutes=10), ip=IP_B, times=2),
        "other_petition": add(other, start + timedelta(minutes=10), times=2),
    }
    counts.refresh_counts(petition.id, force=True)
    counts.refresh_counts(other.id, force=True)
    db.session.commit()
    wanted = SignatureFilter(ip_hash=IP_A, since=start, until=start + timedelta(hours=1))
    return petition, other, rows, wanted


def statuses(ids: list[int]) -> list[SignatureStatus]:
    return list(db.session.scalars(select(Signature.status).where(Signature.id.in_(ids)).order_by(Signature.id)))


def invalidated_times(ids: list[int]) -> dict:
    query = select(Signature.id, Signature.invalidated_at).where(Signature.id.in_(ids))
    return {row_id: at for row_id, at in db.session.execute(query)}


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def url(petition, wanted: SignatureFilter) -> str:
    query = "&".join(f"{key}={value}" for key, value in wanted.to_args().items())
    return f"/organize/petitions/{petition.slug}/signatures/bulk?{query}"


def test_invalidate_then_restore_exactly_the_filtered_rows(client, login_as, attack):
    petition, other, rows, wanted = attack
    user = login_as("organizer")
    listed = client.get(f"/organize/petitions/{petition.slug}/signatures", query_string=wanted.to_args())
    assert "Act on all 7 matching signatures" in listed.get_data(as_text=True)

    preview = client.get(url(petition, wanted))
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "6 matching signatures can be invalidated." in text
    assert "1 matching signature is invalidated and can be restored." in text
    assert "IP hash: " + IP_A[:12] in text

    done = client.post(url(petition, wanted), data={"action": "invalidate", "reason": "Bot, one address"})
    assert done.status_code == 303
    record = db.session.scalar(select(BulkModeration))
    assert done.headers["Location"].endswith(f"/signatures/bulk/{record.id}")
    assert (record.status, record.matched, record.touched, record.user_id) == (BulkActionStatus.DONE, 6, 6, user.id)
    assert record.filter == wanted.to_args()

    touched = rows["bot"] + rows["bot_pending"]
    assert statuses(touched) == [INVALIDATED] * 6
    reasons = set(db.session.scalars(select(Signature.invalidated_reason).where(Signature.id.in_(touched))))
    assert reasons == {"Bot, one address"}
    by = set(db.session.scalars(select(Signature.invalidated_by_id).where(Signature.id.in_(touched))))
    assert by == {user.id}
    kept = db.session.get(Signature, rows["bot_invalidated"][0])
    assert kept.invalidated_reason == "Seen by hand", "an invalidated row keeps its reason"
    untouched = rows["same_ip_later"] + rows["same_ip_before"] + rows["other_ip"] + rows["other_petition"]
    assert statuses(untouched) == [CONFIRMED] * 7

    db.session.expire_all()
    assert db.session.get(Petition, petition.id).confirmed_count == 5, "10 confirmed, 5 invalidated"
    assert db.session.get(Petition, other.id).confirmed_count == 2
    [event] = events("signatures_bulk_invalidate")
    assert event.user_id == user.id
    assert event.details == {"petition": petition.slug, "filter": wanted.to_args(), "touched": 6, "bulk": record.id}

    status_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Done" in status_page and "Bot, one address" in status_page
    assert "Recent actions on all matching signatures" in client.get(
        f"/organize/petitions/{petition.slug}/signatures"
    ).get_data(as_text=True)

    restored = client.post(url(petition, wanted), data={"action": "restore"})
    assert restored.status_code == 303
    assert statuses(rows["bot"] + rows["bot_invalidated"]) == [CONFIRMED] * 6
    assert statuses(rows["bot_pending"]) == [PENDING], "never confirmed: back to pending"
    cleared = db.session.scalars(select(Signature.invalidated_reason).where(Signature.petition_id == petition.id))
    assert set(cleared) == {None}
    assert statuses(untouched) == [CONFIRMED] * 7
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).confirmed_count == 11
    [event] = events("signatures_bulk_restore")
    assert event.details["touched"] == 7


def test_a_crash_mid_way_resumes_after_the_last_batch(attack, make_user, monkeypatch):
    petition, _other, rows, wanted = attack
    user = make_user()
    record = BulkModeration(
        petition_id=petition.id, user_id=user.id, action="invalidate", reason="Bot", filter=wanted.to_args(), matched=6
    )
    db.session.add(record)
    db.session.commit()

    real_changes, calls = bulk._changes, []

    def crash_on_the_second_batch(row):
        calls.append(row.id)
        if len(calls) == 2:
            raise RuntimeError("the worker was killed")
        return real_changes(row)

    monkeypatch.setattr(bulk, "_changes", crash_on_the_second_batch)
    with pytest.raises(RuntimeError):
        bulk.apply_bulk(record.id, batch_size=4)
    db.session.rollback()
    db.session.expire_all()
    record = db.session.get(BulkModeration, record.id)
    first_batch = sorted(rows["bot"] + rows["bot_pending"])[:4]
    assert (record.status, record.touched, record.last_id) == (BulkActionStatus.RUNNING, 4, first_batch[-1])
    when = invalidated_times(first_batch)

    monkeypatch.setattr(bulk, "_changes", real_changes)
    bulk.apply_bulk(record.id, batch_size=4)
    db.session.expire_all()
    record = db.session.get(BulkModeration, record.id)
    assert (record.status, record.touched) == (BulkActionStatus.DONE, 6)
    assert statuses(rows["bot"] + rows["bot_pending"]) == [INVALIDATED] * 6
    again = invalidated_times(first_batch)
    assert again == when, "the first batch was not touched twice"
    bulk.apply_bulk(record.id, batch_size=4)  # a late retry of a finished job changes nothing
    assert len(events("signatures_bulk_invalidate")) == 1
    assert db.session.get(Petition, petition.id).confirmed_count == 5


def test_a_filter_that_matches_nothing_writes_nothing(client, login_as, attack):
    petition, _other, _rows, wanted = attack
    login_as("organizer")
    nobody = SignatureFilter(ip_hash="f" * 64, since=wanted.since, until=wanted.until)
    answer = client.post(url(petition, nobody), data={"action": "invalidate", "reason": "Bot"})
    assert answer.status_code == 422
    assert "No signature this filter matches can be invalidated." in answer.get_data(as_text=True)
    confirmed_only = SignatureFilter(ip_hash=IP_B, status=INVALIDATED)
    answer = client.post(url(petition, confirmed_only), data={"action": "restore"})
    assert answer.status_code == 422 and "nothing to restore" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BulkModeration)) == 0
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.name == bulk.BULK_JOB)) == 0


@pytest.mark.parametrize("query", ["", "status=confirmed"])
def test_the_whole_petition_is_refused(client, login_as, attack, query):
    petition, _other, rows, _wanted = attack
    login_as("organizer")
    address = f"/organize/petitions/{petition.slug}/signatures/bulk?{query}"
    assert "This filter is the whole petition" in client.get(address).get_data(as_text=True)
    answer = client.post(address, data={"action": "invalidate", "reason": "Everything"})
    assert answer.status_code == 422 and "Narrow the list first" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BulkModeration)) == 0
    assert statuses(rows["bot"]) == [CONFIRMED] * 5


def test_a_reason_is_needed_to_invalidate(client, login_as, attack):
    petition, _other, rows, wanted = attack
    login_as("organizer")
    answer = client.post(url(petition, wanted), data={"action": "invalidate", "reason": "  "})
    assert answer.status_code == 422 and "Give the reason" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BulkModeration)) == 0


def test_a_viewer_sees_the_status_but_cannot_act(client, login_as, attack):
    petition, _other, rows, wanted = attack
    assert client.get(url(petition, wanted)).status_code == 302  # to the login page
    login_as("viewer")
    assert client.get(url(petition, wanted)).status_code == 403
    assert client.post(url(petition, wanted), data={"action": "invalidate", "reason": "Bot"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(BulkModeration)) == 0
    assert statuses(rows["bot"]) == [CONFIRMED] * 5
    listed = client.get(f"/organize/petitions/{petition.slug}/signatures", query_string=wanted.to_args())
    assert "matching signatures" not in listed.get_data(as_text=True)
    assert client.get(f"/organize/petitions/{petition.slug}/signatures/bulk/999").status_code == 404


@pytest.mark.parametrize("bad", ["since=yesterday", "until=2026-13-01T00:00:00", "since=" + "9" * 100])
def test_a_time_that_cannot_be_read_is_refused_not_dropped(client, login_as, attack, bad):
    petition, _other, _rows, _wanted = attack
    login_as("organizer")
    answer = client.get(f"/organize/petitions/{petition.slug}/signatures/bulk?ip={IP_A}&{bad}")
    assert answer.status_code == 422 and "2026-05-01T18:30:00" in answer.get_data(as_text=True)
    listed = client.get(f"/organize/petitions/{petition.slug}/signatures?{bad}")
    assert listed.status_code == 422


def test_the_filter_reads_back_what_it_writes_and_ignores_what_cannot_be(app):
    wanted = SignatureFilter.from_args(
        {"ip": IP_A.upper(), "domain": " Bots.Example ", "mailbox": "12", "since": "2026-05-01T12:00:00+02:00"}
    )
    assert wanted.to_args() == {
        "ip": IP_A,
        "domain": "bots.example",
        "mailbox": "12",
        "since": "2026-05-01T10:00:00",
    }
    assert SignatureFilter.from_args(wanted.to_args()) == wanted
    ignored = SignatureFilter.from_args({"ip": "abc", "domain": "<script>", "mailbox": "x1"})
    assert not ignored.active


def test_ticked_rows_are_audited_once_per_action(attack, make_user):
    petition, _other, rows, _wanted = attack
    user = make_user()
    assert moderation.invalidate_many(petition, rows["bot"], "Spam", user) == 5
    assert moderation.restore_many(petition, rows["bot"][:2], user) == 2
    db.session.commit()
    [invalidated] = events("signatures_invalidated")
    [restored] = events("signatures_restored")
    assert invalidated.details == {"petition": petition.slug, "count": 5} and invalidated.user_id == user.id
    assert restored.details == {"petition": petition.slug, "count": 2}


@pytest.mark.parametrize("query", ["since=2000-01-01T00:00:00", "until=2999-12-31T00:00:00", "county=55009"])
def test_a_filter_that_leaves_nothing_out_is_the_whole_petition_too(client, login_as, attack, query):
    petition, _other, rows, _wanted = attack
    login_as("organizer")
    answer = client.post(
        f"/organize/petitions/{petition.slug}/signatures/bulk?{query}", data={"action": "invalidate", "reason": "All"}
    )
    assert answer.status_code == 422 and "Narrow the list first" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BulkModeration)) == 0
    assert statuses(rows["bot"]) == [CONFIRMED] * 5


@pytest.mark.parametrize(
    "query",
    [
        "since=0001-01-01T00:00:00%2B01:00",
        "until=9999-12-31T23:59:59-01:00",
        "since=0999-01-01T00:00:00",
        "since=1999-12-31T23:59:59",
    ],
)
@pytest.mark.parametrize("page", ["signatures", "signatures/bulk"])
def test_a_time_no_signature_can_have_is_refused_not_a_500(client, login_as, attack, query, page):
    petition, _other, _rows, _wanted = attack
    login_as("organizer")
    answer = client.get(f"/organize/petitions/{petition.slug}/{page}?{query}")
    assert answer.status_code == 422 and "Give a time like" in answer.get_data(as_text=True)
    answer = client.post(f"/organize/petitions/{petition.slug}/signatures/bulk?{query}", data={"action": "restore"})
    assert answer.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(BulkModeration)) == 0
