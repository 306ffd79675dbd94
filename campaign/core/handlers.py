"""Error pages: one shape for every HTML error, never a traceback for the visitor."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from campaign.core.errors import DomainError
from campaign.extensions import db


def _page(status: int, message: str | None = None):
    try:
        return render_template("errors/error.html", status=status, message=message), status
    except Exception:  # the layout itself failed: an error page must not fail the same way
        current_app.logger.exception("the error page could not be rendered")
        title = escape(HTTP_STATUS_CODES.get(status, "Error"))
        body = f"<p>{escape(message)}</p>" if message else ""
        html = f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{title}</title><h1>{title}</h1>{body}'
        return html, status


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(
            400,
            _("This form has expired or did not come from this site. Go back, reload the page and try again."),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return _page(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 429:
            return _page(429, _("You have made too many requests. Please wait a minute and try again."))
        return _page(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _page(500)
