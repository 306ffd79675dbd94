"""Field checks only; the password rules and the lockout live in accounts.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

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
