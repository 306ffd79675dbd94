"""The admins' privacy page: the settings in force, the last purge runs, "run it now"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.jobs.models import Job, JobStatus
from campaign.petitions.models import PetitionStatus, Signature
from campaign.supporters import retention
from campaign.supporters.models import PurgeRun
from tests.supporters.test_erasure import make_person, sign
from tests.supporters.test_retention import closed_petition


def test_admins_see_the_settings_and_what_the_last_run_removed(client, login_as, make_petition):
    sign(closed_petition(make_petition, 13), make_person())
    retention.purge()
    login_as("admin")
    page = client.get("/organize/privacy")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for setting in (
        "RETENTION_MONTHS = 12",
        "IP_HASH_DAYS = 30",
        "OUTBOX_KEEP_BODIES_DAYS = 30",
        "HOUSEHOLD_LIMIT = 3",
    ):
        assert setting in text
    assert "closed for longer than this many months are anonymised" in text
    run = db.session.scalar(select(PurgeRun))
    row = text[text.index(f'id="run-{run.id}"') :]
    row = row[: row.index("</tr>")]
    assert "the schedule or the command line" in row and "Finished" in row
    assert [cell.split("<")[0] for cell in row.split("<td>")[3:6]] == ["1", "0", "0"]  # signatures, commitments, RSVPs
    assert "Run the purge now" in text


@pytest.mark.parametrize("role", ["organizer", "viewer"])
def test_only_admins_see_the_page_or_run_the_purge(client, login_as, role):
    login_as(role)
    assert client.get("/organize/privacy").status_code == 403
    assert client.post("/organize/privacy/purge").status_code == 403
    assert db.session.scalar(select(Job.id)) is None and db.session.scalar(select(PurgeRun.id)) is None


def test_run_now_enqueues_the_purge_and_the_run_appears(client, login_as, make_petition):
    old = closed_petition(make_petition, 13)
    sign(old, make_person())
    admin = login_as("admin")

    response = client.post("/organize/privacy/purge")

    assert response.status_code == 303 and response.headers["Location"].endswith("/organize/privacy")
    job = db.session.scalar(select(Job).where(Job.name == retention.PURGE_JOB))
    assert job.status is JobStatus.SUCCEEDED and job.arguments == {"user_id": admin.id}
    run = db.session.scalar(select(PurgeRun))
    assert run.user_id == admin.id and run.removed["signatures"] == 1
    assert db.session.scalar(select(Signature.first_name)) == "Erased"
    page = client.get("/organize/privacy").get_data(as_text=True)
    assert f'id="run-{run.id}"' in page and "an admin, from this page" in page


def test_run_now_with_a_bad_setting_says_so_and_enqueues_nothing(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "IP_HASH_DAYS", -5)
    login_as("admin")
    response = client.post("/organize/privacy/purge")
    assert response.status_code == 422
    assert "IP_HASH_DAYS must be zero or more, not -5." in response.get_data(as_text=True)
    assert db.session.scalar(select(Job.id)) is None


def test_a_petition_still_open_is_left_alone(client, login_as, make_petition):
    sign(make_petition(status=PetitionStatus.OPEN), make_person())
    login_as("admin")
    client.post("/organize/privacy/purge")
    assert db.session.scalar(select(Signature.first_name)) == "Ana"
