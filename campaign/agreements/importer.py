"""Reading the participating-agencies spreadsheet that ICE publishes (.xlsx, or a .csv saved
from it) into clean rows and per-line problems. Nothing here writes to the database.

The columns are found by their header names, in any order and case, in the first
HEADER_SEARCH_ROWS rows (the sheet may have title lines above them). MOA and ADDENDUM are
optional: some of ICE's sheets have no ADDENDUM column, and an agreement without a link is
still an agreement. In ICE's .xlsx the MOA cell says "link" and carries a hyperlink: that
hyperlink's address is read from the sheet (openpyxl's read-only mode, which streams the
rows, leaves hyperlinks out). At most MAX_LINES lines of MAX_COLUMNS cells are read: a row
numbered a million in a 5 KB file cannot keep a request busy for minutes."""

from __future__ import annotations

import csv
import functools
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import format_decimal
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.utils import column_index_from_string
from openpyxl.xml.functions import iterparse
from sqlalchemy import select

from campaign.agreements.models import AgreementModel, fold_agency
from campaign.core.csvimport import decode, sniff_dialect
from campaign.core.errors import DomainError
from campaign.core.text import clean_control, fold_words
from campaign.core.urls import web_link
from campaign.extensions import db
from campaign.geo.data import state_names
from campaign.geo.models import County

HEADER_SEARCH_ROWS = 10
# ICE's list has a few thousand lines at most, and some ten columns.
MAX_LINES = 20_000
MAX_COLUMNS = 100
REQUIRED = ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED")
OPTIONAL = ("MOA", "ADDENDUM")
# Unpacked, an .xlsx is some 5 to 10 times its size; more than this is a zip bomb.
UNZIPPED_RATIO = 20
MISSING = {"", "#n/a", "n/a", "na", "tbd", "none", "-"}
MODELS = {
    "warrant service officer": AgreementModel.WARRANT_SERVICE_OFFICER,
    "wso": AgreementModel.WARRANT_SERVICE_OFFICER,
    "jail enforcement model": AgreementModel.JAIL_ENFORCEMENT,
    "jail enforcement": AgreementModel.JAIL_ENFORCEMENT,
    "jem": AgreementModel.JAIL_ENFORCEMENT,
    "task force model": AgreementModel.TASK_FORCE,
    "task force": AgreementModel.TASK_FORCE,
    "tfm": AgreementModel.TASK_FORCE,
}
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%B %d, %Y", "%B %d %Y", "%b %d, %Y", "%d-%b-%y")
EXCEL_EPOCH = date(1899, 12, 30)
# ICE's program began in 1996: an Excel serial number outside these years is no signing date.
SERIAL_YEARS = (1990, 2100)
COUNTY_SUFFIXES = re.compile(r" (city and borough|census area|county|parish|borough|municipality|municipio)$")
MAX_CELL = 500
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass
class Row:
    line: int
    state: str
    agency: str
    agency_type: str | None
    county_fips: str | None
    model: AgreementModel
    signed_on: date | None
    document_url: str | None
    addendum_url: str | None

    @property
    def key(self) -> tuple[str, str, AgreementModel]:
        return self.state, fold_agency(self.agency), self.model


@dataclass
class ParsedFile:
    rows: list[Row] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def read_file(file_name: str, data: bytes, max_bytes: int) -> ParsedFile:
    """The file's rows and problems; DomainError (field "file") when the file as a whole
    cannot be read: too large, not a workbook, not CSV text, or without the columns."""
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    if (file_name or "").lower().endswith(".xlsx"):
        lines = _xlsx_lines(data, max_bytes * UNZIPPED_RATIO)
    else:
        lines = _csv_lines(data)
    return _parse(lines)


def too_large(max_bytes: int) -> DomainError:
    return DomainError(
        _(
            "This file is larger than %(size)s MB: ICE's list is far smaller. Check that it is the right file.",
            size=max_bytes // (1024 * 1024) or 1,
        ),
        field="file",
    )


