"""Mail to a committed person. Every message carries their own "I did it" link."""

from __future__ import annotations

from flask import current_app
from itsdangerous import URLSafeSerializer

from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.outbox.services import enqueue as enqueue_mail
from campaign.pledges.models import Commitment

REPORT_SALT = "commitment-fulfilled"


def report_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=REPORT_SALT)


def report_token(commitment: Commitment) -> str:
    """The key of the person's own "I did it" link: signed, so only their mailbox holds it."""
    return report_serializer().dumps([commitment.id, commitment.person_id])


def mail_commitment(commitment: Commitment, template: str, **extra) -> None:
    """Write templates/mail/<template>.txt to the person, in the language they committed in."""
    db.session.flush()
    pledge = commitment.pledge
    context = {
        "commitment": commitment,
        "pledge": pledge,
        "pledge_url": external_url("pledges.show", slug=pledge.slug),
        "report_url": external_url("pledges.report_done", slug=pledge.slug, token=report_token(commitment)),
    } | extra
    enqueue_mail(commitment.person.email, template, context, commitment.locale)
