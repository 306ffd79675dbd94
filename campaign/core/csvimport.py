"""Reading CSV that a person exported from a spreadsheet or a mail provider: commas,
semicolons (a spreadsheet in Spanish) or tabs, guessed from the header line."""

from __future__ import annotations

import csv
import re

# The sniffer's regexes are quadratic in their sample (64 KB of ',"' took 41 s): it reads a
# bounded prefix of the header line only.
SNIFF_CHARS = 2_048


def sniff_sample(text: str) -> str:
    """What the dialect sniffer reads: the header line, cut to SNIFF_CHARS."""
    return re.match(r"[^\r\n]*", text[:SNIFF_CHARS]).group()


def sniff_dialect(text: str) -> type[csv.Dialect]:
    """The file's dialect from its header line; plain commas when it has one column."""
    try:
        return csv.Sniffer().sniff(sniff_sample(text), delimiters=",;\t")
    except csv.Error:
        return csv.excel
