"""The supporter search's filter: read once from the query string (a name, a mailbox, a
domain, a ZIP code or a phone number, and the action, county, status, source, days, language
and consent), and turned into conditions on each kind of action row (supporters.search)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select

from campaign.campaigns.models import Campaign
from campaign.core.errors import DomainError, NotFound
from campaign.core.text import clean_control, clean_referral, name_key, phone_digits
from campaign.extensions import db
from campaign.geo.models import County
from campaign.geo.services import counties_in_state, county_zone
from campaign.people.models import Person
from campaign.people.services import normalize_email
from campaign.supporters.kinds import KIND_BY_PREFIX, STATUS_LABELS, Action, Kind, Status

MAX_QUERY = 200
# The query parameters of a filter; anything else in an export's address is refused.
FILTER_KEYS = frozenset({"q", "action", "county", "status", "source", "since", "until", "language", "consent"})
LANGUAGES = {"en": _l("English"), "es": _l("Spanish")}

FIPS_PATTERN = re.compile(r"[0-9]{5}")
ZIP_PATTERN = re.compile(r"[0-9]{5}")
# Years a campaign's records can have: no date arithmetic near year 1 or 9999 to overflow.
DATE_PATTERN = re.compile(r"(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}")
# Digits with the punctuation people type in phone numbers.
PHONE_PATTERN = re.compile(r"\+?[0-9 ().-]+")
MIN_PHONE_DIGITS = 7
# Searches whose text is a supporter's own details (a ZIP code or a mail domain is not).
PERSONAL_SEARCHES = frozenset({"name", "email", "phone"})
# The highest code point: every string starting with a prefix sorts below prefix + this.
TOP_CHARACTER = chr(0x10FFFF)


class BadFilter(DomainError):
    """A filter parameter that cannot be read: the page says which, beside its field."""

    status_code = 400


def county_choices(campaign: Campaign, picked: str | None) -> list[County]:
    """The counties of the campaign's state, and the one a link picked elsewhere (a
    supporter out of state, from a dashboard map)."""
    counties = counties_in_state(campaign.state)
    other = db.session.get(County, (picked or "")[:5])
    if other is not None and other not in counties:
        counties.append(other)
    return counties


@dataclass(frozen=True)
class Search:
    """What `q` was read as: a name prefix, a mailbox, a mail domain, a ZIP code or a phone."""

    text: str
    by: str  # "name", "email", "domain", "zip", "phone"
    values: tuple[str, ...]

    @property
    def pinpoints(self) -> bool:
        """A mailbox or a phone number finds a handful of rows, whatever the petition's size."""
        return self.by in ("email", "phone")

    @classmethod
    def read(cls, raw: str | None) -> Search | None:
        text = clean_control(raw or "", multiline=False)
        if not text:
            return None
        if len(text) > MAX_QUERY:
            message = _(
                "Search for at most %(count)s characters: a name, an email address, a ZIP code or a phone number.",
                count=MAX_QUERY,
            )
            raise BadFilter(message, field="q")
        if text.startswith("@"):
            return cls(text, "domain", (_mail_domain(text[1:]),))
        if "@" in text:
            try:
                return cls(text, "email", (normalize_email(text),))
            except DomainError as error:
                raise BadFilter(error.message, field="q") from None
        if ZIP_PATTERN.fullmatch(text):
            return cls(text, "zip", (text,))
        digits = phone_digits(text) or ""
        if PHONE_PATTERN.fullmatch(text) and len(digits) >= MIN_PHONE_DIGITS:
            return cls(text, "phone", _phone_forms(digits))
        prefix = name_key(text, "")
        if not prefix:
            raise BadFilter(_("Search by a name, an email address, a ZIP code or a phone number."), field="q")
        return cls(text, "name", (prefix,))


def _mail_domain(raw: str) -> str:
    """A domain as people.email_domain keeps it (Googlemail is Gmail there)."""
    domain = raw.strip().lower()
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?", domain) or ".." in domain:
        raise BadFilter(_("Write a mail domain after the @, like @example.org."), field="q")
    return "gmail.com" if domain == "googlemail.com" else domain


