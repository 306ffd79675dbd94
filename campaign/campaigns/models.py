from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, LargeBinary, String, Table, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from campaign.agreements.models import Agreement
from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db
from campaign.geo.models import County
from campaign.officials.models import Official


class Organization(db.Model):
    """A group that runs campaigns or partners in them."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))  # public contact address
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"  # organizers only
    ACTIVE = "active"
    WON = "won"  # the agreement was rescinded
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def is_public(self) -> bool:
        return self is not CampaignStatus.DRAFT


STATUS_LABELS = {
    CampaignStatus.DRAFT: _l("Draft"),
    CampaignStatus.ACTIVE: _l("Active"),
    CampaignStatus.WON: _l("Won"),
    CampaignStatus.CLOSED: _l("Closed"),
}

campaign_partners = Table(
    "campaign_partners",
    db.Model.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
)

campaign_targets = Table(
    "campaign_targets",
    db.Model.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("official_id", ForeignKey("officials.id", ondelete="CASCADE"), primary_key=True),
)


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")  # Markdown
    summary_es: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(2))
    county_fips: Mapped[str] = mapped_column(ForeignKey("counties.fips"), index=True)
    status: Mapped[CampaignStatus] = mapped_column(StrEnumType(CampaignStatus, 20), default=CampaignStatus.DRAFT)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"), index=True)
    # Know Your Rights, written by the organizers (Markdown); empty: the app's general text.
    rights: Mapped[str | None] = mapped_column(Text)
    rights_es: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    county: Mapped[County] = relationship()
    organization: Mapped[Organization] = relationship()
    agreement: Mapped[Agreement | None] = relationship()
    partners: Mapped[list[Organization]] = relationship(secondary=campaign_partners, order_by=Organization.name)
    targets: Mapped[list[Official]] = relationship(secondary=campaign_targets, order_by=Official.name)


class ShareTarget(enum.StrEnum):
    """The public action a share link opens."""

    PETITION = "petition"
    PLEDGE = "pledge"
    FORUM = "forum"

    @property
    def endpoint(self) -> str:
        return f"{self.value}s.show"

    @property
    def label(self) -> str:
        return str(SHARE_TARGET_LABELS[self])


SHARE_TARGET_LABELS = {
    ShareTarget.PETITION: _l("Petition"),
    ShareTarget.PLEDGE: _l("Pledge"),
    ShareTarget.FORUM: _l("Forum"),
}


class ShareLink(db.Model):
    """A short link (/s/<code>) that opens a petition, pledge or forum with `?source=<code>`,
    so the actions it brings are counted for the partner organization it was made for."""

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # core.text.clean_referral's shape
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    target: Mapped[ShareTarget] = mapped_column(StrEnumType(ShareTarget))
    target_slug: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(String(200))  # "flyers at the library"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship(backref=backref("share_links", order_by="ShareLink.code"))
    organization: Mapped[Organization | None] = relationship()


class DocumentKind(enum.StrEnum):
    AGREEMENT = "agreement"
    BUDGET = "budget"
    DETENTION_CONTRACT = "detention_contract"
    RECORDS_REQUEST = "records_request"
    REPORT = "report"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(DOCUMENT_KIND_LABELS[self])


DOCUMENT_KIND_LABELS = {
    DocumentKind.AGREEMENT: _l("Agreement"),
    DocumentKind.BUDGET: _l("Budget"),
    DocumentKind.DETENTION_CONTRACT: _l("Detention contract"),
    DocumentKind.RECORDS_REQUEST: _l("Public-records request"),
    DocumentKind.REPORT: _l("Report"),
    DocumentKind.OTHER: _l("Other"),
}


class RequestStatus(enum.StrEnum):
    """Where a public-records request stands."""

    DRAFTING = "drafting"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    FULFILLED = "fulfilled"
    PARTIAL = "partial"
    DENIED = "denied"

    @property
    def label(self) -> str:
        return str(REQUEST_STATUS_LABELS[self])


REQUEST_STATUS_LABELS = {
    RequestStatus.DRAFTING: _l("Being drafted"),
    RequestStatus.SENT: _l("Sent"),
    RequestStatus.ACKNOWLEDGED: _l("Acknowledged"),
    RequestStatus.FULFILLED: _l("Fulfilled"),
    RequestStatus.PARTIAL: _l("Partly fulfilled"),
    RequestStatus.DENIED: _l("Denied"),
}


class Document(db.Model):
    """A campaign's document: a link, or a file kept in the database (`content` is deferred,
    so lists never load it)."""

    __tablename__ = "campaign_documents"
    __table_args__ = (Index("ix_campaign_documents_campaign", "campaign_id", "dated"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    # Public URLs name a document by this random token, never by its id.
    token: Mapped[str] = mapped_column(String(24), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DocumentKind] = mapped_column(StrEnumType(DocumentKind, 30))
    dated: Mapped[date | None]
    url: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    public: Mapped[bool] = mapped_column(default=False)
    # Public-records requests only.
    request_status: Mapped[RequestStatus | None] = mapped_column(StrEnumType(RequestStatus, 20))
    due_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship(
        backref=backref("documents", order_by="Document.dated.desc()", cascade="all, delete-orphan")
    )


class Helpline(db.Model):
    """A legal-aid partner or hotline on a campaign's Know Your Rights page."""

    __tablename__ = "campaign_helplines"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(255))
    hours: Mapped[str | None] = mapped_column(String(200))  # "Mon-Fri 9-5, 24 h for detentions"
    languages: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(500))
    description_es: Mapped[str | None] = mapped_column(String(500))

    campaign: Mapped[Campaign] = relationship(
        backref=backref("helplines", order_by="Helpline.position", cascade="all, delete-orphan")
    )
