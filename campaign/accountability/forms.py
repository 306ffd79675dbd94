"""The county lookup by state and county: two selects, no script needed (a state chosen,
the page comes back with its counties)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import ValidationError

from campaign.core.forms import BaseForm
from campaign.geo.data import state_names
from campaign.geo.models import County


class CountyForm(BaseForm):
    """A GET search: nothing is written, so no CSRF token is needed."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), validate_choice=False)
    county = SelectField(_l("County"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = state_names()
        self.state.choices = [("", _l("Choose a state"))] + sorted(
            ((postal, name) for postal, name in names.items()), key=lambda choice: choice[1]
        )
        self.offer_counties([])

    def offer_counties(self, counties: list[County]) -> None:
        """The counties of the chosen state, once it is known."""
        self.county.choices = [("", _l("Choose a county"))] + [(county.fips, county.name) for county in counties]

    def validate_state(self, field) -> None:
        if field.data not in state_names():
            raise ValidationError(_l("Choose a state from the list."))

    def validate_county(self, field) -> None:
        if field.data and field.data not in {value for value, _label in self.county.choices}:
            raise ValidationError(_l("Choose a county of this state from the list."))
