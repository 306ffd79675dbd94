from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from campaign.campaigns.models import STATUS_LABELS, CampaignStatus
from campaign.core.forms import BaseForm


class CampaignForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=200)])
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(min=3, max=80)],
        description=_l("Lower-case letters, digits and hyphens. Left empty, it is made from the title."),
    )
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=20_000)])
    summary_es = TextAreaField(_l("Summary in Spanish"), validators=[Optional(), Length(max=20_000)])
    county = StringField(
        _l("County"),
        validators=[DataRequired(), Length(max=120)],
        description=_l('A FIPS code such as 55009, or a name such as "Brown County, WI".'),
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
        default=CampaignStatus.DRAFT.value,
    )
    organization_id = SelectField(_l("Organization running it"), coerce=int, validators=[DataRequired()])
    agreement_id = SelectField(_l("287(g) agreement it targets"), coerce=int, validators=[Optional()])
    partner_ids = SelectMultipleField(_l("Partner organizations"), coerce=int, validators=[Optional()])
    target_ids = SelectMultipleField(_l("Officials it addresses"), coerce=int, validators=[Optional()])


class OrganizationForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Web address"), validators=[Optional(), Length(min=3, max=80)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5_000)])
    website = StringField(_l("Website"), validators=[Optional(), URL(), Length(max=255)])
    email = StringField(_l("Public contact email"), validators=[Optional(), Email(), Length(max=254)])


class ShareLinkForm(BaseForm):
    target = SelectField(_l("Opens"), validators=[DataRequired()], choices=[])
    partner = SelectField(_l("For"), coerce=int, validators=[Optional()], choices=[])
    code = StringField(
        _l("Code"),
        validators=[Optional(), Length(max=40)],
        description=_l("Letters, digits and hyphens, as in /s/lwv-brown. Left empty, it is made from the name."),
    )
    note = StringField(
        _l("Note for organizers"), validators=[Optional(), Length(max=200)], description=_l("Where it is used.")
    )
