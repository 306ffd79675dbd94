"""Paper signatures: typed in one by one, or imported from CSV, de-duplicated against online ones."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from campaign.core.errors import Conflict, DomainError
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.people import pending
from campaign.petitions import moderation, paper, paper_import, services
from campaign.petitions.models import (
    ImportStatus,
    PaperImport,
    PaperImportRow,
    PetitionStatus,
    RowOutcome,
    Signature,
    SignatureSource,
    SignatureStatus,
)

ANA = {"first_name": "Ana", "last_name": "Núñez", "zip_code": "54301"}


def add(petition, **fields) -> paper.PaperResult:
    result = paper.add_paper_signature(petition, paper.PaperSignatureInput(**(ANA | fields)))
    db.session.commit()
    return result


def sign_online(petition, confirm: bool = True, **fields) -> Signature:
    values = {"first_name": "Ana", "last_name": "Núñez", "email": "ana@example.org", "zip_code": "54301"} | fields
    signature = services.sign(petition, services.SignatureInput(**values))
    if confirm:
        services.confirm(petition, pending.first_link(services.CONFIRMATION, signature))
    db.session.commit()
    return signature


def signatures(petition) -> list[Signature]:
    return list(db.session.scalars(select(Signature).where(Signature.petition_id == petition.id)))


def test_a_paper_signature_counts_at_once(make_petition, make_forum):
    petition = make_petition()
    forum = make_forum(campaign=petition.campaign)
    result = paper.add_paper_signature(
        petition,
        paper.PaperSignatureInput(**ANA, sheet_number=3),
        forum_id=forum.id,
        default_signed_at=forum.starts_at - timedelta(days=14),
    )
    db.session.commit()
    signature = result.signature
    assert result.outcome is RowOutcome.ACCEPTED and "Ana N." in result.message
    assert signature.status is SignatureStatus.CONFIRMED and signature.source is SignatureSource.PAPER
    assert (signature.forum_id, signature.sheet_number, signature.person_id) == (forum.id, 3, None)
    assert signature.created_at == forum.starts_at - timedelta(days=14)  # the day it was signed
    assert signature.county_fips == "55009" and not signature.show_publicly


def test_same_email_as_a_confirmed_online_signature_is_merged(make_petition):
    petition = make_petition()
    online = sign_online(petition)
    result = add(petition, email="Ana+forum@Example.org", first_name="Anita", zip_code="54302")
    assert result.outcome is RowOutcome.MERGED and result.signature.id == online.id
    assert "same email" in result.message
    assert len(signatures(petition)) == 1 and online.source is SignatureSource.ONLINE


def test_another_name_on_the_mailbox_at_its_zip_code_is_a_household_member(make_petition):
    petition = make_petition()
    online = sign_online(petition)
    result = add(petition, email="ana@example.org", first_name="Rosa")
    assert result.outcome is RowOutcome.ACCEPTED and result.signature.id != online.id
    assert result.signature.person_id not in (None, online.person_id)
    assert len(signatures(petition)) == 2


def test_paper_confirms_an_online_signature_waiting_for_its_email(make_petition):
    petition = make_petition()
    online = sign_online(petition, confirm=False)
    result = add(petition, email="ana@example.org", sheet_number=2)
    assert result.outcome is RowOutcome.MERGED and "waiting for its email confirmation" in result.message
    assert online.status is SignatureStatus.CONFIRMED and online.source is SignatureSource.PAPER
    assert online.sheet_number == 2


def test_same_name_and_zip_without_email_is_merged(make_petition):
    petition = make_petition()
    online = sign_online(petition)
    result = add(petition, first_name="ana", last_name="NUNEZ")  # accents and case ignored
    assert result.outcome is RowOutcome.MERGED and result.signature.id == online.id
    assert "same name and ZIP code" in result.message
    other_zip = add(petition, zip_code="54302")
    assert other_zip.outcome is RowOutcome.ACCEPTED
    assert add(petition, zip_code="54302").outcome is RowOutcome.MERGED  # paper against paper too
    assert len(signatures(petition)) == 2


def test_an_invalidated_persons_sheet_is_rejected_for_review(make_petition, make_user):
    petition = make_petition()
    online = sign_online(petition)
    moderation.invalidate(online, "Duplicate of a test entry", make_user("organizer"))
    db.session.commit()
    result = add(petition, email="ana@example.org")
    assert result.outcome is RowOutcome.REJECTED and "invalidated" in result.message
    assert online.status is SignatureStatus.INVALIDATED


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_name": " "}, "first_name"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"zip_code": "5430"}, "zip_code"),
        ({"zip_code": "00000"}, "zip_code"),
        ({"email": "not-an-address"}, "email"),
        ({"county": "Cook County, IL"}, "county"),
        ({"county": "Atlantis"}, "county"),
        ({"signed_on": date.today() + timedelta(days=3)}, "signed_on"),
        ({"sheet_number": 0}, "sheet_number"),
        ({"comment": "x" * 1001}, "comment"),
    ],
)
def test_bad_lines_are_refused_beside_their_field(make_petition, fields, field):
    petition = make_petition()
    with pytest.raises(DomainError) as refused:
        paper.add_paper_signature(petition, paper.PaperSignatureInput(**(ANA | fields)))
    assert refused.value.field == field
    db.session.rollback()
    assert signatures(petition) == []


def test_draft_and_delivered_petitions_take_no_paper(make_petition):
    for status in (PetitionStatus.DRAFT, PetitionStatus.DELIVERED):
        with pytest.raises(Conflict):
            paper.add_paper_signature(make_petition(status=status), paper.PaperSignatureInput(**ANA))
    closed = make_petition(status=PetitionStatus.CLOSED)  # sheets are typed in after the deadline
    assert add(closed).outcome is RowOutcome.ACCEPTED


# CSV ------------------------------------------------------------------------------------


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def run_import(petition, data: bytes, **options) -> PaperImport:
    record = paper_import.start_import(petition, "sheets.csv", data, **options)
    db.session.commit()  # the eager test runner applies it after the commit
    db.session.expire_all()
    return db.session.get(PaperImport, record.id)


def outcomes(record: PaperImport) -> dict[int, tuple[RowOutcome, str]]:
    rows = db.session.scalars(select(PaperImportRow).where(PaperImportRow.import_id == record.id))
    return {row.line: (row.outcome, row.message) for row in rows}


HEADER = ["First Name", "Last Name", "ZIP", "Email", "Sheet", "Comment", "Signed on"]


def test_csv_import_reports_every_line(make_petition):
    petition = make_petition()
    sign_online(petition)  # ana@example.org
    data = csv_bytes(
        [
            HEADER,
            ["Mai", "Xiong", "54302", "", "1", "", ""],  # 2 accepted
            ["Ana", "Nuñez", "54301", "", "1", "", ""],  # 3 merged: same name and ZIP as online
            ["", "Olson", "54115", "", "1", "", ""],  # 4 rejected: no first name
            ["Tou", "Vang", "99999", "", "2", "", ""],  # 5 rejected: unknown ZIP
            ["Lupe", "Ramírez", "54301", "lupe@example.org", "2", "Line one\nline two", "11/02/2026"],  # 6 (2 lines)
            ["Lupe", "Ramirez", "54301", "LUPE@example.org", "2", "", ""],  # 8 merged within the file
            ["Bad", "Row"],  # 9 rejected: too few fields
            [],  # blank line: skipped
            ["Joe", "Doe", "54301", "", "x", "", ""],  # 11 rejected: sheet not a number
        ]
    )
    record = run_import(petition, data)
    assert record.status is ImportStatus.DONE and record.content is None  # the upload is not kept
    assert (record.accepted, record.merged, record.rejected) == (2, 2, 4)
    report = outcomes(record)
    assert {line: outcome for line, (outcome, _message) in report.items()} == {
        2: RowOutcome.ACCEPTED,
        3: RowOutcome.MERGED,
        4: RowOutcome.REJECTED,
        5: RowOutcome.REJECTED,
        6: RowOutcome.ACCEPTED,
        8: RowOutcome.MERGED,
        9: RowOutcome.REJECTED,
        11: RowOutcome.REJECTED,
    }
    assert report[4][1].startswith("first_name:")
    assert report[5][1].startswith("zip_code:")
    assert "2 fields where the header has 7" in report[9][1]
    assert report[11][1].startswith("sheet_number:")
    lupe = db.session.scalar(select(Signature).where(Signature.last_name == "Ramírez"))
    assert lupe.comment == "Line one\nline two" and lupe.created_at.date() == date(2026, 11, 2)
    petition = db.session.get(type(petition), petition.id)
    assert petition.confirmed_count == 3  # recounted at the end: online Ana, Mai, Lupe


@pytest.mark.parametrize(
    ("encoding", "delimiter", "read_as"),
    [
        ("utf-8-sig", ",", "utf-8"),
        ("cp1252", ";", "windows-1252"),  # Excel's "CSV" in a European locale
        ("utf-16", "\t", "utf-16"),  # Excel's "Unicode text"
    ],
)
def test_csv_encodings_and_separators(make_petition, encoding, delimiter, read_as):
    petition = make_petition()
    data = csv_bytes([["first_name", "last_name", "zip"], ["José", "Núñez", "54301"]], encoding, delimiter)
    record = run_import(petition, data)
    assert record.encoding == read_as and record.accepted == 1
    assert signatures(petition)[0].last_name == "Núñez"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV text file"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "not a CSV text file"),
        (b"name,zip\nAna,54301\n", "Unknown column(s): name"),
        (b"first_name,last_name\nAna,Soto\n", "Missing column(s): zip_code"),
        (b"first_name,last_name,zip,zip_code\n", "Two columns hold the same field: zip_code"),
    ],
)
def test_a_wrong_file_is_refused_whole(make_petition, data, message):
    petition = make_petition()
    with pytest.raises(DomainError) as refused:
        paper_import.start_import(petition, "bad.csv", data)
    assert message in refused.value.message and refused.value.field == "file"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PaperImport)) == 0


def test_an_interrupted_import_resumes_without_doubles(make_petition, monkeypatch):
    monkeypatch.setattr(paper_import, "BATCH", 10)
    petition = make_petition()
    rows = [["first_name", "last_name", "zip"]] + [[f"Person{n}", "Tester", "54301"] for n in range(35)]
    data = csv_bytes(rows)
    calls = {"rows": 0}
    original = paper_import._apply_row

    def crash_after_25(*args):
        calls["rows"] += 1
        if calls["rows"] == 26:
            raise RuntimeError("worker lost")
        return original(*args)

    monkeypatch.setattr(paper_import, "_apply_row", crash_after_25)
    record = paper_import.start_import(petition, "big.csv", data)
    db.session.flush()
    import_id = record.id
    db.session.info.pop("jobs_to_dispatch", None)  # run it by hand below, not through the runner
    db.session.commit()
    with pytest.raises(RuntimeError):
        paper_import.apply_import(import_id)
    db.session.rollback()
    record = db.session.get(PaperImport, import_id)
    assert record.rows_done == 20 and record.accepted == 20  # two whole batches kept

    monkeypatch.setattr(paper_import, "_apply_row", original)
    paper_import.apply_import(import_id)
    db.session.commit()
    assert (record.status, record.accepted, record.rejected, record.merged) == (ImportStatus.DONE, 35, 0, 0)
    assert len(signatures(petition)) == 35
    lines = db.session.scalars(select(PaperImportRow.line).where(PaperImportRow.import_id == import_id)).all()
    assert sorted(lines) == list(range(2, 37))


# Pages ----------------------------------------------------------------------------------


def test_typing_sheets_in_from_the_forum_page(client, login_as, make_petition, make_forum):
    petition = make_petition()
    forum = make_forum(campaign=petition.campaign)
    login_as("organizer")
    page = client.get(f"/organize/forums/{forum.slug}/paper?petition={petition.slug}&sheet=4")
    assert page.status_code == 200 and 'value="4"' in page.get_data(as_text=True)
    form = {"petition": petition.slug, "sheet_number": "4", **ANA}
    added = client.post(f"/organize/forums/{forum.slug}/paper", data=form)
    assert added.status_code == 303 and f"petition={petition.slug}" in added.location and "sheet=4" in added.location
    text = client.get(added.location).get_data(as_text=True)
    assert "Added: Ana N." in text and "sheet 4" in text
    again = client.post(f"/organize/forums/{forum.slug}/paper", data=form)
    assert "Merged" in client.get(again.location).get_data(as_text=True)
    refused = client.post(f"/organize/forums/{forum.slug}/paper", data=form | {"zip_code": "99999"})
    assert 400 <= refused.status_code < 500 and "We don&#39;t know the ZIP code 99999" in refused.get_data(as_text=True)
    other_campaign = make_petition()
    foreign = client.post(f"/organize/forums/{forum.slug}/paper", data=form | {"petition": other_campaign.slug})
    assert foreign.status_code == 422
    assert len(signatures(petition)) == 1 and signatures(other_campaign) == []


def test_csv_upload_and_report_pages(client, login_as, make_petition, make_forum):
    petition = make_petition()
    held = (utcnow() - timedelta(days=3)).replace(microsecond=0)
    forum = make_forum(campaign=petition.campaign, starts_at=held, ends_at=held + timedelta(hours=2))
    login_as("organizer")
    wrong = client.post(
        f"/organize/forums/{forum.slug}/paper/import",
        data={"petition": petition.slug, "file": (io.BytesIO(b"name,zip\n"), "sheets.csv")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and "Unknown column(s): name" in wrong.get_data(as_text=True)
    good = csv_bytes([["first_name", "last_name", "zip"], ["Mai", "Xiong", "54302"], ["", "Olson", "54115"]])
    done = client.post(
        f"/organize/forums/{forum.slug}/paper/import",
        data={"petition": petition.slug, "file": (io.BytesIO(good), "sheets.csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    report = client.get(done.location).get_data(as_text=True)
    assert "1 accepted, 0 merged, 1 rejected" in report and "first_name:" in report
    record = db.session.scalar(select(PaperImport))
    assert signatures(petition)[0].forum_id == forum.id
    assert signatures(petition)[0].created_at == forum.starts_at  # no date given: the forum's day
    download = client.get(f"/organize/paper-imports/{record.id}/report.csv", buffered=True)  # streamed
    lines = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert lines[0] == ["line", "outcome", "signature", "message"]
    assert [line[:2] for line in lines[1:]] == [["2", "accepted"], ["3", "rejected"]]
    assert "sheets.csv" in client.get(f"/organize/forums/{forum.slug}").get_data(as_text=True)
    login_as("viewer")
    assert client.get(done.location).status_code == 200
    assert client.post(f"/organize/forums/{forum.slug}/paper/import").status_code == 403
