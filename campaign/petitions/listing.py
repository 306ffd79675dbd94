"""The organizers' list of a petition's signatures: one filter object, read once from the
query string and passed everywhere (the page, its links, the redirect after an action, and
later search and actions on everything a filter matches), and one page of rows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from campaign.core.errors import DomainError, NotFound
from campaign.core.pagination import PageRange
from campaign.core.text import INT_MAX, ascii_int, clean_referral
from campaign.extensions import db
from campaign.geo.models import County
from campaign.people.models import Person
from campaign.petitions.models import Petition, Signature, SignatureSource, SignatureStatus

PAGE_SIZE = 100
# ASCII digits only: `\d` would take other scripts' digits.
FIPS_PATTERN = re.compile(r"[0-9]{5}")
MIN_YEAR, MAX_YEAR = 2000, 2999
IP_HASH_PATTERN = re.compile(r"[0-9a-f]{64}")  # core.hashing.ip_hash: a hex SHA-256
DOMAIN_PATTERN = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")  # people.email_domain, accents kept

STATUS_LABELS = {
    SignatureStatus.CONFIRMED: _l("Confirmed"),
    SignatureStatus.PENDING: _l("Pending"),
    SignatureStatus.INVALIDATED: _l("Invalidated"),
}
CHANNEL_LABELS = {SignatureSource.ONLINE: _l("Online"), SignatureSource.PAPER: _l("Paper")}


@dataclass(frozen=True)
class SignatureFilter:
    """Which signatures of a petition an organizer is looking at. The query parameters are
    `status`, `county` (FIPS), `channel` (online, paper), `source` (referral code), and the
    fraud panel's `ip` (an IP hash), `domain` (an email domain), `mailbox` (the id of one
    person on a mailbox: every person sharing it; an id, so no address ever sits in a link,
    a log or the audit record of a bulk action), `since` and `until` (UTC, ISO 8601,
    `since` included and `until` left out)."""

    status: SignatureStatus | None = None
    county_fips: str | None = None
    channel: SignatureSource | None = None
    referral: str | None = None
    ip_hash: str | None = None
    email_domain: str | None = None
    mailbox: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SignatureFilter:
        """An unknown status or channel means no filter, as does a source code, IP hash,
        domain or mailbox that could not be one; a county that cannot exist is a 404 (a list
        of nobody would look like a county with no signers). A time that cannot be read is a
        400: dropping it would quietly widen the window a bulk action then applies to."""
        status = args.get("status") or ""
        channel = args.get("channel") or ""
        county = args.get("county") or ""
        if county and (not FIPS_PATTERN.fullmatch(county) or db.session.get(County, county) is None):
            raise NotFound(_("There is no county with this code."))
        ip = (args.get("ip") or "").lower()
        domain = (args.get("domain") or "").strip().lower()
        return cls(
            status=_member(SignatureStatus, status),
            county_fips=county or None,
            channel=_member(SignatureSource, channel),
            referral=clean_referral(args.get("source")),
            ip_hash=ip if IP_HASH_PATTERN.fullmatch(ip) else None,
            email_domain=domain if DOMAIN_PATTERN.fullmatch(domain) else None,
            mailbox=ascii_int(args.get("mailbox") or "", 1, INT_MAX),
            since=_utc_time(args.get("since"), "since"),
            until=_utc_time(args.get("until"), "until"),
        )

    def to_args(self) -> dict[str, str]:
        """The query parameters that give this filter back (for links and redirects)."""
        args = {
            "status": self.status.value if self.status else None,
            "county": self.county_fips,
            "channel": self.channel.value if self.channel else None,
            "source": self.referral,
            "ip": self.ip_hash,
            "domain": self.email_domain,
            "mailbox": str(self.mailbox) if self.mailbox else None,
            "since": _iso(self.since),
            "until": _iso(self.until),
        }
        return {key: value for key, value in args.items() if value}

    def with_status(self, status: SignatureStatus | None) -> SignatureFilter:
        """The same filter on another status tab."""
        return replace(self, status=status)

    @property
    def active(self) -> bool:
        return bool(self.to_args())

    @property
    def narrows(self) -> bool:
        """Whether it picks out signatures by where or when they came from, not only by
        status (bulk moderation asks for this: "every confirmed signature" is the petition)."""
        return bool(self.with_status(None).to_args())

    def describe(self) -> list[str]:
        """The active filters as a person reads them: "County: Brown County, WI"."""
        labels = []
        if self.status:
            labels.append(_("Status: %(status)s", status=STATUS_LABELS[self.status]))
        if self.county_fips:
            county = db.session.get(County, self.county_fips)
            labels.append(_("County: %(county)s", county=county.label if county else self.county_fips))
        if self.channel:
            labels.append(_("Channel: %(channel)s", channel=CHANNEL_LABELS[self.channel]))
        if self.referral:
            labels.append(_("Source: %(source)s", source=self.referral))
        if self.ip_hash:
            labels.append(_("IP hash: %(hash)s…", hash=self.ip_hash[:12]))
        if self.email_domain:
            labels.append(_("Email domain: %(domain)s", domain=self.email_domain))
        if self.mailbox:
            canonical = db.session.scalar(select(Person.email_normalized).where(Person.id == self.mailbox))
            labels.append(_("Mailbox: %(mailbox)s", mailbox=masked_mailbox(canonical)))
        if self.since:
            labels.append(_("From: %(time)s UTC", time=self.since.strftime("%Y-%m-%d %H:%M:%S")))
        if self.until:
            labels.append(_("Before: %(time)s UTC", time=self.until.strftime("%Y-%m-%d %H:%M:%S")))
        return labels

    def conditions(self, petition: Petition, with_status: bool = True) -> list[ColumnElement[bool]]:
        """The WHERE clauses of the signatures this filter matches (all served by the
        petition_id-first indexes; a domain or mailbox through the people's indexes)."""
        clauses = [Signature.petition_id == petition.id]
        if with_status and self.status:
            clauses.append(Signature.status == self.status)
        if self.county_fips:
            clauses.append(Signature.county_fips == self.county_fips)
        if self.channel:
            clauses.append(Signature.source == self.channel)
        if self.referral:
            clauses.append(Signature.referral == self.referral)
        if self.ip_hash:
            clauses.append(Signature.ip_hash == self.ip_hash)
        if self.email_domain:
            clauses.append(Signature.person_id.in_(select(Person.id).where(Person.email_domain == self.email_domain)))
        if self.mailbox:
            mailbox = select(Person.email_normalized).where(Person.id == self.mailbox).scalar_subquery()
            clauses.append(Signature.person_id.in_(select(Person.id).where(Person.email_normalized == mailbox)))
        if self.since:
            clauses.append(Signature.created_at >= self.since)
        if self.until:
            clauses.append(Signature.created_at < self.until)
        return clauses


def masked_mailbox(canonical: str | None) -> str:
    """A mailbox as organizers see it in the fraud panel and the filter: its first letter
    and its domain ("m…@gmail.com"), enough to tell groups apart without showing an address."""
    if not canonical:
        return _("(erased)")
    local, _at, domain = canonical.rpartition("@")
    return f"{local[:1]}…@{domain}"


def _utc_time(raw: str | None, field: str) -> datetime | None:
    """An ISO 8601 time; one without a zone is UTC."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text) if len(text) <= 40 else None
    except ValueError:
        moment = None
    # Only years a signature can have: near year 1 or 9999 a zone offset overflows, and a
    # year before 1000 would not be written back as four digits.
    if moment is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise DomainError(_("Give a time like 2026-05-01T18:30:00 (UTC), or none."), field=field)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else None


def _member(kind, value: str):
    return kind(value) if value in {member.value for member in kind} else None


@dataclass(frozen=True)
class Page(PageRange):
    rows: list[Signature]
    number: int
    size: int
    has_more: bool
    # Under the filter's other conditions, whatever its status: the counts of the status tabs.
    counts_by_status: dict[SignatureStatus, int]
    status: SignatureStatus | None

    @property
    def total(self) -> int:
        """Signatures the filter matches, on every page."""
        if self.status:
            return self.counts_by_status.get(self.status, 0)
        return sum(self.counts_by_status.values())


def signature_page(petition: Petition, wanted: SignatureFilter, page: int, size: int = PAGE_SIZE) -> Page:
    """The page'th `size` signatures `wanted` matches, newest first, with their counties,
    and the counts per status under the other conditions: two queries and one for counties."""
    query = (
        select(Signature)
        .where(*wanted.conditions(petition))
        .order_by(Signature.id.desc())
        .limit(size + 1)
        .offset((page - 1) * size)
        .options(selectinload(Signature.county))
    )
    rows = list(db.session.scalars(query))
    per_status = (
        select(Signature.status, func.count())
        .where(*wanted.conditions(petition, with_status=False))
        .group_by(Signature.status)
    )
    counts = {SignatureStatus(status): number for status, number in db.session.execute(per_status)}
    return Page(
        rows=rows[:size],
        number=page,
        size=size,
        has_more=len(rows) > size,
        counts_by_status=counts,
        status=wanted.status,
    )
