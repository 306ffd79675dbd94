"""Mail to the people registered for a forum, each with a link to free their seat."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from campaign.core.tokens import TokenPurpose
from campaign.core.urls import external_url
from campaign.forums.calendar import invitation
from campaign.forums.models import RSVP
from campaign.outbox.services import enqueue as enqueue_mail

# The link in every mail to a registrant that frees their seat; it lives as long as the RSVP.
CANCELLATION = TokenPurpose("rsvp-cancel", invalid=_l("This cancellation link is not valid."))


def cancel_token(rsvp: RSVP) -> str:
    return CANCELLATION.dumps(rsvp.id, rsvp.person_id)


def mail_rsvp(
    rsvp: RSVP, template: str, calendar: bool = True, locale: str | None = None, throttle: bool = False, **extra
) -> None:
    """Write templates/mail/<template>.txt to the person, with the .ics when `calendar`.
    A house meeting's address and the video link reach only a seat holder (`holds_seat`),
    never the waitlist. `throttle`: mail anyone can cause by typing an address."""
    forum = rsvp.forum
    context = {
        "rsvp": rsvp,
        "forum": forum,
        "holds_seat": rsvp.holds_seat,
        "forum_url": external_url("forums.show", slug=forum.slug),
        "cancel_url": external_url("forums.cancel_rsvp", slug=forum.slug, token=cancel_token(rsvp)),
    } | extra
    attachments = [invitation(forum, registrant=rsvp.holds_seat)] if calendar else []
    enqueue_mail(
        rsvp.person.email, template, context, locale or rsvp.locale, attachments=attachments, throttle=throttle
    )