def _not_a_workbook() -> DomainError:
    return DomainError(_("This .xlsx file is not an Excel workbook."), field="file")


# --- the lines of the file: (line number as the user sees it, cells, hyperlinks by column) ---


def _csv_lines(data: bytes) -> Iterator[tuple[int, list | None, dict[int, str]]]:
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


def _xlsx_lines(data: bytes, max_unzipped: int) -> Iterator[tuple[int, list, dict[int, str]]]:
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
                    raise _too_many_lines()
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


# --- the header and the rows -------------------------------------------------------------


def _header_key(value) -> str:
    return " ".join(str(value).upper().split()) if value is not None else ""


def _find_header(lines: Iterator) -> dict[str, int]:
    """The columns of the header row; the row with the most known names says what is missing."""
    best = None
    for number, cells, _links in lines:
        columns = {}
        for index, cell in enumerate(cells or ()):
            name = _header_key(cell)
            if name in REQUIRED + OPTIONAL and name not in columns:
                columns[name] = index
        if all(name in columns for name in REQUIRED):
            return columns
        if any(_header_key(cell) for cell in cells or ()) and (best is None or len(columns) > len(best)):
            best = columns
        if number >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise DomainError(_("The file is empty."), field="file")
    missing = [name for name in REQUIRED if name not in best]
    message = _(
        "This is not ICE's list of participating agencies: the column(s) %(names)s are missing. "
        "The columns read are: %(all)s.",
        names=", ".join(missing),
        all=", ".join(REQUIRED + OPTIONAL),
    )
    raise DomainError(message, field="file")


def _too_many_lines() -> DomainError:
    return DomainError(
        _(
            "This file has more than %(count)s lines: ICE's list is far shorter. Check that it is the right file.",
            count=format_decimal(MAX_LINES),
        ),
        field="file",
    )


def _parse(lines: Iterator) -> ParsedFile:
    lines = iter(lines)
    columns = _find_header(lines)
    parsed = ParsedFile()
    seen: dict[tuple, int] = {}
    counties = CountyNames()
    for number, cells, links in lines:
        if number > MAX_LINES:
            raise _too_many_lines()
        if cells is None:
            parsed.problems.append((number, _("This line has a cell too long to read: line skipped.")))
            continue
        values = {name: _cell(cells, index) for name, index in columns.items()}
        if not any(isinstance(value, date | datetime) or _text(value) for value in values.values()):
            continue  # a blank line
        problems: list[str] = []
        row = _row(number, values, {name: links.get(index) for name, index in columns.items()}, counties, problems)
        parsed.problems += [(number, problem) for problem in problems]
        if row is None:
            continue
        if row.key in seen:
            parsed.problems.append(
                (number, _("The same agreement as line %(line)s: only that line is read.", line=seen[row.key]))
            )
            continue
        seen[row.key] = number
        parsed.rows.append(row)
    return parsed


def _cell(cells: list, index: int):
    value = cells[index] if index < len(cells) else None
    return value[:MAX_CELL] if isinstance(value, str) else value


def _text(value) -> str:
    if value is None or isinstance(value, date | datetime):
        return ""
    text = clean_control(str(value), multiline=False) or ""
    return " ".join(text.split())


def _row(number: int, values: dict, links: dict, counties: CountyNames, problems: list[str]) -> Row | None:
    state_text, agency = _text(values["STATE"]), _text(values["LAW ENFORCEMENT AGENCY"])
    state = state_code(state_text)
    if state is None:
        problems.append(_('Unknown state "%(state)s": line skipped.', state=state_text))
        return None
    if agency.casefold() in MISSING:
        problems.append(_("No agency named: line skipped."))
        return None
    model_text = _text(values["SUPPORT TYPE"])
    model = MODELS.get(model_text.casefold())
    if model is None:
        problems.append(_('Unknown support type "%(model)s": line skipped.', model=model_text))
        return None
    agency_type = _text(values["TYPE"])
    agency_type = None if agency_type.casefold() in MISSING else agency_type[:60]
    return Row(
        line=number,
        state=state,
        agency=agency[:200],
        agency_type=agency_type,
        county_fips=_county(state, _text(values["COUNTY"]), agency_type, counties, problems),
        model=model,
        signed_on=_signed_on(values["SIGNED"], problems),
        document_url=_link("MOA", values.get("MOA"), links.get("MOA"), problems),
        addendum_url=_link("ADDENDUM", values.get("ADDENDUM"), links.get("ADDENDUM"), problems),
    )


