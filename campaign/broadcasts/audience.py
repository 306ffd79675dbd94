"""Who a broadcast goes to: the people whose consent to mail about the campaign stands.

Consent is an action of the campaign (a confirmed signature, a confirmed commitment, a
going or waitlisted RSVP) with "email me" ticked, narrowed by the organizer's choice of
action, county, language and source (the supporter search's own filter). It stands unless
the person unsubscribed from the campaign or from everything at or after their latest such
action: ticking the box again later subscribes them again. Erased people and suppressed
addresses (bounces, complaints) are never mailed; a household sharing one mailbox gets one
copy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, exists, false, func, not_, or_, select, union, union_all

from campaign.campaigns.models import Campaign
from campaign.core.errors import DomainError
from campaign.extensions import db
from campaign.outbox.models import Suppression
from campaign.people.models import Person, Unsubscribe
from campaign.supporters.filters import SupporterFilter
from campaign.supporters.kinds import KINDS, Status
from campaign.supporters.search import in_scope, scopes, wanted_actions

# What an organizer may narrow an audience by; consent and status are never theirs to choose.
AUDIENCE_KEYS = ("action", "county", "language", "source")


def read_audience(campaign: Campaign, args: Mapping[str, str]) -> SupporterFilter:
    """The audience from the organizer's choices (query or form fields); a choice that
    cannot be read is a DomainError beside its field."""
    chosen = {key: args[key] for key in AUDIENCE_KEYS if (args.get(key) or "").strip()}
    try:
        wanted = SupporterFilter.from_args(campaign, chosen)
    except DomainError as error:  # unreadable (400) or unknown (404) in a query; on a form, 422
        raise DomainError(error.message, field=error.field) from None
    return dataclasses.replace(wanted, status=Status.ACTIVE, consent=True)


def stored_audience(wanted: SupporterFilter) -> dict[str, str]:
    args = wanted.to_args()
    return {key: args[key] for key in AUDIENCE_KEYS if key in args}


def _branches(campaign: Campaign, wanted: SupporterFilter, after_person: int | None, through: int | None):
    """Per kind of action and scope, the rows that give consent (their person_id and time),
    for people after `after_person` up to `through` (a batch of the queuing job)."""
    for kind, ids in scopes(wanted_actions(campaign, wanted), wanted):
        row = kind.row
        conditions = [in_scope(kind, ids), *wanted.conditions(kind), row.anonymised_at.is_(None)]
        if after_person is not None:
            conditions.append(row.person_id > after_person)
        if through is not None:
            conditions.append(row.person_id <= through)
        yield select(row.person_id.label("person_id"), row.created_at.label("at")).where(*conditions)


def _consents(campaign: Campaign, wanted: SupporterFilter, after_person: int | None, through: int | None) -> Select:
    """Per person: the time of their latest action that gives consent (one row each)."""
    branches = list(_branches(campaign, wanted, after_person, through))
    if not branches:  # a campaign without actions: nobody, as a query with the same columns
        return select(Person.id.label("person_id"), Person.created_at.label("consented_at")).where(false())
    rows = union_all(*branches).subquery()
    return select(rows.c.person_id, func.max(rows.c.at).label("consented_at")).group_by(rows.c.person_id)


def batch_end(campaign: Campaign, wanted: SupporterFilter, after_person: int, size: int) -> int | None:
    """The last person id of the next `size` people who gave consent, or None when nobody is
    left. Each branch walks its (action, person_id) index for at most `size` rows, so a batch
    costs the same at the start of a million recipients as at the end."""
    heads = [
        branch.order_by(branch.selected_columns.person_id).limit(size).subquery()
        for branch in _branches(campaign, wanted, after_person, None)
    ]
    if not heads:
        return None
    people = union(*(select(head.c.person_id) for head in heads)).subquery()
    first = select(people.c.person_id).order_by(people.c.person_id).limit(size).subquery()
    return db.session.scalar(select(func.max(first.c.person_id)))


def candidates(
    campaign: Campaign, wanted: SupporterFilter, after_person: int | None = None, through: int | None = None
) -> Select:
    """Everyone who gave consent (after `after_person`, up to `through`), with why they may
    not be mailed: columns person_id, mailbox, locale, unsubscribed, suppressed. Ordered by
    person id."""
    consent = _consents(campaign, wanted, after_person, through).subquery()
    unsubscribed = exists().where(
        Unsubscribe.person_id == consent.c.person_id,
        or_(Unsubscribe.campaign_id == campaign.id, Unsubscribe.campaign_id.is_(None)),
        Unsubscribe.created_at >= consent.c.consented_at,
    )
    suppressed = exists().where(Suppression.address == func.lower(Person.email))
    return (
        select(
            consent.c.person_id,
            Person.email_normalized.label("mailbox"),
            Person.locale,
            unsubscribed.label("unsubscribed"),
            suppressed.label("suppressed"),
        )
        .join(Person, Person.id == consent.c.person_id)
        .where(Person.email.is_not(None), Person.erased_at.is_(None))
        .order_by(consent.c.person_id)
    )


@dataclass(frozen=True)
class Reach:
    """What the preview shows before sending."""

    recipients: int  # mailboxes that will get the message
    unsubscribed: int  # people who consented and later asked for no more
    suppressed: int  # people whose address bounced or complained


def reach(campaign: Campaign, wanted: SupporterFilter) -> Reach:
    rows = candidates(campaign, wanted).order_by(None).subquery()
    mailable = and_(not_(rows.c.unsubscribed), not_(rows.c.suppressed))
    query = select(
        func.count(func.distinct(case((mailable, rows.c.mailbox)))),
        func.count(case((rows.c.unsubscribed, 1))),
        func.count(case((and_(rows.c.suppressed, not_(rows.c.unsubscribed)), 1))),
    )
    recipients, unsubscribed, suppressed = db.session.execute(query).one()
    return Reach(recipients, unsubscribed, suppressed)


def require_someone(found: Reach) -> None:
    if not found.recipients:
        raise DomainError(_("Nobody in this audience can be mailed: widen it, or wait for supporters to agree."))


def consented_after(person_id: int, campaign_id: int | None, moment) -> bool:
    """Whether the person gave consent (an active action with "email me") after `moment`,
    in the campaign, or in any campaign when `campaign_id` is None."""
    for kind in KINDS:
        row, action = kind.row, kind.action
        query = select(row.id).where(
            row.person_id == person_id,
            row.email_updates.is_(True),
            row.status.in_(kind.statuses[Status.ACTIVE]),
            row.created_at > moment,
        )
        if campaign_id is not None:
            query = query.join(action, kind.action_id == action.id).where(action.campaign_id == campaign_id)
        if db.session.scalar(query.limit(1)) is not None:
            return True
    return False
