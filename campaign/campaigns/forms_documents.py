from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from campaign.campaigns.documents import MAX_NOTES, MAX_TITLE
from campaign.campaigns.models import DOCUMENT_KIND_LABELS, REQUEST_STATUS_LABELS
from campaign.core.forms import BaseForm


class DocumentForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(kind.value, label) for kind, label in DOCUMENT_KIND_LABELS.items()]
    )
    dated = DateField(_l("Date of the document"), validators=[Optional()])
    url = StringField(
        _l("Link"),
        validators=[Optional(), Length(max=500)],
        description=_l("Where the document is published, starting with https://. Or choose its file below."),
    )
    file = FileField(_l("Or its file"))
    public = BooleanField(_l("Show it on the campaign's public page"))
    request_status = SelectField(
        _l("Where the request stands"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(status.value, label) for status, label in REQUEST_STATUS_LABELS.items()],
        validators=[Optional()],
        description=_l("Public-records requests only."),
    )
    due_on = DateField(_l("Answer due by"), validators=[Optional()], description=_l("Public-records requests only."))
    notes = TextAreaField(
        _l("Notes for organizers"),
        validators=[Optional(), Length(max=MAX_NOTES)],
        description=_l("Never shown publicly."),
    )
