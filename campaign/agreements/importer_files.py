"""Reading the lines of the participating-agencies spreadsheet that ICE publishes (.xlsx, or a
.csv saved from it), for importer.py to clean into rows. Nothing here writes to the database.

Each line is (its number as the user sees it, its cells, the hyperlinks of its cells by
column index from 0). In ICE's .xlsx the MOA cell says "link" and carries a hyperlink: that
hyperlink's address is read from the sheet in a pass of its own (openpyxl's read-only mode,
which streams the rows, leaves hyperlinks out). The file as a whole is bounded: at most
max_bytes, an .xlsx that unpacks to at most UNZIPPED_RATIO times that, and at most MAX_LINES
lines of MAX_COLUMNS cells. A row numbered a million in a 5 KB file cannot keep a request busy
for minutes."""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator

from flask_babel import format_decimal
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.utils import column_index_from_string
from openpyxl.xml.functions import iterparse

from campaign.core.csvimport import decode, sniff_dialect
from campaign.core.errors import DomainError

# ICE's list has a few thousand lines at most, and some ten columns.
MAX_LINES = 20_000
MAX_COLUMNS = 100
# Unpacked, an .xlsx is some 5 to 10 times its size; more than this is a zip bomb.
UNZIPPED_RATIO = 20
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

# (line number as the user sees it, cells or None for a line too long to read, hyperlinks by column)
Line = tuple[int, list | None, dict[int, str]]


def file_lines(file_name: str, data: bytes, max_bytes: int) -> Iterator[Line]:
    """The file's lines, read as they are asked for. DomainError (field "file") when the file
    as a whole cannot be read: too large at once, and not a workbook or too many lines while
    its lines are read."""
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    if (file_name or "").lower().endswith(".xlsx"):
        return _xlsx_lines(data, max_bytes * UNZIPPED_RATIO)
    return _csv_lines(data)


def too_large(max_bytes: int) -> DomainError:
    return DomainError(
        _(
            "This file is larger than %(size)s MB: ICE's list is far smaller. Check that it is the right file.",
            size=max_bytes // (1024 * 1024) or 1,
        ),
        field="file",
    )


def too_many_lines() -> DomainError:
    return DomainError(
        _(
            "This file has more than %(count)s lines: ICE's list is far shorter. Check that it is the right file.",
            count=format_decimal(MAX_LINES),
        ),
        field="file",
    )


def _not_a_workbook() -> DomainError:
    return DomainError(_("This .xlsx file is not an Excel workbook."), field="file")


def _csv_lines(data: bytes) -> Iterator[Line]:
    text, _encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), sniff_dialect(text))
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a cell past csv.field_size_limit(): the rest of the line is dropped
            cells = None
        yield line, cells[:MAX_COLUMNS] if cells is not None else None, {}
        line = reader.line_num + 1


def _xlsx_lines(data: bytes, max_unzipped: int) -> Iterator[Line]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_a_workbook() from None
    if sum(member.file_size for member in members) > max_unzipped:
        raise DomainError(_("This .xlsx file unpacks to far more than a spreadsheet holds."), field="file")
    if "xl/workbook.xml" not in archive.namelist():
        raise _not_a_workbook()
    try:
        with warnings.catch_warnings():  # "no default style" and the like: not the user's business
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                links = _hyperlinks(archive, sheet._worksheet_path)  # the sheet's path in the zip
                sheet.reset_dimensions()  # a wrong <dimension> would cut rows short
                rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)  # a cell at XFD: no 16,384-wide rows
                for number, cells in enumerate(rows, start=1):
                    yield number, list(cells), links.get(number, {})
            finally:
                workbook.close()
    except DomainError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on a damaged workbook
        raise _not_a_workbook() from None


def _hyperlinks(archive: zipfile.ZipFile, sheet_path: str) -> dict[int, dict[int, str]]:
    """{row: {column index from 0: address}} of the sheet's external hyperlinks, within
    MAX_LINES and MAX_COLUMNS. Each element is dropped once read, and a sheet of more than
    MAX_LINES rows is refused here, before openpyxl reads it."""
    rels_path = get_rels_path(sheet_path)
    targets = {}
    if rels_path in archive.namelist():
        targets = {rel.Id: rel.Target for rel in get_dependents(archive, rels_path)}
    links: dict[int, dict[int, str]] = {}
    open_elements, rows = [], 0
    with archive.open(sheet_path) as source:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                continue
            open_elements.pop()
            if element.tag == f"{SHEET_NS}row":
                rows += 1
                if rows > MAX_LINES:
                    raise too_many_lines()
            elif element.tag == f"{SHEET_NS}hyperlink":
                target = targets.get(element.get(f"{REL_NS}id"))
                match = re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7})", element.get("ref") or "")
                if target and match:
                    row, column = int(match.group(2)), column_index_from_string(match.group(1)) - 1
                    if row <= MAX_LINES and column < MAX_COLUMNS:
                        links.setdefault(row, {})[column] = target
            if open_elements:
                open_elements[-1].remove(element)
    return links
