"""Absolute links for mail and PDFs, always built on BASE_URL.

Never on the request's Host header: a forged Host would otherwise put an attacker's
domain into password-reset and confirmation links.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from campaign.core.errors import DomainError


def external_url(endpoint: str, **values) -> str:
    """url_for(endpoint, _external=True) as seen from BASE_URL. The URL map is bound to BASE_URL
    directly: pushing a request context for it cost about a millisecond per link on the sign path."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


MAX_LINK = 500  # the columns that keep links (sources, documents, agendas) hold 500 characters


def web_link(raw: str | None, field: str, max_length: int = MAX_LINK) -> str | None:
    """A link an organizer typed to a page elsewhere (a source, a document, a website),
    trimmed, or None when left empty. Only http and https with a host: a javascript: or
    data: address would run in the browser of whoever follows it."""
    value = (raw or "").strip()
    if not value:
        return None
    try:
        parts = urlsplit(value)
        web = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unclosed "[" of an IPv6 host
        web = False
    if not web:
        raise DomainError(_("Enter a web address starting with https:// or http://."), field=field)
    if len(value) > max_length:
        raise DomainError(_("Use at most %(count)s characters for a web address.", count=max_length), field=field)
    if any(char.isspace() for char in value):
        raise DomainError(_("A web address has no spaces."), field=field)
    return value
