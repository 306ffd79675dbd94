"""The base of every form, and the one way a view runs a form through a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from campaign.core.errors import DomainError, attach_to_form
from campaign.core.text import INT_MAX, ascii_int, clean_control
from campaign.extensions import db

T = TypeVar("T")

# What <input type="datetime-local"> sends: a wall-clock time to the minute, no zone.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# Product limits on the numbers organizers type: far above any real campaign, far below
# the database's integer range.
MAX_GOAL = 10_000_000
MAX_CAPACITY = 100_000


def _one_line(value):
    return clean_control(value, multiline=False) if isinstance(value, str) else _only_text(value)


def _lines(value):
    return clean_control(value, multiline=True) if isinstance(value, str) else _only_text(value)


def _only_text(value):
    """A form built with `obj=` keeps the attribute's value for a field the POST left out:
    a text field named like a relationship (a campaign's `county`) would hold a model
    object, and its validators fail on it. Such a value is no text: the field is empty."""
    return value if value is None or isinstance(value, int | float) else None


def _ascii_integer(form, field) -> None:
    """An IntegerField takes only ASCII digits in the database's range (int() would take
    "５" and numbers of any size)."""
    raw = field.raw_data[0] if field.raw_data else ""
    blank = not (isinstance(raw, str) and raw.strip())
    if field.process_errors and not blank:
        raise StopValidation()  # "Not a valid integer value." is already there
    # A blank box goes on to Optional(), which clears the parse error: "no goal" is allowed.
    if not blank and ascii_int(raw, -INT_MAX, INT_MAX) is None:
        raise StopValidation(_l("Enter a whole number with the digits 0 to 9, at most 2,147,483,647."))


def _ascii_int_choice(value):
    """`coerce=int` of a select: the same digits and range, or the field's "Invalid Choice"."""
    if isinstance(value, int):
        return value
    number = ascii_int(str(value), -INT_MAX, INT_MAX)
    if number is None:
        raise ValueError(value)
    return number


class BaseForm(FlaskForm):
    """Every form of the app: its free text goes through one cleaner (core.text.clean_control)
    and its integers are ASCII digits within range, whatever each form declares."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, TextAreaField):
                field.filters = (_lines, *field.filters)
            elif isinstance(field, StringField) and not isinstance(field, PasswordField):
                # A password is a secret, never shown or mailed: it is kept as typed.
                field.filters = (_one_line, *field.filters)
            if isinstance(field, IntegerField):
                field.validators = [_ascii_integer, *field.validators]
            if getattr(field, "coerce", None) is int:
                field.coerce = _ascii_int_choice
            return field


def submit(form: FlaskForm, action: Callable[[], T]) -> tuple[T | None, int]:
    """Validate `form`, run `action` and commit once.

    Returns (result, HTTP status). The result is None when the form was not sent, did not
    validate (422) or the service refused it (its error's 4xx, shown beside the field);
    nothing is written in those cases.
    """
    if not form.is_submitted():
        return None, 200
    if not form.validate():
        return None, 422
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        attach_to_form(form, error)
        return None, error.status_code
    db.session.commit()
    return result, 200
