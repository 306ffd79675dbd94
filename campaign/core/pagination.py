"""The page number of an organizer list, read the same way on every list."""

from __future__ import annotations

from flask import abort, request

from campaign.core.text import INT_MAX, ascii_int


def page_number() -> int:
    """`?page=`: 1 when absent. Anything but a page that can exist (other scripts' digits, 0,
    a number beyond the database's integer range) is a 404, never an OFFSET it refuses."""
    raw = request.args.get("page")
    if raw is None:
        return 1
    page = ascii_int(raw, 1, INT_MAX)
    if page is None:
        abort(404)
    return page
