"""The mail to observers and public-comment speakers (signups writes it): each in the language
they signed up in, with the link that frees their place."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from campaign.core.tokens import TokenPurpose
from campaign.core.urls import external_url
from campaign.extensions import db
from campaign.meetings import services
from campaign.meetings.models import Meeting, Observer, Speaker
from campaign.outbox.services import enqueue as enqueue_mail

# The cancel links in every mail live as long as the sign-up.
OBSERVER_CANCELLATION = TokenPurpose("observer-cancel", invalid=_l("This cancellation link is not valid."))
SPEAKER_CANCELLATION = TokenPurpose("speaker-cancel", invalid=_l("This cancellation link is not valid."))


def _mail(record: Observer | Speaker, meeting: Meeting, template: str, cancel_url: str, locale, throttle, **extra):
    """Write templates/mail/<template>.txt to the person, in the language they signed up in
    (or `locale`: a confirmation follows the form just sent). `throttle`: mail that anyone
    can cause by typing an address."""
    db.session.flush()
    context = {
        "record": record,
        "meeting": meeting,
        "zone": services.zone_name(meeting),
        "meeting_url": external_url("meetings.show", slug=meeting.slug),
        "cancel_url": cancel_url,
        "rights_url": external_url("campaigns.rights", slug=meeting.campaign.slug),
    } | extra
    enqueue_mail(record.person.email, template, context, locale or record.locale, throttle=throttle)


def mail_observer(record: Observer, template: str, locale: str | None = None, throttle: bool = False, **extra):
    meeting = record.meeting
    token = OBSERVER_CANCELLATION.dumps(record.id, record.person_id)
    cancel_url = external_url("meeting_signups.cancel_observer", slug=meeting.slug, token=token)
    _mail(record, meeting, template, cancel_url, locale, throttle, **extra)


def mail_speaker(record: Speaker, template: str, locale: str | None = None, throttle: bool = False, **extra):
    """A speaker's mail names their agenda item (`item`); the caller adds what else its
    template reads (`turn`, `arrive_by`)."""
    meeting = record.agenda_item.meeting
    token = SPEAKER_CANCELLATION.dumps(record.id, record.person_id)
    cancel_url = external_url("meeting_signups.cancel_speaker", slug=meeting.slug, token=token)
    _mail(record, meeting, template, cancel_url, locale, throttle, item=record.agenda_item, **extra)


def mail_observer_confirmation(record: Observer, token: str, locale: str) -> None:
    link = external_url("meeting_signups.confirm_observer", slug=record.meeting.slug, token=token, lang=locale)
    mail_observer(record, "meetings/observer_confirm", locale=locale, throttle=True, link=link)


def mail_speaker_confirmation(record: Speaker, token: str, locale: str) -> None:
    meeting = record.agenda_item.meeting
    link = external_url("meeting_signups.confirm_speaker", slug=meeting.slug, token=token, lang=locale)
    mail_speaker(record, "meetings/speaker_confirm", locale=locale, throttle=True, link=link)
