"""Absolute links for mail and PDFs, always built on BASE_URL.

Never on the request's Host header: a forged Host would otherwise put an attacker's
domain into password-reset and confirmation links.
"""

from __future__ import annotations

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
