"""Mail to a committed person. Every message carries their own "I did it" link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from campaign.core.tokens import TokenPurpose
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.outbox.services import enqueue as enqueue_mail
from campaign.pledges.models import Commitment

# The person's own "I did it" link: signed, so only their mailbox holds it. It lives as long
# as the commitment.
REPORT = TokenPurpose(
    "commitment-fulfilled",
    invalid=_l("This link is not valid. Use the link in the latest email we sent you about this pledge."),
)


def report_token(commitment: Commitment) -> str:
    return REPORT.dumps(commitment.id, commitment.person_id)


def mail_commitment(
    commitment: Commitment, template: str, locale: str | None = None, throttle: bool = False, **extra
) -> None:
    """Write templates/mail/<template>.txt to the person, in the language they committed in
    (or `locale`: a confirmation follows the form just sent). `throttle`: mail that anyone
    can cause by typing an address, capped per recipient by the outbox."""
    db.session.flush()
    pledge = commitment.pledge
    context = {
        "commitment": commitment,
        "pledge": pledge,
        "pledge_url": external_url("pledges.show", slug=pledge.slug),
        "report_url": external_url("pledges.report_done", slug=pledge.slug, token=report_token(commitment)),
    } | extra
    enqueue_mail(commitment.person.email, template, context, locale or commitment.locale, throttle=throttle)
