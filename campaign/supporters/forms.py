"""Forms of the supporter pages: the search (a GET form) and the export's choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from campaign.core.forms import BaseForm
from campaign.geo.models import County
from campaign.supporters.export import CONTACT_FIELDS
from campaign.supporters.filters import LANGUAGES, MAX_QUERY
from campaign.supporters.kinds import STATUS_LABELS, Action


class FilterFields:
    """The filter fields a supporter search and a broadcast's audience share (each form adds
    its own): they only show the choices; SupporterFilter reads them and says what is wrong."""

    action = SelectField(_l("Action"), validate_choice=False)
    county = SelectField(_l("County"), validate_choice=False)
    source = StringField(_l("Source code"), render_kw={"maxlength": 40})
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("", _l("Any language"))] + [SelectChoice(code, name) for code, name in LANGUAGES.items()],
        validate_choice=False,
    )

    def offer(self, actions: list[Action], counties: list[County], every_action=_l("All actions")) -> None:
        """The campaign's actions and counties as choices."""
        self.action.choices = [SelectChoice("", every_action)] + [
            SelectChoice(action.key, action.label) for action in actions
        ]
        self.county.choices = [SelectChoice("", _l("All counties"))] + [
            SelectChoice(county.fips, county.label) for county in counties
        ]


class SearchForm(FilterFields, BaseForm):
    """A GET search: it writes nothing, so no CSRF token. It only shows the filter;
    search.SupporterFilter reads it and says what is wrong, beside the field."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Name, email, ZIP code or phone"),
        description=_l("A name finds names starting with it; @example.org finds everyone with that mail domain."),
        render_kw={"type": "search", "maxlength": MAX_QUERY, "autocomplete": "off"},
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("Any status"))]
        + [SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
        validate_choice=False,
    )
    since = DateField(_l("From (day)"))
    until = DateField(_l("Until (day)"))
    consent = SelectField(
        _l("Email updates"),
        choices=[
            SelectChoice("", _l("Either")),
            SelectChoice("yes", _l("Asked for them")),
            SelectChoice("no", _l("Did not ask")),
        ],
        validate_choice=False,
    )


def _known_fields(form, field) -> None:
    unknown = [name for name in field.data or [] if name not in CONTACT_FIELDS]
    if unknown:
        raise StopValidation(_l("Only email, phone and street address can be added to an export."))


class ExportForm(BaseForm):
    """What the export adds to the filter's rows: contact details only when ticked."""

    fields = SelectMultipleField(
        _l("Also include"),
        choices=[SelectChoice(name, label) for name, label in CONTACT_FIELDS.items()],
        validate_choice=False,
        validators=[_known_fields],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
