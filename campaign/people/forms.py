"""The identity part every public action form shares: name, email, ZIP code and county."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from campaign.core.errors import DomainError
from campaign.core.forms import BaseForm, submit
from campaign.core.limits import limit_actions
from campaign.core.text import clean_referral, looks_like_link
from campaign.extensions import csrf
from campaign.geo.services import counties_in_state, lookup_zip
from campaign.people.services import MAX_NAME

T = TypeVar("T")


def _a_name_not_a_link(form, field) -> None:
    """Names are shown (the petition page's latest signers, the packet officials read) and
    must not carry an address that a reader or a mail program would follow."""
    if looks_like_link(field.data):
        raise ValidationError(_l("Write your name only, without a web or email address."))


class IdentityForm(BaseForm):
    """The public action forms (sign, commit, RSVP) sit on pages that are cached and the same
    for every visitor, so they carry no session-bound CSRF token: their POST views are
    `public_action` views, and core.security refuses cross-site posts for every view."""

    class Meta:
        csrf = False

    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=MAX_NAME), _a_name_not_a_link])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=MAX_NAME), _a_name_not_a_link])
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    zip_code = StringField(_l("ZIP code"), validators=[DataRequired(), Length(max=10)])
    # Offered only when the ZIP code does not tell the county.
    county = SelectField(_l("County"), validators=[Optional()], validate_choice=False, choices=[])
    # Hidden from people; bots that fill every field fill this one too.
    website = StringField(_l("Leave this field empty"))
    # The page's `?source=` code, carried through the POST (a cached page keeps it: the
    # cache key holds the query string).
    source = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.source.data = clean_referral(request.args.get("source"))

    @property
    def looks_automated(self) -> bool:
        return bool(self.website.data)

    @property
    def referral(self) -> str | None:
        """The source code, or None when it is missing or not a code (the action still counts)."""
        return clean_referral(self.source.data)


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


def submit_identity(form: IdentityForm, action: Callable[[], T]) -> tuple[T | None, int]:
    """`core.forms.submit` for the public action forms (sign, commit): the honeypot first,
    and the county list offered whenever the form comes back."""
    if form.looks_automated:
        form.form_errors.append(_("This form was filled in a way that looks automated. Please try again."))
        return None, 400
    result, status = submit(form, action)
    if result is None:
        offer_counties(form)
    return result, status


def public_action_limit() -> str:
    """For `core.limits.limit_actions`: only actions taken count, so a typo costs nobody their turn."""
    return current_app.config["SIGN_RATE_LIMIT"]


def public_action(view):
    """The POST view of a public action form: rate-limited per address (counting only actions
    taken), and exempt from Flask-WTF's session token (see IdentityForm)."""
    return csrf.exempt(limit_actions(public_action_limit)(view))
