"""The identity part every public action form shares: name, email, ZIP code and county."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from campaign.core.errors import DomainError
from campaign.geo.services import counties_in_state, lookup_zip
from campaign.people.services import MAX_NAME


class IdentityForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=MAX_NAME)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=MAX_NAME)])
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    zip_code = StringField(_l("ZIP code"), validators=[DataRequired(), Length(max=10)])
    # Offered only when the ZIP code does not tell the county.
    county = SelectField(_l("County"), validators=[Optional()], validate_choice=False, choices=[])
    # Hidden from people; bots that fill every field fill this one too.
    website = StringField(_l("Leave this field empty"))

    @property
    def looks_automated(self) -> bool:
        return bool(self.website.data)


def offer_counties(form: IdentityForm) -> None:
    """When the ZIP code leaves the county open, or the county picked was refused, list the
    ZIP's state's counties to pick from."""
    try:
        place = lookup_zip(form.zip_code.data)
    except DomainError:
        return
    if place.county is None or form.county.errors:
        form.county.choices = [SelectChoice("", "—")] + [
            SelectChoice(county.fips, county.name) for county in counties_in_state(place.state)
        ]
