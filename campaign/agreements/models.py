from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class AgreementStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"


class Agreement(db.Model):
    """A 287(g) agreement signed (or proposed) between ICE and a local agency."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(200))  # "Brown County Sheriff's Office"
    state: Mapped[str] = mapped_column(String(2))
    county_fips: Mapped[str | None] = mapped_column(ForeignKey("counties.fips"), index=True)
    model: Mapped[AgreementModel] = mapped_column(StrEnumType(AgreementModel, 10))
    status: Mapped[AgreementStatus] = mapped_column(StrEnumType(AgreementStatus, 20), default=AgreementStatus.ACTIVE)
    signed_on: Mapped[date | None]
    document_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County | None] = relationship()
