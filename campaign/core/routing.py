"""URL converters for the whole app: a path argument that cannot exist never reaches a query.

PostgreSQL refuses NUL in text and integers beyond its `integer` range (a 500 on a lookup),
and werkzeug's `int` takes the digits of every script. These converters answer such paths
with a 404. No rule uses `path`: add a converter for it here before one does."""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter, UnicodeConverter

from campaign.core.text import CONTROL_RANGES, INT_MAX


class SegmentConverter(UnicodeConverter):
    """The default `string`: one path segment, without control characters."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = None, length: int | None = None):
        super().__init__(map, minlength, maxlength, length)
        # Control characters are in no slug, token or file name.
        self.regex = self.regex.replace("[^/]", f"[^/{CONTROL_RANGES}]", 1)


class BoundedIntegerConverter(IntegerConverter):
    """`int`: ASCII digits, within the database's integer range."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = INT_MAX, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def register_converters(app) -> None:
    """Before any blueprint: a rule takes its converters when it is added."""
    app.url_map.converters.update(
        default=SegmentConverter,
        string=SegmentConverter,
        int=BoundedIntegerConverter,
    )


def refuse_nul() -> None:
    """No legitimate input holds NUL, and PostgreSQL refuses it in text: a 400 before any view
    for a query string or a form that carries one, in a key or a value."""
    for values in (request.args, request.form):
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            abort(400)
