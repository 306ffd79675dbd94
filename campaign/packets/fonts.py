"""The embedded Unicode font, and text made safe for it."""

from __future__ import annotations

import unicodedata
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from campaign.config import PROJECT_ROOT

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
FONT_DIR = PROJECT_ROOT / "static" / "fonts"
REPLACEMENT = "\ufffd"  # drawn as a visible mark where a character cannot be printed


@cache
def register_fonts() -> frozenset[int]:
    """Register DejaVu Sans (shipped with its licence in static/fonts) and return the code
    points it can draw. The oblique faces let Markdown's *emphasis* show in the packet."""
    regular = TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(regular)
    for name in (FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC)
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
