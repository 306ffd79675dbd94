"""The CSV import of paper signatures has bounded work whatever the file holds, and a bad row
is rejected on its own line while the rest of the batch goes on."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from campaign.core import csvimport
from campaign.core.errors import DomainError
from campaign.extensions import db
from campaign.petitions import paper_import
from campaign.petitions.models import ImportStatus, PaperImport, PaperImportRow, RowOutcome, Signature

HEADER = ["first_name", "last_name", "zip", "county", "sheet", "signed_on", "comment"]
GOOD = ["Mai", "Xiong", "54302", "", "1", "", ""]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def run_import(petition, data: bytes) -> PaperImport:
    record = paper_import.start_import(petition, "sheets.csv", data)
    db.session.commit()  # the eager test runner applies it after the commit
    db.session.expire_all()
    return db.session.get(PaperImport, record.id)


def outcomes(record: PaperImport) -> dict[int, tuple[RowOutcome, str]]:
    rows = db.session.scalars(select(PaperImportRow).where(PaperImportRow.import_id == record.id))
    return {row.line: (row.outcome, row.message) for row in rows}


def refused(petition, data: bytes) -> str:
    with pytest.raises(DomainError) as error:
        paper_import.start_import(petition, "bad.csv", data)
    db.session.rollback()
    assert error.value.field == "file"
    assert db.session.scalar(select(func.count()).select_from(PaperImport)) == 0  # nothing recorded
    return error.value.message


def test_the_dialect_sniffer_gets_a_bounded_sample():
    hostile = ',"' * 32_768  # a 64 KB first line that made the sniffer's regexes run for 41 s
    assert len(csvimport.sniff_sample(hostile + "\nAna,Soto,54301\n")) <= csvimport.SNIFF_CHARS
    header = "first_name;last_name;zip\r\n"
    assert csvimport.sniff_sample(header + "Ana;Soto;54301\r\n" * 1000) == header.rstrip("\r\n")  # the header line


def test_a_64_kb_first_line_of_quotes_is_refused_on_the_upload_page(client, login_as, make_petition, make_forum):
    petition = make_petition()
    forum = make_forum(campaign=petition.campaign)
    login_as("organizer")
    hostile = (',"' * 32_768 + "\nAna,Soto,54301\n").encode()
    page = client.post(
        f"/organize/forums/{forum.slug}/paper/import",
        data={"petition": petition.slug, "file": (io.BytesIO(hostile), "sheets.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 422
    assert f"A file can have at most {paper_import.MAX_COLUMNS} columns." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PaperImport)) == 0


def test_too_many_columns_are_refused_naming_the_limit(make_petition):
    header = ["first_name", "last_name", "zip"] + [f"extra{n}" for n in range(100_000)]
    message = refused(make_petition(), csv_bytes([header, ["Ana", "Soto", "54301"]]))
    assert f"at most {paper_import.MAX_COLUMNS} columns" in message


def test_a_long_header_line_is_refused_whatever_its_columns(make_petition):
    message = refused(make_petition(), csv_bytes([["first_name", "last_name", "zip", "x" * 100_000]]))
    assert "first line" in message


def test_the_duplicate_column_check_is_linear():
    fields = list(paper_import.COLUMNS.values()) * 70_000  # a million columns, past the cap: returns at once
    assert paper_import.duplicated_fields(fields) == sorted(set(paper_import.COLUMNS.values()))


def test_a_cell_over_the_csv_limit_is_rejected_on_its_line_and_the_batch_goes_on(make_petition):
    petition = make_petition()
    long_cell = ["Lupe", "Ramírez", "54301", "", "1", "", "x" * 200_000]
    data = csv_bytes([HEADER, GOOD, long_cell, ["Tou", "Vang", "54301", "", "2", "", ""]])
    record = run_import(petition, data)
    assert record.status is ImportStatus.DONE and (record.accepted, record.merged, record.rejected) == (2, 0, 1)
    report = outcomes(record)
    assert {line: outcome for line, (outcome, _message) in report.items()} == {
        2: RowOutcome.ACCEPTED,
        3: RowOutcome.REJECTED,
        4: RowOutcome.ACCEPTED,
    }
    assert f"A cell is longer than {paper_import.MAX_CELL} characters" in report[3][1]
    names = set(db.session.scalars(select(Signature.last_name).where(Signature.petition_id == petition.id)))
    assert names == {"Xiong", "Vang"}


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"first_name": "Ma\x00i"}, "NUL"),  # UTF-16 carries NUL, which PostgreSQL refuses in text
        ({"county": "Brown\x00 County, WI"}, "NUL"),
        ({"comment": "ok\x00"}, "NUL"),
        ({"sheet": "３"}, "sheet_number:"),  # full-width digits are not digits here
        ({"signed_on": "２０２６-01-01"}, "signed_on:"),
        ({"zip": "５４３０１"}, "zip_code:"),
        ({"county": "x" * 100_000}, "county:"),
    ],
)
def test_anything_wrong_in_a_cell_rejects_only_its_line(make_petition, cells, reason):
    petition = make_petition()
    bad = dict(zip(HEADER, ["Ana", "Soto", "54301", "", "1", "", ""], strict=True)) | cells
    rows = [HEADER, GOOD, list(bad.values()), ["Tou", "Vang", "54301", "", "", "", ""]]
    record = run_import(petition, csv_bytes(rows, "utf-16"))  # Excel's "Unicode text": the one way in for NUL
    assert record.status is ImportStatus.DONE and (record.accepted, record.rejected) == (2, 1)
    outcome, message = outcomes(record)[3]
    assert outcome is RowOutcome.REJECTED and reason in message
    assert len(message) < 1_000  # the reason, not the cell echoed back
