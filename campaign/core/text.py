"""Small text helpers shared by every area."""

from __future__ import annotations

import re
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII, lower case, hyphen-separated: "Fin al 287(g) en Brown" -> "fin-al-287-g-en-brown"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def blank_to_none(value: str | None) -> str | None:
    """Trimmed text, or None for an optional field left empty."""
    return (value or "").strip() or None
