"""Response headers that every page carries."""

from __future__ import annotations

from flask import request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def _must_not_be_stored() -> bool:
    """Organizer pages (every /organize path), the login and password pages (the accounts
    blueprint), and every page reached by a link carrying a token. Read from the routing, so a
    route added later under /organize, in accounts or with a <token> argument is covered."""
    rule = request.url_rule
    return (
        request.path == "/organize"
        or request.path.startswith("/organize/")
        or request.blueprint == "accounts"
        or (rule is not None and "token" in rule.arguments)
    )


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Mail links carry tokens: never leak a path to another site.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if _must_not_be_stored():
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
