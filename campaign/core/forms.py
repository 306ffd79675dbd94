"""The one way a view runs a form through a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_wtf import FlaskForm

from campaign.core.errors import DomainError, attach_to_form
from campaign.extensions import db

T = TypeVar("T")

# What <input type="datetime-local"> sends: a wall-clock time to the minute, no zone.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


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
