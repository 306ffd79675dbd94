"""Organizers' agreement forms: the list's filter, ICE's file to import, local facts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from campaign.agreements.models import MODEL_LABELS, STATUS_LABELS
from campaign.core.forms import BaseForm
from campaign.geo.data import state_names

MODEL_CHOICES = [SelectChoice(model.value, label) for model, label in MODEL_LABELS.items()]
STATUS_CHOICES = [SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()]


def state_choices() -> list[SelectChoice]:
    return [SelectChoice(code, f"{name} ({code})") for code, name in sorted(state_names().items())]


class AgreementFilterForm(BaseForm):
    """The list's filter, read from the query string (a GET that writes nothing: no CSRF)."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), default="")
    status = SelectField(_l("Status"), default="")
    model = SelectField(_l("Model"), default="")


class ImportForm(BaseForm):
    file = FileField(
        _l("ICE's spreadsheet (.xlsx or .csv)"),
        validators=[FileRequired()],
        description=_l("The participating-agencies file as ICE publishes it. Nothing is changed before you apply it."),
    )


class ApplyImportForm(BaseForm):
    sha256 = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])


class LocalFactForm(BaseForm):
    status = SelectField(_l("Status"), choices=STATUS_CHOICES)
    status_on = DateField(_l("Since (date)"), validators=[Optional()])
    note = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(), Length(max=1_500)],
        description=_l('For example: "The village board voted 5-2 against the agreement after public comment."'),
    )
    source_url = StringField(
        _l("Source link"),
        validators=[Optional(), Length(max=400)],
        description=_l("A link to the minutes, the vote, the letter or the article."),
    )


class LocalAgreementForm(LocalFactForm):
    state = SelectField(_l("State"))
    county = StringField(
        _l("County"),
        validators=[Optional(), Length(max=100)],
        description=_l('The county\'s name in that state ("Jefferson") or its FIPS code (55055).'),
    )
    agency = StringField(_l("Agency"), validators=[DataRequired(), Length(max=200)])
    agency_type = StringField(
        _l("Type of agency"),
        validators=[Optional(), Length(max=60)],
        description=_l('As ICE writes it: "County", "Municipality", "State Agency".'),
    )
    model = SelectField(_l("Model"), choices=MODEL_CHOICES)
    document_url = StringField(_l("Link to the agreement or proposal"), validators=[Optional(), Length(max=400)])
