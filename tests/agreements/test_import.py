"""Importing ICE's list: dirty values reported line by line, the diff from one import to the
next with its history, and files of another shape refused whole with nothing written."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from campaign.agreements import services
from campaign.agreements.models import (
    Agreement,
    AgreementChange,
    AgreementImport,
    AgreementModel,
    AgreementSource,
    AgreementStatus,
    ChangeKind,
)
from campaign.core.errors import DomainError
from campaign.extensions import db
from tests.agreements.files import FIRST, HEADER, MOA, csv_bytes, row, xlsx_bytes

BUILDERS = {"csv": csv_bytes, "xlsx": xlsx_bytes}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def apply(name: str, data: bytes, user=None) -> services.ImportReport:
    report = services.apply_import(name, data, user)
    db.session.commit()
    return report


def by_agency(name: str) -> Agreement:
    return db.session.scalar(select(Agreement).where(Agreement.agency == name))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_dirty_rows_are_read_and_reported_by_line(app, kind):
    report = apply(f"participatingAgencies.{kind}", BUILDERS[kind](FIRST))

    problems = dict(report.problems)
    assert sorted(problems) == [5, 6, 9, 10, 11, 12, 13]
    assert '"link pending" is not a link' in problems[5]
    assert "No county given" in problems[6]  # a police department; the state agency of line 7 needs none
    assert 'Unknown state "NARNIA"' in problems[9]
    assert 'Unknown county "Nowhere County" in TX' in problems[10]
    assert 'Unknown support type "Mystery Model"' in problems[11]
    assert "same agreement as line 4" in problems[12]
    assert 'Unreadable date signed "soon"' in problems[13]

    assert report.rows == 7 and len(report.added) == 7 and count(Agreement) == 7
    brown = by_agency("Brown County Sheriff's Office")  # trailing space gone
    assert (brown.state, brown.county_fips, brown.model) == ("WI", "55009", AgreementModel.WARRANT_SERVICE_OFFICER)
    assert brown.signed_on == date(2025, 2, 26) and brown.document_url == MOA + "brown.pdf"
    assert (brown.source, brown.listed, brown.status) == (AgreementSource.ICE_LIST, True, AgreementStatus.ACTIVE)
    alachua = by_agency("Alachua County Sheriff's Office")
    assert alachua.signed_on == date(2025, 1, 5) and alachua.document_url is None
    assert alachua.model is AgreementModel.TASK_FORCE and alachua.county_fips == "12001"
    arcadia = by_agency("Arcadia Police Department")
    assert arcadia.county_fips is None and arcadia.signed_on == date(2025, 1, 5)
    assert arcadia.document_url == MOA + "arcadia.pdf" and arcadia.addendum_url is None
    assert by_agency("Florida Department of Corrections").signed_on == date(2025, 1, 5)
    tammany = by_agency("St. Tammany Parish Sheriff's Office")
    assert tammany.county_fips == "22103" and tammany.signed_on == date(2025, 1, 5)  # Excel's day 45662
    assert by_agency("Nowhere County Sheriff's Office").county_fips is None
    dona_ana = by_agency("Doña Ana County Sheriff's Office")
    assert dona_ana.county_fips == "35013" and dona_ana.signed_on is None

    record = db.session.scalar(select(AgreementImport))
    assert (record.rows, record.added, record.changed, record.gone) == (7, 7, 0, 0)
    assert [5, problems[5]] in record.problems
    assert count(AgreementChange) == 7


def test_the_same_file_twice_changes_nothing(app):
    data = csv_bytes(FIRST)
    apply("first.csv", data)
    history = count(AgreementChange)

    again = apply("first.csv", data)

    assert (len(again.added), len(again.changed), len(again.gone), again.unchanged) == (0, 0, 0, 7)
    assert count(AgreementChange) == history and count(Agreement) == 7
    second = db.session.scalar(select(AgreementImport).order_by(AgreementImport.id.desc()))
    assert (second.added, second.changed, second.gone, second.unchanged) == (0, 0, 0, 7)


def test_a_later_file_changes_and_removes_rows_and_keeps_the_history(app, make_user):
    organizer = make_user("organizer")
    apply("first.csv", csv_bytes(FIRST))
    later = [
        row(
            "Brown County Sheriff's Office", "WI", "WSO", "Brown County", signed="2025-03-01", moa=MOA + "brown-2.pdf"
        ),  # new date and link
        *FIRST[1:5],  # Arcadia, Alachua, the state agency and St. Tammany unchanged
        row("Marinette County Sheriff's Office", "WI", "JEM", "Marinette County"),  # new
    ]  # Nowhere County and Doña Ana are no longer listed

    preview = services.preview_import("later.xlsx", xlsx_bytes(later))
    assert count(AgreementImport) == 1 and count(AgreementChange) == 7  # a dry run writes nothing
    report = apply("later.xlsx", xlsx_bytes(later), organizer)

    for found in (preview, report):
        assert [agreement.agency for agreement in found.added] == ["Marinette County Sheriff's Office"]
        assert [agreement.agency for agreement, _fields in found.changed] == ["Brown County Sheriff's Office"]
        assert sorted(agreement.agency for agreement in found.gone) == [
            "Doña Ana County Sheriff's Office",
            "Nowhere County Sheriff's Office",
        ]
        assert found.unchanged == 4
    brown = by_agency("Brown County Sheriff's Office")
    assert brown.signed_on == date(2025, 3, 1) and brown.document_url == MOA + "brown-2.pdf"
    changed = brown.changes[0]
    assert changed.kind is ChangeKind.CHANGED and changed.user_id == organizer.id
    assert changed.fields == {
        "signed_on": ["2025-02-26", "2025-03-01"],
        "document_url": [MOA + "brown.pdf", MOA + "brown-2.pdf"],
    }
    assert [change.kind for change in brown.changes] == [ChangeKind.CHANGED, ChangeKind.ADDED]
    gone = by_agency("Nowhere County Sheriff's Office")
    assert gone.listed is False and gone.status is AgreementStatus.ACTIVE  # an organizer records an end
    assert gone.changes[0].kind is ChangeKind.GONE

    back = apply("first.csv", csv_bytes(FIRST))  # the list has it again
    assert by_agency("Nowhere County Sheriff's Office").listed is True
    assert "Nowhere County Sheriff's Office" in [agreement.agency for agreement, _fields in back.changed]


def test_local_facts_survive_a_new_import(app, make_user):
    apply("first.csv", csv_bytes(FIRST))
    brown = by_agency("Brown County Sheriff's Office")
    fact = services.LocalFactInput(
        AgreementStatus.RESCINDED, date(2025, 6, 1), "The sheriff ended it.", "https://news.example.org/brown"
    )
    services.record_local_fact(brown, fact, make_user("organizer"))
    db.session.commit()

    changed = [row("Brown County Sheriff's Office", "WI", "WSO", "Brown County", signed="2025-03-01"), *FIRST[1:]]
    apply("later.csv", csv_bytes(changed))

    brown = by_agency("Brown County Sheriff's Office")
    assert brown.signed_on == date(2025, 3, 1)  # the list's field is updated
    assert (brown.status, brown.status_on) == (AgreementStatus.RESCINDED, date(2025, 6, 1))
    assert brown.note == "The sheriff ended it.\nhttps://news.example.org/brown"
    assert [change.kind for change in brown.changes] == [ChangeKind.CHANGED, ChangeKind.LOCAL, ChangeKind.ADDED]


def test_a_local_agreement_the_list_later_has_becomes_the_lists(app):
    local = services.LocalAgreementInput(
        state="WI",
        county="Brown",
        agency="Brown County Sheriff's Office",
        agency_type="County",
        model=AgreementModel.WARRANT_SERVICE_OFFICER,
        fact=services.LocalFactInput(AgreementStatus.PROPOSED, None, "On the board's agenda."),
    )
    services.add_local_agreement(local)
    db.session.commit()

    apply("first.csv", csv_bytes(FIRST))

    brown = by_agency("Brown County Sheriff's Office")
    assert count(Agreement) == 7 and brown.source is AgreementSource.ICE_LIST and brown.listed
    assert brown.status is AgreementStatus.PROPOSED  # the organizer's fact stays until they change it


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "other.csv",
            csv_bytes([["WI", "x"]], header=["STATE", "Agency", "county", "Model"]),
            "the column(s) LAW ENFORCEMENT AGENCY, TYPE, SUPPORT TYPE, SIGNED are missing",
        ),
        (
            "other.xlsx",
            xlsx_bytes([], header=["law enforcement agency", "State", "moa", "x", "y", "z", "w", "v"]),
            "the column(s) TYPE, COUNTY, SUPPORT TYPE, SIGNED are missing",
        ),
        ("empty.csv", b"", "The file is empty."),
        ("text.xlsx", b"STATE,LAW ENFORCEMENT AGENCY\nWI,Brown\n", "This .xlsx file is not an Excel workbook."),
        ("binary.csv", b"PK\x03\x04\x00\x00binary", "not a CSV text file"),
    ],
)
def test_a_file_of_another_shape_is_refused_whole(app, name, data, message):
    with pytest.raises(DomainError) as refused:
        services.apply_import(name, data)
    assert message in refused.value.message and refused.value.field == "file"
    db.session.rollback()
    assert count(Agreement) == count(AgreementImport) == 0


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_an_xlsx_that_is_a_zip_of_something_else_is_refused(app):
    with pytest.raises(DomainError, match=r"This \.xlsx file is not an Excel workbook\."):
        services.preview_import("agencies.xlsx", zipped({"agencies.txt": b"STATE,COUNTY\n"}))
    # A zip that claims to be a workbook, with a broken one inside.
    with pytest.raises(DomainError, match=r"This \.xlsx file is not an Excel workbook\."):
        services.preview_import("agencies.xlsx", zipped({"xl/workbook.xml": b"<not xml", "[Content_Types].xml": b""}))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app):
    app.config["AGREEMENTS_IMPORT_MAX_BYTES"] = 1024 * 1024
    bomb = zipped({"xl/workbook.xml": b"\x00" * (25 * 1024 * 1024)})  # 25 MB of zeros, some 25 KB zipped
    assert len(bomb) < 1024 * 1024
    with pytest.raises(DomainError, match="unpacks to far more than a spreadsheet holds"):
        services.preview_import("agencies.xlsx", bomb)


def test_a_file_over_the_limit_is_refused(app):
    app.config["AGREEMENTS_IMPORT_MAX_BYTES"] = 1024 * 1024
    with pytest.raises(DomainError, match="larger than 1 MB"):
        services.apply_import("big.csv", csv_bytes(FIRST) + b"x" * 1024 * 1024)
    db.session.rollback()
    assert count(AgreementImport) == 0


def test_the_header_is_looked_for_in_the_first_ten_rows_only(app):
    data = b"\r\n".join([b"title"] * 12) + b"\r\n" + ",".join(HEADER).encode() + b"\r\n"
    with pytest.raises(DomainError, match="are missing"):
        services.preview_import("late.csv", data)


def test_a_line_too_long_to_read_is_reported_and_the_others_read(app):
    huge = row("x" * 200_000, "WI", "WSO", "Brown County")
    report = services.preview_import("list.csv", csv_bytes([FIRST[0], huge, FIRST[1]]))
    assert [agreement.agency for agreement in report.added] == [
        "Brown County Sheriff's Office",
        "Alachua County Sheriff's Office",
    ]
    assert report.problems[0] == (5, "This line has a cell too long to read: line skipped.")
