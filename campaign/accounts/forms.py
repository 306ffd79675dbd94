"""Field checks only; the password rules and the lockout live in accounts.services."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, StopValidation

from campaign.core.forms import BaseForm

EMAIL_MESSAGE = _l("Enter a valid email address, like name@example.org.")
# Argon2 would take a megabyte just as well; nobody types one, and a bound keeps requests small.
MAX_PASSWORD = 1000


def _email_field():
    return EmailField(
        _l("Email"),
        validators=[DataRequired(EMAIL_MESSAGE), Email(EMAIL_MESSAGE), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )


class LoginForm(BaseForm):
    email = _email_field()
    # InputRequired, not DataRequired: a password of spaces is still a password.
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), Length(max=MAX_PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class ResetRequestForm(BaseForm):
    email = _email_field()


class ResetPasswordForm(BaseForm):
    # The minimum length is the service's rule; its message comes back beside this field.
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=MAX_PASSWORD)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


# Days the audit filter takes: far beyond any event, and safe to turn into times in any zone.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
DAY_MESSAGE = _l("Enter a day from 2000 to 2999 written as 2026-11-21.")


def _day_in_range(form, field) -> None:
    """ASCII digits only (strptime takes other scripts' digits too), within a sane range."""
    raw = field.raw_data[0] if field.raw_data else ""
    if field.process_errors or not raw.isascii() or (field.data and not FIRST_DAY <= field.data <= LAST_DAY):
        field.errors[:] = []  # instead of WTForms' "Not a valid date value."
        raise StopValidation(DAY_MESSAGE)


class AuditFilterForm(BaseForm):
    """The audit log's filter: a GET form that writes nothing, so it needs no CSRF token.
    The view fills the choices (the accounts, the actions in the log)."""

    class Meta:
        csrf = False

    user = SelectField(_l("Who"), default="")
    action = SelectField(_l("What"), default="")
    since = DateField(_l("From (day)"), validators=[Optional(), _day_in_range])
    until = DateField(_l("Until (day, included)"), validators=[Optional(), _day_in_range])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise StopValidation(_l("The last day comes before the first one."))


class AuditExportForm(BaseForm):
    """Exporting the log writes its audit event: a POST with a CSRF token (the filter rides in
    the query string)."""