def _phone_forms(digits: str) -> tuple[str, ...]:
    """A US number with or without its leading 1: people type both."""
    if len(digits) == 11 and digits.startswith("1"):
        return digits, digits[1:]
    if len(digits) == 10:
        return digits, f"1{digits}"
    return (digits,)


def name_prefix(column, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, in a form the engine's index on it serves: a LIKE on
    PostgreSQL (its index uses text_pattern_ops), a range on SQLite (its LIKE ignores indexes)."""
    if db.session.get_bind().dialect.name == "postgresql":
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(f"{escaped}%", escape="\\")
    return (column >= prefix) & (column < prefix + TOP_CHARACTER)


@dataclass(frozen=True)
class SupporterFilter:
    """Which supporters of a campaign an organizer is looking at. The query parameters are
    `q`, `action` (petition:<slug>, pledge:<slug>, forum:<slug>), `county` (FIPS), `status`
    (active, pending, removed), `source` (referral code), `since` and `until` (YYYY-MM-DD, days
    in the campaign's time zone), `language` (en, es) and `consent` (yes, no: email updates)."""

    search: Search | None = None
    action: Action | None = None
    county_fips: str | None = None
    status: Status | None = None
    referral: str | None = None
    since: date | None = None
    until: date | None = None
    language: str | None = None
    consent: bool | None = None
    # The days as instants: from the start of `since` to the end of `until`, campaign time.
    starts_at: datetime | None = None
    ends_before: datetime | None = None

    @classmethod
    def from_args(cls, campaign: Campaign, args: Mapping[str, str], strict: bool = False) -> SupporterFilter:
        """A parameter that cannot be read is a BadFilter beside its field; an action of
        another campaign or a county that does not exist is a 404. `strict` also refuses
        parameters that are no filter (an export says exactly what it exports)."""
        if strict:
            unknown = sorted(set(args) - FILTER_KEYS - {"lang"})
            if unknown:
                shown = clean_control(unknown[0], multiline=False)[:40]
                raise BadFilter(_("%(name)s is not a filter that can be used here.", name=shown))
        since = _day(args.get("since"), "since")
        until = _day(args.get("until"), "until")
        if since and until and since > until:
            raise BadFilter(_("The first day comes after the last day."), field="until")
        zone = county_zone(campaign.county) if since or until else None
        return cls(
            search=Search.read(args.get("q")),
            action=_action(campaign, args.get("action")),
            county_fips=_county(args.get("county")),
            status=_choice(args.get("status"), {status.value: status for status in Status}, "status"),
            referral=_referral(args.get("source")),
            since=since,
            until=until,
            language=_choice(args.get("language"), {code: code for code in LANGUAGES}, "language"),
            consent=_choice(args.get("consent"), {"yes": True, "no": False}, "consent"),
            starts_at=datetime.combine(since, time.min, tzinfo=zone).astimezone(UTC) if since else None,
            ends_before=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
            if until
            else None,
        )

    def to_args(self) -> dict[str, str]:
        """The query parameters that give this filter back (for links and the audit log)."""
        args = {
            "q": self.search.text if self.search else None,
            "action": self.action.key if self.action else None,
            "county": self.county_fips,
            "status": self.status.value if self.status else None,
            "source": self.referral,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "language": self.language,
            "consent": None if self.consent is None else ("yes" if self.consent else "no"),
        }
        return {key: value for key, value in args.items() if value}

    def audit_args(self) -> dict[str, str]:
        """The parameters as the audit log keeps them: a search for a name, an email or a
        phone is written as what it searched by ("<email>"), never the supporter's details."""
        args = self.to_args()
        if self.search and self.search.by in PERSONAL_SEARCHES:
            args["q"] = f"<{self.search.by}>"
        return args

    @property
    def active(self) -> bool:
        return bool(self.to_args())

    def describe(self) -> list[str]:
        """The active filters as a person reads them: "County: Brown County, WI"."""
        labels = []
        if self.search:
            labels.append(_("Search: %(text)s", text=self.search.text))
        if self.action:
            labels.append(self.action.label)
        if self.county_fips:
            county = db.session.get(County, self.county_fips)
            labels.append(_("County: %(county)s", county=county.label))
        if self.status:
            labels.append(_("Status: %(status)s", status=STATUS_LABELS[self.status]))
        if self.referral:
            labels.append(_("Source: %(source)s", source=self.referral))
        if self.since:
            labels.append(_("From %(day)s", day=self.since.isoformat()))
        if self.until:
            labels.append(_("Until %(day)s", day=self.until.isoformat()))
        if self.language:
            labels.append(_("Language: %(language)s", language=LANGUAGES[self.language]))
        if self.consent is not None:
            labels.append(_("Email updates: yes") if self.consent else _("Email updates: no"))
        return labels

    def matches_kind(self, kind: Kind) -> bool:
        """Whether rows of `kind` can match at all (only signatures have a phone, no
        commitment is ever removed): a branch that cannot is left out, not queried."""
        if self.action and self.action.kind is not kind:
            return False
        if self.search and self.search.by == "phone" and not kind.has_phone:
            return False
        return not (self.status and not kind.statuses[self.status])

    def conditions(self, kind: Kind) -> list[ColumnElement[bool]]:
        """The WHERE clauses on rows of `kind` (the action restriction apart)."""
        row = kind.row
        clauses = []
        if self.search:
            clauses.append(_search_clause(kind, self.search))
        if self.county_fips:
            clauses.append(row.county_fips == self.county_fips)
        if self.status:
            clauses.append(row.status.in_(kind.statuses[self.status]))
        if self.referral:
            clauses.append(row.referral == self.referral)
        if self.starts_at:
            clauses.append(row.created_at >= self.starts_at)
        if self.ends_before:
            clauses.append(row.created_at < self.ends_before)
        if self.language:
            clauses.append(row.locale == self.language)
        if self.consent is not None:
            clauses.append(row.email_updates.is_(self.consent))
        return clauses


def _search_clause(kind: Kind, search: Search) -> ColumnElement[bool]:
    row = kind.row
    if search.by == "name":
        return name_prefix(row.name_key, search.values[0])
    if search.by == "zip":
        return row.zip_code == search.values[0]
    if search.by == "phone":
        return row.phone_digits.in_(search.values)
    # The mailbox's people first (a household may be several), then their rows by person_id.
    column = Person.email_normalized if search.by == "email" else Person.email_domain
    return row.person_id.in_(select(Person.id).where(column == search.values[0]))


def _day(raw: str | None, name: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        if DATE_PATTERN.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise BadFilter(_("Enter a date as YYYY-MM-DD, like 2025-03-31."), field=name)


def _choice(raw: str | None, choices: Mapping[str, object], name: str):
    text = (raw or "").strip()
    if not text:
        return None
    if text not in choices:
        raise BadFilter(_("Choose one of the options offered."), field=name)
    return choices[text]


def _referral(raw: str | None) -> str | None:
    if not (raw or "").strip():
        return None
    referral = clean_referral(raw)
    if referral is None:
        raise BadFilter(
            _("A source code has at most 40 lower-case letters, digits, - and _, like lwv-brown."), field="source"
        )
    return referral


def _county(raw: str | None) -> str | None:
    fips = (raw or "").strip()
    if not fips:
        return None
    if not FIPS_PATTERN.fullmatch(fips) or db.session.get(County, fips) is None:
        raise NotFound(_("There is no county with this code."), field="county")
    return fips


def _action(campaign: Campaign, raw: str | None) -> Action | None:
    text = (raw or "").strip()
    if not text:
        return None
    prefix, _colon, slug = text.partition(":")
    kind = KIND_BY_PREFIX.get(prefix)
    if kind is not None and slug:
        model = kind.action
        found = db.session.execute(
            select(model.id, model.slug, model.title).where(model.slug == slug, model.campaign_id == campaign.id)
        ).first()
        if found is not None:
            return Action(kind, *found)
    raise NotFound(_("This campaign has no such petition, pledge or forum."), field="action")


# --- the list ------------------------------------------------------------------------------
