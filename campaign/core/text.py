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


# A scheme (http://), "www.", an @, or a dot between a letter or digit and two letters
# (evil.example, evil.example/verify): what mail programs turn into a link.
_LINK = re.compile(r"://|www\.|@|\w\.[^\W\d_]{2}", re.IGNORECASE)


def looks_like_link(text: str | None) -> bool:
    """Whether `text` holds something a mail program would show as a link or address. A
    name never does, so a "name" that does is someone trying to make our mail carry it.
    Full-width and ideographic look-alikes ("ｅｖｉｌ．ｅｘａｍｐｌｅ", "evil。example") count."""
    folded = unicodedata.normalize("NFKC", text or "").replace("\u3002", ".")
    return bool(_LINK.search(folded))
