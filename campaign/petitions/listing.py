"""The organizers' list of a petition's signatures: one filter object, read once from the
query string and passed everywhere (the page, its links, the redirect after an action, and
later search and actions on everything a filter matches), and one page of rows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from campaign.core.errors import NotFound
from campaign.core.text import clean_referral
from campaign.extensions import db
from campaign.geo.models import County
from campaign.petitions.models import Petition, Signature, SignatureSource, SignatureStatus

PAGE_SIZE = 100
# ASCII digits only: `\d` would take other scripts' digits.
FIPS_PATTERN = re.compile(r"[0-9]{5}")

STATUS_LABELS = {
    SignatureStatus.CONFIRMED: _l("Confirmed"),
    SignatureStatus.PENDING: _l("Pending"),
    SignatureStatus.INVALIDATED: _l("Invalidated"),
}
CHANNEL_LABELS = {SignatureSource.ONLINE: _l("Online"), SignatureSource.PAPER: _l("Paper")}


@dataclass(frozen=True)
class SignatureFilter:
    """Which signatures of a petition an organizer is looking at. The query parameters are
    `status`, `county` (FIPS), `channel` (online, paper) and `source` (referral code)."""

    status: SignatureStatus | None = None
    county_fips: str | None = None
    channel: SignatureSource | None = None
    referral: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SignatureFilter:
        """An unknown status or channel means no filter, as does a source code that could not
        be one; a county that cannot exist is a 404 (a list of nobody would look like a
        county with no signers)."""
        status = args.get("status") or ""
        channel = args.get("channel") or ""
        county = args.get("county") or ""
        if county and (not FIPS_PATTERN.fullmatch(county) or db.session.get(County, county) is None):
            raise NotFound(_("There is no county with this code."))
        return cls(
            status=_member(SignatureStatus, status),
            county_fips=county or None,
            channel=_member(SignatureSource, channel),
            referral=clean_referral(args.get("source")),
        )

    def to_args(self) -> dict[str, str]:
        """The query parameters that give this filter back (for links and redirects)."""
        args = {
            "status": self.status.value if self.status else None,
            "county": self.county_fips,
            "channel": self.channel.value if self.channel else None,
            "source": self.referral,
        }
        return {key: value for key, value in args.items() if value}

    def with_status(self, status: SignatureStatus | None) -> SignatureFilter:
        """The same filter on another status tab."""
        return replace(self, status=status)

    @property
    def active(self) -> bool:
        return bool(self.to_args())

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
        return labels

    def conditions(self, petition: Petition, with_status: bool = True) -> list[ColumnElement[bool]]:
        """The WHERE clauses of the signatures this filter matches (all served by the
        petition_id-first indexes)."""
        clauses = [Signature.petition_id == petition.id]
        if with_status and self.status:
            clauses.append(Signature.status == self.status)
        if self.county_fips:
            clauses.append(Signature.county_fips == self.county_fips)
        if self.channel:
            clauses.append(Signature.source == self.channel)
        if self.referral:
            clauses.append(Signature.referral == self.referral)
        return clauses


def _member(kind, value: str):
    return kind(value) if value in {member.value for member in kind} else None


@dataclass(frozen=True)
class Page:
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

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


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
