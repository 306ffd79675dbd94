"""ZIP code to county, built on the zipcodes package (USPS data) and addfips (Census FIPS)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import addfips
import zipcodes
from flask_babel import gettext as _
from sqlalchemy import select

from campaign.core.errors import DomainError, NotFound
from campaign.core.guard import PROCESS_EXITS
from campaign.core.text import clean_control
from campaign.extensions import db
from campaign.geo.models import County

# [0-9], never \d: the zipcodes package panics on digits of other scripts ("５４３０１").
ZIP_PATTERN = re.compile(r"[0-9]{5}")
ZIP_PLUS_FOUR = re.compile(r"[0-9]{5}-[0-9]{4}")
FIPS_PATTERN = re.compile(r"[0-9]{5}")
# IANA names are short ("America/Argentina/ComodRivadavia" is among the longest).
MAX_ZONE_NAME = 64
# Names such as Etc/GMT+5 and America/Port-au-Prince: no dots, so no way up a folder.
ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")


@dataclass(frozen=True)
class ZipLookup:
    """What a ZIP tells us. `county` is None when it cannot be told apart: the person picks
    from `state_counties` (their state's list) instead."""

    zip_code: str
    city: str
    state: str
    county: County | None
    state_counties: list[County] = field(default_factory=list)


@cache
def _fips_finder() -> addfips.AddFIPS:
    return addfips.AddFIPS()


def normalize_zip(raw: str | None) -> str:
    """Five digits, or a DomainError naming the problem. ZIP+4 is accepted and shortened."""
    value = (raw or "").strip()
    if ZIP_PLUS_FOUR.fullmatch(value):
        value = value[:5]
    if not ZIP_PATTERN.fullmatch(value):
        raise _not_a_zip()
    return value


def _not_a_zip() -> DomainError:
    return DomainError(_("Enter a 5-digit ZIP code."), field="zip_code")


def _county_fips(county_name: str, state: str) -> str | None:
    finder = _fips_finder()
    # USPS spells "St Louis County"; the Census list spells "St. Louis County".
    for name in (county_name, re.sub(r"^St ", "St. ", county_name), county_name.replace(" ", "")):
        fips = finder.get_county_fips(name, state=state)
        if fips:
            return fips
    return None


@lru_cache(maxsize=65_536)
def _zip_record(zip_code: str) -> tuple[str, str, str | None] | None:
    """(city, state, county FIPS) from the packaged USPS list. Cached: the lookup scans the
    list (about 2 ms), and a paper import asks for the same few ZIP codes thousands of times."""
    try:
        matches = zipcodes.matching(zip_code)
    except PROCESS_EXITS:
        raise
    except BaseException:  # a Rust panic (a BaseException) would end the worker: input it cannot take
        raise _not_a_zip() from None
    if not matches:
        return None
    record = matches[0]
    fips = _county_fips(record["county"], record["state"]) if record.get("county") else None
    return record["city"].title(), record["state"], fips


def lookup_zip(raw: str | None) -> ZipLookup:
    zip_code = normalize_zip(raw)
    record = _zip_record(zip_code)
    if record is None:
        raise NotFound(_("We don't know the ZIP code %(zip)s. Check it and try again.", zip=zip_code), field="zip_code")
    city, state, fips = record
    county = db.session.get(County, fips) if fips else None
    # A county from another state is a data error in the ZIP list: let the person choose.
    if county is not None and county.state != state:
        county = None
    state_counties = [] if county else counties_in_state(state)
    return ZipLookup(zip_code, city, state, county, state_counties)


def counties_in_state(state: str) -> list[County]:
    return list(db.session.scalars(select(County).where(County.state == state.upper()).order_by(County.name)))


def get_county(fips: str) -> County:
    county = db.session.get(County, (fips or "").strip())
    if county is None:
        raise NotFound(_("No county has the FIPS code %(fips)s.", fips=fips), field="county")
    return county


def resolve_county(text: str | None) -> County:
    """A county from a FIPS code ("55009") or a label ("Brown County, WI" / "Brown, WI")."""
    value = (text or "").strip()
    if FIPS_PATTERN.fullmatch(value):
        return get_county(value)
    name, _comma, state = value.rpartition(",")
    fips = _county_fips(name.strip(), state.strip().upper()) if name and state.strip() else None
    if fips is None:
        message = _(
            'We could not find the county "%(text)s". '
            'Use a FIPS code such as 55009 or a name such as "Brown County, WI".',
            text=value,
        )
        raise NotFound(message, field="county")
    return get_county(fips)


_TIMEZONES_LOCK = threading.Lock()


def _timezones_by_county() -> dict[tuple[str, str], str]:
    """Built once per process (about a second: the whole ZIP list), by one thread while the
    others of a fresh worker wait, instead of all of them building it at once."""
    with _TIMEZONES_LOCK:
        return _build_timezones_by_county()


@cache
def _build_timezones_by_county() -> dict[tuple[str, str], str]:
    """The most common time zone of each (state, county name) in the ZIP code list."""
    seen: dict[tuple[str, str], Counter] = {}
    for record in zipcodes.list_all():
        if record.get("county") and record.get("timezone"):
            for key in ((record["state"], record["county"]), (record["state"], "")):
                seen.setdefault(key, Counter())[record["timezone"]] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in seen.items()}


def county_timezone(county: County) -> str:
    """The IANA time zone most of a county's ZIP codes are in (its state's, failing that)."""
    zones = _timezones_by_county()
    usps_name = county.name.replace("St. ", "St ")
    return zones.get((county.state, usps_name)) or zones.get((county.state, "")) or "America/New_York"


def county_zone(county: County) -> ZoneInfo:
    """The clock of a county (a campaign's, for days, meetings and schedules)."""
    return zone_for(county_timezone(county))


def zone_for(name: str | None) -> ZoneInfo:
    """The IANA time zone called `name`, or a DomainError beside the time zone field. ZoneInfo
    reads files named after the zone: a folder ("America") or a path is refused first."""
    value = name or ""
    try:
        if len(value) <= MAX_ZONE_NAME and ZONE_NAME.fullmatch(value):
            return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # IsADirectoryError is an OSError
        pass
    shown = clean_control(value, multiline=False)[:MAX_ZONE_NAME]
    raise DomainError(_("%(zone)s is not a time zone we know, such as America/Chicago.", zone=shown), field="timezone")
