"""The embedded Unicode font, and text made safe for it."""

from __future__ import annotations

import unicodedata
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from campaign.config import PROJECT_ROOT

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_DIR = PROJECT_ROOT / "static" / "fonts"
REPLACEMENT = "\ufffd"  # drawn as a visible mark where a character cannot be printed


@cache
def register_fonts() -> frozenset[int]:
    """Register DejaVu Sans (shipped with its licence in static/fonts) and return the code
    points it can draw."""
    regular = TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)
    return frozenset(regular.face.charToGlyph)


def printable(text: str | None) -> str:
    """Text as the font can print it: control characters and characters the font lacks
    become a visible replacement mark, never dropped and never a crash."""
    if not text:
        return ""
    covered = register_fonts()
    text = unicodedata.normalize("NFC", text)
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        " "
        if char in "\t\n\r" or unicodedata.category(char) == "Zs"
        else char
        if char.isprintable() and ord(char) in covered
        else REPLACEMENT
        for char in text
    )
