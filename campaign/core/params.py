"""Command-line parameters read like form fields: integers in ASCII digits, within range."""

from __future__ import annotations

import click

from campaign.core.text import INT_MAX, ascii_int


class AsciiInt(click.ParamType):
    """click's INT takes the digits of every script and numbers of any size (an official's id
    of 2**40 was a PostgreSQL traceback, a --days of 10**12 an OverflowError): this one takes
    [0-9] within [low, high], or prints one line and exits non-zero."""

    name = "integer"

    def __init__(self, low: int = 0, high: int = INT_MAX):
        self.low, self.high = low, high

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and self.low <= value <= self.high:
            return value
        number = ascii_int(str(value), self.low, self.high)
        if number is None:
            self.fail(f"{value!r} is not a whole number from {self.low} to {self.high} (digits 0 to 9).", param, ctx)
        return number
