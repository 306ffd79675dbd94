from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from campaign.core.forms import BaseForm
from campaign.packets.models import DeliveryMethod

METHOD_LABELS = {
    DeliveryMethod.IN_PERSON: _l("In person"),
    DeliveryMethod.AT_MEETING: _l("At a meeting"),
    DeliveryMethod.EMAIL: _l("By email"),
    DeliveryMethod.MAIL: _l("By post"),
}


class BuildPacketForm(BaseForm):
    county_fips = SelectMultipleField(_l("Counties"), validators=[Optional()])
    official_id = SelectField(_l("Addressed to"), coerce=int, validators=[Optional()])
    include_address = BooleanField(_l("Print street addresses (only when the official requires them)"))
    language = SelectField(_l("Language"), choices=[SelectChoice("en", "English"), SelectChoice("es", "Español")])


class DeliveryForm(BaseForm):
    official_id = SelectField(_l("Official"), coerce=int, validators=[Optional()])
    recipient = StringField(_l("Delivered to (if not an official listed)"), validators=[Optional(), Length(max=200)])
    method = SelectField(
        _l("How"), choices=[SelectChoice(method.value, label) for method, label in METHOD_LABELS.items()]
    )
    delivered_at = DateTimeLocalField(_l("When (UTC)"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5_000)])
    response = TextAreaField(_l("The official's response"), validators=[Optional(), Length(max=5_000)])


class ResponseForm(BaseForm):
    responded_on = DateField(_l("Date of the response"), validators=[DataRequired()])
    text = TextAreaField(_l("What they answered"), validators=[Optional(), Length(max=5_000)])
    document_url = StringField(
        _l("Link to the letter or statement"),
        validators=[Optional(), Length(max=500)],
        description=_l("Give the text, a link, or both."),
    )


class VerifyForm(BaseForm):
    digest = StringField(_l("SHA-256 of your copy"), validators=[Optional(), Length(max=100)])
    file = FileField(_l("Or choose the PDF file"))
