"""Language choice: ?lang=, then the cookie it sets, then the browser's Accept-Language."""

from __future__ import annotations

from datetime import datetime, tzinfo
from urllib.parse import quote, urlencode

from babel.dates import format_date, format_time, get_datetime_format
from flask import current_app, has_request_context, request
from flask_babel import get_locale

LANG_COOKIE = "lang"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def select_locale() -> str:
    if not has_request_context():  # CLI and jobs: mail sets its language with force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    supported = current_app.config["LANGUAGES"]
    for asked in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if asked in supported:
            return asked
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language(response):
    """Keep an explicit ?lang= choice in a cookie so the next pages follow it."""
    asked = request.args.get("lang")
    if asked in current_app.config["LANGUAGES"] and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(
            LANG_COOKIE,
            asked,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure,
            httponly=True,
        )
    return response


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def wall_clock(moment: datetime, zone: tzinfo, date_format: str = "full") -> str:
    """A moment as a person reads it where it happens, in their language: the date in
    `date_format` and the time to the minute ("Wednesday, December 16, 2026, 7:00 PM")."""
    locale = current_language()
    local = moment.astimezone(zone)
    time_text = format_time(local, "short", locale=locale)
    return get_datetime_format(date_format, locale).format(time_text, format_date(local, date_format, locale=locale))


def url_in_language(code: str) -> str:
    """This page's address in another language: its path and query string as they came, with
    `lang` replaced. Not url_for: it reads query keys such as _method, _external or a view
    argument's name (?slug=) as its own, and the page (and its error page) would fail."""
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return f"{quote(request.script_root + request.path)}?{urlencode([*query, ('lang', code)])}"


def localized(obj, field: str) -> str | None:
    """The Spanish variant of a text field when the reader uses Spanish and one was written."""
    if current_language() == "es":
        translated = getattr(obj, f"{field}_es", None)
        if translated:
            return translated
    return getattr(obj, field)
