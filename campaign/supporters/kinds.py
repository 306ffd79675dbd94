"""What supporter search runs over: the three kinds of action row (signatures, commitments,
RSVPs) with their tables and statuses in words common to all three, and a campaign's
petitions, pledges and forums."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campaign.campaigns.models import Campaign
from campaign.extensions import db
from campaign.forums.models import RSVP, Forum, RSVPStatus
from campaign.petitions.models import Petition, Signature, SignatureStatus
from campaign.pledges.models import Commitment, CommitmentStatus, Pledge


class Status(enum.StrEnum):
    """The status of an action row in words that fit all three kinds."""

    ACTIVE = "active"  # signature confirmed, commitment confirmed, RSVP going or waitlisted
    PENDING = "pending"  # waiting for the link mailed to the person
    REMOVED = "removed"  # signature invalidated, RSVP cancelled


STATUS_LABELS = {Status.ACTIVE: _l("Active"), Status.PENDING: _l("Pending"), Status.REMOVED: _l("Removed")}


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of action row, and what search needs to know of its table."""

    name: str  # "signature", "commitment", "rsvp"
    prefix: str  # the action in `?action=petition:<slug>`
    row: type  # Signature, Commitment, RSVP
    action: type  # Petition, Pledge, Forum
    label: str
    plural: str
    action_label: str  # "Petition"
    # The row statuses behind each generic one.
    statuses: Mapping[Status, tuple]
    has_phone: bool = False

    @property
    def action_id(self):
        return getattr(self.row, f"{self.prefix}_id")

    def generic_status(self, raw: str) -> Status:
        return next(status for status, members in self.statuses.items() if raw in members)


SIGNATURE = Kind(
    "signature",
    "petition",
    Signature,
    Petition,
    _l("Signature"),
    _l("signatures"),
    _l("Petition"),
    {
        Status.ACTIVE: (SignatureStatus.CONFIRMED,),
        Status.PENDING: (SignatureStatus.PENDING,),
        Status.REMOVED: (SignatureStatus.INVALIDATED,),
    },
    has_phone=True,
)
COMMITMENT = Kind(
    "commitment",
    "pledge",
    Commitment,
    Pledge,
    _l("Commitment"),
    _l("commitments"),
    _l("Pledge"),
    {Status.ACTIVE: (CommitmentStatus.CONFIRMED,), Status.PENDING: (CommitmentStatus.PENDING,), Status.REMOVED: ()},
)
RSVP_KIND = Kind(
    "rsvp",
    "forum",
    RSVP,
    Forum,
    _l("RSVP"),
    _l("RSVPs"),
    _l("Forum"),
    {
        Status.ACTIVE: (RSVPStatus.GOING, RSVPStatus.WAITLISTED),
        Status.PENDING: (RSVPStatus.PENDING,),
        Status.REMOVED: (RSVPStatus.CANCELLED,),
    },
)
KINDS = (SIGNATURE, COMMITMENT, RSVP_KIND)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}
KIND_BY_PREFIX = {kind.prefix: kind for kind in KINDS}


@dataclass(frozen=True)
class Action:
    """A petition, pledge or forum of the campaign."""

    kind: Kind
    id: int
    slug: str
    title: str

    @property
    def key(self) -> str:
        return f"{self.kind.prefix}:{self.slug}"

    @property
    def label(self) -> str:
        """ "Petition: End 287(g) in Brown County"."""
        return _("%(kind)s: %(title)s", kind=self.kind.action_label, title=self.title)


def campaign_actions(campaign: Campaign) -> list[Action]:
    """The campaign's petitions, pledges and forums, in that order, oldest first."""
    actions = []
    for kind in KINDS:
        model = kind.action
        query = select(model.id, model.slug, model.title).where(model.campaign_id == campaign.id).order_by(model.id)
        actions += [Action(kind, *row) for row in db.session.execute(query)]
    return actions