@functools.cache
def _state_codes() -> tuple[frozenset[str], dict[str, str]]:
    """The postal codes, and the code of each folded state name (read once: the list is a file)."""
    names = state_names()
    return frozenset(names), {name.casefold(): code for code, name in names.items()}


def state_code(text: str) -> str | None:
    """ "WI", "wi", "Wisconsin" or "WISCONSIN" -> "WI"; None for anything else."""
    codes, by_name = _state_codes()
    if text.upper() in codes:
        return text.upper()
    return by_name.get(" ".join(text.casefold().split()))


def fold_county(name: str) -> str:
    """ "St. Louis County", "Saint Louis" and "ST LOUIS" are one county; "Baltimore city"
    and "Baltimore County" stay two."""
    text = fold_words(name.replace("'", "").replace("\u2019", ""))
    text = re.sub(r"\bsainte\b", "ste", re.sub(r"\bsaint\b", "st", text))
    return COUNTY_SUFFIXES.sub("", text)


class CountyNames:
    """County FIPS by folded name, one query per state of the file."""

    def __init__(self):
        self.by_state: dict[str, dict[str, str]] = {}

    def find(self, state: str, name: str) -> str | None:
        if state not in self.by_state:
            rows = db.session.execute(select(County.name, County.fips).where(County.state == state))
            self.by_state[state] = {fold_county(county_name): fips for county_name, fips in rows}
        return self.by_state[state].get(fold_county(name))


def _county(state: str, text: str, agency_type: str | None, counties: CountyNames, problems: list[str]):
    if text.casefold() in MISSING:
        if "state" not in (agency_type or "").casefold():  # a state agency works statewide
            problems.append(_("No county given: the agreement is kept, on no county's page."))
        return None
    fips = counties.find(state, text)
    if fips is None:
        problems.append(
            _(
                'Unknown county "%(county)s" in %(state)s: the agreement is kept, on no county\'s page.',
                county=text,
                state=state,
            )
        )
    return fips


def _signed_on(value, problems: list[str]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial_date(value, str(value), problems)
    text = _text(value)
    if text.casefold() in MISSING:
        problems.append(_("No date signed."))
        return None
    if re.fullmatch(r"[0-9]{5}(\.[0-9]+)?", text):
        return _serial_date(float(text), text, problems)
    text = re.sub(r"\s+[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$", "", text)  # "2025-05-08 00:00:00"
    if text.isascii():  # strptime's \d takes the digits of every script
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    problems.append(_('Unreadable date signed "%(value)s": left empty.', value=text))
    return None


def _serial_date(serial: float, text: str, problems: list[str]) -> date | None:
    """An Excel day number (45662 is 2025-01-05)."""
    if 0 < serial < 200_000:
        signed = EXCEL_EPOCH + timedelta(days=int(serial))
        if SERIAL_YEARS[0] <= signed.year <= SERIAL_YEARS[1]:
            return signed
    problems.append(_('Unreadable date signed "%(value)s": left empty.', value=text))
    return None


def _web_address(text: str | None) -> str | None:
    try:
        return web_link(clean_control(text, multiline=False), "file")
    except DomainError:
        return None


def _link(column: str, value, hyperlink: str | None, problems: list[str]) -> str | None:
    text = _text(value)
    found = _web_address(hyperlink) or _web_address(text)
    if found or text.casefold() in MISSING:
        return found
    problems.append(_('%(column)s: "%(value)s" is not a link: left empty.', column=column, value=text))
    return None
