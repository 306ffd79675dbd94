from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from campaign.core.forms import DATETIME_LOCAL, MAX_CAPACITY, BaseForm
from campaign.forums.models import ACCESSIBILITY_LABELS, FORUM_KIND_LABELS, Accessibility
from campaign.forums.services import DEFAULT_MAX_GUESTS, MAX_GUESTS
from campaign.people.forms import IdentityForm
from campaign.people.services import CONSENT_EMAIL_UPDATES


class ForumForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=200)])
    slug = StringField(_l("Web address"), validators=[Optional(), Length(min=3, max=80)])
    kind = SelectField(
        _l("Type"), choices=[SelectChoice(kind.value, label) for kind, label in FORUM_KIND_LABELS.items()]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)])
    description_es = TextAreaField(_l("Description in Spanish"), validators=[Optional(), Length(max=20_000)])
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_LOCAL, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_LOCAL, validators=[DataRequired()])
    timezone = StringField(
        _l("Time zone"),
        validators=[Optional(), Length(max=60)],
        description=_l("Left empty: the county's, such as America/Chicago."),
    )
    county = StringField(_l("County FIPS code"), validators=[Optional(), Length(max=5)])
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    address_after_rsvp = BooleanField(_l("Show the address only to people who RSVP (house meetings)"))
    accessibility = SelectField(
        _l("Accessibility"),
        choices=[SelectChoice(value.value, label) for value, label in ACCESSIBILITY_LABELS.items()],
        default=Accessibility.UNKNOWN.value,
    )
    accessibility_notes = TextAreaField(_l("Accessibility notes"), validators=[Optional(), Length(max=2_000)])
    virtual_url = StringField(
        _l("Video link (sent only to people who RSVP)"), validators=[Optional(), URL(), Length(max=500)]
    )
    capacity = IntegerField(
        _l("Capacity (people, guests included)"), validators=[Optional(), NumberRange(max=MAX_CAPACITY)]
    )
    max_guests = IntegerField(
        _l("Guests per RSVP"), default=DEFAULT_MAX_GUESTS, validators=[Optional(), NumberRange(0, MAX_GUESTS)]
    )
    languages = StringField(_l("Languages spoken"), validators=[Optional(), Length(max=200)])
    interpretation = StringField(_l("Interpretation offered"), validators=[Optional(), Length(max=200)])
    childcare = BooleanField(_l("Childcare offered"))
    speakers = TextAreaField(_l("Speakers"), validators=[Optional(), Length(max=2_000)])
    partner_ids = SelectMultipleField(_l("Co-hosting partner organizations"), coerce=int, validators=[Optional()])
    official_ids = SelectMultipleField(_l("Officials invited"), coerce=int, validators=[Optional()])


class RSVPForm(IdentityForm):
    """The identity part every public action shares (honeypot, ZIP to county), and the seat."""

    guests = IntegerField(_l("Guests coming with you"), default=0, validators=[Optional(), NumberRange(0, MAX_GUESTS)])
    interpretation_language = StringField(
        _l("Interpretation needed (language)"), validators=[Optional(), Length(max=60)]
    )
    accessibility_needs = StringField(_l("Accessibility needs"), validators=[Optional(), Length(max=500)])
    childcare_needed = BooleanField(_l("I need childcare"))
    email_updates = BooleanField(CONSENT_EMAIL_UPDATES)


class WalkInForm(BaseForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    email = StringField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])
    zip_code = StringField(_l("ZIP code (optional)"), validators=[Optional(), Length(max=10)])
    email_updates = BooleanField(_l("They want emails about this campaign"))


class PaperSignatureForm(BaseForm):
    """One line of a paper sheet. The fields come in the order of the printed sheet so the
    person typing never leaves the keyboard: Tab between fields, Enter to add."""

    petition = SelectField(_l("Petition"))
    sheet_number = IntegerField(_l("Sheet number"), validators=[Optional(), NumberRange(1, 1_000_000)])
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    zip_code = StringField(_l("ZIP code"), validators=[DataRequired(), Length(max=10)])
    county = StringField(_l("County (only when the ZIP code spans counties)"), validators=[Optional(), Length(max=100)])
    email = StringField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])
    street_address = StringField(_l("Street address"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])
    email_updates = BooleanField(_l('Ticked "email me" on the sheet'))
    signed_on = DateField(_l("Date signed (empty: the forum's day)"), validators=[Optional()])


class PaperImportForm(BaseForm):
    petition = SelectField(_l("Petition"))
    file = FileField(_l("CSV file"), validators=[FileRequired()])
