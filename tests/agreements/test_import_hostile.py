"""Files an attacker could hand an organizer as "ICE's list": each is refused with one clear
message beside the field, or read within bounds, and nothing is written."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from campaign.agreements.importer_files import MAX_LINES
from campaign.agreements.models import Agreement, AgreementImport
from campaign.extensions import db
from tests.agreements.files import FIRST, csv_bytes, row, xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def upload(client, data: bytes, name: str):
    return client.post(
        "/organize/agreements/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def with_sheet(data: bytes, change) -> bytes:
    """The workbook `data` with its first sheet's XML passed through `change`."""
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            target.writestr(member.filename, change(content.decode()) if member.filename == SHEET else content)
    return buffer.getvalue()


def far_row(sheet: str) -> str:
    # One cell on the last row Excel has, far below the list: openpyxl would hand out the
    # million empty rows before it one by one.
    return sheet.replace(
        "</sheetData>", '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>WI</t></is></c></row></sheetData>'
    )


def entities(sheet: str) -> str:
    """A billion-laughs entity and an external one, used in the first agency's cell."""
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    doctype = f'<!DOCTYPE worksheet [{laughs}<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    declaration, body = re.match(r"(<\?xml[^>]*\?>)?(.*)", sheet, re.DOTALL).groups()
    return (declaration or "") + doctype + body.replace("Brown County Sheriff's Office", "&l9;&secret;", 1)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("far-row.xlsx", lambda: with_sheet(xlsx_bytes(FIRST), far_row)),
        ("many-rows.xlsx", lambda: xlsx_bytes([row("Agency", "WI", "WSO", "Brown")] * MAX_LINES)),
        ("many-lines.csv", lambda: csv_bytes(FIRST) + b"\r\n" * MAX_LINES),
    ],
)
def test_a_file_far_longer_than_the_list_is_refused_and_nothing_is_written(app, client, login_as, name, make):
    login_as("organizer")
    response = upload(client, make(), name)
    assert response.status_code == 422
    assert f"This file has more than {MAX_LINES:,} lines" in response.get_data(as_text=True)
    assert count(Agreement) == count(AgreementImport) == 0


def test_xml_entities_are_never_expanded_nor_read_from_disk(app, client, login_as):
    login_as("organizer")
    workbook = with_sheet(xlsx_bytes(FIRST), entities)
    assert b"&l9;&secret;" in zipfile.ZipFile(io.BytesIO(workbook)).read(SHEET)
    response = upload(client, workbook, "entities.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "This .xlsx file is not an Excel workbook." in page
    assert "root:" not in page and "lollol" not in page
    assert count(Agreement) == count(AgreementImport) == 0


def test_a_row_wider_than_any_sheet_still_reads_its_columns(app, client, login_as):
    # A stray cell in the last column (XFD) on every row: the agreement is read all the same.
    login_as("organizer")

    def stray_cells(sheet: str) -> str:
        return re.sub(
            r'<row r="([0-9]+)"([^>]*)>', r'<row r="\1"\2><c r="XFD\1" t="inlineStr"><is><t>x</t></is></c>', sheet
        )

    workbook = with_sheet(xlsx_bytes([row("Brown County Sheriff's Office", "WI", "WSO", "Brown")]), stray_cells)
    response = upload(client, workbook, "wide.xlsx")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Applying this file would add 1, change 0" in response.get_data(as_text=True)


def test_a_preview_whose_file_vanishes_before_apply_asks_for_it_again(app, client, login_as, monkeypatch):
    # Another organizer's request may remove the kept file (expired for it) at any moment.
    login_as("organizer")
    page = upload(client, csv_bytes(FIRST), "first.csv").get_data(as_text=True)
    sha = re.search(r'name="sha256" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    kept = Path(app.instance_path) / "agreement_uploads" / f"{sha}.csv"
    assert kept.is_file()
    read_bytes = Path.read_bytes

    def removed_meanwhile(path: Path) -> bytes:
        if path == kept:
            path.unlink()
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", removed_meanwhile)
    applied = client.post("/organize/agreements/import/apply", data={"sha256": sha}, follow_redirects=True)
    assert applied.status_code == 200
    assert "This preview has expired. Upload the file again." in applied.get_data(as_text=True)
    assert count(Agreement) == count(AgreementImport) == 0


def test_an_agency_written_with_or_without_accents_is_one_agency():
    from campaign.agreements.models import fold_agency

    assert fold_agency("Doña Ana County Sheriff’s Office ") == fold_agency("DONA ANA COUNTY SHERIFFS OFFICE")
    assert fold_agency("Oficina del Alguacil") != fold_agency("Дорожная полиция") != ""
