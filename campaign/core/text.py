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


def name_key(first_name: str, last_name: str) -> str:
    """A person's name as paper and online entries can be matched on: accents, case and
    punctuation ignored ("José Núñez-Ruiz" and "jose nunez ruiz" agree)."""
    decomposed = unicodedata.normalize("NFKD", f"{first_name} {last_name}")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.findall(r"\w+", bare))[:200]
