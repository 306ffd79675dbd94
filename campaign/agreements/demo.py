"""Demo agreements. The Brown County (WI) Sheriff's Warrant Service Officer agreement is the demo
campaign's (campaigns/demo.py adds it); this adds a local fact the list does not have: the
Village of Palmyra, Wisconsin (Jefferson County) considered an agreement and declined it after
public comment. A village police department has no jail, so the model a village can sign is
the task force one; no date is given, as the demo does not know it."""

from __future__ import annotations

from sqlalchemy import select

from campaign.agreements import services
from campaign.agreements.models import Agreement, AgreementModel, AgreementStatus, fold_agency
from campaign.extensions import db

PALMYRA = services.LocalAgreementInput(
    state="WI",
    county="55055",
    agency="Village of Palmyra Public Safety Department",
    agency_type="Municipality",
    model=AgreementModel.TASK_FORCE,
    fact=services.LocalFactInput(
        status=AgreementStatus.DECLINED,
        status_on=None,
        note=(
            "Demo record: the village considered a 287(g) agreement and declined it after public comment. "
            "Check the village board's minutes before relying on it."
        ),
    ),
)


def seed() -> list[Agreement]:
    """The demo's local agreements, added once (idempotent)."""
    key = fold_agency(PALMYRA.agency)
    palmyra = db.session.scalar(
        select(Agreement).where(
            Agreement.state == PALMYRA.state, Agreement.agency_key == key, Agreement.model == PALMYRA.model
        )
    )
    if palmyra is None:
        palmyra = services.add_local_agreement(PALMYRA)
    return [palmyra]
