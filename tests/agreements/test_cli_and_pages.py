"""`flask agreements import` and the organizer pages: the dry run writes nothing, the apply
applies the file previewed, viewers read but do not import, local facts and agreements."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from campaign.agreements.models import Agreement, AgreementImport, AgreementSource, AgreementStatus
from campaign.extensions import db
from tests.agreements.files import FIRST, csv_bytes, xlsx_bytes


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_cli_dry_run_then_import(app, runner, tmp_path):
    path = tmp_path / "participatingAgencies.xlsx"
    path.write_bytes(xlsx_bytes(FIRST))

    dry = runner.invoke(args=["agreements", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "7 agreement(s) read: 7 would be added, 0 changed, 0 gone" in dry.output
    assert 'line 9: Unknown state "NARNIA": line skipped.' in dry.output
    assert "Dry run: nothing was written." in dry.output
    assert count(Agreement) == count(AgreementImport) == 0

    applied = runner.invoke(args=["agreements", "import", str(path)])
    assert applied.exit_code == 0, applied.output
    assert "added: WI  Brown County Sheriff's Office  (Warrant Service Officer model)" in applied.output
    assert count(Agreement) == 7 and count(AgreementImport) == 1


def test_cli_refuses_in_one_line(app, runner, tmp_path):
    app.config["AGREEMENTS_IMPORT_MAX_BYTES"] = 1024 * 1024
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (50 * 1024 * 1024))  # 50 MB: refused from its size, never read
    fake = tmp_path / "fake.xlsx"
    fake.write_text("STATE,COUNTY\n")
    for path, message in ((big, "larger than 1 MB"), (fake, "This .xlsx file is not an Excel workbook.")):
        result = runner.invoke(args=["agreements", "import", str(path)])
        assert result.exit_code != 0 and message in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert count(AgreementImport) == 0


def upload(client, data: bytes, name: str):
    return client.post(
        "/organize/agreements/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_organizer_previews_then_applies_the_file_previewed(app, client, login_as):
    login_as("organizer")
    preview = upload(client, csv_bytes(FIRST), "participatingAgencies.csv")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Apply this import" in page
    assert "Applying this file would add 7, change 0" in page
    assert "Line 9: Unknown state" in page
    assert count(Agreement) == count(AgreementImport) == 0  # the dry run wrote nothing

    sha = re.search(r'name="sha256" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    assert client.post("/organize/agreements/import/apply", data={"sha256": "0" * 64}).status_code == 303
    assert count(Agreement) == 0  # only the file this organizer previewed can be applied

    applied = client.post("/organize/agreements/import/apply", data={"sha256": sha})
    assert applied.status_code == 303
    record = db.session.scalar(select(AgreementImport))
    assert applied.headers["Location"].endswith(f"/organize/agreements/imports/{record.id}")
    assert count(Agreement) == 7 and record.file_name == "participatingAgencies.csv"
    report = client.get(applied.headers["Location"]).get_data(as_text=True)
    assert "Brown County Sheriff&#39;s Office" in report and "Line 13: Unreadable date" in report
    # The same preview cannot be applied twice.
    assert client.post("/organize/agreements/import/apply", data={"sha256": sha}).status_code == 303
    assert count(AgreementImport) == 1


def test_a_bad_file_is_refused_beside_the_field(app, client, login_as):
    login_as("organizer")
    app.config["AGREEMENTS_IMPORT_MAX_BYTES"] = 1024 * 1024
    for data, name, message in (
        (b"STATE,COUNTY\nWI,Brown\n", "list.xlsx", "This .xlsx file is not an Excel workbook."),
        (b"x" * (2 * 1024 * 1024), "big.csv", "larger than 1 MB"),
        (csv_bytes([], header=["STATE", "COUNTY"]), "list.csv", "LAW ENFORCEMENT AGENCY, TYPE, SUPPORT TYPE, SIGNED"),
    ):
        response = upload(client, data, name)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(AgreementImport) == 0


def test_viewers_read_but_cannot_import_or_record(app, client, login_as):
    login_as("organizer")
    upload(client, csv_bytes(FIRST), "first.csv")
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    login_as("viewer")
    assert upload(client, csv_bytes(FIRST), "first.csv").status_code == 403
    assert client.post("/organize/agreements/import/apply", data={"sha256": "0" * 64}).status_code == 403
    assert client.get("/organize/agreements/").status_code == 200
    assert client.get("/organize/agreements/imports").status_code == 200
    assert count(Agreement) == 0


def test_local_facts_and_local_agreements_from_the_pages(app, client, login_as, runner, tmp_path):
    path = tmp_path / "first.csv"
    path.write_bytes(csv_bytes(FIRST))
    runner.invoke(args=["agreements", "import", str(path)])
    brown = db.session.scalar(select(Agreement).where(Agreement.state == "WI"))
    login_as("organizer")

    listed = client.get("/organize/agreements/?state=WI&status=active").get_data(as_text=True)
    assert "Brown County Sheriff&#39;s Office" in listed and "Alachua" not in listed
    response = client.post(
        f"/organize/agreements/{brown.id}/fact",
        data={
            "status": "rescinded",
            "status_on": "2025-06-01",
            "note": "The sheriff ended it.",
            "source_url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 422 and "https://" in response.get_data(as_text=True)
    response = client.post(
        f"/organize/agreements/{brown.id}/fact",
        data={"status": "rescinded", "status_on": "2025-06-01", "note": "The sheriff ended it."},
    )
    assert response.status_code == 303
    page = client.get(f"/organize/agreements/{brown.id}").get_data(as_text=True)
    assert "Local fact recorded" in page and "Added from ICE's list" in page and "Active → Rescinded" in page
    assert db.session.get(Agreement, brown.id).status is AgreementStatus.RESCINDED

    palmyra = {
        "agency": "Palmyra Police Department",
        "agency_type": "Municipality",
        "state": "WI",
        "county": "Jefferson",
        "model": "tfm",
        "status": "declined",
        "note": "The village board said no.",
    }
    refused = client.post("/organize/agreements/new", data={**palmyra, "county": "Atlantis"})
    assert refused.status_code == 422 and "There is no county" in refused.get_data(as_text=True)
    assert client.post("/organize/agreements/new", data=palmyra).status_code == 303
    local = db.session.scalar(select(Agreement).where(Agreement.agency == "Palmyra Police Department"))
    assert (local.county_fips, local.source, local.status) == ("55055", AgreementSource.LOCAL, AgreementStatus.DECLINED)
    again = client.post("/organize/agreements/new", data=palmyra)
    assert again.status_code == 409 and count(Agreement) == 8
