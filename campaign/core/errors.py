"""Exceptions services raise on refused input; views and the CLI turn them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """Input a service refuses. `field` names the form field the message belongs beside."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class PermissionDenied(DomainError):
    status_code = 403


def attach_to_form(form, error: DomainError) -> None:
    """Show a service's refusal beside the field it concerns (or at the top of the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
