"""Rate limits on public actions (sign, commit) that count only the actions taken and hold
under concurrent requests.

Flask-Limiter's `deduct_when` tests the count before the view and adds to it after the
response, so requests running at the same time all pass the test: 16 at once got 13 through
a limit of 10. Here each request takes its place first, with the storage's atomic increment
(a lock in memory, INCRBY in Redis), and gives it back when it was refused or its action was
not taken (a typo answered 422): at any moment the count is the actions taken plus those in
flight, so no interleaving lets one more through. The price: while more requests than the
limit are in flight at once, the extra ones are refused even if some turn out to be typos.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Response, abort, make_response, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

from campaign.extensions import limiter


def redirected(response: Response) -> bool:
    """A public action form answers 303 when the action was taken."""
    return response.status_code == 303


def limit_actions(limit: str | Callable[[], str], taken: Callable[[Response], bool] = redirected):
    """Allow each client address `limit` ("100 per 10 minutes;400 per day", or a function
    returning it) actions taken on this endpoint; the request after that answers 429."""

    def decorate(view):
        @functools.wraps(view)
        def limited(*args, **kwargs):
            if not limiter.enabled:
                return view(*args, **kwargs)
            items = parse_many(limit() if callable(limit) else limit)
            identifiers = ("actions", get_remote_address(), request.endpoint or "")
            held: list[tuple[RateLimitItem, str]] = []
            try:
                for item in items:
                    key = item.key_for(*identifiers)
                    held.append((item, key))
                    if limiter.storage.incr(key, item.get_expiry()) > item.amount:
                        abort(429)
                response = make_response(view(*args, **kwargs))
            except BaseException:
                _give_back(held)
                raise
            if not taken(response):
                _give_back(held)
            return response

        return limited

    return decorate


def _give_back(held: list[tuple[RateLimitItem, str]]) -> None:
    storage = limiter.storage
    for item, key in held:
        if storage.incr(key, item.get_expiry(), amount=-1) < 0:
            # The window ended while the request ran: the next window starts from zero, not -1.
            storage.incr(key, item.get_expiry(), amount=1)
