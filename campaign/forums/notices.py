"""Mail to the people registered for a forum, each with a link to free their seat."""

from __future__ import annotations

from flask import current_app
from itsdangerous import URLSafeSerializer

from campaign.core.urls import external_url
from campaign.forums.calendar import invitation
from campaign.forums.models import RSVP
from campaign.outbox.services import enqueue as enqueue_mail


def cancel_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="rsvp-cancel")


def cancel_token(rsvp: RSVP) -> str:
    return cancel_serializer().dumps([rsvp.id, rsvp.person_id])


def mail_rsvp(rsvp: RSVP, template: str, calendar: bool = True) -> None:
    """Write templates/mail/<template>.txt to the person, with the .ics when `calendar`."""
    forum = rsvp.forum
    context = {
        "rsvp": rsvp,
        "forum": forum,
        "forum_url": external_url("forums.show", slug=forum.slug),
        "cancel_url": external_url("forums.cancel_rsvp", slug=forum.slug, token=cancel_token(rsvp)),
    }
    attachments = [invitation(forum)] if calendar else []
    enqueue_mail(rsvp.person.email, template, context, rsvp.locale, attachments=attachments)
