"""The public sign-up forms of a meeting (observers, public comment) and the organizers'
notes form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from campaign.core.forms import BaseForm
from campaign.core.i18n import current_language
from campaign.meetings.signups import MAX_NOTES
from campaign.people.forms import IdentityForm
from campaign.people.services import CONSENT_EMAIL_UPDATES


class SignupForm(IdentityForm):
    """The identity part every public action shares, with the ZIP code optional here: it
    only files the person under their county."""

    zip_code = StringField(_l("ZIP code (optional)"), validators=[Optional(), Length(max=10)])
    locale = SelectField(
        _l("Language for our emails"), choices=[SelectChoice("en", "English"), SelectChoice("es", "Español")]
    )
    email_updates = BooleanField(CONSENT_EMAIL_UPDATES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.locale.data = current_language()


class SpeakerForm(SignupForm):
    needs_interpreter = BooleanField(_l("I need an interpreter"))
    interpretation_language = StringField(
        _l("The language I will speak (to interpret from)"), validators=[Optional(), Length(max=60)]
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.needs_interpreter.data and not (self.interpretation_language.data or "").strip():
            message = _l("Tell us which language you will speak, so we can find an interpreter.")
            self.interpretation_language.errors = [*self.interpretation_language.errors, message]
            return False
        return valid

    @property
    def interpreter_language(self) -> str | None:
        """The language to interpret from, only when an interpreter was asked for."""
        return self.interpretation_language.data if self.needs_interpreter.data else None


class NotesForm(BaseForm):
    notes = TextAreaField(_l("What the observer saw"), validators=[Optional(), Length(max=MAX_NOTES)])
