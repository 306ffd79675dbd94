"""Response headers that every page carries."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request
from flask_wtf.csrf import CSRFError

# Methods that cannot change anything, and so need no proof of where they came from.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

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


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def proved_by_token(view):
    """For a POST whose signed token in the address is the whole proof, and which another
    site legitimately sends: the one-click unsubscribe (RFC 8058), posted by a webmail page
    or a mail provider. Nobody's cookies give it any power, so where it comes from does not
    matter; the view must also be exempt from the CSRF token (csrf.exempt)."""
    view.proved_by_token = True
    return view


def refuse_cross_site_requests() -> None:
    """Every request that can change something must come from a page of this site.

    Browsers say where a request comes from: `Sec-Fetch-Site` (every current browser) and
    `Origin` (on every cross-site POST). A form posted from another site carries one of them
    with a foreign value and is refused here, before any view, with the CSRF message. A
    request with neither did not come from a browser page, so it cannot ride a visitor's
    cookies. This is what lets the public action forms (sign, commit, RSVP) carry no
    session-bound CSRF token, so that their pages are the same for every visitor and can be
    cached (core.caching); every other form keeps its Flask-WTF token as well."""
    if request.method in SAFE_METHODS:
        return
    if getattr(current_app.view_functions.get(request.endpoint), "proved_by_token", False):
        return
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site not in ("same-origin", "none"):  # "none": typed or bookmarked by the person
            raise CSRFError("cross-site request (Sec-Fetch-Site)")
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin.lower() not in {
        _origin(current_app.config["BASE_URL"]),
        _origin(request.host_url),
    }:
        raise CSRFError("cross-site request (Origin)")
