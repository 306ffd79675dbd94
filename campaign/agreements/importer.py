"""Cleaning the lines of ICE's participating-agencies spreadsheet (read by importer_files.py)
into rows and per-line problems: states, counties, support types, dates signed and links.
Nothing here writes to the database.

The columns are found by their header names, in any order and case, in the first
HEADER_SEARCH_ROWS rows (the sheet may have title lines above them). MOA and ADDENDUM are
optional: some of ICE's sheets have no ADDENDUM column, and an agreement without a link is
still an agreement. A link is the cell's hyperlink when it has one (ICE's MOA cell says
"link"), else the cell's text."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from campaign.agreements.importer_files import MAX_LINES, Line, file_lines, too_many_lines
from campaign.agreements.models import AgreementModel, fold_agency
from campaign.core.errors import DomainError
from campaign.core.text import clean_control, fold_words
from campaign.core.urls import web_link
from campaign.extensions import db
from campaign.geo.data import state_names
from campaign.geo.models import County

HEADER_SEARCH_ROWS = 10
REQUIRED = ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED")
OPTIONAL = ("MOA", "ADDENDUM")
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
    return _parse(file_lines(file_name, data, max_bytes))


# --- the header and the rows -------------------------------------------------------------


def _header_key(value) -> str:
    return " ".join(str(value).upper().split()) if value is not None else ""


def _find_header(lines: Iterator[Line]) -> dict[str, int]:
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


def _parse(lines: Iterator[Line]) -> ParsedFile:
    lines = iter(lines)
    columns = _find_header(lines)
    parsed = ParsedFile()
    seen: dict[tuple, int] = {}
    counties = CountyNames()
    for number, cells, links in lines:
        # Counted here, on the numbers the user sees: openpyxl fills in the rows a sheet skips,
        # and a CSV line number skips the line breaks inside quoted cells.
        if number > MAX_LINES:
            raise too_many_lines()
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
