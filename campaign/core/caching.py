"""Public pages served from a cache during a read storm, and revalidated by browsers and proxies.

A petition shared in a county Facebook group gets its visitors in one burst, and every one of
them sees the same page: the counts are refreshed at most every few seconds anyway
(petitions.counts). A `public_page` view is therefore rendered once per page, language and
freshness window, and kept in Flask-Caching's SimpleCache, in each process (a hit costs no
network round trip; each worker renders a page once per window). Its response carries an
ETag and `Cache-Control: public, max-age=...`, so a browser revalidates with a 304 and a
reverse proxy can absorb the storm too.

What keeps one visitor's data out of another's page:
- only a request without a session or login cookie is served from, or stored in, the cache:
  a logged-in organizer (drafts, the Organize menu) or a visitor with a flashed message gets
  the page rendered for them, marked private;
- the public action forms on these pages (sign, commit, RSVP) carry no session-bound CSRF
  token (people.forms.IdentityForm; core.security refuses cross-site posts instead), so a
  page rendered for a visitor without a session touches no session and sets no cookie;
- only GET views are decorated, and only a 200 is kept: a form sent back with its errors is
  the answer to a POST and is never cached.
"""

from __future__ import annotations

import functools
import hashlib
import threading

from flask import current_app, g, request

from campaign.core.i18n import current_language
from campaign.extensions import cache


def _personal() -> bool:
    """Whether this visitor may see something of their own: a session (login, flashed
    message) or a remembered login."""
    cookies, config = request.cookies, current_app.config
    return config["SESSION_COOKIE_NAME"] in cookies or config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies


def _key() -> str:
    """One entry per path, query string (as sent: an attacker's random queries only fill
    entries that expire) and language."""
    query = hashlib.sha256(request.query_string).hexdigest()
    return f"page:{current_language()}:{request.path}:{query}"


def _keep(response) -> bool:
    status = response[1] if isinstance(response, tuple) else getattr(response, "status_code", 200)
    return status == 200


# When a page's entry expires, the requests that ask for it at that moment wait for one of
# them to render it instead of all rendering it at once. Striped: a fixed number of locks,
# whatever number of pages and query strings visitors make up.
_RENDER_LOCKS = [threading.Lock() for _ in range(64)]


def public_page(view):
    """A GET view whose page is the same for every visitor without a session."""

    @functools.wraps(view)
    def page(*args, **kwargs):
        g.public_page = True
        seconds = current_app.config["PAGE_CACHE_SECONDS"]
        if not seconds or _personal():
            return view(*args, **kwargs)
        key = _key()
        cached = cache.get(key)
        if cached is None:
            with _RENDER_LOCKS[hash(key) % len(_RENDER_LOCKS)]:
                cached = cache.get(key)  # rendered while this request waited
                if cached is None:
                    cached = view(*args, **kwargs)  # an abort (404) is raised, never kept
                    if _keep(cached):
                        cache.set(key, cached, timeout=seconds)
        return cached

    return page


def add_cache_headers(response):
    """ETag and Cache-Control of a public page; a matching If-None-Match answers 304."""
    if not g.get("public_page") or response.status_code != 200:
        return response
    if _personal():
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["PAGE_CACHE_SECONDS"]
    response.vary.update(("Cookie", "Accept-Language"))
    response.add_etag()
    return response.make_conditional(request)
