"""Who a broadcast goes to: the people whose consent to mail about the campaign stands.

Consent is an action of the campaign (a confirmed signature, a confirmed commitment, a
going or waitlisted RSVP) with "email me" ticked, narrowed by the organizer's choice of
action, county, language and source (the supporter search's own filter). It stands unless
the person unsubscribed from the campaign or from everything and gave no consent in the
campaign since: ticking the box again on any later action subscribes them again. Each is
mailed in the language of their latest action in the audience. Erased people and
suppressed addresses (bounces, complaints) are never mailed; a household sharing one
mailbox gets one copy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, case, false, func, not_, or_, select, union, union_all

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


def _consented_at(row):
    """When the box counted: the confirmation that proved the mailbox, or the row's creation
    for the rows that needed none (a walk-in RSVP)."""
    return func.coalesce(row.confirmed_at, row.created_at)


def _branches(campaign: Campaign, wanted: SupporterFilter, after_person: int | None, through: int | None):
    """Per kind of action and scope, the rows that give consent (their person_id, time and
    language), for people after `after_person` up to `through` (a batch of the queuing job)."""
    for kind, ids in scopes(wanted_actions(campaign, wanted), wanted):
        row = kind.row
        conditions = [in_scope(kind, ids), *wanted.conditions(kind), row.anonymised_at.is_(None)]
        if after_person is not None:
            conditions.append(row.person_id > after_person)
        if through is not None:
            conditions.append(row.person_id <= through)
        yield select(
            row.person_id.label("person_id"), _consented_at(row).label("at"), row.locale.label("locale")
        ).where(*conditions)


def _consents(campaign: Campaign, wanted: SupporterFilter, after_person: int | None, through: int | None) -> Select:
    """Per person, one row: the language of their latest action in the audience, which is
    the language they are mailed in (a person first seen in English who signs again in
    Spanish reads Spanish)."""
    branches = list(_branches(campaign, wanted, after_person, through))
    if not branches:  # a campaign without actions: nobody, as a query with the same columns
        return select(Person.id.label("person_id"), Person.locale.label("locale")).where(false())
    rows = union_all(*branches).subquery()
    latest_first = func.row_number().over(partition_by=rows.c.person_id, order_by=rows.c.at.desc())
    ranked = select(rows.c.person_id, rows.c.locale, latest_first.label("rank")).subquery()
    return select(ranked.c.person_id, ranked.c.locale).where(ranked.c.rank == 1)


def consent_after(person_id, campaign_id: int | None, moment=None) -> ColumnElement[bool]:
    """Whether the person gave consent (an active action with "email me", not anonymised),
    after `moment` if given, in the campaign, or in any campaign when `campaign_id` is None.
    `person_id` and `moment` may be values or columns of an enclosing query."""
    given = []
    for kind in KINDS:
        row, action = kind.row, kind.action
        conditions = [
            row.person_id == person_id,
            row.email_updates.is_(True),
            row.status.in_(kind.statuses[Status.ACTIVE]),
            row.anonymised_at.is_(None),
        ]
        if moment is not None:
            conditions.append(_consented_at(row) > moment)
        if campaign_id is not None:
            conditions.append(kind.action_id.in_(select(action.id).where(action.campaign_id == campaign_id)))
        # Correlated by hand: auto-correlation reaches only the select just outside, and
        # `person_id` may come from one further out (the consent rows of candidates()).
        given.append(select(row.id).where(*conditions).correlate_except(row).exists())
    return or_(*given)


def unsubscribed(person_id, campaign_id: int) -> ColumnElement[bool]:
    """Whether an unsubscribe from the campaign or from everything stands: no consent in the
    campaign came after it. Ticking the box on any later action of the campaign subscribes
    again, whatever part of the campaign a broadcast is narrowed to."""
    return (
        select(Unsubscribe.id)
        .where(
            Unsubscribe.person_id == person_id,
            or_(Unsubscribe.campaign_id == campaign_id, Unsubscribe.campaign_id.is_(None)),
            not_(consent_after(person_id, campaign_id, Unsubscribe.created_at)),
        )
        .correlate_except(Unsubscribe)
        .exists()
    )


def suppressed(email) -> ColumnElement[bool]:
    return select(Suppression.id).where(Suppression.address == func.lower(email)).correlate_except(Suppression).exists()


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
    return (
        select(
            consent.c.person_id,
            Person.email_normalized.label("mailbox"),
            consent.c.locale,
            unsubscribed(consent.c.person_id, campaign.id).label("unsubscribed"),
            suppressed(Person.email).label("suppressed"),
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
