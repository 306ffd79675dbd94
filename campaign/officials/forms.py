"""Officials a campaign addresses: sheriffs, county board members and chairs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from campaign.core.forms import BaseForm
from campaign.extensions import db
from campaign.officials.models import BODY_LABELS, STANCE_LABELS, Official


def official_choices() -> list[SelectChoice]:
    """Every official as a choice for the "officials it addresses" fields."""
    officials = db.session.scalars(select(Official).order_by(Official.name))
    return [SelectChoice(official.id, f"{official.name}, {official.title}") for official in officials]


class OfficialForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=120)],
        description=_l('As the office calls it: "Sheriff", "Supervisor, District 4", "Chair, County Board".'),
    )
    body = SelectField(_l("Body"), choices=[SelectChoice(body.value, label) for body, label in BODY_LABELS.items()])
    state = SelectField(_l("State"), validators=[Optional()])
    county = StringField(
        _l("County"),
        validators=[Optional(), Length(max=120)],
        description=_l(
            'A FIPS code such as 55009, a name such as "Brown County, WI", or the county\'s name '
            "when the state is chosen. Empty for an office of no one county."
        ),
    )
    district = StringField(_l("District"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("Public office email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Public office phone"), validators=[Optional(), Length(max=40)])
    office_address = StringField(_l("Office address"), validators=[Optional(), Length(max=255)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=255)])
    term_starts_on = DateField(_l("Term starts"), validators=[Optional()])
    term_ends_on = DateField(_l("Term ends"), validators=[Optional()])


class PositionForm(BaseForm):
    stance = SelectField(
        _l("Position on rescission"),
        choices=[SelectChoice(stance.value, label) for stance, label in STANCE_LABELS.items()],
    )
    stated_on = DateField(_l("Date stated"), validators=[DataRequired()])
    source_url = StringField(
        _l("Source link"),
        validators=[Optional(), Length(max=500)],
        description=_l("A link to the statement, the minutes, the video or the article where they said it."),
    )
    summary = TextAreaField(_l("What they said"), validators=[Optional(), Length(max=2_000)])


class DirectoryFilterForm(BaseForm):
    """The directory's filter, read from the query string."""

    # No Optional(): it would clear "Not a valid choice" for a value of spaces. "" is a choice.
    state = SelectField(_l("State"), default="")
    county = SelectField(_l("County"), default="")
    body = SelectField(_l("Body"), default="")
