from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship, validates

from campaign.core.text import fold_words
from campaign.core.types import StrEnumType, UTCDateTime, utcnow
from campaign.extensions import db
from campaign.geo.models import County


class AgreementModel(enum.StrEnum):
    WARRANT_SERVICE_OFFICER = "wso"
    JAIL_ENFORCEMENT = "jem"
    TASK_FORCE = "tfm"

    @property
    def label(self) -> str:
        return str(MODEL_LABELS[self])

    @property
    def explanation(self) -> str:
        return str(MODEL_EXPLANATIONS[self])


MODEL_LABELS = {
    AgreementModel.WARRANT_SERVICE_OFFICER: _l("Warrant Service Officer model"),
    AgreementModel.JAIL_ENFORCEMENT: _l("Jail Enforcement model"),
    AgreementModel.TASK_FORCE: _l("Task Force model"),
}

MODEL_EXPLANATIONS = {
    AgreementModel.WARRANT_SERVICE_OFFICER: _l(
        "Trained jail officers may serve and carry out ICE administrative warrants on people "
        "already held in the county jail. They do not question people about their status or "
        "start immigration cases on their own. Created in 2019, it is sometimes called "
        "\u201c287(g)-lite\u201d."
    ),
    AgreementModel.JAIL_ENFORCEMENT: _l(
        "Officers in the jail, supervised by ICE, identify and question people in custody about "
        "their immigration status and can start removal proceedings. It is often paired with "
        "contracts that rent jail beds to ICE."
    ),
    AgreementModel.TASK_FORCE: _l(
        "Officers may make immigration arrests during routine policing in the community. The "
        "model was stopped in 2012 after civil-rights abuses, including racial profiling, and "
        "was brought back in 2025."
    ),
}


# From least to most power (DOMAIN.md): a county with several agreements shows its strongest.
MODEL_STRENGTH = {
    AgreementModel.WARRANT_SERVICE_OFFICER: 1,
    AgreementModel.JAIL_ENFORCEMENT: 2,
    AgreementModel.TASK_FORCE: 3,
}


class AgreementStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    RESCINDED = "rescinded"
    EXPIRED = "expired"
    DECLINED = "declined"  # considered and turned down, as Palmyra, Wisconsin did

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    AgreementStatus.PROPOSED: _l("Proposed"),
    AgreementStatus.ACTIVE: _l("Active"),
    AgreementStatus.RESCINDED: _l("Rescinded"),
    AgreementStatus.EXPIRED: _l("Expired"),
    AgreementStatus.DECLINED: _l("Declined"),
}


class AgreementSource(enum.StrEnum):
    ICE_LIST = "ice_list"  # kept by `flask agreements import`
    LOCAL = "local"  # recorded by an organizer: the list does not have it


class Agreement(db.Model):
    """A 287(g) agreement signed (or proposed, or declined) between ICE and a local agency.

    Rows from ICE's list are matched on (state, agency_key, model) from one import to the
    next; `listed` turns False when a later list no longer has them."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("state", "agency_key", "model"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(200))  # "Brown County Sheriff's Office"
    # The agency's name folded (case, spaces, punctuation) for matching across imports.
    agency_key: Mapped[str] = mapped_column(String(200))
    agency_type: Mapped[str | None] = mapped_column(String(60))  # ICE's TYPE: "County", "Municipality", "State"
    state: Mapped[str] = mapped_column(String(2), index=True)
    county_fips: Mapped[str | None] = mapped_column(ForeignKey("counties.fips"), index=True)
    model: Mapped[AgreementModel] = mapped_column(StrEnumType(AgreementModel, 10))
    status: Mapped[AgreementStatus] = mapped_column(StrEnumType(AgreementStatus, 20), default=AgreementStatus.ACTIVE)
    # When the status took effect: rescinded on, declined on, expired on.
    status_on: Mapped[date | None]
    signed_on: Mapped[date | None]
    document_url: Mapped[str | None] = mapped_column(String(500))  # the memorandum of agreement
    addendum_url: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[AgreementSource] = mapped_column(StrEnumType(AgreementSource, 20), default=AgreementSource.LOCAL)
    listed: Mapped[bool] = mapped_column(default=False)  # on ICE's latest imported list
    note: Mapped[str | None] = mapped_column(Text)  # an organizer's local fact and its source
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    county: Mapped[County | None] = relationship()

    @validates("agency")
    def _keep_agency_key(self, _key: str, agency: str) -> str:
        self.agency_key = fold_agency(agency)
        return agency


def fold_agency(name: str) -> str:
    """ "Doña Ana County Sheriff's Office " and "DONA ANA COUNTY SHERIFFS OFFICE" are one
    agency."""
    return fold_words(name.replace("'", "").replace("\u2019", ""))[:200]


class AgreementImport(db.Model):
    """One run of the ICE list importer that was applied (dry runs leave no row)."""

    __tablename__ = "agreement_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    gone: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    # [[line, message], ...]: the dirty values it reported and what it did with them.
    problems: Mapped[list] = mapped_column(JSON, default=list)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChangeKind(enum.StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    GONE = "gone"  # no longer on ICE's list
    LOCAL = "local"  # an organizer's local fact


class AgreementChange(db.Model):
    """The history of an agreement: what an import or an organizer changed, field by field."""

    __tablename__ = "agreement_changes"
    __table_args__ = (Index("ix_agreement_changes_agreement", "agreement_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_imports.id", ondelete="SET NULL"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(StrEnumType(ChangeKind, 20))
    # {field: [before, after]}, dates and enums as their strings.
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agreement: Mapped[Agreement] = relationship(
        backref=backref("changes", order_by="AgreementChange.created_at.desc()", cascade="all, delete-orphan")
    )
    import_run: Mapped[AgreementImport | None] = relationship()
