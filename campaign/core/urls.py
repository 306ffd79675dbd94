"""Absolute links for mail and PDFs, always built on BASE_URL.

Never on the request's Host header: a forged Host would otherwise put an attacker's
domain into password-reset and confirmation links.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """url_for(endpoint, _external=True) as seen from BASE_URL. The URL map is bound to BASE_URL
    directly: pushing a request context for it cost about a millisecond per link on the sign path."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
