"""Small files in the layout of ICE's participating-agencies list, written by the tests."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import Workbook

TITLE = ["287(g) Participating Agencies (as of 05/16/2025)"]
# Lower case, another order, stray spaces: the columns are found by name.
HEADER = ["law enforcement agency", " State ", "support type", "county", "TYPE", "Signed", "moa", "Addendum "]
MOA = "https://www.ice.gov/doclib/287gMOA/"


def row(agency, state, model, county, kind="County", signed="2025-02-26", moa="", addendum=""):
    return [agency, state, model, county, kind, signed, moa, addendum]


# The first file: each line after the header is one case the importer meets in ICE's sheets.
FIRST = [
    row(
        "Brown County Sheriff's Office ",
        "WISCONSIN",
        "Warrant Service Officer",
        "Brown County ",
        signed="2025-02-26 00:00:00",
        moa=MOA + "brown.pdf",
    ),  # line 4
    row(
        "Alachua County Sheriff's Office",
        "FL",
        "task force model",
        "Alachua County",
        signed="1/5/2025",
        moa="link pending",
    ),  # line 5
    row(
        "Arcadia Police Department",
        "Florida",
        "TFM",
        "#N/A",
        kind="Municipality",
        signed="January 5, 2025",
        moa=MOA + "arcadia.pdf",
        addendum="N/A",
    ),  # line 6
    row(
        "Florida Department of Corrections",
        "FLORIDA",
        "Jail Enforcement Model",
        "#N/A",
        kind="State Agency",
        signed="01/05/25",
    ),  # line 7
    row("St. Tammany Parish Sheriff's Office", "Louisiana", "JEM", "Saint Tammany Parish", signed="45662"),  # line 8
    row("Narnia Sheriff's Office", "NARNIA", "Warrant Service Officer", "Lantern County"),  # line 9
    row("Nowhere County Sheriff's Office", "TX", "WSO", "Nowhere County"),  # line 10
    row("Harris County Sheriff's Office", "TX", "Mystery Model", "Harris County"),  # line 11
    row("BROWN COUNTY SHERIFFS OFFICE", "WI", "WSO", "Brown"),  # line 12: the same as line 4
    row("Doña Ana County Sheriff's Office", "NM", "WSO", "Dona Ana", signed="soon", moa="TBD"),  # line 13
]


def csv_bytes(rows, header=HEADER, title=True) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if title:
        writer.writerow(TITLE)
        writer.writerow([])
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=HEADER, title=True) -> bytes:
    """As ICE publishes it: dates as date cells, "link" in the MOA cell with a hyperlink."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append(TITLE)
        sheet.append([])
    sheet.append(header)
    moa_column = header.index("moa") + 1
    for values in rows:
        values = list(values)
        try:
            values[5] = datetime.strptime(values[5], "%Y-%m-%d %H:%M:%S")
        except (TypeError, ValueError):
            if isinstance(values[5], str) and values[5].isdigit():
                values[5] = int(values[5])
        link = values[6] if str(values[6]).startswith("https://") else None
        if link:
            values[6] = "link"
        sheet.append(values)
        if link:
            sheet.cell(row=sheet.max_row, column=moa_column).hyperlink = link
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
