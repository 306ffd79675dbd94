"""Reading CSV that a person exported from a spreadsheet or a mail provider: its encoding
(UTF-8, UTF-16, Windows-1252), and commas, semicolons (a spreadsheet in Spanish) or tabs,
guessed from the header line."""

from __future__ import annotations

import codecs
import csv
import re

from flask_babel import gettext as _

from campaign.core.errors import DomainError

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


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with: UTF-8 (with or without BOM),
    UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1252 (Excel's plain "CSV")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            try:
                return data.decode("cp1252"), "windows-1252"
            except UnicodeDecodeError:
                pass
    raise DomainError(
        _("This file is not a CSV text file. In your spreadsheet, choose Save as > CSV UTF-8."), field="file"
    )
