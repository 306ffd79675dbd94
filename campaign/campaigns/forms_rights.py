from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from campaign.campaigns.rights import DESCRIPTION_LIMIT, LIMITS, MAX_RIGHTS
from campaign.core.forms import BaseForm

MARKDOWN_HINT = _l(
    "Markdown: ## headings, - lists, **bold**, [links](https://example.org). Left empty: the general text."
)


class RightsForm(BaseForm):
    rights = TextAreaField(_l("Know Your Rights text"), validators=[Optional(), Length(max=MAX_RIGHTS)])
    rights_es = TextAreaField(_l("Know Your Rights text in Spanish"), validators=[Optional(), Length(max=MAX_RIGHTS)])


class HelplineForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=LIMITS["name"])])
    phone = StringField(
        _l("Phone"), validators=[Optional(), Length(max=LIMITS["phone"])], description=_l("Like (920) 555-0100.")
    )
    website = StringField(
        _l("Website"), validators=[Optional(), Length(max=LIMITS["website"])], description=_l("Starting with https://.")
    )
    hours = StringField(
        _l("Hours"),
        validators=[Optional(), Length(max=LIMITS["hours"])],
        description=_l("Like: Mon-Fri 9-5, 24 hours for detentions."),
    )
    languages = StringField(
        _l("Languages"),
        validators=[Optional(), Length(max=LIMITS["languages"])],
        description=_l("Like: English, Spanish, Hmong."),
    )
    description = StringField(_l("What they help with"), validators=[Optional(), Length(max=DESCRIPTION_LIMIT)])
    description_es = StringField(
        _l("What they help with, in Spanish"), validators=[Optional(), Length(max=DESCRIPTION_LIMIT)]
    )


class MoveForm(BaseForm):
    direction = SelectField(choices=[SelectChoice("up", _l("Up")), SelectChoice("down", _l("Down"))])
