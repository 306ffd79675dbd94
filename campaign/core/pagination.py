"""The page number of an organizer list, read the same way on every list, and the place of
a page's rows in the whole ("Showing 101 to 200")."""

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


class PageRange:
    """For a page dataclass with `rows`, `number` (from 1) and `size`: the positions of its
    first and last rows in the whole list, 0 and 0 for an empty page."""

    rows: list
    number: int
    size: int

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0
