"""Forms of the broadcast pages: the message and its audience, sending (now or at a time),
and cancelling. Lengths only: what may be sent, to whom and when is for the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, StopValidation

from campaign.broadcasts.services import MAX_BODY_BYTES, MAX_SUBJECT
from campaign.core.forms import DATETIME_LOCAL, BaseForm
from campaign.supporters.forms import FilterFields

# A character is at least a byte: a longer text cannot fit, and is refused before any service.
TOO_LONG = _l("A message can be at most 100 KB: shorten it, or link to a page.")
MARKDOWN_HINT = _l(
    "Markdown: **bold**, *italic*, [links](https://example.org), lists. Each recipient gets their own "
    "unsubscribe link at the end."
)


class BroadcastForm(FilterFields, BaseForm):
    """The message in English and, optionally, Spanish, and who gets it: the people who
    agreed to mail about the campaign, narrowed by action, county, language and source."""

    subject_en = StringField(_l("Subject"), validators=[Length(max=MAX_SUBJECT)], render_kw={"maxlength": MAX_SUBJECT})
    body_en = TextAreaField(
        _l("Message"),
        description=MARKDOWN_HINT,
        validators=[Length(max=MAX_BODY_BYTES, message=TOO_LONG)],
        render_kw={"rows": 14},
    )
    subject_es = StringField(
        _l("Subject in Spanish"), validators=[Length(max=MAX_SUBJECT)], render_kw={"maxlength": MAX_SUBJECT}
    )
    body_es = TextAreaField(
        _l("Message in Spanish"),
        description=_l("Without a Spanish text, Spanish speakers get the English one."),
        validators=[Length(max=MAX_BODY_BYTES, message=TOO_LONG)],
        render_kw={"rows": 14},
    )

    def audience(self) -> dict[str, str]:
        """The audience's fields as supporters.filters reads them."""
        return {name: self[name].data or "" for name in ("action", "county", "language", "source")}


def _time_when_later(form: SendForm, field) -> None:
    if form.when.data != "later":
        field.errors.clear()  # a time typed, then "now" chosen: the time is not used
        raise StopValidation()
    if not (field.raw_data and field.raw_data[0].strip()):
        field.errors.clear()  # rather than "Not a valid datetime value."
        raise StopValidation(_l("Choose the day and time to send it."))
    if field.data is None:
        raise StopValidation()  # the parse error is already there
    # Far from any real schedule, and no zone arithmetic near year 1 or 9999 to overflow.
    if not 2000 <= field.data.year <= 2999:
        raise StopValidation(_l("Enter a date between the years 2000 and 2999."))


class SendForm(BaseForm):
    when = RadioField(
        _l("When"),
        choices=[SelectChoice("now", _l("Now")), SelectChoice("later", _l("At a time"))],
        default="now",
        validators=[DataRequired()],
    )
    # The wall clock in the campaign's county; the view makes it UTC.
    scheduled_for = DateTimeLocalField(_l("Day and time"), format=DATETIME_LOCAL, validators=[_time_when_later])


class CancelForm(BaseForm):
    confirm = BooleanField(
        _l("I understand that the people not reached yet will not get this message."),
        validators=[DataRequired(_l("Tick the box to confirm the cancellation."))],
    )
